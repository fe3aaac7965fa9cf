//! The async side of a peer: the clock, the election timer, RPC sends, the replicators and the apply
//! loop, and performing the core's effects. Every task here is spawned on the peer's madsim node (it
//! must be created from a task running there), so a crash ends them all. The lock on the core is
//! never held across an await.

use crate::Raft;
use crate::core::{Delivery, Effect, NextMessage, Outbound};
use crate::messages::*;
use crate::signal::{Notifier, Waiter, signal};
use crate::timing::{BATCH_WINDOW, Time};
use futures::{FutureExt, SinkExt};
use madsim::rand::Rng;
use madsim::task::spawn;
use madsim::time::{Instant, sleep, sleep_until};
use raftapi::{ApplyMsg, ApplySender, Persister};
use std::sync::Mutex;

/// How many commands the applier takes from the core per lock.
const APPLY_BATCH: usize = 64;

/// What the core's effects act on: stable storage, the applier's and the replicators' wake-ups,
/// and the clock the core's times are read against.
pub struct World {
    persister: Persister,
    applier: Notifier,
    /// The current term's replicators, by peer (none for this peer itself, or when not leading).
    replicators: Mutex<Vec<Option<Notifier>>>,
    epoch: Instant,
}

impl World {
    /// The world of a peer starting now, and the waiter its apply loop waits on.
    pub fn new(persister: Persister) -> (World, Waiter) {
        let (applier, apply_wake) = signal();
        let world = World {
            persister,
            applier,
            replicators: Mutex::new(Vec::new()),
            epoch: Instant::now(),
        };
        (world, apply_wake)
    }

    pub fn persister(&self) -> &Persister {
        &self.persister
    }

    /// Wakes the apply loop, which then finds the peer killed and closes the apply channel: the
    /// service's signal that nothing more will be applied.
    pub fn wake_applier(&self) {
        self.applier.notify();
    }

    /// The peer's time now (zero when it started).
    pub fn now(&self) -> Time {
        Instant::now().duration_since(self.epoch)
    }

    fn instant(&self, t: Time) -> Instant {
        self.epoch + t
    }

    /// The RPC for `message`, with the snapshot's bytes read from stable storage where it names the
    /// stored snapshot. Called with the core locked, so the snapshot is the one the core means.
    fn request(&self, message: Outbound) -> Request {
        match message {
            Outbound::Append(args) => Request::Append(args),
            Outbound::Snapshot {
                term,
                leader,
                last_included_index,
                last_included_term,
            } => Request::Snapshot(InstallSnapshotArgs {
                term,
                leader,
                last_included_index,
                last_included_term,
                data: self.persister.snapshot(),
            }),
        }
    }

    /// The apply message for `delivery`, likewise (called with the core locked).
    fn apply_msg(&self, delivery: Delivery) -> ApplyMsg {
        match delivery {
            Delivery::Command { index, command } => ApplyMsg::Command { index, command },
            Delivery::StoredSnapshot { index, term } => ApplyMsg::Snapshot {
                index,
                term,
                data: self.persister.snapshot(),
            },
        }
    }
}

/// An RPC to a follower, complete.
enum Request {
    Append(AppendEntriesArgs),
    Snapshot(InstallSnapshotArgs),
}

/// A seed for the core's election timeouts, from the simulation's seeded RNG.
pub fn random_seed() -> u64 {
    madsim::rand::thread_rng().r#gen()
}

pub fn start(raft: &Raft, applier: Waiter, apply_tx: ApplySender) {
    spawn(election_timer(raft.clone()));
    spawn(apply_loop(raft.clone(), applier, apply_tx));
}

/// Performs one step's effects, in order. Called with the core locked, so saves reach stable
/// storage in the order the core made them, before the step's reply is returned.
pub fn perform(raft: &Raft, effects: impl Iterator<Item = Effect>) {
    let world = raft.world();
    for effect in effects {
        match effect {
            Effect::Persist {
                state,
                snapshot: None,
            } => world.persister.save_raft_state_chunks(state),
            Effect::Persist {
                state,
                snapshot: Some(snapshot),
            } => world.persister.save_chunks(state, snapshot),
            Effect::RequestVote { peer, args } => {
                spawn(request_vote(raft.clone(), peer, args));
            }
            Effect::StartReplicators { term } => start_replicators(raft, term),
            Effect::Replicate { peer } => {
                let replicators = lock(&world.replicators);
                if let Some(Some(replicator)) = replicators.get(peer) {
                    replicator.notify();
                }
            }
            Effect::Apply => world.applier.notify(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Nothing panics while holding these locks midway through an update.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

async fn election_timer(raft: Raft) {
    while !raft.killed() {
        let deadline = raft.core().election_deadline();
        sleep_until(raft.world().instant(deadline)).await;
        if raft.killed() {
            return;
        }
        let now = raft.world().now();
        raft.step(|core| core.tick(now));
    }
}

async fn request_vote(raft: Raft, peer: usize, args: RequestVoteArgs) {
    let Ok(reply) = raft
        .end(peer)
        .call::<_, RequestVoteReply>("Raft.RequestVote", &args)
        .await
    else {
        return;
    };
    if raft.killed() {
        return;
    }
    raft.step(|core| core.on_vote_reply(peer, args.term, reply));
}

fn start_replicators(raft: &Raft, term: u64) {
    let mut replicators = lock(&raft.world().replicators);
    replicators.clear();
    for peer in 0..raft.peer_count() {
        if peer == raft.me() {
            replicators.push(None);
            continue;
        }
        let (notifier, waiter) = signal();
        replicators.push(Some(notifier));
        spawn(replicate(raft.clone(), peer, term, waiter));
    }
}

/// Keeps one follower up to date while this peer leads in `term`: asks the core what to send a
/// batch window after being woken (new entries, a reply that leaves more to send, a rejection to
/// retry) and whenever a heartbeat falls due. Sends do not wait for replies, so a slow or lost reply
/// never delays the next heartbeat.
async fn replicate(raft: Raft, peer: usize, term: u64, mut wake: Waiter) {
    loop {
        if raft.killed() {
            return;
        }
        let now = raft.world().now();
        let next = raft.step(|core| match core.next_message(peer, term, now) {
            NextMessage::Stop => None,
            NextMessage::Wait { heartbeat_at } => Some((None, heartbeat_at)),
            NextMessage::Send {
                message,
                heartbeat_at,
            } => Some((Some(raft.world().request(message)), heartbeat_at)),
        });
        let Some((request, heartbeat_at)) = next else {
            return;
        };
        if let Some(request) = request {
            spawn(send(raft.clone(), peer, term, request));
        }
        let heartbeat = sleep_until(raft.world().instant(heartbeat_at));
        // Biased: futures' unbiased select! draws from a process-wide RNG, which would make a run
        // depend on what else ran in the same process.
        let woken = futures::select_biased! {
            _ = wake.wait().fuse() => true,
            _ = heartbeat.fuse() => false,
        };
        if woken {
            // Let commands started at nearly the same time share one AppendEntries.
            sleep(BATCH_WINDOW).await;
        }
    }
}

async fn send(raft: Raft, peer: usize, term: u64, request: Request) {
    match request {
        Request::Append(args) => {
            let (prev, n) = (args.prev_log_index, args.entries.len() as u64);
            let result = raft
                .end(peer)
                .call::<_, AppendEntriesReply>("Raft.AppendEntries", &args)
                .await;
            if raft.killed() {
                return;
            }
            match result {
                Ok(reply) => raft.step(|core| core.on_append_reply(peer, term, prev, n, reply)),
                Err(_) => raft.step(|core| core.on_append_failed(peer, term, n)),
            }
        }
        Request::Snapshot(args) => {
            let index = args.last_included_index;
            let result = raft
                .end(peer)
                .call::<_, InstallSnapshotReply>("Raft.InstallSnapshot", &args)
                .await;
            if raft.killed() {
                return;
            }
            match result {
                Ok(reply) => raft.step(|core| core.on_snapshot_reply(peer, term, index, reply)),
                Err(_) => raft.step(|core| core.on_snapshot_failed(peer, term)),
            }
        }
    }
}

/// Delivers committed entries and installed snapshots on the apply channel, in order, never holding
/// the core's lock while the service is slow to receive.
async fn apply_loop(raft: Raft, mut wake: Waiter, mut apply_tx: ApplySender) {
    loop {
        if raft.killed() {
            return;
        }
        let batch: Vec<ApplyMsg> = raft.step(|core| {
            let deliveries = core.take_applies(APPLY_BATCH).into_iter();
            deliveries.map(|d| raft.world().apply_msg(d)).collect()
        });
        if batch.is_empty() {
            wake.wait().await;
            continue;
        }
        for msg in batch {
            if raft.killed() || apply_tx.send(msg).await.is_err() {
                return;
            }
        }
    }
}
