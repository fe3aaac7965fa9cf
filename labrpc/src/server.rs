//! A server: the services of one peer incarnation, whose handlers run as tasks on that peer's node.

use crate::error::{Result, RpcError};
use crate::service::Service;
use madsim::runtime::NodeHandle;
use madsim::task::JoinHandle;
use madsim::time::Instant;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// A server: a set of services whose handlers run as tasks on one madsim node.
///
/// A restarted peer registers a *new* `Server`, so its RPC count starts again at zero and calls in
/// flight to the old object are recognised as dead.
pub struct Server {
    node: NodeHandle,
    services: BTreeMap<String, Service>,
    /// Calls dispatched to this object (the lab's per-server `rpcCount`).
    count: AtomicU64,
    /// Handlers running now: call number → (method, when it started).
    running: Arc<Mutex<BTreeMap<u64, (String, Instant)>>>,
}

/// Removes its call from the running table when the handler ends, however it ends (a reply, an
/// error, or its node killed).
struct Running {
    table: Arc<Mutex<BTreeMap<u64, (String, Instant)>>>,
    call: u64,
}

impl Drop for Running {
    fn drop(&mut self) {
        lock(&self.table).remove(&self.call);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Single inserts and removes: a poisoned lock still guards a consistent table.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Server {
    pub fn new(node: NodeHandle) -> Self {
        Server {
            node,
            services: BTreeMap::new(),
            count: AtomicU64::new(0),
            running: Arc::default(),
        }
    }

    /// Adds a service; a service of the same name is replaced.
    pub fn add_service(&mut self, service: Service) {
        let name = service.name().to_string();
        if self.services.insert(name.clone(), service).is_some() {
            tracing::warn!(topic = "net", service = %name, "service registered twice; the last one wins");
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// The handlers running now, as (method, when it started), oldest first.
    pub(crate) fn running(&self) -> Vec<(String, Instant)> {
        let mut calls: Vec<_> = lock(&self.running).values().cloned().collect();
        calls.sort_by_key(|(_, started)| *started);
        calls
    }

    /// Counts the call and starts its handler on the server's node. Killing the node cancels the task,
    /// which its `JoinHandle` reports as an error. Lookup errors come back through the same handle.
    pub(crate) fn dispatch(&self, svc_meth: &str, args: Vec<u8>) -> JoinHandle<Result<Vec<u8>>> {
        let call = self.count.fetch_add(1, Ordering::Relaxed);
        lock(&self.running).insert(call, (svc_meth.to_string(), Instant::now()));
        let running = Running {
            table: self.running.clone(),
            call,
        };
        let handler = match svc_meth.split_once('.') {
            None => Err(RpcError::UnknownService(svc_meth.to_string())),
            Some((svc, meth)) => match self.services.get(svc) {
                None => Err(RpcError::UnknownService(svc.to_string())),
                Some(service) => service
                    .handler(meth)
                    .ok_or_else(|| RpcError::UnknownMethod(svc_meth.to_string())),
            },
        };
        self.node.spawn(async move {
            let _running = running;
            match handler {
                Ok(handler) => handler(args).await,
                Err(e) => Err(e),
            }
        })
    }
}
