//! A test made for raft-lab's own tooling (scripts/): a small simulated run with traced events on three
//! nodes, which fails on purpose only when `RAFT_LAB_SELFTEST_FAIL=1` is set and the seed is odd. The
//! tooling's tests use it to check repeat-test's table and failure report, replay and the viewer.
//! It is not a lab test (its name has no part suffix), so sweeps over the lab never pick it.

use std::time::Duration;

/// Events must carry one of the traced crates' targets to reach the trace and its digest.
const TARGET: &str = "raft_lab_tests::selftest";

#[test]
fn selftest_fails_on_purpose() {
    raft_lab_tests::run(|| async {
        tracing::debug!(target: TARGET, topic = "test", "selftest starts");
        let handles: Vec<_> = (0..3u64)
            .map(|peer| {
                let node = sim::node::create(&format!("raft-{peer}"));
                node.spawn(async move {
                    for term in 1..=3u64 {
                        let wait = sim::rng::uniform(10, 200);
                        madsim::time::sleep(Duration::from_millis(wait)).await;
                        tracing::debug!(target: TARGET, topic = "timer", term, peer, wait, "tick");
                        if sim::rng::chance(0.5) {
                            tracing::debug!(target: TARGET, topic = "vote", term, peer, "asks for votes");
                        }
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.expect("a selftest node was not killed");
        }
        let seed = sim::rng::seed();
        tracing::debug!(target: TARGET, topic = "test", seed, "selftest done");
        let asked = std::env::var("RAFT_LAB_SELFTEST_FAIL").is_ok_and(|v| v == "1");
        if asked && seed % 2 == 1 {
            panic!("selftest failing on purpose with odd seed {seed}");
        }
    });
}
