//! Lab 5C of the current course: racing controllers, and old controllers fenced off
//! (docs/lab-tests-2026.md §12). The bodies are in `raft_lab_tests::suites::shardkv_5c`.

use raft_lab_tests::suites::shardkv_5c;

#[test]
fn concurrent_reliable_5c() {
    raft_lab_tests::run(shardkv_5c::concurrent_reliable_5c);
}

#[test]
fn acquire_lock_concurrent_unreliable_5c() {
    raft_lab_tests::run(shardkv_5c::acquire_lock_concurrent_unreliable_5c);
}

#[test]
fn partition_controller_join_5c() {
    raft_lab_tests::run(shardkv_5c::partition_controller_join_5c);
}

#[test]
fn partition_recovery_reliable_no_clerk_5c() {
    raft_lab_tests::run(shardkv_5c::partition_recovery_reliable_no_clerk_5c);
}

#[test]
fn partition_recovery_unreliable_no_clerk_5c() {
    raft_lab_tests::run(shardkv_5c::partition_recovery_unreliable_no_clerk_5c);
}

#[test]
fn partition_recovery_reliable_clerks_5c() {
    raft_lab_tests::run(shardkv_5c::partition_recovery_reliable_clerks_5c);
}

#[test]
fn partition_recovery_unreliable_clerks_5c() {
    raft_lab_tests::run(shardkv_5c::partition_recovery_unreliable_clerks_5c);
}
