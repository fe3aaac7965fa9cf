//! A shard group's clerk: tries the group's servers, starting with the one that last led, until
//! one that leads answers.

use labrpc::ClientEnd;
use raftapi::versioned::{GET_METHOD, GetArgs, GetReply, PUT_METHOD, PutArgs, PutReply};
use raftapi::{KvError, KvResult, ReplicatedClerk, Version, VersionedClerk};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shardapi::shardrpc::{
    DELETE_SHARD_METHOD, DeleteShardArgs, DeleteShardReply, FREEZE_SHARD_METHOD, FreezeShardArgs,
    FreezeShardReply, INSTALL_SHARD_METHOD, InstallShardArgs, InstallShardReply, ShardError,
};
use shardapi::{Num, Shard, ShardGrpClerk};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tracing::debug;

/// Pause after a pass over every server without an answer from a leader (an election under way,
/// or the group down), so a clerk waiting for its group does not spin.
const PASS_PAUSE: Duration = Duration::from_millis(20);

/// A clerk of one shard group.
pub struct Clerk {
    servers: Vec<ClientEnd>,
    leader: AtomicUsize,
    /// Whether `leader` was confirmed by an answer.
    known: AtomicBool,
}

/// What one server said to one request.
enum Answer<R> {
    /// A leader's reply.
    Reply(R),
    /// Not answered by a leader: the request may or may not have been executed.
    Unsure,
}

impl Clerk {
    /// Sends `args` to server `i`.
    async fn ask<A: Serialize, R: DeserializeOwned>(
        &self,
        i: usize,
        method: &'static str,
        args: &A,
        wrong_leader: fn(&R) -> bool,
    ) -> Answer<R> {
        match self.servers[i].call::<A, R>(method, args).await {
            Ok(reply) if !wrong_leader(&reply) => {
                self.leader.store(i, Ordering::Relaxed);
                self.known.store(true, Ordering::Relaxed);
                Answer::Reply(reply)
            }
            Ok(_) => Answer::Unsure,
            Err(e) => {
                debug!(topic = "client", method, server = i, error = %e, "no answer");
                Answer::Unsure
            }
        }
    }

    /// The servers to try in one pass, starting with the last leader.
    fn pass(&self) -> impl Iterator<Item = usize> + use<> {
        let (n, first) = (self.servers.len(), self.leader.load(Ordering::Relaxed));
        (0..n).map(move |k| (first + k) % n)
    }

    /// Sends `args` to the servers in turn until a leader replies.
    async fn call<A: Serialize, R: DeserializeOwned>(
        &self,
        method: &'static str,
        args: &A,
        wrong_leader: fn(&R) -> bool,
    ) -> R {
        loop {
            for i in self.pass() {
                if let Answer::Reply(reply) = self.ask(i, method, args, wrong_leader).await {
                    return reply;
                }
            }
            madsim::time::sleep(PASS_PAUSE).await;
        }
    }

    /// Put, as part of a put that may have been sent before: `sent` says whether an earlier copy
    /// (to this group or another) may have taken effect, and is set while a copy this call sends
    /// may take effect. `ErrVersion` after such a copy is `ErrMaybe`. The sharded clerk carries
    /// `sent` from group to group as a shard moves.
    pub async fn put_tracked(
        &self,
        key: &str,
        value: &str,
        version: Version,
        sent: &mut bool,
    ) -> KvResult<()> {
        let args = PutArgs {
            key: key.into(),
            value: value.into(),
            version,
        };
        loop {
            for i in self.pass() {
                let resent = *sent;
                *sent = true;
                match self
                    .ask::<_, PutReply>(i, PUT_METHOD, &args, kv_wrong_leader)
                    .await
                {
                    Answer::Reply(Err(KvError::Version)) if resent => return Err(KvError::Maybe),
                    // The server answered for this very copy: it did not take effect.
                    Answer::Reply(
                        reply @ Err(KvError::Version | KvError::NoKey | KvError::WrongGroup),
                    ) => {
                        *sent = resent;
                        return reply;
                    }
                    Answer::Reply(reply) => return reply,
                    Answer::Unsure => {}
                }
            }
            madsim::time::sleep(PASS_PAUSE).await;
        }
    }
}

fn kv_wrong_leader<T>(reply: &KvResult<T>) -> bool {
    matches!(reply, Err(KvError::WrongLeader))
}

fn shard_wrong_leader<T>(reply: &Result<T, ShardError>) -> bool {
    matches!(reply, Err(ShardError::WrongLeader))
}

impl VersionedClerk for Clerk {
    async fn get(&self, key: &str) -> KvResult<(String, Version)> {
        let args = GetArgs { key: key.into() };
        self.call::<_, GetReply>(GET_METHOD, &args, kv_wrong_leader)
            .await
    }

    async fn put(&self, key: &str, value: &str, version: Version) -> KvResult<()> {
        self.put_tracked(key, value, version, &mut false).await
    }
}

impl ReplicatedClerk for Clerk {
    fn make(servers: Vec<ClientEnd>) -> Self {
        Clerk {
            servers,
            leader: AtomicUsize::new(0),
            known: AtomicBool::new(false),
        }
    }

    fn leader(&self) -> Option<usize> {
        self.known
            .load(Ordering::Relaxed)
            .then(|| self.leader.load(Ordering::Relaxed))
    }
}

impl ShardGrpClerk for Clerk {
    async fn freeze_shard(&self, shard: Shard, num: Num) -> Result<Vec<u8>, ShardError> {
        let args = FreezeShardArgs { shard, num };
        self.call::<_, FreezeShardReply>(FREEZE_SHARD_METHOD, &args, shard_wrong_leader)
            .await
    }

    async fn install_shard(
        &self,
        shard: Shard,
        state: Vec<u8>,
        num: Num,
    ) -> Result<(), ShardError> {
        let args = InstallShardArgs { shard, state, num };
        self.call::<_, InstallShardReply>(INSTALL_SHARD_METHOD, &args, shard_wrong_leader)
            .await
    }

    async fn delete_shard(&self, shard: Shard, num: Num) -> Result<(), ShardError> {
        let args = DeleteShardArgs { shard, num };
        self.call::<_, DeleteShardReply>(DELETE_SHARD_METHOD, &args, shard_wrong_leader)
            .await
    }
}
