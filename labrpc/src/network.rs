//! The network's shared state: ends, servers, fault settings and counters.

use crate::end::ClientEnd;
use crate::knobs::{DeliveryHook, FaultKnobs, KnobError};
use crate::server::Server;
use madsim::time::Instant;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Calls to one method of one server whose handlers have not replied (see [`Network::unanswered`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unanswered {
    pub server: String,
    pub method: String,
    pub calls: usize,
    /// How long the oldest of them has been running.
    pub oldest: Duration,
}

impl fmt::Display for Unanswered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {} call(s) unanswered, the oldest for {:.3}s",
            self.server,
            self.method,
            self.calls,
            self.oldest.as_secs_f64()
        )
    }
}

/// The simulated network. Cloning shares it.
#[derive(Clone)]
pub struct Network {
    state: Arc<Mutex<State>>,
}

struct EndState {
    enabled: bool,
    /// Shared, so that every call and reply on the end names its server without copying the name.
    server: Option<Arc<str>>,
    stats: EndStats,
}

/// What one client end has done, for testers that describe a clerk's operation without knowing
/// the clerk: diff an end's stats around the operation to learn how many calls it made, and which
/// server answered last.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndStats {
    /// Calls made on the end, counted like [`Network::total_count`] (disabled ends' too).
    pub calls: u64,
    /// Its last reply that reached the caller.
    pub last_reply: Option<LastReply>,
}

/// A reply delivered to a caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastReply {
    /// The server that sent it.
    pub server: Arc<str>,
    /// Its place among every reply this network delivered (1, 2, ...): the latest of several
    /// ends' replies is the one with the highest number.
    pub seq: u64,
}

struct State {
    reliable: bool,
    long_reordering: bool,
    long_delays: bool,
    /// Fuzzer knobs replacing the reliable/unreliable pair while set.
    knobs: Option<FaultKnobs>,
    delivery_hook: Option<DeliveryHook>,
    ends: BTreeMap<String, EndState>,
    servers: BTreeMap<String, Arc<Server>>,
    total_count: u64,
    total_bytes: u64,
    /// Replies delivered so far (numbers [`LastReply::seq`]).
    replies: u64,
}

/// What a call needs to know about the network at the moment it is made.
pub(crate) struct CallSetup {
    pub reliable: bool,
    pub long_reordering: bool,
    pub long_delays: bool,
    pub knobs: Option<FaultKnobs>,
    pub delivery_hook: Option<DeliveryHook>,
    /// The end's server name, and its object if the end is enabled, connected and the server exists.
    pub target: Option<(Arc<str>, Arc<Server>)>,
    /// The end's server name, for traces, even when the call cannot reach it.
    pub server_name: Option<Arc<str>>,
}

impl Default for Network {
    fn default() -> Self {
        Network::new()
    }
}

impl Network {
    /// A reliable network without long delays or long reordering.
    pub fn new() -> Self {
        Network {
            state: Arc::new(Mutex::new(State {
                reliable: true,
                long_reordering: false,
                long_delays: false,
                knobs: None,
                delivery_hook: None,
                ends: BTreeMap::new(),
                servers: BTreeMap::new(),
                total_count: 0,
                total_bytes: 0,
                replies: 0,
            })),
        }
    }

    /// Locks the state; a poisoned lock (a panic elsewhere) still yields the data, never a second panic.
    fn lock(&self) -> MutexGuard<'_, State> {
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

    /// Whether calls are reliable (no drops or short delays), as `set_reliable` last set it.
    pub fn is_reliable(&self) -> bool {
        self.lock().reliable
    }

    /// Whether calls to dead servers take long delays, as `set_long_delays` last set it.
    pub fn is_long_delays(&self) -> bool {
        self.lock().long_delays
    }

    /// Sets fault knobs that replace the reliable/unreliable steps for calls made from now on
    /// (`None`: back to the lab's model). Invalid knobs are an error and change nothing.
    pub fn set_fault_knobs(&self, knobs: Option<FaultKnobs>) -> Result<(), KnobError> {
        if let Some(k) = &knobs {
            k.validate()?;
        }
        self.lock().knobs = knobs;
        Ok(())
    }

    /// Sets (or clears) a hook called after every request delivered to a live server, for checkers
    /// that want to look at the peers after each message. Calls already in flight keep the old one.
    pub fn set_delivery_hook(&self, hook: Option<DeliveryHook>) {
        self.lock().delivery_hook = hook;
    }

    /// A new client end, disabled and unconnected. A name already in use is a tester bug: it is logged
    /// and the existing end's state is kept.
    pub fn make_end(&self, name: &str) -> ClientEnd {
        let mut state = self.lock();
        if state.ends.contains_key(name) {
            tracing::warn!(
                topic = "net",
                end = name,
                "make_end: an end of this name already exists"
            );
        } else {
            state.ends.insert(
                name.to_string(),
                EndState {
                    enabled: false,
                    server: None,
                    stats: EndStats::default(),
                },
            );
        }
        drop(state);
        ClientEnd::new(name, self.clone())
    }

    /// Points the end `end` at the server named `server` (which need not exist yet).
    pub fn connect(&self, end: &str, server: &str) {
        match self.lock().ends.get_mut(end) {
            Some(e) => e.server = Some(Arc::from(server)),
            None => tracing::warn!(topic = "net", end, server, "connect: no such end"),
        }
    }

    pub fn enable(&self, end: &str, enabled: bool) {
        match self.lock().ends.get_mut(end) {
            Some(e) => e.enabled = enabled,
            None => tracing::warn!(topic = "net", end, enabled, "enable: no such end"),
        }
    }

    /// Registers `server` under `name`, replacing any previous object: calls in flight to the old one die.
    pub fn add_server(&self, name: &str, server: Server) {
        self.lock()
            .servers
            .insert(name.to_string(), Arc::new(server));
    }

    /// Removes the server named `name`: calls in flight to it die, new calls are unreachable.
    pub fn delete_server(&self, name: &str) {
        self.lock().servers.remove(name);
    }

    /// Removes every server. A tester calls this when it is done with the network: servers' services
    /// usually hold ends back to this network (a Raft peer holds its ends to its peers), a cycle
    /// that would otherwise keep the network, the servers and everything they hold alive for good.
    pub fn delete_all_servers(&self) {
        // Dropped after the lock is released: a service's drop may use the network.
        let servers = std::mem::take(&mut self.lock().servers);
        drop(servers);
    }

    /// Calls handled by the server object now registered under `server` (0 if there is none).
    pub fn rpc_count(&self, server: &str) -> u64 {
        self.lock().servers.get(server).map_or(0, |s| s.count())
    }

    /// Handlers that have been running for at least `min_age` without replying, grouped by server
    /// and method, by server name then method. A handler that never replies is a bug of the service
    /// (its callers wait, or retry, forever); testers name these in their failure messages.
    pub fn unanswered(&self, min_age: Duration) -> Vec<Unanswered> {
        let servers: Vec<(String, Arc<Server>)> = self
            .lock()
            .servers
            .iter()
            .map(|(name, s)| (name.clone(), s.clone()))
            .collect();
        let now = Instant::now();
        let mut out = Vec::new();
        for (server, s) in servers {
            let mut by_method: BTreeMap<String, Unanswered> = BTreeMap::new();
            for (method, started) in s.running() {
                let age = now - started;
                if age < min_age {
                    continue;
                }
                let entry = by_method.entry(method.clone()).or_insert(Unanswered {
                    server: server.clone(),
                    method,
                    calls: 0,
                    oldest: age,
                });
                entry.calls += 1;
                entry.oldest = entry.oldest.max(age);
            }
            out.extend(by_method.into_values());
        }
        out
    }

    /// Every call ever made on this network, including calls on disabled ends.
    pub fn total_count(&self) -> u64 {
        self.lock().total_count
    }

    /// Encoded argument bytes of every call plus encoded reply bytes of every delivered reply.
    pub fn total_bytes(&self) -> u64 {
        self.lock().total_bytes
    }

    /// What the end named `end` has done so far (`None`: no such end).
    pub fn end_stats(&self, end: &str) -> Option<EndStats> {
        self.lock().ends.get(end).map(|e| e.stats.clone())
    }

    /// Counts a new call of `arg_len` bytes on `end` and reads what it needs, in one short lock.
    pub(crate) fn begin_call(&self, end: &str, arg_len: usize) -> CallSetup {
        let mut state = self.lock();
        state.total_count += 1;
        state.total_bytes += arg_len as u64;
        let (enabled, server_name) = match state.ends.get_mut(end) {
            Some(e) => {
                e.stats.calls += 1;
                (e.enabled, e.server.clone())
            }
            None => (false, None),
        };
        let target = match (&server_name, enabled) {
            (Some(name), true) => state
                .servers
                .get(&**name)
                .map(|s| (Arc::clone(name), Arc::clone(s))),
            _ => None,
        };
        CallSetup {
            reliable: state.reliable,
            long_reordering: state.long_reordering,
            long_delays: state.long_delays,
            knobs: state.knobs,
            delivery_hook: state.delivery_hook.clone(),
            target,
            server_name,
        }
    }

    /// A call is dead once its end is disabled or its server name maps to another object (or none).
    pub(crate) fn is_dead(&self, end: &str, server_name: &str, server: &Arc<Server>) -> bool {
        let state = self.lock();
        let enabled = state.ends.get(end).is_some_and(|e| e.enabled);
        let same = state
            .servers
            .get(server_name)
            .is_some_and(|s| Arc::ptr_eq(s, server));
        !enabled || !same
    }

    /// Counts a reply of `len` bytes from `server` being delivered on `end`.
    pub(crate) fn reply_delivered(&self, end: &str, server: &Arc<str>, len: usize) {
        let mut state = self.lock();
        state.total_bytes += len as u64;
        state.replies += 1;
        let seq = state.replies;
        if let Some(e) = state.ends.get_mut(end) {
            e.stats.last_reply = Some(LastReply {
                server: Arc::clone(server),
                seq,
            });
        }
    }
}
