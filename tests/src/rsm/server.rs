//! One replica of the rsm test: the rsm under test with its counter. Its labrpc server hosts only
//! the Raft's service, so a crash kills the Raft, and the rsm learns it from its apply channel.

use super::counter::Counter;
use crate::server_group::GroupServer;
use labrpc::{ClientEnd, Service};
use raftapi::{Persister, Raft, RaftError, Rsm};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct RsmServer<R> {
    rsm: R,
    counter: Arc<AtomicU64>,
}

impl<R: Rsm<Sm = Counter>> RsmServer<R> {
    pub fn rsm(&self) -> &R {
        &self.rsm
    }

    /// The replica's counter as its state machine has it now.
    pub fn counter(&self) -> u64 {
        self.counter.load(Ordering::Relaxed)
    }
}

impl<R: Rsm<Sm = Counter>> GroupServer for RsmServer<R> {
    fn start(
        ends: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
    ) -> Result<Self, RaftError> {
        let counter = Arc::new(AtomicU64::new(0));
        let rsm = R::make(
            ends,
            me,
            persister,
            maxraftstate,
            Counter::new(me, counter.clone()),
        )?;
        Ok(RsmServer { rsm, counter })
    }

    fn services(&self) -> Vec<Service> {
        vec![self.rsm.raft().service()]
    }

    fn raft(&self) -> &dyn Raft {
        self.rsm.raft()
    }

    fn kill(&self) {
        self.rsm.raft().kill();
    }
}
