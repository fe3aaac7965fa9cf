//! The Lab 2 tester (the current course's `tester1` config for one kvsrv, LAB-TESTS-2025 §1): one
//! server `server-0-0` on its own node, clerks on fresh ends, the Begin/End lines, the 120 s
//! virtual-time limit enforced while the test runs, the test's history (dumped if it fails), and
//! the server's retained memory for the memory test.
//!
//! raft-lab's reliable network delivers at once, in no virtual time. Lab 2 has no Raft to pace
//! its clients, so a client loop would run a million operations per virtual second; the Lab 2
//! tester therefore gives each request on the reliable network a latency of U{0..1} ms (labrpc's
//! fault knobs, nothing lost), standing in for what an RPC costs in real time. The unreliable
//! network is the lab's own.

use crate::fresh;
use crate::heap;
use crate::kv_history;
use crate::test_run::{self, TestRun};
use crate::workload::{TestClerk, Tester, Workload};
use checker::History;
use labrpc::{FaultKnobs, Network, Server};
use madsim::runtime::NodeHandle;
use madsim::time::sleep;
use raftapi::{KvSrvClerk, KvSrvServer, Persister};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// A kvsrv to test: its server and its clerk. `(S, C)` is one.
pub trait KvSrvImpl: 'static {
    type Server: KvSrvServer;
    type Clerk: KvSrvClerk;
}

impl<S: KvSrvServer, C: KvSrvClerk> KvSrvImpl for (S, C) {
    type Server = S;
    type Clerk = C;
}

/// The server's name on the network and its node's name (server 0 of group 0).
pub const SERVER: &str = "server-0-0";

/// The reliable network of Lab 2: nothing lost, each request delivered after U{0..1} ms.
pub const RELIABLE_LATENCY: FaultKnobs = FaultKnobs {
    request_drop_permille: 0,
    reply_drop_permille: 0,
    min_delay_ms: 0,
    max_delay_ms: 1,
    duplicate_permille: 0,
};

/// A handle to the Lab 2 tester. Cloning shares it (client tasks hold their own).
pub struct KvSrvConfig<K: KvSrvImpl> {
    inner: Arc<Inner<K>>,
}

impl<K: KvSrvImpl> Clone for KvSrvConfig<K> {
    fn clone(&self) -> Self {
        KvSrvConfig {
            inner: self.inner.clone(),
        }
    }
}

/// One running server instance.
struct Instance<S> {
    server: Arc<S>,
    node: NodeHandle,
    name: String,
}

struct Inner<K: KvSrvImpl> {
    net: Network,
    reliable: bool,
    server: Mutex<Option<Instance<K::Server>>>,
    /// Clerks made so far (their trace ids).
    clerks: AtomicU64,
    history: History,
    run: TestRun,
}

impl<K: KvSrvImpl> Drop for Inner<K> {
    fn drop(&mut self) {
        // The server's services may hold ends back into the network.
        self.net.delete_all_servers();
    }
}

impl<K: KvSrvImpl> KvSrvConfig<K> {
    /// MakeConfig: the server started and connected on a reliable network, the 120 s clock
    /// started, and only then the network made as reliable as asked.
    pub async fn new(reliable: bool) -> Self {
        let cfg = KvSrvConfig {
            inner: Arc::new(Inner {
                net: Network::new(),
                reliable,
                server: Mutex::new(None),
                clerks: AtomicU64::new(0),
                history: History::new(),
                run: TestRun::new("kvsrv"),
            }),
        };
        tracing::info!(topic = "test", reliable, "make kvsrv config");
        crate::picture::registry::history(&cfg.inner.history);
        let instance = cfg.start_instance(SERVER).await;
        *lock(&cfg.inner.server) = Some(instance);
        cfg.spawn_watchdog();
        if reliable {
            // Valid knobs by construction.
            let _ = cfg.net().set_fault_knobs(Some(RELIABLE_LATENCY));
        } else {
            cfg.net().set_reliable(false);
            tracing::info!(
                topic = "test",
                annotation = "unreliable network",
                band = "reliability",
                "network unreliable"
            );
        }
        cfg
    }

    fn net(&self) -> &Network {
        &self.inner.net
    }

    /// A server instance named `name` on a fresh node, with its own (enabled) end to itself as the
    /// course gives every member of a group, hosting its services.
    async fn start_instance(&self, name: &str) -> Instance<K::Server> {
        let server_name = name.to_string();
        let to_self = move |_: usize| server_name.clone();
        let (end_names, ends) = fresh::ends_to(self.net(), 1, &to_self);
        let node = sim::node::create(name);
        let server = sim::node::run_on(&node, async move {
            K::Server::start(ends, 0, 0, Persister::new())
        })
        .await
        .unwrap_or_else(|| self.fail(&format!("{name}'s node died while starting")));
        let server = Arc::new(server);
        let mut rpc_server = Server::new(node.clone());
        for service in server.services() {
            rpc_server.add_service(service);
        }
        self.net().add_server(name, rpc_server);
        for end in &end_names {
            self.net().enable(end, true);
        }
        Instance {
            server,
            node,
            name: name.to_string(),
        }
    }

    /// Tears an instance down: deleted from the network (calls in flight fail), killed, its node
    /// killed; then lets the executor drop the node's tasks.
    async fn tear_down(&self, instance: Instance<K::Server>) {
        self.net().delete_server(&instance.name);
        instance.server.kill();
        sim::node::kill(&instance.node);
        drop(instance);
        sleep(Duration::ZERO).await;
    }

    /// The bytes `instance` held: what tearing it down frees. madsim keeps every finished task
    /// of a node listed until the tasks are counted; counting first drops those, which are
    /// madsim's bookkeeping, not the server's memory.
    async fn retained_bytes(&self, instance: Instance<K::Server>) -> i64 {
        if !heap::counting() {
            self.fail(
                "this test binary does not count heap bytes: \
                 declare heap::CountingAlloc as its #[global_allocator]",
            );
        }
        madsim::runtime::Handle::current().metrics().num_tasks();
        let before = heap::live_bytes();
        self.tear_down(instance).await;
        before - heap::live_bytes()
    }

    /// Shuts the server down and returns the heap bytes it held: its state and everything
    /// reachable only from it (its labrpc registration, handlers and node's tasks).
    pub async fn shutdown_server_retained_bytes(&self) -> i64 {
        let instance = lock(&self.inner.server).take();
        match instance {
            Some(instance) => self.retained_bytes(instance).await,
            None => self.fail("the server is already shut down"),
        }
    }

    /// The heap bytes a freshly started server instance holds before any request, the baseline of
    /// the memory test: an instance is started, registered and torn down like the server.
    pub async fn fresh_server_retained_bytes(&self) -> i64 {
        let probe = self.start_instance("server-0-0-fresh").await;
        self.retained_bytes(probe).await
    }

    // ---- clients --------------------------------------------------------------------------------

    /// MakeClerk: a clerk on a fresh end to the server, enabled.
    pub fn make_clerk(&self) -> Arc<TestClerk<K::Clerk>> {
        let to_server = |_: usize| SERVER.to_string();
        let (end_names, mut ends) = fresh::ends_to(self.net(), 1, &to_server);
        for name in &end_names {
            self.net().enable(name, true);
        }
        let id = self.inner.clerks.fetch_add(1, Ordering::Relaxed);
        let clerk = K::Clerk::make(ends.remove(0));
        Arc::new(TestClerk::new(clerk, id, end_names, self.inner.run.ops()))
    }

    /// DeleteClerk: the clerk's ends are disabled, so its calls fail like a deleted end's.
    pub fn delete_clerk(&self, ck: &TestClerk<K::Clerk>) {
        for name in ck.end_names() {
            self.net().enable(name, false);
        }
    }

    /// The workload library on this tester.
    pub fn workload(&self) -> Workload<Self> {
        Workload::new(self.clone())
    }

    // ---- begin / end / failure ------------------------------------------------------------------

    /// Begin: prints `<description> (reliable network)...` (or unreliable) and resets the counts
    /// end() reports.
    pub fn begin(&self, description: &str) {
        self.inner
            .run
            .begin(description, self.inner.reliable, self.rpc_total());
    }

    /// End: checks the time limit, then prints virtual seconds, peers (1), RPCs (clerks' included)
    /// and ops since begin().
    pub fn end(&self) {
        self.check_timeout();
        self.inner.run.end(1, self.rpc_total());
    }

    /// Cleanup: marks the test finished, tears the server down, and checks the time limit.
    pub async fn cleanup(&self) {
        self.inner.run.finish();
        let instance = lock(&self.inner.server).take();
        if let Some(instance) = instance {
            self.tear_down(instance).await;
        }
        self.check_timeout();
    }

    /// Checks the test's history under the versioned model; anything but linearizable fails.
    pub fn check_porcupine(&self) {
        self.workload().check_porcupine(&self.inner.run.label());
    }

    /// RPCs sent on the network so far, including clerks' calls and calls on disabled ends.
    pub fn rpc_total(&self) -> u64 {
        self.net().total_count()
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
            |inner, m| KvSrvConfig { inner }.fail(m),
        );
    }
}

impl<K: KvSrvImpl> Tester for KvSrvConfig<K> {
    type Clerk = K::Clerk;

    fn make_clerk(&self) -> Arc<TestClerk<K::Clerk>> {
        KvSrvConfig::make_clerk(self)
    }

    fn delete_clerk(&self, ck: &TestClerk<K::Clerk>) {
        KvSrvConfig::delete_clerk(self, ck)
    }

    fn history(&self) -> &History {
        &self.inner.history
    }

    fn reliable(&self) -> bool {
        self.inner.reliable
    }

    fn network(&self) -> Option<&Network> {
        Some(&self.inner.net)
    }

    /// Fatal: dumps the test's history as JSON (if it has one), then panics with `message`.
    fn fail(&self, message: &str) -> ! {
        if !self.inner.history.is_empty() {
            kv_history::dump_on_failure(&self.inner.history, &self.inner.run.label());
        }
        panic!("{message}");
    }
}

/// Locks a mutex of the tester; every update under them is a single assignment, so a poisoned
/// lock (a test already failing) still guards consistent data.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
