//! Figure 2, "Rules for Servers", followers.

use super::*;

/// Respond to RPCs from candidates and leaders: a follower answers, with its current term, and
/// starts nothing of its own.
#[test]
fn followers_respond_to_candidates_and_leaders_with_their_term() {
    let mut core = follower(1, 3, 2, &[1, 2]);
    let reply = core.handle_request_vote(ms(1), vote_args(3, 0, 2, 2));
    assert_eq!(reply.term, 3, "answers with the term it has now");
    let reply = core.handle_append_entries(ms(2), append_args(3, (2, 2), &[], 0));
    assert_eq!((reply.term, reply.success), (3, true));
    let reply = core.handle_append_entries(ms(3), append_args(1, (2, 2), &[], 0));
    assert_eq!(
        (reply.term, reply.success),
        (3, false),
        "tells a stale leader the term"
    );
    let effects = core.take_effects();
    assert!(vote_requests(&effects).is_empty());
    assert!(
        effects.iter().all(|e| matches!(e, Effect::Persist { .. })),
        "a follower only saves state when answering: {effects:?}"
    );
}

/// If the election timeout elapses without receiving AppendEntries from the current leader or
/// granting a vote to a candidate: convert to candidate.
#[test]
fn follower_times_out_into_candidate() {
    let mut core = follower(1, 3, 2, &[1, 2]);
    let deadline = core.election_deadline();
    assert!(is_fresh_deadline(deadline, ms(0)));
    core.tick(deadline - Duration::from_nanos(1));
    assert!(matches!(core.role(), Role::Follower), "not yet");
    assert_eq!(core.term(), 2);
    core.tick(deadline);
    assert!(matches!(core.role(), Role::Candidate { .. }));
    assert_eq!(core.term(), 3);
}

/// AppendEntries from the current leader postpones the timeout.
#[test]
fn append_entries_from_the_current_leader_resets_the_election_timer() {
    let mut core = follower(1, 3, 2, &[1, 2]);
    let first = core.election_deadline();
    let heard = first - ms(1);
    core.handle_append_entries(heard, append_args(2, (2, 2), &[], 0));
    assert!(is_fresh_deadline(core.election_deadline(), heard));
    core.tick(first);
    assert!(
        matches!(core.role(), Role::Follower),
        "the leader was heard"
    );
}

/// Only the current leader counts: a stale one does not keep a follower from timing out.
#[test]
fn append_entries_from_a_stale_leader_does_not_reset_the_election_timer() {
    let mut core = follower(1, 3, 2, &[1, 2]);
    let first = core.election_deadline();
    core.handle_append_entries(first - ms(1), append_args(1, (2, 2), &[], 0));
    assert_eq!(core.election_deadline(), first);
    core.tick(first);
    assert!(matches!(core.role(), Role::Candidate { .. }));
}
