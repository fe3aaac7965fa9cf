//! The leader: appending clients' commands, choosing what to send each follower (entries, heartbeats
//! or the snapshot), reading the replies (nextIndex, matchIndex, fast backup), and committing.

use super::{Core, Effect, NextMessage, Outbound, Role};
use crate::log::Entry;
use crate::messages::*;
use crate::timing::{HEARTBEAT, IN_FLIGHT_EXPIRY, MAX_ENTRIES_PER_APPEND, Time};
use tracing::debug;

/// Where a leader stands with each follower.
#[derive(Debug)]
pub struct Progress {
    /// Next index to send to each peer.
    next: Vec<u64>,
    /// Highest index known to be replicated on each peer (the leader's own entry is its last index).
    matched: Vec<u64>,
    /// When the entries-carrying message now in flight to each peer was sent, if one is. While it is
    /// young, the leader sends that peer only heartbeats, so a slow or cut-off follower does not make
    /// it copy the same log tail again and again.
    in_flight: Vec<Option<Time>>,
    /// When anything was last sent to each peer: a heartbeat is due [`HEARTBEAT`] after it.
    last_sent: Vec<Option<Time>>,
}

impl Progress {
    /// A new leader's view: every follower is assumed to be up to date (nextIndex = last + 1) and
    /// known to hold nothing (matchIndex = 0) until it says otherwise.
    pub fn new(me: usize, peers: usize, last: u64) -> Self {
        let mut matched = vec![0; peers];
        matched[me] = last;
        Progress {
            next: vec![last + 1; peers],
            matched,
            in_flight: vec![None; peers],
            last_sent: vec![None; peers],
        }
    }

    #[cfg(test)]
    pub fn next_index(&self, peer: usize) -> u64 {
        self.next[peer]
    }

    #[cfg(test)]
    pub fn match_index(&self, peer: usize) -> u64 {
        self.matched[peer]
    }
}

impl Core {
    /// A client's command: a leader appends it to its log and wakes every replicator.
    pub fn start(&mut self, command: Vec<u8>) -> Option<(u64, u64)> {
        let term = self.hard.term;
        if !self.is_leader() {
            return None;
        }
        let index = self.hard_mut().log.append(Entry { term, command });
        if let Role::Leader(progress) = &mut self.role {
            progress.matched[self.me as usize] = index;
        }
        debug!(peer = self.me, term, topic = "client", index, "start");
        for peer in self.others() {
            self.emit(Effect::Replicate { peer });
        }
        if self.majority() == 1 {
            // Alone, the leader is its own majority.
            self.advance_commit();
        }
        Some((index, term))
    }

    /// What the leader of `term` should send `peer` at `now`: entries from its nextIndex, the
    /// snapshot if nextIndex is below it, or a heartbeat when one is due.
    pub fn next_message(&mut self, peer: usize, term: u64, now: Time) -> NextMessage {
        if self.hard.term != term {
            return NextMessage::Stop;
        }
        let Role::Leader(progress) = &mut self.role else {
            return NextMessage::Stop;
        };
        let log = &self.hard.log;
        let heartbeat_due = progress.last_sent[peer].is_none_or(|t| now >= t + HEARTBEAT);
        let busy = progress.in_flight[peer].is_some_and(|sent| now < sent + IN_FLIGHT_EXPIRY);
        if busy && !heartbeat_due {
            return NextMessage::Wait {
                heartbeat_at: progress.last_sent[peer].unwrap_or(now) + HEARTBEAT,
            };
        }
        progress.last_sent[peer] = Some(now);
        let next = progress.next[peer];
        let message = if next <= log.snapshot_index() && !busy {
            progress.in_flight[peer] = Some(now);
            Outbound::Snapshot {
                term,
                leader: self.me,
                last_included_index: log.snapshot_index(),
                last_included_term: log.snapshot_term(),
            }
        } else {
            // A heartbeat while entries are in flight carries none; it only keeps the follower's timer.
            let next = next.max(log.snapshot_index() + 1);
            let entries = if busy {
                Vec::new()
            } else {
                let tail = log.entries_from(next);
                tail[..tail.len().min(MAX_ENTRIES_PER_APPEND)].to_vec()
            };
            if !entries.is_empty() {
                progress.in_flight[peer] = Some(now);
            }
            let prev = next - 1;
            Outbound::Append(AppendEntriesArgs {
                term,
                leader: self.me,
                prev_log_index: prev,
                prev_log_term: log
                    .term_at(prev)
                    .expect("next - 1 is at or after the snapshot"),
                entries,
                leader_commit: self.commit,
            })
        };
        NextMessage::Send {
            message,
            heartbeat_at: now + HEARTBEAT,
        }
    }

    /// An AppendEntries to `peer`, sent in `sent_term` with `sent_entries` entries, got no reply
    /// (lost, or the peer is unreachable). Entries it carried are no longer in flight, so the next
    /// heartbeat resends them instead of waiting out the in-flight expiry; a lost heartbeat says
    /// nothing of entries still in flight.
    pub fn on_append_failed(&mut self, peer: usize, sent_term: u64, sent_entries: u64) {
        if sent_entries > 0 {
            self.clear_in_flight(peer, sent_term);
        }
    }

    /// An InstallSnapshot to `peer` sent in `sent_term` got no reply: the next heartbeat resends it.
    pub fn on_snapshot_failed(&mut self, peer: usize, sent_term: u64) {
        self.clear_in_flight(peer, sent_term);
    }

    fn clear_in_flight(&mut self, peer: usize, sent_term: u64) {
        if self.hard.term == sent_term
            && let Role::Leader(progress) = &mut self.role
        {
            progress.in_flight[peer] = None;
        }
    }

    /// A reply to AppendEntries sent in `sent_term` with `prev_log_index` and `sent_entries` entries.
    pub fn on_append_reply(
        &mut self,
        peer: usize,
        sent_term: u64,
        prev_log_index: u64,
        sent_entries: u64,
        reply: AppendEntriesReply,
    ) {
        self.observe_term(reply.term);
        if self.hard.term != sent_term {
            return;
        }
        let Role::Leader(progress) = &mut self.role else {
            return;
        };
        let log = &self.hard.log;
        if sent_entries > 0 {
            progress.in_flight[peer] = None;
        }
        if reply.success {
            let matched = prev_log_index + sent_entries;
            progress.matched[peer] = progress.matched[peer].max(matched);
            progress.next[peer] = progress.next[peer].max(matched + 1);
            let more = progress.next[peer] <= log.last_index();
            if more {
                self.emit(Effect::Replicate { peer });
            }
            self.advance_commit();
            return;
        }
        let Some(conflict) = reply.conflict else {
            return;
        };
        // Fast backup: skip the follower's whole conflicting term, or to the end of its short log.
        let next = match conflict {
            Conflict::TooShort { next } => next,
            Conflict::TermMismatch { term, first } => {
                log.last_index_of_term(term).map_or(first, |i| i + 1)
            }
        };
        let next = next.clamp(progress.matched[peer] + 1, log.last_index() + 1);
        debug!(
            peer = self.me,
            term = self.hard.term,
            topic = "append",
            to = peer,
            next,
            "follower rejected: backing up"
        );
        progress.next[peer] = next;
        self.emit(Effect::Replicate { peer });
    }

    pub fn on_snapshot_reply(
        &mut self,
        peer: usize,
        sent_term: u64,
        last_included_index: u64,
        reply: InstallSnapshotReply,
    ) {
        self.observe_term(reply.term);
        if self.hard.term != sent_term {
            return;
        }
        if let Role::Leader(progress) = &mut self.role {
            progress.in_flight[peer] = None;
            progress.matched[peer] = progress.matched[peer].max(last_included_index);
            progress.next[peer] = progress.next[peer].max(last_included_index + 1);
            self.emit(Effect::Replicate { peer });
        }
    }

    /// Commits the highest index of the current term that a majority holds (Figure 8: never count
    /// replicas of an older term's entry).
    fn advance_commit(&mut self) {
        let Role::Leader(progress) = &self.role else {
            return;
        };
        let mut matched = progress.matched.clone();
        matched.sort_unstable_by(|a, b| b.cmp(a));
        let candidate = matched[self.majority() - 1];
        if candidate > self.commit && self.hard.log.term_at(candidate) == Some(self.hard.term) {
            self.commit = candidate;
            debug!(
                peer = self.me,
                term = self.hard.term,
                topic = "commit",
                commit = candidate,
                "committed"
            );
            self.emit(Effect::Apply);
        }
    }
}
