//! What a fuzz case is — a cluster size, a simulation seed and a list of timed fault steps — and the
//! proptest strategies that generate it.
//!
//! Peers are named by raw numbers (`0..MAX_PEERS`) taken modulo the cluster size when a step runs, so
//! the steps do not depend on the generated size (no `flat_map`: each part shrinks on its own). The
//! seed never shrinks: a shrunk schedule replays the same simulation with fewer or smaller steps.
//!
//! Two things steer the search towards the schedules that break Raft (issue 16):
//! - **Swarm testing**: each case enables a random subset of the kinds of step ([`Swarm`]) and
//!   keeps only the steps of those kinds, so some cases are all crashes and no message faults,
//!   others all partitions; rare combinations get whole cases to themselves.
//! - **Protocol-timed steps**: [`Action::CrashLeader`], [`Action::IsolateLeader`] and
//!   [`Action::Revive`] aim at whoever leads (or is down) when they run, and a third of the pauses
//!   are short ([`QUICK_GAP_MS`]), so a leader can die holding entries nobody else has and a peer
//!   can reboot in the middle of an election.

use proptest::collection::vec;
use proptest::prelude::*;

/// The largest cluster a case can have.
pub const MAX_PEERS: usize = 7;
/// The smallest cluster a case can have.
pub const MIN_PEERS: usize = 3;
/// At most this many fault steps are drawn per case (before [`Swarm`] keeps its kinds' steps).
pub const MAX_STEPS: usize = 32;
/// Groups a partition splits the peers into (some may end up empty).
pub const MAX_GROUPS: u8 = 3;
/// The longest pause before a step, in virtual ms (a few election timeouts).
pub const MAX_STEP_GAP_MS: u32 = 1500;
/// The longest of the short pauses (a third of them): less than a heartbeat, so the step lands
/// before the previous one's effects have spread.
pub const QUICK_GAP_MS: u32 = 40;

/// One fault step. Peer numbers are taken modulo the cluster size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Split the cluster: peer i joins group `groups[i]`; links inside a group are up, across are down.
    Partition { groups: [u8; MAX_PEERS] },
    /// Asymmetric cut: `from`'s end to `to` goes down, `to`'s end to `from` comes up.
    CutLink { from: u8, to: u8 },
    /// Every link up.
    Heal,
    /// Kill the peer (a no-op if it is already down).
    Crash(u8),
    /// Start a crashed peer from its persisted state; reboot (crash and start) a live one.
    Restart(u8),
    /// Set the message-fault knobs: drop chances (per mille) and the request delay range.
    Faults(NetFaults),
    /// Deliver this fraction (per mille) of requests twice.
    Duplicates(u16),
    /// Turn the lab's long reordering of replies on or off.
    Reordering(bool),
    /// A burst of this many commands: fuzz_raft hands them to every peer that claims to lead,
    /// fuzz_kv queues them on each client.
    Commands(u8),
    /// A burst of this many commands (as [`Action::Commands`]), then at once a crash of the peer
    /// leading the highest term: a leader dies holding entries it had no time to replicate.
    CrashLeader(u8),
    /// Cut the peer leading the highest term off from every other peer, both ways (every other
    /// link up), then a burst of this many commands: a leader is left holding entries of its term
    /// that only it has, and an earlier cut-off leader is back among the others.
    IsolateLeader(u8),
    /// Start the crashed peer with this number among the crashed ones (modulo how many are down).
    Revive(u8),
}

/// The kinds of step, for [`Swarm`].
pub const KINDS: usize = 12;

impl Action {
    /// Which of the [`KINDS`] kinds of step this is.
    pub fn kind(&self) -> usize {
        match self {
            Action::Partition { .. } => 0,
            Action::CutLink { .. } => 1,
            Action::Heal => 2,
            Action::Crash(_) => 3,
            Action::Restart(_) => 4,
            Action::Faults(_) => 5,
            Action::Duplicates(_) => 6,
            Action::Reordering(_) => 7,
            Action::Commands(_) => 8,
            Action::CrashLeader(_) => 9,
            Action::IsolateLeader(_) => 10,
            Action::Revive(_) => 11,
        }
    }
}

/// The kinds of step one case uses (swarm testing): bit k set means kind k is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Swarm(pub u16);

impl Swarm {
    pub fn allows(self, action: &Action) -> bool {
        self.0 & (1 << action.kind()) != 0
    }
}

/// The per-message fault knobs a [`Action::Faults`] step sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct NetFaults {
    pub request_drop_permille: u16,
    pub reply_drop_permille: u16,
    pub min_delay_ms: u16,
    pub max_delay_ms: u16,
}

/// A step and the virtual time to wait before it (after the previous step).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub after_ms: u32,
    pub action: Action,
}

/// One generated case. Its `Debug` form is the readable planned timeline (see `timeline`).
#[derive(Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The simulation seed: elections, drops and delays all follow from it.
    pub seed: u64,
    pub peers: usize,
    /// Run the 2D snapshot applier (a snapshot every 10 entries) instead of the plain one.
    pub snapshots: bool,
    pub steps: Vec<Step>,
}

impl Schedule {
    /// The peer a raw peer number in a step stands for.
    pub fn peer(&self, raw: u8) -> usize {
        raw as usize % self.peers
    }

    /// The two distinct peers of a link step (a link to oneself becomes a link to the next peer).
    pub fn link(&self, from: u8, to: u8) -> (usize, usize) {
        let from = self.peer(from);
        let mut to = self.peer(to);
        if to == from {
            to = (from + 1) % self.peers;
        }
        (from, to)
    }

    /// The groups of a partition step, each a sorted list of peers, empty groups left out.
    pub fn groups(&self, groups: &[u8; MAX_PEERS]) -> Vec<Vec<usize>> {
        (0..MAX_GROUPS)
            .map(|g| {
                (0..self.peers)
                    .filter(|&p| groups[p] == g)
                    .collect::<Vec<_>>()
            })
            .filter(|g| !g.is_empty())
            .collect()
    }
}

fn peer() -> impl Strategy<Value = u8> {
    0..MAX_PEERS as u8
}

fn net_faults() -> impl Strategy<Value = NetFaults> {
    (0..=400u16, 0..=400u16, 0..=30u16, 0..=300u16).prop_map(|(req, rep, lo, span)| NetFaults {
        request_drop_permille: req,
        reply_drop_permille: rep,
        min_delay_ms: lo,
        max_delay_ms: lo + span,
    })
}

/// One fault step. The weights favour what breaks Raft: crashes and reboots, cuts and partitions,
/// and commands arriving while leaders disagree.
pub fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => prop::array::uniform7(0..MAX_GROUPS).prop_map(|groups| Action::Partition { groups }),
        3 => (peer(), peer()).prop_map(|(from, to)| Action::CutLink { from, to }),
        2 => Just(Action::Heal),
        3 => peer().prop_map(Action::Crash),
        3 => peer().prop_map(Action::Restart),
        1 => net_faults().prop_map(Action::Faults),
        1 => (0..=300u16).prop_map(Action::Duplicates),
        1 => any::<bool>().prop_map(Action::Reordering),
        4 => (1..=5u8).prop_map(Action::Commands),
        3 => (0..=3u8).prop_map(Action::CrashLeader),
        3 => (0..=3u8).prop_map(Action::IsolateLeader),
        3 => peer().prop_map(Action::Revive),
    ]
}

/// The cluster size: 3 to 7 peers, 3 most often (a minority of one, so one lost or cut-off peer
/// already decides every election: the small cases are where most Raft bugs show first).
fn peers() -> impl Strategy<Value = usize> {
    prop_oneof![3 => Just(MIN_PEERS), 4 => MIN_PEERS + 1..=MAX_PEERS]
}

/// The pause before a step: a third are short (under [`QUICK_GAP_MS`]), the rest up to
/// [`MAX_STEP_GAP_MS`].
fn gap() -> impl Strategy<Value = u32> {
    prop_oneof![1 => 0..=QUICK_GAP_MS, 2 => 0..=MAX_STEP_GAP_MS]
}

pub fn step() -> impl Strategy<Value = Step> {
    (gap(), action()).prop_map(|(after_ms, action)| Step { after_ms, action })
}

/// A whole case: 3–7 peers, a seed that never shrinks, snapshots or not, and up to
/// [`MAX_STEPS`] steps of the kinds its [`Swarm`] allows. (Shrinking the swarm turns kinds off.)
pub fn schedule() -> impl Strategy<Value = Schedule> {
    (
        any::<u64>().no_shrink(),
        peers(),
        any::<bool>(),
        any::<u16>().prop_map(Swarm),
        vec(step(), 1..=MAX_STEPS),
    )
        .prop_map(|(seed, peers, snapshots, swarm, steps)| Schedule {
            seed,
            peers,
            snapshots,
            steps: steps
                .into_iter()
                .filter(|s| swarm.allows(&s.action))
                .collect(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched(peers: usize) -> Schedule {
        Schedule {
            seed: 1,
            peers,
            snapshots: false,
            steps: vec![],
        }
    }

    #[test]
    fn raw_peers_wrap_and_links_never_loop() {
        let s = sched(3);
        assert_eq!(s.peer(5), 2);
        assert_eq!(s.link(1, 4), (1, 2));
        assert_eq!(s.link(2, 0), (2, 0));
    }

    #[test]
    fn a_swarm_keeps_its_kinds() {
        let crashes_only = Swarm(1 << Action::Crash(0).kind());
        assert!(crashes_only.allows(&Action::Crash(2)));
        assert!(!crashes_only.allows(&Action::Commands(1)));
        assert!(!crashes_only.allows(&Action::Faults(NetFaults::default())));
        assert!(!crashes_only.allows(&Action::CrashLeader(0)));
        let kinds: std::collections::BTreeSet<usize> = [
            Action::Partition { groups: [0; 7] },
            Action::CutLink { from: 0, to: 1 },
            Action::Heal,
            Action::Crash(0),
            Action::Restart(0),
            Action::Faults(NetFaults::default()),
            Action::Duplicates(0),
            Action::Reordering(true),
            Action::Commands(1),
            Action::CrashLeader(1),
            Action::IsolateLeader(1),
            Action::Revive(0),
        ]
        .iter()
        .map(Action::kind)
        .collect();
        assert_eq!(kinds, (0..KINDS).collect());
    }

    /// Swarm testing at work: among generated cases are long ones made of few kinds of step, and
    /// crash-heavy ones without a single message fault. Without the swarm, a long case mixes most
    /// kinds.
    #[test]
    fn generated_cases_focus_on_few_kinds() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
        let mut runner = TestRunner::new_with_rng(Config::default(), rng);
        let (mut focused, mut crashy_and_clean) = (0, 0);
        for _ in 0..300 {
            let s = schedule().new_tree(&mut runner).unwrap().current();
            let kinds: std::collections::BTreeSet<usize> =
                s.steps.iter().map(|s| s.action.kind()).collect();
            if s.steps.len() >= 8 && kinds.len() <= 4 {
                focused += 1;
            }
            let crashes = s
                .steps
                .iter()
                .filter(|s| matches!(s.action, Action::Crash(_) | Action::CrashLeader(_)))
                .count();
            let faults = s.steps.iter().any(|s| {
                matches!(
                    s.action,
                    Action::Faults(_) | Action::Duplicates(_) | Action::Reordering(_)
                )
            });
            if crashes >= 3 && !faults {
                crashy_and_clean += 1;
            }
        }
        assert!(focused >= 10, "{focused} long cases of at most 4 kinds");
        assert!(
            crashy_and_clean >= 20,
            "{crashy_and_clean} crash-heavy cases without faults"
        );
    }

    #[test]
    fn a_third_of_the_pauses_are_quick() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[9; 32]);
        let mut runner = TestRunner::new_with_rng(Config::default(), rng);
        let quick = (0..1000)
            .filter(|_| gap().new_tree(&mut runner).unwrap().current() <= QUICK_GAP_MS)
            .count();
        assert!(
            (300..450).contains(&quick),
            "{quick} of 1000 pauses were quick"
        );
    }

    #[test]
    fn groups_list_only_present_peers() {
        let s = sched(4);
        let groups = s.groups(&[2, 0, 2, 0, 1, 1, 1]);
        assert_eq!(groups, vec![vec![1, 3], vec![0, 2]]);
    }
}
