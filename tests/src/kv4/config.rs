//! The Lab 4 KV tester's config: replicas, clerks, history, Begin/End and the time limit.

use crate::diagnosis::unanswered_note;
use crate::kv_history;
use crate::kv_partitioner::Partitionable;
use crate::server_group::{ServerGroup, ServerNames};
use crate::test_run::{self, TestRun};
use crate::workload::{TestClerk, Tester, Workload};
use checker::History;
use labrpc::Network;
use raftapi::{KvServer, ReplicatedClerk};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// A replicated versioned KV service to test: its replica and its clerk. `(S, C)` is one.
pub trait Kv4Impl: 'static {
    type Server: KvServer;
    type Clerk: ReplicatedClerk;
}

impl<S: KvServer, C: ReplicatedClerk> Kv4Impl for (S, C) {
    type Server = S;
    type Clerk = C;
}

/// The group the replicas form: their names are `server-0-i`.
const GID: usize = 0;
/// How often the largest persisted Raft state is sampled (tests with snapshots only).
const SIZE_SAMPLE_INTERVAL: Duration = Duration::from_millis(1);

/// What a test sets up (the course's MakeTest arguments but the part and client count).
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    pub nservers: usize,
    pub reliable: bool,
    /// The test restarts servers (then a put's count may not match the version on a reliable
    /// network, and CheckPutConcurrent checks only a bound).
    pub crash: bool,
    /// The test partitions the servers (likewise).
    pub partitions: bool,
    /// < 0: never snapshot.
    pub maxraftstate: i64,
}

/// A handle to one Lab 4 test. Cloning shares it (client tasks hold their own).
pub struct Kv4Test<K: Kv4Impl> {
    inner: Arc<Inner<K>>,
}

impl<K: Kv4Impl> Clone for Kv4Test<K> {
    fn clone(&self) -> Self {
        Kv4Test {
            inner: self.inner.clone(),
        }
    }
}

struct Inner<K: Kv4Impl> {
    setup: Setup,
    group: ServerGroup<K::Server>,
    /// Clerks made so far (their trace ids).
    clerks: AtomicU64,
    history: History,
    run: TestRun,
    /// The largest persisted Raft state seen (sampled; snapshot tests only).
    max_raft_size: AtomicUsize,
}

impl<K: Kv4Impl> Kv4Test<K> {
    /// MakeTest: the replicas started and connected on a reliable network without long delays,
    /// the 120 s clock started, and only then the network made as reliable as asked.
    pub async fn new(setup: Setup) -> Self {
        let net = Network::new();
        net.set_long_delays(false);
        net.set_long_reordering(false);
        let group = ServerGroup::new(
            setup.nservers,
            setup.maxraftstate,
            net,
            ServerNames::group(GID),
        );
        let ts = Kv4Test {
            inner: Arc::new(Inner {
                setup,
                group,
                clerks: AtomicU64::new(0),
                history: History::new(),
                run: TestRun::new("kv4"),
                max_raft_size: AtomicUsize::new(0),
            }),
        };
        tracing::info!(topic = "test", ?setup, "make kv test");
        // The run's picture shows the history, each op with how it was served (see `Tester`).
        crate::picture::registry::history(&ts.inner.history);
        if let Err(e) = ts.group().start_servers().await {
            ts.fail(&e);
        }
        ts.spawn_watchdog();
        if setup.maxraftstate > 0 {
            ts.spawn_size_sampler();
        }
        ts.net().set_reliable(setup.reliable);
        if !setup.reliable {
            tracing::info!(
                topic = "test",
                annotation = "unreliable network",
                band = "reliability",
                "network unreliable"
            );
        }
        ts
    }

    /// The replicas: lifecycle (shutdown_server, start_servers) and connectivity.
    pub fn group(&self) -> &ServerGroup<K::Server> {
        &self.inner.group
    }

    pub fn setup(&self) -> Setup {
        self.inner.setup
    }

    fn net(&self) -> &Network {
        self.inner.group.net()
    }

    /// The workload library on this tester.
    pub fn workload(&self) -> Workload<Self> {
        Workload::new(self.clone())
    }

    // ---- replicas -------------------------------------------------------------------------------

    /// StartServer(i) for a shut-down replica, left unconnected.
    pub async fn start_server(&self, i: usize) {
        if let Err(e) = self.group().start(i).await {
            self.fail(&e);
        }
    }

    /// The lowest-numbered live replica that claims to lead (the course's Leader()).
    pub fn leader(&self) -> Option<usize> {
        self.group()
            .live()
            .into_iter()
            .find(|(_, s)| s.raft().state().1)
            .map(|(i, _)| i)
    }

    /// LogSize: the largest persisted Raft state over the replicas (shut-down ones too).
    pub fn log_size(&self) -> usize {
        let size = self.group().log_size();
        self.inner.max_raft_size.fetch_max(size, Ordering::Relaxed);
        size
    }

    /// SnapshotSize: the largest persisted snapshot over the replicas.
    pub fn snapshot_size(&self) -> usize {
        self.group().snapshot_size()
    }

    /// The largest persisted Raft state seen at any millisecond so far (snapshot tests).
    pub fn max_log_size_seen(&self) -> usize {
        self.inner.max_raft_size.load(Ordering::Relaxed)
    }

    // ---- clerks ---------------------------------------------------------------------------------

    /// MakeClerkTo(ids): a clerk with a fresh end to every replica, in id order; only the ends to
    /// `ids` are enabled (partitions never touch clerks).
    pub fn make_clerk_to(&self, ids: &[usize]) -> Arc<TestClerk<K::Clerk>> {
        let names = self.group().names().clone();
        let to = move |j: usize| names.name(j);
        let (end_names, ends) = crate::fresh::ends_to(self.net(), self.group().n(), &to);
        for &j in ids {
            self.net().enable(&end_names[j], true);
        }
        let id = self.inner.clerks.fetch_add(1, Ordering::Relaxed);
        let clerk = K::Clerk::make(ends);
        Arc::new(TestClerk::new(clerk, id, end_names, self.inner.run.ops()))
    }

    /// MakeClerk: a clerk that may reach every replica.
    pub fn make_clerk(&self) -> Arc<TestClerk<K::Clerk>> {
        let all: Vec<usize> = (0..self.group().n()).collect();
        self.make_clerk_to(&all)
    }

    /// The clerk may reach exactly the replicas `ids` (ConnectTo after a DisconnectAll).
    pub fn connect_clerk_to(&self, ck: &TestClerk<K::Clerk>, ids: &[usize]) {
        tracing::info!(topic = "test", client = ck.id(), ?ids, "connect clerk");
        for (j, name) in ck.end_names().iter().enumerate() {
            self.net().enable(name, ids.contains(&j));
        }
    }

    /// DeleteClerk: the clerk's ends stop working.
    pub fn delete_clerk(&self, ck: &TestClerk<K::Clerk>) {
        for name in ck.end_names() {
            self.net().enable(name, false);
        }
    }

    // ---- begin / end / failure ------------------------------------------------------------------

    /// Begin: prints `<description> (reliable network)...` (or unreliable) and resets the counts
    /// end() reports.
    pub fn begin(&self, description: &str) {
        let rpcs = self.net().total_count();
        self.inner
            .run
            .begin(description, self.net().is_reliable(), rpcs);
    }

    /// End: checks the time limit, then prints virtual seconds, peers, RPCs and ops since begin().
    pub fn end(&self) {
        self.check_timeout();
        self.inner
            .run
            .end(self.group().n(), self.net().total_count());
    }

    /// Cleanup: marks the test finished, kills every replica and checks the time limit.
    pub fn cleanup(&self) {
        self.inner.run.finish();
        self.group().kill_all();
        self.check_timeout();
    }

    /// Checks the test's history under the versioned model; anything but linearizable fails.
    pub fn check_porcupine(&self) {
        self.workload().check_porcupine(&self.inner.run.label());
    }

    fn check_timeout(&self) {
        if let Some(message) = self.inner.run.overrun() {
            self.fail(&message);
        }
    }

    fn spawn_watchdog(&self) {
        test_run::watch(
            &self.inner,
            |i| &i.run,
            |inner, m| Kv4Test { inner }.fail(m),
        );
    }

    /// Samples the persisted Raft state every millisecond until the test ends, so the largest
    /// size seen includes the peaks just before snapshots.
    fn spawn_size_sampler(&self) {
        let inner = Arc::downgrade(&self.inner);
        madsim::task::spawn(async move {
            while let Some(inner) = inner.upgrade()
                && !inner.run.finished()
            {
                let ts = Kv4Test { inner };
                ts.log_size();
                drop(ts);
                madsim::time::sleep(SIZE_SAMPLE_INTERVAL).await;
            }
        });
    }
}

impl<K: Kv4Impl> Partitionable for Kv4Test<K> {
    fn n(&self) -> usize {
        self.group().n()
    }

    fn partition(&self, p1: &[usize], p2: &[usize]) {
        self.group().partition(p1, p2);
    }
}

impl<K: Kv4Impl> Tester for Kv4Test<K> {
    type Clerk = K::Clerk;

    fn make_clerk(&self) -> Arc<TestClerk<K::Clerk>> {
        Kv4Test::make_clerk(self)
    }

    fn delete_clerk(&self, ck: &TestClerk<K::Clerk>) {
        Kv4Test::delete_clerk(self, ck)
    }

    fn history(&self) -> &History {
        &self.inner.history
    }

    fn network(&self) -> Option<&Network> {
        Some(self.net())
    }

    /// The term replica `server` is in, if it is live.
    fn term_of(&self, server: usize) -> Option<u64> {
        self.group().server(server).map(|s| s.raft().state().0)
    }

    /// Reliable for CheckPutConcurrent: a reliable network, no crashes and no partitions.
    fn reliable(&self) -> bool {
        let s = self.inner.setup;
        s.reliable && !s.crash && !s.partitions
    }

    /// Fatal: dumps the test's history as JSON (if it has one), then panics with `message`,
    /// naming the handlers that have not replied.
    fn fail(&self, message: &str) -> ! {
        if !self.inner.history.is_empty() {
            kv_history::dump_on_failure(&self.inner.history, &self.inner.run.label());
        }
        panic!("{message}{}", unanswered_note(self.net()));
    }
}
