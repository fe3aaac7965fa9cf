//! Figure 2, "RequestVote RPC", receiver implementation.

use super::*;

/// Reply false if term < currentTerm.
#[test]
fn reply_false_if_term_is_older_than_current_term() {
    let mut core = follower(1, 3, 3, &[1, 2, 3]);
    let reply = core.handle_request_vote(ms(1), vote_args(2, 0, 5, 3));
    assert_eq!((reply.term, reply.granted), (3, false));
    assert_eq!(core.voted_for(), None);
}

/// If votedFor is null or candidateId ...: one vote per term.
#[test]
fn reply_false_if_already_voted_for_another_candidate() {
    let mut core = follower(1, 3, 3, &[1, 2, 3]);
    assert!(
        core.handle_request_vote(ms(1), vote_args(3, 0, 3, 3))
            .granted
    );
    assert!(
        !core
            .handle_request_vote(ms(2), vote_args(3, 2, 3, 3))
            .granted
    );
    assert_eq!(core.voted_for(), Some(0));
}

/// ... or candidateId: a candidate that asks again (its first reply was lost) gets the same answer.
#[test]
fn grant_again_to_the_candidate_already_voted_for() {
    let mut core = follower(1, 3, 3, &[1, 2, 3]);
    assert!(
        core.handle_request_vote(ms(1), vote_args(3, 0, 3, 3))
            .granted
    );
    assert!(
        core.handle_request_vote(ms(2), vote_args(3, 0, 3, 3))
            .granted
    );
}

/// ... and candidate's log is at least as up-to-date as receiver's log (§5.4.1): the later last
/// term wins, whatever the lengths.
#[test]
fn grant_only_if_candidates_log_is_up_to_date_by_last_term() {
    let mut core = follower(1, 3, 4, &[1, 2, 3]);
    assert!(
        !core
            .handle_request_vote(ms(1), vote_args(4, 0, 9, 2))
            .granted,
        "longer, but its last term is older"
    );
    let mut core = follower(1, 3, 4, &[1, 2, 3]);
    assert!(
        core.handle_request_vote(ms(1), vote_args(4, 0, 1, 4))
            .granted,
        "shorter, but its last term is newer"
    );
}

/// ... with equal last terms, the longer log wins (and equal logs are up to date).
#[test]
fn grant_only_if_candidates_log_is_up_to_date_then_by_length() {
    let mut core = follower(1, 3, 4, &[1, 2, 3]);
    assert!(
        !core
            .handle_request_vote(ms(1), vote_args(4, 0, 2, 3))
            .granted
    );
    let mut core = follower(1, 3, 4, &[1, 2, 3]);
    assert!(
        core.handle_request_vote(ms(1), vote_args(4, 0, 3, 3))
            .granted
    );
    let mut core = follower(1, 3, 4, &[1, 2, 3]);
    assert!(
        core.handle_request_vote(ms(1), vote_args(4, 0, 4, 3))
            .granted
    );
}

/// Followers: "granting vote to candidate" restarts the election timeout; refusing does not.
#[test]
fn granting_a_vote_resets_the_election_timer() {
    let mut core = follower(1, 3, 3, &[1, 2, 3]);
    let first = core.election_deadline();
    let now = first - ms(5);
    core.handle_request_vote(now, vote_args(4, 0, 2, 3));
    assert_eq!(
        core.election_deadline(),
        first,
        "refused: the timer runs on"
    );
    core.handle_request_vote(now, vote_args(4, 2, 3, 3));
    assert!(is_fresh_deadline(core.election_deadline(), now));
}
