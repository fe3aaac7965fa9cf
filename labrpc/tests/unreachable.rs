//! Case (b) of docs/lab-tests-2023.md §1: a disabled or unconnected end, or a missing server. The
//! handler never runs; the call fails with `Unreachable` after U{0..99} ms, or U{0..6999} ms with long
//! delays on.

mod common;

use common::*;
use labrpc::{ClientEnd, Network, RpcError};

/// Makes `n` calls on `end` and returns the longest wait in whole ms (madsim adds microseconds of
/// jitter to every timer) and the mean wait in ms, asserting each call is unreachable.
async fn unreachable_waits(end: &ClientEnd, n: u64) -> (u128, f64) {
    let mut max = 0;
    let mut sum = 0.0;
    for _ in 0..n {
        let start = now();
        let r = end.call::<_, u64>("Math.Add", &Pair { a: 1, b: 2 }).await;
        assert_eq!(r, Err(RpcError::Unreachable));
        let waited = start.elapsed();
        max = max.max(waited.as_millis());
        sum += waited.as_secs_f64() * 1000.0;
    }
    (max, sum / n as f64)
}

#[test]
fn a_disabled_end_fails_within_100_ms_and_never_runs_the_handler() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let end = net.make_end("e");
        net.connect("e", "s");
        let (max, mean) = unreachable_waits(&end, 2000).await;
        println!("disabled end, long delays off: max wait {max} ms, mean {mean:.1} ms");
        assert!(max <= 99, "waited {max} ms");
        assert!(max >= 95, "waits do not span 0..=99 ms: max {max} ms");
        assert!((mean - 49.5).abs() < 3.0, "mean wait {mean} ms");
        assert_eq!(runs.started(), 0);
        assert_eq!(net.rpc_count("s"), 0);
        assert_eq!(net.total_count(), 2000);
        let arg_len = bincode::serialized_size(&Pair { a: 1, b: 2 }).unwrap();
        assert_eq!(net.total_bytes(), 2000 * arg_len);
    });
}

#[test]
fn long_delays_stretch_the_wait_to_seven_seconds() {
    sim::run(|| async {
        let net = Network::new();
        net.set_long_delays(true);
        let (runs, _node) = add_math_server(&net, "s");
        let end = net.make_end("e");
        net.connect("e", "s");
        let (max, mean) = unreachable_waits(&end, 2000).await;
        println!("disabled end, long delays on: max wait {max} ms, mean {mean:.1} ms");
        assert!(max <= 6999, "waited {max} ms");
        assert!(max >= 6900, "waits do not span 0..=6999 ms: max {max} ms");
        assert!((mean - 3499.5).abs() < 250.0, "mean wait {mean} ms");
        assert_eq!(runs.started(), 0);
    });
}

#[test]
fn unconnected_ends_and_missing_servers_are_unreachable() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");

        let unconnected = net.make_end("u");
        net.enable("u", true);
        unreachable_waits(&unconnected, 100).await;

        let to_nobody = live_end(&net, "n", "nobody");
        unreachable_waits(&to_nobody, 100).await;

        let to_deleted = live_end(&net, "d", "s");
        assert_eq!(
            to_deleted
                .call::<_, u64>("Math.Add", &Pair { a: 1, b: 2 })
                .await,
            Ok(3)
        );
        net.delete_server("s");
        unreachable_waits(&to_deleted, 100).await;

        assert_eq!(runs.started(), 1);
        assert_eq!(net.total_count(), 301);
    });
}

#[test]
fn re_enabling_an_end_reaches_the_server_again() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        assert_eq!(
            end.call::<_, u64>("Math.Add", &Pair { a: 1, b: 1 }).await,
            Ok(2)
        );
        net.enable("e", false);
        unreachable_waits(&end, 10).await;
        net.enable("e", true);
        assert_eq!(
            end.call::<_, u64>("Math.Add", &Pair { a: 2, b: 2 }).await,
            Ok(4)
        );
        assert_eq!(runs.started(), 2);
    });
}
