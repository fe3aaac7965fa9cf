//! `scripts/bench`: how fast the simulated lab suites run against real time, and what the KV service
//! does in virtual time.
//!
//! For every lab target and seed it runs the suite's test executable once (tests one after another)
//! and records wall time, CPU time, virtual time covered, the tester's RPC counts and the process's
//! peak RSS; counts trace events in one extra run per suite; runs kv_bench for 1, 5, 20 and 100
//! clients on a reliable and an unreliable network; profiles the slowest Raft tests with perf when it
//! is available; compares with the real time of the MIT Go suites; prints a table and writes
//! `target/bench/report.json` and `target/bench/report.md`.

#[path = "../bench/mod.rs"]
mod bench;

use bench::kv::{self, KvSettings};
use bench::machine::Machine;
use bench::report::Report;
use bench::{build, events, profile, stats, suites};
use clap::Parser;
use raft_lab_scripts::edition::Edition;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// The lab's test targets of `edition` (both editions when none), in order.
fn lab_targets(edition: Option<Edition>) -> Vec<&'static str> {
    let editions = edition.map_or(Edition::ALL.to_vec(), |e| vec![e]);
    editions.into_iter().flat_map(Edition::targets).collect()
}

/// Profiled when no `--profile` is given: the Raft test that moves the most bytes and the KV tests
/// that do the most operations.
const DEFAULT_PROFILES: &[&str] = &[
    "raft_2c::figure8_unreliable_2c",
    "kv_3a::concurrent_3a",
    "kv_3b::snapshot_recover_many_clients_3b",
];

const EXIT_FAILED: i32 = 1;
const EXIT_USAGE: i32 = 2;
const EXIT_SETUP: i32 = 3;

#[derive(Parser, Debug)]
#[command(
    about = "Benchmarks raft-lab: suite wall time vs virtual time and vs the Go suites, RPC and event \
             rates, peak RSS, KV throughput and latency in virtual time, and a perf profile"
)]
struct Args {
    /// Seeds per lab suite.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    seeds: u64,
    /// The first seed (seeds are consecutive).
    #[arg(long, default_value_t = 1)]
    first_seed: u64,
    /// Time only this edition's suites: 2023 or 2026 (default: both).
    #[arg(long, value_name = "YEAR")]
    edition: Option<Edition>,
    /// Lab targets to time, comma-separated (default: every lab target of the edition that exists).
    #[arg(long, value_delimiter = ',')]
    targets: Vec<String>,
    /// Skip the KV throughput and latency scenarios.
    #[arg(long)]
    skip_kv: bool,
    /// Seeds per KV scenario (latencies are pooled over them).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    kv_seeds: u64,
    /// Virtual seconds of load per KV run, at most.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    kv_duration: u64,
    /// Operations per KV run, at most (on a reliable network an op takes a few milliseconds of
    /// virtual time, Raft's batch window, so with many clients the budget ends those runs).
    #[arg(long, default_value_t = 4000, value_parser = clap::value_parser!(u64).range(1..))]
    kv_max_ops: u64,
    /// Build and time the release profile instead of the one `cargo test` uses.
    #[arg(long)]
    release: bool,
    /// Skip counting trace events (one extra, traced run per suite).
    #[arg(long)]
    no_events: bool,
    /// A test to profile with perf, as TARGET::TEST; repeatable (default: figure8_unreliable_2c,
    /// concurrent_3a and snapshot_recover_many_clients_3b).
    #[arg(long = "profile", value_name = "TARGET::TEST")]
    profile: Vec<String>,
    /// Skip the perf profile.
    #[arg(long)]
    no_profile: bool,
    /// Wall-clock limit for each process, in seconds.
    #[arg(long, default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
    /// Directory for report.json and report.md (default: `target/bench` in the checkout).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => {}
        Ok(false) => std::process::exit(EXIT_FAILED),
        Err((code, message)) => {
            eprintln!("bench: {message}");
            std::process::exit(code);
        }
    }
}

/// The suites to time, and the tests to profile as (target, test name).
type Selections = (Vec<String>, Vec<(String, String)>);

/// Validated selections, or a usage error.
fn selections(args: &Args) -> Result<Selections, String> {
    let lab = lab_targets(args.edition);
    for t in &args.targets {
        if !lab.contains(&t.as_str()) {
            return Err(format!(
                "unknown target {t:?}; the lab targets are {}",
                lab.join(", ")
            ));
        }
    }
    if args.first_seed.checked_add(args.seeds).is_none() {
        return Err("--first-seed + --seeds overflows".into());
    }
    let targets: Vec<String> = if args.targets.is_empty() {
        lab.iter().map(|t| t.to_string()).collect()
    } else {
        lab.iter()
            .filter(|t| args.targets.iter().any(|a| a == *t))
            .map(|t| t.to_string())
            .collect()
    };
    let specs: Vec<&str> = if args.profile.is_empty() {
        DEFAULT_PROFILES.to_vec()
    } else {
        args.profile.iter().map(String::as_str).collect()
    };
    let profiles = specs
        .iter()
        .map(|s| {
            s.split_once("::")
                .filter(|(t, n)| lab_targets(None).contains(t) && !n.is_empty())
                .map(|(t, n)| (t.to_string(), n.to_string()))
                .ok_or_else(|| {
                    format!("--profile {s:?}: expected TARGET::TEST, e.g. raft_2c::figure8_2c")
                })
        })
        .collect::<Result<_, _>>()?;
    Ok((targets, profiles))
}

fn run(args: &Args) -> Result<bool, (i32, String)> {
    let (wanted, profile_specs) = selections(args).map_err(|e| (EXIT_USAGE, e))?;
    let limit = Duration::from_secs(args.timeout);
    let root = raft_lab_scripts::workspace::root();
    let tests_dir = root.join("tests");
    let out = args.out.as_deref().map_or_else(
        || raft_lab_scripts::workspace::output_dir("bench"),
        raft_lab_scripts::workspace::user_path,
    );
    std::fs::create_dir_all(&out)
        .map_err(|e| (EXIT_SETUP, format!("cannot create {}: {e}", out.display())))?;
    let mut notes = Vec::new();

    let (present, absent): (Vec<String>, Vec<String>) =
        wanted.into_iter().partition(|t| build::target_exists(t));
    if !absent.is_empty() {
        notes.push(format!("not written yet, skipped: {}", absent.join(", ")));
    }
    eprintln!("bench: building {} …", present.join(", "));
    let exes: BTreeMap<String, PathBuf> = build::test_executables(&present, args.release)
        .map_err(|e| (EXIT_SETUP, e))?
        .into_iter()
        .collect();

    // The suites, seed by seed.
    let seeds: Vec<u64> = (args.first_seed..args.first_seed + args.seeds).collect();
    let mut runs = Vec::new();
    for (target, exe) in &exes {
        for &seed in &seeds {
            let r =
                suites::run(target, exe, seed, &tests_dir, limit).map_err(|e| (EXIT_SETUP, e))?;
            let virt: f64 = r.tests.iter().map(|t| t.virtual_s).sum();
            eprintln!(
                "bench: {target} seed {seed}: {:.2} s wall, {virt:.1} s virtual, {:.1} MiB peak, {}",
                r.wall_s,
                r.max_rss_kib as f64 / 1024.0,
                if r.ok() {
                    "ok".to_string()
                } else {
                    format!("FAILED ({})", r.exit)
                }
            );
            if !r.ok() {
                let failed: Vec<String> = r
                    .tests
                    .iter()
                    .filter(|t| !t.ok)
                    .map(|t| format!("{}: {}", t.test, t.message.clone().unwrap_or_default()))
                    .collect();
                notes.push(format!(
                    "{target} seed {seed} failed ({}){}{}",
                    r.exit,
                    if failed.is_empty() { "" } else { ": " },
                    failed.join("; ")
                ));
            }
            runs.push(r);
        }
    }

    // Trace events: one traced rerun of the first seed per suite.
    let mut event_counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    if args.no_events {
        notes.push("trace events not counted (--no-events)".into());
    } else {
        for (target, exe) in &exes {
            let seed = args.first_seed;
            match events::count(exe, seed, &tests_dir, &out, limit) {
                Ok(c) => {
                    let timed = runs.iter().find(|r| &r.target == target && r.seed == seed);
                    let same = timed.is_some_and(|r| {
                        r.tests
                            .iter()
                            .all(|t| c.digests.get(&t.test) == Some(&t.digest))
                    });
                    if same {
                        eprintln!(
                            "bench: {target} seed {seed}: {} trace events",
                            c.per_test.values().sum::<u64>()
                        );
                        event_counts.insert(target.clone(), c.per_test);
                    } else {
                        notes.push(format!(
                            "{target}: the traced rerun of seed {seed} had other trace digests than \
                             the timed run, so its event count is not reported"
                        ));
                    }
                }
                Err(e) => notes.push(format!("{target}: trace events not counted: {e}")),
            }
        }
    }

    // KV throughput and latency.
    let mut kv_runs = Vec::new();
    if args.skip_kv {
        notes.push("KV scenarios skipped (--skip-kv)".into());
    } else {
        eprintln!("bench: building kv_bench …");
        let exe = build::kv_bench(args.release).map_err(|e| (EXIT_SETUP, e))?;
        let settings = KvSettings {
            first_seed: args.first_seed,
            seeds: args.kv_seeds,
            duration_s: args.kv_duration,
            max_ops: args.kv_max_ops,
        };
        for network in kv::NETWORKS {
            for &clients in kv::CLIENTS {
                let k = kv::run(&exe, network, clients, settings, &tests_dir, limit)
                    .map_err(|e| (EXIT_SETUP, e))?;
                eprintln!(
                    "bench: kv {network} {clients} clients: {:.2} s wall, {} ops/virtual s, p99 {} ms{}",
                    k.wall_s,
                    k.num("/ops_per_s")
                        .map_or("–".into(), |v| format!("{v:.0}")),
                    k.num("/latency_ms/p99")
                        .map_or("–".into(), |v| format!("{v:.1}")),
                    if k.ok() { "" } else { ", FAILED" }
                );
                if !k.ok() {
                    notes.push(format!(
                        "kv {network} {clients} clients failed ({}): {}",
                        k.exit,
                        k.stderr_tail.clone().unwrap_or_default()
                    ));
                }
                kv_runs.push(k);
            }
        }
    }

    // Profiles.
    let mut profiles = Vec::new();
    if args.no_profile {
        notes.push("no profile (--no-profile)".into());
    } else if let Some(why) = profile::unavailable(&out) {
        notes.push(format!("no profile: {why}"));
    } else {
        for (target, test) in &profile_specs {
            let Some(exe) = exes.get(target) else {
                notes.push(format!(
                    "no profile of {target}::{test}: {target} was not built"
                ));
                continue;
            };
            eprintln!("bench: profiling {target}::{test} with perf …");
            match profile::profile(target, test, exe, args.first_seed, &tests_dir, &out) {
                Ok(p) if p.self_time.is_empty() => notes.push(format!(
                    "profile of {target}::{test} has no samples (no such test?)"
                )),
                Ok(p) => profiles.push(p),
                Err(e) => notes.push(e),
            }
        }
    }

    let suites_stats = exes
        .keys()
        .map(|target| {
            let of_target: Vec<_> = runs
                .iter()
                .filter(|r| &r.target == target)
                .cloned()
                .collect();
            stats::suite(target, &of_target, event_counts.get(target))
        })
        .collect();
    let all_ok = runs.iter().all(|r| r.ok()) && kv_runs.iter().all(|k| k.ok());
    let report = Report {
        machine: Machine::probe(),
        settings: json!({
            "seeds": seeds,
            "profile": if args.release { "release" } else { "test (dev: opt-level 1, deps 2)" },
            "test_threads": 1,
            "kv": if args.skip_kv { serde_json::Value::Null } else { json!({
                "seeds": args.kv_seeds,
                "duration_s": args.kv_duration,
                "max_ops": args.kv_max_ops,
                "replicas": 5,
            }) },
        }),
        suites: suites_stats,
        runs,
        kv: kv_runs,
        profiles,
        notes,
    };
    report.print();
    report.write(&out).map_err(|e| (EXIT_SETUP, e))?;
    println!(
        "\nbench: wrote {} and {}",
        out.join("report.json").display(),
        out.join("report.md").display()
    );
    Ok(all_ok)
}
