//! Your fault-tolerant key/value services, each a state machine on your rsm (`rsm/`, Lab 4A of the
//! current course):
//! - the 2023 service (Labs 3A–3B of 2023): [`Clerk`], [`KvServer`], [`KvMachine`], with
//!   Get/Put/Append and exactly-once writes;
//! - the current course's versioned service (Labs 4B–4C): [`versioned`].
//!
//! Every method that says `unimplemented!` is yours to write; the message names the method and its
//! part of the lab. (To run the 2023 service straight on Raft instead, change its alias in
//! `under-test/src/lib.rs` and the type below to match.)

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

mod clerk;
mod machine;
pub mod rpc;
mod server;
pub mod versioned;

pub use clerk::Clerk;
pub use machine::{KvMachine, Op};
pub use server::KvServer;
