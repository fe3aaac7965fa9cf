//! Determinism checks both fuzzers' tests share: a hand-written schedule with every kind of step,
//! and running a schedule twice to see that it replays to the letter.

use super::cluster::RunOutcome;
use super::schedule::{Action, NetFaults, Schedule, Step};

/// Every kind of step on 5 peers with snapshots: bursts, a partition, a one-way cut, a crash,
/// message faults, duplicates, reordering, a restart of a down peer and a reboot of a live one, a
/// heal, a burst after it, then the leader cut off, a burst and the leader crashed, and the
/// crashed peer revived. `seed` is the simulation seed.
pub fn every_kind_of_step(seed: u64) -> Schedule {
    let step = |after_ms, action| Step { after_ms, action };
    Schedule {
        seed,
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
            step(1300, Action::IsolateLeader(2)),
            step(700, Action::Heal),
            step(400, Action::CrashLeader(2)),
            step(600, Action::Revive(3)),
        ],
    }
}

/// Runs `schedule` twice through `run`; panics unless the first run passed and both gave the same
/// trace, timeline and virtual time. Prints the schedule and its timeline, and returns both
/// outcomes for checks of the caller's own.
#[track_caller]
pub fn assert_replays_identically(
    schedule: &Schedule,
    run: fn(&Schedule) -> RunOutcome,
) -> (RunOutcome, RunOutcome) {
    let a = run(schedule);
    let b = run(schedule);
    assert_eq!(a.failure, None, "{}", a.timeline);
    assert_eq!(
        a.trace_digest, b.trace_digest,
        "same schedule, different trace"
    );
    assert_eq!(a.timeline, b.timeline);
    assert_eq!(a.virtual_time, b.virtual_time);
    println!("{schedule:?}\n{}", a.timeline);
    (a, b)
}
