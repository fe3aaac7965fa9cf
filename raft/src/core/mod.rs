//! The Raft state machine of one peer (Figure 2 of the extended Raft paper), pure: no clock, no
//! global randomness, no storage, no channels. The driver feeds it the time, RPCs, replies and timer
//! ticks; it answers with replies and with [`Effect`]s (persist this, ask for these votes, wake these
//! replicators, wake the applier), which the driver performs in order before any reply leaves.
//!
//! One file per part of Figure 2: `election` (timer, RequestVote on both sides), `leader`
//! (replicating and committing), `follower` (AppendEntries and InstallSnapshot receivers), `apply`
//! (delivering to the service and taking its snapshots).

mod apply;
mod effect;
mod election;
mod follower;
mod leader;

#[cfg(test)]
mod tests;

pub use effect::{Delivery, Effect, NextMessage, Outbound};
pub use leader::Progress;

use crate::log::Log;
use crate::persist::{HardState, StateEncoder, Stored};
use crate::timing::{ElectionTimeouts, Time};
use std::collections::BTreeSet;
use tracing::{debug, info};

#[derive(Debug)]
pub enum Role {
    Follower,
    Candidate { votes: BTreeSet<u64> },
    Leader(Progress),
}

pub struct Core {
    me: u64,
    peers: usize,
    /// Figure 2's persistent state. Changed only through [`Core::hard_mut`], which marks it unsaved.
    hard: HardState,
    encoder: StateEncoder,
    /// What changed since the last `Persist` effect.
    unsaved: Unsaved,
    role: Role,
    commit: u64,
    last_applied: u64,
    /// A snapshot installed from the leader that the applier has yet to deliver.
    pending_snapshot: Option<(u64, u64)>,
    election_deadline: Time,
    timeouts: ElectionTimeouts,
    outbox: Vec<Effect>,
}

#[derive(Debug, Default)]
struct Unsaved {
    state: bool,
    /// A new snapshot's bytes, to save with the state (the log's boundary already moved to it).
    snapshot: Option<Vec<u8>>,
}

impl Core {
    /// Peer `me` of `peers`, starting at `now` from what it had stored, drawing its election
    /// timeouts from `seed`.
    pub fn new(me: usize, peers: usize, stored: Stored, seed: u64, now: Time) -> Self {
        let Stored { hard, encoder } = stored;
        let base = hard.log.snapshot_index();
        let mut timeouts = ElectionTimeouts::from_seed(seed);
        // A (re)started peer follows in the term it stored: said so its lane resumes after a crash.
        debug!(
            peer = me,
            term = hard.term,
            topic = "persist",
            role = "follower",
            "started"
        );
        Core {
            me: me as u64,
            peers,
            hard,
            encoder,
            unsaved: Unsaved::default(),
            role: Role::Follower,
            commit: base,
            last_applied: base,
            pending_snapshot: None,
            election_deadline: now + timeouts.next(),
            timeouts,
            outbox: Vec::new(),
        }
    }

    pub fn term(&self) -> u64 {
        self.hard.term
    }

    pub fn is_leader(&self) -> bool {
        matches!(self.role, Role::Leader(_))
    }

    /// When the election timer fires next (see [`Core::tick`]).
    pub fn election_deadline(&self) -> Time {
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

    // ---- effects ----

    /// Everything the steps so far asked for, in order, ending with a `Persist` if state is still
    /// unsaved. The driver drains this after every step and performs the effects before the step's
    /// reply leaves. (Draining keeps the outbox's capacity for the next step.)
    pub fn drain_effects(&mut self) -> std::vec::Drain<'_, Effect> {
        self.flush();
        self.outbox.drain(..)
    }

    /// [`Core::drain_effects`], collected.
    #[cfg(test)]
    pub fn take_effects(&mut self) -> Vec<Effect> {
        self.drain_effects().collect()
    }

    /// Queues an effect, saving unsaved state first: whatever the effect does may depend on it.
    fn emit(&mut self, effect: Effect) {
        self.flush();
        self.outbox.push(effect);
    }

    fn flush(&mut self) {
        let Unsaved { state, snapshot } = std::mem::take(&mut self.unsaved);
        if !state && snapshot.is_none() {
            return;
        }
        let state = self.encoder.encode(&mut self.hard);
        self.outbox.push(Effect::Persist { state, snapshot });
    }

    /// The persistent state, to change: it will be saved before anything else leaves the core.
    fn hard_mut(&mut self) -> &mut HardState {
        self.unsaved.state = true;
        &mut self.hard
    }

    /// A new snapshot (through `log`'s snapshot index), saved with the state.
    fn set_snapshot(&mut self, data: Vec<u8>) {
        self.unsaved = Unsaved {
            state: true,
            snapshot: Some(data),
        };
    }

    // ---- terms and roles ----

    /// Any RPC or reply carrying a higher term makes this peer a follower of that term.
    fn observe_term(&mut self, term: u64) {
        if term > self.hard.term {
            match self.role {
                Role::Leader(_) => info!(
                    peer = self.me,
                    term,
                    topic = "vote",
                    role = "follower",
                    "leader steps down: saw a higher term"
                ),
                Role::Candidate { .. } => debug!(
                    peer = self.me,
                    term,
                    topic = "vote",
                    role = "follower",
                    "candidate steps down: saw a higher term"
                ),
                Role::Follower => {}
            }
            let hard = self.hard_mut();
            hard.term = term;
            hard.voted_for = None;
            self.role = Role::Follower;
        }
    }

    fn reset_election_timer(&mut self, now: Time) {
        self.election_deadline = now + self.timeouts.next();
    }

    fn majority(&self) -> usize {
        self.peers / 2 + 1
    }

    fn others(&self) -> impl Iterator<Item = usize> + use<> {
        let me = self.me as usize;
        (0..self.peers).filter(move |&p| p != me)
    }
}
