//! Lab 3B: the KV service with snapshots bounded by maxraftstate (docs/lab-tests-2023.md §4, the 9 3B
//! tests). Every test prints the largest persisted Raft state it saw as a multiple of maxraftstate.

use madsim::time::sleep;
use raft_lab_tests::KvConfig;
use raft_lab_tests::kv_config::ELECTION_TIMEOUT;
use raft_lab_tests::kv_generic::{GenericTest, generic_test_speed};

/// maxraftstate of the 3B tests that set it themselves.
const MAXRAFTSTATE: i64 = 1000;
/// SnapshotSize3B: the largest acceptable snapshot.
const MAX_SNAPSHOT_STATE: usize = 500;

/// Fails unless every persisted Raft state is at most 8 × maxraftstate.
fn check_log_trimmed(cfg: &KvConfig) {
    let sz = cfg.log_size();
    if sz as i64 > 8 * cfg.maxraftstate() {
        cfg.fail(&format!(
            "logs were not trimmed ({sz} > 8*{})",
            cfg.maxraftstate()
        ));
    }
}

#[test]
fn snapshot_rpc_3b() {
    raft_lab_tests::run(|| async {
        let nservers = 3;
        let cfg = KvConfig::new(nservers, false, MAXRAFTSTATE).await;
        let ck = cfg.make_client(&cfg.all());
        cfg.begin("Test: InstallSnapshot RPC (3B)");

        cfg.put(&ck, "a", "A", None, 0).await;
        cfg.check(&ck, "a", "A").await;

        // A bunch of puts into the majority partition.
        cfg.partition(&[0, 1], &[2]);
        {
            let ck1 = cfg.make_client(&[0, 1]);
            for i in 0..50 {
                cfg.put(&ck1, &i.to_string(), &i.to_string(), None, 0).await;
            }
            sleep(ELECTION_TIMEOUT).await;
            cfg.put(&ck1, "b", "B", None, 0).await;
        }

        // The majority partition must have thrown away most of its log entries.
        check_log_trimmed(&cfg);

        // A group that needs the lagging server, so it must catch up, in effect by InstallSnapshot.
        cfg.partition(&[0, 2], &[1]);
        {
            let ck1 = cfg.make_client(&[0, 2]);
            cfg.put(&ck1, "c", "C", None, 0).await;
            cfg.put(&ck1, "d", "D", None, 0).await;
            cfg.check(&ck1, "a", "A").await;
            cfg.check(&ck1, "b", "B").await;
            cfg.check(&ck1, "1", "1").await;
            cfg.check(&ck1, "49", "49").await;
        }

        // Now everybody.
        cfg.partition(&[0, 1, 2], &[]);

        cfg.put(&ck, "e", "E", None, 0).await;
        cfg.check(&ck, "c", "C").await;
        cfg.check(&ck, "e", "E").await;
        cfg.check(&ck, "1", "1").await;

        cfg.report_max_log_size();
        cfg.end();
        cfg.cleanup();
    });
}

/// Are the snapshots not too huge? 500 bytes is a generous bound for the operations below.
#[test]
fn snapshot_size_3b() {
    raft_lab_tests::run(|| async {
        let nservers = 3;
        let cfg = KvConfig::new(nservers, false, MAXRAFTSTATE).await;
        let ck = cfg.make_client(&cfg.all());
        cfg.begin("Test: snapshot size is reasonable (3B)");

        for _ in 0..200 {
            cfg.put(&ck, "x", "0", None, 0).await;
            cfg.check(&ck, "x", "0").await;
            cfg.put(&ck, "x", "1", None, 0).await;
            cfg.check(&ck, "x", "1").await;
        }

        // The servers must have thrown away most of their log entries.
        check_log_trimmed(&cfg);

        // The snapshots must not be unreasonably large.
        let ssz = cfg.snapshot_size();
        println!("  ... largest snapshot: {ssz} bytes (limit {MAX_SNAPSHOT_STATE})");
        if ssz > MAX_SNAPSHOT_STATE {
            cfg.fail(&format!(
                "snapshot too large ({ssz} > {MAX_SNAPSHOT_STATE})"
            ));
        }

        cfg.report_max_log_size();
        cfg.end();
        cfg.cleanup();
    });
}

#[test]
fn speed_3b() {
    raft_lab_tests::run(|| generic_test_speed("3B", MAXRAFTSTATE));
}

#[test]
fn snapshot_recover_3b() {
    // Test: restarts, snapshots, one client (3B) ...
    raft_lab_tests::run(|| {
        GenericTest::new("3B", 1, 5)
            .crash()
            .maxraftstate(MAXRAFTSTATE)
            .run()
    });
}

#[test]
fn snapshot_recover_many_clients_3b() {
    // Test: restarts, snapshots, many clients (3B) ...
    raft_lab_tests::run(|| {
        GenericTest::new("3B", 20, 5)
            .crash()
            .maxraftstate(MAXRAFTSTATE)
            .run()
    });
}

#[test]
fn snapshot_unreliable_3b() {
    // Test: unreliable net, snapshots, many clients (3B) ...
    raft_lab_tests::run(|| {
        GenericTest::new("3B", 5, 5)
            .unreliable()
            .maxraftstate(MAXRAFTSTATE)
            .run()
    });
}

#[test]
fn snapshot_unreliable_recover_3b() {
    // Test: unreliable net, restarts, snapshots, many clients (3B) ...
    raft_lab_tests::run(|| {
        GenericTest::new("3B", 5, 5)
            .unreliable()
            .crash()
            .maxraftstate(MAXRAFTSTATE)
            .run()
    });
}

#[test]
fn snapshot_unreliable_recover_concurrent_partition_3b() {
    // Test: unreliable net, restarts, partitions, snapshots, many clients (3B) ...
    raft_lab_tests::run(|| {
        GenericTest::new("3B", 5, 5)
            .unreliable()
            .crash()
            .partitions()
            .maxraftstate(MAXRAFTSTATE)
            .run()
    });
}

#[test]
fn snapshot_unreliable_recover_concurrent_partition_linearizable_3b() {
    // Test: unreliable net, restarts, partitions, snapshots, random keys, many clients (3B) ...
    raft_lab_tests::run(|| {
        GenericTest::new("3B", 15, 7)
            .unreliable()
            .crash()
            .partitions()
            .maxraftstate(MAXRAFTSTATE)
            .randomkeys()
            .run()
    });
}
