//! Lab 5B of the current course: a controller that recovers from groups going down and from its
//! own failure (docs/lab-tests-2026.md §11). The bodies are in `raft_lab_tests::suites::shardkv_5b`.

use raft_lab_tests::suites::shardkv_5b;

#[test]
fn join_leave_5b() {
    raft_lab_tests::run(shardkv_5b::join_leave_5b);
}

#[test]
fn recover_ctrler_5b() {
    raft_lab_tests::run(shardkv_5b::recover_ctrler_5b);
}
