//! Unit tests of the pure core, one module per box of Figure 2 (plus persistence and snapshots),
//! each test named after the rule it checks. No simulator: time is whatever the test says it is.

mod all_servers;
mod append_entries;
mod candidates;
mod cluster;
mod followers;
mod leaders;
mod persistence;
mod request_vote;
mod snapshots;
mod trace;

use super::{Core, Delivery, Effect, NextMessage, Outbound, Role};
use crate::log::{Entry, Log};
use crate::messages::*;
use crate::persist::{HardState, Stored};
use crate::timing::{ELECTION_TIMEOUT_MAX, ELECTION_TIMEOUT_MIN, Time};
use std::time::Duration;

pub fn ms(n: u64) -> Time {
    Duration::from_millis(n)
}

/// An entry of `term` whose command names its index, so tests can tell entries apart.
pub fn entry(index: u64, term: u64) -> Entry {
    Entry {
        term,
        command: index.to_le_bytes().to_vec(),
    }
}

/// A log holding one entry per term in `terms`, at indexes 1, 2, ...
pub fn log_of(terms: &[u64]) -> Log {
    let mut log = Log::default();
    for (i, &t) in terms.iter().enumerate() {
        log.append(entry(i as u64 + 1, t));
    }
    log
}

pub fn terms_of(log: &Log) -> Vec<u64> {
    (log.snapshot_index() + 1..=log.last_index())
        .map(|i| log.term_at(i).unwrap())
        .collect()
}

/// Peer `me` of `peers`, a follower at time zero in `term` (with no vote) holding `log_terms`.
pub fn follower(me: usize, peers: usize, term: u64, log_terms: &[u64]) -> Core {
    let hard = HardState {
        term,
        voted_for: None,
        log: log_of(log_terms),
    };
    Core::new(
        me,
        peers,
        Stored::from_hard_state(hard),
        7 + me as u64,
        ms(0),
    )
}

/// Fires `core`'s election timer exactly at its deadline; returns that time.
pub fn time_out(core: &mut Core) -> Time {
    let at = core.election_deadline();
    core.tick(at);
    at
}

/// Peer `me` of `peers`, holding `log_terms`, as the leader of `term` (which must be above the
/// log's terms): it timed out in `term - 1` and won the votes of the peers after it. Its effects so
/// far are discarded; returns it with the time it became leader.
pub fn leader(me: usize, peers: usize, term: u64, log_terms: &[u64]) -> (Core, Time) {
    elected(follower(me, peers, term - 1, log_terms), me, peers)
}

/// `core` (peer `me` of `peers`, a follower) as the leader of the next term: it timed out and won
/// the votes of the peers after it. Its effects so far are discarded; returns it with the time it
/// became leader.
pub fn elected(mut core: Core, me: usize, peers: usize) -> (Core, Time) {
    let term = core.term() + 1;
    let at = time_out(&mut core);
    for k in 1..peers {
        let voter = (me + k) % peers;
        let reply = RequestVoteReply {
            term,
            granted: true,
        };
        core.on_vote_reply(voter, term, reply);
    }
    assert!(core.is_leader() && core.term() == term);
    core.take_effects();
    (core, at)
}

pub fn append_args(
    term: u64,
    prev: (u64, u64),
    entries: &[(u64, u64)],
    leader_commit: u64,
) -> AppendEntriesArgs {
    AppendEntriesArgs {
        term,
        leader: 0,
        prev_log_index: prev.0,
        prev_log_term: prev.1,
        entries: entries.iter().map(|&(i, t)| entry(i, t)).collect(),
        leader_commit,
    }
}

pub fn vote_args(term: u64, candidate: u64, last_index: u64, last_term: u64) -> RequestVoteArgs {
    RequestVoteArgs {
        term,
        candidate,
        last_log_index: last_index,
        last_log_term: last_term,
    }
}

/// The hard state the last `Persist` among `effects` saved, decoded from its bytes.
pub fn persisted(effects: &[Effect]) -> Option<HardState> {
    effects.iter().rev().find_map(|e| match e {
        Effect::Persist { state, .. } => Some(HardState::decode(&state.concat(), 9).unwrap()),
        _ => None,
    })
}

pub fn vote_requests(effects: &[Effect]) -> Vec<(usize, RequestVoteArgs)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::RequestVote { peer, args } => Some((*peer, args.clone())),
            _ => None,
        })
        .collect()
}

pub fn replicate_wakes(effects: &[Effect]) -> Vec<usize> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Replicate { peer } => Some(*peer),
            _ => None,
        })
        .collect()
}

pub fn wakes_applier(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::Apply))
}

/// The AppendEntries `core` (leading in `term`) sends `peer` at `now`; panics on anything else.
pub fn append_to(core: &mut Core, peer: usize, now: Time) -> AppendEntriesArgs {
    match core.next_message(peer, core.term(), now) {
        NextMessage::Send {
            message: Outbound::Append(args),
            ..
        } => args,
        other => panic!("expected AppendEntries, got {other:?}"),
    }
}

pub fn progress(core: &Core) -> &super::Progress {
    match core.role() {
        Role::Leader(p) => p,
        other => panic!("not leading: {other:?}"),
    }
}

/// The indexes of the commands `core` delivers to its service now.
pub fn applied_indexes(core: &mut Core) -> Vec<u64> {
    core.take_applies(usize::MAX)
        .into_iter()
        .map(|m| match m {
            Delivery::Command { index, .. } => index,
            Delivery::StoredSnapshot { index, .. } => panic!("unexpected snapshot {index}"),
        })
        .collect()
}

/// Whether `deadline` is a fresh election deadline drawn at `now`.
pub fn is_fresh_deadline(deadline: Time, now: Time) -> bool {
    (now + ELECTION_TIMEOUT_MIN..now + ELECTION_TIMEOUT_MAX).contains(&deadline)
}

pub fn success(term: u64) -> AppendEntriesReply {
    AppendEntriesReply {
        term,
        success: true,
        conflict: None,
    }
}

pub fn rejection(term: u64, conflict: Conflict) -> AppendEntriesReply {
    AppendEntriesReply {
        term,
        success: false,
        conflict: Some(conflict),
    }
}
