//! Raft 2D of the 2023 edition: snapshots and InstallSnapshot (docs/lab-tests-2023.md).
//! The bodies are shared with the other edition: `raft_lab_tests::suites::raft_snapshots`.

use raft_lab_tests::Edition::Spring2023 as EDITION;
use raft_lab_tests::suites::raft_snapshots::*;

#[test]
fn snapshot_basic_2d() {
    raft_lab_tests::run(|| snapshot_basic(EDITION));
}

#[test]
fn snapshot_install_2d() {
    raft_lab_tests::run(|| snapshot_install(EDITION));
}

#[test]
fn snapshot_install_unreliable_2d() {
    raft_lab_tests::run(|| snapshot_install_unreliable(EDITION));
}

#[test]
fn snapshot_install_crash_2d() {
    raft_lab_tests::run(|| snapshot_install_crash(EDITION));
}

#[test]
fn snapshot_install_uncrash_2d() {
    raft_lab_tests::run(|| snapshot_install_uncrash(EDITION));
}

#[test]
fn snapshot_all_crash_2d() {
    raft_lab_tests::run(|| snapshot_all_crash(EDITION));
}

#[test]
fn snapshot_init_2d() {
    raft_lab_tests::run(|| snapshot_init(EDITION));
}
