//! Your key/value service, replicated with Raft (Lab 3A), and snapshots of it (Lab 3B).
//!
//! The server runs on any Raft of the contract: the tester gives it yours. Every method that says
//! `unimplemented!` is yours to write; the message names the method and its part of the lab.

mod clerk;
pub mod rpc;
mod server;

pub use clerk::Clerk;
pub use server::KvServer;
