//! A replica of the 2023 KV service: the "KVServer" service (Get, PutAppend), whose ops go through
//! the rsm `M`; the store and its dedup table are the rsm's state machine ([`KvMachine`]), so the
//! apply loop and snapshots are the rsm's, shared with the current course's service.

use crate::machine::KvMachine;
use crate::rpc::{KvError, Op, OpReply};
use labrpc::{ClientEnd, Service};
use raftapi::{Persister, Raft, RaftError, Rsm};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// How long a request waits for its op to be applied before the clerk is told to try elsewhere.
/// A leader cut off from the majority never commits; the clerk must not wait on it forever, and
/// the 2023 clerk numbers its ops, so a retry elsewhere takes effect at most once.
const COMMIT_WAIT: Duration = Duration::from_millis(500);

struct Shared<M> {
    rsm: M,
    maxraftstate: i64,
    /// Requests submitted and not yet answered.
    in_flight: AtomicUsize,
    killed: AtomicBool,
}

/// A replica of the 2023 KV service, on any rsm `M` of its state machine. Cloning shares it.
pub struct KvServer<M> {
    shared: Arc<Shared<M>>,
}

impl<M> Clone for KvServer<M> {
    fn clone(&self) -> Self {
        KvServer {
            shared: self.shared.clone(),
        }
    }
}

impl<M: Rsm<Sm = KvMachine>> raftapi::KvServer for KvServer<M> {
    /// Starts replica `me` of `servers` (ends to every replica's Raft, itself included). Must be called
    /// from a task on the replica's madsim node. `maxraftstate` < 0 means never snapshot; otherwise the
    /// rsm snapshots when the persisted Raft state grows past that many bytes.
    fn start(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
    ) -> Result<Self, RaftError> {
        let rsm = M::make(servers, me, persister, maxraftstate, KvMachine::default())?;
        Ok(KvServer {
            shared: Arc::new(Shared {
                rsm,
                maxraftstate,
                in_flight: AtomicUsize::new(0),
                killed: AtomicBool::new(false),
            }),
        })
    }

    /// "KVServer" (Get, PutAppend) and "Raft".
    fn services(&self) -> Vec<Service> {
        let (get, put_append) = (self.clone(), self.clone());
        let kv = Service::new("KVServer")
            .method("Get", move |op: Op| {
                let server = get.clone();
                async move { server.request(op).await }
            })
            .method("PutAppend", move |op: Op| {
                let server = put_append.clone();
                async move { server.request(op).await }
            });
        vec![kv, self.shared.rsm.raft().service()]
    }

    fn raft(&self) -> &dyn Raft {
        self.shared.rsm.raft()
    }

    fn kill(&self) {
        self.shared.killed.store(true, Ordering::Release);
        self.shared.rsm.raft().kill();
    }
}

impl<M: Rsm<Sm = KvMachine>> KvServer<M> {
    /// Runs one client operation through the log; answers once that very op is applied.
    async fn request(&self, op: Op) -> OpReply {
        if self.shared.killed.load(Ordering::Acquire) {
            return Err(KvError::WrongLeader);
        }
        if self.at_state_limit() && self.shared.in_flight.load(Ordering::Acquire) > 0 {
            return Err(KvError::Busy);
        }
        let _in_flight = InFlight::count(&self.shared.in_flight);
        match madsim::time::timeout(COMMIT_WAIT, self.shared.rsm.submit(op)).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(_)) => Err(KvError::WrongLeader),
            Err(_) => Err(KvError::Timeout),
        }
    }

    /// Whether the persisted Raft state is past the snapshot threshold. Snapshots bring it back
    /// below while commits flow; entries that cannot commit (a leader cut off from the majority)
    /// cannot be snapshotted away, so then a leader admits no op while one of its own is pending.
    /// Without a pending op the next one is admitted: it may be what commits the entries it
    /// inherited.
    fn at_state_limit(&self) -> bool {
        let limit = self.shared.maxraftstate;
        limit > 0 && self.shared.rsm.raft().persist_bytes() as i64 >= limit
    }
}

/// Counts one request in flight for as long as it lives.
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    fn count(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::AcqRel);
        InFlight(counter)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}
