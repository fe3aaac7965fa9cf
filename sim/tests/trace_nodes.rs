//! Events are stamped with the madsim node they ran on, and the node is part of the digest: the same
//! event from two differently named nodes gives two different traces.

use sim::runner::run_seed;

fn emit_on(node_name: &'static str) -> sim::trace::TraceSummary {
    let report = run_seed(1, move || async move {
        let node = sim::node::create(node_name);
        sim::node::run_on(&node, async {
            tracing::debug!(target: "sim::trace_nodes", topic = "test", "hello");
        })
        .await
        .expect("the node is alive");
    });
    assert!(report.failure().is_none(), "{:?}", report.failure());
    report.trace
}

#[test]
fn the_node_an_event_ran_on_is_part_of_the_trace() {
    let a = emit_on("raft-0");
    assert_eq!(a.events, 1);
    assert_eq!(a, emit_on("raft-0"), "same node, same trace");
    assert_ne!(
        a.digest,
        emit_on("raft-1").digest,
        "the node name is not in the digest"
    );
}
