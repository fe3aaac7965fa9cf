//! The rsm test's config and helpers (the Go rsm `Test`): three replicas as server group 0
//! (`server-0-i`) on a reliable network, onePartition, checkCounter, Leader, and the Begin/End lines
//! of the current course's tester, with the 120 s virtual-time limit enforced while the test runs.

use super::counter::{Counter, CounterOp, CounterReply};
use super::server::RsmServer;
use crate::diagnosis::unanswered_note;
use crate::server_group::{ServerGroup, ServerNames};
use crate::test_run::{self, TestRun};
use labrpc::Network;
use madsim::time::sleep;
use raftapi::{Rsm, SubmitError};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Replicas per test.
pub const NSRV: usize = 3;
/// onePartition's budget for one op.
pub const NSEC: Duration = Duration::from_secs(10);
/// The group the replicas form (their names are `server-0-i`).
const GID: usize = 0;
/// onePartition's pause after a pass in which no replica took the op.
const PASS_PAUSE: Duration = Duration::from_millis(50);
/// checkCounter's polls.
const CHECK_POLLS: usize = 30;
/// How often the largest persisted Raft state is sampled (tests with snapshots only).
const SIZE_SAMPLE_INTERVAL: Duration = Duration::from_millis(1);

/// A handle to one rsm test's replicas. Cloning shares it (the tests' tasks hold their own).
pub struct RsmTest<R: Rsm<Sm = Counter>> {
    inner: Arc<Inner<R>>,
}

impl<R: Rsm<Sm = Counter>> Clone for RsmTest<R> {
    fn clone(&self) -> Self {
        RsmTest {
            inner: self.inner.clone(),
        }
    }
}

struct Inner<R: Rsm<Sm = Counter>> {
    group: ServerGroup<RsmServer<R>>,
    /// The replica that last took an op (onePartition starts there).
    leader: AtomicUsize,
    /// Its ops are the submits the tester made (the 2026 tester counts them so).
    run: TestRun,
    /// The largest persisted Raft state seen, in bytes (sampled; snapshot tests only).
    max_raft_size: AtomicUsize,
}

impl<R: Rsm<Sm = Counter>> RsmTest<R> {
    /// makeTest: NSRV replicas with `maxraftstate` (< 0: never snapshot), started and connected on
    /// a reliable network without long delays.
    pub async fn new(maxraftstate: i64) -> Self {
        let net = Network::new();
        net.set_reliable(true);
        net.set_long_delays(false);
        net.set_long_reordering(false);
        let ts = RsmTest {
            inner: Arc::new(Inner {
                group: ServerGroup::new(NSRV, maxraftstate, net, ServerNames::group(GID)),
                leader: AtomicUsize::new(0),
                run: TestRun::new("rsm"),
                max_raft_size: AtomicUsize::new(0),
            }),
        };
        tracing::info!(topic = "test", n = NSRV, maxraftstate, "make rsm test");
        test_run::watch(&ts.inner, |i| &i.run, |inner, m| RsmTest { inner }.fail(m));
        if maxraftstate > 0 {
            ts.spawn_size_sampler();
        }
        ts.start_servers().await;
        ts
    }

    /// The replicas: their lifecycle (shutdown, start) and connectivity (connect_one,
    /// disconnect_all, partition).
    pub fn group(&self) -> &ServerGroup<RsmServer<R>> {
        &self.inner.group
    }

    /// StartServers: every replica (from a copy of what it persisted), then all connected.
    pub async fn start_servers(&self) {
        if let Err(e) = self.group().start_servers().await {
            self.fail(&e);
        }
    }

    // ---- submitting -----------------------------------------------------------------------------

    /// Submit(op) straight to replica i, counted as an op; `None` if i is shut down.
    pub async fn submit(
        &self,
        i: usize,
        op: CounterOp,
    ) -> Option<Result<CounterReply, SubmitError>> {
        let srv = self.group().server(i)?;
        self.inner.run.count_op();
        Some(srv.rsm().submit(op).await)
    }

    /// onePartition: passes over the replicas, from the last one that took an op, submitting `op`
    /// to each that is live, marked connected and (if `p` is given) in `p`, until one returns it
    /// executed; a pass in which none did pauses 50 ms. `None` once NSEC have gone by.
    pub async fn one_partition(&self, p: Option<&[usize]>, op: CounterOp) -> Option<CounterReply> {
        let t0 = sim::node::now();
        while sim::node::now() - t0 < NSEC {
            let first = self.inner.leader.load(Ordering::Relaxed);
            for k in 0..NSRV {
                let i = (first + k) % NSRV;
                if !self.group().is_connected(i) || p.is_some_and(|p| !p.contains(&i)) {
                    continue;
                }
                if let Some(Ok(reply)) = self.submit(i, op).await {
                    self.inner.leader.store(i, Ordering::Relaxed);
                    return Some(reply);
                }
            }
            sleep(PASS_PAUSE).await;
        }
        None
    }

    /// oneInc: an Inc through onePartition; the counter it returns. Fails the test if no replica
    /// took it within NSEC.
    pub async fn one_inc(&self) -> u64 {
        match self.one_partition(None, CounterOp::Inc).await {
            Some(CounterReply::IncRep { n }) => n,
            Some(other) => self.fail(&format!("Inc returned {other:?}, not IncRep")),
            None => self.fail(&format!(
                "no replica executed an Inc within {} s",
                NSEC.as_secs()
            )),
        }
    }

    /// oneNull: a Null through onePartition; `false` if no replica took it within NSEC (the
    /// shutdown tests expect that).
    pub async fn one_null(&self) -> bool {
        match self.one_partition(None, CounterOp::Null).await {
            Some(CounterReply::NullRep) => true,
            Some(other) => self.fail(&format!("Null returned {other:?}, not NullRep")),
            None => false,
        }
    }

    // ---- checks ---------------------------------------------------------------------------------

    /// checkCounter: polls until at least `n` replicas' counters are exactly `v` (30 polls, sleeping
    /// 10 ms, doubling up to 1280 ms: about 30.7 s); fails if they never are.
    pub async fn check_counter(&self, v: u64, n: usize) {
        let mut to = Duration::from_millis(10);
        for _ in 0..CHECK_POLLS {
            if self.count_value(v) >= n {
                return;
            }
            sleep(to).await;
            if to < Duration::from_secs(1) {
                to *= 2;
            }
        }
        let counters: Vec<Option<u64>> = (0..NSRV)
            .map(|i| self.group().server(i).map(|s| s.counter()))
            .collect();
        self.fail(&format!(
            "checkCounter: only {} replicas have counter {v}, wanted {n} (counters by replica: \
             {counters:?})",
            self.count_value(v)
        ));
    }

    fn count_value(&self, v: u64) -> usize {
        self.group()
            .live()
            .iter()
            .filter(|(_, s)| s.counter() == v)
            .count()
    }

    /// Leader: the lowest-indexed live replica whose Raft claims to lead.
    pub fn leader(&self) -> Option<usize> {
        self.group()
            .live()
            .into_iter()
            .find(|(_, s)| s.rsm().raft().state().1)
            .map(|(i, _)| i)
    }

    /// RaftSize (LogSize in 2025): the largest persisted Raft state over the replicas' persisters.
    pub fn raft_size(&self) -> usize {
        let size = self.group().log_size();
        self.inner.max_raft_size.fetch_max(size, Ordering::Relaxed);
        size
    }

    /// The largest RaftSize seen so far: sampled every millisecond of virtual time when
    /// maxraftstate > 0, and at every raft_size() call.
    pub fn max_raft_size_seen(&self) -> usize {
        self.inner.max_raft_size.load(Ordering::Relaxed)
    }

    /// Samples raft_size() until the test finishes, so a check sees the peaks just before
    /// snapshots, not only the sizes at the test's checkpoints.
    fn spawn_size_sampler(&self) {
        let inner = Arc::downgrade(&self.inner);
        madsim::task::spawn(async move {
            // A weak handle: a sampler still sleeping when the run ends must not keep the replicas.
            while let Some(inner) = inner.upgrade()
                && !inner.run.finished()
            {
                RsmTest { inner }.raft_size();
                sleep(SIZE_SAMPLE_INTERVAL).await;
            }
        });
    }

    // ---- begin / end / failure ------------------------------------------------------------------

    /// Begin: prints the test's title with the network's state and resets the counters end()
    /// reports.
    pub fn begin(&self, description: &str) {
        let net = self.group().net();
        self.inner
            .run
            .begin(description, net.is_reliable(), net.total_count());
    }

    /// End: checks the time limit and prints virtual seconds, replicas, RPCs and ops since begin().
    pub fn end(&self) {
        if let Some(message) = self.inner.run.overrun() {
            self.fail(&message);
        }
        self.inner.run.end(NSRV, self.group().net().total_count());
    }

    /// cleanup: End, then marks the test finished and kills every replica.
    pub fn cleanup(&self) {
        self.end();
        self.inner.run.finish();
        self.group().kill_all();
    }

    /// Fails the test with `message`, naming any RPC handler that has not replied.
    pub fn fail(&self, message: &str) -> ! {
        panic!("{message}{}", unanswered_note(self.group().net()));
    }
}
