//! The KV lab's generic flows (docs/lab-tests-2023.md §4): GenericTest with its three rounds of
//! clients, partitions and restarts, GenericTestSpeed, and the append checks they and the other tests
//! share.

use crate::TestedKv;
use crate::kv_appends::clnt_appends_error;
use crate::kv_cluster::KvImpl;
use crate::kv_config::{ELECTION_TIMEOUT, KvConfig, TestClerk};
use crate::kv_history;
use crate::kv_partitioner::Partitioner;
use checker::History;
use madsim::task::JoinHandle;
use madsim::time::sleep;
use raftapi::KvClerk;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// GenericTestSpeed: how many sequential Appends are timed.
pub const SPEED_OPS: u32 = 1000;
/// GenericTestSpeed's bound: a heartbeat interval (100 ms) per 3 operations.
pub const SPEED_TIME_PER_OP: Duration = Duration::from_nanos(100_000_000 / 3);

/// Starts `ncli` clients, each a task with a fresh clerk on all servers running `f(cli, clerk)`. The
/// handles yield what `f` returned; the tester forgets each clerk once its client is done.
pub fn spawn_clients<K, T, F, Fut>(cfg: &KvConfig<K>, ncli: usize, f: F) -> Vec<JoinHandle<T>>
where
    K: KvImpl,
    T: Send + 'static,
    F: Fn(usize, TestClerk<K::Clerk>) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    (0..ncli)
        .map(|cli| {
            let cfg = cfg.clone();
            let f = f.clone();
            madsim::task::spawn(async move {
                let ck = cfg.make_client(&cfg.all());
                let result = f(cli, ck.clone()).await;
                cfg.delete_client(ck);
                result
            })
        })
        .collect()
}

/// Waits for one client task and returns its result; a lost task fails the test.
pub async fn join_client<K: KvImpl, T>(cfg: &KvConfig<K>, cli: usize, handle: JoinHandle<T>) -> T {
    handle
        .await
        .unwrap_or_else(|e| cfg.fail(&format!("client {cli} did not finish: {e:?}")))
}

/// spawn_clients_and_wait: runs `ncli` clients to completion, returning their results in order.
pub async fn spawn_clients_and_wait<K, T, F, Fut>(cfg: &KvConfig<K>, ncli: usize, f: F) -> Vec<T>
where
    K: KvImpl,
    T: Send + 'static,
    F: Fn(usize, TestClerk<K::Clerk>) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let mut results = Vec::with_capacity(ncli);
    for (cli, handle) in spawn_clients(cfg, ncli, f).into_iter().enumerate() {
        results.push(join_client(cfg, cli, handle).await);
    }
    results
}

/// checkClntAppends: each "x clnt j y" for j < count appears in `v` exactly once, in increasing order.
pub fn check_clnt_appends<K: KvImpl>(cfg: &KvConfig<K>, clnt: usize, v: &str, count: usize) {
    if let Some(error) = clnt_appends_error(clnt, v, count) {
        cfg.fail(&error);
    }
}

/// checkConcurrentAppends: for every client i, its `counts[i]` elements appear exactly once, in order.
pub fn check_concurrent_appends<K: KvImpl>(cfg: &KvConfig<K>, v: &str, counts: &[usize]) {
    for (i, &count) in counts.iter().enumerate() {
        check_clnt_appends(cfg, i, v, count);
    }
}

/// GenericTest's parameters: the lab's tuple (clients, servers, unreliable, crash, partitions,
/// maxraftstate, randomkeys), plus the part ("3A" or "3B") for the title. Build it with
/// [`GenericTest::new`] and the switches, then [`GenericTest::run`].
#[derive(Clone, Debug)]
pub struct GenericTest {
    pub part: &'static str,
    pub nclients: usize,
    pub nservers: usize,
    pub unreliable: bool,
    pub crash: bool,
    pub partitions: bool,
    pub maxraftstate: i64,
    pub randomkeys: bool,
}

impl GenericTest {
    /// `nclients` clients on `nservers` servers, reliable, no crashes or partitions, no snapshots
    /// (maxraftstate −1), one key per client.
    pub fn new(part: &'static str, nclients: usize, nservers: usize) -> Self {
        GenericTest {
            part,
            nclients,
            nservers,
            unreliable: false,
            crash: false,
            partitions: false,
            maxraftstate: -1,
            randomkeys: false,
        }
    }

    pub fn unreliable(mut self) -> Self {
        self.unreliable = true;
        self
    }

    /// Restart every server at the end of each round.
    pub fn crash(mut self) -> Self {
        self.crash = true;
        self
    }

    /// Run the partitioner during each round.
    pub fn partitions(mut self) -> Self {
        self.partitions = true;
        self
    }

    pub fn maxraftstate(mut self, bytes: i64) -> Self {
        self.maxraftstate = bytes;
        self
    }

    /// Clients pick random keys (and sometimes Put); values are then checked only for linearizability.
    pub fn randomkeys(mut self) -> Self {
        self.randomkeys = true;
        self
    }

    /// The lab's title for these parameters.
    pub fn title(&self) -> String {
        let mut title = String::from("Test: ");
        if self.unreliable {
            title += "unreliable net, ";
        }
        if self.crash {
            title += "restarts, ";
        }
        if self.partitions {
            title += "partitions, ";
        }
        if self.maxraftstate != -1 {
            title += "snapshots, ";
        }
        if self.randomkeys {
            title += "random keys, ";
        }
        title += if self.nclients > 1 {
            "many clients"
        } else {
            "one client"
        };
        title + " (" + self.part + ")"
    }

    /// GenericTest on the service under test.
    pub async fn run(self) {
        self.run_on::<TestedKv>().await;
    }

    /// GenericTest: three rounds of clients (with partitions and/or restarts), the per-round append
    /// and size checks, then the linearizability check of the whole history.
    pub async fn run_on<K: KvImpl>(self) {
        let title = self.title();
        let label = kv_history::slug(&title);
        let cfg = KvConfig::<K>::new(self.nservers, self.unreliable, self.maxraftstate).await;
        cfg.begin(&title);
        let history = History::new();
        cfg.set_history(&history, &label);
        let ck = cfg.make_client(&cfg.all());

        for _round in 0..3 {
            let done_clients = Arc::new(AtomicBool::new(false));
            let clients = spawn_clients(
                &cfg,
                self.nclients,
                client_loop(
                    cfg.clone(),
                    history.clone(),
                    done_clients.clone(),
                    self.nclients,
                    self.randomkeys,
                ),
            );

            let partitioner = if self.partitions {
                // Let the clients work a while without interruption.
                sleep(Duration::from_secs(1)).await;
                Some(Partitioner::start(&cfg))
            } else {
                None
            };
            sleep(Duration::from_secs(5)).await;

            done_clients.store(true, Ordering::SeqCst);
            if let Some(p) = &partitioner {
                p.signal_stop();
            }

            if let Some(p) = partitioner {
                p.join().await;
                // A client may have sent a request into a minority; it completes once that server
                // learns of a new term, so heal and give the cluster an election timeout.
                cfg.connect_all();
                sleep(ELECTION_TIMEOUT).await;
            }

            if self.crash {
                for i in 0..self.nservers {
                    cfg.shutdown_server(i);
                }
                sleep(ELECTION_TIMEOUT).await;
                for i in 0..self.nservers {
                    cfg.start_server(i).await;
                }
                cfg.connect_all();
            }

            for (i, handle) in clients.into_iter().enumerate() {
                let j = join_client(&cfg, i, handle).await;
                let v = cfg.get(&ck, &i.to_string(), Some(&history), 0).await;
                if !self.randomkeys {
                    check_clnt_appends(&cfg, i, &v, j);
                }
            }

            if self.maxraftstate > 0 {
                // After the servers processed every request and had time to snapshot.
                let sz = cfg.log_size();
                if sz as i64 > 8 * self.maxraftstate {
                    cfg.fail(&format!(
                        "logs were not trimmed ({sz} > 8*{})",
                        self.maxraftstate
                    ));
                }
            }
            if self.maxraftstate < 0 {
                let ssz = cfg.snapshot_size();
                if ssz > 0 {
                    cfg.fail(&format!(
                        "snapshot too large ({ssz}), should not be used when maxraftstate = {}",
                        self.maxraftstate
                    ));
                }
            }
        }

        if let Err(message) = kv_history::check(&history, &label) {
            panic!("{message}");
        }
        cfg.report_max_log_size();
        cfg.end();
        cfg.cleanup();
    }
}

/// One GenericTest client: with its own key, Put "" first and check every Get against the appends so
/// far; with random keys, also Put now and then. Returns how many values it wrote (j).
fn client_loop<K: KvImpl>(
    cfg: KvConfig<K>,
    history: History,
    done: Arc<AtomicBool>,
    nclients: usize,
    randomkeys: bool,
) -> impl Fn(usize, TestClerk<K::Clerk>) -> std::pin::Pin<Box<dyn Future<Output = usize> + Send>>
+ Clone
+ Send
+ 'static {
    move |cli, myck| {
        let (cfg, history, done) = (cfg.clone(), history.clone(), done.clone());
        Box::pin(async move {
            let log = Some(&history);
            let id = cli as u64;
            let mut j = 0;
            let mut last = String::new(); // only used without random keys
            if !randomkeys {
                cfg.put(&myck, &cli.to_string(), &last, log, id).await;
            }
            while !done.load(Ordering::SeqCst) {
                let key = if randomkeys {
                    sim::rng::uniform(0, nclients as u64 - 1).to_string()
                } else {
                    cli.to_string()
                };
                let nv = format!("x {cli} {j} y");
                if sim::rng::chance(0.5) {
                    cfg.append(&myck, &key, &nv, log, id).await;
                    if !randomkeys {
                        last += &nv;
                    }
                    j += 1;
                } else if randomkeys && sim::rng::chance(0.1) {
                    // Only with random keys: a Put would break the Get check below.
                    cfg.put(&myck, &key, &nv, log, id).await;
                    j += 1;
                } else {
                    let v = cfg.get(&myck, &key, log, id).await;
                    if !randomkeys && v != last {
                        cfg.fail(&format!(
                            "get wrong value, key {key:?}, wanted:\n{last:?}\n, got\n{v:?}"
                        ));
                    }
                }
            }
            j
        })
    }
}

/// GenericTestSpeed: 3 reliable servers; one Get to wait for a leader, then 1000 sequential Appends
/// timed in virtual time, which must average at most 100 ms / 3 each. The calls bypass the op
/// wrappers, so the ops column prints 0.
pub async fn generic_test_speed(part: &str, maxraftstate: i64) {
    generic_test_speed_on::<TestedKv>(part, maxraftstate).await;
}

/// [`generic_test_speed`] on the service `K`.
pub async fn generic_test_speed_on<K: KvImpl>(part: &str, maxraftstate: i64) {
    let nservers = 3;
    let cfg = KvConfig::<K>::new(nservers, false, maxraftstate).await;
    let ck = cfg.make_client(&cfg.all());
    cfg.begin(&format!("Test: ops complete fast enough ({part})"));

    // Wait until a leader is elected and the servers serve requests.
    ck.clerk().get("x").await;

    let start = sim::node::now();
    for i in 0..SPEED_OPS {
        ck.clerk().append("x", &format!("x 0 {i} y")).await;
    }
    let dur = sim::node::now() - start;

    let v = ck.clerk().get("x").await;
    check_clnt_appends(&cfg, 0, &v, SPEED_OPS as usize);

    let per_op = dur / SPEED_OPS;
    println!(
        "  ... {SPEED_OPS} appends in {:.3} s virtual: {:.3} ms per operation (limit {:.3} ms)",
        dur.as_secs_f64(),
        per_op.as_secs_f64() * 1e3,
        SPEED_TIME_PER_OP.as_secs_f64() * 1e3
    );
    if dur > SPEED_TIME_PER_OP * SPEED_OPS {
        cfg.fail(&format!(
            "Operations completed too slowly {per_op:?}/op > {SPEED_TIME_PER_OP:?}/op"
        ));
    }
    cfg.report_max_log_size();
    cfg.end();
    cfg.cleanup();
}
