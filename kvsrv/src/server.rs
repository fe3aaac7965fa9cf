//! The server: the store behind one mutex, answering `KVServer.Get` and `KVServer.Put`.

use crate::store::Store;
use labrpc::{ClientEnd, Service};
use raftapi::versioned::{GetArgs, GetReply, KV_SERVICE, PutArgs, PutReply};
use raftapi::{KvSrvServer, Persister};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tracing::debug;

struct Shared {
    store: Mutex<Store>,
    killed: AtomicBool,
}

/// The Lab 2 server. Cloning shares it.
#[derive(Clone)]
pub struct KvServer {
    shared: Arc<Shared>,
}

impl KvSrvServer for KvServer {
    /// An empty store; kvsrv needs none of the arguments.
    fn start(_ends: Vec<ClientEnd>, _gid: u64, _me: usize, _persister: Persister) -> Self {
        KvServer {
            shared: Arc::new(Shared {
                store: Mutex::new(Store::new()),
                killed: AtomicBool::new(false),
            }),
        }
    }

    /// "KVServer" with Get and Put.
    fn services(&self) -> Vec<Service> {
        let (get, put) = (self.clone(), self.clone());
        let kv = Service::new(KV_SERVICE)
            .method("Get", move |args: GetArgs| answer(get.get(&args)))
            .method("Put", move |args: PutArgs| answer(put.put(args)));
        vec![kv]
    }

    fn kill(&self) {
        self.shared.killed.store(true, Ordering::Release);
    }
}

impl KvServer {
    fn store(&self) -> MutexGuard<'_, Store> {
        // Every update is one map insert; a poisoned lock (a test already failing) guards
        // consistent data.
        self.shared.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn killed(&self) -> bool {
        self.shared.killed.load(Ordering::Acquire)
    }

    /// The reply, or `None` once killed.
    fn get(&self, args: &GetArgs) -> Option<GetReply> {
        (!self.killed()).then(|| self.store().get(&args.key))
    }

    /// The reply, or `None` once killed (a killed server changes nothing).
    fn put(&self, args: PutArgs) -> Option<PutReply> {
        if self.killed() {
            return None;
        }
        let (key, version) = (args.key.clone(), args.version);
        let reply = self.store().put(args);
        debug!(topic = "client", key, version, ?reply, "put");
        Some(reply)
    }
}

/// A handler's reply; a killed server never answers, like a crashed one (the caller's call fails
/// once the server is gone from the network).
async fn answer<R>(reply: Option<R>) -> R {
    match reply {
        Some(reply) => reply,
        None => std::future::pending().await,
    }
}
