//! kvraft: the fault-tolerant key/value services replicated with Raft, of both editions of the lab.
//!
//! Both are state machines on one replicated-state-machine layer (the contract's `Rsm`; the
//! reference is the `rsm` crate), which owns the apply loop and the snapshots.
//!
//! The 2023 service (Lab 3 then), on any rsm of the contract:
//! - [`Clerk`]: the client; numbers its operations (client id + sequence number) and retries.
//! - [`KvServer`]: a replica; every Get, Put and Append goes through the Raft log, so reads are
//!   linearizable, and a per-client table makes a retried operation take effect exactly once.
//! - [`KvMachine`]: the store and the dedup table; snapshots carry both.
//!
//! The current course's service (Lab 4B–4C), on any rsm of the contract: [`versioned`].

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

mod clerk;
mod machine;
pub mod rpc;
mod server;
mod store;
pub mod versioned;

pub use clerk::Clerk;
pub use machine::KvMachine;
pub use server::KvServer;
