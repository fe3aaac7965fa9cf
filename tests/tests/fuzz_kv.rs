//! The fault-schedule fuzzer against the KV service (issue 9's KV variant): the Raft fuzzer's
//! generated schedules, with 3–5 clients doing Gets, Puts and Appends throughout; each history must
//! be linearizable (unknown fails), every Append must take effect exactly once, and after healing
//! every operation must return within a bound. `PROPTEST_CASES` / `PROPTEST_RNG_SEED` widen or vary
//! the search (see `raft_lab_tests::fuzz`).

use raft_lab_tests::fuzz::{self, kv, schedule};

const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/fuzz_kv.txt"
);

/// Cases per plain `cargo test` unless `PROPTEST_CASES` says otherwise. A KV case costs about
/// 65 ms of wall time on this 2-core machine (about 250 operations over 7 s of virtual time; 1000
/// cases took 66 s), so 200 cases take about 15 s alone and stay well under a minute with other
/// builds running. Sweeps set `PROPTEST_CASES` (4000 cases passed when this target was written).
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
    use schedule::{Action, NetFaults, Schedule, Step};
    let step = |after_ms, action| Step { after_ms, action };
    let s = Schedule {
        seed: 78,
        peers: 5,
        snapshots: true,
        steps: vec![
            step(400, Action::Commands(3)),
            step(
                300,
                Action::Partition {
                    groups: [0, 0, 1, 1, 1, 0, 0],
                },
            ),
            step(200, Action::Commands(4)),
            step(600, Action::CutLink { from: 2, to: 3 }),
            step(100, Action::Crash(0)),
            step(
                100,
                Action::Faults(NetFaults {
                    request_drop_permille: 100,
                    reply_drop_permille: 100,
                    min_delay_ms: 2,
                    max_delay_ms: 40,
                }),
            ),
            step(50, Action::Duplicates(200)),
            step(50, Action::Reordering(true)),
            step(700, Action::Restart(0)),
            step(10, Action::Restart(1)),
            step(500, Action::Heal),
            step(300, Action::Commands(12)),
        ],
    };
    let a = kv::run_schedule(&s);
    let b = kv::run_schedule(&s);
    assert_eq!(a.failure, None, "{}", a.timeline);
    assert!(a.observations > 0, "no operations recorded");
    assert_eq!(
        a.trace_digest, b.trace_digest,
        "same schedule, different trace"
    );
    assert_eq!(a.timeline, b.timeline);
    assert_eq!(a.virtual_time, b.virtual_time);
    assert_eq!(a.observations, b.observations);
    println!("{s:?}\n{}", a.timeline);
}
