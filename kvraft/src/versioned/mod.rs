//! The current course's replicated key/value service (Lab 4B–4C): versioned puts, replicated by an
//! rsm. The state machine is Lab 2's store ([`kvsrv::Store`]) behind an op type; the server
//! submits each request to its rsm and answers with what the store did; the clerk tries the
//! replicas in turn until the leader answers, and reports `ErrMaybe` like Lab 2's.
//!
//! - [`KvServer`]: a replica, on any rsm `M` whose state machine is [`KvMachine`].
//! - [`Clerk`]: the client.

mod clerk;
mod machine;
mod server;

pub use clerk::Clerk;
pub use machine::{KvMachine, KvOp, KvReply};
pub use server::KvServer;
