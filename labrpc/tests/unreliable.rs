//! An unreliable network (docs/lab-tests-2023.md §1 steps 1, 2 and 6): each request waits U{0..26} ms,
//! then is dropped with p = 0.1 before its handler runs; a reply is dropped with p = 0.1 after it ran.

mod common;

use common::*;
use labrpc::{Network, RpcError};
use std::time::Duration;

const CALLS: u64 = 5000;

#[test]
fn drop_rates_and_request_delays_match_the_lab() {
    sim::run(|| async {
        let net = Network::new();
        net.set_reliable(false);
        let (runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        let (mut ok, mut dropped) = (0u64, 0u64);
        let (mut min_ms, mut max_ms, mut sum_ms) = (u128::MAX, 0u128, 0u128);
        for i in 0..CALLS {
            let start = now();
            match end.call::<_, u64>("Math.Add", &Pair { a: i, b: 1 }).await {
                Ok(v) => {
                    assert_eq!(v, i + 1);
                    ok += 1;
                }
                Err(RpcError::Dropped) => dropped += 1,
                Err(e) => panic!("unexpected error {e:?}"),
            }
            // The handler is instant, so a call's whole duration is its request delay.
            let ms = start.elapsed().as_millis();
            min_ms = min_ms.min(ms);
            max_ms = max_ms.max(ms);
            sum_ms += ms;
        }
        let ran = runs.started();
        let request_drops = CALLS - ran;
        let reply_drops = ran - ok;
        assert_eq!(request_drops + reply_drops, dropped);
        assert_eq!(
            net.rpc_count("s"),
            ran,
            "only delivered requests reach the server"
        );

        let fail_rate = dropped as f64 / CALLS as f64;
        let request_rate = request_drops as f64 / CALLS as f64;
        let reply_rate = reply_drops as f64 / ran as f64;
        let mean_ms = sum_ms as f64 / CALLS as f64;
        println!(
            "unreliable: {CALLS} calls, failure rate {fail_rate:.4}, request-drop rate {request_rate:.4}, \
             reply-drop rate {reply_rate:.4} (of {ran} delivered), request delay {min_ms}..={max_ms} ms, mean {mean_ms:.2} ms"
        );
        assert!((fail_rate - 0.19).abs() < 0.03, "failure rate {fail_rate}");
        assert!(
            (request_rate - 0.1).abs() < 0.02,
            "request-drop rate {request_rate}"
        );
        assert!(
            (reply_rate - 0.1).abs() < 0.02,
            "reply-drop rate {reply_rate}"
        );
        assert!(max_ms <= 26, "a request waited {max_ms} ms");
        assert!(
            min_ms == 0 && max_ms >= 25,
            "delays do not span 0..=26: {min_ms}..={max_ms}"
        );
        assert!((mean_ms - 13.0).abs() < 1.0, "mean request delay {mean_ms}");
    });
}

#[test]
fn a_dropped_reply_still_had_its_side_effects() {
    sim::run(|| async {
        let net = Network::new();
        net.set_reliable(false);
        let (runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        // Find a failed call whose handler nevertheless ran to completion.
        for _ in 0..1000 {
            let before = runs.finished();
            let r = end.call::<_, u64>("Math.Add", &Pair { a: 1, b: 1 }).await;
            if r == Err(RpcError::Dropped) && runs.finished() == before + 1 {
                return;
            }
        }
        panic!("no reply was dropped after its handler ran in 1000 calls");
    });
}

#[test]
fn reliability_can_be_switched_back_on() {
    sim::run(|| async {
        let net = Network::new();
        net.set_reliable(false);
        let (_runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        for _ in 0..50 {
            let _ = end.call::<_, u64>("Math.Add", &Pair { a: 1, b: 1 }).await;
        }
        net.set_reliable(true);
        for _ in 0..500 {
            let start = now();
            assert_eq!(
                end.call::<_, u64>("Math.Add", &Pair { a: 1, b: 1 }).await,
                Ok(2)
            );
            assert!(start.elapsed() < Duration::from_millis(1));
        }
    });
}
