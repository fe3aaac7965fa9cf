//! The pieces of `scripts/bench` (src/bin/bench.rs): building, running and timing the lab suites and
//! kv_bench, counting trace events, profiling with perf, and writing the report.

pub mod build;
pub mod events;
pub mod go_times;
pub mod kv;
pub mod machine;
pub mod parse;
pub mod process;
pub mod profile;
pub mod report;
pub mod stats;
pub mod suites;
pub mod table;
