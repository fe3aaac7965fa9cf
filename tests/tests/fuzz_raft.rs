//! The fault-schedule fuzzer against Raft (issue 9): generated partitions, one-way cuts, crashes,
//! reboots, message faults and command bursts, with Raft's safety properties checked throughout and
//! liveness after healing. `PROPTEST_CASES` / `PROPTEST_RNG_SEED` widen or vary the search.

use raft_lab_tests::fuzz::{self, schedule};

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
    use schedule::{Action, NetFaults, Schedule, Step};
    let step = |after_ms, action| Step { after_ms, action };
    let s = Schedule {
        seed: 77,
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
    let a = fuzz::run_schedule(&s);
    let b = fuzz::run_schedule(&s);
    assert_eq!(a.failure, None, "{}", a.timeline);
    assert_eq!(
        a.trace_digest, b.trace_digest,
        "same schedule, different trace"
    );
    assert_eq!(a.timeline, b.timeline);
    assert_eq!(a.virtual_time, b.virtual_time);
    println!("{s:?}\n{}", a.timeline);
}
