//! A shard group's server as the server group runs it.

use crate::server_group::GroupServer;
use labrpc::{ClientEnd, Service};
use raftapi::{Persister, Raft, RaftError};
use shardapi::ShardGrpServer;

/// A member of a shard group: the server under test, started with its group's id.
pub struct Member<S>(S);

impl<S: ShardGrpServer> Member<S> {
    pub fn server(&self) -> &S {
        &self.0
    }
}

impl<S: ShardGrpServer> GroupServer for Member<S> {
    /// A shard group's server always knows its group; without one it is in group 0.
    fn start(
        ends: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
    ) -> Result<Self, RaftError> {
        Self::start_in_group(0, ends, me, persister, maxraftstate)
    }

    fn start_in_group(
        gid: u64,
        ends: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
    ) -> Result<Self, RaftError> {
        S::start(ends, gid, me, persister, maxraftstate).map(Member)
    }

    fn services(&self) -> Vec<Service> {
        self.0.services()
    }

    fn raft(&self) -> &dyn Raft {
        self.0.raft()
    }

    fn kill(&self) {
        self.0.kill()
    }
}
