//! kvsrv: the single versioned key/value server of the current 6.5840's Lab 2, its clerk, and a
//! lock built on any versioned clerk.
//!
//! - [`KvServer`]: answers `KVServer.Get` and `KVServer.Put` by the table of
//!   [`raftapi::versioned`], from a map key → (value, version); no per-client state.
//! - [`Clerk`]: retries until answered, and turns `ErrVersion` to a resent put into `ErrMaybe`.
//! - [`Lock`]: acquire and release on any [`raftapi::VersionedClerk`], correct under `ErrMaybe`.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

mod clerk;
pub mod lock;
mod server;
pub mod store;

pub use clerk::Clerk;
pub use lock::Lock;
pub use server::KvServer;
pub use store::Store;
