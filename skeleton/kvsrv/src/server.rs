//! The server: answers "KVServer.Get" and "KVServer.Put" by the table in `raftapi::versioned`.
//! It keeps no state per client: versions alone make a resent put safe.

use labrpc::{ClientEnd, Service};
use raftapi::versioned::{GetArgs, GetReply, PutArgs, PutReply};
use raftapi::{KvSrvServer, Persister};

pub struct KvServer {
    // Your state here: each key's value and version, behind a lock.
}

impl KvSrvServer for KvServer {
    fn start(_ends: Vec<ClientEnd>, _gid: u64, _me: usize, _persister: Persister) -> Self {
        KvServer {}
    }

    /// The "KVServer" service with its two methods.
    fn services(&self) -> Vec<Service> {
        vec![
            Service::new("KVServer")
                .method("Get", |_args: GetArgs| async move {
                    unimplemented!("the KVServer.Get handler (Lab 2)") as GetReply
                })
                .method("Put", |_args: PutArgs| async move {
                    unimplemented!("the KVServer.Put handler (Lab 2)") as PutReply
                }),
        ]
    }

    fn kill(&self) {}
}
