//! The sharded clerk: sends each get and put to the group serving the key's shard
//! (`shardapi::key_to_shard`) in the controller's configuration, and asks the controller again
//! when a group answers ErrWrongGroup.

use raftapi::{KvResult, Version, VersionedClerk};
use shardapi::{Clnt, Gid, ShardCtrler, ShardKvClerk};

pub struct Clerk<C> {
    #[allow(dead_code)] // yours to use
    clnt: Clnt,
    #[allow(dead_code)] // yours to use
    sck: C,
    // Your state here (5A): the configuration last heard of, a clerk per group.
}

impl<C: ShardCtrler> ShardKvClerk for Clerk<C> {
    type Ctrler = C;

    fn make(clnt: Clnt, sck: C) -> Self {
        Clerk { clnt, sck }
    }

    fn group_leader(&self, _gid: Gid) -> Option<usize> {
        unimplemented!("shardkv::Clerk::group_leader (Lab 5A)")
    }
}

impl<C: ShardCtrler> VersionedClerk for Clerk<C> {
    async fn get(&self, _key: &str) -> KvResult<(String, Version)> {
        unimplemented!("shardkv::Clerk::get (Lab 5A)")
    }

    /// A put resent (to the same group or another) whose answer is ErrVersion may have taken
    /// effect: ErrMaybe.
    async fn put(&self, _key: &str, _value: &str, _version: Version) -> KvResult<()> {
        unimplemented!("shardkv::Clerk::put (Lab 5A)")
    }
}
