//! The receivers of the leader's messages: AppendEntries and InstallSnapshot.

use super::{Core, Effect, Role};
use crate::messages::*;
use crate::timing::Time;
use tracing::{debug, info};

impl Core {
    /// Common to AppendEntries and InstallSnapshot: a current leader's message makes this peer its
    /// follower and restarts the election timer. `false` if the message is from a stale term.
    fn accept_leader(&mut self, now: Time, term: u64) -> bool {
        self.observe_term(term);
        if term < self.hard.term {
            return false;
        }
        if !matches!(self.role, Role::Follower) {
            self.role = Role::Follower;
            debug!(
                peer = self.me,
                term,
                topic = "vote",
                role = "follower",
                "candidate steps down: a leader of this term"
            );
        }
        self.reset_election_timer(now);
        true
    }

    /// AppendEntries, received at `now` (Figure 2's receiver implementation, with fast-backup hints
    /// on rejection and index translation at the snapshot boundary).
    pub fn handle_append_entries(
        &mut self,
        now: Time,
        args: AppendEntriesArgs,
    ) -> AppendEntriesReply {
        let reject = |term, conflict| AppendEntriesReply {
            term,
            success: false,
            conflict,
        };
        if !self.accept_leader(now, args.term) {
            return reject(self.hard.term, None);
        }
        let log = &self.hard.log;
        // Entries at or before our snapshot are committed, so they match: skip them.
        let mut prev = args.prev_log_index;
        let mut entries = &args.entries[..];
        if prev < log.snapshot_index() {
            let skip = ((log.snapshot_index() - prev) as usize).min(entries.len());
            entries = &entries[skip..];
            prev += skip as u64;
            if prev < log.snapshot_index() {
                return AppendEntriesReply {
                    term: self.hard.term,
                    success: true,
                    conflict: None,
                };
            }
        }
        let prev_term = if prev == args.prev_log_index {
            args.prev_log_term
        } else {
            args.entries[(prev - args.prev_log_index - 1) as usize].term
        };
        match log.term_at(prev) {
            None => {
                let next = log.last_index() + 1;
                return reject(self.hard.term, Some(Conflict::TooShort { next }));
            }
            Some(t) if t != prev_term => {
                let first = log.first_index_of_term_run(prev, t);
                return reject(
                    self.hard.term,
                    Some(Conflict::TermMismatch { term: t, first }),
                );
            }
            Some(_) => {}
        }
        // The first entry that is new to our log: everything before it we already hold (a stale or
        // duplicated RPC changes nothing).
        let new_from = entries
            .iter()
            .enumerate()
            .position(|(k, entry)| log.term_at(prev + 1 + k as u64) != Some(entry.term));
        if let Some(k) = new_from {
            let index = prev + 1 + k as u64;
            if log.term_at(index).is_some() {
                // A real conflict: same index, different term. Delete it and all that follow.
                if index <= self.commit {
                    tracing::error!(
                        peer = self.me,
                        index,
                        commit = self.commit,
                        "leader would overwrite a committed entry"
                    );
                }
                self.hard_mut().log.truncate_from(index);
            }
            let log = &mut self.hard_mut().log;
            for e in &entries[k..] {
                log.append(e.clone());
            }
            debug!(
                peer = self.me,
                term = self.hard.term,
                topic = "append",
                from = args.leader,
                last = self.hard.log.last_index(),
                "appended entries"
            );
        }
        let last_new = prev + entries.len() as u64;
        if args.leader_commit > self.commit {
            let commit = args.leader_commit.min(last_new);
            if commit > self.commit {
                self.commit = commit;
                debug!(
                    peer = self.me,
                    term = self.hard.term,
                    topic = "commit",
                    commit,
                    "committed (from leader)"
                );
                self.emit(Effect::Apply);
            }
        }
        AppendEntriesReply {
            term: self.hard.term,
            success: true,
            conflict: None,
        }
    }

    /// InstallSnapshot, received at `now`: a snapshot newer than anything this peer has committed
    /// (and so applied) replaces the log up to its last index; an older one changes nothing.
    pub fn handle_install_snapshot(
        &mut self,
        now: Time,
        args: InstallSnapshotArgs,
    ) -> InstallSnapshotReply {
        if !self.accept_leader(now, args.term) || args.last_included_index <= self.commit {
            return InstallSnapshotReply {
                term: self.hard.term,
            };
        }
        let (index, term) = (args.last_included_index, args.last_included_term);
        self.hard_mut().log.install_snapshot(index, term);
        self.set_snapshot(args.data);
        self.commit = index;
        self.last_applied = index;
        self.pending_snapshot = Some((index, term));
        info!(
            peer = self.me,
            term = self.hard.term,
            topic = "snapshot",
            index,
            "installed leader's snapshot"
        );
        self.emit(Effect::Apply);
        InstallSnapshotReply {
            term: self.hard.term,
        }
    }
}
