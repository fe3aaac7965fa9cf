//! shardkv: raft-lab's reference solution of Lab 5 of the current course (sharded KV), against
//! the contract of the `shardapi` crate.
//!
//! - [`shardgrp`]: a shard group's server, a state machine of shards replicated on any
//!   [`raftapi::Rsm`], and the group's clerk.
//! - [`shardctrler`]: the controller, keeping the configuration and the change under way in a kvsrv
//!   reached through any [`raftapi::KvSrvClerk`], and moving shards by freeze, install and delete.
//! - [`client`]: the sharded clerk, routing each key by the controller's configuration.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

pub mod client;
mod codec;
mod group_clerks;
pub mod shardctrler;
pub mod shardgrp;

pub use client::Clerk;
pub use shardctrler::ShardCtrler;
pub use shardgrp::{ShardGrp, ShardStore};
