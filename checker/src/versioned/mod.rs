//! The versioned KV of the current course (LAB-TESTS-2025 §2.3): its model and the search that
//! checks a key's history against it. [`check_ops`](crate::check_ops) uses it for histories whose
//! operations are versioned.

pub mod model;
pub(crate) mod search;

pub use model::{VersionedState, step};
