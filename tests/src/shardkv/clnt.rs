//! A client of the sharded KV tester (the course's `tester.Clnt`, LAB-TESTS-2025 §1.5): ends made
//! on first use, one per server name, each under a fresh random name; which servers it may reach is
//! the tester's choice, and partitions never touch it.

use labrpc::{ClientEnd, Network};
use shardapi::Connector;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

/// One client: a controller's or a clerk's access to the servers.
pub struct TestClnt {
    net: Network,
    state: Mutex<State>,
}

struct State {
    /// Server name → (end name, end).
    ends: BTreeMap<String, (String, ClientEnd)>,
    /// The servers it may reach; `None`: every one.
    allowed: Option<BTreeSet<String>>,
    /// Deleted: no end of it works any more, now or later.
    deleted: bool,
}

impl State {
    fn allows(&self, server: &str) -> bool {
        !self.deleted && self.allowed.as_ref().is_none_or(|a| a.contains(server))
    }
}

impl TestClnt {
    /// MakeClient: a client that may reach every server.
    pub fn new(net: Network) -> Self {
        TestClnt {
            net,
            state: Mutex::new(State {
                ends: BTreeMap::new(),
                allowed: None,
                deleted: false,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Updates are single assignments; a poisoned lock (a test already failing) is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Enables or disables each existing end by whether its server is allowed.
    fn apply(&self, state: &State) {
        for (server, (end, _)) in &state.ends {
            self.net.enable(end, state.allows(server));
        }
    }

    /// ConnectAll: every server reachable, existing ends and future ones.
    pub fn connect_all(&self) {
        let mut state = self.state();
        state.allowed = None;
        self.apply(&state);
    }

    /// DisconnectAll: no server reachable, existing ends and future ones.
    pub fn disconnect_all(&self) {
        let mut state = self.state();
        state.allowed = Some(BTreeSet::new());
        self.apply(&state);
    }

    /// ConnectTo: only `servers` reachable from now on; existing ends to them come up (the course's
    /// ConnectTo disables nothing).
    pub fn connect_to(&self, servers: &[String]) {
        let mut state = self.state();
        state.allowed = Some(servers.iter().cloned().collect());
        for server in servers {
            if let Some((end, _)) = state.ends.get(server) {
                self.net.enable(end, !state.deleted);
            }
        }
    }

    /// Disconnect: the end to `server` goes down.
    pub fn disconnect(&self, server: &str) {
        if let Some((end, _)) = self.state().ends.get(server) {
            self.net.enable(end, false);
        }
    }

    /// DeleteClient: every end of it stops working for good (a disabled end fails like a deleted
    /// one).
    pub fn delete(&self) {
        let mut state = self.state();
        state.deleted = true;
        self.apply(&state);
    }
}

impl Connector for TestClnt {
    fn end(&self, server: &str) -> ClientEnd {
        let mut state = self.state();
        if let Some((_, end)) = state.ends.get(server) {
            return end.clone();
        }
        let name = sim::rng::random_name(20);
        let end = self.net.make_end(&name);
        self.net.connect(&name, server);
        self.net.enable(&name, state.allows(server));
        state.ends.insert(server.to_string(), (name, end.clone()));
        end
    }
}
