//! The clerk's rules: a get retries until answered; a put answered ErrVersion on its first RPC
//! returns ErrVersion, and on a resend returns ErrMaybe, whether or not its own earlier copy took
//! effect.

mod common;

use common::*;
use labrpc::{FaultKnobs, Network};
use madsim::time::sleep;
use raftapi::{KvError, VersionedClerk};
use std::time::Duration;

/// Every reply lost, each request taking 1 ms: a put takes effect, its clerk never hears so.
const REPLIES_LOST: FaultKnobs = FaultKnobs {
    request_drop_permille: 0,
    reply_drop_permille: 1000,
    min_delay_ms: 1,
    max_delay_ms: 1,
    duplicate_permille: 0,
};

/// Every request lost, each taking 1 ms: nothing reaches the server.
const REQUESTS_LOST: FaultKnobs = FaultKnobs {
    request_drop_permille: 1000,
    reply_drop_permille: 0,
    min_delay_ms: 1,
    max_delay_ms: 1,
    duplicate_permille: 0,
};

#[test]
fn err_version_on_the_first_rpc_is_err_version() {
    sim::run(|| async {
        let net = Network::new();
        let _server = serve(&net).await;
        let ck = clerk(&net, "c");
        assert_eq!(ck.put("k", "a", 0).await, Ok(()));
        assert_eq!(ck.put("k", "b", 0).await, Err(KvError::Version));
        assert_eq!(ck.get("k").await, Ok(("a".into(), 1)));
    });
}

#[test]
fn a_resent_put_whose_first_copy_took_effect_is_err_maybe() {
    sim::run(|| async {
        let net = Network::new();
        let _server = serve(&net).await;
        let ck = clerk(&net, "c");
        net.set_fault_knobs(Some(REPLIES_LOST)).unwrap();
        let put = madsim::task::spawn(async move { ck.put("k", "a", 0).await });
        sleep(Duration::from_millis(10)).await;
        net.set_fault_knobs(None).unwrap();
        assert_eq!(put.await.unwrap(), Err(KvError::Maybe));
        let reader = clerk(&net, "r");
        assert_eq!(
            reader.get("k").await,
            Ok(("a".into(), 1)),
            "it did take effect"
        );
    });
}

#[test]
fn a_resent_put_that_lost_to_another_writer_is_err_maybe() {
    sim::run(|| async {
        let net = Network::new();
        let _server = serve(&net).await;
        let (slow, other) = (clerk(&net, "slow"), clerk(&net, "other"));
        // The slow clerk's first RPC cannot reach the server.
        net.enable("slow", false);
        let put = madsim::task::spawn(async move { slow.put("k", "mine", 0).await });
        sleep(Duration::from_millis(1)).await;
        // Meanwhile another clerk's put takes version 0; then the slow clerk's resends get through.
        assert_eq!(other.put("k", "theirs", 0).await, Ok(()));
        net.enable("slow", true);
        assert_eq!(put.await.unwrap(), Err(KvError::Maybe));
        assert_eq!(other.get("k").await, Ok(("theirs".into(), 1)), "it did not");
    });
}

#[test]
fn a_get_retries_until_answered() {
    sim::run(|| async {
        let net = Network::new();
        let _server = serve(&net).await;
        let ck = clerk(&net, "c");
        assert_eq!(ck.put("k", "a", 0).await, Ok(()));
        net.set_fault_knobs(Some(REQUESTS_LOST)).unwrap();
        let get = madsim::task::spawn(async move { ck.get("k").await });
        sleep(Duration::from_millis(50)).await;
        net.set_fault_knobs(None).unwrap();
        assert_eq!(get.await.unwrap(), Ok(("a".into(), 1)));
    });
}
