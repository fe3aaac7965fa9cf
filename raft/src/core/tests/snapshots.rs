//! Snapshots (Figure 13 of the extended paper, as the lab uses them): InstallSnapshot on both sides,
//! the log's index translation at the snapshot boundary, and the service's own snapshots.

use super::*;
use crate::timing::HEARTBEAT;

fn install(term: u64, index: u64, index_term: u64) -> InstallSnapshotArgs {
    InstallSnapshotArgs {
        term,
        leader: 0,
        last_included_index: index,
        last_included_term: index_term,
        data: vec![index as u8],
    }
}

/// Peer `me` of 3 in `term`, its log compacted through `snapshot_at`, the rest of `log_terms` after
/// it.
fn compacted(me: usize, term: u64, log_terms: &[u64], snapshot_at: u64) -> Core {
    let mut log = log_of(log_terms);
    log.compact_to(snapshot_at);
    let stored = Stored::from_hard_state(HardState {
        term,
        voted_for: None,
        log,
    });
    Core::new(me, 3, stored, 5, ms(0))
}

/// Peer 0 of 3, its log compacted through index 5 (of term 2) with entry 6 after it, as the
/// leader of term 3; returns it with the time it became leader.
fn compacted_leader() -> (Core, Time) {
    elected(compacted(0, 2, &[1, 1, 2, 2, 2, 2], 5), 0, 3)
}

/// Install a snapshot only when it is newer than what the peer has committed (so also applied);
/// an older one must not roll the peer's state back.
#[test]
fn install_snapshot_only_when_newer_than_commit_index() {
    let mut core = follower(1, 3, 1, &[1, 1, 1, 1]);
    core.handle_append_entries(ms(1), append_args(1, (4, 1), &[], 3));
    assert_eq!(applied_indexes(&mut core), [1, 2, 3]);
    core.take_effects();
    for older in [2, 3] {
        let reply = core.handle_install_snapshot(ms(2), install(1, older, 1));
        assert_eq!(reply.term, 1);
        assert_eq!(
            core.log().snapshot_index(),
            0,
            "snapshot at {older} ignored"
        );
        assert!(core.take_applies(9).is_empty());
        assert!(persisted(&core.take_effects()).is_none());
    }
    core.handle_install_snapshot(ms(3), install(1, 4, 1));
    assert_eq!(core.log().snapshot_index(), 4);
    assert_eq!((core.commit_index(), core.last_applied()), (4, 4));
}

/// A snapshot whose last entry the log holds keeps the entries after it; otherwise the log is
/// replaced by the snapshot.
#[test]
fn install_snapshot_keeps_the_following_entries_only_if_the_log_matches_it() {
    let mut core = follower(1, 3, 2, &[1, 1, 2, 2, 2]);
    core.handle_install_snapshot(ms(1), install(2, 3, 2));
    assert_eq!(
        (core.log().snapshot_index(), core.log().last_index()),
        (3, 5)
    );
    let mut core = follower(1, 3, 3, &[1, 1, 2, 2, 2]);
    core.handle_install_snapshot(ms(1), install(3, 3, 3));
    assert_eq!(
        (core.log().snapshot_index(), core.log().last_index()),
        (3, 3)
    );
    assert_eq!(core.log().last_term(), 3);
}

/// The installed snapshot reaches the service first, and the entries after it follow.
#[test]
fn an_installed_snapshot_is_delivered_before_later_entries() {
    let mut core = follower(1, 3, 1, &[]);
    core.handle_install_snapshot(ms(1), install(1, 3, 1));
    assert!(wakes_applier(&core.take_effects()));
    assert_eq!(
        core.take_applies(9),
        [Delivery::StoredSnapshot { index: 3, term: 1 }]
    );
    core.handle_append_entries(ms(2), append_args(1, (3, 1), &[(4, 1), (5, 1)], 5));
    assert_eq!(applied_indexes(&mut core), [4, 5]);
}

/// AppendEntries across the snapshot boundary: prevLogIndex at the boundary matches its term;
/// entries the snapshot already covers are skipped (they are committed, hence the same); a message
/// entirely behind the snapshot succeeds without changing anything.
#[test]
fn append_entries_translates_indexes_at_the_snapshot_boundary() {
    let mut core = compacted(1, 2, &[1, 1, 2, 2, 2, 2], 5);
    let at_boundary = append_args(2, (5, 2), &[(6, 2), (7, 2)], 0);
    assert!(core.handle_append_entries(ms(1), at_boundary).success);
    assert_eq!(core.log().last_index(), 7);
    let across = append_args(2, (3, 2), &[(4, 2), (5, 2), (6, 2), (7, 2), (8, 2)], 0);
    assert!(core.handle_append_entries(ms(2), across).success);
    assert_eq!(
        (core.log().snapshot_index(), core.log().last_index()),
        (5, 8)
    );
    assert_eq!(core.log().entry(8), Some(&entry(8, 2)));
    let behind = append_args(2, (1, 1), &[(2, 1)], 0);
    assert!(core.handle_append_entries(ms(3), behind).success);
    assert_eq!(core.log().last_index(), 8);
}

/// When the skipped entries end at the snapshot, the consistency check at the boundary uses the
/// term of the last skipped entry (the snapshot's own), not of the first entry kept.
#[test]
fn append_entries_across_the_snapshot_checks_the_term_at_the_boundary() {
    let mut core = compacted(1, 3, &[1, 1, 2, 2, 2, 3, 3], 5);
    let sent = [(2, 1), (3, 2), (4, 2), (5, 2), (6, 3), (7, 3), (8, 3)];
    let across = append_args(3, (1, 1), &sent, 0);
    let reply = core.handle_append_entries(ms(1), across);
    assert!(reply.success, "{reply:?}");
    assert_eq!(core.log().last_index(), 8);
    let ending_at_the_snapshot = append_args(3, (1, 1), &sent[..4], 0);
    let reply = core.handle_append_entries(ms(2), ending_at_the_snapshot);
    assert!(reply.success, "{reply:?}");
    assert_eq!(core.log().last_index(), 8, "nothing new, nothing lost");
}

/// A leader whose nextIndex for a follower is at or below its snapshot sends the snapshot.
#[test]
fn next_index_at_or_below_the_snapshot_sends_install_snapshot() {
    for next in [2, 5] {
        let (mut core, at) = compacted_leader();
        core.on_append_reply(1, 3, 6, 0, rejection(3, Conflict::TooShort { next }));
        match core.next_message(1, 3, at) {
            NextMessage::Send {
                message:
                    Outbound::Snapshot {
                        term,
                        leader,
                        last_included_index,
                        last_included_term,
                    },
                ..
            } => assert_eq!(
                (term, leader, last_included_index, last_included_term),
                (3, 0, 5, 2)
            ),
            other => panic!("nextIndex {next}: {other:?}"),
        }
        // Past the snapshot, entries again.
        core.on_snapshot_reply(1, 3, 5, InstallSnapshotReply { term: 3 });
        assert_eq!(
            (
                progress(&core).match_index(1),
                progress(&core).next_index(1)
            ),
            (5, 6)
        );
        let args = append_to(&mut core, 1, at + ms(1));
        assert_eq!(
            (args.prev_log_index, args.prev_log_term, args.entries.len()),
            (5, 2, 1)
        );
    }
}

/// A lost InstallSnapshot is no longer in flight: the next message resends it. While one is in
/// flight, heartbeats carry no second copy.
#[test]
fn a_lost_install_snapshot_is_resent_at_the_next_heartbeat() {
    let (mut core, at) = compacted_leader();
    core.on_append_reply(1, 3, 6, 0, rejection(3, Conflict::TooShort { next: 2 }));
    let is_snapshot = |m: &NextMessage| {
        matches!(
            m,
            NextMessage::Send {
                message: Outbound::Snapshot { .. },
                ..
            }
        )
    };
    assert!(is_snapshot(&core.next_message(1, 3, at)));
    let heartbeat = append_to(&mut core, 1, at + HEARTBEAT);
    assert!(heartbeat.entries.is_empty(), "the snapshot is in flight");
    core.on_snapshot_failed(1, 3);
    let resent = core.next_message(1, 3, at + HEARTBEAT + ms(1));
    assert!(is_snapshot(&resent), "{resent:?}");
}

/// The service's snapshot compacts only what is committed, and only forward.
#[test]
fn the_service_snapshot_compacts_only_committed_entries() {
    let mut core = follower(1, 3, 1, &[1, 1, 1, 1]);
    core.handle_append_entries(ms(1), append_args(1, (4, 1), &[], 2));
    core.snapshot(3, vec![3]);
    assert_eq!(core.log().snapshot_index(), 0, "index 3 is not committed");
    core.snapshot(2, vec![2]);
    assert_eq!(
        (core.log().snapshot_index(), core.log().last_index()),
        (2, 4)
    );
    core.snapshot(1, vec![1]);
    assert_eq!(core.log().snapshot_index(), 2, "never backwards");
    assert_eq!(
        core.log().term_at(2),
        Some(1),
        "the boundary keeps its term"
    );
}
