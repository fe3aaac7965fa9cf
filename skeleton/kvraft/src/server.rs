//! A replica: the "KVServer" service, whose Get and PutAppend go through the rsm.

use crate::machine::KvMachine;
use labrpc::{ClientEnd, Service};
use raftapi::{Persister, Raft, RaftError, Rsm};

/// A replica on any rsm `M` of [`KvMachine`] (the tester's choice: yours, on your Raft).
pub struct KvServer<M> {
    rsm: M,
    // Your state here (3A).
}

impl<M: Rsm<Sm = KvMachine>> raftapi::KvServer for KvServer<M> {
    /// Starts replica `me`: make its rsm with `M::make(servers, me, persister, maxraftstate,
    /// KvMachine::default())`. `maxraftstate` < 0: never snapshot.
    fn start(
        _servers: Vec<ClientEnd>,
        _me: usize,
        _persister: Persister,
        _maxraftstate: i64,
    ) -> Result<Self, RaftError> {
        unimplemented!("KvServer::start (Lab 3A)")
    }

    /// "KVServer" with your Get and PutAppend handlers, and your Raft's service.
    fn services(&self) -> Vec<Service> {
        vec![Service::new("KVServer"), self.rsm.raft().service()]
    }

    fn raft(&self) -> &dyn Raft {
        self.rsm.raft()
    }

    fn kill(&self) {
        self.rsm.raft().kill();
    }
}
