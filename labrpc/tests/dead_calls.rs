//! Calls whose server goes away while they wait (docs/lab-tests-2023.md §1 steps 4 and 5): deleted,
//! replaced, cut off by disabling the end, or killed with its node. The call fails with `ServerGone`
//! within one 100 ms check, and the late reply is never delivered.

mod common;

use common::*;
use labrpc::{Network, RpcError, Server, Service};
use std::time::Duration;

const ARGS: Pair = Pair { a: 1000, b: 1 }; // SlowAdd sleeps 1 s

/// Starts a 1 s call, runs `cut` 350 ms in, and checks the call fails with `ServerGone` no later than
/// 100 ms after the cut, with only the argument bytes counted.
async fn cut_mid_call(net: &Network, runs: &Runs, cut: impl FnOnce()) {
    let end = live_end(net, "e", "s");
    let start = now();
    let call = end.call::<_, u64>("Math.SlowAdd", &ARGS);
    let cutter = async {
        madsim::time::sleep(Duration::from_millis(350)).await;
        cut();
        now()
    };
    let (result, cut_at) = futures::join!(call, cutter);
    let failed_after_cut = start.elapsed() - cut_at.duration_since(start);
    assert_eq!(result, Err(RpcError::ServerGone));
    assert!(
        failed_after_cut <= Duration::from_millis(101),
        "the call noticed the cut after {failed_after_cut:?}"
    );
    assert_eq!(runs.started(), 1);
    assert_eq!(
        net.total_bytes(),
        bincode::serialized_size(&ARGS).unwrap(),
        "a discarded reply counted bytes"
    );
}

#[test]
fn deleting_the_server_mid_call_fails_it_and_discards_the_reply() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        cut_mid_call(&net, &runs, || net.delete_server("s")).await;
        // The handler itself ran on: its effects happen, its reply goes nowhere.
        madsim::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(runs.finished(), 1);
        assert_eq!(net.total_bytes(), bincode::serialized_size(&ARGS).unwrap());
    });
}

#[test]
fn disabling_the_end_mid_call_fails_it() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        cut_mid_call(&net, &runs, || net.enable("e", false)).await;
    });
}

#[test]
fn replacing_the_server_mid_call_fails_it() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let replacement = Server::new(sim::node::create("s2"));
        cut_mid_call(&net, &runs, || net.add_server("s", replacement)).await;
    });
}

#[test]
fn killing_the_servers_node_mid_call_fails_it_and_the_handler_never_finishes() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, node) = add_math_server(&net, "s");
        cut_mid_call(&net, &runs, || sim::node::kill(&node)).await;
        madsim::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(
            runs.finished(),
            0,
            "a handler on a killed node ran to the end"
        );
    });
}

#[test]
fn a_call_to_a_killed_but_registered_server_fails() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, node) = add_math_server(&net, "s");
        sim::node::kill(&node);
        let end = live_end(&net, "e", "s");
        let start = now();
        let r = end.call::<_, u64>("Math.Add", &Pair { a: 1, b: 1 }).await;
        assert_eq!(r, Err(RpcError::ServerGone));
        assert!(start.elapsed() < Duration::from_millis(1));
        assert_eq!(runs.started(), 0);
    });
}

#[test]
fn a_server_cut_off_as_its_handler_returns_never_delivers() {
    // Step 5: the handler disables the caller's end just before it returns; the final check sees it.
    sim::run(|| async {
        let net = Network::new();
        let cutter = net.clone();
        let mut server = Server::new(sim::node::create("s"));
        server.add_service(Service::new("Math").method("CutAndAdd", move |p: Pair| {
            cutter.enable("e", false);
            async move { p.a + p.b }
        }));
        net.add_server("s", server);
        let end = live_end(&net, "e", "s");
        let r = end
            .call::<_, u64>("Math.CutAndAdd", &Pair { a: 1, b: 1 })
            .await;
        assert_eq!(r, Err(RpcError::ServerGone));
        assert_eq!(net.rpc_count("s"), 1);
    });
}

#[test]
fn a_slow_handler_on_a_live_server_is_waited_for() {
    sim::run(|| async {
        let net = Network::new();
        let (_runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        let start = now();
        assert_eq!(
            end.call::<_, u64>("Math.SlowAdd", &Pair { a: 5000, b: 1 })
                .await,
            Ok(5001)
        );
        assert_eq!(start.elapsed().as_millis(), 5000);
    });
}
