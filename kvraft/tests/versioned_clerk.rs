//! The current course's clerk names the replica that last answered it (`ReplicatedClerk::leader`,
//! which the 4B partition test uses to cut the leader off), and looks for a new leader when that
//! one stops leading.

use kvraft::versioned::Clerk;
use labrpc::{ClientEnd, Network, Server, Service};
use raftapi::versioned::{GetArgs, GetReply, KV_SERVICE};
use raftapi::{KvError, ReplicatedClerk, VersionedClerk};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const REPLICAS: usize = 3;

/// Far more than a clerk needs to try every replica, in virtual time: a clerk that never finds
/// the leader fails here instead of hanging.
const FIND_LEADER: Duration = Duration::from_secs(5);

/// Replicas that answer a Get only while `leader` names them, and `ErrWrongLeader` otherwise;
/// ends to all of them, in replica order.
async fn replicas(net: &Network, leader: &Arc<AtomicUsize>) -> Vec<ClientEnd> {
    let mut ends = Vec::new();
    for i in 0..REPLICAS {
        let name = format!("server-{i}");
        let node = sim::node::create(&name);
        let leader = leader.clone();
        let kv = Service::new(KV_SERVICE).method("Get", move |args: GetArgs| {
            let leads = leader.load(Ordering::Acquire) == i;
            async move {
                let reply: GetReply = if leads {
                    Ok((format!("{} from {i}", args.key), 1))
                } else {
                    Err(KvError::WrongLeader)
                };
                reply
            }
        });
        let mut server = Server::new(node);
        server.add_service(kv);
        net.add_server(&name, server);
        let end_name = format!("client-{i}");
        ends.push(net.make_end(&end_name));
        net.connect(&end_name, &name);
        net.enable(&end_name, true);
    }
    ends
}

#[test]
fn the_clerk_finds_the_leader_and_names_it() {
    sim::run(|| async {
        let net = Network::new();
        let leader = Arc::new(AtomicUsize::new(2));
        let ck = Clerk::make(replicas(&net, &leader).await);
        assert_eq!(ck.leader(), None, "no replica has answered yet");
        for now in [2, 1, 0] {
            leader.store(now, Ordering::Release);
            let got = madsim::time::timeout(FIND_LEADER, ck.get("k"))
                .await
                .unwrap_or_else(|_| panic!("the clerk did not find leader {now}"));
            assert_eq!(got, Ok((format!("k from {now}"), 1)));
            assert_eq!(ck.leader(), Some(now));
        }
    });
}
