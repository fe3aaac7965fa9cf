//! kvsrv: the single versioned key/value server of the current 6.5840's Lab 2, its clerk, and a
//! lock built on any versioned clerk.
//!
//! - [`KvServer`]: answers `KVServer.Get` and `KVServer.Put` by the table of
//!   [`raftapi::versioned`], from a map key → (value, version); no per-client state.
//! - [`Clerk`]: retries until answered, and turns `ErrVersion` to a resent put into `ErrMaybe`.
//! - [`Lock`]: acquire and release on any [`raftapi::VersionedClerk`], correct under `ErrMaybe`.

mod clerk;
pub mod lock;
mod server;
mod store;

pub use clerk::Clerk;
pub use lock::Lock;
pub use server::KvServer;
