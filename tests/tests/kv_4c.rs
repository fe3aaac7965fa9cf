//! KV 4C of the current course: the replicated versioned KV service with snapshots (docs/lab-tests-2026.md §8).

use raft_lab_tests::suites::kv_service;

#[test]
fn snapshot_rpc_4c() {
    raft_lab_tests::run(kv_service::snapshot_rpc_4c);
}

#[test]
fn snapshot_size_4c() {
    raft_lab_tests::run(kv_service::snapshot_size_4c);
}

#[test]
fn speed_4c() {
    raft_lab_tests::run(kv_service::speed_4c);
}

#[test]
fn snapshot_recover_4c() {
    raft_lab_tests::run(kv_service::snapshot_recover_4c);
}

#[test]
fn snapshot_recover_many_clients_4c() {
    raft_lab_tests::run(kv_service::snapshot_recover_many_clients_4c);
}

#[test]
fn snapshot_unreliable_4c() {
    raft_lab_tests::run(kv_service::snapshot_unreliable_4c);
}

#[test]
fn snapshot_unreliable_recover_4c() {
    raft_lab_tests::run(kv_service::snapshot_unreliable_recover_4c);
}

#[test]
fn snapshot_unreliable_recover_concurrent_partition_4c() {
    raft_lab_tests::run(kv_service::snapshot_unreliable_recover_concurrent_partition_4c);
}

#[test]
fn snapshot_unreliable_recover_concurrent_partition_linearizable_4c() {
    raft_lab_tests::run(
        kv_service::snapshot_unreliable_recover_concurrent_partition_linearizable_4c,
    );
}
