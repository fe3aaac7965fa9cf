//! A server: services whose handlers run as tasks on one madsim node, so a crash of that node ends
//! every call in flight.

use crate::error::{Result, RpcError};
use crate::service::{Handler, Service};
use madsim::runtime::NodeHandle;
use madsim::task::JoinHandle;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Server {
    node: NodeHandle,
    services: BTreeMap<String, Service>,
    /// Calls this server object handled; a restarted peer is a new object, so its count starts at 0.
    count: AtomicU64,
}

impl Server {
    pub fn new(node: NodeHandle) -> Self {
        Server {
            node,
            services: BTreeMap::new(),
            count: AtomicU64::new(0),
        }
    }

    pub fn add_service(&mut self, service: Service) {
        self.services.insert(service.name().to_string(), service);
    }

    pub(crate) fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Finds the handler for "Service.Method".
    pub(crate) fn handler(&self, svc_meth: &str) -> Result<Handler> {
        let Some((svc, meth)) = svc_meth.split_once('.') else {
            return Err(RpcError::UnknownService(svc_meth.to_string()));
        };
        let service = self
            .services
            .get(svc)
            .ok_or_else(|| RpcError::UnknownService(svc.to_string()))?;
        service
            .handler(meth)
            .ok_or_else(|| RpcError::UnknownMethod(svc_meth.to_string()))
    }

    /// Starts a handler as a task on this server's node; the handle fails if the node dies first.
    pub(crate) fn spawn_handler(
        &self,
        handler: Handler,
        args: Vec<u8>,
    ) -> JoinHandle<Result<Vec<u8>>> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.node.spawn(handler(args))
    }
}
