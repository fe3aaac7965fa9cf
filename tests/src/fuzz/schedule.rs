//! What a fuzz case is — a cluster size, a simulation seed and a list of timed fault steps — and the
//! proptest strategies that generate it.
//!
//! Peers are named by raw numbers (`0..MAX_PEERS`) taken modulo the cluster size when a step runs, so
//! the steps do not depend on the generated size (no `flat_map`: each part shrinks on its own). The
//! seed never shrinks: a shrunk schedule replays the same simulation with fewer or smaller steps.

use proptest::collection::vec;
use proptest::prelude::*;

/// The largest cluster a case can have.
pub const MAX_PEERS: usize = 7;
/// The smallest cluster a case can have.
pub const MIN_PEERS: usize = 3;
/// At most this many fault steps per case.
pub const MAX_STEPS: usize = 16;
/// Groups a partition splits the peers into (some may end up empty).
pub const MAX_GROUPS: u8 = 3;
/// The longest pause before a step, in virtual ms (a few election timeouts).
pub const MAX_STEP_GAP_MS: u32 = 1500;

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
    ]
}

pub fn step() -> impl Strategy<Value = Step> {
    (0..=MAX_STEP_GAP_MS, action()).prop_map(|(after_ms, action)| Step { after_ms, action })
}

/// A whole case: 3–7 peers, a seed that never shrinks, snapshots or not, and 1–16 steps.
pub fn schedule() -> impl Strategy<Value = Schedule> {
    (
        any::<u64>().no_shrink(),
        MIN_PEERS..=MAX_PEERS,
        any::<bool>(),
        vec(step(), 1..=MAX_STEPS),
    )
        .prop_map(|(seed, peers, snapshots, steps)| Schedule {
            seed,
            peers,
            snapshots,
            steps,
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
    fn groups_list_only_present_peers() {
        let s = sched(4);
        let groups = s.groups(&[2, 0, 2, 0, 1, 1, 1]);
        assert_eq!(groups, vec![vec![1, 3], vec![0, 2]]);
    }
}
