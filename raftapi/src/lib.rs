//! The contract between raft-lab's testers and the implementations they test.
//!
//! The testers, fuzzers, demo and benchmarks speak only to these traits and types; an implementation
//! (raft-lab's reference crates, a student's, or your own) provides them. Which implementation runs
//! is chosen in one place, the `under-test` crate.
//!
//! - [`Raft`]: one Raft peer, as the lab's `raftapi.Raft` interface has it, with [`ApplyMsg`] on the
//!   apply channel and an optional read-only [`PeerView`] for the fuzzers' safety checks.
//! - [`Persister`]: the stable storage a peer saves to and restarts from.
//! - [`KvServer`] and [`KvClerk`]: the fault-tolerant key/value service built on Raft (2023).
//! - [`versioned`]: the current course's versioned key/value store, shared by Labs 2, 4 and 5: its
//!   errors, versions, RPC types and the [`VersionedClerk`] trait.
//! - [`KvSrvServer`], [`KvSrvClerk`] and [`KvLock`]: Lab 2, one versioned server and a lock on it.
//! - [`Rsm`] and [`StateMachine`]: the replicated-state-machine layer of the current course, on
//!   which a service replicates its state machine.
//!
//! A minimal peer, enough to see the shape (a real one elects leaders and replicates):
//!
//! ```
//! use labrpc::{ClientEnd, Service};
//! use raftapi::{ApplySender, Persister, Raft, RaftError};
//!
//! struct Stub {
//!     persister: Persister,
//! }
//!
//! impl Raft for Stub {
//!     fn make(_peers: Vec<ClientEnd>, _me: usize, persister: Persister, _apply: ApplySender)
//!         -> Result<Self, RaftError> {
//!         Ok(Stub { persister })
//!     }
//!     fn service(&self) -> Service { Service::new("Raft") }
//!     fn start(&self, _command: Vec<u8>) -> Option<(u64, u64)> { None }
//!     fn state(&self) -> (u64, bool) { (0, false) }
//!     fn snapshot(&self, _index: u64, _snapshot: Vec<u8>) {}
//!     fn persist_bytes(&self) -> usize { self.persister.raft_state_size() }
//!     fn kill(&self) {}
//! }
//!
//! let peer = Stub::make(Vec::new(), 0, Persister::new(), futures::channel::mpsc::channel(0).0).unwrap();
//! assert_eq!(peer.state(), (0, false));
//! assert!(peer.observe().is_none(), "observing is optional");
//! ```

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

mod kv;
mod kvsrv;
mod observer;
mod persister;
mod raft;
mod rsm;
pub mod versioned;

pub use kv::{KvClerk, KvServer, ReplicatedClerk};
pub use kvsrv::{KvLock, KvSrvClerk, KvSrvServer};
pub use observer::{PeerView, RoleName};
pub use persister::Persister;
pub use raft::{ApplyMsg, ApplySender, Raft, RaftError};
pub use rsm::{OpOf, ReplyOf, RestoreError, Rsm, StateMachine, SubmitError};
pub use versioned::{KvError, KvResult, Version, VersionedClerk};
