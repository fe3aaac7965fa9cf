//! A shard group's clerk: tries the group's servers, starting with the one that last led, until
//! one that leads answers.

use labrpc::ClientEnd;
use raftapi::{KvResult, ReplicatedClerk, Version, VersionedClerk};
use shardapi::shardrpc::ShardError;
use shardapi::{Num, Shard, ShardGrpClerk};

pub struct Clerk {
    #[allow(dead_code)] // yours to use
    servers: Vec<ClientEnd>,
    // Your state here (5A): the server that last answered as leader.
}

impl ReplicatedClerk for Clerk {
    fn make(servers: Vec<ClientEnd>) -> Self {
        Clerk { servers }
    }

    fn leader(&self) -> Option<usize> {
        unimplemented!("shardgrp::Clerk::leader (Lab 5A)")
    }
}

impl VersionedClerk for Clerk {
    async fn get(&self, _key: &str) -> KvResult<(String, Version)> {
        unimplemented!("shardgrp::Clerk::get (Lab 5A)")
    }

    /// A resent put whose answer is ErrVersion may have taken effect: ErrMaybe.
    async fn put(&self, _key: &str, _value: &str, _version: Version) -> KvResult<()> {
        unimplemented!("shardgrp::Clerk::put (Lab 5A)")
    }
}

impl ShardGrpClerk for Clerk {
    async fn freeze_shard(&self, _shard: Shard, _num: Num) -> Result<Vec<u8>, ShardError> {
        unimplemented!("shardgrp::Clerk::freeze_shard (Lab 5A)")
    }

    async fn install_shard(
        &self,
        _shard: Shard,
        _state: Vec<u8>,
        _num: Num,
    ) -> Result<(), ShardError> {
        unimplemented!("shardgrp::Clerk::install_shard (Lab 5A)")
    }

    async fn delete_shard(&self, _shard: Shard, _num: Num) -> Result<(), ShardError> {
        unimplemented!("shardgrp::Clerk::delete_shard (Lab 5A)")
    }
}
