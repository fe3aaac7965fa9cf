//! A run ends with every node it created killed, so tasks still waiting then are dropped with
//! what they hold instead of outliving the run (madsim itself never drops them).

use std::sync::Arc;
use std::time::Duration;

#[test]
fn tasks_still_waiting_when_a_run_ends_are_dropped() {
    let held = Arc::new(());
    let weak = Arc::downgrade(&held);
    let report = sim::runner::run_seed(1, move || async move {
        let node = sim::node::create("waiter");
        drop(node.spawn(async move {
            let _held = held;
            std::future::pending::<()>().await;
        }));
        madsim::time::sleep(Duration::from_secs(1)).await;
    });
    assert!(report.failure().is_none(), "{:?}", report.failure());
    assert!(
        weak.upgrade().is_none(),
        "a task pending at the end of the run still holds its state"
    );
}
