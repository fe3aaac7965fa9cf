//! KV throughput and latency in virtual time: runs the kv_bench scenario runner (tests/src/bin) once per
//! (network, clients) pair, so each pair gets its own wall time and peak RSS, and keeps its JSON line.

use super::process::{self, Exit};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The client counts and networks the issue asks for.
pub const CLIENTS: &[usize] = &[1, 5, 20, 100];
pub const NETWORKS: &[&str] = &["reliable", "unreliable"];

/// How each scenario is sized.
#[derive(Clone, Copy, Debug)]
pub struct KvSettings {
    pub first_seed: u64,
    pub seeds: u64,
    /// Virtual seconds of load per run, at most.
    pub duration_s: u64,
    /// Operations per run, at most (the window closes early when they are done).
    pub max_ops: u64,
}

/// One (network, clients) pair: kv_bench's summary plus what the process cost.
#[derive(Clone, Debug)]
pub struct KvRun {
    pub network: String,
    pub clients: usize,
    pub wall_s: f64,
    pub cpu_s: f64,
    pub max_rss_kib: u64,
    pub exit: Exit,
    /// kv_bench's JSON line (None if it printed none).
    pub summary: Option<Value>,
    pub stderr_tail: Option<String>,
}

impl KvRun {
    pub fn ok(&self) -> bool {
        self.exit.success()
            && self
                .summary
                .as_ref()
                .is_some_and(|s| s["failed_seeds"] == 0)
    }

    /// A number from kv_bench's summary, by JSON pointer (e.g. `/latency_ms/p99`).
    pub fn num(&self, pointer: &str) -> Option<f64> {
        self.summary.as_ref()?.pointer(pointer)?.as_f64()
    }
}

pub fn run(
    exe: &Path,
    network: &str,
    clients: usize,
    settings: KvSettings,
    cwd: &Path,
    limit: Duration,
) -> Result<KvRun, String> {
    let mut cmd = Command::new(exe);
    cmd.current_dir(cwd)
        .args(["--network", network])
        .args(["--clients", &clients.to_string()])
        .args(["--seed", &settings.first_seed.to_string()])
        .args(["--seeds", &settings.seeds.to_string()])
        .args(["--duration", &settings.duration_s.to_string()])
        .args(["--max-ops", &settings.max_ops.to_string()])
        .env_remove("RAFT_LAB_TRACE")
        .env_remove("RUST_LOG");
    let f = process::run(&mut cmd, limit)?;
    let summary = f
        .lines
        .iter()
        .rev()
        .find_map(|(_, l)| serde_json::from_str::<Value>(l).ok());
    let mut run = KvRun {
        network: network.to_string(),
        clients,
        wall_s: f.wall.as_secs_f64(),
        cpu_s: (f.user + f.sys).as_secs_f64(),
        max_rss_kib: f.max_rss_kib,
        exit: f.exit,
        summary,
        stderr_tail: None,
    };
    if !run.ok() {
        let lines: Vec<&str> = f.stderr.lines().collect();
        run.stderr_tail = Some(lines[lines.len().saturating_sub(20)..].join("\n"));
    }
    Ok(run)
}
