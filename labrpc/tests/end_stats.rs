//! Per-end stats: every call is counted on its end, and the end remembers which server sent its
//! last delivered reply, numbered in the network's delivery order.

mod common;

use common::*;
use labrpc::{LastReply, Network};

#[test]
fn calls_are_counted_per_end_and_the_last_delivered_reply_is_remembered() {
    sim::run(|| async {
        let net = Network::new();
        let (_runs, _a) = add_math_server(&net, "a");
        let (_runs, _b) = add_math_server(&net, "b");
        let to_a = live_end(&net, "to-a", "a");
        let to_b = live_end(&net, "to-b", "b");
        assert_eq!(net.end_stats("to-a").unwrap().calls, 0);
        assert_eq!(net.end_stats("nope"), None);

        let _: u64 = to_a.call("Math.Add", &Pair { a: 1, b: 2 }).await.unwrap();
        let _: u64 = to_b.call("Math.Add", &Pair { a: 1, b: 2 }).await.unwrap();
        let _: u64 = to_a.call("Math.Add", &Pair { a: 1, b: 2 }).await.unwrap();
        let a = net.end_stats("to-a").unwrap();
        let b = net.end_stats("to-b").unwrap();
        assert_eq!(a.calls, 2);
        assert_eq!(
            a.last_reply,
            Some(LastReply {
                server: "a".into(),
                seq: 3
            })
        );
        assert_eq!(b.calls, 1);
        assert_eq!(b.last_reply.unwrap().seq, 2);

        // A call on a disabled end counts, but delivers nothing.
        net.enable("to-b", false);
        assert!(
            to_b.call::<_, u64>("Math.Add", &Pair { a: 1, b: 2 })
                .await
                .is_err()
        );
        let b = net.end_stats("to-b").unwrap();
        assert_eq!((b.calls, b.last_reply.unwrap().seq), (2, 2));
    });
}
