//! Services: named sets of typed methods, stored type-erased (bytes in, bytes out) so one server can
//! host several services and the network never needs to know their types.

use crate::error::{Result, RpcError};
use futures::future::BoxFuture;
use serde::{Serialize, de::DeserializeOwned};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

/// A method: decodes its arguments, runs, and encodes its reply.
pub(crate) type Handler = Arc<dyn Fn(Vec<u8>) -> BoxFuture<'static, Result<Vec<u8>>> + Send + Sync>;

/// A named service with typed methods.
pub struct Service {
    name: String,
    methods: BTreeMap<String, Handler>,
}

impl Service {
    pub fn new(name: &str) -> Self {
        Service {
            name: name.to_string(),
            methods: BTreeMap::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds method `name`, whose handler takes decoded arguments `A` and returns a reply `R`.
    pub fn method<A, R, F, Fut>(mut self, name: &str, handler: F) -> Self
    where
        A: DeserializeOwned + Send + 'static,
        R: Serialize + Send + 'static,
        F: Fn(A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let erased: Handler = Arc::new(move |bytes: Vec<u8>| {
            let handler = handler.clone();
            Box::pin(async move {
                let args: A = bincode::deserialize(&bytes)
                    .map_err(|e| RpcError::Codec(format!("arguments: {e}")))?;
                let reply = handler(args).await;
                bincode::serialize(&reply).map_err(|e| RpcError::Codec(format!("reply: {e}")))
            })
        });
        self.methods.insert(name.to_string(), erased);
        self
    }

    pub(crate) fn handler(&self, method: &str) -> Option<Handler> {
        self.methods.get(method).cloned()
    }
}
