//! A reliable network: every call on an enabled end reaches its handler and returns at once, and the
//! counters (calls, bytes, per-server counts) are exact.

mod common;

use common::*;
use labrpc::{Network, RpcError, Server, Service};
use std::time::Duration;

#[test]
fn every_call_succeeds_at_once_with_the_handlers_value() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        for i in 0..1000u64 {
            let start = now();
            let sum: u64 = end.call("Math.Add", &Pair { a: i, b: 7 }).await.unwrap();
            assert_eq!(sum, i + 7);
            assert!(
                start.elapsed() < Duration::from_millis(1),
                "a reliable call took time"
            );
        }
        assert_eq!(runs.started(), 1000);
        assert_eq!(net.rpc_count("s"), 1000);
        assert_eq!(net.total_count(), 1000);
    });
}

#[test]
fn the_default_network_is_reliable() {
    sim::run(|| async {
        let net = Network::default();
        let (_runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        for _ in 0..500 {
            let sum: u64 = end.call("Math.Add", &Pair { a: 1, b: 2 }).await.unwrap();
            assert_eq!(sum, 3);
        }
    });
}

#[test]
fn bytes_are_argument_plus_delivered_reply_lengths() {
    sim::run(|| async {
        let net = Network::new();
        let (_runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        let args = Pair { a: 1, b: 2 };
        let arg_len = bincode::serialized_size(&args).unwrap();
        let reply_len = bincode::serialized_size(&3u64).unwrap();
        let _: u64 = end.call("Math.Add", &args).await.unwrap();
        assert_eq!(net.total_bytes(), arg_len + reply_len);

        // A reply of variable length: a string service.
        let mut server = Server::new(sim::node::create("echo"));
        server.add_service(
            Service::new("Echo").method("Twice", |s: String| async move { s.repeat(2) }),
        );
        net.add_server("echo", server);
        let echo = live_end(&net, "e2", "echo");
        let before = net.total_bytes();
        let arg = "hello, world".to_string();
        let out: String = echo.call("Echo.Twice", &arg).await.unwrap();
        assert_eq!(out, arg.repeat(2));
        let expected =
            bincode::serialized_size(&arg).unwrap() + bincode::serialized_size(&out).unwrap();
        assert_eq!(net.total_bytes() - before, expected);
    });
}

#[test]
fn rpc_count_is_per_server_object_and_resets_on_replacement() {
    sim::run(|| async {
        let net = Network::new();
        let (_a, _na) = add_math_server(&net, "a");
        let (_b, _nb) = add_math_server(&net, "b");
        let to_a = live_end(&net, "ea", "a");
        let to_b = live_end(&net, "eb", "b");
        for _ in 0..5 {
            let _: u64 = to_a.call("Math.Add", &Pair { a: 0, b: 0 }).await.unwrap();
        }
        for _ in 0..3 {
            let _: u64 = to_b.call("Math.Add", &Pair { a: 0, b: 0 }).await.unwrap();
        }
        assert_eq!((net.rpc_count("a"), net.rpc_count("b")), (5, 3));
        assert_eq!(net.rpc_count("nobody"), 0);

        // A restarted peer is a new object: its count starts from zero, the end still reaches it.
        let (_a2, _na2) = add_math_server(&net, "a");
        assert_eq!(net.rpc_count("a"), 0);
        let _: u64 = to_a.call("Math.Add", &Pair { a: 0, b: 0 }).await.unwrap();
        assert_eq!(net.rpc_count("a"), 1);

        net.delete_server("b");
        assert_eq!(net.rpc_count("b"), 0);
        assert_eq!(net.total_count(), 9);
    });
}

#[test]
fn one_server_hosts_several_services() {
    sim::run(|| async {
        let net = Network::new();
        let runs = Runs::default();
        let mut server = Server::new(sim::node::create("kv"));
        server.add_service(math_service(&runs));
        server.add_service(
            Service::new("KVServer").method("Get", |key: String| async move { format!("v-{key}") }),
        );
        net.add_server("kv", server);
        let end = live_end(&net, "e", "kv");
        let v: String = end.call("KVServer.Get", &"x".to_string()).await.unwrap();
        assert_eq!(v, "v-x");
        let s: u64 = end.call("Math.Add", &Pair { a: 2, b: 2 }).await.unwrap();
        assert_eq!(s, 4);
        assert_eq!(net.rpc_count("kv"), 2);
    });
}

#[test]
fn calls_on_one_end_run_concurrently_and_finish_in_any_order() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        let start = now();
        // The slow call is made first and still returns last; both handlers run at once.
        let slow = end.call::<_, u64>("Math.SlowAdd", &Pair { a: 500, b: 0 });
        let fast = async {
            let r = end
                .call::<_, u64>("Math.SlowAdd", &Pair { a: 100, b: 0 })
                .await;
            (r, start.elapsed())
        };
        let (slow, (fast, fast_at)) = futures::join!(slow, fast);
        assert_eq!(slow, Ok(500));
        assert_eq!(fast, Ok(100));
        assert!(
            fast_at < Duration::from_millis(150),
            "fast call waited for the slow one: {fast_at:?}"
        );
        let total = start.elapsed();
        assert!(
            total >= Duration::from_millis(500) && total < Duration::from_millis(600),
            "{total:?}"
        );
        assert_eq!(runs.finished(), 2);
    });
}

#[test]
fn disabled_ends_count_calls_and_argument_bytes() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let end = net.make_end("e");
        net.connect("e", "s");
        let args = Pair { a: 1, b: 1 };
        let r = end.call::<_, u64>("Math.Add", &args).await;
        assert_eq!(r, Err(RpcError::Unreachable));
        assert_eq!(net.total_count(), 1);
        assert_eq!(net.total_bytes(), bincode::serialized_size(&args).unwrap());
        assert_eq!(runs.started(), 0);
        assert_eq!(net.rpc_count("s"), 0);
        assert_eq!(end.name(), "e");
    });
}

#[test]
fn the_call_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    sim::run(|| async {
        let net = Network::new();
        let end = net.make_end("e");
        let fut = end.call::<_, u64>("Math.Add", &Pair { a: 1, b: 1 });
        assert_send(&fut);
        // Spawned calls work like awaited ones.
        let (_runs, _node) = add_math_server(&net, "s");
        net.connect("e", "s");
        net.enable("e", true);
        let e2 = end.clone();
        let r = madsim::task::spawn(async move {
            e2.call::<_, u64>("Math.Add", &Pair { a: 1, b: 1 }).await
        })
        .await
        .unwrap();
        assert_eq!(r, Ok(2));
        drop(fut);
    });
}
