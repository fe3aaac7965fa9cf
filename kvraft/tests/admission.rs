//! The 2023 server's admission rules, on an rsm stand-in whose Raft state size and commit are in
//! the test's hands: past `maxraftstate` a replica that cannot commit admits one op and turns the
//! rest away (`Busy`), so a leader cut off from the majority cannot grow its log without bound;
//! below the limit, or without one, every op is admitted; and a killed replica answers no op.

mod common;

use common::{STUCK, StandInRsm};
use kvraft::KvMachine;
use kvraft::rpc::{KvError, Op, OpKind, OpReply};
use labrpc::{ClientEnd, Network};
use raftapi::KvServer as _;
use std::time::Duration;

type Server2023 = kvraft::KvServer<StandInRsm<KvMachine>>;

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

/// On a fresh replica with a Raft state of `state_bytes` and `maxraftstate`, an op sent while
/// another one waits on a commit that never comes: its reply, checked once the waiting op has timed
/// out (it was admitted); the replica and the end, for more.
async fn beside_a_stuck_op(
    state_bytes: usize,
    maxraftstate: i64,
) -> (OpReply, Server2023, ClientEnd) {
    let net = Network::new();
    let (kv, end) = common::replica::<Server2023>(&net, state_bytes, maxraftstate).await;
    let end2 = end.clone();
    let stuck = madsim::task::spawn(async move { call(&end2, put(STUCK, 1)).await });
    madsim::time::sleep(Duration::from_millis(50)).await;
    let reply = call(&end, put("k", 2)).await;
    assert_eq!(stuck.await.unwrap(), Err(KvError::Timeout));
    (reply, kv, end)
}

#[test]
fn at_the_state_limit_one_pending_op_is_admitted_and_the_next_is_busy() {
    sim::run(|| async {
        let (reply, _kv, end) = beside_a_stuck_op(1000, 1000).await;
        assert_eq!(reply, Err(KvError::Busy));
        // Nothing pending: the next op is admitted, and it may be the one that commits.
        assert_eq!(call(&end, put("k", 3)).await, Ok(String::new()));
    });
}

#[test]
fn below_the_state_limit_every_op_is_admitted() {
    sim::run(|| async {
        let (reply, _kv, _end) = beside_a_stuck_op(999, 1000).await;
        assert_eq!(reply, Ok(String::new()));
    });
}

#[test]
fn without_a_state_limit_every_op_is_admitted() {
    sim::run(|| async {
        // -1: never snapshot; 0: snapshot after every op, which no size can wait for.
        for maxraftstate in [-1, 0] {
            let (reply, kv, _end) = beside_a_stuck_op(1 << 20, maxraftstate).await;
            assert_eq!(reply, Ok(String::new()), "maxraftstate {maxraftstate}");
            kv.kill();
        }
    });
}

#[test]
fn a_killed_replica_kills_its_raft_and_performs_no_op() {
    sim::run(|| async {
        let net = Network::new();
        let (kv, end) = common::replica::<Server2023>(&net, 0, -1).await;
        assert_eq!(call(&end, put("k", 1)).await, Ok(String::new()));
        kv.kill();
        assert!(!kv.raft().state().1, "the replica's Raft was not killed");
        assert_eq!(call(&end, put("k", 2)).await, Err(KvError::WrongLeader));
    });
}
