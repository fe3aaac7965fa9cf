//! What the current course's testers (kvsrv, rsm, kv4, shardkv) keep alike about one test: Begin and
//! End (the title with the network's state, then the `Passed` line of virtual seconds, peers, RPCs
//! and ops since Begin), the label that names a failure's files, and the lab's 120 s limit, checked
//! at End and enforced while the test runs by a watchdog that holds the tester only weakly.
//!
//! ```ignore
//! struct Inner { run: TestRun, net: Network /* , the tester's own state */ }
//! let inner = Arc::new(Inner { run: TestRun::new("kv4"), net });
//! test_run::watch(&inner, |i| &i.run, |inner, message| MyTest { inner }.fail(message));
//! inner.run.begin("Test: one client (4B basic)", true, inner.net.total_count());
//! // ... the test ...
//! if let Some(message) = inner.run.overrun() { /* fail */ }
//! inner.run.end(5, inner.net.total_count());
//! inner.run.finish();
//! ```

use crate::{kv_history, time_limit};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// One test's phases, label and clock.
pub struct TestRun {
    /// Ops since Begin: Gets and Puts through the tester's clerks, or the rsm tester's submits.
    ops: Arc<AtomicU64>,
    /// What Begin printed, as a file name: it names the files a failure leaves.
    label: Mutex<String>,
    since: Mutex<Since>,
    /// Virtual time at make: the limit counts from here.
    created: Duration,
    finished: AtomicBool,
}

/// What Begin remembers so End can print the deltas.
#[derive(Default)]
struct Since {
    t0: Duration,
    rpcs0: u64,
}

impl TestRun {
    /// A test made now, its files labelled `label` until its first Begin.
    pub fn new(label: &str) -> Self {
        TestRun {
            ops: Arc::new(AtomicU64::new(0)),
            label: Mutex::new(label.into()),
            since: Mutex::new(Since::default()),
            created: sim::node::now(),
            finished: AtomicBool::new(false),
        }
    }

    /// The ops counter, to share with the tester's clerks.
    pub fn ops(&self) -> Arc<AtomicU64> {
        self.ops.clone()
    }

    pub fn count_op(&self) {
        self.ops.fetch_add(1, Ordering::Relaxed);
    }

    /// The label a failure's files are named after.
    pub fn label(&self) -> String {
        lock(&self.label).clone()
    }

    /// Begin: prints `<description> (reliable network)...` (or unreliable), labels the test after
    /// `description`, and resets what End reports; `rpcs` is the network's call count now.
    pub fn begin(&self, description: &str, reliable: bool, rpcs: u64) {
        let network = if reliable { "reliable" } else { "unreliable" };
        println!("{description} ({network} network)...");
        tracing::info!(topic = "test", description, annotation = "begin", "begin");
        *lock(&self.label) = kv_history::slug(description);
        *lock(&self.since) = Since {
            t0: sim::node::now(),
            rpcs0: rpcs,
        };
        self.ops.store(0, Ordering::Relaxed);
    }

    /// End: prints virtual seconds, `peers`, RPCs and ops since Begin; `rpcs` is the network's call
    /// count now. The tester checks [`TestRun::overrun`] first: failing is the tester's to do.
    pub fn end(&self, peers: usize, rpcs: u64) {
        let (t0, rpcs0) = {
            let s = lock(&self.since);
            (s.t0, s.rpcs0)
        };
        let secs = (sim::node::now() - t0).as_secs_f64();
        let rpcs = rpcs - rpcs0;
        let ops = self.ops.load(Ordering::Relaxed);
        tracing::info!(topic = "test", secs, rpcs, ops, annotation = "end", "end");
        println!("  ... Passed --  time {secs:4.1}s #peers {peers} #RPCs {rpcs:5} #Ops {ops:4}");
    }

    /// The failure message if the test has run past the lab's limit.
    pub fn overrun(&self) -> Option<String> {
        time_limit::overrun(self.created)
    }

    /// The test is over (cleanup): the watchdog and samplers stand down.
    pub fn finish(&self) {
        self.finished.store(true, Ordering::SeqCst);
    }

    pub fn finished(&self) -> bool {
        self.finished.load(Ordering::SeqCst)
    }
}

/// Fails the test through `fail` if it is still running at the lab's limit. Holds `tester` only
/// weakly, so a test that ended does not stay in memory through its watchdog.
pub fn watch<T: Send + Sync + 'static>(
    tester: &Arc<T>,
    run: fn(&T) -> &TestRun,
    fail: fn(Arc<T>, &str),
) {
    let tester = Arc::downgrade(tester);
    time_limit::watch(move |message| {
        if let Some(tester) = tester.upgrade()
            && !run(&tester).finished()
        {
            // In the trace too, so one reading it sees where the test ran out of time.
            tracing::error!(topic = "test", "test time limit exceeded");
            fail(tester, message);
        }
    });
}

/// Every update under these locks is a single assignment, so a poisoned lock (a test already
/// failing) still guards consistent data.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time_limit::TEST_TIME_LIMIT;

    struct Tester {
        run: TestRun,
    }

    fn fail(_: Arc<Tester>, message: &str) {
        panic!("{message}");
    }

    /// A tester made now, its watchdog started.
    fn watched() -> Arc<Tester> {
        let tester = Arc::new(Tester {
            run: TestRun::new("t"),
        });
        watch(&tester, |t| &t.run, fail);
        tester
    }

    /// Runs `body` on a fresh simulation; its failure message, if it failed.
    fn failure<Fut: Future<Output = ()> + 'static>(body: fn() -> Fut) -> Option<String> {
        sim::runner::run_seed(1, body).failure()
    }

    #[test]
    fn a_test_still_running_at_the_limit_fails() {
        let failed = failure(|| async {
            // Held to the end: the watchdog fails only a tester that still exists.
            let _tester = watched();
            madsim::time::sleep(TEST_TIME_LIMIT + Duration::from_secs(1)).await;
        });
        let message = failed.expect("the watchdog did not fire");
        assert!(
            message.contains("still running after 120 seconds"),
            "{message}"
        );
    }

    #[test]
    fn a_finished_or_dropped_test_is_left_alone() {
        let finished = failure(|| async {
            let tester = watched();
            tester.run.finish();
            madsim::time::sleep(TEST_TIME_LIMIT * 2).await;
        });
        assert_eq!(finished, None);
        let dropped = failure(|| async {
            let tester = watched();
            drop(tester);
            madsim::time::sleep(TEST_TIME_LIMIT * 2).await;
        });
        assert_eq!(dropped, None);
    }

    #[test]
    fn overrun_counts_from_the_making_of_the_test() {
        let failed = failure(|| async {
            madsim::time::sleep(Duration::from_secs(100)).await;
            let run = TestRun::new("t");
            madsim::time::sleep(Duration::from_secs(100)).await;
            assert_eq!(run.overrun(), None, "100 s after make");
            madsim::time::sleep(Duration::from_secs(21)).await;
            let message = run.overrun().expect("121 s after make");
            assert!(message.contains("(121.0 s)"), "{message}");
        });
        assert_eq!(failed, None);
    }

    #[test]
    fn begin_labels_the_test_and_counts_ops_from_zero() {
        let failed = failure(|| async {
            let run = TestRun::new("kv4");
            assert_eq!(run.label(), "kv4");
            run.count_op();
            run.begin("Test: one client (4B basic)", true, 10);
            assert_eq!(run.ops().load(Ordering::Relaxed), 0);
            run.count_op();
            assert_eq!(run.ops().load(Ordering::Relaxed), 1);
            assert_eq!(run.label(), "test-one-client-4b-basic");
        });
        assert_eq!(failed, None);
    }
}
