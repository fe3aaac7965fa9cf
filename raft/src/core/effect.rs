//! What the core asks of the world, as values: the driver performs them.

use crate::messages::{AppendEntriesArgs, RequestVoteArgs};
use crate::timing::Time;
use bytes::Bytes;

/// One thing the core needs done. A step's effects are performed in order, each before the next,
/// and all of them before the step's reply (if it answers an RPC) leaves the peer. The core emits a
/// `Persist` ahead of anything that depends on the state it saves, so that order is what keeps
/// Figure 2's promise: nothing is sent or acknowledged before what it depends on is on stable storage.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Save this encoded hard state (and this snapshot with it, atomically, if given). The core
    /// keeps no copy of a snapshot's bytes: from here on they live on stable storage.
    Persist {
        state: Vec<Bytes>,
        snapshot: Option<Vec<u8>>,
    },
    /// Ask `peer` for its vote.
    RequestVote { peer: usize, args: RequestVoteArgs },
    /// This peer now leads in `term`: start one replicator per follower (see [`NextMessage`]).
    StartReplicators { term: u64 },
    /// Wake `peer`'s replicator: it has something to send.
    Replicate { peer: usize },
    /// Wake the applier: entries were committed or a snapshot was installed.
    Apply,
}

/// A message the leader sends to one follower.
#[derive(Clone, Debug)]
pub enum Outbound {
    Append(AppendEntriesArgs),
    /// InstallSnapshot with the snapshot on stable storage, which always ends at the log's snapshot
    /// boundary (`last_included_index`): the driver reads its bytes from there, as a peer with a
    /// disk would stream them.
    Snapshot {
        term: u64,
        leader: u64,
        last_included_index: u64,
        last_included_term: u64,
    },
}

/// What the applier delivers to the service next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The committed command at `index`.
    Command { index: u64, command: Vec<u8> },
    /// The snapshot on stable storage, installed from the leader, ending at (`index`, `term`).
    StoredSnapshot { index: u64, term: u64 },
}

/// What a replicator should do now.
#[derive(Clone, Debug)]
pub enum NextMessage {
    /// This peer no longer leads in the replicator's term.
    Stop,
    /// Nothing to send yet (entries are in flight and no heartbeat is due); look again when woken,
    /// or at `heartbeat_at`.
    Wait { heartbeat_at: Time },
    /// Send this; look again when woken, or at `heartbeat_at`.
    Send {
        message: Outbound,
        heartbeat_at: Time,
    },
}
