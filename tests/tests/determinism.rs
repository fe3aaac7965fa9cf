//! The determinism promise, tested: one Raft scenario (elections, agreement, a partitioned leader, a
//! crash and restart) run twice with the same seed yields the same trace and the same virtual time;
//! with another seed it yields a different trace. A KV scenario, busy enough that many tasks are
//! ready at the same virtual instant, yields the same trace however many runs the process made
//! before it (a replay runs one test alone; the suite runs it after others). Two sharded KV tests
//! (Lab 5) replay exactly too.

use raft_lab_tests::Config;
use raft_lab_tests::KvConfig;
use raft_lab_tests::kv_generic::spawn_clients_and_wait;
use raft_lab_tests::suites::{shardkv_5a, shardkv_5c};
use sim::runner::{RunReport, RunSettings, run_seed};
use std::future::Future;

/// Five peers: agree a few times, cut the leader off, agree without it, heal, crash and restart a peer, agree.
async fn scenario() {
    let servers = 5;
    let cfg = Config::new(servers, false, false).await;
    for cmd in 100..103 {
        cfg.one(cmd, servers, false).await;
    }
    let leader = cfg.check_one_leader().await;
    cfg.disconnect(leader);
    cfg.one(102, servers - 1, true).await;
    cfg.connect(leader);
    cfg.one(103, servers, true).await;
    let victim = (cfg.check_one_leader().await + 1) % servers;
    cfg.crash1(victim);
    cfg.one(104, servers - 1, true).await;
    cfg.start1(victim).await;
    cfg.connect(victim);
    cfg.one(105, servers, true).await;
    cfg.cleanup();
}

/// Three servers, five clients appending 80 times each to their own keys as fast as they can.
async fn kv_scenario() {
    let cfg = KvConfig::new(3, false, -1).await;
    spawn_clients_and_wait(&cfg, 5, {
        let cfg = cfg.clone();
        move |cli, ck| {
            let cfg = cfg.clone();
            async move {
                for i in 0..80 {
                    cfg.append(&ck, &format!("k{cli}"), &format!("x {cli} {i} y"), None, 0)
                        .await;
                }
            }
        }
    })
    .await;
    cfg.cleanup();
}

fn run(seed: u64) -> RunReport {
    run_scenario(seed, scenario)
}

fn run_scenario<F: Future<Output = ()> + 'static>(seed: u64, scenario: fn() -> F) -> RunReport {
    let report = run_seed(seed, scenario);
    if let Some(failure) = report.failure() {
        panic!("the scenario failed with seed {seed}: {failure}");
    }
    report
}

#[test]
fn same_seed_same_trace_other_seed_other_trace() {
    let seed = RunSettings::from_env()
        .unwrap_or_else(|e| panic!("raft-lab: {e}"))
        .seed;
    let a = run(seed);
    let b = run(seed);
    let c = run(seed + 1);
    println!(
        "seed {seed}: {} events, digest {}, {:.3}s virtual; seed {}: digest {}",
        a.trace.events,
        a.trace,
        a.virtual_time.as_secs_f64(),
        seed + 1,
        c.trace
    );
    assert!(
        a.trace.events > 100,
        "only {} traced events: the digest would not cover the run",
        a.trace.events
    );
    assert_eq!(a.trace, b.trace, "same seed, different trace");
    assert_eq!(
        a.virtual_time, b.virtual_time,
        "same seed, different virtual time"
    );
    assert_ne!(a.trace.digest, c.trace.digest, "another seed, same trace");
}

#[test]
fn same_seed_same_trace_after_other_runs_in_the_process() {
    let seed = RunSettings::from_env()
        .unwrap_or_else(|e| panic!("raft-lab: {e}"))
        .seed;
    let first = run_scenario(seed, kv_scenario);
    // Other runs in between, as when a suite runs many tests in one process.
    run_scenario(seed + 1, kv_scenario);
    run(seed);
    let again = run_scenario(seed, kv_scenario);
    assert!(first.trace.events > 1000, "too few events to compare");
    assert_eq!(first.trace, again.trace, "same seed, different trace");
}

/// Sharded KV: shards moving between groups while clients read (5A), and controllers racing, with
/// groups and controllers made and dropped on the fly (5C). Each replays its trace exactly.
#[test]
fn sharded_kv_same_seed_same_trace() {
    let seed = RunSettings::from_env()
        .unwrap_or_else(|e| panic!("raft-lab: {e}"))
        .seed;
    replays_exactly(seed, shardkv_5a::join_basic_5a);
    replays_exactly(seed, shardkv_5c::concurrent_reliable_5c);
}

fn replays_exactly<F: Future<Output = ()> + 'static>(seed: u64, scenario: fn() -> F) {
    let first = run_scenario(seed, scenario);
    let again = run_scenario(seed, scenario);
    assert!(first.trace.events > 1000, "too few events to compare");
    assert_eq!(first.trace, again.trace, "same seed, different trace");
    assert_eq!(first.virtual_time, again.virtual_time);
}
