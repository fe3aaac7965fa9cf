//! Raft 2A of the 2023 edition: leader election (docs/lab-tests-2023.md).
//! The bodies are shared with the other edition: `raft_lab_tests::suites::raft_election`.

use raft_lab_tests::Edition::Spring2023 as EDITION;
use raft_lab_tests::suites::raft_election::*;

#[test]
fn initial_election_2a() {
    raft_lab_tests::run(|| initial_election(EDITION));
}

#[test]
fn re_election_2a() {
    raft_lab_tests::run(|| re_election(EDITION));
}

#[test]
fn many_elections_2a() {
    raft_lab_tests::run(|| many_elections(EDITION));
}
