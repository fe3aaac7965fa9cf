//! A service that holds an end back to its own network (as a Raft peer does) forms a cycle with
//! the network; `delete_all_servers` is how a tester breaks it when it is done.

use labrpc::{Network, Server, Service};
use std::sync::{Arc, Weak};

/// A network with one server whose service holds an end to that same network and `sentinel`.
fn network_in_a_cycle(sentinel: Arc<()>) -> Network {
    let net = Network::new();
    let end = net.make_end("back");
    let service = Service::new("Peer").method("Ping", move |x: u64| {
        let _held = (&end, &sentinel);
        async move { x }
    });
    let mut server = Server::new(sim::node::create("peer"));
    server.add_service(service);
    net.add_server("peer", server);
    net
}

fn run(delete_servers: bool) -> Weak<()> {
    let sentinel = Arc::new(());
    let weak = Arc::downgrade(&sentinel);
    let report = sim::runner::run_seed(1, move || async move {
        let net = network_in_a_cycle(sentinel);
        if delete_servers {
            net.delete_all_servers();
        }
    });
    assert!(report.failure().is_none(), "{:?}", report.failure());
    weak
}

#[test]
fn deleting_all_servers_frees_what_their_services_hold() {
    assert!(
        run(false).upgrade().is_some(),
        "without teardown the cycle keeps the service alive (if not, this test proves nothing)"
    );
    assert!(
        run(true).upgrade().is_none(),
        "the service outlived delete_all_servers"
    );
}
