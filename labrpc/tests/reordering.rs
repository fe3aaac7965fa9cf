//! Long reordering (docs/lab-tests-2023.md §1 step 7): two replies in three (600/900) are held back
//! 200 + U{0..U{0..1999}} ms, i.e. 200..=2199 ms skewed short (mean about 700 ms).

mod common;

use common::*;
use labrpc::Network;
use std::time::Duration;

#[test]
fn delayed_replies_fall_in_200_to_2199_ms_for_two_calls_in_three() {
    sim::run(|| async {
        const CALLS: u64 = 6000;
        let net = Network::new();
        net.set_long_reordering(true);
        let (_runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        let mut delays = Vec::new();
        for i in 0..CALLS {
            let start = now();
            let v = end.call::<_, u64>("Math.Add", &Pair { a: i, b: 0 }).await;
            assert_eq!(
                v,
                Ok(i),
                "a reliable network with reordering still delivers"
            );
            let waited = start.elapsed();
            if waited >= Duration::from_millis(100) {
                delays.push(waited.as_millis() as u64);
            }
        }
        let fraction = delays.len() as f64 / CALLS as f64;
        let min = *delays.iter().min().unwrap();
        let max = *delays.iter().max().unwrap();
        let mean = delays.iter().sum::<u64>() as f64 / delays.len() as f64;
        println!(
            "long reordering: {} of {CALLS} replies delayed (fraction {fraction:.4}), {min}..={max} ms, mean {mean:.1} ms",
            delays.len()
        );
        assert!(
            (fraction - 2.0 / 3.0).abs() < 0.03,
            "fraction delayed {fraction}"
        );
        assert!(min >= 200 && max <= 2199, "delays {min}..={max} ms");
        assert!(
            min < 210 && max > 2000,
            "delays do not span 200..=2199: {min}..={max}"
        );
        // E[U{0..U{0..1999}}] = 999.5 / 2, so the mean delay is about 700 ms.
        assert!((mean - 700.0).abs() < 40.0, "mean delay {mean} ms");
    });
}

#[test]
fn concurrent_replies_on_one_end_come_back_out_of_order() {
    sim::run(|| async {
        let net = Network::new();
        net.set_long_reordering(true);
        let (_runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let calls = (0..20u64).map(|i| {
            let (end, order) = (end.clone(), order.clone());
            async move {
                let v = end
                    .call::<_, u64>("Math.Add", &Pair { a: i, b: 0 })
                    .await
                    .unwrap();
                order.lock().unwrap().push(v);
            }
        });
        futures::future::join_all(calls).await;
        let order = order.lock().unwrap().clone();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
        assert_ne!(
            order, sorted,
            "20 replies under long reordering arrived in call order"
        );
    });
}
