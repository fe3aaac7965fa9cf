//! Raft 3B of the 2026 edition: log replication, fast backup, RPC budgets (docs/lab-tests-2026.md §5).
//! The bodies are shared with the other edition: `raft_lab_tests::suites::raft_agreement`.

use raft_lab_tests::Edition::Spring2026 as EDITION;
use raft_lab_tests::suites::raft_agreement::*;

#[test]
fn basic_agree_3b() {
    raft_lab_tests::run(|| basic_agree(EDITION));
}

#[test]
fn rpc_bytes_3b() {
    raft_lab_tests::run(|| rpc_bytes(EDITION));
}

#[test]
fn follower_failure_3b() {
    raft_lab_tests::run(|| follower_failure(EDITION));
}

#[test]
fn leader_failure_3b() {
    raft_lab_tests::run(|| leader_failure(EDITION));
}

#[test]
fn fail_agree_3b() {
    raft_lab_tests::run(|| fail_agree(EDITION));
}

#[test]
fn fail_no_agree_3b() {
    raft_lab_tests::run(|| fail_no_agree(EDITION));
}

#[test]
fn concurrent_starts_3b() {
    raft_lab_tests::run(|| concurrent_starts(EDITION));
}

#[test]
fn rejoin_3b() {
    raft_lab_tests::run(|| rejoin(EDITION));
}

#[test]
fn backup_3b() {
    raft_lab_tests::run(|| backup(EDITION));
}

#[test]
fn count_3b() {
    raft_lab_tests::run(|| count(EDITION));
}
