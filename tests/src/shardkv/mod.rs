//! The sharded KV tester of the current course (Lab 5, docs/lab-tests-2026.md §9–§12): group 0's
//! kvsrv for the controllers, shard groups of Raft servers on the server group, clients the tester
//! connects and cuts off as a whole, and the course's harness helpers. Workloads and their checks
//! are the workload library's ([`crate::workload`]).
//!
//! - [`tester`]: [`ShardKvTest`], its groups, clients, controllers, clerks, Begin/End and limits.
//! - [`clnt`]: [`TestClnt`], a client reaching servers by name (the course's `tester.Clnt`).
//! - [`member`]: a shard group's server as a server group member.
//! - [`ctrler_store`]: group 0, the controllers' kvsrv.
//! - [`reconfig`]: setupKVService, join/leave of groups, checkMember.
//! - [`checks`]: SpreadPuts, CheckGet, checkShutdownSharding, shutdownLeader.
//! - [`ctrler_faults`]: partitionCtrler and concurCtrler.

pub mod checks;
pub mod clnt;
pub mod ctrler_faults;
pub mod ctrler_store;
pub mod member;
pub mod reconfig;
pub mod tester;

pub use clnt::TestClnt;
pub use reconfig::Bound;
pub use tester::{NSRV, ShardKvImpl, ShardKvTest};

/// The tests' keys: five per shard.
pub const NKEYS: usize = 5 * shardapi::N_SHARDS;
/// Groups the many-groups tests join and leave.
pub const NGRP: usize = 8;
