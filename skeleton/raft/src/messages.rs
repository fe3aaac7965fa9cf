//! The RPCs peers send each other, as Figure 2 of the Raft paper names their fields. They travel
//! bincode-encoded over labrpc, so every field must be (de)serializable. Add what you need (the
//! lab's fast log backup adds conflict hints to the AppendEntries reply).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RequestVoteArgs {
    // Your data here (2A, 2B): term, candidateId, lastLogIndex, lastLogTerm.
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RequestVoteReply {
    // Your data here (2A): term, voteGranted.
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AppendEntriesArgs {
    // Your data here (2A, 2B): term, leaderId, prevLogIndex, prevLogTerm, entries[], leaderCommit.
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AppendEntriesReply {
    // Your data here (2A, 2B): term, success.
}
