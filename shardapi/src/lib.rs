//! The contract of Lab 5 of the current course (sharded KV) between raft-lab's shardkv tester and
//! the implementations it tests: the pieces the course's `shardgrp`, `shardctrler` and `shardkv`
//! packages provide, as traits, and the RPC messages of `shardrpc`.
//!
//! - [`ShardGrpServer`]: one server of a shard group, a Raft group serving some of the shards
//!   (the course's `StartServerShardGrp`).
//! - [`ShardGrpClerk`]: a clerk of one shard group: versioned get/put, and the controller's
//!   FreezeShard, InstallShard and DeleteShard.
//! - [`ShardCtrler`]: the controller, keeping the configuration in the kvsrv `server-0-0` and moving
//!   shards between groups.
//! - [`ShardKvClerk`]: the sharded clerk, a versioned clerk routing each key to its shard's group.
//! - [`Connector`] ([`Clnt`]): the course's `tester.Clnt`, how a controller or clerk reaches any
//!   server by name; the tester decides which calls get through.
//!
//! The shard configuration itself ([`ShardConfig`], [`key_to_shard`]) is the course's given code,
//! mirrored in the `shardcfg` crate and re-exported here.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

mod clnt;
mod shardctrler;
mod shardgrp;
mod shardkv;
pub mod shardrpc;

pub use clnt::{Clnt, Connector};
pub use shardcfg::{GID1, Gid, N_SHARDS, NUM_FIRST, Num, Shard, ShardConfig, key_to_shard};
pub use shardctrler::{CTRLER_SERVER, CtrlerError, ShardCtrler};
pub use shardgrp::{ShardGrpClerk, ShardGrpServer};
pub use shardkv::ShardKvClerk;
pub use shardrpc::ShardError;
