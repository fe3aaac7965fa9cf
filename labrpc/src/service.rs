//! A named service: typed handlers stored type-erased, bytes in and bytes out.

use crate::codec;
use crate::error::Result;
use serde::{Serialize, de::DeserializeOwned};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What a type-erased handler returns: the encoded reply, or why there is none.
pub(crate) type HandlerFuture = Pin<Box<dyn Future<Output = Result<Vec<u8>>> + Send>>;

/// A handler with its argument and reply types erased. Decoding the arguments happens before the
/// typed handler is called, so a malformed payload never reaches it.
pub(crate) type Handler = Arc<dyn Fn(Vec<u8>) -> HandlerFuture + Send + Sync>;

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

    /// Adds (or replaces) the method `name`, served by `handler`.
    pub fn method<A, R, F, Fut>(mut self, name: &str, handler: F) -> Self
    where
        A: DeserializeOwned + Send + 'static,
        R: Serialize + Send + 'static,
        F: Fn(A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
    {
        let erased: Handler = Arc::new(move |bytes: Vec<u8>| -> HandlerFuture {
            match codec::decode::<A>(&bytes) {
                Ok(args) => {
                    let reply = handler(args);
                    Box::pin(async move { codec::encode(&reply.await) })
                }
                Err(e) => Box::pin(std::future::ready(Err(e))),
            }
        });
        if self.methods.insert(name.to_string(), erased).is_some() {
            tracing::warn!(topic = "net", service = %self.name, method = name, "method registered twice; the last one wins");
        }
        self
    }

    /// The service's name, e.g. "Raft".
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn handler(&self, method: &str) -> Option<Handler> {
        self.methods.get(method).cloned()
    }
}
