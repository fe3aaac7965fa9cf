//! Group 0: the one kvsrv (`server-0-0`) the controllers keep the configuration in. The tests
//! never crash it.

use crate::fresh;
use labrpc::{Network, Server};
use madsim::runtime::NodeHandle;
use raftapi::{KvSrvServer, Persister};
use shardapi::CTRLER_SERVER;
use std::sync::Arc;

/// The running kvsrv.
pub struct CtrlerStore<S> {
    server: Arc<S>,
    node: NodeHandle,
}

impl<S: KvSrvServer> CtrlerStore<S> {
    /// Starts the kvsrv on its own node, with an (enabled) end to itself as every group member
    /// gets, hosting its services as [`CTRLER_SERVER`]. `None` if its node died while starting.
    pub async fn start(net: &Network) -> Option<Self> {
        let to_self = |_: usize| CTRLER_SERVER.to_string();
        let (end_names, ends) = fresh::ends_to(net, 1, &to_self);
        let node = sim::node::create(CTRLER_SERVER);
        let server =
            sim::node::run_on(&node, async move { S::start(ends, 0, 0, Persister::new()) }).await?;
        let server = Arc::new(server);
        let mut rpc_server = Server::new(node.clone());
        for service in server.services() {
            rpc_server.add_service(service);
        }
        net.add_server(CTRLER_SERVER, rpc_server);
        for end in &end_names {
            net.enable(end, true);
        }
        Some(CtrlerStore { server, node })
    }

    /// Stops it (the end of a test).
    pub fn kill(&self, net: &Network) {
        net.delete_server(CTRLER_SERVER);
        self.server.kill();
        sim::node::kill(&self.node);
    }
}
