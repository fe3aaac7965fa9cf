//! Lab 3A: a fault-tolerant KV service without snapshots (docs/lab-tests-2023.md §4, the 14 3A tests).
//! Every generic test's history is checked for linearizability; a check that runs out of budget fails.

use madsim::time::{Instant, sleep, timeout};
use raft_lab_tests::KvConfig;
use raft_lab_tests::kv_config::ELECTION_TIMEOUT;
use raft_lab_tests::kv_generic::{
    GenericTest, check_concurrent_appends, generic_test_speed, spawn_clients_and_wait,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[test]
fn basic_3a() {
    // Test: one client (3A) ...
    raft_lab_tests::run(|| GenericTest::new("3A", 1, 5).run());
}

#[test]
fn speed_3a() {
    raft_lab_tests::run(|| generic_test_speed("3A", -1));
}

#[test]
fn concurrent_3a() {
    // Test: many clients (3A) ...
    raft_lab_tests::run(|| GenericTest::new("3A", 5, 5).run());
}

#[test]
fn unreliable_3a() {
    // Test: unreliable net, many clients (3A) ...
    raft_lab_tests::run(|| GenericTest::new("3A", 5, 5).unreliable().run());
}

#[test]
fn unreliable_one_key_3a() {
    raft_lab_tests::run(|| async {
        let nservers = 3;
        let cfg = KvConfig::new(nservers, true, -1).await;
        let ck = cfg.make_client(&cfg.all());
        cfg.begin("Test: concurrent append to same key, unreliable (3A)");

        cfg.put(&ck, "k", "", None, 0).await;

        let nclient = 5;
        let upto = 10;
        let worker = cfg.clone();
        spawn_clients_and_wait(&cfg, nclient, move |me, myck| {
            let cfg = worker.clone();
            async move {
                for n in 0..upto {
                    cfg.append(&myck, "k", &format!("x {me} {n} y"), None, 0)
                        .await;
                }
            }
        })
        .await;

        let counts = vec![upto; nclient];
        let vx = cfg.get(&ck, "k", None, 0).await;
        check_concurrent_appends(&cfg, &vx, &counts);
        cfg.end();
        cfg.cleanup();
    });
}

/// Submit a request in the minority partition and check that the request does not go through until
/// the partition heals; the leader in the original network ends up in the minority partition.
#[test]
fn one_partition_3a() {
    raft_lab_tests::run(|| async {
        let nservers = 5;
        let cfg = KvConfig::new(nservers, false, -1).await;
        let ck = cfg.make_client(&cfg.all());

        cfg.put(&ck, "1", "13", None, 0).await;

        cfg.begin("Test: progress in majority (3A)");

        let (p1, p2) = cfg.make_partition();
        cfg.partition(&p1, &p2);

        let ckp1 = cfg.make_client(&p1); // connect ckp1 to p1
        let ckp2a = cfg.make_client(&p2); // connect ckp2a to p2
        let ckp2b = cfg.make_client(&p2); // connect ckp2b to p2

        cfg.put(&ckp1, "1", "14", None, 0).await;
        cfg.check(&ckp1, "1", "14").await;

        cfg.end();

        cfg.begin("Test: no progress in minority (3A)");
        let done0 = Arc::new(AtomicBool::new(false));
        let done1 = Arc::new(AtomicBool::new(false));
        let put15 = {
            let (cfg, ck, done) = (cfg.clone(), ckp2a.clone(), done0.clone());
            madsim::task::spawn(async move {
                cfg.put(&ck, "1", "15", None, 0).await;
                done.store(true, Ordering::SeqCst);
            })
        };
        let get1 = {
            // A different clerk in p2.
            let (cfg, ck, done) = (cfg.clone(), ckp2b.clone(), done1.clone());
            madsim::task::spawn(async move {
                let v = cfg.get(&ck, "1", None, 0).await;
                done.store(true, Ordering::SeqCst);
                v
            })
        };

        // Neither minority operation may finish within a second; the flags are set the moment
        // either returns, so checking them after the second catches any that did.
        sleep(Duration::from_secs(1)).await;
        assert!(!done0.load(Ordering::SeqCst), "Put in minority completed");
        assert!(!done1.load(Ordering::SeqCst), "Get in minority completed");

        cfg.check(&ckp1, "1", "14").await;
        cfg.put(&ckp1, "1", "16", None, 0).await;
        cfg.check(&ckp1, "1", "16").await;

        cfg.end();

        cfg.begin("Test: completion after heal (3A)");

        cfg.connect_all();
        cfg.connect_client(&ckp2a, &cfg.all());
        cfg.connect_client(&ckp2b, &cfg.all());

        sleep(ELECTION_TIMEOUT).await;

        // The Put must finish within 3 s more; unlike the Go test, so must the Get
        // (docs/lab-tests-2023.md §0), within the same window.
        let window = Duration::from_millis(30 * 100);
        let deadline = Instant::now() + window;
        match timeout(window, put15).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("the minority Put's task failed: {e:?}"),
            Err(_) => panic!("Put did not complete"),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let v = match timeout(left, get1).await {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => panic!("the minority Get's task failed: {e:?}"),
            Err(_) => panic!("Get did not complete within 3 s after the partition healed"),
        };
        // It was called after Put 14 returned and overlaps Puts 15 and 16, so only these can be read.
        assert!(
            ["14", "15", "16"].contains(&v.as_str()),
            "the minority Get returned {v:?}, but only \"14\", \"15\" or \"16\" is linearizable"
        );

        cfg.check(&ck, "1", "15").await;

        cfg.end();
        cfg.cleanup();
    });
}

#[test]
fn many_partitions_one_client_3a() {
    // Test: partitions, one client (3A) ...
    raft_lab_tests::run(|| GenericTest::new("3A", 1, 5).partitions().run());
}

#[test]
fn many_partitions_many_clients_3a() {
    // Test: partitions, many clients (3A) ...
    raft_lab_tests::run(|| GenericTest::new("3A", 5, 5).partitions().run());
}

#[test]
fn persist_one_client_3a() {
    // Test: restarts, one client (3A) ...
    raft_lab_tests::run(|| GenericTest::new("3A", 1, 5).crash().run());
}

#[test]
fn persist_concurrent_3a() {
    // Test: restarts, many clients (3A) ...
    raft_lab_tests::run(|| GenericTest::new("3A", 5, 5).crash().run());
}

#[test]
fn persist_concurrent_unreliable_3a() {
    // Test: unreliable net, restarts, many clients (3A) ...
    raft_lab_tests::run(|| GenericTest::new("3A", 5, 5).unreliable().crash().run());
}

#[test]
fn persist_partition_3a() {
    // Test: restarts, partitions, many clients (3A) ...
    raft_lab_tests::run(|| GenericTest::new("3A", 5, 5).crash().partitions().run());
}

#[test]
fn persist_partition_unreliable_3a() {
    // Test: unreliable net, restarts, partitions, many clients (3A) ...
    raft_lab_tests::run(|| {
        GenericTest::new("3A", 5, 5)
            .unreliable()
            .crash()
            .partitions()
            .run()
    });
}

#[test]
fn persist_partition_unreliable_linearizable_3a() {
    // Test: unreliable net, restarts, partitions, random keys, many clients (3A) ...
    raft_lab_tests::run(|| {
        GenericTest::new("3A", 15, 7)
            .unreliable()
            .crash()
            .partitions()
            .randomkeys()
            .run()
    });
}
