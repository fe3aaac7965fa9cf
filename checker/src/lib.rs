//! A linearizability checker for key/value histories (docs/lab-tests-2023.md §5), in the manner of
//! porcupine.
//!
//! - [`history`]: [`Operation`], the shared [`History`] tests record into, and its JSON form.
//! - [`model`]: the 2023 KV model — per key, a string state starting at "".
//! - [`versioned`]: the current course's versioned KV model — per key, (value, version) starting
//!   at ("", 0), with ErrMaybe puts that may or may not have taken effect — and its search.
//! - `search`: the per-key Wing–Gong/Lowe search, bounded by a deterministic step budget.
//! - [`check`](mod@check): splitting by key and the overall [`CheckResult`].
//! - [`picture`]: a self-contained HTML page showing a history and where linearization fails,
//!   with the run around it (faults, peers' roles) on one virtual-time axis.
//! - [`timeline`]: what else happened in a run (annotations, peers' roles), for the picture;
//!   [`record`]: the JSON file holding a history with its timeline.
//!
//! A check that runs out of budget is [`CheckResult::Unknown`], which callers must treat as a
//! failure, never a pass.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

pub mod check;
pub mod history;
pub mod model;
pub mod picture;
pub mod record;
mod search;
pub mod timeline;
pub mod versioned;

pub use check::{Budget, CheckResult, KeyDetail, check, check_ops};
pub use history::{History, HistoryError, KvErr, KvInput, OpKind, OpMeta, Operation, Versioned};
pub use picture::{Picture, html_path, render, render_html, write_html, write_html_temp};
pub use record::Record;
pub use search::KeyVerdict;
pub use timeline::{Annotation, RoleChange, Timeline};
