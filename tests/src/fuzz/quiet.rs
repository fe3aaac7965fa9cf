//! Efficiency after healing: once the healed cluster has elected a leader and committed a command on
//! every peer, the next [`WINDOW`] of virtual time on a reliable, fully connected network must be
//! quiet: no new term (no election), the same leader, and no more RPCs than heartbeats need
//! ([`RPCS_PER_FOLLOWER_PER_SEC`] per follower per second, [`RPC_SLACK`] more in all). A Raft that
//! stays safe but wastes work (an election timer that fires under a live leader, heartbeats or
//! resends in a hot loop) fails here, where the safety invariants would never notice it.
//!
//! The check reads only what every Raft offers (`state()` and the network's RPC count), so it holds
//! for an implementation without an observer too.

use std::time::Duration;

/// How long the healed cluster is watched after its liveness command committed.
pub const WINDOW: Duration = Duration::from_secs(1);
/// RPCs a follower may be sent per second while nothing happens: three times the lab's limit of 10
/// heartbeats per second, so only waste fails, not a fast heartbeat.
pub const RPCS_PER_FOLLOWER_PER_SEC: u64 = 30;
/// RPCs allowed beyond that in the window (a catch-up of a follower that was just restarted).
pub const RPC_SLACK: u64 = 20;

/// What the quiet check reads at each end of the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// The highest term any live peer has.
    pub top_term: u64,
    /// The peer leading that term, and its term.
    pub leader: Option<(usize, u64)>,
    /// RPCs sent on the network so far.
    pub rpcs: u64,
}

/// The most RPCs `peers` peers may send in [`WINDOW`] while quiet.
pub fn rpc_bound(peers: usize) -> u64 {
    let followers = peers.saturating_sub(1) as u64;
    followers * RPCS_PER_FOLLOWER_PER_SEC * WINDOW.as_millis() as u64 / 1000 + RPC_SLACK
}

/// Whether the window from `before` to `after` on a healed cluster of `peers` was quiet.
pub fn check(peers: usize, before: &Sample, after: &Sample) -> Result<(), String> {
    let window = WINDOW.as_millis();
    if after.top_term != before.top_term {
        return Err(format!(
            "efficiency: the healed cluster went from term {} to {} within {window} ms after \
             committing, with every peer live and every link up (an election without a cause)",
            before.top_term, after.top_term
        ));
    }
    if after.leader != before.leader {
        return Err(format!(
            "efficiency: leadership changed from {:?} to {:?} within {window} ms on a healed \
             cluster (peer, term)",
            before.leader, after.leader
        ));
    }
    let rpcs = after.rpcs - before.rpcs;
    let bound = rpc_bound(peers);
    if rpcs > bound {
        return Err(format!(
            "efficiency: {rpcs} RPCs in {window} ms on a healed, idle cluster of {peers} peers \
             (at most {bound}: {RPCS_PER_FOLLOWER_PER_SEC} per follower per second and \
             {RPC_SLACK} more)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(top_term: u64, leader: Option<(usize, u64)>, rpcs: u64) -> Sample {
        Sample {
            top_term,
            leader,
            rpcs,
        }
    }

    #[test]
    fn heartbeats_alone_are_quiet() {
        // 5 peers, 10 heartbeats a second to each of 4 followers, and their replies are not RPCs.
        let before = sample(4, Some((2, 4)), 1000);
        assert_eq!(check(5, &before, &sample(4, Some((2, 4)), 1040)), Ok(()));
        assert_eq!(rpc_bound(5), 4 * 30 + 20);
        assert_eq!(check(5, &before, &sample(4, Some((2, 4)), 1140)), Ok(()));
    }

    #[test]
    fn an_election_on_a_healed_cluster_is_waste() {
        let before = sample(4, Some((2, 4)), 0);
        let e = check(3, &before, &sample(5, Some((1, 5)), 30)).unwrap_err();
        assert!(e.contains("from term 4 to 5"), "{e}");
    }

    #[test]
    fn a_lost_leader_is_noticed() {
        let before = sample(4, Some((2, 4)), 0);
        let e = check(3, &before, &sample(4, None, 30)).unwrap_err();
        assert!(e.contains("leadership changed"), "{e}");
    }

    #[test]
    fn a_hot_loop_of_rpcs_is_waste() {
        let before = sample(4, Some((2, 4)), 0);
        let e = check(3, &before, &sample(4, Some((2, 4)), 81)).unwrap_err();
        assert!(e.contains("81 RPCs"), "{e}");
        assert_eq!(check(3, &before, &sample(4, Some((2, 4)), 80)), Ok(()));
    }
}
