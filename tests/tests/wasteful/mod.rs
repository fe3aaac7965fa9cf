//! A kvsrv that keeps a table per client, as a server deduplicating by client id and sequence
//! number would (the way the 2023 KV does): correct, but the memory test must reject it. Its clerk
//! sends its id and a sequence number with every put; the server remembers each client's last
//! put and its reply.

use labrpc::{ClientEnd, Service};
use raftapi::versioned::{GET_METHOD, GetArgs, GetReply, PutArgs, PutReply};
use raftapi::{KvError, KvResult, KvSrvClerk, KvSrvServer, Persister, Version, VersionedClerk};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The wasteful server and its clerk, as a kvsrv to test.
pub type Wasteful = (Server, Clerk);

const PUT_WITH_ID: &str = "KVServer.PutWithId";

#[derive(Clone, Serialize, Deserialize)]
struct PutWithId {
    args: PutArgs,
    client: u64,
    seq: u64,
}

#[derive(Default)]
struct State {
    /// key → (value, version), by the server table.
    store: BTreeMap<String, (String, Version)>,
    /// client → (its last put's sequence number, that put's reply).
    last: BTreeMap<u64, (u64, PutReply)>,
}

#[derive(Clone)]
pub struct Server {
    state: Arc<Mutex<State>>,
}

impl KvSrvServer for Server {
    fn start(_: Vec<ClientEnd>, _: u64, _: usize, _: Persister) -> Self {
        Server {
            state: Arc::default(),
        }
    }

    fn services(&self) -> Vec<Service> {
        let (get, put) = (self.state.clone(), self.state.clone());
        let kv = Service::new("KVServer")
            .method("Get", move |args: GetArgs| {
                let reply = get.lock().unwrap().store.get(&args.key).cloned();
                let reply: GetReply = reply.ok_or(KvError::NoKey);
                async move { reply }
            })
            .method("PutWithId", move |p: PutWithId| {
                let mut state = put.lock().unwrap();
                let reply = match state.last.get(&p.client) {
                    Some(&(seq, reply)) if seq == p.seq => reply,
                    _ => {
                        let reply = table_put(&mut state.store, p.args);
                        state.last.insert(p.client, (p.seq, reply));
                        reply
                    }
                };
                async move { reply }
            });
        vec![kv]
    }

    fn kill(&self) {}
}

/// The server table's put.
fn table_put(store: &mut BTreeMap<String, (String, Version)>, args: PutArgs) -> PutReply {
    match store.get(&args.key).map(|(_, version)| *version) {
        None if args.version != 0 => Err(KvError::NoKey),
        Some(version) if version != args.version => Err(KvError::Version),
        _ => {
            store.insert(args.key, (args.value, args.version + 1));
            Ok(())
        }
    }
}

pub struct Clerk {
    server: ClientEnd,
    id: u64,
    seq: AtomicU64,
}

impl KvSrvClerk for Clerk {
    fn make(server: ClientEnd) -> Self {
        Clerk {
            server,
            id: madsim::rand::random(),
            seq: AtomicU64::new(0),
        }
    }
}

impl VersionedClerk for Clerk {
    async fn get(&self, key: &str) -> KvResult<(String, Version)> {
        let args = GetArgs { key: key.into() };
        loop {
            if let Ok(reply) = self.server.call::<_, GetReply>(GET_METHOD, &args).await {
                return reply;
            }
        }
    }

    async fn put(&self, key: &str, value: &str, version: Version) -> KvResult<()> {
        let p = PutWithId {
            args: PutArgs {
                key: key.into(),
                value: value.into(),
                version,
            },
            client: self.id,
            seq: self.seq.fetch_add(1, Ordering::Relaxed) + 1,
        };
        loop {
            if let Ok(reply) = self.server.call::<_, PutReply>(PUT_WITH_ID, &p).await {
                return reply;
            }
        }
    }
}
