//! Small runs made to be pictured: a Raft cluster, a KV service (2023) and a versioned KV service
//! (Lab 4 of the current course) under faults, which fail on purpose when asked. The self-tests (`tests/tests/picture_selftest.rs`) and the browser test
//! run them; a failing one leaves a picture with roles, fault bands and (for KV) operations.

use crate::kv_generic::spawn_clients_and_wait;
use crate::kv_history;
use crate::kv4::{Kv4Test, Setup};
use crate::server_group::make_partition;
use crate::workload::Tester;
use crate::{Config, ELECTION_TIMEOUT, KvConfig, TestedKv4};
use checker::{History, KvErr, Operation};
use madsim::time::sleep;

/// A 3-peer Raft cluster: elect, cut the leader off, elect again, agree, crash and restart a
/// follower, heal; with `fail`, the test fails at the end, after the leader is cut off again.
pub async fn raft(fail: bool) {
    let cfg = Config::new(3, false, false).await;
    cfg.begin("selftest: a Raft cluster pictured");
    let leader = cfg.check_one_leader().await;
    cfg.one(101, 3, true).await;
    cfg.disconnect(leader);
    let second = cfg.check_one_leader().await;
    cfg.one(102, 2, true).await;
    let follower = (0..3)
        .find(|&i| i != leader && i != second)
        .unwrap_or(leader);
    cfg.crash1(follower);
    sleep(ELECTION_TIMEOUT / 2).await;
    cfg.start1(follower).await;
    cfg.connect(follower);
    cfg.connect(leader);
    cfg.one(103, 3, true).await;
    if fail {
        let now = cfg.check_one_leader().await;
        cfg.disconnect(now);
        sleep(ELECTION_TIMEOUT).await;
        cfg.fail(&format!(
            "selftest failing on purpose with odd seed {}",
            sim::rng::seed()
        ));
    }
    cfg.end();
    cfg.cleanup();
}

/// A 3-replica KV service with 3 clients putting, appending and reading two keys through a
/// partition and a replica's restart; with `fail`, a stale read is added to the history, so the
/// linearizability check fails.
pub async fn kv(fail: bool) {
    let cfg = KvConfig::new(3, false, -1).await;
    cfg.begin("selftest: a KV service pictured");
    let history = History::new();
    cfg.set_history(&history, "selftest-kv");
    let run = |phase: u64| {
        let (cfg, history) = (cfg.clone(), history.clone());
        async move {
            let tester = cfg.clone();
            spawn_clients_and_wait(&tester, 3, move |cli, ck| {
                let (cfg, history) = (cfg.clone(), history.clone());
                async move {
                    let cli = cli as u64;
                    for j in 0..6u64 {
                        let key = if (cli + j).is_multiple_of(2) {
                            "a"
                        } else {
                            "b"
                        };
                        let value = format!("x {cli} {phase} {j} y");
                        match j % 3 {
                            0 => cfg.put(&ck, key, &value, Some(&history), cli).await,
                            1 => cfg.append(&ck, key, &value, Some(&history), cli).await,
                            _ => {
                                cfg.get(&ck, key, Some(&history), cli).await;
                            }
                        }
                    }
                }
            })
            .await;
        }
    };
    run(0).await;
    let (p1, p2) = cfg.make_partition();
    cfg.partition(&p1, &p2);
    run(1).await;
    cfg.connect_all();
    sleep(ELECTION_TIMEOUT).await;
    cfg.shutdown_server(p1[0]);
    run(2).await;
    cfg.start_server(p1[0]).await;
    cfg.connect_all();
    run(3).await;
    if fail {
        // A read of a value from phase 0 after a later put returned: stale.
        let t = crate::kv_config::now_ns();
        history.record(Operation::get(9, t + 1, t + 2, "a", "x 0 0 0 y"));
    }
    if let Err(e) = kv_history::check(&history, "selftest-kv") {
        cfg.fail(&e);
    }
    cfg.end();
    cfg.cleanup();
}

/// A 3-replica versioned KV service (the Lab 4 tester and workload library): clients put through a
/// partition, a replica's crash and restart; with `fail`, a read of a stale version is added to the
/// history, so the check under the versioned model fails.
pub async fn kv4(fail: bool) {
    let setup = Setup {
        nservers: 3,
        reliable: true,
        crash: true,
        partitions: true,
        maxraftstate: -1,
    };
    let ts = Kv4Test::<TestedKv4>::new(setup).await;
    let wl = ts.workload();
    ts.begin("selftest: a versioned KV service pictured");
    let ck = ts.make_clerk();
    let mut version = wl.put_at_least_once(&ck, "a", "a0", 0, 0).await;
    let leader = ts.leader().unwrap_or(0);
    let (p1, p2) = make_partition(3, leader);
    ts.group().partition(&p1, &p2);
    let majority = ts.make_clerk_to(&p1);
    for j in 1..4 {
        version = wl
            .put_at_least_once(&majority, "a", &format!("a{j}"), version, 1)
            .await;
    }
    ts.group().connect_all();
    sleep(ELECTION_TIMEOUT).await;
    ts.group().shutdown_server(p1[0]);
    wl.put_at_least_once(&ck, "b", "b0", 0, 0).await;
    ts.start_server(p1[0]).await;
    ts.group().connect_all();
    let _ = wl.get(&ck, "a", 0).await;
    if fail {
        // A read of the first version after later puts returned: stale.
        let t = crate::kv_config::now_ns();
        ts.history().record(Operation::versioned_get(
            9,
            t + 1,
            t + 2,
            "a",
            ("a0", 1, KvErr::Ok),
        ));
    }
    ts.check_porcupine();
    ts.end();
    ts.cleanup();
}

/// Whether a self-test fails on purpose: `RAFT_LAB_SELFTEST_FAIL=1` and an odd seed.
pub fn fail_on_purpose() -> bool {
    let asked = std::env::var("RAFT_LAB_SELFTEST_FAIL").is_ok_and(|v| v == "1");
    asked && sim::rng::seed() % 2 == 1
}
