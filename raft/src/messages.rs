//! The Raft RPCs as they travel over labrpc (bincode-encoded).

use crate::log::Entry;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RequestVoteArgs {
    pub term: u64,
    pub candidate: u64,
    pub last_log_index: u64,
    pub last_log_term: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RequestVoteReply {
    pub term: u64,
    pub granted: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AppendEntriesArgs {
    pub term: u64,
    pub leader: u64,
    pub prev_log_index: u64,
    pub prev_log_term: u64,
    pub entries: Vec<Entry>,
    pub leader_commit: u64,
}

/// Why a follower rejected AppendEntries, so the leader can skip a whole term at once (fast backup).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Conflict {
    /// The follower's log ends before `prev_log_index`; `next` is its last index + 1 (the lab's XLen).
    TooShort { next: u64 },
    /// The follower has `term` at `prev_log_index`; its run of that term starts at `first` (XTerm, XIndex).
    TermMismatch { term: u64, first: u64 },
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AppendEntriesReply {
    pub term: u64,
    pub success: bool,
    pub conflict: Option<Conflict>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InstallSnapshotArgs {
    pub term: u64,
    pub leader: u64,
    pub last_included_index: u64,
    pub last_included_term: u64,
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct InstallSnapshotReply {
    pub term: u64,
}
