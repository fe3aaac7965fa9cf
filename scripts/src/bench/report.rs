//! The benchmark's output: a table on the terminal, `report.json` (everything, for tools) and
//! `report.md` (the tables, the targets and the profile, for people).

use super::go_times;
use super::kv::KvRun;
use super::machine::Machine;
use super::profile::{Profile, Share};
use super::stats::{SuiteStats, ratio};
use super::suites::SuiteRun;
use super::table::{Table, count, num, rate};
use raft_lab_scripts::edition::Edition;
use serde_json::{Value, json};
use std::path::Path;

/// The targets: wall time of one seed of an edition's whole suite on one core, and peak RSS.
pub fn suite_wall_target_s(edition: Edition) -> f64 {
    match edition {
        Edition::Y2023 => 10.0,
        Edition::Y2026 => 15.0,
    }
}
pub const RSS_TARGET_MB: f64 = 200.0;

/// Everything one benchmark run produced.
pub struct Report {
    pub machine: Machine,
    pub settings: Value,
    pub suites: Vec<SuiteStats>,
    pub runs: Vec<SuiteRun>,
    pub kv: Vec<KvRun>,
    pub profiles: Vec<Profile>,
    /// Things the reader should know (skipped parts, failures, caveats).
    pub notes: Vec<String>,
}

impl Report {
    pub fn suite_table(&self) -> Table {
        let mut t = Table::new(&[
            "suite",
            "tests",
            "seeds ok",
            "wall s",
            "CPU s",
            "virtual s",
            "speed-up",
            "RPCs",
            "RPCs/wall s",
            "events",
            "events/wall s",
            "peak RSS MiB",
            "Go s",
            "Go ÷ ours",
        ]);
        for s in &self.suites {
            t.row(vec![
                s.target.clone(),
                s.tests.to_string(),
                format!("{}/{}", s.seeds_ok, s.seeds),
                num(Some(s.wall_mean), 2),
                num(Some(s.cpu_mean), 2),
                num(Some(s.virtual_mean), 1),
                speedup(s.speedup()),
                count(Some(s.rpcs_mean)),
                rate(s.rpcs_per_wall_s()),
                count(s.events.map(|e| e as f64)),
                rate(s.events_per_wall_s),
                num(Some(s.max_rss_mib), 1),
                num(s.go_secs, 1),
                speedup(s.go_ratio()),
            ]);
        }
        // One total per edition: the numbers the issues' targets are about.
        for edition in Edition::ALL {
            let names = edition.targets();
            let of: Vec<&SuiteStats> = self
                .suites
                .iter()
                .filter(|s| names.contains(&s.target.as_str()))
                .collect();
            if of.len() > 1 {
                t.row(total_row(&format!("{edition} edition"), &of));
            }
        }
        t
    }

    pub fn test_table(&self) -> Table {
        let mut t = Table::new(&[
            "test",
            "wall s",
            "virtual s",
            "speed-up",
            "RPCs",
            "bytes",
            "events",
            "Go s",
            "Go ÷ ours",
            "failed",
        ]);
        for s in &self.suites {
            for p in &s.per_test {
                t.row(vec![
                    format!("{}::{}", s.target, p.test),
                    num(Some(p.wall_mean), 3),
                    num(Some(p.virtual_mean), 1),
                    speedup(p.speedup()),
                    count(Some(p.rpcs_mean)),
                    count(p.bytes_mean),
                    count(p.events.map(|e| e as f64)),
                    num(p.go_secs, 2),
                    speedup(p.go_ratio()),
                    if p.failures == 0 {
                        String::new()
                    } else {
                        format!("{}/{}", p.failures, p.runs)
                    },
                ]);
            }
        }
        t
    }

    pub fn kv_table(&self) -> Table {
        let mut t = Table::new(&[
            "network",
            "clients",
            "ops",
            "ops/virtual s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "wrong reads",
            "wall s",
            "events/wall s",
            "peak RSS MiB",
        ]);
        for k in &self.kv {
            let events = k.num("/trace_events");
            t.row(vec![
                k.network.clone(),
                k.clients.to_string(),
                count(k.num("/ops")),
                rate(k.num("/ops_per_s")),
                num(k.num("/latency_ms/p50"), 3),
                num(k.num("/latency_ms/p99"), 3),
                num(k.num("/latency_ms/max"), 3),
                count(k.num("/wrong_reads")),
                num(Some(k.wall_s), 2),
                rate(events.and_then(|e| ratio(e, k.wall_s))),
                num(Some(k.max_rss_kib as f64 / 1024.0), 1),
            ]);
        }
        t
    }

    /// The targets, each with what was measured.
    fn targets(&self) -> Vec<String> {
        let mut out = Vec::new();
        let names: Vec<&str> = self.suites.iter().map(|s| s.target.as_str()).collect();
        for edition in Edition::ALL {
            let all = edition.targets();
            let timed: Vec<&SuiteStats> = self
                .suites
                .iter()
                .filter(|s| all.contains(&s.target.as_str()))
                .collect();
            if timed.is_empty() {
                continue;
            }
            let wall: f64 = timed.iter().map(|s| s.wall_mean).sum();
            let target = suite_wall_target_s(edition);
            let missing: Vec<&str> = all.iter().copied().filter(|t| !names.contains(t)).collect();
            out.push(format!(
                "The {edition} edition's full suite for one seed ≤ {target} s wall on one core: \
                 {wall:.2} s ({}){}",
                verdict(wall <= target),
                if missing.is_empty() {
                    String::new()
                } else {
                    format!(" — without {}", missing.join(", "))
                }
            ));
        }
        if !self.suites.is_empty() {
            let rss = self
                .suites
                .iter()
                .map(|s| (s.max_rss_mib, s.target.as_str()))
                .fold((0.0, ""), |a, b| if b.0 > a.0 { b } else { a });
            // MiB to MB: the target is in MB.
            let rss_mb = rss.0 * 1.048_576;
            out.push(format!(
                "Peak RSS of a suite ≤ {RSS_TARGET_MB} MB: {rss_mb:.1} MB, in {} ({})",
                rss.1,
                verdict(rss_mb <= RSS_TARGET_MB)
            ));
        }
        if let Some(k) = self
            .kv
            .iter()
            .find(|k| k.clients == 1 && k.network == "reliable")
        {
            out.push(format!(
                "Speed3A (one client, reliable): mean {} ms, p99 {} ms of virtual time per op; \
                 labrpc delivers instantly on a reliable network, so the target (≤ one round trip \
                 + 5 ms) is about Raft not waiting for a heartbeat to replicate",
                num(k.num("/latency_ms/mean"), 3),
                num(k.num("/latency_ms/p99"), 3)
            ));
        }
        if let Some(speed) = self
            .suites
            .iter()
            .flat_map(|s| s.per_test.iter())
            .find(|t| t.test == "speed_3a")
        {
            out.push(format!(
                "speed_3a test: {} s of virtual time in total",
                num(Some(speed.virtual_mean), 2)
            ));
        }
        out
    }

    pub fn print(&self) {
        println!();
        println!("Lab suites — {}", self.machine.describe());
        print!("{}", self.suite_table().text());
        if !self.kv.is_empty() {
            println!();
            println!("KV throughput and latency (virtual time)");
            print!("{}", self.kv_table().text());
        }
        for p in &self.profiles {
            println!();
            println!("Profile of {}::{} (self time)", p.target, p.test);
            for s in p.self_time.iter().take(6) {
                println!("  {:5.1}%  {}", s.percent, short(&s.symbol, 110));
            }
        }
        println!();
        for line in self.targets() {
            println!("{line}");
        }
        for n in &self.notes {
            println!("note: {n}");
        }
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        md.push_str("# raft-lab benchmark\n\n");
        md.push_str(&format!("Machine: {}.\n\n", self.machine.describe()));
        md.push_str(&format!(
            "Settings: `{}`.\n\n",
            serde_json::to_string(&self.settings).unwrap_or_default()
        ));
        md.push_str("## Lab suites\n\n");
        md.push_str(
            "One process per (suite, seed), tests one after another (`--test-threads=1`): *wall s* \
             is the process's mean wall time over the seeds, *CPU s* its user+system time, *virtual s* \
             the simulated time its tests covered, *speed-up* = virtual ÷ wall. *RPCs* are the \
             tester's counts (its `Passed` lines). *events* are trace events (sim::trace) of the \
             first seed's run, counted in a separate run of that seed (same trace digest), and \
             *events/wall s* divides them by that seed's timed wall time. *Go s* is the Go suite's \
             real time: for the 2023 suites column A (Raft) or D (kvraft) of \
             docs/lab-tests-2023.md §6, for the current edition's the course's published sample \
             runs (suite totals only); *Go ÷ ours* = Go s ÷ wall s. The *edition* rows sum one seed \
             of each of the edition's suites.\n\n",
        );
        md.push_str(&self.suite_table().markdown());
        md.push_str("\n### Targets\n\n");
        for line in self.targets() {
            md.push_str(&format!("- {line}\n"));
        }
        if !self.kv.is_empty() {
            md.push_str("\n## KV throughput and latency (virtual time)\n\n");
            md.push_str(
                "`kv_bench` (tests/src/bin/kv_bench.rs): 5 kvraft replicas on labrpc (long delays on, \
                 like the lab's KV tester), each client a closed loop of Append then Get on keys only \
                 it writes, measured from the first answered request until the op budget or the \
                 virtual time limit runs out. Latencies are virtual milliseconds, pooled over seeds. \
                 *wrong reads* counts Gets that did not return exactly the client's appends.\n\n",
            );
            md.push_str(&self.kv_table().markdown());
        }
        md.push_str("\n## Per test\n\n");
        md.push_str(
            "A test's wall time is the time between its verdict line and the previous one (the first \
             includes process start-up).\n\n",
        );
        md.push_str(&self.test_table().markdown());
        for p in &self.profiles {
            md.push_str(&format!(
                "\n## Profile: {}::{} (seed {}, perf, {} samples)\n\n",
                p.target,
                p.test,
                p.seed,
                p.samples.map_or("?".into(), |s| format!("~{s}"))
            ));
            md.push_str("Self time:\n\n");
            push_symbol_table(&mut md, &p.self_time);
            md.push_str("\nInclusive time of raft-lab's functions (and bincode, tracing):\n\n");
            push_symbol_table(&mut md, &p.inclusive);
        }
        if !self.notes.is_empty() {
            md.push_str("\n## Notes\n\n");
            for n in &self.notes {
                md.push_str(&format!("- {n}\n"));
            }
        }
        md.push_str(&format!(
            "\nGo columns: 2023 Raft {}, 2023 kvraft {}; current edition: {}.\n",
            go_times::column("raft_2a"),
            go_times::column("kv_3a"),
            go_times::column("kv_4b")
        ));
        md
    }

    pub fn json(&self) -> Value {
        json!({
            "machine": self.machine.to_json(),
            "settings": self.settings,
            "suites": self.suites.iter().map(suite_json).collect::<Vec<_>>(),
            "runs": self.runs.iter().map(run_json).collect::<Vec<_>>(),
            "kv": self.kv.iter().map(|k| json!({
                "network": k.network,
                "clients": k.clients,
                "wall_s": k.wall_s,
                "cpu_s": k.cpu_s,
                "max_rss_kib": k.max_rss_kib,
                "exit": k.exit.to_string(),
                "ok": k.ok(),
                "summary": k.summary,
                "stderr_tail": k.stderr_tail,
            })).collect::<Vec<_>>(),
            "profiles": self.profiles.iter().map(|p| json!({
                "target": p.target,
                "test": p.test,
                "seed": p.seed,
                "samples": p.samples,
                "self": p.self_time.iter().map(|s| json!({"percent": s.percent, "symbol": s.symbol})).collect::<Vec<_>>(),
                "inclusive": p.inclusive.iter().map(|s| json!({"percent": s.percent, "symbol": s.symbol})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "targets": self.targets(),
            "notes": self.notes,
        })
    }

    /// Writes report.json and report.md into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let json = serde_json::to_string_pretty(&self.json()).map_err(|e| e.to_string())?;
        for (name, text) in [("report.json", json), ("report.md", self.markdown())] {
            let path = dir.join(name);
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(())
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

fn speedup(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() && v >= 100.0 => format!("{v:.0}×"),
        Some(v) if v.is_finite() => format!("{v:.1}×"),
        _ => "–".into(),
    }
}

/// A `| % | symbol |` table of profile shares.
fn push_symbol_table(md: &mut String, shares: &[Share]) {
    md.push_str("| % | symbol |\n|---:|---|\n");
    for s in shares {
        md.push_str(&format!(
            "| {:.1} | `{}` |\n",
            s.percent,
            short(&s.symbol, 160)
        ));
    }
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

fn suite_json(s: &SuiteStats) -> Value {
    json!({
        "target": s.target,
        "tests": s.tests,
        "seeds": s.seeds,
        "seeds_ok": s.seeds_ok,
        "wall_s": {"mean": s.wall_mean, "min": s.wall_min, "max": s.wall_max},
        "cpu_s_mean": s.cpu_mean,
        "virtual_s_mean": s.virtual_mean,
        "speedup": s.speedup(),
        "rpcs_mean": s.rpcs_mean,
        "rpcs_per_wall_s": s.rpcs_per_wall_s(),
        "bytes_mean": s.bytes_mean,
        "trace_events_first_seed": s.events,
        "trace_events_per_wall_s": s.events_per_wall_s,
        "max_rss_mib": s.max_rss_mib,
        "go_secs": s.go_secs,
        "go_tests": s.go_tests,
        "go_ratio": s.go_ratio(),
        "per_test": s.per_test.iter().map(|p| json!({
            "test": p.test,
            "runs": p.runs,
            "failures": p.failures,
            "wall_s_mean": p.wall_mean,
            "virtual_s_mean": p.virtual_mean,
            "speedup": p.speedup(),
            "rpcs_mean": p.rpcs_mean,
            "bytes_mean": p.bytes_mean,
            "trace_events_first_seed": p.events,
            "go_secs": p.go_secs,
            "go_ratio": p.go_ratio(),
        })).collect::<Vec<_>>(),
    })
}

fn run_json(r: &SuiteRun) -> Value {
    json!({
        "target": r.target,
        "seed": r.seed,
        "ok": r.ok(),
        "exit": r.exit.to_string(),
        "wall_s": r.wall_s,
        "cpu_s": r.cpu_s,
        "max_rss_kib": r.max_rss_kib,
        "stderr_tail": r.stderr_tail,
        "tests": r.tests.iter().map(|t| json!({
            "test": t.test,
            "ok": t.ok,
            "virtual_s": t.virtual_s,
            "wall_s": t.wall_s,
            "digest": t.digest,
            "message": t.message,
            "secs": t.counters.map(|c| c.secs),
            "peers": t.counters.map(|c| c.peers),
            "rpcs": t.counters.map(|c| c.rpcs),
            "bytes": t.counters.and_then(|c| c.bytes),
            "ops": t.counters.map(|c| c.ops),
        })).collect::<Vec<_>>(),
    })
}

/// The sums of some suites, one seed of each: wall and CPU time, virtual time, RPCs, the Go
/// suites' time; the peak RSS is the largest of them.
fn total_row(label: &str, suites: &[&SuiteStats]) -> Vec<String> {
    let wall: f64 = suites.iter().map(|s| s.wall_mean).sum();
    let virt: f64 = suites.iter().map(|s| s.virtual_mean).sum();
    let rpcs: f64 = suites.iter().map(|s| s.rpcs_mean).sum();
    let go: f64 = suites.iter().filter_map(|s| s.go_secs).sum();
    let go_wall: f64 = suites
        .iter()
        .filter(|s| s.go_secs.is_some())
        .map(|s| s.wall_mean)
        .sum();
    vec![
        label.to_string(),
        suites.iter().map(|s| s.tests).sum::<usize>().to_string(),
        String::new(),
        num(Some(wall), 2),
        num(Some(suites.iter().map(|s| s.cpu_mean).sum()), 2),
        num(Some(virt), 1),
        speedup(ratio(virt, wall)),
        count(Some(rpcs)),
        rate(ratio(rpcs, wall)),
        String::new(),
        String::new(),
        num(
            Some(suites.iter().map(|s| s.max_rss_mib).fold(0.0, f64::max)),
            1,
        ),
        num(Some(go), 1),
        speedup(ratio(go, go_wall)),
    ]
}
