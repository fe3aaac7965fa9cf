//! A run whose executor thread blocks (a deadlock, a blocking call, a task that never yields) is
//! failed by the stall watchdog after the stall limit of wall time, with the virtual time it
//! reached and each node's last event; the caller is never left hanging.

use sim::runner::run_seed_watched;
use std::time::Duration;

#[test]
fn a_run_whose_thread_blocks_fails_after_the_stall_limit_with_what_each_node_did_last() {
    // Wall time, outside the simulation: how long the caller waited.
    let started = std::time::Instant::now();
    let report = run_seed_watched(1, Duration::from_secs(1), || async {
        let node = sim::node::create("raft-1");
        sim::node::run_on(&node, async {
            madsim::time::sleep(Duration::from_millis(200)).await;
            tracing::debug!(target: "sim::stall", topic = "test", "last words");
        })
        .await
        .expect("the node is alive");
        madsim::time::sleep(Duration::from_millis(1300)).await;
        // Blocks the executor's only thread for good, as a deadlocked lock would.
        loop {
            std::thread::park();
        }
    });
    let waited = started.elapsed();
    let failure = report.failure().expect("a stalled run fails");
    assert!(
        failure.starts_with("no progress for 1 s of wall time: virtual time is stuck at 1.500"),
        "{failure}"
    );
    assert!(
        failure.contains("raft-1: last event at 0.200000s, sim::stall (sim/tests/stall.rs:"),
        "{failure}"
    );
    assert_eq!(report.virtual_time.as_millis(), 1500);
    assert!(
        waited < Duration::from_secs(5),
        "the watchdog took {waited:?} for a 1 s limit"
    );
}
