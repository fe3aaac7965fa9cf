//! The sharded KV tester (the course's `shardkv1/test.go` on `tester1`, LAB-TESTS-2025 §1 and §9.2):
//! group 0, the controllers' kvsrv `server-0-0`, and any number of shard groups `server-g-i` of
//! [`NSRV`] servers each, all on one network; clients made on demand; Begin/End lines, the test's
//! history, and the 120 s virtual-time limit enforced while the test runs.
//!
//! As in Lab 2 (`kvsrv_config`), a request on the reliable network is delivered after U{0..1} ms
//! rather than in no virtual time: a controller or clerk that polls the kvsrv in a loop would
//! otherwise poll without end in one virtual instant. The unreliable network is the lab's own, and
//! either setting covers every RPC, Raft's within groups included.

use super::clnt::TestClnt;
use super::ctrler_store::CtrlerStore;
use super::member::Member;
use crate::diagnosis::unanswered_note;
use crate::kv_history;
use crate::kvsrv_config::RELIABLE_LATENCY;
use crate::server_group::{ServerGroup, ServerNames};
use crate::test_run::{self, TestRun};
use crate::workload::{TestClerk, Tester, Workload};
use checker::History;
use labrpc::Network;
use raftapi::KvSrvServer;
use shardapi::{Clnt, Gid, ShardCtrler, ShardGrpServer, ShardKvClerk};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Servers per shard group.
pub const NSRV: usize = 3;
/// The first gid `new_gid` hands out (group 1 is set up by `setup_kv_service`).
const FIRST_NEW_GID: Gid = shardapi::GID1 + 1;

/// A sharded KV to test: group 0's kvsrv, the shard group server, the controller and the sharded
/// clerk. `(A, B, C, D)` is one.
pub trait ShardKvImpl: 'static {
    type KvSrv: KvSrvServer;
    type Server: ShardGrpServer;
    type Ctrler: ShardCtrler;
    type Clerk: ShardKvClerk<Ctrler = Self::Ctrler>;
}

impl<A, B, C, D> ShardKvImpl for (A, B, C, D)
where
    A: KvSrvServer,
    B: ShardGrpServer,
    C: ShardCtrler,
    D: ShardKvClerk<Ctrler = C>,
{
    type KvSrv = A;
    type Server = B;
    type Ctrler = C;
    type Clerk = D;
}

/// One shard group of the implementation `K`.
pub type Group<K> = ServerGroup<Member<<K as ShardKvImpl>::Server>>;

/// A handle to one sharded KV test. Cloning shares it (the test's tasks hold their own).
pub struct ShardKvTest<K: ShardKvImpl> {
    inner: Arc<Inner<K>>,
}

impl<K: ShardKvImpl> Clone for ShardKvTest<K> {
    fn clone(&self) -> Self {
        ShardKvTest {
            inner: self.inner.clone(),
        }
    }
}

struct Inner<K: ShardKvImpl> {
    net: Network,
    reliable: bool,
    /// The course's `partition` flag (MakeTestLeases): partitioned controllers are reconnected.
    partition: bool,
    maxraftstate: i64,
    store: Mutex<Option<CtrlerStore<K::KvSrv>>>,
    /// The groups made and not exited, by gid.
    groups: Mutex<BTreeMap<Gid, Arc<Group<K>>>>,
    next_gid: AtomicU64,
    /// The test's own controller, made by `setup_kv_service`.
    sck: Mutex<Option<Arc<K::Ctrler>>>,
    /// Each tester clerk's clients (its own and its controller's), by the clerk's id.
    clerk_clnts: Mutex<BTreeMap<u64, [Arc<TestClnt>; 2]>>,
    clerks: AtomicU64,
    history: History,
    run: TestRun,
}

impl<K: ShardKvImpl> Drop for Inner<K> {
    fn drop(&mut self) {
        // Servers hold ends back into the network: without this the cycle outlives the test.
        self.net.delete_all_servers();
    }
}

/// Locks a mutex of the tester; every update under them is a single assignment or insert, so a
/// poisoned lock (a test already failing) still guards consistent data.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<K: ShardKvImpl> ShardKvTest<K> {
    /// MakeTestMaxRaft: group 0's kvsrv started on a reliable network, the 120 s clock started,
    /// the network made as reliable as asked, then Begin(`part`). Shard groups snapshot past
    /// `maxraftstate` bytes (< 0: never); `partition` is the course's flag of the 5C tests.
    pub async fn make_max_raft(
        part: &str,
        reliable: bool,
        partition: bool,
        maxraftstate: i64,
    ) -> Self {
        let ts = ShardKvTest {
            inner: Arc::new(Inner {
                net: Network::new(),
                reliable,
                partition,
                maxraftstate,
                store: Mutex::new(None),
                groups: Mutex::new(BTreeMap::new()),
                next_gid: AtomicU64::new(FIRST_NEW_GID),
                sck: Mutex::new(None),
                clerk_clnts: Mutex::new(BTreeMap::new()),
                clerks: AtomicU64::new(0),
                history: History::new(),
                run: TestRun::new("shardkv"),
            }),
        };
        tracing::info!(
            topic = "test",
            reliable,
            partition,
            maxraftstate,
            "make shardkv test"
        );
        let Some(store) = CtrlerStore::start(ts.net()).await else {
            ts.fail("the controllers' kvsrv died while starting");
        };
        *lock(&ts.inner.store) = Some(store);
        ts.spawn_watchdog();
        if reliable {
            // Valid knobs by construction.
            let _ = ts.net().set_fault_knobs(Some(RELIABLE_LATENCY));
        } else {
            ts.net().set_reliable(false);
        }
        ts.begin(part);
        ts
    }

    /// MakeTest: no partitioned controller is reconnected, no snapshots.
    pub async fn make(part: &str, reliable: bool) -> Self {
        Self::make_max_raft(part, reliable, false, -1).await
    }

    /// MakeTestLeases (5C): partitioned controllers are reconnected, no snapshots.
    pub async fn make_leases(part: &str, reliable: bool) -> Self {
        Self::make_max_raft(part, reliable, true, -1).await
    }

    pub fn net(&self) -> &Network {
        &self.inner.net
    }

    /// The course's `partition` flag.
    pub fn partition(&self) -> bool {
        self.inner.partition
    }

    // ---- clients and controllers ----------------------------------------------------------------

    /// MakeClient: a client that may reach every server.
    pub fn make_client(&self) -> Arc<TestClnt> {
        Arc::new(TestClnt::new(self.net().clone()))
    }

    /// makeShardCtrlerClnt: a controller on a client of its own, and that client. It does not
    /// call InitController.
    pub fn make_shard_ctrler_clnt(&self) -> (K::Ctrler, Arc<TestClnt>) {
        let clnt = self.make_client();
        (K::Ctrler::make(clnt.clone() as Clnt), clnt)
    }

    /// makeShardCtrler: a controller on a client of its own.
    pub fn make_shard_ctrler(&self) -> K::Ctrler {
        self.make_shard_ctrler_clnt().0
    }

    /// The test's controller, made by `setup_kv_service`.
    pub fn shard_ctrler(&self) -> Arc<K::Ctrler> {
        match lock(&self.inner.sck).clone() {
            Some(sck) => sck,
            None => self.fail("the test has no controller: setup_kv_service has not run"),
        }
    }

    pub(super) fn set_shard_ctrler(&self, sck: K::Ctrler) -> Arc<K::Ctrler> {
        let sck = Arc::new(sck);
        *lock(&self.inner.sck) = Some(sck.clone());
        sck
    }

    /// MakeClerk: a sharded clerk on a fresh client, whose controller has a client of its own.
    pub fn make_clerk(&self) -> Arc<TestClerk<K::Clerk>> {
        let clnt = self.make_client();
        let (sck, sck_clnt) = self.make_shard_ctrler_clnt();
        let clerk = K::Clerk::make(clnt.clone() as Clnt, sck);
        let id = self.inner.clerks.fetch_add(1, Ordering::Relaxed);
        lock(&self.inner.clerk_clnts).insert(id, [clnt, sck_clnt]);
        Arc::new(TestClerk::new(clerk, id, Vec::new(), self.inner.run.ops()))
    }

    /// DeleteClerk: both of the clerk's clients are deleted.
    pub fn delete_clerk(&self, ck: &TestClerk<K::Clerk>) {
        if let Some(clnts) = lock(&self.inner.clerk_clnts).remove(&ck.id()) {
            for clnt in clnts {
                clnt.delete();
            }
        }
    }

    /// The workload library on this tester.
    pub fn workload(&self) -> Workload<Self> {
        Workload::new(self.clone())
    }

    // ---- groups ---------------------------------------------------------------------------------

    /// newGid: the next unused gid.
    pub fn new_gid(&self) -> Gid {
        self.inner.next_gid.fetch_add(1, Ordering::SeqCst)
    }

    /// groups(n): n new gids.
    pub fn new_gids(&self, n: usize) -> Vec<Gid> {
        (0..n).map(|_| self.new_gid()).collect()
    }

    /// MakeGroupStart: a new group `gid` of [`NSRV`] servers, started and connected.
    pub async fn make_group_start(&self, gid: Gid) -> Arc<Group<K>> {
        let names = ServerNames::group(gid as usize);
        let group = Arc::new(ServerGroup::new(
            NSRV,
            self.inner.maxraftstate,
            self.net().clone(),
            names,
        ));
        if lock(&self.inner.groups)
            .insert(gid, group.clone())
            .is_some()
        {
            self.fail(&format!("group {gid} made twice"));
        }
        if let Err(e) = group.start_servers().await {
            self.fail(&format!("group {gid}: {e}"));
        }
        group
    }

    /// Group `gid`, which must exist.
    pub fn group(&self, gid: Gid) -> Arc<Group<K>> {
        match lock(&self.inner.groups).get(&gid) {
            Some(group) => group.clone(),
            None => self.fail(&format!("there is no group {gid}")),
        }
    }

    /// The names of group `gid`'s servers, in order (SrvNames).
    pub fn srv_names(&self, gid: Gid) -> Vec<String> {
        let group = self.group(gid);
        (0..group.n()).map(|i| group.names().name(i)).collect()
    }

    /// ExitGroup: shuts the group down and forgets it.
    pub fn exit_group(&self, gid: Gid) {
        let group = lock(&self.inner.groups).remove(&gid);
        if let Some(group) = group {
            group.shutdown();
        }
    }

    /// StartServers of group `gid`, failing the test if a server cannot start.
    pub async fn start_servers(&self, gid: Gid) {
        if let Err(e) = self.group(gid).start_servers().await {
            self.fail(&format!("group {gid}: {e}"));
        }
    }

    /// SnapshotSize of group `gid`: its largest snapshot over its servers' persisters.
    pub fn snapshot_size(&self, gid: Gid) -> usize {
        self.group(gid).snapshot_size()
    }

    // ---- bounds, begin / end / failure ----------------------------------------------------------

    /// Runs `fut`; fails the test if it has not finished after `limit` of virtual time.
    pub async fn within<T>(&self, limit: Duration, what: &str, fut: impl Future<Output = T>) -> T {
        match madsim::time::timeout(limit, fut).await {
            Ok(value) => value,
            Err(_) => self.fail(&format!(
                "{what} did not finish within {:.1} s",
                limit.as_secs_f64()
            )),
        }
    }

    /// Begin: prints `<description> (reliable network)...` (or unreliable) and resets the counts
    /// end() reports.
    pub fn begin(&self, description: &str) {
        let rpcs = self.net().total_count();
        self.inner
            .run
            .begin(description, self.net().is_reliable(), rpcs);
    }

    /// End: checks the time limit, then prints virtual seconds, peers (group 0's one), RPCs
    /// (clients' included) and ops since begin().
    pub fn end(&self) {
        self.check_timeout();
        self.inner.run.end(1, self.net().total_count());
    }

    /// Cleanup: End, then marks the test finished and kills every server.
    pub fn cleanup(&self) {
        self.end();
        self.inner.run.finish();
        let groups: Vec<_> = std::mem::take(&mut *lock(&self.inner.groups))
            .into_values()
            .collect();
        for group in groups {
            group.kill_all();
        }
        if let Some(store) = lock(&self.inner.store).take() {
            store.kill(self.net());
        }
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
            |inner, m| ShardKvTest { inner }.fail(m),
        );
    }
}

impl<K: ShardKvImpl> Tester for ShardKvTest<K> {
    type Clerk = K::Clerk;

    fn make_clerk(&self) -> Arc<TestClerk<K::Clerk>> {
        ShardKvTest::make_clerk(self)
    }

    fn delete_clerk(&self, ck: &TestClerk<K::Clerk>) {
        ShardKvTest::delete_clerk(self, ck)
    }

    fn history(&self) -> &History {
        &self.inner.history
    }

    fn reliable(&self) -> bool {
        self.inner.reliable
    }

    /// Fatal: dumps the test's history as JSON (if it has one), then panics with `message` and
    /// the handlers that have not replied.
    fn fail(&self, message: &str) -> ! {
        if !self.inner.history.is_empty() {
            kv_history::dump_on_failure(&self.inner.history, &self.inner.run.label());
        }
        panic!("{message}{}", unanswered_note(self.net()));
    }
}
