//! `mutants-report SHARDS_DIR ALLOW_LIST OUT SOURCE`
//!
//! Merges the shards `scripts/mutants --shard K/N` wrote under SHARDS_DIR with the allow-list of
//! equivalent mutants into the Markdown report OUT, and prints its one-line summary; shards cut
//! from another list of mutants than SOURCE (the fingerprint of today's list) are named stale.
//! `scripts/mutants --report` runs it with the project's paths. Exits 0 when no mutant was missed,
//! 1 when some were, 2 on unreadable input.

use clap::Parser;
use raft_lab_scripts::{EXIT_USAGE, mutants_report, workspace};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "mutants-report",
    about = "Merge scripts/mutants' shards into one mutation report"
)]
struct Args {
    /// The directory holding the shard-K-of-N directories.
    shards: PathBuf,
    /// The allow-list of equivalent mutants (`FILE: DESCRIPTION # why` per line).
    allow_list: PathBuf,
    /// Where to write the Markdown report.
    out: PathBuf,
    /// The fingerprint of today's list of mutants (`scripts/mutants` computes it).
    source: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let fail = |e: String| {
        eprintln!("mutants-report: {e}");
        ExitCode::from(EXIT_USAGE as u8)
    };
    let allow_path = workspace::user_path(&args.allow_list);
    let allowed = match std::fs::read_to_string(&allow_path) {
        Ok(text) => match mutants_report::parse_allow_list(&text) {
            Ok(a) => a,
            Err(e) => return fail(format!("{}: {e}", allow_path.display())),
        },
        Err(e) => return fail(format!("cannot read {}: {e}", allow_path.display())),
    };
    let shards = match mutants_report::read_shards(&workspace::user_path(&args.shards), &allowed) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if shards.names.is_empty() {
        return fail("no shard has run yet: scripts/mutants --shard K/N runs one".into());
    }
    let md = mutants_report::render(&shards, &args.source, &allowed);
    let out = workspace::user_path(&args.out);
    if let Err(e) = std::fs::write(&out, md) {
        return fail(format!("cannot write {}: {e}", out.display()));
    }
    let tally = mutants_report::tally(&shards.mutants);
    println!("{}", mutants_report::summary_line(&tally));
    println!("mutants-report: wrote {}", out.display());
    for (name, _) in shards.stale(&args.source) {
        println!("mutants-report: {name} was cut from another list of mutants: rerun it");
    }
    if tally.missed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
