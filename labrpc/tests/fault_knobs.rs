//! The fuzzer's fault knobs: settable request/reply drop chances, a request delay range, duplicate
//! delivery, and the delivery hook. Unset, the network is exactly the lab's.

mod common;

use common::*;
use labrpc::{Delivery, FaultKnobs, Network, RpcError};
use std::sync::{Arc, Mutex};

const CALLS: u64 = 4000;

/// Makes `CALLS` Math.Add calls and returns (ok, dropped) counts, checking every reply's value.
async fn call_many(end: &labrpc::ClientEnd) -> (u64, u64) {
    let (mut ok, mut dropped) = (0, 0);
    for i in 0..CALLS {
        match end.call::<_, u64>("Math.Add", &Pair { a: i, b: 1 }).await {
            Ok(v) => {
                assert_eq!(v, i + 1);
                ok += 1;
            }
            Err(RpcError::Dropped) => dropped += 1,
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    (ok, dropped)
}

/// |observed/CALLS − expected| within 3 percentage points.
fn near(observed: u64, total: u64, expected_permille: u64) -> bool {
    let got = observed * 1000 / total.max(1);
    got.abs_diff(expected_permille) <= 30
}

#[test]
fn request_drops_follow_the_knob() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        net.set_fault_knobs(Some(FaultKnobs {
            request_drop_permille: 300,
            ..FaultKnobs::default()
        }))
        .unwrap();
        let (ok, dropped) = call_many(&end).await;
        assert_eq!(ok + dropped, CALLS);
        assert_eq!(
            runs.started(),
            ok,
            "a dropped request never runs its handler"
        );
        assert!(near(dropped, CALLS, 300), "{dropped} of {CALLS} dropped");
    });
}

#[test]
fn reply_drops_follow_the_knob_and_the_handler_still_ran() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        net.set_fault_knobs(Some(FaultKnobs {
            reply_drop_permille: 200,
            ..FaultKnobs::default()
        }))
        .unwrap();
        let (_ok, dropped) = call_many(&end).await;
        assert_eq!(runs.started(), CALLS, "every request ran");
        assert!(near(dropped, CALLS, 200), "{dropped} of {CALLS} dropped");
    });
}

#[test]
fn request_delays_stay_in_the_range() {
    sim::run(|| async {
        let net = Network::new();
        let (_runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        net.set_fault_knobs(Some(FaultKnobs {
            min_delay_ms: 40,
            max_delay_ms: 90,
            ..FaultKnobs::default()
        }))
        .unwrap();
        let (mut lo, mut hi) = (u128::MAX, 0);
        for i in 0..500u64 {
            let start = now();
            let v: u64 = end.call("Math.Add", &Pair { a: i, b: 0 }).await.unwrap();
            assert_eq!(v, i);
            let ms = start.elapsed().as_millis();
            lo = lo.min(ms);
            hi = hi.max(ms);
        }
        assert!((40..=45).contains(&lo), "shortest call {lo} ms");
        assert!((85..=90).contains(&hi), "longest call {hi} ms");
    });
}

#[test]
fn duplicates_run_the_handler_twice_and_return_one_reply() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        net.set_fault_knobs(Some(FaultKnobs {
            duplicate_permille: 250,
            ..FaultKnobs::default()
        }))
        .unwrap();
        let (ok, dropped) = call_many(&end).await;
        assert_eq!(
            (ok, dropped),
            (CALLS, 0),
            "every call returns exactly one reply"
        );
        let extra = runs.started() - CALLS;
        assert!(near(extra, CALLS, 250), "{extra} duplicates of {CALLS}");
    });
}

#[test]
fn clearing_the_knobs_restores_the_lab_model_and_bad_knobs_are_errors() {
    sim::run(|| async {
        let net = Network::new();
        let (_runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        let bad = FaultKnobs {
            request_drop_permille: 1001,
            ..FaultKnobs::default()
        };
        assert!(net.set_fault_knobs(Some(bad)).is_err());
        let reversed = FaultKnobs {
            min_delay_ms: 5,
            max_delay_ms: 4,
            ..FaultKnobs::default()
        };
        assert!(net.set_fault_knobs(Some(reversed)).is_err());
        net.set_fault_knobs(Some(FaultKnobs {
            request_drop_permille: 1000,
            ..FaultKnobs::default()
        }))
        .unwrap();
        assert_eq!(
            end.call::<_, u64>("Math.Add", &Pair { a: 1, b: 1 }).await,
            Err(RpcError::Dropped)
        );
        net.set_fault_knobs(None).unwrap();
        let (ok, _) = call_many(&end).await;
        assert_eq!(ok, CALLS, "back to the reliable lab network");
    });
}

#[test]
fn the_hook_sees_every_delivered_request_but_not_dropped_ones() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        net.set_delivery_hook(Some(Arc::new(move |d: &Delivery<'_>| {
            log.lock()
                .unwrap()
                .push(format!("{} {} {}", d.end, d.server, d.method));
        })));
        net.set_fault_knobs(Some(FaultKnobs {
            request_drop_permille: 500,
            duplicate_permille: 200,
            ..FaultKnobs::default()
        }))
        .unwrap();
        call_many(&end).await;
        let count = {
            let seen = seen.lock().unwrap();
            assert_eq!(seen.len() as u64, runs.started());
            assert!(seen.iter().all(|s| s == "e s Math.Add"));
            seen.len()
        };
        net.set_delivery_hook(None);
        net.set_fault_knobs(None).unwrap();
        let _: u64 = end.call("Math.Add", &Pair { a: 0, b: 0 }).await.unwrap();
        assert_eq!(
            seen.lock().unwrap().len(),
            count,
            "a cleared hook sees nothing"
        );
    });
}
