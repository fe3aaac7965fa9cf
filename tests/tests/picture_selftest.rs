//! Self-tests of the failure picture: a Raft cluster and a KV service under faults, which fail on
//! purpose only when `RAFT_LAB_SELFTEST_FAIL=1` is set and the seed is odd, and then print the path
//! of their picture (`raft-lab: picture: ...`) after the replay command. With
//! `RAFT_LAB_PICTURE=always` a passing run prints one too. Not lab tests (no part suffix).

use raft_lab_tests::picture::scenarios;

#[test]
fn selftest_raft_picture() {
    raft_lab_tests::run(|| async { scenarios::raft(scenarios::fail_on_purpose()).await });
}

#[test]
fn selftest_kv_picture() {
    raft_lab_tests::run(|| async { scenarios::kv(scenarios::fail_on_purpose()).await });
}
