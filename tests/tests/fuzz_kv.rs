//! The fault-schedule fuzzer against the KV service (issue 9's KV variant): the Raft fuzzer's
//! generated schedules, with 3–5 clients doing Gets, Puts and Appends throughout; each history must
//! be linearizable (unknown fails), every Append must take effect exactly once, and after healing
//! every operation must return within a bound. `PROPTEST_CASES` / `PROPTEST_RNG_SEED` widen or vary
//! the search (see `raft_lab_tests::fuzz`).

use raft_lab_tests::fuzz::{self, kv, replay, schedule};

const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/fuzz_kv.txt"
);

/// Cases per plain `cargo test` unless `PROPTEST_CASES` says otherwise. A KV case costs about
/// 20 ms of wall time on this 2-core machine (swarm testing keeps about half of the drawn steps),
/// so 200 cases take about 4 s. Sweeps set `PROPTEST_CASES` or `MADSIM_TEST_NUM`.
const DEFAULT_KV_CASES: u32 = 200;

#[test]
fn kv_stays_linearizable_under_generated_fault_schedules() {
    let mut config = fuzz::config(REGRESSIONS);
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_KV_CASES;
    }
    fuzz::fuzz("fuzz_kv", config, schedule::schedule(), kv::run_schedule);
}

/// A schedule with every kind of step, run twice: the same seed and steps must give the same run.
#[test]
fn a_kv_schedule_replays_identically() {
    let (a, b) =
        replay::assert_replays_identically(&replay::every_kind_of_step(78), kv::run_schedule);
    assert!(a.observations > 0, "no operations recorded");
    assert_eq!(a.observations, b.observations);
}
