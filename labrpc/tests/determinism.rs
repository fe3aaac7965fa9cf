//! One seed, one run: the same seed yields the same outcomes at the same virtual times (and the same
//! trace digest); another seed yields others.

mod common;

use common::*;
use labrpc::Network;
use sim::trace::TraceSummary;
use std::sync::{Arc, Mutex};

/// (call index, outcome, virtual ms at which it returned) for a mixed workload.
type Outcomes = Vec<(u64, String, u128)>;

fn record(seed: u64) -> (Outcomes, TraceSummary) {
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let sink = outcomes.clone();
    let report = sim::runner::run_seed(seed, move || async move {
        let net = Network::new();
        net.set_reliable(false);
        net.set_long_reordering(true);
        net.set_long_delays(true);
        let (_runs, _node) = add_math_server(&net, "s");
        let live = live_end(&net, "live", "s");
        let dead = net.make_end("dead");
        net.connect("dead", "s");
        let start = now();
        let calls = (0..200u64).map(|i| {
            let end = if i % 5 == 0 {
                dead.clone()
            } else {
                live.clone()
            };
            let sink = sink.clone();
            async move {
                let r = end
                    .call::<_, u64>("Math.SlowAdd", &Pair { a: i % 7, b: i })
                    .await;
                let at = start.elapsed().as_millis();
                sink.lock().unwrap().push((i, format!("{r:?}"), at));
            }
        });
        futures::future::join_all(calls).await;
    });
    assert!(report.passed(), "{:?}", report.failure());
    let outcomes = outcomes.lock().unwrap().clone();
    (outcomes, report.trace)
}

#[test]
fn the_same_seed_gives_the_same_outcomes_and_trace() {
    let (a, trace_a) = record(61);
    let (b, trace_b) = record(61);
    assert_eq!(a.len(), 200);
    assert_eq!(a, b);
    assert_eq!(trace_a, trace_b);
    assert!(trace_a.events > 0, "faults left no trace events");
    let (c, _) = record(62);
    assert_ne!(a, c, "two seeds gave identical runs");
}
