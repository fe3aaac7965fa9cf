//! Figure 2, "Rules for Servers", leaders.

use super::*;
use crate::timing::{HEARTBEAT, IN_FLIGHT_EXPIRY};

/// How many entries `core`, leading in term 2, sends peer 1 at `now`; `None` when it waits.
fn entries_sent(core: &mut Core, now: Time) -> Option<usize> {
    match core.next_message(1, 2, now) {
        NextMessage::Send {
            message: Outbound::Append(args),
            ..
        } => Some(args.entries.len()),
        NextMessage::Wait { .. } => None,
        other => panic!("expected AppendEntries or a wait, got {other:?}"),
    }
}

/// A leader of term 2 that has just sent peer 1 its one new entry; returns it with that time.
fn entry_in_flight() -> (Core, Time) {
    let (mut core, t) = leader(0, 3, 2, &[1]);
    core.start(vec![7]);
    assert_eq!(entries_sent(&mut core, t), Some(1));
    (core, t)
}

/// Upon election: send initial empty AppendEntries RPCs (heartbeat) to each server.
#[test]
fn upon_election_send_empty_append_entries_to_each_server() {
    let (mut core, at) = leader(0, 3, 3, &[1, 2]);
    for peer in [1, 2] {
        let args = append_to(&mut core, peer, at);
        assert_eq!(args.term, 3);
        assert!(args.entries.is_empty(), "a heartbeat carries no entries");
        assert_eq!((args.prev_log_index, args.prev_log_term), (2, 2));
    }
}

/// Repeat heartbeats during idle periods to prevent election timeouts: one is due a heartbeat
/// interval after the last message, also while a slow follower still has entries in flight.
#[test]
fn repeat_heartbeats_during_idle_periods() {
    let (mut core, t) = leader(0, 3, 2, &[1]);
    match core.next_message(1, 2, t) {
        NextMessage::Send { heartbeat_at, .. } => assert_eq!(heartbeat_at, t + HEARTBEAT),
        other => panic!("{other:?}"),
    }
    core.start(vec![7]);
    let sent = append_to(&mut core, 1, t + ms(10));
    assert_eq!(sent.entries.len(), 1);
    // The entry is in flight and unanswered: nothing until the next heartbeat.
    match core.next_message(1, 2, t + ms(20)) {
        NextMessage::Wait { heartbeat_at } => assert_eq!(heartbeat_at, t + ms(10) + HEARTBEAT),
        other => panic!("{other:?}"),
    }
    let heartbeat = append_to(&mut core, 1, t + ms(10) + HEARTBEAT);
    assert!(
        heartbeat.entries.is_empty(),
        "the heartbeat does not resend"
    );
    assert_eq!(heartbeat.term, 2);
}

/// A lost AppendEntries that carried entries: the next heartbeat carries them again, rather than
/// the follower waiting out the in-flight expiry. A loss reported from an older term is not this
/// leader's and changes nothing.
#[test]
fn a_lost_append_with_entries_is_resent_at_the_next_heartbeat() {
    let (mut core, t) = entry_in_flight();
    core.on_append_failed(1, 1, 1);
    assert_eq!(
        entries_sent(&mut core, t + ms(1)),
        None,
        "a stale term's loss: still in flight"
    );
    core.on_append_failed(1, 2, 1);
    assert_eq!(entries_sent(&mut core, t + HEARTBEAT), Some(1));
}

/// A lost heartbeat says nothing of the entries in flight before it: they are not resent early.
#[test]
fn a_lost_heartbeat_leaves_entries_in_flight() {
    let (mut core, t) = entry_in_flight();
    assert_eq!(entries_sent(&mut core, t + HEARTBEAT), Some(0));
    core.on_append_failed(1, 2, 0);
    assert_eq!(entries_sent(&mut core, t + HEARTBEAT + ms(1)), None);
}

/// Entries neither answered nor known lost are resent as soon as the in-flight expiry has passed.
#[test]
fn unanswered_entries_are_resent_when_the_in_flight_expiry_ends() {
    let (mut core, t) = entry_in_flight();
    assert_eq!(entries_sent(&mut core, t + HEARTBEAT), Some(0));
    assert_eq!(entries_sent(&mut core, t + IN_FLIGHT_EXPIRY), Some(1));
}

/// A reply to entries ends their flight: entries started meanwhile go at once. A reply to a heartbeat
/// says nothing of entries sent before it: they stay in flight.
#[test]
fn only_a_reply_to_entries_ends_their_flight() {
    let (mut core, t) = entry_in_flight();
    assert_eq!(entries_sent(&mut core, t + HEARTBEAT), Some(0));
    core.on_append_reply(1, 2, 1, 0, success(2));
    let after_heartbeat_reply = t + HEARTBEAT + ms(1);
    assert_eq!(entries_sent(&mut core, after_heartbeat_reply), None);
    core.start(vec![8]);
    core.on_append_reply(1, 2, 1, 1, success(2));
    assert_eq!(
        entries_sent(&mut core, after_heartbeat_reply + ms(1)),
        Some(1),
        "entry 3 goes as soon as entry 2 is acknowledged"
    );
}

/// If command received from client: append entry to local log.
#[test]
fn a_command_from_a_client_is_appended_to_the_leaders_log() {
    let (mut core, _) = leader(0, 3, 2, &[1]);
    assert_eq!(core.start(vec![42]), Some((2, 2)));
    assert_eq!(
        core.log().entry(2).map(|e| (e.term, e.command.clone())),
        Some((2, vec![42]))
    );
    assert_eq!(
        replicate_wakes(&core.take_effects()),
        [1, 2],
        "every follower is told"
    );
    let mut other = follower(1, 3, 2, &[1]);
    assert_eq!(other.start(vec![42]), None, "only a leader takes commands");
    assert_eq!(other.log().last_index(), 1);
}

/// If last log index ≥ nextIndex for a follower: send AppendEntries with entries starting at
/// nextIndex.
#[test]
fn the_leader_sends_entries_from_next_index() {
    let (mut core, at) = leader(0, 3, 2, &[1]);
    core.start(vec![1]);
    core.start(vec![2]);
    let args = append_to(&mut core, 1, at);
    assert_eq!((args.prev_log_index, args.prev_log_term), (1, 1));
    assert_eq!(
        args.entries
            .iter()
            .map(|e| e.command.clone())
            .collect::<Vec<_>>(),
        [vec![1], vec![2]]
    );
}

/// If successful: update nextIndex and matchIndex for follower, from what the acknowledged message
/// carried (not from the leader's log now), and never backwards on a late reply.
#[test]
fn successful_append_updates_next_index_and_match_index() {
    let (mut core, _) = leader(0, 3, 2, &[1]);
    for c in 0..3 {
        core.start(vec![c]);
    }
    core.take_effects();
    // A reply to entries 2..=3 (sent before entry 4 existed).
    core.on_append_reply(1, 2, 1, 2, success(2));
    assert_eq!(
        (
            progress(&core).match_index(1),
            progress(&core).next_index(1)
        ),
        (3, 4)
    );
    assert_eq!(
        replicate_wakes(&core.take_effects()),
        [1],
        "entry 4 is still to send"
    );
    // A late reply to an older message.
    core.on_append_reply(1, 2, 1, 1, success(2));
    assert_eq!(
        (
            progress(&core).match_index(1),
            progress(&core).next_index(1)
        ),
        (3, 4)
    );
}

/// If AppendEntries fails because of log inconsistency: decrement nextIndex and retry. With the
/// fast-backup hints: a follower whose log is too short says where it ends.
#[test]
fn rejection_for_a_short_log_backs_up_to_its_end() {
    let (mut core, _) = leader(0, 3, 5, &[1, 1, 2, 2, 4, 4]);
    core.on_append_reply(1, 5, 6, 0, rejection(5, Conflict::TooShort { next: 3 }));
    assert_eq!(progress(&core).next_index(1), 3);
    assert_eq!(replicate_wakes(&core.take_effects()), [1], "retry at once");
}

/// Fast backup: the follower has a term at prevLogIndex that the leader's log lacks: skip all of
/// the follower's entries of that term.
#[test]
fn rejection_for_a_term_the_leader_lacks_skips_the_followers_whole_term() {
    let (mut core, _) = leader(0, 3, 5, &[1, 1, 2, 2, 4, 4]);
    let conflict = Conflict::TermMismatch { term: 3, first: 3 };
    core.on_append_reply(1, 5, 6, 0, rejection(5, conflict));
    assert_eq!(progress(&core).next_index(1), 3);
}

/// Fast backup: the leader has the conflicting term too: resume after its last entry of it.
#[test]
fn rejection_for_a_term_the_leader_has_resumes_after_its_last_entry_of_that_term() {
    let (mut core, _) = leader(0, 3, 5, &[1, 1, 2, 2, 4, 4]);
    let conflict = Conflict::TermMismatch { term: 2, first: 2 };
    core.on_append_reply(1, 5, 6, 0, rejection(5, conflict));
    assert_eq!(progress(&core).next_index(1), 5);
}

/// Backing up never goes below what the follower is known to hold.
#[test]
fn rejection_never_backs_up_below_match_index() {
    let (mut core, _) = leader(0, 3, 5, &[1, 1, 2, 2, 4, 4]);
    core.on_append_reply(1, 5, 0, 4, success(5));
    core.on_append_reply(1, 5, 6, 0, rejection(5, Conflict::TooShort { next: 2 }));
    assert_eq!(progress(&core).next_index(1), 5);
}

/// If there exists an N > commitIndex such that a majority of matchIndex[i] ≥ N: commitIndex = N
/// (and the applier is woken).
#[test]
fn the_leader_commits_an_entry_once_a_majority_holds_it() {
    let (mut core, _) = leader(0, 5, 2, &[]);
    core.start(vec![1]);
    core.on_append_reply(1, 2, 0, 1, success(2));
    assert_eq!(
        core.commit_index(),
        0,
        "leader and one follower are two of five"
    );
    core.take_effects();
    core.on_append_reply(3, 2, 0, 1, success(2));
    assert_eq!(core.commit_index(), 1);
    assert!(wakes_applier(&core.take_effects()));
    assert_eq!(
        append_to(&mut core, 2, ms(10_000)).leader_commit,
        1,
        "followers learn it"
    );
    core.on_append_reply(4, 2, 0, 1, success(2));
    assert!(
        !wakes_applier(&core.take_effects()),
        "a third replica commits nothing new"
    );
}

/// ...and log[N].term == currentTerm: an entry of an older term is never committed by counting its
/// replicas (Figure 8), only along with a replicated entry of the current term.
#[test]
fn commit_only_by_counting_replicas_of_a_current_term_entry() {
    let (mut core, _) = leader(0, 5, 4, &[1, 2]);
    // Index 2 (of term 2) reaches a majority: the leader and followers 1 and 2.
    core.on_append_reply(1, 4, 0, 2, success(4));
    core.on_append_reply(2, 4, 0, 2, success(4));
    assert_eq!(
        core.commit_index(),
        0,
        "an older term's entry is not committed by counting"
    );
    core.start(vec![3]);
    core.on_append_reply(1, 4, 2, 1, success(4));
    assert_eq!(core.commit_index(), 0);
    core.on_append_reply(2, 4, 2, 1, success(4));
    assert_eq!(
        core.commit_index(),
        3,
        "index 3 is of term 4, and commits index 2 with it"
    );
}
