//! Lab 5A of the current course: shard groups, the controller's moves, and the sharded clerk
//! (docs/lab-tests-2026.md §10). The bodies are in `raft_lab_tests::suites::shardkv_5a`.

use raft_lab_tests::suites::shardkv_5a;

#[test]
fn init_query_5a() {
    raft_lab_tests::run(shardkv_5a::init_query_5a);
}

#[test]
fn static_one_shard_group_5a() {
    raft_lab_tests::run(shardkv_5a::static_one_shard_group_5a);
}

#[test]
fn join_basic_5a() {
    raft_lab_tests::run(shardkv_5a::join_basic_5a);
}

#[test]
fn delete_basic_5a() {
    raft_lab_tests::run(shardkv_5a::delete_basic_5a);
}

#[test]
fn join_leave_basic_5a() {
    raft_lab_tests::run(shardkv_5a::join_leave_basic_5a);
}

#[test]
fn shutdown_5a() {
    raft_lab_tests::run(shardkv_5a::shutdown_5a);
}

#[test]
fn progress_shutdown_5a() {
    raft_lab_tests::run(shardkv_5a::progress_shutdown_5a);
}

#[test]
fn progress_join_5a() {
    raft_lab_tests::run(shardkv_5a::progress_join_5a);
}

#[test]
fn many_join_leave_reliable_5a() {
    raft_lab_tests::run(shardkv_5a::many_join_leave_reliable_5a);
}

#[test]
fn many_join_leave_unreliable_5a() {
    raft_lab_tests::run(shardkv_5a::many_join_leave_unreliable_5a);
}

#[test]
fn one_concurrent_clerk_reliable_5a() {
    raft_lab_tests::run(shardkv_5a::one_concurrent_clerk_reliable_5a);
}

#[test]
fn many_concurrent_clerk_reliable_5a() {
    raft_lab_tests::run(shardkv_5a::many_concurrent_clerk_reliable_5a);
}

#[test]
fn one_concurrent_clerk_unreliable_5a() {
    raft_lab_tests::run(shardkv_5a::one_concurrent_clerk_unreliable_5a);
}

#[test]
fn many_concurrent_clerk_unreliable_5a() {
    raft_lab_tests::run(shardkv_5a::many_concurrent_clerk_unreliable_5a);
}
