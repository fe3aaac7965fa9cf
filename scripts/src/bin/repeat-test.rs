//! `repeat-test [--edition 2023|2026|all] [-n RUNS] [-j JOBS] [--seed START] [--shard K/N] [--timeout SECS] [TEST...]`
//!
//! Runs each selected lab test with RUNS consecutive seeds, each (test, seed) in its own process,
//! JOBS at a time; saves every run's output; ends with a table, the failures with their replay
//! commands, and the line `N passed, M failed`. Exits 1 if any run failed or timed out. With
//! `--report DIR` it also writes the results as files for CI.

use clap::Parser;
use raft_lab_scripts::edition::EditionChoice;
use raft_lab_scripts::prepare::prepare;
use raft_lab_scripts::progress::{Progress, human};
use raft_lab_scripts::run::{self, RunResult, RunSpec};
use raft_lab_scripts::select::{Scope, TestId};
use raft_lab_scripts::shard::Shard;
use raft_lab_scripts::stats::{self, TestStats};
use raft_lab_scripts::sweep_report::{self, Report, RunRow};
use raft_lab_scripts::{outcome, workspace};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(
    name = "repeat-test",
    about = "Run raft-lab tests over many seeds in parallel, each run replayable",
    after_help = "TEST is a test name (initial_election_3a), a target (raft_3b) or a part. Parts of the \
                  2026 edition: 2, 3A..3D, 4A..4C, 5A..5C; of the 2023 edition: 2A..2D, 3A, 3B. A part \
                  only one edition has is that edition's; 3A and 3B are read in --edition (default \
                  2026). No TEST means every lab test of the edition.\nExit status: 0 all passed, 1 \
                  some run failed or timed out, 2 bad arguments, 3 the tests did not build."
)]
struct Args {
    /// Which edition of the course part names and "every lab test" mean: 2023, 2026 (the default)
    /// or all (no TEST then means every lab test of both).
    #[arg(long, value_name = "YEAR")]
    edition: Option<EditionChoice>,
    /// Seeds per test.
    #[arg(short = 'n', long = "runs", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    runs: u64,
    /// Runs at a time (default: the number of cores).
    #[arg(short = 'j', long = "jobs", value_parser = clap::value_parser!(u64).range(1..))]
    jobs: Option<u64>,
    /// First seed; a test runs with seeds START, START+1, ...
    #[arg(long = "seed", default_value_t = 1)]
    seed: u64,
    /// Run only shard K of N (pairs i with i % N == K-1), to split a sweep across machines.
    #[arg(long = "shard", value_name = "K/N")]
    shard: Option<Shard>,
    /// Wall-clock limit per run, in seconds; a run past it is killed and counted as failed.
    #[arg(long = "timeout", value_name = "SECS", default_value = "600", value_parser = run::parse_timeout)]
    timeout: Duration,
    /// Also write the results as files into DIR, for CI (report.json, failures.tsv and the failed
    /// runs' logs; `sweep-summary` merges the reports of many shards).
    #[arg(long = "report", value_name = "DIR")]
    report: Option<PathBuf>,
    /// Tests, targets or parts to run.
    #[arg(value_name = "TEST")]
    tests: Vec<String>,
}

/// One run finished: which pair, and how it went.
struct Finished {
    pair: usize,
    result: RunResult,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(last_seed) = args.seed.checked_add(args.runs - 1) else {
        eprintln!("repeat-test: --seed + -n overflows");
        return ExitCode::from(raft_lab_scripts::EXIT_USAGE as u8);
    };
    let scope = Scope::from_choice(args.edition);
    for line in scope.describe(&args.tests) {
        eprintln!("repeat-test: {line}");
    }
    let prepared = match prepare(&args.tests, scope) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("repeat-test: {}", e.message());
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let log_dirs = log_dirs(&prepared.tests);

    // Every (test, seed) pair in a fixed order, then this shard's share of them.
    let pairs: Vec<(usize, u64)> = (0..prepared.tests.len())
        .flat_map(|t| (args.seed..=last_seed).map(move |s| (t, s)))
        .enumerate()
        .filter(|(i, _)| args.shard.is_none_or(|sh| sh.keeps(*i)))
        .map(|(_, p)| p)
        .collect();
    let specs: Vec<RunSpec> = pairs
        .iter()
        .map(|&(t, seed)| {
            let id = &prepared.tests[t];
            RunSpec {
                exe: prepared
                    .target(&id.target)
                    .map(|t| t.exe.clone())
                    .unwrap_or_default(),
                test: id.name.clone(),
                seed,
                log: run::log_path(&log_dirs[t], seed),
                timeout: args.timeout,
                trace: None,
            }
        })
        .collect();
    let jobs = args
        .jobs
        .map(|j| j as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    eprintln!(
        "repeat-test: {} test(s) x {} seed(s) from {}{} = {} runs, {} at a time",
        prepared.tests.len(),
        args.runs,
        args.seed,
        args.shard
            .map(|s| format!(", shard {s}"))
            .unwrap_or_default(),
        specs.len(),
        jobs
    );

    let started = Instant::now();
    let mut progress = Progress::new(specs.len(), std::io::stderr().is_terminal());
    let mut results: Vec<Option<RunResult>> = vec![None; specs.len()];
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<Finished>();
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(specs.len()) {
            let tx = tx.clone();
            let (next, specs) = (&next, &specs);
            scope.spawn(move || {
                loop {
                    let pair = next.fetch_add(1, Ordering::Relaxed);
                    let Some(spec) = specs.get(pair) else { break };
                    let result = run::run_one(spec);
                    if tx.send(Finished { pair, result }).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for Finished { pair, result } in rx {
            let spec = &specs[pair];
            let line = (!result.passed()).then(|| {
                format!(
                    "FAILED {} seed {}: {} (log {})",
                    spec.test,
                    spec.seed,
                    result.reason(),
                    workspace::display_path(&spec.log)
                )
            });
            progress.record(result.passed(), line);
            results[pair] = Some(result);
        }
    });
    progress.finish();

    // The closing report, on stdout.
    let mut per_test: Vec<TestStats> = prepared
        .tests
        .iter()
        .map(|id| TestStats {
            test: id.name.clone(),
            ..TestStats::default()
        })
        .collect();
    let mut failures = Vec::new();
    for (&(t, _), (spec, result)) in pairs.iter().zip(specs.iter().zip(&results)) {
        let Some(result) = result else { continue };
        let row = &mut per_test[t];
        row.runs += 1;
        row.wall.push(result.wall.as_secs_f64());
        if let Some(r) = &result.report {
            row.virtual_time.push(r.virtual_secs);
        }
        if !result.passed() {
            row.failures += 1;
            failures.push((&prepared.tests[t], spec, result));
        }
    }
    per_test.retain(|r| r.runs > 0);
    print!("{}", stats::table(&per_test));
    if !failures.is_empty() {
        let replay_tool = workspace::display_path(&workspace::root().join("scripts/replay"));
        println!("\nFailures:");
        for (id, spec, result) in &failures {
            println!("  {} seed {}: {}", id.name, spec.seed, result.reason());
            println!("    log:    {}", workspace::display_path(&spec.log));
            println!(
                "    replay: {}",
                workspace::in_root(&run::replay_command(&id.target, &id.name, spec.seed))
            );
            let log = std::fs::read_to_string(&spec.log).unwrap_or_default();
            if let Some(picture) = outcome::find_picture(&log) {
                let picture = workspace::display_path(std::path::Path::new(&picture));
                println!("    picture: {picture}");
            }
            println!("    trace:  {replay_tool} {} {}", id.name, spec.seed);
        }
    }
    if let Some(dir) = &args.report {
        let dir = workspace::user_path(dir);
        match write_report(&dir, &args, &prepared.tests, &pairs, &specs, &results) {
            Ok(()) => eprintln!("repeat-test: report in {}", workspace::display_path(&dir)),
            Err(e) => eprintln!("repeat-test: {e}"),
        }
    }
    let failed = failures.len();
    let passed = results.iter().flatten().count() - failed;
    eprintln!("repeat-test: finished in {}", human(started.elapsed()));
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Writes the sweep's results into `dir` (see `sweep_report`).
fn write_report(
    dir: &std::path::Path,
    args: &Args,
    tests: &[TestId],
    pairs: &[(usize, u64)],
    specs: &[RunSpec],
    results: &[Option<RunResult>],
) -> Result<(), String> {
    let mut report = Report {
        shard: args.shard.map(|s| s.to_string()),
        runs: Vec::new(),
    };
    let mut logs = Vec::new();
    let log_root = workspace::output_dir("repeat-test");
    for ((&(t, seed), spec), result) in pairs.iter().zip(specs).zip(results) {
        let Some(result) = result else { continue };
        let id = &tests[t];
        let passed = result.passed();
        report.runs.push(RunRow {
            test: id.name.clone(),
            target: id.target.clone(),
            seed,
            passed,
            wall_s: result.wall.as_secs_f64(),
            virtual_s: result.report.as_ref().map(|r| r.virtual_secs),
            reason: (!passed).then(|| result.reason()),
            replay: (!passed).then(|| run::replay_command(&id.target, &id.name, seed)),
        });
        if !passed {
            let name = spec.log.strip_prefix(&log_root).unwrap_or(&spec.log);
            logs.push((spec.log.clone(), name.to_path_buf()));
        }
    }
    sweep_report::write(dir, &report, &logs)
}

/// Each test's log folder: `<root>/target/repeat-test/<test>` (with the target's name in front if two
/// selected targets hold a test of the same name).
fn log_dirs(tests: &[TestId]) -> Vec<PathBuf> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for t in tests {
        *count.entry(&t.name).or_default() += 1;
    }
    let base = workspace::output_dir("repeat-test");
    tests
        .iter()
        .map(|t| {
            let dir = t.name.replace("::", "__");
            if count[t.name.as_str()] > 1 {
                base.join(format!("{}-{dir}", t.target))
            } else {
                base.join(dir)
            }
        })
        .collect()
}
