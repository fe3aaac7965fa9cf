//! Figure 2, "AppendEntries RPC", receiver implementation.

use super::*;

/// Rule 1: Reply false if term < currentTerm.
#[test]
fn reply_false_if_term_is_older_than_current_term() {
    let mut core = follower(1, 3, 3, &[1, 2, 3]);
    let reply = core.handle_append_entries(ms(1), append_args(2, (3, 3), &[(4, 2)], 4));
    assert_eq!(
        (reply.term, reply.success, reply.conflict),
        (3, false, None)
    );
    assert_eq!(terms_of(core.log()), [1, 2, 3]);
    assert_eq!(core.commit_index(), 0);
}

/// Rule 2: Reply false if log doesn't contain an entry at prevLogIndex ... (hint: where the log ends).
#[test]
fn reply_false_if_log_has_no_entry_at_prev_log_index() {
    let mut core = follower(1, 3, 3, &[1, 2, 3]);
    let reply = core.handle_append_entries(ms(1), append_args(3, (5, 3), &[(6, 3)], 0));
    assert!(!reply.success);
    assert_eq!(reply.conflict, Some(Conflict::TooShort { next: 4 }));
    assert_eq!(core.log().last_index(), 3);
}

/// Rule 2: ... whose term matches prevLogTerm (hint: the term found and where its run starts).
#[test]
fn reply_false_if_entry_at_prev_log_index_has_another_term() {
    let mut core = follower(1, 3, 3, &[1, 2, 2, 2]);
    let reply = core.handle_append_entries(ms(1), append_args(3, (4, 3), &[(5, 3)], 0));
    assert!(!reply.success);
    assert_eq!(
        reply.conflict,
        Some(Conflict::TermMismatch { term: 2, first: 2 })
    );
    assert_eq!(
        terms_of(core.log()),
        [1, 2, 2, 2],
        "a rejection changes no entry"
    );
}

/// Rule 3: If an existing entry conflicts with a new one (same index but different terms), delete the
/// existing entry and all that follow it.
#[test]
fn a_conflicting_entry_and_all_that_follow_it_are_deleted() {
    let mut core = follower(1, 3, 2, &[1, 1, 2, 2, 2]);
    let reply = core.handle_append_entries(ms(1), append_args(3, (2, 1), &[(3, 3)], 0));
    assert!(reply.success);
    assert_eq!(terms_of(core.log()), [1, 1, 3]);
    assert_eq!(core.log().entry(3), Some(&entry(3, 3)));
}

/// Rule 3: ... only on a real conflict: a stale or duplicated AppendEntries (all of whose entries the
/// log already holds) never truncates what came after them.
#[test]
fn a_stale_or_duplicate_append_entries_never_truncates_the_log() {
    let mut core = follower(1, 3, 1, &[1, 1, 1, 1]);
    let entries = [(1, 1), (2, 1), (3, 1), (4, 1)];
    core.take_effects();
    for (prev, sent) in [
        ((1, 1), &entries[1..2]),
        ((0, 0), &entries[..]),
        ((2, 1), &[][..]),
    ] {
        let reply = core.handle_append_entries(ms(1), append_args(1, prev, sent, 0));
        assert!(reply.success);
        assert_eq!(terms_of(core.log()), [1, 1, 1, 1]);
    }
    assert!(
        persisted(&core.take_effects()).is_none(),
        "nothing changed to save"
    );
}

/// Rule 4: Append any new entries not already in the log.
#[test]
fn append_new_entries_not_already_in_the_log() {
    let mut core = follower(1, 3, 1, &[1]);
    core.handle_append_entries(ms(1), append_args(1, (1, 1), &[(2, 1), (3, 1)], 0));
    assert_eq!(terms_of(core.log()), [1, 1, 1]);
    // Overlapping what the log holds: only the new ones are added.
    core.handle_append_entries(ms(2), append_args(1, (2, 1), &[(3, 1), (4, 1), (5, 1)], 0));
    assert_eq!(terms_of(core.log()), [1, 1, 1, 1, 1]);
    for i in 1..=5 {
        assert_eq!(core.log().entry(i), Some(&entry(i, 1)));
    }
}

/// Rule 5: If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry):
/// entries past what this message vouched for may be stale leftovers of an old term.
#[test]
fn commit_index_is_min_of_leader_commit_and_index_of_last_new_entry() {
    // Indexes 3 and 4 are term 2 leftovers; the term 3 leader's log differs there.
    let mut core = follower(1, 3, 2, &[1, 1, 2, 2]);
    core.handle_append_entries(ms(1), append_args(3, (2, 1), &[], 4));
    assert_eq!(
        core.commit_index(),
        2,
        "a heartbeat vouches only through prevLogIndex"
    );
    core.handle_append_entries(ms(2), append_args(3, (2, 1), &[(3, 3)], 4));
    assert_eq!(core.commit_index(), 3);
    core.handle_append_entries(ms(3), append_args(3, (3, 3), &[(4, 3), (5, 3)], 4));
    assert_eq!(core.commit_index(), 4, "leaderCommit bounds it");
    core.handle_append_entries(ms(4), append_args(3, (5, 3), &[], 1));
    assert_eq!(core.commit_index(), 4, "commitIndex never decreases");
}

/// Rule 5 moves commitIndex only forward, and the applier is woken only when it moves: a message
/// whose leaderCommit is ahead but vouches for nothing new changes nothing.
#[test]
fn the_applier_is_woken_only_when_commit_index_advances() {
    let mut core = follower(1, 3, 2, &[1, 1, 2, 2]);
    core.take_effects();
    core.handle_append_entries(ms(1), append_args(3, (2, 1), &[], 4));
    assert_eq!(core.commit_index(), 2);
    assert!(wakes_applier(&core.take_effects()));
    core.handle_append_entries(ms(2), append_args(3, (2, 1), &[], 4));
    assert_eq!(core.commit_index(), 2);
    assert!(
        !wakes_applier(&core.take_effects()),
        "commitIndex did not move"
    );
}
