//! The fault-schedule fuzzer against Raft (issue 9): generated partitions, one-way cuts, crashes,
//! reboots, message faults and command bursts, with Raft's safety properties checked throughout and
//! liveness after healing. `PROPTEST_CASES` / `PROPTEST_RNG_SEED` widen or vary the search.

use labrpc::{ClientEnd, Service};
use raft_lab_tests::TestedRaft;
use raft_lab_tests::fuzz::{self, cluster, replay, schedule};
use raftapi::{ApplySender, Persister, Raft, RaftError};

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

/// The protocol-timed steps find their targets (a leader to crash or cut off, a crashed peer to
/// revive), and the healed cluster is watched for wasted work after liveness.
#[test]
fn protocol_timed_steps_hit_their_targets_and_the_quiet_check_runs() {
    let outcome = fuzz::run_schedule(&replay::every_kind_of_step(77));
    assert_eq!(outcome.failure, None, "{}", outcome.timeline);
    let text = outcome.timeline.to_string();
    for what in ["cut leader ", "crash leader ", "revive peer ", "quiet: "] {
        assert!(text.contains(what), "no {what:?} in\n{text}");
    }
}

/// The Raft under test without its observer: what a user's Raft that offers none looks like.
struct Unobserved(TestedRaft);

impl Raft for Unobserved {
    fn make(
        peers: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        apply_tx: ApplySender,
    ) -> Result<Self, RaftError> {
        TestedRaft::make(peers, me, persister, apply_tx).map(Unobserved)
    }
    fn service(&self) -> Service {
        self.0.service()
    }
    fn start(&self, command: Vec<u8>) -> Option<(u64, u64)> {
        self.0.start(command)
    }
    fn state(&self) -> (u64, bool) {
        self.0.state()
    }
    fn snapshot(&self, index: u64, snapshot: Vec<u8>) {
        self.0.snapshot(index, snapshot)
    }
    fn persist_bytes(&self) -> usize {
        self.0.persist_bytes()
    }
    fn kill(&self) {
        self.0.kill()
    }
}

#[test]
fn a_raft_without_an_observer_is_fuzzed_on_what_the_tester_sees() {
    let schedule = replay::every_kind_of_step(77);
    let observed = cluster::run_schedule::<TestedRaft>(&schedule);
    let unobserved = cluster::run_schedule::<Unobserved>(&schedule);
    assert_eq!(unobserved.failure, None, "{}", unobserved.timeline);
    assert!(observed.observations > 0);
    assert_eq!(
        unobserved.observations, 0,
        "no view, so no safety observation"
    );
}
