//! Raft, as Figure 2 of the extended Raft paper describes it, with the 6.5840 lab's fast log backup,
//! persistence and snapshots, running on labrpc in madsim's virtual time.
//!
//! The peer is split in two: `core` is the pure state machine (roles, log, every rule of Figure 2;
//! time and randomness in, effects out), and `driver` owns the clock, the timers, the RPC sends,
//! the apply loop and stable storage, and performs the core's effects. The public handle is [`Raft`].

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

mod core;
mod driver;
pub mod log;
pub mod messages;
mod persist;
mod signal;
mod timing;

use crate::core::Core;
use driver::World;
use labrpc::{ClientEnd, Service};
use messages::*;
use raftapi::{ApplySender, PeerView, Persister, RaftError, RoleName};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use timing::Time;

pub use timing::HEARTBEAT;

struct Shared {
    me: usize,
    peers: Vec<ClientEnd>,
    core: Mutex<Core>,
    world: World,
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
        let (world, apply_wake) = World::new(persister);
        let core = Core::new(me, peers.len(), stored, driver::random_seed(), world.now());
        let raft = Raft {
            shared: Arc::new(Shared {
                me,
                peers,
                core: Mutex::new(core),
                world,
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
                async move { raft.unless_killed(|core, now| core.handle_request_vote(now, args)) }
            })
            .method("AppendEntries", move |args: AppendEntriesArgs| {
                let raft = b.clone();
                async move { raft.unless_killed(|core, now| core.handle_append_entries(now, args)) }
            })
            .method("InstallSnapshot", move |args: InstallSnapshotArgs| {
                let raft = c.clone();
                async move {
                    raft.unless_killed(|core, now| core.handle_install_snapshot(now, args))
                }
            })
    }

    fn start(&self, command: Vec<u8>) -> Option<(u64, u64)> {
        if self.killed() {
            return None;
        }
        self.step(|core| core.start(command))
    }

    fn state(&self) -> (u64, bool) {
        let core = self.core();
        (core.term(), core.is_leader() && !self.killed())
    }

    fn snapshot(&self, index: u64, snapshot: Vec<u8>) {
        if !self.killed() {
            self.step(|core| core.snapshot(index, snapshot));
        }
    }

    fn persist_bytes(&self) -> usize {
        self.world().persister().raft_state_size()
    }

    fn kill(&self) {
        self.shared.killed.store(true, Ordering::Release);
        self.world().wake_applier();
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

    /// The core, to read. Changes go through [`Raft::step`].
    fn core(&self) -> MutexGuard<'_, Core> {
        // Core methods do not panic midway through an update; a poisoned lock means a test already
        // failed elsewhere, and the state is still the last consistent one.
        self.shared.core.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One step of the core, then its effects, performed before the step's result is returned (so
    /// before an RPC's reply leaves).
    fn step<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        let mut core = self.core();
        let result = f(&mut core);
        driver::perform(self, core.drain_effects());
        result
    }

    fn world(&self) -> &World {
        &self.shared.world
    }

    fn me(&self) -> usize {
        self.shared.me
    }

    fn peer_count(&self) -> usize {
        self.shared.peers.len()
    }

    fn end(&self, peer: usize) -> &ClientEnd {
        &self.shared.peers[peer]
    }

    /// Runs an RPC handler on the core at the current time, or answers a neutral default once
    /// killed.
    fn unless_killed<R: Default>(&self, f: impl FnOnce(&mut Core, Time) -> R) -> R {
        if self.killed() {
            R::default()
        } else {
            let now = self.world().now();
            self.step(|core| f(core, now))
        }
    }
}
