//! kvraft: a key/value service replicated with Raft. (API stub; implementation in progress.)

use labrpc::{ClientEnd, Service};
use raft::{Raft, RaftError};
use sim::Persister;

/// A KV server replica. Cloning shares it.
#[derive(Clone)]
pub struct KvServer {}

impl KvServer {
    /// Starts replica `me` of `servers` (ends to every replica's Raft, itself included). Must be called
    /// from a task on the replica's madsim node. `maxraftstate` < 0 means never snapshot; otherwise the
    /// replica snapshots when its persisted Raft state nears that many bytes.
    pub fn start(
        _servers: Vec<ClientEnd>,
        _me: usize,
        _persister: Persister,
        _maxraftstate: i64,
    ) -> Result<KvServer, RaftError> {
        todo!()
    }
    /// The services to host on this replica's labrpc server: "KVServer" (Get, PutAppend) and "Raft".
    pub fn services(&self) -> Vec<Service> {
        todo!()
    }
    /// The replica's Raft peer.
    pub fn raft(&self) -> &Raft {
        todo!()
    }
    /// Stops the replica and its Raft peer.
    pub fn kill(&self) {
        todo!()
    }
}

/// A client of the service. It retries each operation until it succeeds, so every call returns.
pub struct Clerk {}

impl Clerk {
    /// A clerk talking to the replicas through `servers` (in any order); its id comes from the seed.
    pub fn new(_servers: Vec<ClientEnd>) -> Clerk {
        todo!()
    }
    pub fn id(&self) -> u64 {
        todo!()
    }
    /// The current value of `key` ("" if absent).
    pub async fn get(&self, _key: &str) -> String {
        todo!()
    }
    pub async fn put(&self, _key: &str, _value: &str) {
        todo!()
    }
    pub async fn append(&self, _key: &str, _value: &str) {
        todo!()
    }
}
