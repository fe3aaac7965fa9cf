//! The shard configuration of Lab 5 (sharded KV): given code in the course, mirrored here exactly,
//! because the tests depend on its assignments (docs/lab-tests-2026.md §9).
//!
//! The key space is split into [`N_SHARDS`] shards by [`key_to_shard`]; a [`ShardConfig`] numbers a
//! configuration and says which group serves each shard and which servers make up each group.
//! Joining and leaving groups and rebalancing follow the course's rules to the letter, ties
//! included, so that a configuration reached by the same joins and leaves is the same here.
//!
//! ```
//! use shardcfg::{ShardConfig, key_to_shard};
//! use std::collections::BTreeMap;
//!
//! let mut cfg = ShardConfig::new();
//! cfg.join_balance(BTreeMap::from([(1, vec!["a".to_string()])])).unwrap();
//! assert_eq!(cfg.num, 1);
//! assert!(cfg.shards.iter().all(|&g| g == 1));
//! assert_eq!(key_to_shard("k0"), 10);
//! ```

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

mod balance;
mod config;
mod key;

pub use config::{ConfigError, ShardConfig};
pub use key::key_to_shard;

/// The number of shards.
pub const N_SHARDS: usize = 12;
/// A shard's index, `0..N_SHARDS`.
pub type Shard = usize;
/// A group id; 0 means "no group".
pub type Gid = u64;
/// A configuration number.
pub type Num = u64;
/// The first configuration's number.
pub const NUM_FIRST: Num = 1;
/// The gid of the first group the tests start.
pub const GID1: Gid = 1;
