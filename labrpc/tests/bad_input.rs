//! Bad input never panics: unknown services and methods, malformed or mistyped payloads, and values
//! that cannot be encoded are all `Err` values, and a failed decode never runs the handler.

mod common;

use common::*;
use labrpc::{Network, RpcError, Server, Service};
use serde::{Serialize, Serializer, ser::Error as _};

/// A value whose encoding always fails.
struct Unencodable;

impl Serialize for Unencodable {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(S::Error::custom("this value refuses to be encoded"))
    }
}

fn is_codec<T: std::fmt::Debug>(r: &labrpc::Result<T>) -> bool {
    matches!(r, Err(RpcError::Codec(_)))
}

#[test]
fn unknown_services_and_methods_are_errors() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        let args = Pair { a: 1, b: 2 };
        assert_eq!(
            end.call::<_, u64>("Nope.Add", &args).await,
            Err(RpcError::UnknownService("Nope".into()))
        );
        assert_eq!(
            end.call::<_, u64>("Math.Nope", &args).await,
            Err(RpcError::UnknownMethod("Math.Nope".into()))
        );
        assert_eq!(
            end.call::<_, u64>("NoDot", &args).await,
            Err(RpcError::UnknownService("NoDot".into()))
        );
        assert_eq!(
            end.call::<_, u64>("", &args).await,
            Err(RpcError::UnknownService("".into()))
        );
        assert_eq!(runs.started(), 0);
        // The server saw them, as the lab's dispatch counts every request it receives.
        assert_eq!(net.rpc_count("s"), 4);
        // The network still works afterwards.
        assert_eq!(end.call::<_, u64>("Math.Add", &args).await, Ok(3));
    });
}

#[test]
fn arguments_of_the_wrong_type_are_codec_errors_and_never_reach_the_handler() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        // A string where a pair of u64 is expected: too short.
        assert!(is_codec(
            &end.call::<_, u64>("Math.Add", &"not a pair".to_string())
                .await
        ));
        // Too few bytes.
        assert!(is_codec(&end.call::<_, u64>("Math.Add", &7u8).await));
        // Too many bytes: trailing data is rejected, not ignored.
        assert!(is_codec(
            &end.call::<_, u64>("Math.Add", &(1u64, 2u64, 3u64)).await
        ));
        // Nothing at all.
        assert!(is_codec(&end.call::<_, u64>("Math.Add", &()).await));
        assert_eq!(runs.started(), 0);
    });
}

#[test]
fn a_huge_length_prefix_is_an_error_not_an_allocation() {
    sim::run(|| async {
        let net = Network::new();
        let mut server = Server::new(sim::node::create("s"));
        server.add_service(
            Service::new("Blob").method("Len", |v: Vec<u8>| async move { v.len() as u64 }),
        );
        net.add_server("s", server);
        let end = live_end(&net, "e", "s");
        // Encodes as a Vec<u8> claiming u64::MAX elements, followed by nothing.
        assert!(is_codec(&end.call::<_, u64>("Blob.Len", &u64::MAX).await));
        assert_eq!(
            end.call::<_, u64>("Blob.Len", &vec![1u8, 2, 3]).await,
            Ok(3)
        );
    });
}

#[test]
fn replies_of_the_wrong_type_are_codec_errors() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let end = live_end(&net, "e", "s");
        let args = Pair { a: 1, b: 2 };
        assert!(is_codec(&end.call::<_, Pair>("Math.Add", &args).await));
        assert!(is_codec(&end.call::<_, String>("Math.Add", &args).await));
        assert!(is_codec(&end.call::<_, u32>("Math.Add", &args).await));
        assert_eq!(
            runs.finished(),
            3,
            "the handler ran; only the reply was unreadable"
        );
    });
}

#[test]
fn values_that_cannot_be_encoded_are_codec_errors() {
    sim::run(|| async {
        let net = Network::new();
        let (runs, _node) = add_math_server(&net, "s");
        let mut server = Server::new(sim::node::create("t"));
        server.add_service(Service::new("Bad").method("Reply", |_: ()| async { Unencodable }));
        net.add_server("t", server);

        let end = live_end(&net, "e", "s");
        assert!(is_codec(
            &end.call::<_, u64>("Math.Add", &Unencodable).await
        ));
        assert_eq!(runs.started(), 0);
        assert_eq!(net.total_count(), 1, "an unencodable call still counts");
        assert_eq!(net.total_bytes(), 0);

        let bad = live_end(&net, "b", "t");
        assert!(is_codec(&bad.call::<_, ()>("Bad.Reply", &()).await));
    });
}

#[test]
fn misuse_of_names_is_logged_not_fatal() {
    sim::run(|| async {
        let net = Network::new();
        net.connect("ghost", "s");
        net.enable("ghost", true);
        let (_runs, _node) = add_math_server(&net, "s");
        let a = live_end(&net, "e", "s");
        // A duplicate name returns an end that shares the existing one's state.
        let b = net.make_end("e");
        assert_eq!(b.name(), "e");
        assert_eq!(
            a.call::<_, u64>("Math.Add", &Pair { a: 1, b: 1 }).await,
            Ok(2)
        );
        assert_eq!(
            b.call::<_, u64>("Math.Add", &Pair { a: 1, b: 1 }).await,
            Ok(2)
        );
        net.delete_server("never-added");
        assert_eq!(net.rpc_count("never-added"), 0);
    });
}
