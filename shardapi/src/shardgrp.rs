//! A shard group: a Raft group of servers that serves some of the shards, and its clerk.

use crate::shardrpc::ShardError;
use crate::{Gid, Num, Shard};
use labrpc::{ClientEnd, Service};
use raftapi::{Persister, Raft, RaftError, ReplicatedClerk};
use std::future::Future;

/// One server of a shard group (the course's `StartServerShardGrp`).
///
/// It answers `KVServer.Get` and `KVServer.Put` by the table of [`raftapi::versioned`] for keys of
/// the shards its group serves, and [`raftapi::KvError::WrongGroup`] for a key of a shard the group
/// does not serve or has frozen. It answers `KVServer.FreezeShard`, `KVServer.InstallShard` and
/// `KVServer.DeleteShard` ([`crate::shardrpc`]), refusing a configuration number older than the one
/// it has seen for the shard. Every request goes through the group's log, so the group agrees on
/// it. Group [`crate::GID1`] starts out serving every shard (under configuration
/// [`crate::NUM_FIRST`]); any other group starts out serving none.
pub trait ShardGrpServer: Send + Sync + 'static {
    /// Starts server `me` of group `gid`, with ends to every server of its group (itself
    /// included, and no others: shard data moves only through the controller), from what
    /// `persister` holds. Called from a task on the server's node. `maxraftstate` < 0: never
    /// snapshot; otherwise snapshot once the persisted Raft state exceeds that many bytes.
    fn start(
        ends: Vec<ClientEnd>,
        gid: Gid,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
    ) -> Result<Self, RaftError>
    where
        Self: Sized;

    /// The services to host on the server's labrpc server: `KVServer` and its Raft's.
    fn services(&self) -> Vec<Service>;

    /// The server's Raft peer (the tester asks it who leads).
    fn raft(&self) -> &dyn Raft;

    /// Stops the server and its Raft peer (a crash: its node is killed right after).
    fn kill(&self);
}

/// A clerk of one shard group (the course's `shardgrp.MakeClerk(clnt, servers)`): a
/// [`ReplicatedClerk`] of the group's servers, which tries them in turn until one that leads
/// answers (a lost call or `ErrWrongLeader` moves on to the next server), plus the controller's
/// three shard moves.
///
/// Its get and put answer [`raftapi::KvError::WrongGroup`] for a key the group does not serve (the
/// caller asks the controller where the key's shard went).
pub trait ShardGrpClerk: ReplicatedClerk {
    /// FreezeShard: the group stops serving `shard` and returns its state.
    fn freeze_shard(
        &self,
        shard: Shard,
        num: Num,
    ) -> impl Future<Output = Result<Vec<u8>, ShardError>> + Send;

    /// InstallShard: the group serves `shard` from `state`. Installing again under the same `num`
    /// changes nothing (a second controller may finish the first one's move).
    fn install_shard(
        &self,
        shard: Shard,
        state: Vec<u8>,
        num: Num,
    ) -> impl Future<Output = Result<(), ShardError>> + Send;

    /// DeleteShard: the group forgets the frozen `shard`.
    fn delete_shard(
        &self,
        shard: Shard,
        num: Num,
    ) -> impl Future<Output = Result<(), ShardError>> + Send;
}
