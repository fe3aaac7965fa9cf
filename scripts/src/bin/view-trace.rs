//! `view-trace FILE [--peers ..] [--topics ..] [--from SECS] [--to SECS] [--width N] [--color WHEN]`
//!
//! Shows a JSON-lines trace (written under `RAFT_LAB_TRACE`, e.g. by `replay`) with one column per node.

use clap::Parser;
use raft_lab_scripts::view_cli::{ViewOptions, show};
use raft_lab_scripts::workspace;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "view-trace",
    about = "Show a raft-lab trace with one column per node, colored by topic"
)]
struct Args {
    /// A JSON-lines trace file (a relative path is taken from the directory you ran view-trace from).
    file: PathBuf,
    #[command(flatten)]
    view: ViewOptions,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match show(&workspace::user_path(&args.file), &args.view) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("view-trace: {e}");
            ExitCode::from(raft_lab_scripts::EXIT_USAGE as u8)
        }
    }
}
