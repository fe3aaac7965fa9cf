//! labrpc: the MIT 6.5840 lab network, simulated. (API stub; implementation in progress.)

use serde::{Serialize, de::DeserializeOwned};
use std::future::Future;

/// Why a call failed. Every failure is a value; the caller sees `Err`, never a panic or a hang.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RpcError {
    /// The end is disabled or unconnected, or its server does not exist (LAB-TESTS §1 case (b)).
    Unreachable,
    /// The request or the reply was dropped by the unreliable network.
    Dropped,
    /// The server was deleted, replaced or cut off while the call was in flight; its reply is discarded.
    ServerGone,
    /// The server hosts no service of that name.
    UnknownService(String),
    /// The service has no method of that name.
    UnknownMethod(String),
    /// A payload could not be encoded or decoded (arguments on the server, reply on the client).
    Codec(String),
}

pub type Result<T> = std::result::Result<T, RpcError>;

/// The simulated network. Cloning shares it.
#[derive(Clone, Default)]
pub struct Network {}

impl Network {
    pub fn new() -> Self {
        todo!()
    }
    pub fn set_reliable(&self, _yes: bool) {
        todo!()
    }
    pub fn set_long_reordering(&self, _yes: bool) {
        todo!()
    }
    pub fn set_long_delays(&self, _yes: bool) {
        todo!()
    }
    pub fn make_end(&self, _name: &str) -> ClientEnd {
        todo!()
    }
    pub fn connect(&self, _end: &str, _server: &str) {
        todo!()
    }
    pub fn enable(&self, _end: &str, _enabled: bool) {
        todo!()
    }
    pub fn add_server(&self, _name: &str, _server: Server) {
        todo!()
    }
    pub fn delete_server(&self, _name: &str) {
        todo!()
    }
    pub fn rpc_count(&self, _server: &str) -> u64 {
        todo!()
    }
    pub fn total_count(&self) -> u64 {
        todo!()
    }
    pub fn total_bytes(&self) -> u64 {
        todo!()
    }
}

/// A client's end of a connection to one server.
#[derive(Clone)]
pub struct ClientEnd {}

impl ClientEnd {
    pub fn name(&self) -> &str {
        todo!()
    }
    pub async fn call<A: Serialize, R: DeserializeOwned>(&self, _svc_meth: &str, _args: &A) -> Result<R> {
        todo!()
    }
}

/// A server: a set of services whose handlers run as tasks on one madsim node.
pub struct Server {}

impl Server {
    pub fn new(_node: madsim::runtime::NodeHandle) -> Self {
        todo!()
    }
    pub fn add_service(&mut self, _service: Service) {
        todo!()
    }
}

/// A named service with typed methods.
pub struct Service {}

impl Service {
    pub fn new(_name: &str) -> Self {
        todo!()
    }
    pub fn method<A, R, F, Fut>(self, _name: &str, _handler: F) -> Self
    where
        A: DeserializeOwned + Send + 'static,
        R: Serialize + Send + 'static,
        F: Fn(A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
    {
        todo!()
    }
}
