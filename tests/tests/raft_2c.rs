//! Raft 2C of the 2023 edition: persistence, Figure 8, churn (docs/lab-tests-2023.md).
//! The bodies are shared with the other edition: `raft_lab_tests::suites::raft_persistence`.

use raft_lab_tests::Edition::Spring2023 as EDITION;
use raft_lab_tests::suites::raft_persistence::*;

#[test]
fn persist1_2c() {
    raft_lab_tests::run(|| persist1(EDITION));
}

#[test]
fn persist2_2c() {
    raft_lab_tests::run(|| persist2(EDITION));
}

#[test]
fn persist3_2c() {
    raft_lab_tests::run(|| persist3(EDITION));
}

#[test]
fn figure8_2c() {
    raft_lab_tests::run(|| figure8(EDITION));
}

#[test]
fn unreliable_agree_2c() {
    raft_lab_tests::run(|| unreliable_agree(EDITION));
}

#[test]
fn figure8_unreliable_2c() {
    raft_lab_tests::run(|| figure8_unreliable(EDITION));
}

#[test]
fn reliable_churn_2c() {
    raft_lab_tests::run(|| reliable_churn(EDITION));
}

#[test]
fn unreliable_churn_2c() {
    raft_lab_tests::run(|| unreliable_churn(EDITION));
}
