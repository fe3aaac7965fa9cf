//! The Raft state machine of one peer (Figure 2 of the extended Raft paper), with no I/O of its own
//! beyond the synchronous persister: the driver feeds it RPCs, replies and timer ticks, and it answers
//! with replies, messages to send and wake-ups for the replicators and the applier.

use crate::log::{Entry, Log};
use crate::messages::*;
use crate::persist::HardState;
use crate::signal::{Notifier, Waiter, signal};
use crate::timing::election_timeout;
use madsim::time::Instant;
use raftapi::{ApplyMsg, Persister};
use std::collections::BTreeSet;
use tracing::{debug, info};

/// Where a leader stands with each follower.
#[derive(Debug)]
pub struct Progress {
    /// Next index to send to each peer.
    next: Vec<u64>,
    /// Highest index known to be replicated on each peer (the leader's own entry is its last index).
    matched: Vec<u64>,
    /// Wakes each peer's replicator (new entries, or a rejection to retry at once).
    replicators: Vec<Notifier>,
    /// When the entries-carrying message now in flight to each peer was sent, if one is. While it is
    /// young, the leader sends that peer only heartbeats, so a slow or cut-off follower does not make
    /// it copy the same log tail again and again.
    in_flight: Vec<Option<Instant>>,
}

#[derive(Debug)]
pub enum Role {
    Follower,
    Candidate { votes: BTreeSet<u64> },
    Leader(Progress),
}

/// A message the leader sends to one follower.
pub enum Outbound {
    Append(AppendEntriesArgs),
    Snapshot(InstallSnapshotArgs),
}

/// What a replicator should do now.
pub enum NextMessage {
    /// This peer no longer leads in the replicator's term.
    Stop,
    /// Nothing to send yet (entries are in flight and no heartbeat is due).
    Wait,
    Send(Outbound),
}

/// At most this many entries go in one AppendEntries; a far-behind follower catches up in batches,
/// each sent as soon as the previous one is acknowledged.
const MAX_ENTRIES_PER_APPEND: usize = 256;

/// After this long without a reply, a message in flight is presumed lost and its entries are resent.
const IN_FLIGHT_EXPIRY: std::time::Duration = std::time::Duration::from_millis(200);

/// What a timer tick asks the driver to do.
pub enum TickOutcome {
    Nothing,
    /// An election started: send this to every other peer.
    RequestVotes(RequestVoteArgs),
    /// This peer won at once (a one-peer cluster): start replicating.
    BecameLeader(Vec<(usize, Waiter)>),
}

pub struct Core {
    me: u64,
    peers: usize,
    hard: HardState,
    role: Role,
    commit: u64,
    last_applied: u64,
    /// A snapshot installed from the leader that the applier has yet to deliver.
    pending_snapshot: Option<(u64, u64)>,
    election_deadline: Instant,
    persister: Persister,
    applier: Notifier,
}

impl Core {
    pub fn new(
        me: usize,
        peers: usize,
        hard: HardState,
        persister: Persister,
        applier: Notifier,
    ) -> Self {
        let base = hard.log.snapshot_index();
        Core {
            me: me as u64,
            peers,
            hard,
            role: Role::Follower,
            commit: base,
            last_applied: base,
            pending_snapshot: None,
            election_deadline: Instant::now() + election_timeout(),
            persister,
            applier,
        }
    }

    pub fn term(&self) -> u64 {
        self.hard.term
    }

    pub fn is_leader(&self) -> bool {
        matches!(self.role, Role::Leader(_))
    }

    pub fn election_deadline(&self) -> Instant {
        self.election_deadline
    }

    pub fn role(&self) -> &Role {
        &self.role
    }

    pub fn log(&self) -> &Log {
        &self.hard.log
    }

    pub fn voted_for(&self) -> Option<u64> {
        self.hard.voted_for
    }

    pub fn commit_index(&self) -> u64 {
        self.commit
    }

    pub fn last_applied(&self) -> u64 {
        self.last_applied
    }

    // ---- persistence ----

    /// The size of the persisted Raft state.
    pub fn persist_bytes(&self) -> usize {
        self.persister.raft_state_size()
    }

    fn persist(&self) {
        self.persister
            .save_raft_state_chunks(self.hard.encode_chunks());
    }

    fn persist_with_snapshot(&self, snapshot: Vec<u8>) {
        self.persister
            .save_chunks(self.hard.encode_chunks(), snapshot);
    }

    // ---- terms and roles ----

    /// Any RPC or reply carrying a higher term makes this peer a follower of that term.
    fn observe_term(&mut self, term: u64) {
        if term > self.hard.term {
            if self.is_leader() {
                info!(
                    peer = self.me,
                    term,
                    topic = "vote",
                    role = "follower",
                    "leader steps down: saw a higher term"
                );
            }
            self.hard.term = term;
            self.hard.voted_for = None;
            self.role = Role::Follower;
            self.persist();
        }
    }

    fn reset_election_timer(&mut self) {
        self.election_deadline = Instant::now() + election_timeout();
    }

    fn majority(&self) -> usize {
        self.peers / 2 + 1
    }

    fn become_leader(&mut self) -> Vec<(usize, Waiter)> {
        let last = self.hard.log.last_index();
        let mut matched = vec![0; self.peers];
        matched[self.me as usize] = last;
        let mut replicators = Vec::with_capacity(self.peers);
        let mut waiters = Vec::new();
        for p in 0..self.peers {
            let (n, w) = signal();
            replicators.push(n);
            if p as u64 != self.me {
                waiters.push((p, w));
            }
        }
        self.role = Role::Leader(Progress {
            next: vec![last + 1; self.peers],
            matched,
            replicators,
            in_flight: vec![None; self.peers],
        });
        info!(
            peer = self.me,
            term = self.hard.term,
            topic = "vote",
            role = "leader",
            last,
            "became leader"
        );
        waiters
    }

    /// The election timer fired (the driver calls this at or after the deadline).
    pub fn tick(&mut self) -> TickOutcome {
        if Instant::now() < self.election_deadline {
            return TickOutcome::Nothing;
        }
        self.reset_election_timer();
        if self.is_leader() {
            return TickOutcome::Nothing;
        }
        self.hard.term += 1;
        self.hard.voted_for = Some(self.me);
        self.persist();
        debug!(
            peer = self.me,
            term = self.hard.term,
            topic = "timer",
            role = "candidate",
            "election timeout: campaigning"
        );
        let votes = BTreeSet::from([self.me]);
        if votes.len() >= self.majority() {
            return TickOutcome::BecameLeader(self.become_leader());
        }
        self.role = Role::Candidate { votes };
        TickOutcome::RequestVotes(RequestVoteArgs {
            term: self.hard.term,
            candidate: self.me,
            last_log_index: self.hard.log.last_index(),
            last_log_term: self.hard.log.last_term(),
        })
    }

    // ---- RequestVote ----

    pub fn handle_request_vote(&mut self, args: RequestVoteArgs) -> RequestVoteReply {
        self.observe_term(args.term);
        let log = &self.hard.log;
        let up_to_date =
            (args.last_log_term, args.last_log_index) >= (log.last_term(), log.last_index());
        let free = self.hard.voted_for.is_none_or(|v| v == args.candidate);
        let granted = args.term == self.hard.term && free && up_to_date;
        if granted {
            if self.hard.voted_for.is_none() {
                self.hard.voted_for = Some(args.candidate);
                self.persist();
            }
            self.reset_election_timer();
            debug!(
                peer = self.me,
                term = self.hard.term,
                topic = "vote",
                candidate = args.candidate,
                "vote granted"
            );
        }
        RequestVoteReply {
            term: self.hard.term,
            granted,
        }
    }

    /// A vote reply for a request sent in `sent_term`. Returns the replicators to start if this peer
    /// just won the election.
    pub fn on_vote_reply(
        &mut self,
        from: usize,
        sent_term: u64,
        reply: RequestVoteReply,
    ) -> Option<Vec<(usize, Waiter)>> {
        self.observe_term(reply.term);
        if self.hard.term != sent_term || !reply.granted {
            return None;
        }
        let majority = self.majority();
        let Role::Candidate { votes } = &mut self.role else {
            return None;
        };
        votes.insert(from as u64);
        (votes.len() >= majority).then(|| self.become_leader())
    }

    // ---- client commands ----

    pub fn start(&mut self, command: Vec<u8>) -> Option<(u64, u64)> {
        let term = self.hard.term;
        let Role::Leader(progress) = &mut self.role else {
            return None;
        };
        let index = self.hard.log.append(Entry { term, command });
        progress.matched[self.me as usize] = index;
        for n in &progress.replicators {
            n.notify();
        }
        self.persist();
        debug!(peer = self.me, term, topic = "client", index, "start");
        Some((index, term))
    }

    // ---- replication, leader side ----

    /// What the leader should send `peer` now. `heartbeat_due` says a heartbeat interval has passed
    /// since the last message to that peer.
    pub fn next_message(&mut self, peer: usize, term: u64, heartbeat_due: bool) -> NextMessage {
        if self.hard.term != term {
            return NextMessage::Stop;
        }
        let Role::Leader(progress) = &mut self.role else {
            return NextMessage::Stop;
        };
        let log = &self.hard.log;
        let now = Instant::now();
        let busy = progress.in_flight[peer].is_some_and(|sent| now < sent + IN_FLIGHT_EXPIRY);
        if busy && !heartbeat_due {
            return NextMessage::Wait;
        }
        let next = progress.next[peer];
        if next <= log.snapshot_index() && !busy {
            progress.in_flight[peer] = Some(now);
            return NextMessage::Send(Outbound::Snapshot(InstallSnapshotArgs {
                term,
                leader: self.me,
                last_included_index: log.snapshot_index(),
                last_included_term: log.snapshot_term(),
                data: self.persister.snapshot(),
            }));
        }
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
        NextMessage::Send(Outbound::Append(AppendEntriesArgs {
            term,
            leader: self.me,
            prev_log_index: prev,
            prev_log_term: log
                .term_at(prev)
                .expect("next - 1 is at or after the snapshot"),
            entries,
            leader_commit: self.commit,
        }))
    }

    /// A message to `peer` sent in `sent_term` got no reply (lost, or the peer is unreachable).
    pub fn on_send_failed(&mut self, peer: usize, sent_term: u64) {
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
            if progress.next[peer] <= log.last_index() {
                progress.replicators[peer].notify();
            }
            self.advance_commit();
            return;
        }
        let Some(conflict) = reply.conflict else {
            return;
        };
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
        progress.replicators[peer].notify();
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
            progress.replicators[peer].notify();
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
            self.applier.notify();
        }
    }

    // ---- replication, follower side ----

    /// Common to AppendEntries and InstallSnapshot: a current leader's message makes this peer its
    /// follower and restarts the election timer. `false` if the message is from a stale term.
    fn accept_leader(&mut self, term: u64) -> bool {
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
        self.reset_election_timer();
        true
    }

    pub fn handle_append_entries(&mut self, args: AppendEntriesArgs) -> AppendEntriesReply {
        let reject = |term, conflict| AppendEntriesReply {
            term,
            success: false,
            conflict,
        };
        if !self.accept_leader(args.term) {
            return reject(self.hard.term, None);
        }
        let log = &mut self.hard.log;
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
        let mut changed = false;
        for (k, entry) in entries.iter().enumerate() {
            let index = prev + 1 + k as u64;
            match log.term_at(index) {
                Some(t) if t == entry.term => continue,
                Some(_) => {
                    if index <= self.commit {
                        tracing::error!(
                            peer = self.me,
                            index,
                            commit = self.commit,
                            "leader would overwrite a committed entry"
                        );
                    }
                    log.truncate_from(index);
                }
                None => {}
            }
            for e in &entries[k..] {
                log.append(e.clone());
            }
            changed = true;
            break;
        }
        if changed {
            debug!(
                peer = self.me,
                term = self.hard.term,
                topic = "append",
                from = args.leader,
                last = self.hard.log.last_index(),
                "appended entries"
            );
            self.persist();
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
                self.applier.notify();
            }
        }
        AppendEntriesReply {
            term: self.hard.term,
            success: true,
            conflict: None,
        }
    }

    pub fn handle_install_snapshot(&mut self, args: InstallSnapshotArgs) -> InstallSnapshotReply {
        if !self.accept_leader(args.term) || args.last_included_index <= self.commit {
            return InstallSnapshotReply {
                term: self.hard.term,
            };
        }
        let (index, term) = (args.last_included_index, args.last_included_term);
        self.hard.log.install_snapshot(index, term);
        self.commit = index;
        self.last_applied = index;
        self.pending_snapshot = Some((index, term));
        self.persist_with_snapshot(args.data);
        info!(
            peer = self.me,
            term = self.hard.term,
            topic = "snapshot",
            index,
            "installed leader's snapshot"
        );
        self.applier.notify();
        InstallSnapshotReply {
            term: self.hard.term,
        }
    }

    // ---- the service side ----

    /// The service snapshotted everything through `index`: drop that prefix of the log.
    pub fn snapshot(&mut self, index: u64, data: Vec<u8>) {
        if index <= self.hard.log.snapshot_index() || index > self.commit {
            return;
        }
        self.hard.log.compact_to(index);
        self.persist_with_snapshot(data);
        debug!(
            peer = self.me,
            term = self.hard.term,
            topic = "snapshot",
            index,
            "compacted log"
        );
    }

    /// The next messages to deliver on the apply channel, in order (at most `max` commands).
    pub fn take_applies(&mut self, max: usize) -> Vec<ApplyMsg> {
        let mut out = Vec::new();
        if let Some((index, term)) = self.pending_snapshot.take() {
            out.push(ApplyMsg::Snapshot {
                index,
                term,
                data: self.persister.snapshot(),
            });
        }
        while self.last_applied < self.commit && out.len() < max {
            let index = self.last_applied + 1;
            let Some(entry) = self.hard.log.entry(index) else {
                break;
            };
            out.push(ApplyMsg::Command {
                index,
                command: entry.command.clone(),
            });
            self.last_applied = index;
        }
        if !out.is_empty() {
            debug!(
                peer = self.me,
                term = self.hard.term,
                topic = "apply",
                upto = self.last_applied,
                n = out.len(),
                "applying"
            );
        }
        out
    }
}
