//! KV throughput and latency in virtual time:
//! `cargo run -p raft-lab-tests --bin kv_bench -- [--clients 1,5,20,100] [--network reliable,unreliable]
//! [--seed S] [--seeds K] [--duration SECS]`.
//!
//! For every (clients, network) pair it runs, on madsim and for each seed, a cluster of kvraft
//! replicas on a labrpc network (long delays on, like the lab's KV tester), waits until the service
//! answers, then lets every client Append and Get in a closed loop for a fixed stretch of virtual
//! time. It prints one JSON line per pair: completed operations per virtual second and the latency of
//! each operation in virtual milliseconds (percentiles pooled over all seeds). `scripts/bench` runs it
//! once per pair and folds the lines into its report.
//!
//! Each client appends to and reads back keys only it writes, so every Get has exactly one correct
//! answer; a wrong one is counted in `wrong_reads` (the benchmark is not a linearizability test, but
//! a fast wrong answer should not pass as throughput).

use clap::builder::TypedValueParser as _;
use clap::{Parser, ValueEnum};
use futures::FutureExt;
use labrpc::Network;
use madsim::time::{Instant, sleep_until};
use raft_lab_tests::TestedKv;
use raft_lab_tests::kv_cluster::{KvCluster, KvImpl};
use raftapi::KvClerk;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    about = "KV throughput (ops per virtual second) and latency (virtual ms) of kvraft on madsim"
)]
struct Args {
    /// Client counts to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 5, 20, 100],
        value_parser = clap::value_parser!(u64).range(1..=1000).map(|n| n as usize))]
    clients: Vec<usize>,
    /// Networks to run on, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [NetKind::Reliable, NetKind::Unreliable])]
    network: Vec<NetKind>,
    /// First simulation seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many consecutive seeds to run per pair (latencies are pooled over them).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    seeds: u64,
    /// Virtual seconds of measured load per run (after the service first answers), at most.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    duration: u64,
    /// Operations per run, at most: the window closes early once the clients have completed this
    /// many. On a reliable network labrpc adds no delay, so an op takes microseconds of virtual time
    /// and a 10 s window alone would mean millions of ops of real work.
    #[arg(long, default_value_t = 4000, value_parser = clap::value_parser!(u64).range(1..))]
    max_ops: u64,
    /// Number of kvraft replicas.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=9).map(|n| n as usize))]
    replicas: usize,
    /// Snapshot threshold in bytes of persisted Raft state; negative: never snapshot.
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    maxraftstate: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum NetKind {
    Reliable,
    Unreliable,
}

impl NetKind {
    fn name(self) -> &'static str {
        match self {
            NetKind::Reliable => "reliable",
            NetKind::Unreliable => "unreliable",
        }
    }
}

/// One run's settings.
#[derive(Clone, Copy, Debug)]
struct Scenario {
    clients: usize,
    network: NetKind,
    replicas: usize,
    duration: Duration,
    max_ops: u64,
    maxraftstate: i64,
}

/// What the clients of one run measured.
#[derive(Default, Debug)]
struct Samples {
    /// Latency of each Append / Get completed inside the window, in virtual microseconds.
    append_us: Vec<u64>,
    get_us: Vec<u64>,
    wrong_reads: u64,
    /// Virtual time from the start until the service first answered (elections and all).
    warmup: Duration,
    /// The measured window: from the first answer until the op budget ran out or time was up.
    window: Duration,
    /// Set when the cluster could not be built.
    error: Option<String>,
}

/// Appends per key before a client moves to a fresh key, so values (and Get replies) stay small.
const APPENDS_PER_KEY: u64 = 32;

/// A clerk of the service under test with an enabled end to every replica.
fn new_clerk(cluster: &KvCluster<TestedKv>) -> <TestedKv as KvImpl>::Clerk {
    let (clerk, names) = cluster.make_clerk(false);
    for name in &names {
        cluster.net().enable(name, true);
    }
    clerk
}

/// One client's closed loop: Append then Get on its own key, until the window closes or the clients
/// together have started `max_ops` operations. Only operations that complete inside the window count.
async fn client_loop<C: KvClerk>(
    c: usize,
    clerk: C,
    deadline: Instant,
    budget: (Arc<AtomicU64>, u64),
    out: Arc<Mutex<Samples>>,
) {
    let (started_ops, max_ops) = budget;
    let mut expected = String::new();
    let mut i = 0u64;
    while Instant::now() < deadline && started_ops.fetch_add(1, Ordering::Relaxed) < max_ops {
        let key = format!("c{c}-k{}", i / (2 * APPENDS_PER_KEY));
        if i.is_multiple_of(2 * APPENDS_PER_KEY) {
            expected.clear();
        }
        let started = Instant::now();
        let is_append = i.is_multiple_of(2);
        let wrong = if is_append {
            let value = format!("{c}.{i};");
            clerk.append(&key, &value).await;
            expected.push_str(&value);
            false
        } else {
            clerk.get(&key).await != expected
        };
        let done = Instant::now();
        if done <= deadline {
            let us = (done - started).as_micros() as u64;
            let mut s = out.lock().unwrap_or_else(|e| e.into_inner());
            if is_append {
                s.append_us.push(us);
            } else {
                s.get_us.push(us);
            }
            s.wrong_reads += u64::from(wrong);
        }
        i += 1;
    }
}

/// The simulated run: cluster up, wait for the first answer, then `clients` loops for the window.
async fn run_scenario(sc: Scenario, out: Arc<Mutex<Samples>>) {
    let net = Network::new();
    net.set_reliable(sc.network == NetKind::Reliable);
    net.set_long_delays(true);
    let cluster = KvCluster::<TestedKv>::new(sc.replicas, sc.maxraftstate, net);
    for i in 0..sc.replicas {
        if let Err(e) = cluster.start(i).await {
            out.lock().unwrap_or_else(|e| e.into_inner()).error = Some(e);
            return;
        }
    }
    for i in 0..sc.replicas {
        for j in 0..sc.replicas {
            cluster.set_link(i, j, true);
        }
    }
    let t_start = Instant::now();
    new_clerk(&cluster).put("warmup", "x").await;
    let t0 = Instant::now();
    out.lock().unwrap_or_else(|e| e.into_inner()).warmup = t0 - t_start;
    let deadline = t0 + sc.duration;
    let started_ops = Arc::new(AtomicU64::new(0));
    let clients: Vec<_> = (0..sc.clients)
        .map(|c| {
            let clerk = new_clerk(&cluster);
            let budget = (started_ops.clone(), sc.max_ops);
            madsim::task::spawn(client_loop(c, clerk, deadline, budget, out.clone()))
        })
        .collect();
    futures::select_biased! {
        _ = sleep_until(deadline).fuse() => {}
        _ = futures::future::join_all(clients).fuse() => {}
    }
    out.lock().unwrap_or_else(|e| e.into_inner()).window = Instant::now().min(deadline) - t0;
    // Clients still waiting on an operation are dropped with the runtime.
    cluster.kill_all();
}

/// Operations per virtual second over `window` (none when the window is empty).
fn per_second(ops: usize, window: Duration) -> Option<f64> {
    (!window.is_zero()).then(|| ops as f64 / window.as_secs_f64())
}

/// Nearest-rank percentile of sorted samples (microseconds), in milliseconds.
fn percentile_ms(sorted: &[u64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let idx = rank.clamp(1, sorted.len()) - 1;
    Some(sorted[idx] as f64 / 1000.0)
}

fn latency_summary(mut us: Vec<u64>) -> Value {
    us.sort_unstable();
    let mean = if us.is_empty() {
        None
    } else {
        Some(us.iter().sum::<u64>() as f64 / us.len() as f64 / 1000.0)
    };
    json!({
        "count": us.len(),
        "mean": mean,
        "p50": percentile_ms(&us, 50.0),
        "p90": percentile_ms(&us, 90.0),
        "p99": percentile_ms(&us, 99.0),
        "max": us.last().map(|&m| m as f64 / 1000.0),
    })
}

/// Runs one (clients, network) pair over every seed and summarises it as one JSON object.
fn bench_pair(sc: Scenario, first_seed: u64, seeds: u64) -> Value {
    let mut per_seed = Vec::new();
    let (mut appends, mut gets) = (Vec::new(), Vec::new());
    let (mut wrong_reads, mut events, mut failed) = (0u64, 0u64, 0u64);
    let mut window = Duration::ZERO;
    for seed in first_seed..first_seed.saturating_add(seeds) {
        let out = Arc::new(Mutex::new(Samples::default()));
        let sink = out.clone();
        let report = sim::runner::run_seed(seed, move || run_scenario(sc, sink));
        let s = std::mem::take(&mut *out.lock().unwrap_or_else(|e| e.into_inner()));
        let error = report.failure().or(s.error);
        failed += u64::from(error.is_some());
        events += report.trace.events;
        wrong_reads += s.wrong_reads;
        let ops = s.append_us.len() + s.get_us.len();
        window += s.window;
        per_seed.push(json!({
            "seed": seed,
            "ok": error.is_none(),
            "error": error,
            "ops": ops,
            "ops_per_s": per_second(ops, s.window),
            "window_s": s.window.as_secs_f64(),
            "warmup_ms": s.warmup.as_secs_f64() * 1000.0,
            "virtual_s": report.virtual_time.as_secs_f64(),
            "trace_events": report.trace.events,
            "trace_digest": format!("{}", report.trace),
        }));
        appends.extend(s.append_us);
        gets.extend(s.get_us);
    }
    let ops = appends.len() + gets.len();
    let all: Vec<u64> = appends.iter().chain(&gets).copied().collect();
    json!({
        "clients": sc.clients,
        "network": sc.network.name(),
        "replicas": sc.replicas,
        "duration_s": sc.duration.as_secs(),
        "max_ops": sc.max_ops,
        "maxraftstate": sc.maxraftstate,
        "seeds": per_seed.len(),
        "failed_seeds": failed,
        "ops": ops,
        "ops_per_s": per_second(ops, window),
        "window_s": window.as_secs_f64(),
        "wrong_reads": wrong_reads,
        "trace_events": events,
        "latency_ms": latency_summary(all),
        "append_latency_ms": latency_summary(appends),
        "get_latency_ms": latency_summary(gets),
        "runs": per_seed,
    })
}

fn main() {
    let args = Args::parse();
    let mut any_failed = false;
    for &network in &args.network {
        for &clients in &args.clients {
            let sc = Scenario {
                clients,
                network,
                replicas: args.replicas,
                duration: Duration::from_secs(args.duration),
                max_ops: args.max_ops,
                maxraftstate: args.maxraftstate,
            };
            let line = bench_pair(sc, args.seed, args.seeds);
            any_failed |= line["failed_seeds"].as_u64() != Some(0);
            println!("{line}");
        }
    }
    if any_failed {
        eprintln!("kv_bench: some runs failed; see the \"error\" fields");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|x| x * 1000).collect();
        assert_eq!(percentile_ms(&v, 50.0), Some(50.0));
        assert_eq!(percentile_ms(&v, 99.0), Some(99.0));
        assert_eq!(percentile_ms(&[7000], 99.0), Some(7.0));
        assert_eq!(percentile_ms(&[], 50.0), None);
    }

    #[test]
    fn one_client_on_a_reliable_network_makes_progress() {
        let sc = Scenario {
            clients: 1,
            network: NetKind::Reliable,
            replicas: 3,
            duration: Duration::from_secs(2),
            max_ops: 200,
            maxraftstate: -1,
        };
        let line = bench_pair(sc, 1, 1);
        assert_eq!(line["failed_seeds"], 0, "{line}");
        assert_eq!(line["wrong_reads"], 0, "{line}");
        assert!(line["ops"].as_u64().unwrap() > 0, "{line}");
    }
}
