//! A replica: turns client requests into Raft log entries, applies committed entries in log order,
//! answers each request once its own entry is applied, and (3B) snapshots its state when Raft's
//! persisted state nears `maxraftstate`.

use labrpc::{ClientEnd, Service};
use raftapi::{Persister, Raft, RaftError};

/// A replica on any Raft `R` (the tester's choice: yours).
pub struct KvServer<R> {
    raft: R,
    // Your state here (3A, 3B).
}

impl<R: Raft> raftapi::KvServer for KvServer<R> {
    /// Starts replica `me`: make its Raft with `R::make(servers, me, persister, apply_tx)` and spawn
    /// the task that reads the apply channel. `maxraftstate` < 0: never snapshot.
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
        vec![Service::new("KVServer"), self.raft.service()]
    }

    fn raft(&self) -> &dyn Raft {
        &self.raft
    }

    fn kill(&self) {
        self.raft.kill();
    }
}
