//! Figure 2, "Rules for Servers", candidates.

use super::*;

/// On conversion to candidate: increment currentTerm.
#[test]
fn on_conversion_to_candidate_increment_current_term() {
    let mut core = follower(1, 3, 4, &[1, 4]);
    time_out(&mut core);
    assert_eq!(core.term(), 5);
}

/// On conversion to candidate: vote for self.
#[test]
fn on_conversion_to_candidate_vote_for_self() {
    let mut core = follower(1, 3, 4, &[1, 4]);
    time_out(&mut core);
    assert_eq!(core.voted_for(), Some(1));
    match core.role() {
        Role::Candidate { votes } => assert_eq!(votes.iter().copied().collect::<Vec<_>>(), [1]),
        other => panic!("{other:?}"),
    }
}

/// On conversion to candidate: reset election timer.
#[test]
fn on_conversion_to_candidate_reset_election_timer() {
    let mut core = follower(1, 3, 4, &[1, 4]);
    let at = time_out(&mut core);
    assert!(is_fresh_deadline(core.election_deadline(), at));
}

/// On conversion to candidate: send RequestVote RPCs to all other servers.
#[test]
fn on_conversion_to_candidate_send_request_vote_to_all_other_servers() {
    let mut core = follower(2, 5, 4, &[1, 4, 4]);
    time_out(&mut core);
    let requests = vote_requests(&core.take_effects());
    let to: Vec<usize> = requests.iter().map(|(p, _)| *p).collect();
    assert_eq!(to, [0, 1, 3, 4]);
    for (_, args) in requests {
        assert_eq!(
            (
                args.term,
                args.candidate,
                args.last_log_index,
                args.last_log_term
            ),
            (5, 2, 3, 4)
        );
    }
}

/// If votes received from majority of servers: become leader. Each voter counts once, and only
/// for the term it voted in.
#[test]
fn votes_from_a_majority_of_servers_make_a_leader() {
    let mut core = follower(0, 5, 1, &[1]);
    time_out(&mut core);
    core.take_effects();
    let yes = RequestVoteReply {
        term: 2,
        granted: true,
    };
    core.on_vote_reply(1, 2, yes.clone());
    core.on_vote_reply(1, 2, yes.clone());
    assert!(!core.is_leader(), "one voter twice is not three votes");
    core.on_vote_reply(
        2,
        1,
        RequestVoteReply {
            term: 1,
            granted: true,
        },
    );
    assert!(
        !core.is_leader(),
        "a vote from an older election does not count"
    );
    core.on_vote_reply(
        3,
        2,
        RequestVoteReply {
            term: 2,
            granted: false,
        },
    );
    assert!(!core.is_leader(), "a refusal does not count");
    core.on_vote_reply(4, 2, yes);
    assert!(core.is_leader(), "self, 1 and 4 are three of five");
    let effects = core.take_effects();
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::StartReplicators { term: 2 })),
        "{effects:?}"
    );
}

/// A cluster of one: the candidate's own vote is the majority.
#[test]
fn a_lone_server_becomes_leader_on_its_own_vote() {
    let mut core = follower(0, 1, 0, &[]);
    time_out(&mut core);
    assert!(core.is_leader());
    assert_eq!(core.start(vec![1]), Some((1, 1)));
    assert_eq!(core.commit_index(), 1, "alone, it commits what it appends");
}

/// If AppendEntries RPC received from new leader: convert to follower.
#[test]
fn append_entries_from_a_new_leader_makes_a_candidate_follower() {
    let mut core = follower(1, 3, 1, &[1]);
    let at = time_out(&mut core);
    assert_eq!(core.term(), 2);
    let reply = core.handle_append_entries(at + ms(1), append_args(2, (1, 1), &[], 0));
    assert!(reply.success);
    assert!(matches!(core.role(), Role::Follower));
    assert_eq!(core.term(), 2);
    assert_eq!(
        core.voted_for(),
        Some(1),
        "its own vote in this term stands"
    );
}

/// If election timeout elapses: start new election.
#[test]
fn election_timeout_as_candidate_starts_a_new_election() {
    let mut core = follower(1, 3, 1, &[1]);
    time_out(&mut core);
    core.on_vote_reply(
        2,
        2,
        RequestVoteReply {
            term: 2,
            granted: false,
        },
    );
    core.take_effects();
    let at = time_out(&mut core);
    assert_eq!(core.term(), 3);
    assert!(matches!(core.role(), Role::Candidate { votes } if votes.len() == 1));
    assert!(is_fresh_deadline(core.election_deadline(), at));
    let requests = vote_requests(&core.take_effects());
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|(_, a)| a.term == 3));
}
