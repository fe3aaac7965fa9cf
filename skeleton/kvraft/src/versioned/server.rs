//! A replica: the "KVServer" service (`raftapi::versioned::KV_SERVICE`), whose Get and Put go
//! through the rsm.

use super::machine::KvMachine;
use labrpc::{ClientEnd, Service};
use raftapi::{Persister, Raft, RaftError, Rsm};

/// A replica on any rsm `M` of [`KvMachine`] (the tester's choice: yours, on your Raft).
pub struct KvServer<M> {
    rsm: M,
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
        unimplemented!("versioned::KvServer::start (Lab 4B)")
    }

    /// The KV service with your Get and Put handlers, and your Raft's service.
    fn services(&self) -> Vec<Service> {
        vec![
            Service::new(raftapi::versioned::KV_SERVICE),
            self.rsm.raft().service(),
        ]
    }

    fn raft(&self) -> &dyn Raft {
        self.rsm.raft()
    }

    fn kill(&self) {
        self.rsm.raft().kill();
    }
}
