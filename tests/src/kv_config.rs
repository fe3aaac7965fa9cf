//! The KV tester's config (docs/lab-tests-2023.md §4, the Go kvraft `config`): n KV replicas, each on
//! its own madsim node, on one labrpc network with long delays off; shutdown/restart with persister
//! copies; the KV tester's per-link connectivity; clerks with their own ends; the counting op wrappers;
//! and the virtual-time limit of 120 s per test, enforced while the test runs.

use crate::diagnosis::unanswered_note;
use crate::kv_cluster::{KvCluster, KvImpl};
use crate::kv_history;
use crate::op_meta;
use crate::time_limit;
use checker::{History, Operation};
use labrpc::Network;
use madsim::time::sleep;
use raftapi::{KvClerk, KvServer};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

pub use crate::kv_cluster::server_name;

/// The lab's sleep unit: "an election timeout".
pub const ELECTION_TIMEOUT: Duration = Duration::from_millis(1000);
pub use crate::time_limit::TEST_TIME_LIMIT;
/// How often the largest persisted Raft state is sampled (tests with snapshots only).
const SIZE_SAMPLE_INTERVAL: Duration = Duration::from_millis(1);

/// A clerk made by the tester, with the names of its ends: `end_names[j]` leads to server j (the clerk
/// itself sees them shuffled), and the number the tester's traces know it by. Cloning shares the clerk.
pub struct TestClerk<C> {
    clerk: Arc<C>,
    end_names: Arc<Vec<String>>,
    id: u64,
}

impl<C> Clone for TestClerk<C> {
    fn clone(&self) -> Self {
        TestClerk {
            clerk: self.clerk.clone(),
            end_names: self.end_names.clone(),
            id: self.id,
        }
    }
}

impl<C> TestClerk<C> {
    /// The clerk itself, for calls that bypass the tester's op wrappers (GenericTestSpeed).
    pub fn clerk(&self) -> &C {
        &self.clerk
    }
}

/// A handle to a KV cluster of the service `K`. Cloning shares it (client tasks hold their own).
/// The suites use [`crate::KvConfig`], this tester on the service under test.
pub struct KvConfig<K: KvImpl> {
    inner: Arc<Inner<K>>,
}

impl<K: KvImpl> Clone for KvConfig<K> {
    fn clone(&self) -> Self {
        KvConfig {
            inner: self.inner.clone(),
        }
    }
}

struct Inner<K: KvImpl> {
    cluster: KvCluster<K>,
    stats: Mutex<Stats>,
    /// Clerks made so far (their trace ids).
    clerks: AtomicU64,
    /// Ops done through the wrappers since begin().
    ops: AtomicU64,
    /// The largest persisted Raft state seen, in bytes (sampled; snapshots tests only).
    max_log_size: AtomicUsize,
    /// The history the running test records, dumped as JSON if the test fails.
    history: Mutex<Option<(History, String)>>,
    /// Virtual time at make_config, for the 120 s limit.
    created: Duration,
    finished: Arc<AtomicBool>,
}

/// What begin() remembers so end() can print the deltas.
#[derive(Default)]
struct Stats {
    t0: Duration,
    rpcs0: u64,
}

impl<K: KvImpl> KvConfig<K> {
    /// make_config: n replicas on a fresh network (long delays off, no reordering), all started and
    /// connected, then the network made unreliable if asked. `maxraftstate` < 0: never snapshot.
    pub async fn new(n: usize, unreliable: bool, maxraftstate: i64) -> Self {
        let net = Network::new();
        net.set_long_delays(false);
        net.set_long_reordering(false);
        let cfg = KvConfig {
            inner: Arc::new(Inner {
                cluster: KvCluster::new(n, maxraftstate, net),
                stats: Mutex::new(Stats::default()),
                clerks: AtomicU64::new(0),
                ops: AtomicU64::new(0),
                max_log_size: AtomicUsize::new(0),
                history: Mutex::new(None),
                created: sim::node::now(),
                finished: Arc::new(AtomicBool::new(false)),
            }),
        };
        tracing::info!(
            topic = "test",
            n,
            unreliable,
            maxraftstate,
            "make kv config"
        );
        cfg.spawn_watchdog();
        if maxraftstate > 0 {
            cfg.spawn_size_sampler();
        }
        for i in 0..n {
            cfg.start_server(i).await;
        }
        cfg.connect_all();
        cfg.net().set_reliable(!unreliable);
        if unreliable {
            tracing::info!(
                topic = "test",
                annotation = "unreliable network",
                band = "reliability",
                "network unreliable"
            );
        }
        cfg
    }

    /// Number of replicas.
    pub fn n(&self) -> usize {
        self.inner.cluster.n()
    }

    pub fn maxraftstate(&self) -> i64 {
        self.inner.cluster.maxraftstate()
    }

    /// Every server id, 0..n.
    pub fn all(&self) -> Vec<usize> {
        (0..self.n()).collect()
    }

    fn net(&self) -> &Network {
        self.inner.cluster.net()
    }

    fn stats(&self) -> MutexGuard<'_, Stats> {
        self.inner.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ---- replicas -------------------------------------------------------------------------------

    /// StartServer: replica i on a fresh node with fresh end names to every replica and a copy of its
    /// persisted state (or a new persister), hosting the KV and Raft services on one labrpc server.
    /// It stays disconnected until the test connects it.
    pub async fn start_server(&self, i: usize) {
        // The group annotates the start (and the crash) for the picture.
        if let Err(e) = self.inner.cluster.start(i).await {
            self.fail(&e);
        }
    }

    /// ShutdownServer: cut i off from everyone, delete its server (so no reply can come from it after
    /// its persister is replaced), replace `saved[i]` with a copy, then kill the replica and its node.
    pub fn shutdown_server(&self, i: usize) {
        tracing::info!(topic = "test", server = i, "shutdown server");
        self.disconnect(i, &self.all());
        self.inner.cluster.crash(i);
    }

    /// The current leader by its own account (of the highest term, if several claim it).
    pub fn leader(&self) -> Option<usize> {
        self.inner
            .cluster
            .live()
            .into_iter()
            .filter_map(|(i, kv)| {
                let (term, leader) = kv.raft().state();
                leader.then_some((term, i))
            })
            // Highest term wins; among equal terms (impossible for a correct Raft) the lowest id.
            .max_by_key(|&(term, i)| (term, std::cmp::Reverse(i)))
            .map(|(_, i)| i)
    }

    /// make_partition: p1 is the first ⌊n/2⌋+1 non-leaders in id order, p2 the rest with the leader
    /// last. With no leader, server 0 plays the leader (as in the Go tester).
    pub fn make_partition(&self) -> (Vec<usize>, Vec<usize>) {
        let n = self.n();
        let l = self.leader().unwrap_or(0);
        let others: Vec<usize> = (0..n).filter(|&i| i != l).collect();
        let p1 = others[..n / 2 + 1].to_vec();
        let mut p2 = others[n / 2 + 1..].to_vec();
        p2.push(l);
        (p1, p2)
    }

    // ---- connectivity ---------------------------------------------------------------------------

    /// Enables or disables both directions between i and each server in `peers`.
    fn set_links(&self, i: usize, peers: &[usize], enabled: bool) {
        // Outgoing ends of i, then incoming ends of each peer.
        for &j in peers {
            self.inner.cluster.set_link(i, j, enabled);
        }
        for &j in peers {
            self.inner.cluster.set_link(j, i, enabled);
        }
    }

    /// Brings up both directions between i and each server in `to`.
    pub fn connect(&self, i: usize, to: &[usize]) {
        tracing::info!(topic = "test", server = i, ?to, annotation = %format_args!("connect {} to {to:?}", server_name(i)), "connect");
        self.set_links(i, to, true);
    }

    /// Takes down both directions between i and each server in `from`.
    pub fn disconnect(&self, i: usize, from: &[usize]) {
        tracing::info!(topic = "test", server = i, ?from, annotation = %format_args!("disconnect {} from {from:?}", server_name(i)), "disconnect");
        self.set_links(i, from, false);
    }

    /// Full mesh between all servers (clerks untouched).
    pub fn connect_all(&self) {
        tracing::info!(
            topic = "test",
            annotation = "connect all",
            band = "network",
            end = true,
            "connect all"
        );
        let all = self.all();
        for i in 0..self.n() {
            self.set_links(i, &all, true);
        }
    }

    /// Each member of p1 is cut off from p2 and connected to p1 (itself included), and vice versa.
    pub fn partition(&self, p1: &[usize], p2: &[usize]) {
        tracing::info!(
            topic = "test",
            ?p1,
            ?p2,
            annotation = %format_args!("partition {p1:?} | {p2:?}"),
            band = "network",
            "partition"
        );
        for &i in p1 {
            self.set_links(i, p2, false);
            self.set_links(i, p1, true);
        }
        for &i in p2 {
            self.set_links(i, p1, false);
            self.set_links(i, p2, true);
        }
    }

    // ---- clients --------------------------------------------------------------------------------

    /// makeClient: a clerk with n fresh ends, one to each server, shuffled uniformly so the clerk's
    /// index is not the server id; only the ends to servers in `to` are enabled.
    pub fn make_client(&self, to: &[usize]) -> TestClerk<K::Clerk> {
        let (clerk, end_names) = self.inner.cluster.make_clerk(true);
        let ck = TestClerk {
            clerk: Arc::new(clerk),
            end_names: Arc::new(end_names),
            id: self.inner.clerks.fetch_add(1, Ordering::Relaxed),
        };
        self.connect_client(&ck, to);
        ck
    }

    /// deleteClient: the tester forgets the clerk (its ends stay as they are, like the Go tester's).
    pub fn delete_client(&self, ck: TestClerk<K::Clerk>) {
        drop(ck);
    }

    /// Enables the clerk's ends to the servers in `to`.
    pub fn connect_client(&self, ck: &TestClerk<K::Clerk>, to: &[usize]) {
        tracing::info!(topic = "test", client = ck.id, ?to, "connect client");
        for &j in to {
            self.net().enable(&ck.end_names[j], true);
        }
    }

    /// Disables the clerk's ends to the servers in `from`.
    pub fn disconnect_client(&self, ck: &TestClerk<K::Clerk>, from: &[usize]) {
        tracing::info!(topic = "test", client = ck.id, ?from, "disconnect client");
        for &j in from {
            self.net().enable(&ck.end_names[j], false);
        }
    }

    // ---- op wrappers ----------------------------------------------------------------------------

    fn op(&self) {
        self.inner.ops.fetch_add(1, Ordering::Relaxed);
    }

    /// Get through `ck`, counted; recorded in `log` (as client `cli`) with virtual call/return times.
    pub async fn get(
        &self,
        ck: &TestClerk<K::Clerk>,
        key: &str,
        log: Option<&History>,
        cli: u64,
    ) -> String {
        let start = now_ns();
        let before = op_meta::before(self.net(), &ck.end_names);
        let v = ck.clerk.get(key).await;
        let end = now_ns();
        self.op();
        if let Some(log) = log {
            let op = Operation::get(cli, start, end, key, &v);
            log.record(op.with_meta(self.served(ck, before)));
        }
        v
    }

    /// Put through `ck`, counted and optionally recorded.
    pub async fn put(
        &self,
        ck: &TestClerk<K::Clerk>,
        key: &str,
        value: &str,
        log: Option<&History>,
        cli: u64,
    ) {
        let start = now_ns();
        let before = op_meta::before(self.net(), &ck.end_names);
        ck.clerk.put(key, value).await;
        let end = now_ns();
        self.op();
        if let Some(log) = log {
            let op = Operation::put(cli, start, end, key, value);
            log.record(op.with_meta(self.served(ck, before)));
        }
    }

    /// Append through `ck`, counted and optionally recorded.
    pub async fn append(
        &self,
        ck: &TestClerk<K::Clerk>,
        key: &str,
        value: &str,
        log: Option<&History>,
        cli: u64,
    ) {
        let start = now_ns();
        let before = op_meta::before(self.net(), &ck.end_names);
        ck.clerk.append(key, value).await;
        let end = now_ns();
        self.op();
        if let Some(log) = log {
            let op = Operation::append(cli, start, end, key, value);
            log.record(op.with_meta(self.served(ck, before)));
        }
    }

    /// How `ck` served the operation it just did: retries, who answered, that server's term now.
    fn served(&self, ck: &TestClerk<K::Clerk>, before: op_meta::Before) -> checker::OpMeta {
        op_meta::after(self.net(), &ck.end_names, before, |j| {
            self.inner.cluster.server(j).map(|kv| kv.raft().state().0)
        })
    }

    /// check: an unrecorded Get that must return exactly `value`.
    pub async fn check(&self, ck: &TestClerk<K::Clerk>, key: &str, value: &str) {
        let v = self.get(ck, key, None, 0).await;
        if v != value {
            self.fail(&format!(
                "Get({key:?}): expected:\n{value:?}\nreceived:\n{v:?}"
            ));
        }
    }

    // ---- sizes ----------------------------------------------------------------------------------

    /// LogSize: the largest persisted Raft state over the replicas' persisters.
    pub fn log_size(&self) -> usize {
        let size = self.inner.cluster.log_size();
        self.inner.max_log_size.fetch_max(size, Ordering::Relaxed);
        size
    }

    /// SnapshotSize: the largest snapshot over the replicas' persisters.
    pub fn snapshot_size(&self) -> usize {
        self.inner.cluster.snapshot_size()
    }

    /// The largest persisted Raft state seen so far (sampled every millisecond of virtual time when
    /// maxraftstate > 0, and at every log_size() call).
    pub fn max_log_size_seen(&self) -> usize {
        self.inner.max_log_size.load(Ordering::Relaxed)
    }

    /// Prints the largest persisted Raft state seen, as bytes and as a multiple of maxraftstate.
    pub fn report_max_log_size(&self) {
        let max = self.max_log_size_seen().max(self.log_size());
        let m = self.maxraftstate();
        if m > 0 {
            println!(
                "  ... largest persisted raft state seen: {max} bytes = {:.2} x maxraftstate ({m})",
                max as f64 / m as f64
            );
        }
    }

    /// Samples log_size() every millisecond until the test finishes, so the report sees the peaks
    /// just before snapshots, not only the sizes at the test's checkpoints.
    fn spawn_size_sampler(&self) {
        let cfg = self.weak();
        madsim::task::spawn(async move {
            while let Some(cfg) = KvConfig::upgrade(&cfg)
                && !cfg.finished()
            {
                cfg.log_size();
                drop(cfg);
                sleep(SIZE_SAMPLE_INTERVAL).await;
            }
        });
    }

    // ---- begin / end / failure ------------------------------------------------------------------

    /// Prints the test's description and resets the counters end() reports.
    pub fn begin(&self, description: &str) {
        println!("{description} ...");
        tracing::info!(topic = "test", description, annotation = "begin", "begin");
        *self.stats() = Stats {
            t0: sim::node::now(),
            rpcs0: self.rpc_total(),
        };
        self.inner.ops.store(0, Ordering::Relaxed);
    }

    /// Checks the time limit and prints virtual seconds, peers, RPCs (client calls included) and ops
    /// since begin().
    pub fn end(&self) {
        self.check_timeout();
        let s = self.stats();
        let secs = (sim::node::now() - s.t0).as_secs_f64();
        let rpcs = self.rpc_total() - s.rpcs0;
        let ops = self.inner.ops.load(Ordering::Relaxed);
        tracing::info!(topic = "test", secs, rpcs, ops, annotation = "end", "end");
        println!("  ... Passed --  {secs:4.1}  {} {rpcs:5} {ops:4}", self.n());
    }

    /// cleanup: marks the test finished and kills every replica.
    pub fn cleanup(&self) {
        self.inner.finished.store(true, Ordering::SeqCst);
        self.inner.cluster.kill_all();
        self.check_timeout();
    }

    /// Registers the history the test records, so a failure anywhere dumps it. `label` names the files.
    pub fn set_history(&self, history: &History, label: &str) {
        crate::picture::registry::history(history);
        *self.inner.history.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((history.clone(), label.to_string()));
    }

    /// Fails the test: dumps the registered history as JSON (printing the path), then panics with
    /// `message`. Usable from any task of the test.
    pub fn fail(&self, message: &str) -> ! {
        let registered = self
            .inner
            .history
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some((history, label)) = registered {
            kv_history::dump_on_failure(&history, &label);
        }
        panic!("{message}{}", unanswered_note(self.net()));
    }

    fn finished(&self) -> bool {
        self.inner.finished.load(Ordering::SeqCst)
    }

    fn check_timeout(&self) {
        if let Some(message) = time_limit::overrun(self.inner.created) {
            self.fail(&message);
        }
    }

    /// Fails the run if the test is still going 120 s (virtual) after make_config.
    fn spawn_watchdog(&self) {
        let cfg = self.weak();
        time_limit::watch(move |message| {
            if let Some(cfg) = KvConfig::upgrade(&cfg)
                && !cfg.finished()
            {
                cfg.fail(message);
            }
        });
    }

    /// A handle for a background task that must not keep the test's cluster and history alive: a
    /// task still sleeping when the run ends is never dropped, and would keep them in memory.
    fn weak(&self) -> Weak<Inner<K>> {
        Arc::downgrade(&self.inner)
    }

    fn upgrade(inner: &Weak<Inner<K>>) -> Option<Self> {
        inner.upgrade().map(|inner| KvConfig { inner })
    }

    /// RPCs sent on the network so far, including clerks' calls and calls on disabled ends.
    pub fn rpc_total(&self) -> u64 {
        self.net().total_count()
    }
}

/// Virtual nanoseconds since the simulation started: the clock histories are recorded in.
pub fn now_ns() -> u64 {
    sim::node::now().as_nanos() as u64
}
