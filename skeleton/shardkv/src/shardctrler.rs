//! The shard controller: keeps the configuration in the kvsrv `shardapi::CTRLER_SERVER` through
//! a Lab 2 clerk, and moves shards (FreezeShard at the old group, InstallShard at the new one,
//! DeleteShard at the old one) to go from one configuration to the next.

use raftapi::{KvResult, KvSrvClerk, Version, VersionedClerk};
use shardapi::{Clnt, CtrlerError, ShardConfig};
use std::marker::PhantomData;

/// The controller, talking to the kvsrv through a clerk `K` of any Lab 2 implementation.
pub struct ShardCtrler<K> {
    // Your state here (5A): the kvsrv clerk (`K::make(clnt.end(CTRLER_SERVER))`), and how to
    // reach the shard groups through `clnt`.
    _kv: PhantomData<K>,
}

impl<K: KvSrvClerk> shardapi::ShardCtrler for ShardCtrler<K> {
    fn make(_clnt: Clnt) -> Self {
        unimplemented!("ShardCtrler::make (Lab 5A)")
    }

    /// Finishes a change another controller started and did not finish.
    async fn init_controller(&self) -> Result<(), CtrlerError> {
        unimplemented!("ShardCtrler::init_controller (Lab 5B)")
    }

    async fn init_config(&self, _cfg: ShardConfig) -> Result<(), CtrlerError> {
        unimplemented!("ShardCtrler::init_config (Lab 5A)")
    }

    /// Moves the shards to `new` and makes it current; from 5C on, a controller another has
    /// superseded must change nothing.
    async fn change_config_to(&self, _new: ShardConfig) -> Result<(), CtrlerError> {
        unimplemented!("ShardCtrler::change_config_to (Lab 5A)")
    }

    async fn query(&self) -> Result<ShardConfig, CtrlerError> {
        unimplemented!("ShardCtrler::query (Lab 5A)")
    }
}

/// The controller is a clerk of its kvsrv, as the course's embeds one.
impl<K: KvSrvClerk> VersionedClerk for ShardCtrler<K> {
    async fn get(&self, _key: &str) -> KvResult<(String, Version)> {
        unimplemented!("ShardCtrler::get (Lab 5A)")
    }

    async fn put(&self, _key: &str, _value: &str, _version: Version) -> KvResult<()> {
        unimplemented!("ShardCtrler::put (Lab 5A)")
    }
}
