//! The client library: numbers each operation, remembers which server led last, and retries until a
//! server answers, so every call returns exactly once with the op applied exactly once.

use crate::rpc::{Op, OpKind, OpReply};
use labrpc::ClientEnd;
use madsim::rand::Rng;
use raftapi::KvClerk;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tracing::debug;

/// Pause after every server refused, so a clerk waiting out an election does not spin.
const RETRY_PAUSE: Duration = Duration::from_millis(25);

/// A client of the service. It retries each operation until it succeeds, so every call returns.
pub struct Clerk {
    servers: Vec<ClientEnd>,
    id: u64,
    last_seq: AtomicU64,
    leader: AtomicUsize,
}

impl KvClerk for Clerk {
    /// A clerk talking to the replicas through `servers` (in any order); its id comes from the seed.
    fn make(servers: Vec<ClientEnd>) -> Clerk {
        Clerk {
            servers,
            id: madsim::rand::thread_rng().r#gen(),
            last_seq: AtomicU64::new(0),
            leader: AtomicUsize::new(0),
        }
    }

    async fn get(&self, key: &str) -> String {
        self.run(OpKind::Get, key, "").await
    }

    async fn put(&self, key: &str, value: &str) {
        self.run(OpKind::Put, key, value).await;
    }

    async fn append(&self, key: &str, value: &str) {
        self.run(OpKind::Append, key, value).await;
    }
}

impl Clerk {
    async fn run(&self, kind: OpKind, key: &str, value: &str) -> String {
        let op = Op {
            kind,
            key: key.to_string(),
            value: value.to_string(),
            client: self.id,
            seq: self.last_seq.fetch_add(1, Ordering::Relaxed) + 1,
        };
        let method = match kind {
            OpKind::Get => "KVServer.Get",
            OpKind::Put | OpKind::Append => "KVServer.PutAppend",
        };
        let n = self.servers.len();
        loop {
            let first = self.leader.load(Ordering::Relaxed);
            for k in 0..n {
                let i = (first + k) % n;
                if let Ok(Ok(reply)) = self.servers[i].call::<_, OpReply>(method, &op).await {
                    self.leader.store(i, Ordering::Relaxed);
                    debug!(
                        client = self.id,
                        seq = op.seq,
                        topic = "client",
                        server = i,
                        "done"
                    );
                    return reply;
                }
            }
            madsim::time::sleep(RETRY_PAUSE).await;
        }
    }
}
