//! `replay TEST SEED [--peers ..] [--topics ..] [--no-view]`
//!
//! Reruns one test with one seed, tracing every event to `target/replay/<test>-<seed>.jsonl`; prints
//! whether it passed and its trace digest (the same as the original run's: the run is deterministic),
//! then shows the trace through the viewer. The run also draws its picture (`RAFT_LAB_PICTURE=always`)
//! into `target/replay/`, and its path is printed. Exits 1 if the run failed.

use clap::Parser;
use raft_lab_scripts::prepare::prepare;
use raft_lab_scripts::run::{self, RunSpec};
use raft_lab_scripts::select::Scope;
use raft_lab_scripts::view_cli::{ViewOptions, show};
use raft_lab_scripts::{EXIT_USAGE, outcome, workspace};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "replay",
    about = "Rerun one raft-lab test with one seed, with its full trace, and show the trace"
)]
struct Args {
    /// The test's name (e.g. initial_election_2a).
    test: String,
    /// The seed to replay.
    seed: u64,
    /// Wall-clock limit for the run, in seconds.
    #[arg(long, value_name = "SECS", default_value = "600", value_parser = run::parse_timeout)]
    timeout: Duration,
    /// Only rerun and save the trace; do not show it.
    #[arg(long)]
    no_view: bool,
    #[command(flatten)]
    view: ViewOptions,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let usage = |msg: String| {
        eprintln!("replay: {msg}");
        ExitCode::from(EXIT_USAGE as u8)
    };
    // Check the viewer options before spending time on a build and a run.
    if let Err(e) = args.view.filter() {
        return usage(e);
    }
    let replay_dir = workspace::output_dir("replay");
    // The rerun draws its picture, pass or fail, beside its log (see tests/src/picture).
    // SAFETY: no other thread runs yet.
    unsafe {
        std::env::set_var("RAFT_LAB_PICTURE", "always");
        std::env::set_var("RAFT_LAB_PICTURE_DIR", &replay_dir);
    }
    // Test names are unique across editions: a replay needs no edition.
    let prepared = match prepare(std::slice::from_ref(&args.test), Scope::from_choice(None)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("replay: {}", e.message());
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let [id] = prepared.tests.as_slice() else {
        let names: Vec<String> = prepared
            .tests
            .iter()
            .map(|t| format!("{} ({})", t.name, t.target))
            .collect();
        return usage(format!(
            "`{}` selects {} tests; name exactly one: {}",
            args.test,
            names.len(),
            names.join(", ")
        ));
    };
    let Some(target) = prepared.target(&id.target) else {
        return usage(format!("target {} was not built", id.target));
    };
    let base = workspace::output_dir("replay").join(format!(
        "{}-{}",
        id.name.replace("::", "__"),
        args.seed
    ));
    let trace = base.with_extension("jsonl");
    let spec = RunSpec {
        exe: target.exe.clone(),
        test: id.name.clone(),
        seed: args.seed,
        log: base.with_extension("log"),
        timeout: args.timeout,
        trace: Some(trace.clone()),
    };
    // A stale trace from an earlier replay must not pass for this one.
    let _ = std::fs::remove_file(&trace);
    let result = run::run_one(&spec);
    match &result.report {
        Some(r) if r.passed => println!(
            "replay: {} seed {} ok in {:.3}s virtual, trace digest {}",
            id.name, args.seed, r.virtual_secs, r.digest
        ),
        Some(r) => println!(
            "replay: {} FAILED with seed {} at {:.3}s virtual, trace digest {}: {}",
            id.name,
            args.seed,
            r.virtual_secs,
            r.digest,
            r.message.as_deref().unwrap_or("")
        ),
        None if result.passed() => println!(
            "replay: {} seed {} passed (it reported no trace digest)",
            id.name, args.seed
        ),
        None => println!(
            "replay: {} FAILED with seed {}: {}",
            id.name,
            args.seed,
            result.reason()
        ),
    }
    println!("replay: output {}", workspace::display_path(&spec.log));
    println!(
        "replay: rerun  {}",
        workspace::in_root(&run::replay_command(&id.target, &id.name, args.seed))
    );
    let log = std::fs::read_to_string(&spec.log).unwrap_or_default();
    if let Some(picture) = outcome::find_picture(&log) {
        println!(
            "replay: picture {}",
            workspace::display_path(std::path::Path::new(&picture))
        );
    }
    if trace.exists() {
        println!("replay: trace  {}", workspace::display_path(&trace));
        if !args.no_view {
            println!();
            if let Err(e) = show(&trace, &args.view) {
                eprintln!("replay: {e}");
            }
        }
    } else {
        println!("replay: the run wrote no trace");
    }
    if result.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
