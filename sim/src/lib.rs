//! The simulation glue every raft-lab crate runs on. It knows madsim and nothing above it.
//!
//! - [`runner`]: runs a test body on madsim for one or many seeds, prints the replay command the
//!   caller gives on failure, and fails a run that stalls (the `watchdog`).
//! - [`trace`]: a tracing subscriber stamping events with virtual time and node, and a digest of the
//!   ordered event stream that proves two runs were identical; [`activity`]: each node's last event;
//!   [`timeline`]: the annotations and role changes a picture of the run needs.
//! - [`rng`]: extra random streams, derived from the simulation seed only.
//! - [`node`]: creating and killing simulated machines.
//! - [`user_path`]: output paths from the environment, taken from the directory cargo was run from.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

pub mod activity;
pub mod node;
pub mod rng;
pub mod runner;
pub mod timeline;
pub mod trace;
pub mod user_path;
mod watchdog;

pub use runner::run;
