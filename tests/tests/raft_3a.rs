//! Raft 3A of the 2026 edition: leader election (docs/lab-tests-2026.md §5).
//! The bodies are shared with the other edition: `raft_lab_tests::suites::raft_election`.

use raft_lab_tests::Edition::Spring2026 as EDITION;
use raft_lab_tests::suites::raft_election::*;

#[test]
fn initial_election_3a() {
    raft_lab_tests::run(|| initial_election(EDITION));
}

#[test]
fn re_election_3a() {
    raft_lab_tests::run(|| re_election(EDITION));
}

#[test]
fn many_elections_3a() {
    raft_lab_tests::run(|| many_elections(EDITION));
}
