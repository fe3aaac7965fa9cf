//! The Lab 4 KV tester of the current course (its kvraft1 `Test`, docs/lab-tests-2026.md §7–§8):
//! n replicas of the versioned KV service as server group 0 (`server-0-i`), clerks that reach
//! every replica (or only some), the partitioner, crashes and restarts, the Begin/End lines and the
//! 120 s limit; GenericTest and GenericTestSpeed on top.
//!
//! - [`config`]: [`Kv4Test`], the replicas, the clerks and the test's history.
//! - [`generic`]: GenericTest and GenericTestSpeed.

pub mod config;
pub mod generic;

pub use config::{Kv4Impl, Kv4Test, Setup};
pub use generic::{GenericTest, generic_test_speed};
