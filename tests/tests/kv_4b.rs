//! KV 4B of the current course: the replicated versioned KV service (docs/lab-tests-2026.md §7).

use raft_lab_tests::suites::kv_service;

#[test]
fn basic_4b() {
    raft_lab_tests::run(kv_service::basic_4b);
}

#[test]
fn speed_4b() {
    raft_lab_tests::run(kv_service::speed_4b);
}

#[test]
fn concurrent_4b() {
    raft_lab_tests::run(kv_service::concurrent_4b);
}

#[test]
fn unreliable_4b() {
    raft_lab_tests::run(kv_service::unreliable_4b);
}

#[test]
fn one_partition_4b() {
    raft_lab_tests::run(kv_service::one_partition_4b);
}

#[test]
fn many_partitions_one_client_4b() {
    raft_lab_tests::run(kv_service::many_partitions_one_client_4b);
}

#[test]
fn many_partitions_many_clients_4b() {
    raft_lab_tests::run(kv_service::many_partitions_many_clients_4b);
}

#[test]
fn persist_one_client_4b() {
    raft_lab_tests::run(kv_service::persist_one_client_4b);
}

#[test]
fn persist_concurrent_4b() {
    raft_lab_tests::run(kv_service::persist_concurrent_4b);
}

#[test]
fn persist_concurrent_unreliable_4b() {
    raft_lab_tests::run(kv_service::persist_concurrent_unreliable_4b);
}

#[test]
fn persist_partition_4b() {
    raft_lab_tests::run(kv_service::persist_partition_4b);
}

#[test]
fn persist_partition_unreliable_4b() {
    raft_lab_tests::run(kv_service::persist_partition_unreliable_4b);
}

#[test]
fn persist_partition_unreliable_linearizable_4b() {
    raft_lab_tests::run(kv_service::persist_partition_unreliable_linearizable_4b);
}
