//! What clerks send to KV servers, and what goes into the Raft log.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpKind {
    Get,
    Put,
    Append,
}

/// One client operation, as replicated through Raft. `(client, seq)` identifies it for deduplication.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Op {
    pub kind: OpKind,
    pub key: String,
    pub value: String,
    pub client: u64,
    pub seq: u64,
}

/// Why a server did not perform a request; the clerk tries another server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvError {
    /// This replica is not the leader, or lost leadership before the op committed.
    WrongLeader,
    /// The op did not commit in time (e.g. a leader cut off from the majority).
    Timeout,
    /// The Raft state is at `maxraftstate` and waits for commits and a snapshot to shrink it: a leader
    /// that cannot commit (cut off from the majority) must not grow its log without bound.
    Busy,
}

/// The reply to any operation: the value for a Get, "" for Put and Append.
pub type OpReply = Result<String, KvError>;
