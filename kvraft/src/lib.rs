//! kvraft: a fault-tolerant key/value service replicated with any Raft of the contract (the 6.5840 Lab 3).
//!
//! - [`Clerk`]: the client; numbers its operations (client id + sequence number) and retries.
//! - [`KvServer`]: a replica; every Get, Put and Append goes through the Raft log, so reads are
//!   linearizable, and a per-client table makes a retried operation take effect exactly once.
//! - Snapshots bound the Raft state by `maxraftstate`; they carry the store and the dedup table.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

mod clerk;
pub mod rpc;
mod server;
mod store;

pub use clerk::Clerk;
pub use server::KvServer;
