//! Bad input never panics the server: a put with a version from the future, a get of a key never
//! written and a malformed payload are all error values, and a rejected put changes nothing.

mod common;

use common::*;
use labrpc::{Network, RpcError};
use raftapi::versioned::{GET_METHOD, GetArgs, GetReply, PUT_METHOD, PutArgs, PutReply};
use raftapi::{KvError, VersionedClerk};
use serde::Serialize;

#[test]
fn a_get_of_a_key_never_written_is_no_key() {
    sim::run(|| async {
        let net = Network::new();
        let _server = serve(&net).await;
        let ck = clerk(&net, "c");
        assert_eq!(ck.get("never").await, Err(KvError::NoKey));
        assert_eq!(ck.get("").await, Err(KvError::NoKey));
    });
}

#[test]
fn a_put_from_the_future_is_rejected_and_changes_nothing() {
    sim::run(|| async {
        let net = Network::new();
        let _server = serve(&net).await;
        let ck = clerk(&net, "c");
        assert_eq!(ck.put("k", "x", 7).await, Err(KvError::NoKey), "absent key");
        assert_eq!(ck.get("k").await, Err(KvError::NoKey), "still absent");
        assert_eq!(ck.put("k", "x", 0).await, Ok(()));
        assert_eq!(
            ck.put("k", "y", 2).await,
            Err(KvError::Version),
            "one ahead"
        );
        assert_eq!(ck.put("k", "y", u64::MAX).await, Err(KvError::Version));
        assert_eq!(ck.get("k").await, Ok(("x".into(), 1)), "unchanged");
    });
}

/// Looks like nothing the server expects.
#[derive(Serialize)]
struct Garbage {
    a: u8,
    b: Vec<u8>,
}

#[test]
fn a_malformed_payload_is_a_codec_error_and_the_server_serves_on() {
    sim::run(|| async {
        let net = Network::new();
        let _server = serve(&net).await;
        let end = live_end(&net, "raw");
        let ck = clerk(&net, "c");
        assert_eq!(ck.put("k", "x", 0).await, Ok(()));

        let garbage = Garbage {
            a: 9,
            b: vec![0xff; 5],
        };
        let put = end.call::<_, PutReply>(PUT_METHOD, &garbage).await;
        assert!(matches!(put, Err(RpcError::Codec(_))), "{put:?}");
        let get = end.call::<_, GetReply>(GET_METHOD, &garbage).await;
        assert!(matches!(get, Err(RpcError::Codec(_))), "{get:?}");
        // Put's arguments sent to Get, and a bare number to Put: wrong shapes, clear errors.
        let wrong = PutArgs {
            key: "k".into(),
            value: "z".into(),
            version: 1,
        };
        let get = end.call::<_, GetReply>(GET_METHOD, &wrong).await;
        assert!(matches!(get, Err(RpcError::Codec(_))), "{get:?}");
        let put = end.call::<_, PutReply>(PUT_METHOD, &7u64).await;
        assert!(matches!(put, Err(RpcError::Codec(_))), "{put:?}");

        assert_eq!(ck.get("k").await, Ok(("x".into(), 1)), "state unchanged");
        let args = GetArgs { key: "k".into() };
        let reply = end.call::<_, GetReply>(GET_METHOD, &args).await;
        assert_eq!(
            reply,
            Ok(Ok(("x".into(), 1))),
            "a well-formed call still works"
        );
    });
}
