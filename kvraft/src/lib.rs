//! kvraft: a fault-tolerant key/value service replicated with any Raft of the contract (the 6.5840 Lab 3).
//!
//! - [`Clerk`]: the client; numbers its operations (client id + sequence number) and retries.
//! - [`KvServer`]: a replica; every Get, Put and Append goes through the Raft log, so reads are
//!   linearizable, and a per-client table makes a retried operation take effect exactly once.
//! - Snapshots bound the Raft state by `maxraftstate`; they carry the store and the dedup table.

mod clerk;
pub mod rpc;
mod server;
mod store;

pub use clerk::Clerk;
pub use server::KvServer;
