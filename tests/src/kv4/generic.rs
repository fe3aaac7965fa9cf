//! GenericTest and GenericTestSpeed of the current course's KV tests (docs/lab-tests-2026.md §7):
//! rounds of clients racing to put versioned values, with partitions and restarts, checked for
//! the number of puts and for linearizability; and 1000 sequential puts timed in virtual time.

use super::config::{Kv4Impl, Kv4Test, Setup};
use crate::kv_partitioner::Partitioner;
use crate::workload::values::make_keys;
use crate::workload::{ClientResult, Stop, TestClerk};
use madsim::time::sleep;
use raftapi::VersionedClerk;
use std::sync::Arc;
use std::time::Duration;

/// Rounds per GenericTest.
const ROUNDS: usize = 3;
/// How long the clients of a round put.
const CLIENT_PERIOD: Duration = Duration::from_secs(1);
/// Keys with random keys.
const NKEYS: usize = 100;
/// The course's sleep unit.
const ELECTION_TIMEOUT: Duration = Duration::from_secs(1);
/// GenericTestSpeed: how many sequential puts are timed…
const SPEED_OPS: u64 = 1000;
/// …and their bound: a heartbeat interval (100 ms) per 3 operations.
const SPEED_TIME_PER_OP: Duration = Duration::from_nanos(100_000_000 / 3);

/// GenericTest's parameters (the course's MakeTest tuple): build with [`GenericTest::new`] and the
/// switches, then [`GenericTest::run`].
#[derive(Clone, Copy, Debug)]
pub struct GenericTest {
    pub part: &'static str,
    pub nclients: usize,
    pub setup: Setup,
    pub random_keys: bool,
}

impl GenericTest {
    /// `nclients` clients on `nservers` reliable servers, no restarts, partitions or snapshots,
    /// all on one key.
    pub fn new(part: &'static str, nclients: usize, nservers: usize) -> Self {
        GenericTest {
            part,
            nclients,
            setup: Setup {
                nservers,
                reliable: true,
                crash: false,
                partitions: false,
                maxraftstate: -1,
            },
            random_keys: false,
        }
    }

    pub fn unreliable(mut self) -> Self {
        self.setup.reliable = false;
        self
    }

    /// Restart every server after each round.
    pub fn crash(mut self) -> Self {
        self.setup.crash = true;
        self
    }

    /// Run the partitioner in each round.
    pub fn partitions(mut self) -> Self {
        self.setup.partitions = true;
        self
    }

    pub fn maxraftstate(mut self, bytes: i64) -> Self {
        self.setup.maxraftstate = bytes;
        self
    }

    /// Clients put random keys of 100 instead of one key.
    pub fn random_keys(mut self) -> Self {
        self.random_keys = true;
        self
    }

    /// The course's title: "Test: restarts, partitions, snapshots, random keys, many clients (4B)",
    /// with only the parts that apply.
    pub fn title(&self) -> String {
        title(self.part, self.nclients, self.setup, self.random_keys)
    }

    /// GenericTest on the service `K`.
    pub async fn run<K: Kv4Impl>(self) {
        let setup = self.setup;
        let ts = Kv4Test::<K>::new(setup).await;
        ts.begin(&self.title());
        let mut wl = ts.workload();
        if self.random_keys {
            wl = wl.with_random_keys();
        }
        let ck = ts.make_clerk();
        let keys = if self.random_keys {
            make_keys(NKEYS)
        } else {
            vec!["k".to_string()]
        };
        let mut total = ClientResult::default();

        for _round in 0..ROUNDS {
            let clients = {
                let (wl, keys) = (wl.clone(), keys.clone());
                let nclients = self.nclients;
                madsim::task::spawn(async move {
                    let client_wl = wl.clone();
                    let client = move |me: usize, ck: Arc<TestClerk<K::Clerk>>, stop: Stop| {
                        let (wl, keys) = (client_wl.clone(), keys.clone());
                        async move { wl.one_client_put(me as u64, &ck, &keys, &stop).await }
                    };
                    wl.spawn_clients_and_wait(nclients, CLIENT_PERIOD, client)
                        .await
                })
            };
            let partitioner = if setup.partitions {
                // About when the clients stop.
                sleep(CLIENT_PERIOD).await;
                Some(Partitioner::start(&ts))
            } else {
                None
            };
            let results = match clients.await {
                Ok(results) => results,
                Err(e) => wl.fail(&format!("the clients did not finish: {e:?}")),
            };
            if !self.random_keys {
                wl.check_put_concurrent(&ck, "k", &results, &mut total)
                    .await;
            }
            ts.check_porcupine();
            if let Some(p) = partitioner {
                p.join().await;
                ts.group().connect_all();
                // A request sent into a minority completes once its server hears of a new term.
                sleep(ELECTION_TIMEOUT).await;
            }
            if setup.crash {
                ts.group().shutdown();
                sleep(ELECTION_TIMEOUT).await;
                for i in 0..setup.nservers {
                    ts.start_server(i).await;
                }
                ts.group().connect_all();
            }
            check_sizes(&ts);
        }
        ts.end();
        ts.cleanup();
    }
}

/// "Test: " + "restarts, " + "partitions, " + "snapshots, " + "random keys, " + one/many clients +
/// " (part)", with only the parts that apply.
pub fn title(part: &str, nclients: usize, setup: Setup, random_keys: bool) -> String {
    let mut t = String::from("Test: ");
    if setup.crash {
        t += "restarts, ";
    }
    if setup.partitions {
        t += "partitions, ";
    }
    if setup.maxraftstate != -1 {
        t += "snapshots, ";
    }
    if random_keys {
        t += "random keys, ";
    }
    t += if nclients > 1 {
        "many clients"
    } else {
        "one client"
    };
    format!("{t} ({part})")
}

/// With snapshots the persisted Raft state must stay within 8 × maxraftstate; without, there must
/// be no snapshot at all.
pub fn check_sizes<K: Kv4Impl>(ts: &Kv4Test<K>) {
    let m = ts.setup().maxraftstate;
    if m > 0 {
        let size = ts.log_size();
        if size as i64 > 8 * m {
            ts.workload()
                .fail(&format!("logs were not trimmed ({size} > 8*{m})"));
        }
    }
    if m < 0 {
        let size = ts.snapshot_size();
        if size > 0 {
            ts.workload().fail(&format!(
                "snapshot too large ({size}), should not be used when maxraftstate = {m}"
            ));
        }
    }
}

/// GenericTestSpeed: 3 reliable servers; a get to wait for a leader, then 1000 sequential puts
/// of one key at versions 0..999, each OK, timed in virtual time: at most 100 ms / 3 each.
pub async fn generic_test_speed<K: Kv4Impl>(part: &str, maxraftstate: i64) {
    let setup = Setup {
        nservers: 3,
        reliable: true,
        crash: false,
        partitions: false,
        maxraftstate,
    };
    let ts = Kv4Test::<K>::new(setup).await;
    ts.begin(&title(part, 1, setup, false));
    let wl = ts.workload();
    let ck = ts.make_clerk();

    // Wait until a leader is elected and serves requests.
    let _ = ck.get("x").await;

    let start = sim::node::now();
    for version in 0..SPEED_OPS {
        if let Err(e) = ck.put("k", &version.to_string(), version).await {
            wl.fail(&format!("Put at version {version}: {e}"));
        }
    }
    let elapsed = sim::node::now() - start;
    match ck.get("k").await {
        Ok((_, version)) if version == SPEED_OPS => {}
        got => wl.fail(&format!("Get too few ops: {got:?}")),
    }
    let per_op = elapsed / SPEED_OPS as u32;
    println!(
        "  ... {SPEED_OPS} puts in {:.3} s virtual: {:.3} ms per operation (limit {:.3} ms)",
        elapsed.as_secs_f64(),
        per_op.as_secs_f64() * 1e3,
        SPEED_TIME_PER_OP.as_secs_f64() * 1e3
    );
    if elapsed > SPEED_TIME_PER_OP * SPEED_OPS as u32 {
        wl.fail(&format!(
            "Operations completed too slowly {per_op:?}/op > {SPEED_TIME_PER_OP:?}/op"
        ));
    }
    check_sizes(&ts);
    ts.end();
    ts.cleanup();
}
