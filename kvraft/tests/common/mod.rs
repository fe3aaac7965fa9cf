//! A stand-in for the rsm under a KV server, for tests of the server's own rules: it commits an
//! op at once unless the op stalls, and its Raft leads until killed, with a persisted state as
//! large as the test wrote into the persister.
#![allow(dead_code)] // each test file uses a different subset

use futures::future::pending;
use labrpc::{ClientEnd, Network, Server, Service};
use raftapi::{
    ApplySender, KvServer, OpOf, Persister, Raft, RaftError, ReplyOf, Rsm, StateMachine,
    SubmitError,
};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The key of a 2023 op that never commits (the stand-in's leader is cut off for it).
pub const STUCK: &str = "stuck";

/// Which ops never commit on the stand-in.
pub trait Stalls: StateMachine {
    fn stalls(op: &Self::Op) -> bool;
}

impl Stalls for kvraft::KvMachine {
    fn stalls(op: &Self::Op) -> bool {
        op.key == STUCK
    }
}

impl Stalls for kvraft::versioned::KvMachine {
    fn stalls(_: &Self::Op) -> bool {
        false
    }
}

/// A Raft that leads until killed and whose persisted state is whatever its persister holds.
pub struct StandInRaft {
    persister: Persister,
    killed: AtomicBool,
}

impl Raft for StandInRaft {
    fn make(
        _: Vec<ClientEnd>,
        _: usize,
        persister: Persister,
        _: ApplySender,
    ) -> Result<Self, RaftError> {
        Ok(StandInRaft {
            persister,
            killed: AtomicBool::new(false),
        })
    }
    fn service(&self) -> Service {
        Service::new("Raft")
    }
    fn start(&self, _: Vec<u8>) -> Option<(u64, u64)> {
        None
    }
    fn state(&self) -> (u64, bool) {
        (1, !self.killed.load(Ordering::Acquire))
    }
    fn snapshot(&self, _: u64, _: Vec<u8>) {}
    fn persist_bytes(&self) -> usize {
        self.persister.raft_state_size()
    }
    fn kill(&self) {
        self.killed.store(true, Ordering::Release);
    }
}

/// An rsm that executes every op at once, except those that stall, which never commit.
pub struct StandInRsm<S> {
    raft: StandInRaft,
    sm: Mutex<S>,
}

impl<S: Stalls + Default + Sync> Rsm for StandInRsm<S> {
    type Sm = S;

    fn make(
        _: Vec<ClientEnd>,
        _: usize,
        persister: Persister,
        _: i64,
        sm: S,
    ) -> Result<Self, RaftError> {
        let (tx, _) = futures::channel::mpsc::channel(1);
        Ok(StandInRsm {
            raft: StandInRaft::make(Vec::new(), 0, persister, tx)?,
            sm: Mutex::new(sm),
        })
    }

    fn raft(&self) -> &dyn Raft {
        &self.raft
    }

    async fn submit(&self, op: OpOf<Self>) -> Result<ReplyOf<Self>, SubmitError> {
        if S::stalls(&op) {
            pending::<()>().await;
        }
        if self.raft.killed.load(Ordering::Acquire) {
            return Err(SubmitError::WrongLeader);
        }
        Ok(self.sm.lock().unwrap().do_op(op))
    }
}

/// A replica of server `K` whose persisted Raft state is `state_bytes` long, with
/// `maxraftstate`, and a live end to it.
pub async fn replica<K: KvServer>(
    net: &Network,
    state_bytes: usize,
    maxraftstate: i64,
) -> (K, ClientEnd) {
    let node = sim::node::create("server-0");
    let persister = Persister::new();
    persister.save_raft_state(vec![7; state_bytes]);
    let kv = sim::node::run_on(&node, async move {
        K::start(Vec::new(), 0, persister, maxraftstate)
    })
    .await
    .expect("the server's node is alive")
    .expect("the stand-in starts");
    let mut server = Server::new(node);
    for service in kv.services() {
        server.add_service(service);
    }
    net.add_server("server-0", server);
    let end = net.make_end("client");
    net.connect("client", "server-0");
    net.enable("client", true);
    (kv, end)
}
