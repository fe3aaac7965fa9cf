//! Figure 2, "Rules for Servers", all servers.

use super::*;

/// If commitIndex > lastApplied: increment lastApplied, apply log[lastApplied] to the state machine.
#[test]
fn apply_entries_while_commit_index_exceeds_last_applied() {
    let mut core = follower(1, 3, 1, &[]);
    let args = append_args(1, (0, 0), &[(1, 1), (2, 1), (3, 1)], 2);
    assert!(core.handle_append_entries(ms(1), args).success);
    assert!(
        wakes_applier(&core.take_effects()),
        "commit moved: wake the applier"
    );
    let applies = core.take_applies(usize::MAX);
    assert_eq!(
        applies,
        vec![
            Delivery::Command {
                index: 1,
                command: entry(1, 1).command
            },
            Delivery::Command {
                index: 2,
                command: entry(2, 1).command
            },
        ],
        "exactly the committed entries, in order"
    );
    assert_eq!(core.last_applied(), 2);
    assert_eq!(
        applied_indexes(&mut core),
        vec![],
        "nothing is applied twice"
    );
    core.handle_append_entries(ms(2), append_args(1, (3, 1), &[], 3));
    assert_eq!(applied_indexes(&mut core), vec![3]);
}

/// The applier takes at most what it asks for, and the rest stays to apply.
#[test]
fn apply_in_batches_keeps_order() {
    let mut core = follower(1, 3, 1, &[]);
    let entries: Vec<_> = (1..=5).map(|i| (i, 1)).collect();
    core.handle_append_entries(ms(1), append_args(1, (0, 0), &entries, 5));
    let first: Vec<_> = core.take_applies(2);
    assert_eq!(first.len(), 2);
    assert_eq!(applied_indexes(&mut core), vec![3, 4, 5]);
}

/// If an RPC request contains term T > currentTerm: set currentTerm = T, convert to follower.
#[test]
fn higher_term_in_a_request_makes_any_server_a_follower() {
    // A leader hears AppendEntries of a higher term.
    let (mut core, at) = leader(0, 3, 2, &[1]);
    core.handle_append_entries(at, append_args(5, (1, 1), &[], 0));
    assert!(matches!(core.role(), Role::Follower));
    assert_eq!((core.term(), core.voted_for()), (5, None));
    // A candidate hears RequestVote of a higher term (and then may vote in it).
    let mut core = follower(0, 3, 1, &[]);
    time_out(&mut core);
    assert!(matches!(core.role(), Role::Candidate { .. }));
    let reply = core.handle_request_vote(ms(1000), vote_args(7, 2, 0, 0));
    assert!(matches!(core.role(), Role::Follower));
    assert_eq!(core.term(), 7);
    assert!(reply.granted, "a new term frees the vote");
    // A leader hears InstallSnapshot of a higher term.
    let (mut core, at) = leader(0, 3, 2, &[1]);
    let args = InstallSnapshotArgs {
        term: 3,
        leader: 1,
        last_included_index: 1,
        last_included_term: 1,
        data: vec![],
    };
    core.handle_install_snapshot(at, args);
    assert!(matches!(core.role(), Role::Follower));
    assert_eq!(core.term(), 3);
}

/// If an RPC response contains term T > currentTerm: set currentTerm = T, convert to follower.
#[test]
fn higher_term_in_a_reply_makes_any_server_a_follower() {
    let (mut core, _) = leader(0, 3, 2, &[1]);
    core.on_append_reply(
        1,
        2,
        1,
        0,
        AppendEntriesReply {
            term: 4,
            success: false,
            conflict: None,
        },
    );
    assert!(matches!(core.role(), Role::Follower));
    assert_eq!((core.term(), core.voted_for()), (4, None));

    let (mut core, _) = leader(0, 3, 2, &[1]);
    core.on_snapshot_reply(1, 2, 1, InstallSnapshotReply { term: 3 });
    assert!(matches!(core.role(), Role::Follower));
    assert_eq!(core.term(), 3);

    let mut core = follower(0, 3, 1, &[]);
    time_out(&mut core);
    let reply = RequestVoteReply {
        term: 6,
        granted: false,
    };
    core.on_vote_reply(1, 2, reply);
    assert!(matches!(core.role(), Role::Follower));
    assert_eq!((core.term(), core.voted_for()), (6, None));
}
