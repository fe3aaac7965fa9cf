//! The clerk: sends each request to the replica it believes leads, and on to the next on a lost
//! message or `ErrWrongLeader`, until one answers. A put resent after any earlier copy went out
//! may find that copy applied; `ErrVersion` then becomes `ErrMaybe`, as in Lab 2.

use labrpc::ClientEnd;
use raftapi::versioned::{GET_METHOD, GetArgs, PUT_METHOD, PutArgs};
use raftapi::{KvError, KvResult, ReplicatedClerk, Version, VersionedClerk};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tracing::debug;

/// Pause after every replica refused, so a clerk waiting out an election does not spin.
const ROUND_PAUSE: Duration = Duration::from_millis(25);

/// A client of the replicated versioned key/value service.
pub struct Clerk {
    servers: Vec<ClientEnd>,
    leader: AtomicUsize,
    /// Whether `leader` was confirmed by an answer.
    known: AtomicBool,
}

impl ReplicatedClerk for Clerk {
    fn make(servers: Vec<ClientEnd>) -> Clerk {
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

impl VersionedClerk for Clerk {
    async fn get(&self, key: &str) -> KvResult<(String, Version)> {
        let args = GetArgs { key: key.into() };
        self.call::<_, (String, Version)>(GET_METHOD, &args).await.0
    }

    async fn put(&self, key: &str, value: &str, version: Version) -> KvResult<()> {
        let args = PutArgs {
            key: key.into(),
            value: value.into(),
            version,
        };
        match self.call::<_, ()>(PUT_METHOD, &args).await {
            // An earlier copy may have taken effect and moved the version on.
            (Err(KvError::Version), true) => Err(KvError::Maybe),
            (reply, _) => reply,
        }
    }
}

impl Clerk {
    /// Calls `method` on the replicas, from the last known leader on, until one answers with
    /// something other than `ErrWrongLeader`: that answer, and whether a copy of the request had
    /// been sent before it.
    async fn call<A, R>(&self, method: &str, args: &A) -> (KvResult<R>, bool)
    where
        A: Serialize,
        R: DeserializeOwned,
        KvResult<R>: DeserializeOwned,
    {
        let n = self.servers.len();
        let mut resent = false;
        loop {
            let first = self.leader.load(Ordering::Relaxed);
            for k in 0..n {
                let i = (first + k) % n;
                match self.servers[i].call::<_, KvResult<R>>(method, args).await {
                    Ok(Err(KvError::WrongLeader)) => {}
                    Ok(reply) => {
                        self.leader.store(i, Ordering::Relaxed);
                        self.known.store(true, Ordering::Relaxed);
                        return (reply, resent);
                    }
                    Err(e) => debug!(topic = "client", server = i, method, error = %e, "no answer"),
                }
                resent = true;
            }
            madsim::time::sleep(ROUND_PAUSE).await;
        }
    }
}
