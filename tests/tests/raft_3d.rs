//! Raft 3D of the 2026 edition: snapshots and InstallSnapshot (docs/lab-tests-2026.md §5).
//! The bodies are shared with the other edition: `raft_lab_tests::suites::raft_snapshots`.

use raft_lab_tests::Edition::Spring2026 as EDITION;
use raft_lab_tests::suites::raft_snapshots::*;

#[test]
fn snapshot_basic_3d() {
    raft_lab_tests::run(|| snapshot_basic(EDITION));
}

#[test]
fn snapshot_install_3d() {
    raft_lab_tests::run(|| snapshot_install(EDITION));
}

#[test]
fn snapshot_install_unreliable_3d() {
    raft_lab_tests::run(|| snapshot_install_unreliable(EDITION));
}

#[test]
fn snapshot_install_crash_3d() {
    raft_lab_tests::run(|| snapshot_install_crash(EDITION));
}

#[test]
fn snapshot_install_uncrash_3d() {
    raft_lab_tests::run(|| snapshot_install_uncrash(EDITION));
}

#[test]
fn snapshot_all_crash_3d() {
    raft_lab_tests::run(|| snapshot_all_crash(EDITION));
}

#[test]
fn snapshot_init_3d() {
    raft_lab_tests::run(|| snapshot_init(EDITION));
}
