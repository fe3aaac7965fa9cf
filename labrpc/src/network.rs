//! The network: which end is connected to which server, which ends are enabled, the fault settings,
//! and the counters the tester's bounds depend on. A call runs through [`Network::deliver`], which is
//! LAB-TESTS §1 step by step.

use crate::end::ClientEnd;
use crate::error::{Result, RpcError};
use crate::server::Server;
use madsim::rand::Rng;
use madsim::time::{sleep, timeout};
use std::collections::BTreeMap;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tracing::{debug, trace, warn};

/// How often a waiting call checks whether its server died or was cut off.
const DEAD_CHECK: Duration = Duration::from_millis(100);

#[derive(Default)]
struct EndState {
    server: Option<String>,
    enabled: bool,
}

struct NetState {
    reliable: bool,
    long_delays: bool,
    long_reordering: bool,
    ends: BTreeMap<String, EndState>,
    servers: BTreeMap<String, Arc<Server>>,
    total_count: u64,
    total_bytes: u64,
}

/// The simulated network. Cloning shares it.
#[derive(Clone)]
pub struct Network {
    state: Arc<Mutex<NetState>>,
}

impl Default for Network {
    fn default() -> Self {
        Self::new()
    }
}

/// Where a call is going, read once when it is made.
struct Route {
    server_name: String,
    server: Arc<Server>,
}

impl Network {
    /// A reliable network without long delays or long reordering.
    pub fn new() -> Self {
        Network {
            state: Arc::new(Mutex::new(NetState {
                reliable: true,
                long_delays: false,
                long_reordering: false,
                ends: BTreeMap::new(),
                servers: BTreeMap::new(),
                total_count: 0,
                total_bytes: 0,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, NetState> {
        // Every update under this lock is a single assignment; a poisoned lock still guards
        // consistent data.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_reliable(&self, yes: bool) {
        self.lock().reliable = yes;
    }

    pub fn set_long_reordering(&self, yes: bool) {
        self.lock().long_reordering = yes;
    }

    pub fn set_long_delays(&self, yes: bool) {
        self.lock().long_delays = yes;
    }

    /// A new client end, disabled and connected to nothing.
    pub fn make_end(&self, name: &str) -> ClientEnd {
        let mut st = self.lock();
        if st.ends.contains_key(name) {
            warn!(
                topic = "net",
                end = name,
                "an end of this name exists already; it is reset"
            );
        }
        st.ends.insert(name.to_string(), EndState::default());
        ClientEnd::new(name.to_string(), self.clone())
    }

    pub fn connect(&self, end: &str, server: &str) {
        self.lock().ends.entry(end.to_string()).or_default().server = Some(server.to_string());
    }

    pub fn enable(&self, end: &str, enabled: bool) {
        self.lock().ends.entry(end.to_string()).or_default().enabled = enabled;
    }

    /// Registers `server` under `name`, replacing whatever object was there (a restart).
    pub fn add_server(&self, name: &str, server: Server) {
        self.lock()
            .servers
            .insert(name.to_string(), Arc::new(server));
    }

    pub fn delete_server(&self, name: &str) {
        self.lock().servers.remove(name);
    }

    /// Calls handled by the server object now registered under `name` (0 if none).
    pub fn rpc_count(&self, server: &str) -> u64 {
        self.lock().servers.get(server).map_or(0, |s| s.count())
    }

    /// Every call ever made, including calls on disabled ends.
    pub fn total_count(&self) -> u64 {
        self.lock().total_count
    }

    /// Encoded bytes of every call's arguments and of every delivered reply.
    pub fn total_bytes(&self) -> u64 {
        self.lock().total_bytes
    }

    /// Whether a call on `end` to `route` must now be abandoned: the end was disabled, or the name
    /// maps to another server object (deleted or restarted).
    fn is_dead(&self, end: &str, route: &Route) -> bool {
        let st = self.lock();
        let enabled = st.ends.get(end).is_some_and(|e| e.enabled);
        let same = st
            .servers
            .get(&route.server_name)
            .is_some_and(|s| Arc::ptr_eq(s, &route.server));
        !enabled || !same
    }

    /// Carries one call from `end` through the network and back (LAB-TESTS §1).
    pub(crate) async fn deliver(
        &self,
        end: &str,
        svc_meth: &str,
        args: Vec<u8>,
    ) -> Result<Vec<u8>> {
        let (route, reliable, long_delays, long_reordering) = {
            let mut st = self.lock();
            st.total_count += 1;
            st.total_bytes += args.len() as u64;
            let route = st
                .ends
                .get(end)
                .filter(|e| e.enabled)
                .and_then(|e| e.server.clone())
                .and_then(|name| {
                    let server = st.servers.get(&name)?.clone();
                    Some(Route {
                        server_name: name,
                        server,
                    })
                });
            (route, st.reliable, st.long_delays, st.long_reordering)
        };
        let mut rng = madsim::rand::thread_rng();

        // (b) disabled, unconnected or no such server: fail after a while, the handler never runs.
        let Some(route) = route else {
            let max_ms = if long_delays { 7000 } else { 100 };
            let ms = rng.gen_range(0..max_ms);
            sleep(Duration::from_millis(ms)).await;
            debug!(
                topic = "net",
                end,
                method = svc_meth,
                after_ms = ms,
                "unreachable"
            );
            return Err(RpcError::Unreachable);
        };

        // (a) 1-2: an unreliable network delays the request a little and drops some.
        if !reliable {
            sleep(Duration::from_millis(rng.gen_range(0..=26))).await;
            if rng.gen_bool(0.1) {
                debug!(topic = "net", end, server = %route.server_name, method = svc_meth, "request dropped");
                return Err(RpcError::Dropped);
            }
        }

        // 3-5: run the handler on the server's node, abandoning the call if the server dies or is
        // cut off meanwhile; a late reply is discarded.
        let handler = route.server.handler(svc_meth)?;
        let mut task = pin!(route.server.spawn_handler(handler, args));
        let finished = loop {
            match timeout(DEAD_CHECK, task.as_mut()).await {
                Ok(finished) => break finished,
                Err(_) if self.is_dead(end, &route) => {
                    debug!(topic = "net", end, server = %route.server_name, method = svc_meth, "server gone mid-call");
                    return Err(RpcError::ServerGone);
                }
                Err(_) => {}
            }
        };
        if self.is_dead(end, &route) {
            debug!(topic = "net", end, server = %route.server_name, method = svc_meth, "server gone before replying");
            return Err(RpcError::ServerGone);
        }
        let reply = finished.map_err(|_| RpcError::ServerGone)??;

        // 6: an unreliable network drops some replies (the handler's effects stay).
        if !reliable && rng.gen_bool(0.1) {
            debug!(topic = "net", end, server = %route.server_name, method = svc_meth, "reply dropped");
            return Err(RpcError::Dropped);
        }
        // 7: long reordering holds back two replies in three for 200..2199 ms, skewed short.
        if long_reordering && rng.gen_range(0..900) < 600 {
            let spread = rng.gen_range(0..=1999u64);
            let ms = 200 + rng.gen_range(0..=spread);
            debug!(topic = "net", end, server = %route.server_name, method = svc_meth, delay_ms = ms, "reply delayed");
            sleep(Duration::from_millis(ms)).await;
        }
        self.lock().total_bytes += reply.len() as u64;
        trace!(topic = "net", end, server = %route.server_name, method = svc_meth, "delivered");
        Ok(reply)
    }
}
