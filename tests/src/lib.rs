//! raft-lab's testers: the helpers the lab suites in `tests/` are written in.
//!
//! - [`commands`]: the tester's commands (ints and strings) and the bytes Raft carries.
//! - [`raft_applier`]: what every peer applied, the apply checks, and the snapshot applier.
//! - [`raft_config`]: the Raft tester config of LAB-TESTS §2.
//! - [`kv_config`], [`kv_generic`], [`kv_partitioner`], [`kv_history`], [`kv_appends`]: the KV tester
//!   of LAB-TESTS §4.
//! - [`demo_story`]: the demo's story, told from the peers' own events in virtual time.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

pub mod commands;
pub mod demo_story;
pub mod fresh;
pub mod fuzz;
pub mod kv_appends;
pub mod kv_config;
pub mod kv_generic;
pub mod kv_history;
pub mod kv_partitioner;
pub mod raft_applier;
pub mod raft_config;

pub use commands::{Cmd, rand_int, rand_int31, rand_string};
pub use raft_config::{Config, ELECTION_TIMEOUT, MAX_LOG_SIZE};
