//! The workload library of the current course (its `kvtest1`, LAB-TESTS-2025 §2), written once for
//! every versioned key/value service: Lab 2's kvsrv now, Lab 4's replicated KV and Lab 5's sharded
//! KV later. It speaks to clerks only through [`raftapi::VersionedClerk`] and to the tester only
//! through [`Tester`].
//!
//! - [`clerk`]: [`TestClerk`], a clerk as the tester made it, counting every call, and the
//!   [`Tester`] trait a tester config implements (the course's `IClerkMaker` plus its fatal).
//! - [`logged`]: [`Workload`], the logged `get`/`put` wrappers recording porcupine operations with
//!   virtual call and return times, and the JSON helpers on top of them.
//! - [`puts`]: `put_at_least_once`, `check_get`, `one_put`, `one_client_put`,
//!   `check_put_concurrent`, `spread_puts`.
//! - [`clients`]: `spawn_clients_and_wait` with its stop flag.
//! - [`values`]: random values and key names.

pub mod clerk;
pub mod clients;
pub mod logged;
pub mod puts;
pub mod values;

pub use clerk::{TestClerk, Tester};
pub use clients::Stop;
pub use logged::Workload;
pub use puts::ClientResult;
