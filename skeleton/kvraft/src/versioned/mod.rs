//! The current course's replicated key/value service (Labs 4B–4C): Lab 2's versioned puts,
//! replicated by your rsm.

mod clerk;
mod machine;
mod server;

pub use clerk::Clerk;
pub use machine::KvMachine;
pub use server::KvServer;
