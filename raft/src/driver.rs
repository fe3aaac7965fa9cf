//! The async side of a peer: timers, RPC sends and the apply loop. Every task here is spawned on the
//! peer's madsim node (it must be created from a task running there), so a crash ends them all.
//! The lock on the core is never held across an await.

use crate::Raft;
use crate::core::{NextMessage, Outbound, TickOutcome};
use crate::messages::*;
use crate::signal::Waiter;
use crate::timing::{BATCH_WINDOW, HEARTBEAT};
use futures::{FutureExt, SinkExt};
use madsim::task::spawn;
use madsim::time::{Instant, sleep, sleep_until};
use raftapi::ApplySender;

/// How many commands the applier takes from the core per lock.
const APPLY_BATCH: usize = 64;

pub fn start(raft: &Raft, applier: Waiter, apply_tx: ApplySender) {
    spawn(election_timer(raft.clone()));
    spawn(apply_loop(raft.clone(), applier, apply_tx));
}

async fn election_timer(raft: Raft) {
    while !raft.killed() {
        let deadline = raft.core().election_deadline();
        sleep_until(deadline).await;
        if raft.killed() {
            return;
        }
        let outcome = raft.core().tick();
        match outcome {
            TickOutcome::Nothing => {}
            TickOutcome::RequestVotes(args) => {
                for peer in raft.others() {
                    spawn(request_vote(raft.clone(), peer, args.clone()));
                }
            }
            TickOutcome::BecameLeader(replicators) => start_replicators(&raft, replicators),
        }
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
    let won = raft.core().on_vote_reply(peer, args.term, reply);
    if let Some(replicators) = won {
        start_replicators(&raft, replicators);
    }
}

fn start_replicators(raft: &Raft, replicators: Vec<(usize, Waiter)>) {
    let term = raft.core().term();
    for (peer, waiter) in replicators {
        spawn(replicate(raft.clone(), peer, term, waiter));
    }
}

/// Keeps one follower up to date while this peer leads in `term`: sends a batch window after being
/// woken (new entries, a reply that leaves more to send, a rejection to retry) and a heartbeat whenever the
/// follower has heard nothing for a heartbeat interval. Sends do not wait for replies, so a slow or
/// lost reply never delays the next heartbeat.
async fn replicate(raft: Raft, peer: usize, term: u64, mut wake: Waiter) {
    let mut last_sent: Option<Instant> = None;
    loop {
        if raft.killed() {
            return;
        }
        let now = Instant::now();
        let heartbeat_due = last_sent.is_none_or(|t| now >= t + HEARTBEAT);
        match raft.core().next_message(peer, term, heartbeat_due) {
            NextMessage::Stop => return,
            NextMessage::Wait => {}
            NextMessage::Send(message) => {
                last_sent = Some(now);
                spawn(send(raft.clone(), peer, term, message));
            }
        }
        let heartbeat = sleep_until(last_sent.unwrap_or(now) + HEARTBEAT);
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

async fn send(raft: Raft, peer: usize, term: u64, message: Outbound) {
    match message {
        Outbound::Append(args) => {
            let (prev, n) = (args.prev_log_index, args.entries.len() as u64);
            let result = raft
                .end(peer)
                .call::<_, AppendEntriesReply>("Raft.AppendEntries", &args)
                .await;
            if raft.killed() {
                return;
            }
            match result {
                Ok(reply) => raft.core().on_append_reply(peer, term, prev, n, reply),
                Err(_) if n > 0 => raft.core().on_send_failed(peer, term),
                Err(_) => {}
            }
        }
        Outbound::Snapshot(args) => {
            let index = args.last_included_index;
            let result = raft
                .end(peer)
                .call::<_, InstallSnapshotReply>("Raft.InstallSnapshot", &args)
                .await;
            if raft.killed() {
                return;
            }
            match result {
                Ok(reply) => raft.core().on_snapshot_reply(peer, term, index, reply),
                Err(_) => raft.core().on_send_failed(peer, term),
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
        let batch = raft.core().take_applies(APPLY_BATCH);
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
