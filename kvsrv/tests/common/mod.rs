//! Helpers shared by kvsrv's integration tests: a server on its own node, and live ends to it.
//! Tests run under `sim::run`, so `MADSIM_TEST_SEED` and `MADSIM_TEST_NUM` choose their seeds.
#![allow(dead_code)] // each test file uses a different subset

use kvsrv::KvServer;
use labrpc::{ClientEnd, Network, Server};
use madsim::runtime::NodeHandle;
use raftapi::{KvSrvClerk, KvSrvServer, Persister};

/// The server's name on the network (the course's `server-0-0`).
pub const SERVER: &str = "server-0-0";

/// A kvsrv on a fresh node, registered as [`SERVER`].
pub async fn serve(net: &Network) -> (KvServer, NodeHandle) {
    let node = sim::node::create(SERVER);
    let kv = sim::node::run_on(&node, async {
        KvServer::start(Vec::new(), 0, 0, Persister::new())
    })
    .await
    .expect("the server's node is alive");
    let mut server = Server::new(node.clone());
    for service in kv.services() {
        server.add_service(service);
    }
    net.add_server(SERVER, server);
    (kv, node)
}

/// An enabled end named `name`, connected to [`SERVER`].
pub fn live_end(net: &Network, name: &str) -> ClientEnd {
    let end = net.make_end(name);
    net.connect(name, SERVER);
    net.enable(name, true);
    end
}

/// A clerk on a fresh live end.
pub fn clerk(net: &Network, name: &str) -> kvsrv::Clerk {
    kvsrv::Clerk::make(live_end(net, name))
}
