//! Raft's safety properties, checked against observations of the peers' read-only views.
//!
//! The checker is plain data: the fuzz cluster feeds it every live peer's [`PeerView`] after each
//! step, after each delivered message and every few ms, and tells it about crashes and restarts.
//! It remembers what it saw across observations (leaders per term, committed entries, each peer's
//! last term/commit/applied within one life), so a property is checked over the whole run, not
//! only within one instant. State-machine safety for commands (never two different commands applied
//! at one index) is checked by the tester's appliers, which see the command bytes.

use raftapi::{PeerView, RoleName};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// A broken property: which one, when (virtual time) and what exactly was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub at: Duration,
    pub invariant: &'static str,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} violated at {:.3}s: {}",
            self.invariant,
            self.at.as_secs_f64(),
            self.detail
        )
    }
}

pub const ELECTION_SAFETY: &str = "election safety";
pub const LOG_MATCHING: &str = "log matching";
pub const LEADER_COMPLETENESS: &str = "leader completeness";
pub const COMMITTED_ENTRIES_AGREE: &str = "state-machine safety (committed entries)";
pub const MONOTONIC: &str = "monotonic term/commit/applied within a life";
pub const APPLIED_LE_COMMITTED: &str = "applied <= committed <= last log index";
pub const PERSISTENCE: &str = "persisted term survives a crash";
pub const PERSISTED_VOTE: &str = "a vote survives a crash (no two votes in one term)";

/// An entry the checker has seen committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Committed {
    term: u64,
    /// The highest term any live peer had when the commit was first seen. The leader that committed
    /// the entry had a term no higher, so every leader of a later term must hold the entry.
    seen_by_term: u64,
    peer: usize,
}

/// What the checker remembers of one life of one peer.
#[derive(Clone, Copy, Debug, Default)]
struct Life {
    number: u32,
    term: u64,
    commit: u64,
    applied: u64,
    /// The term and vote it had when it last crashed.
    at_crash: Option<(u64, Option<u64>)>,
}

/// A leader the checker has seen, and the first time it saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaderSeen {
    pub peer: usize,
    pub at: Duration,
}

/// The safety checker. Feed it with [`Checker::observe`], [`Checker::crashed`], [`Checker::restarted`].
#[derive(Debug)]
pub struct Checker {
    lives: Vec<Life>,
    /// term → the leader seen in it.
    leaders: BTreeMap<u64, LeaderSeen>,
    /// `committed[i]`: the entry seen committed at index i (index 0 unused).
    committed: Vec<Option<Committed>>,
    observations: u64,
}

/// The term of `index` in a view, if the view still knows it (the snapshot boundary counts).
pub fn term_at(v: &PeerView, index: u64) -> Option<u64> {
    if index == v.snapshot_index {
        Some(v.snapshot_term)
    } else if index > v.snapshot_index {
        v.log_terms
            .get((index - v.snapshot_index - 1) as usize)
            .copied()
    } else {
        None
    }
}

pub fn last_index(v: &PeerView) -> u64 {
    v.snapshot_index + v.log_terms.len() as u64
}

impl Checker {
    pub fn new(peers: usize) -> Self {
        Checker {
            lives: vec![Life::default(); peers],
            leaders: BTreeMap::new(),
            committed: vec![None],
            observations: 0,
        }
    }

    /// How many observations were checked.
    pub fn observations(&self) -> u64 {
        self.observations
    }

    /// The leaders seen so far, by term.
    pub fn leaders(&self) -> &BTreeMap<u64, LeaderSeen> {
        &self.leaders
    }

    /// The life number of a peer (0 for the first, +1 per restart).
    pub fn life(&self, peer: usize) -> u32 {
        self.lives[peer].number
    }

    /// Peer `peer` is about to be killed; `last` is its view just before.
    pub fn crashed(&mut self, peer: usize, last: &PeerView) {
        self.lives[peer].at_crash = Some((last.term, last.voted_for));
    }

    /// Peer `peer` was started again; `first` is its view before it handled anything. Begins a new
    /// life and checks that the persisted term survived, and the vote with it: a peer that voted
    /// in term T and restarts in term T must still hold that vote, or it may grant a second one
    /// in T (Figure 2: votedFor is persistent state, saved before the vote is answered).
    pub fn restarted(
        &mut self,
        at: Duration,
        peer: usize,
        first: &PeerView,
    ) -> Result<(), Violation> {
        let old = self.lives[peer];
        self.lives[peer] = Life {
            number: old.number + 1,
            term: first.term,
            commit: first.commit_index,
            applied: first.last_applied,
            at_crash: None,
        };
        let Some((before, vote)) = old.at_crash else {
            return Ok(());
        };
        if first.term < before {
            return Err(Violation {
                at,
                invariant: PERSISTENCE,
                detail: format!(
                    "peer {peer} had term {before} when it crashed but restarted with term {}",
                    first.term
                ),
            });
        }
        if first.term == before
            && let Some(v) = vote
            && first.voted_for != Some(v)
        {
            return Err(Violation {
                at,
                invariant: PERSISTED_VOTE,
                detail: format!(
                    "peer {peer} had voted for peer {v} in term {before} when it crashed but \
                     restarted in term {before} with vote {:?}, free to vote again in that term",
                    first.voted_for
                ),
            });
        }
        Ok(())
    }

    /// Checks one observation: the views of the live peers, all read at the same virtual instant.
    pub fn observe(&mut self, at: Duration, views: &[(usize, PeerView)]) -> Result<(), Violation> {
        self.observations += 1;
        let fail = |invariant, detail| {
            Err(Violation {
                at,
                invariant,
                detail,
            })
        };
        for (p, v) in views {
            if let Err(detail) = self.check_one(*p, v) {
                let invariant = if detail.contains("backwards") {
                    MONOTONIC
                } else {
                    APPLIED_LE_COMMITTED
                };
                return fail(invariant, detail);
            }
            if v.role == RoleName::Leader {
                let seen = self
                    .leaders
                    .entry(v.term)
                    .or_insert(LeaderSeen { peer: *p, at });
                if seen.peer != *p {
                    return fail(
                        ELECTION_SAFETY,
                        format!(
                            "peers {} (seen at {:.3}s) and {p} both lead term {}",
                            seen.peer,
                            seen.at.as_secs_f64(),
                            v.term
                        ),
                    );
                }
            }
        }
        if let Err(detail) = self.record_commits(views) {
            return fail(COMMITTED_ENTRIES_AGREE, detail);
        }
        for (p, v) in views.iter().filter(|(_, v)| v.role == RoleName::Leader) {
            if let Err(detail) = self.check_leader_complete(*p, v) {
                return fail(LEADER_COMPLETENESS, detail);
            }
        }
        for (k, (a, va)) in views.iter().enumerate() {
            for (b, vb) in &views[k + 1..] {
                if let Err(detail) = logs_match(*a, va, *b, vb) {
                    return fail(LOG_MATCHING, detail);
                }
            }
        }
        Ok(())
    }

    /// Per-peer checks: applied ≤ commit ≤ last index, and nothing went backwards in this life.
    fn check_one(&mut self, p: usize, v: &PeerView) -> Result<(), String> {
        if v.last_applied > v.commit_index {
            return Err(format!(
                "peer {p} applied {} but committed only {}",
                v.last_applied, v.commit_index
            ));
        }
        if v.commit_index > last_index(v) {
            return Err(format!(
                "peer {p} committed {} but its log ends at {}",
                v.commit_index,
                last_index(v)
            ));
        }
        let life = &mut self.lives[p];
        for (what, old, new) in [
            ("term", life.term, v.term),
            ("commit index", life.commit, v.commit_index),
            ("applied index", life.applied, v.last_applied),
        ] {
            if new < old {
                return Err(format!(
                    "peer {p}'s {what} went backwards from {old} to {new} in life {}",
                    life.number
                ));
            }
        }
        life.term = v.term;
        life.commit = v.commit_index;
        life.applied = v.last_applied;
        Ok(())
    }

    /// Records every committed entry whose term a view still knows; two terms at one committed
    /// index mean two different entries were committed there.
    fn record_commits(&mut self, views: &[(usize, PeerView)]) -> Result<(), String> {
        let seen_by_term = views.iter().map(|(_, v)| v.term).max().unwrap_or(0);
        for (p, v) in views {
            let first = v.snapshot_index.max(1);
            if self.committed.len() <= v.commit_index as usize {
                self.committed.resize(v.commit_index as usize + 1, None);
            }
            for index in first..=v.commit_index {
                let Some(term) = term_at(v, index) else {
                    continue;
                };
                match &self.committed[index as usize] {
                    Some(c) if c.term != term => {
                        return Err(format!(
                            "index {index} was committed with term {} (seen on peer {}), \
                             but peer {p} committed term {term} there",
                            c.term, c.peer
                        ));
                    }
                    Some(_) => {}
                    None => {
                        self.committed[index as usize] = Some(Committed {
                            term,
                            seen_by_term,
                            peer: *p,
                        })
                    }
                }
            }
        }
        Ok(())
    }

    /// A leader of term T holds every entry that was committed in a term before T.
    fn check_leader_complete(&self, p: usize, v: &PeerView) -> Result<(), String> {
        for (index, c) in self.committed.iter().enumerate() {
            let Some(c) = c else { continue };
            let index = index as u64;
            if c.seen_by_term >= v.term || index <= v.snapshot_index {
                continue;
            }
            let has = term_at(v, index);
            if has != Some(c.term) {
                let has = has.map_or("nothing".to_string(), |t| format!("term {t}"));
                return Err(format!(
                    "peer {p} leads term {} but holds {has} at index {index}, where an entry of \
                     term {} was committed by term {} at the latest (seen on peer {})",
                    v.term, c.term, c.seen_by_term, c.peer
                ));
            }
        }
        Ok(())
    }
}

/// Log matching on the overlap of two logs: if both hold an entry of the same term at some index,
/// they agree on every index before it that both still know.
pub fn logs_match(a: usize, va: &PeerView, b: usize, vb: &PeerView) -> Result<(), String> {
    let lo = va.snapshot_index.max(vb.snapshot_index);
    let hi = last_index(va).min(last_index(vb));
    if lo > hi {
        return Ok(());
    }
    let Some(matched) = (lo..=hi)
        .rev()
        .find(|&i| term_at(va, i).is_some() && term_at(va, i) == term_at(vb, i))
    else {
        return Ok(());
    };
    for i in lo..matched {
        let (ta, tb) = (term_at(va, i), term_at(vb, i));
        if ta != tb {
            return Err(format!(
                "peers {a} and {b} agree on term {:?} at index {matched} but differ at index {i} \
                 ({ta:?} vs {tb:?})",
                term_at(va, matched)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(term: u64, role: RoleName, log_terms: &[u64], commit: u64) -> PeerView {
        PeerView {
            term,
            role,
            voted_for: None,
            snapshot_index: 0,
            snapshot_term: 0,
            log_terms: log_terms.to_vec(),
            commit_index: commit,
            last_applied: commit,
        }
    }

    const F: RoleName = RoleName::Follower;
    const L: RoleName = RoleName::Leader;
    const T0: Duration = Duration::ZERO;

    #[test]
    fn two_leaders_in_one_term_across_observations() {
        let mut c = Checker::new(3);
        c.observe(T0, &[(0, view(2, L, &[], 0))]).unwrap();
        c.observe(T0, &[(0, view(3, F, &[], 0))]).unwrap();
        let e = c.observe(T0, &[(1, view(2, L, &[], 0))]).unwrap_err();
        assert_eq!(e.invariant, ELECTION_SAFETY);
        // A different term is fine.
        c.observe(T0, &[(1, view(3, L, &[], 0))]).unwrap();
    }

    #[test]
    fn log_matching_checks_the_prefix_of_a_common_entry() {
        let a = view(3, F, &[1, 1, 2, 3], 0);
        let b = view(3, F, &[1, 2, 2, 3], 0);
        assert!(logs_match(0, &a, 1, &b).is_err());
        let c = view(3, F, &[1, 1, 3], 0);
        assert!(logs_match(0, &a, 2, &c).is_ok(), "diverging tails are fine");
        let mut d = view(3, F, &[2, 3], 0);
        d.snapshot_index = 2;
        d.snapshot_term = 1;
        assert!(logs_match(0, &a, 3, &d).is_ok(), "overlap after a snapshot");
        d.snapshot_term = 2;
        assert!(logs_match(1, &b, 3, &d).is_ok());
        assert!(logs_match(0, &a, 3, &d).is_err());
    }

    #[test]
    fn a_committed_entry_cannot_change() {
        let mut c = Checker::new(2);
        c.observe(T0, &[(0, view(2, F, &[1, 2], 2))]).unwrap();
        let e = c.observe(T0, &[(1, view(3, F, &[1, 3], 2))]).unwrap_err();
        assert_eq!(e.invariant, COMMITTED_ENTRIES_AGREE);
    }

    #[test]
    fn a_later_leader_must_hold_earlier_commits() {
        let mut c = Checker::new(3);
        c.observe(T0, &[(0, view(2, L, &[1, 2], 2))]).unwrap();
        // A stale leader of the same term may lack it; only later terms must have it.
        let e = c.observe(T0, &[(1, view(3, L, &[1], 0))]).unwrap_err();
        assert_eq!(e.invariant, LEADER_COMPLETENESS);
        // Seen committed while some peer was already at term 3: the committing term is only known
        // to be <= 3, so a leader of term 3 is not held to it (a leader of term 4 is).
        let mut c = Checker::new(3);
        c.observe(T0, &[(0, view(2, L, &[1, 2], 2)), (2, view(3, F, &[], 0))])
            .unwrap();
        c.observe(T0, &[(1, view(3, L, &[1], 0))]).unwrap();
        assert!(c.observe(T0, &[(1, view(4, L, &[1], 0))]).is_err());
    }

    #[test]
    fn commit_and_applied_are_bounded_and_monotonic_per_life() {
        let mut c = Checker::new(1);
        let mut v = view(2, F, &[1, 2], 2);
        v.last_applied = 3;
        assert_eq!(
            c.observe(T0, &[(0, v)]).unwrap_err().invariant,
            APPLIED_LE_COMMITTED
        );
        let mut c = Checker::new(1);
        c.observe(T0, &[(0, view(2, F, &[1, 2], 2))]).unwrap();
        let e = c.observe(T0, &[(0, view(2, F, &[1, 2], 1))]).unwrap_err();
        assert_eq!(e.invariant, MONOTONIC);
        // A new life starts again from what it persisted.
        let last = view(2, F, &[1, 2], 2);
        c.crashed(0, &last);
        c.restarted(T0, 0, &view(2, F, &[1, 2], 0)).unwrap();
        c.observe(T0, &[(0, view(2, F, &[1, 2], 1))]).unwrap();
    }

    #[test]
    fn a_restart_below_the_crash_term_is_a_persistence_bug() {
        let mut c = Checker::new(1);
        c.crashed(0, &view(5, F, &[], 0));
        let e = c.restarted(T0, 0, &view(4, F, &[], 0)).unwrap_err();
        assert_eq!(e.invariant, PERSISTENCE);
    }

    #[test]
    fn a_vote_forgotten_across_a_restart_is_a_persistence_bug() {
        let voted = |term, vote| PeerView {
            voted_for: vote,
            ..view(term, F, &[], 0)
        };
        let mut c = Checker::new(3);
        c.crashed(0, &voted(5, Some(2)));
        let e = c.restarted(T0, 0, &voted(5, None)).unwrap_err();
        assert_eq!(e.invariant, PERSISTED_VOTE);
        c.crashed(0, &voted(5, Some(2)));
        let e = c.restarted(T0, 0, &voted(5, Some(1))).unwrap_err();
        assert_eq!(
            e.invariant, PERSISTED_VOTE,
            "a changed vote is a second vote"
        );
        // The same vote, no vote to keep, or a later term (whose vote is its own) are fine.
        c.crashed(0, &voted(5, Some(2)));
        c.restarted(T0, 0, &voted(5, Some(2))).unwrap();
        c.crashed(0, &voted(5, None));
        c.restarted(T0, 0, &voted(5, None)).unwrap();
        c.crashed(0, &voted(5, Some(2)));
        c.restarted(T0, 0, &voted(6, None)).unwrap();
    }
}
