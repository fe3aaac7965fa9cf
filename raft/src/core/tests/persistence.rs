//! Figure 2, "Persistent state on all servers: (Updated on stable storage before responding to
//! RPCs)". The core saves by emitting `Persist`; the driver performs a step's effects in order and
//! all of them before the step's reply leaves. So a reply may depend only on state that some
//! `Persist` of its own step (or an earlier one) saved, and a message only on state saved by a
//! `Persist` ahead of it.

use super::*;

fn hard(term: u64, voted_for: Option<u64>, log_terms: &[u64]) -> HardState {
    HardState {
        term,
        voted_for,
        log: log_of(log_terms),
    }
}

fn position(effects: &[Effect], wanted: impl Fn(&Effect) -> bool) -> usize {
    effects
        .iter()
        .position(wanted)
        .unwrap_or_else(|| panic!("not in {effects:?}"))
}

#[test]
fn term_and_vote_are_saved_before_the_vote_is_granted() {
    let mut core = follower(1, 3, 2, &[1]);
    core.take_effects();
    let reply = core.handle_request_vote(ms(1), vote_args(3, 0, 1, 1));
    assert!(reply.granted);
    assert_eq!(
        persisted(&core.take_effects()),
        Some(hard(3, Some(0), &[1]))
    );
    // A vote in the term the peer already has: only the vote changes, and it is saved too.
    let mut core = follower(1, 3, 3, &[1]);
    core.take_effects();
    assert!(
        core.handle_request_vote(ms(1), vote_args(3, 2, 1, 1))
            .granted
    );
    assert_eq!(
        persisted(&core.take_effects()),
        Some(hard(3, Some(2), &[1]))
    );
}

#[test]
fn new_term_and_own_vote_are_saved_before_votes_are_requested() {
    let mut core = follower(1, 3, 2, &[1]);
    time_out(&mut core);
    let effects = core.take_effects();
    assert!(
        matches!(effects.first(), Some(Effect::Persist { .. })),
        "{effects:?}"
    );
    assert_eq!(persisted(&effects[..1]), Some(hard(3, Some(1), &[1])));
    assert_eq!(vote_requests(&effects).len(), 2);
}

#[test]
fn a_higher_term_is_saved_before_any_reply() {
    // Even when the request itself is rejected.
    let mut core = follower(1, 3, 2, &[1]);
    let reply = core.handle_append_entries(ms(1), append_args(5, (9, 4), &[], 0));
    assert_eq!((reply.term, reply.success), (5, false));
    assert_eq!(persisted(&core.take_effects()), Some(hard(5, None, &[1])));
    // And when a leader learns it from a reply.
    let (mut core, _) = leader(0, 3, 2, &[1]);
    core.on_append_reply(
        1,
        2,
        1,
        0,
        AppendEntriesReply {
            term: 6,
            success: false,
            conflict: None,
        },
    );
    assert_eq!(persisted(&core.take_effects()), Some(hard(6, None, &[1])));
}

#[test]
fn appended_entries_are_saved_before_success_is_acknowledged() {
    // In the leader's term already, so only the log changes: appended, and then a conflict.
    let mut core = follower(1, 3, 3, &[1, 1, 2]);
    core.take_effects();
    let reply = core.handle_append_entries(ms(1), append_args(3, (3, 2), &[(4, 3)], 0));
    assert!(reply.success);
    assert_eq!(
        persisted(&core.take_effects()).map(|s| terms_of(&s.log)),
        Some(vec![1, 1, 2, 3])
    );
    let reply = core.handle_append_entries(ms(2), append_args(3, (2, 1), &[(3, 3), (4, 3)], 0));
    assert!(reply.success);
    assert_eq!(
        persisted(&core.take_effects()).map(|s| (s.term, terms_of(&s.log))),
        Some((3, vec![1, 1, 3, 3]))
    );
}

#[test]
fn a_leader_saves_a_command_before_sending_it() {
    let (mut core, _) = leader(0, 3, 2, &[1]);
    core.start(vec![5]);
    let effects = core.take_effects();
    let saved = position(&effects, |e| matches!(e, Effect::Persist { .. }));
    let woken = position(&effects, |e| matches!(e, Effect::Replicate { .. }));
    assert!(saved < woken, "{effects:?}");
    assert_eq!(
        persisted(&effects[..=saved]).map(|s| terms_of(&s.log)),
        Some(vec![1, 2])
    );
}

#[test]
fn a_snapshot_is_saved_together_with_the_compacted_state() {
    let mut core = follower(1, 3, 1, &[1, 1, 1]);
    core.handle_append_entries(ms(1), append_args(1, (3, 1), &[], 3));
    core.take_effects();
    core.snapshot(2, vec![9, 9]);
    let effects = core.take_effects();
    match effects.as_slice() {
        [Effect::Persist { state, snapshot }] => {
            assert_eq!(snapshot.as_deref(), Some(&[9u8, 9][..]));
            let saved = HardState::decode(&state.concat(), 3).unwrap();
            assert_eq!((saved.log.snapshot_index(), saved.log.last_index()), (2, 3));
        }
        other => panic!("{other:?}"),
    }
    // From a leader: saved, with its data, before the reply.
    let args = InstallSnapshotArgs {
        term: 2,
        leader: 0,
        last_included_index: 7,
        last_included_term: 2,
        data: vec![4],
    };
    core.handle_install_snapshot(ms(2), args);
    match core.take_effects().first() {
        Some(Effect::Persist { state, snapshot }) => {
            assert_eq!(snapshot.as_deref(), Some(&[4u8][..]));
            let saved = HardState::decode(&state.concat(), 3).unwrap();
            assert_eq!((saved.term, saved.log.snapshot_index()), (2, 7));
        }
        other => panic!("{other:?}"),
    }
}

/// What was saved is enough: a restarted peer keeps its term, vote and log, and so does not vote
/// twice in a term.
#[test]
fn a_restarted_peer_keeps_its_term_vote_and_log() {
    let mut core = follower(1, 3, 2, &[1, 2]);
    core.handle_request_vote(ms(1), vote_args(3, 0, 2, 2));
    let Some(Effect::Persist { state, .. }) = core.take_effects().pop() else {
        panic!("nothing saved");
    };
    let stored = Stored::load(&state.concat(), 3).unwrap();
    let mut restarted = Core::new(1, 3, stored, 99, ms(0));
    assert_eq!(
        (
            restarted.term(),
            restarted.voted_for(),
            terms_of(restarted.log())
        ),
        (3, Some(0), vec![1, 2])
    );
    assert!(
        !restarted
            .handle_request_vote(ms(1), vote_args(3, 2, 2, 2))
            .granted
    );
}
