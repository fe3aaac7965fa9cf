//! The fault-schedule fuzzer against Raft (issue 9): generated partitions, one-way cuts, crashes,
//! reboots, message faults and command bursts, with Raft's safety properties checked throughout and
//! liveness after healing. `PROPTEST_CASES` / `PROPTEST_RNG_SEED` widen or vary the search.

use raft_lab_tests::fuzz::{self, replay, schedule};

const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/fuzz_raft.txt"
);

#[test]
fn raft_keeps_its_safety_properties_under_generated_fault_schedules() {
    fuzz::fuzz(
        "fuzz_raft",
        fuzz::config(REGRESSIONS),
        schedule::schedule(),
        fuzz::run_schedule,
    );
}

/// A schedule with every kind of step, run twice: the same seed and steps must give the same run.
#[test]
fn a_schedule_replays_identically() {
    replay::assert_replays_identically(&replay::every_kind_of_step(77), fuzz::run_schedule);
}
