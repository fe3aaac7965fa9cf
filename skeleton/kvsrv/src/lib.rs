//! Lab 2: a single key/value server whose puts carry versions, its clerk, and a lock built on any
//! versioned clerk. The RPC types and the server's table of replies are in `raftapi::versioned`;
//! the traits you implement are in `raftapi::kvsrv`. Every method that says `unimplemented!` is
//! yours; the message names it.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

mod clerk;
pub mod lock;
mod server;

pub use clerk::Clerk;
pub use lock::Lock;
pub use server::KvServer;
