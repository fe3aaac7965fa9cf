//! The bodies of the lab tests. A test that is the same in both editions of the course has one body
//! here, taking the [`crate::Edition`]; the test targets in `tests/tests/` are one line per test.
//!
//! - [`raft_election`], [`raft_agreement`], [`raft_persistence`], [`raft_snapshots`]: Raft's parts
//!   A–D (2A–2D in 2023, 3A–3D now).
//! - [`kv_service`]: the current course's KV service tests, 4B and 4C.
//! - [`shardkv_5a`], [`shardkv_5b`], [`shardkv_5c`]: the current course's sharded KV tests.

pub mod kv_service;
pub mod raft_agreement;
pub mod raft_election;
pub mod raft_persistence;
pub mod raft_snapshots;
pub mod shardkv_5a;
pub mod shardkv_5b;
pub mod shardkv_5c;
