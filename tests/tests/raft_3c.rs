//! Raft 3C of the 2026 edition: persistence, Figure 8, churn (docs/lab-tests-2026.md §5).
//! The bodies are shared with the other edition: `raft_lab_tests::suites::raft_persistence`.

use raft_lab_tests::Edition::Spring2026 as EDITION;
use raft_lab_tests::suites::raft_persistence::*;

#[test]
fn persist1_3c() {
    raft_lab_tests::run(|| persist1(EDITION));
}

#[test]
fn persist2_3c() {
    raft_lab_tests::run(|| persist2(EDITION));
}

#[test]
fn persist3_3c() {
    raft_lab_tests::run(|| persist3(EDITION));
}

#[test]
fn figure8_3c() {
    raft_lab_tests::run(|| figure8(EDITION));
}

#[test]
fn unreliable_agree_3c() {
    raft_lab_tests::run(|| unreliable_agree(EDITION));
}

#[test]
fn figure8_unreliable_3c() {
    raft_lab_tests::run(|| figure8_unreliable(EDITION));
}

#[test]
fn reliable_churn_3c() {
    raft_lab_tests::run(|| reliable_churn(EDITION));
}

#[test]
fn unreliable_churn_3c() {
    raft_lab_tests::run(|| unreliable_churn(EDITION));
}
