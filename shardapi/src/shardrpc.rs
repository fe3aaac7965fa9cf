//! The RPCs a controller sends a shard group (the course's `shardrpc`), on the group's `KVServer`
//! service beside `KVServer.Get` and `KVServer.Put` (`raftapi::versioned`).
//!
//! A shard moves from group A to group B under configuration `num` in three steps, each on the
//! group's log: FreezeShard at A (A stops serving the shard and hands over its state), InstallShard
//! at B (B serves the shard from that state), DeleteShard at A (A forgets it). A group remembers, per
//! shard, the highest configuration number it has seen and refuses requests with an older one, so a
//! controller that has been superseded cannot undo a newer controller's work.

use crate::{Num, Shard};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const FREEZE_SHARD_METHOD: &str = "KVServer.FreezeShard";
pub const INSTALL_SHARD_METHOD: &str = "KVServer.InstallShard";
pub const DELETE_SHARD_METHOD: &str = "KVServer.DeleteShard";

/// Stop serving `shard` and return its state, for configuration `num`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreezeShardArgs {
    pub shard: Shard,
    pub num: Num,
}

/// The shard's state as the group encodes it (opaque to the controller), or why not.
pub type FreezeShardReply = Result<Vec<u8>, ShardError>;

/// Serve `shard` from `state` (what a FreezeShard returned, or no bytes for an empty shard), for
/// configuration `num`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallShardArgs {
    pub shard: Shard,
    #[serde(with = "serde_bytes")]
    pub state: Vec<u8>,
    pub num: Num,
}

pub type InstallShardReply = Result<(), ShardError>;

/// Forget the frozen `shard`, for configuration `num`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteShardArgs {
    pub shard: Shard,
    pub num: Num,
}

pub type DeleteShardReply = Result<(), ShardError>;

/// Why a group refused a FreezeShard, InstallShard or DeleteShard. A refused request changes
/// nothing. (The course leaves these error values to the student.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShardError {
    /// The server does not lead its group; a clerk tries another server and never returns this.
    WrongLeader,
    /// The group has already seen configuration `seen` for this shard, newer than the request's
    /// `num`: the sender has been superseded.
    Stale { num: Num, seen: Num },
    /// InstallShard: the state does not decode.
    BadState(String),
    /// DeleteShard of a shard the group still serves: it was never frozen, so deleting it would
    /// lose data.
    NotFrozen { num: Num },
    /// FreezeShard or DeleteShard of a shard the group does not hold (it never did, or handed
    /// it over under an older configuration than `num`).
    NotHeld { num: Num },
    /// A shard index outside `0..N_SHARDS`.
    NoSuchShard(Shard),
}

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShardError::WrongLeader => write!(f, "ErrWrongLeader"),
            ShardError::Stale { num, seen } => write!(
                f,
                "configuration {num} is stale: the group has seen configuration {seen} for this shard"
            ),
            ShardError::BadState(why) => write!(f, "the shard state does not decode: {why}"),
            ShardError::NotFrozen { num } => write!(
                f,
                "cannot delete a shard the group still serves (configuration {num}); freeze it first"
            ),
            ShardError::NotHeld { num } => write!(
                f,
                "the group does not hold this shard (configuration {num})"
            ),
            ShardError::NoSuchShard(s) => write!(f, "there is no shard {s}"),
        }
    }
}

impl std::error::Error for ShardError {}
