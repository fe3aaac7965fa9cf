//! `sweep-summary [--shards N] REPORT...`
//!
//! Merges the reports `repeat-test --report DIR` wrote for the shards of one sweep (each a directory
//! or its report.json) into one Markdown summary on stdout: a table per test, the failures with their
//! replay commands, the shards that sent no report. CI appends it to the job summary. Exits 0 when
//! every shard reported and every run passed, 1 otherwise, 2 on bad arguments or unreadable reports.

use clap::Parser;
use raft_lab_scripts::{EXIT_USAGE, sweep_report, workspace};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "sweep-summary",
    about = "Merge the shard reports of a repeat-test sweep into one Markdown summary"
)]
struct Args {
    /// The number of shards the sweep was split into: a shard without a report is named.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1000))]
    shards: Option<u64>,
    /// Report directories (or report.json files) written by `repeat-test --report`.
    #[arg(value_name = "REPORT", required = true)]
    reports: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut reports = Vec::new();
    for path in &args.reports {
        match sweep_report::read(&workspace::user_path(path)) {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!("sweep-summary: {e}");
                return ExitCode::from(EXIT_USAGE as u8);
            }
        }
    }
    let (markdown, green) = sweep_report::summary(&reports, args.shards.map(|n| n as usize));
    print!("{markdown}");
    if green {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
