//! Raft, as Figure 2 of the extended Raft paper describes it, with the 6.5840 lab's fast log backup,
//! persistence and snapshots, running on labrpc in madsim's virtual time.
//!
//! The peer is split in two: [`core`] is the state machine (roles, log, every rule of Figure 2), and
//! [`driver`] owns the timers, the RPC sends and the apply loop. The public handle is [`Raft`].

mod core;
mod driver;
pub mod log;
pub mod messages;
mod persist;
mod signal;
mod timing;

use crate::core::Core;
use labrpc::{ClientEnd, Service};
use messages::*;
use raftapi::{ApplySender, PeerView, Persister, RaftError, RoleName};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

pub use timing::HEARTBEAT;

struct Shared {
    me: usize,
    peers: Vec<ClientEnd>,
    core: Mutex<Core>,
    killed: AtomicBool,
}

/// A handle to one Raft peer. Cloning shares the peer.
#[derive(Clone)]
pub struct Raft {
    shared: Arc<Shared>,
}

impl raftapi::Raft for Raft {
    fn make(
        peers: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        apply_tx: ApplySender,
    ) -> Result<Raft, RaftError> {
        let stored = persist::Stored::load(&persister.raft_state(), peers.len())
            .map_err(RaftError::CorruptState)?;
        let (applier, apply_wake) = signal::signal();
        let core = Core::new(me, peers.len(), stored, persister, applier);
        let raft = Raft {
            shared: Arc::new(Shared {
                me,
                peers,
                core: Mutex::new(core),
                killed: AtomicBool::new(false),
            }),
        };
        driver::start(&raft, apply_wake, apply_tx);
        Ok(raft)
    }

    /// The labrpc service ("Raft") answering this peer's RPCs.
    fn service(&self) -> Service {
        let (a, b, c) = (self.clone(), self.clone(), self.clone());
        Service::new("Raft")
            .method("RequestVote", move |args: RequestVoteArgs| {
                let raft = a.clone();
                async move { raft.unless_killed(|core| core.handle_request_vote(args)) }
            })
            .method("AppendEntries", move |args: AppendEntriesArgs| {
                let raft = b.clone();
                async move { raft.unless_killed(|core| core.handle_append_entries(args)) }
            })
            .method("InstallSnapshot", move |args: InstallSnapshotArgs| {
                let raft = c.clone();
                async move { raft.unless_killed(|core| core.handle_install_snapshot(args)) }
            })
    }

    fn start(&self, command: Vec<u8>) -> Option<(u64, u64)> {
        if self.killed() {
            return None;
        }
        self.core().start(command)
    }

    fn state(&self) -> (u64, bool) {
        let core = self.core();
        (core.term(), core.is_leader() && !self.killed())
    }

    fn snapshot(&self, index: u64, snapshot: Vec<u8>) {
        if !self.killed() {
            self.core().snapshot(index, snapshot);
        }
    }

    fn persist_bytes(&self) -> usize {
        self.core().persist_bytes()
    }

    fn kill(&self) {
        self.shared.killed.store(true, Ordering::Release);
    }

    fn observe(&self) -> Option<PeerView> {
        let core = self.core();
        let log = core.log();
        Some(PeerView {
            term: core.term(),
            role: match core.role() {
                core::Role::Follower => RoleName::Follower,
                core::Role::Candidate { .. } => RoleName::Candidate,
                core::Role::Leader(_) => RoleName::Leader,
            },
            voted_for: core.voted_for(),
            snapshot_index: log.snapshot_index(),
            snapshot_term: log.snapshot_term(),
            log_terms: (log.snapshot_index() + 1..=log.last_index())
                .filter_map(|i| log.term_at(i))
                .collect(),
            commit_index: core.commit_index(),
            last_applied: core.last_applied(),
        })
    }
}

impl Raft {
    fn killed(&self) -> bool {
        self.shared.killed.load(Ordering::Acquire)
    }

    fn core(&self) -> MutexGuard<'_, Core> {
        // Core methods do not panic midway through an update; a poisoned lock means a test already
        // failed elsewhere, and the state is still the last consistent one.
        self.shared.core.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn end(&self, peer: usize) -> &ClientEnd {
        &self.shared.peers[peer]
    }

    fn others(&self) -> impl Iterator<Item = usize> + use<> {
        let me = self.shared.me;
        (0..self.shared.peers.len()).filter(move |&p| p != me)
    }

    /// Runs an RPC handler on the core, or answers a neutral default once killed.
    fn unless_killed<R: Default>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        if self.killed() {
            R::default()
        } else {
            f(&mut self.core())
        }
    }
}
