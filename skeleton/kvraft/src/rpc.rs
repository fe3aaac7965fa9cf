//! What clerks send to servers, and what goes into the Raft log. Add what you need: a clerk's id
//! and a sequence number let a server apply a retried request only once.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GetArgs {
    pub key: String,
    // Your data here (3A).
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GetReply {
    // Your data here (3A).
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PutAppendArgs {
    pub key: String,
    pub value: String,
    // Your data here (3A): is it a Put or an Append? who sent it?
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PutAppendReply {
    // Your data here (3A).
}
