//! The 2023 server's admission rules, on an rsm stand-in whose Raft state size and commit are in
//! the test's hands: past `maxraftstate` a replica that cannot commit admits one op and turns the
//! rest away (`Busy`), so a leader cut off from the majority cannot grow its log without bound;
//! below the limit, or without one, every op is admitted; and a killed replica answers no op.

use futures::future::pending;
use kvraft::KvMachine;
use kvraft::rpc::{KvError, Op, OpKind, OpReply};
use labrpc::{ClientEnd, Network, Server, Service};
use raftapi::{
    ApplySender, KvServer as _, OpOf, Persister, Raft, RaftError, ReplyOf, Rsm, StateMachine,
    SubmitError,
};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The key of an op that never commits (the stand-in's leader is cut off for it).
const STUCK: &str = "stuck";

/// A Raft that leads until killed and whose persisted state is whatever its persister holds.
struct StandInRaft {
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

/// An rsm that executes every op at once, except ops on [`STUCK`], which never commit.
struct StandInRsm {
    raft: StandInRaft,
    sm: Mutex<KvMachine>,
}

impl Rsm for StandInRsm {
    type Sm = KvMachine;

    fn make(
        _: Vec<ClientEnd>,
        _: usize,
        persister: Persister,
        _: i64,
        sm: KvMachine,
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
        if op.key == STUCK {
            pending::<()>().await;
        }
        if self.raft.killed.load(Ordering::Acquire) {
            return Err(SubmitError::WrongLeader);
        }
        Ok(self.sm.lock().unwrap().do_op(op))
    }
}

type Server2023 = kvraft::KvServer<StandInRsm>;

/// A replica whose persisted Raft state is `state_bytes` long, with `maxraftstate`, and a live
/// end to it.
async fn replica(net: &Network, state_bytes: usize, maxraftstate: i64) -> (Server2023, ClientEnd) {
    let node = sim::node::create("server-0");
    let persister = Persister::new();
    persister.save_raft_state(vec![7; state_bytes]);
    let kv = sim::node::run_on(&node, async move {
        Server2023::start(Vec::new(), 0, persister, maxraftstate)
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

fn put(key: &str, seq: u64) -> Op {
    Op {
        kind: OpKind::Put,
        key: key.into(),
        value: format!("v{seq}"),
        client: 1,
        seq,
    }
}

async fn call(end: &ClientEnd, op: Op) -> OpReply {
    end.call::<_, OpReply>("KVServer.PutAppend", &op)
        .await
        .expect("the server answers")
}

/// Sends an op that never commits and lets it reach the server; its reply comes after the
/// server's commit wait.
fn send_stuck(end: &ClientEnd, seq: u64) -> madsim::task::JoinHandle<OpReply> {
    let end = end.clone();
    madsim::task::spawn(async move { call(&end, put(STUCK, seq)).await })
}

async fn settle() {
    madsim::time::sleep(Duration::from_millis(50)).await;
}

#[test]
fn at_the_state_limit_one_pending_op_is_admitted_and_the_next_is_busy() {
    sim::run(|| async {
        let net = Network::new();
        let (_kv, end) = replica(&net, 1000, 1000).await;
        let first = send_stuck(&end, 1);
        settle().await;
        assert_eq!(call(&end, put("k", 2)).await, Err(KvError::Busy));
        // The first was admitted: it waited for its commit, and timed out.
        assert_eq!(first.await.unwrap(), Err(KvError::Timeout));
        // Nothing pending: the next op is admitted, and it may be the one that commits.
        assert_eq!(call(&end, put("k", 3)).await, Ok(String::new()));
    });
}

#[test]
fn below_the_state_limit_every_op_is_admitted() {
    sim::run(|| async {
        let net = Network::new();
        let (_kv, end) = replica(&net, 999, 1000).await;
        let first = send_stuck(&end, 1);
        settle().await;
        assert_eq!(call(&end, put("k", 2)).await, Ok(String::new()));
        assert_eq!(first.await.unwrap(), Err(KvError::Timeout));
    });
}

#[test]
fn without_a_state_limit_every_op_is_admitted() {
    sim::run(|| async {
        // -1: never snapshot; 0: snapshot after every op, which no size can wait for.
        for maxraftstate in [-1, 0] {
            let net = Network::new();
            let (kv, end) = replica(&net, 1 << 20, maxraftstate).await;
            let first = send_stuck(&end, 1);
            settle().await;
            let reply = call(&end, put("k", 2)).await;
            assert_eq!(reply, Ok(String::new()), "maxraftstate {maxraftstate}");
            assert_eq!(first.await.unwrap(), Err(KvError::Timeout));
            kv.kill();
        }
    });
}

#[test]
fn a_killed_replica_kills_its_raft_and_performs_no_op() {
    sim::run(|| async {
        let net = Network::new();
        let (kv, end) = replica(&net, 0, -1).await;
        assert_eq!(call(&end, put("k", 1)).await, Ok(String::new()));
        kv.kill();
        assert!(!kv.raft().state().1, "the replica's Raft was not killed");
        assert_eq!(call(&end, put("k", 2)).await, Err(KvError::WrongLeader));
    });
}
