//! A shard group's state machine: every shard as the group holds it (serving, frozen for a move,
//! or not held), the highest configuration number seen for each, and their keys.

use raftapi::versioned::{GetArgs, GetReply, PutArgs, PutReply};
use raftapi::{RestoreError, StateMachine};
use serde::{Deserialize, Serialize};
use shardapi::Gid;
use shardapi::shardrpc::{
    DeleteShardArgs, DeleteShardReply, FreezeShardArgs, FreezeShardReply, InstallShardArgs,
    InstallShardReply,
};

/// A request as the group's log carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Get(GetArgs),
    Put(PutArgs),
    Freeze(FreezeShardArgs),
    Install(InstallShardArgs),
    Delete(DeleteShardArgs),
}

/// The reply to each kind of [`Op`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Get(GetReply),
    Put(PutReply),
    Freeze(FreezeShardReply),
    Install(InstallShardReply),
    Delete(DeleteShardReply),
}

pub struct ShardStore {
    // Your state here (5A): each shard's keys, whether the group serves it, and the highest
    // configuration number seen for it. Group `shardapi::GID1` starts out serving every shard.
}

impl ShardStore {
    /// The store of group `gid` before it has done anything.
    pub fn new(_gid: Gid) -> Self {
        ShardStore {}
    }
}

impl StateMachine for ShardStore {
    type Op = Op;
    type Reply = Reply;

    /// Applies one committed op: Get and Put by the table of `raftapi::versioned` for a shard the
    /// group serves (ErrWrongGroup otherwise); Freeze, Install and Delete as `shardapi::shardrpc`
    /// describes them, refusing an older configuration number than the shard has seen. A refused
    /// op changes nothing.
    fn do_op(&mut self, _op: Op) -> Reply {
        unimplemented!("ShardStore::do_op (Lab 5A)")
    }

    fn snapshot(&self) -> Vec<u8> {
        unimplemented!("ShardStore::snapshot (Lab 5A)")
    }

    fn restore(&mut self, _snapshot: &[u8]) -> Result<(), RestoreError> {
        unimplemented!("ShardStore::restore (Lab 5A)")
    }
}
