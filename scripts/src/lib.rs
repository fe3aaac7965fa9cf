//! raft-lab's tools that run outside the simulation.
//!
//! They spawn test processes and use real time, which is why they live here and not in the simulated
//! crates. Three binaries sit on this library:
//! - `repeat-test`: runs lab tests over many seeds in parallel and tabulates the outcome;
//! - `replay`: reruns one (test, seed) with a JSON-lines trace and shows it;
//! - `view-trace`: renders such a trace with one column per node.

pub mod cargo;
pub mod edition;
pub mod mutants_report;
pub mod outcome;
pub mod prepare;
pub mod progress;
pub mod run;
pub mod select;
pub mod shard;
pub mod skeleton;
pub mod stats;
pub mod sweep_report;
pub mod targets;
pub mod trace_file;
pub mod view;
pub mod view_cli;
pub mod workspace;

/// Exit code for bad arguments or a selector that names nothing (clap uses 2 as well).
pub const EXIT_USAGE: i32 = 2;
/// Exit code when the tests could not be built or listed.
pub const EXIT_SETUP: i32 = 3;
