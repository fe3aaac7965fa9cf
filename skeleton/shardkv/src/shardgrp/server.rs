//! A shard group's server: every request goes through the group's log (your rsm) as an
//! [`Op`](super::Op), and the handler answers with what applying it returned.

use super::store::ShardStore;
use labrpc::{ClientEnd, Service};
use raftapi::{Persister, Raft, RaftError, Rsm};
use shardapi::{Gid, ShardGrpServer};
use std::marker::PhantomData;

/// A shard group's server on the rsm `R` (the tester's choice: yours).
pub struct ShardGrp<R> {
    // Your state here (5A): the rsm, shared with the handlers.
    _rsm: PhantomData<R>,
}

impl<R: Rsm<Sm = ShardStore>> ShardGrpServer for ShardGrp<R> {
    /// Starts member `me` of group `gid`: its rsm, replicating `ShardStore::new(gid)`.
    fn start(
        _ends: Vec<ClientEnd>,
        _gid: Gid,
        _me: usize,
        _persister: Persister,
        _maxraftstate: i64,
    ) -> Result<Self, RaftError> {
        unimplemented!("ShardGrp::start (Lab 5A)")
    }

    /// "KVServer" with Get, Put, FreezeShard, InstallShard and DeleteShard; and the Raft service.
    fn services(&self) -> Vec<Service> {
        unimplemented!("ShardGrp::services (Lab 5A)")
    }

    fn raft(&self) -> &dyn Raft {
        unimplemented!("ShardGrp::raft (Lab 5A)")
    }

    fn kill(&self) {
        unimplemented!("ShardGrp::kill (Lab 5A)")
    }
}
