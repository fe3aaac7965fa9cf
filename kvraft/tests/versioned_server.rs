//! The current course's replica, on a stand-in rsm: it serves Get and Put through the rsm, and
//! once killed it kills its Raft and performs no op.

mod common;

use common::StandInRsm;
use kvraft::versioned::KvMachine;
use labrpc::ClientEnd;
use raftapi::versioned::{GET_METHOD, GetArgs, GetReply, PUT_METHOD, PutArgs, PutReply};
use raftapi::{KvError, KvServer as _};

type Server = kvraft::versioned::KvServer<StandInRsm<KvMachine>>;

async fn put(end: &ClientEnd, key: &str, value: &str, version: u64) -> PutReply {
    let args = PutArgs {
        key: key.into(),
        value: value.into(),
        version,
    };
    end.call(PUT_METHOD, &args)
        .await
        .expect("the replica answers")
}

async fn get(end: &ClientEnd, key: &str) -> GetReply {
    let args = GetArgs { key: key.into() };
    end.call(GET_METHOD, &args)
        .await
        .expect("the replica answers")
}

#[test]
fn a_replica_serves_get_and_put_through_its_rsm() {
    sim::run(|| async {
        let net = labrpc::Network::new();
        let (_kv, end) = common::replica::<Server>(&net, 0, -1).await;
        assert_eq!(get(&end, "k").await, Err(KvError::NoKey));
        assert_eq!(put(&end, "k", "a", 0).await, Ok(()));
        assert_eq!(put(&end, "k", "b", 0).await, Err(KvError::Version));
        assert_eq!(get(&end, "k").await, Ok(("a".into(), 1)));
    });
}

#[test]
fn a_killed_replica_kills_its_raft_and_performs_no_op() {
    sim::run(|| async {
        let net = labrpc::Network::new();
        let (kv, end) = common::replica::<Server>(&net, 0, -1).await;
        assert_eq!(put(&end, "k", "a", 0).await, Ok(()));
        kv.kill();
        assert!(!kv.raft().state().1, "the replica's Raft was not killed");
        assert_eq!(put(&end, "k", "b", 1).await, Err(KvError::WrongLeader));
        assert_eq!(get(&end, "k").await, Err(KvError::WrongLeader));
    });
}
