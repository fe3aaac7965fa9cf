//! The rsm tester of the current course (Lab 4A, and the 4C rsm snapshot test;
//! docs/lab-tests-2026.md §6): three replicas of an integer counter on the rsm under test.
//!
//! - [`counter`]: the test state machine, its ops and replies.
//! - [`server`]: one replica as the server group runs it: the rsm, its counter, its Raft's service.
//! - [`tester`]: the test's config and helpers (onePartition, checkCounter, Leader, Begin/End).

pub mod counter;
pub mod server;
pub mod tester;

pub use counter::{Counter, CounterOp, CounterReply};
pub use server::RsmServer;
pub use tester::RsmTest;
