//! Handlers that never reply are reported by the network, so a tester can name them when a test
//! fails: which server, which method, how many calls and for how long. A handler that replies, or
//! whose node is killed, is no longer reported.

mod common;

use common::*;
use labrpc::{Network, Unanswered};
use std::time::Duration;

#[test]
fn a_handler_still_running_is_reported_with_its_server_method_and_age() {
    sim::run(|| async {
        let net = Network::new();
        let (_, node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        // Two calls that take 5 s each, and one that answers at once.
        for _ in 0..2 {
            let end = live_end(&net, &sim::rng::random_name(8), "s");
            madsim::task::spawn(async move {
                let _ = end
                    .call::<_, u64>("Math.SlowAdd", &Pair { a: 5000, b: 0 })
                    .await;
            });
        }
        assert_eq!(
            end.call::<_, u64>("Math.Add", &Pair { a: 1, b: 2 }).await,
            Ok(3)
        );
        madsim::time::sleep(Duration::from_secs(2)).await;

        let report = net.unanswered(Duration::from_secs(1));
        let [
            Unanswered {
                server,
                method,
                calls,
                oldest,
            },
        ] = report.as_slice()
        else {
            panic!("expected one entry: {report:?}");
        };
        assert_eq!(
            (server.as_str(), method.as_str(), *calls),
            ("s", "Math.SlowAdd", 2)
        );
        // Virtual time creeps a few hundred ns per poll.
        assert!(*oldest >= Duration::from_secs(2) && *oldest < Duration::from_millis(2001));
        assert_eq!(
            report[0].to_string(),
            "s Math.SlowAdd: 2 call(s) unanswered, the oldest for 2.000s"
        );
        assert!(
            net.unanswered(Duration::from_secs(3)).is_empty(),
            "younger than the minimum age"
        );

        sim::node::kill(&node);
        madsim::time::sleep(Duration::ZERO).await;
        assert!(
            net.unanswered(Duration::ZERO).is_empty(),
            "a killed node's handlers are gone"
        );
    });
}

#[test]
fn handlers_that_replied_are_not_reported() {
    sim::run(|| async {
        let net = Network::new();
        add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        assert_eq!(
            end.call::<_, u64>("Math.SlowAdd", &Pair { a: 300, b: 1 })
                .await,
            Ok(301)
        );
        assert!(net.unanswered(Duration::ZERO).is_empty());
    });
}
