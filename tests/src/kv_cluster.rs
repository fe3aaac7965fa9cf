//! The one KV cluster every tester builds on — the KV tester's config, the KV fuzzer and the KV
//! benchmark: n replicas of the service under test, each on its own madsim node, on one labrpc
//! network; start and crash with persister copies; one direction of a link at a time; clerks with
//! fresh ends. What each tester adds (the lab's connectivity helpers, the fuzzer's fault knobs, the
//! benchmark's load) sits on top.

use crate::fresh;
use labrpc::{ClientEnd, Network, Server};
use madsim::runtime::NodeHandle;
use raftapi::{KvClerk, KvServer, Persister};
use std::sync::{Arc, Mutex, MutexGuard};

/// A key/value service to test: its replica and its clerk. `(S, C)` is one.
pub trait KvImpl: 'static {
    type Server: KvServer;
    type Clerk: KvClerk;
}

impl<S: KvServer, C: KvClerk> KvImpl for (S, C) {
    type Server = S;
    type Clerk = C;
}

/// The name of replica i's labrpc server and madsim node.
pub fn server_name(i: usize) -> String {
    format!("kv-{i}")
}

/// The replicas of one service. Methods take `&self`; no lock is held across an await.
pub struct KvCluster<K: KvImpl> {
    n: usize,
    maxraftstate: i64,
    net: Network,
    replicas: Mutex<Replicas<K>>,
}

struct Replicas<K: KvImpl> {
    servers: Vec<Option<Arc<K::Server>>>,
    nodes: Vec<Option<NodeHandle>>,
    /// What each replica persisted; a restart starts from a copy.
    saved: Vec<Option<Persister>>,
    /// `end_names[i][j]`: replica i's current end to replica j (empty until i first starts).
    end_names: Vec<Vec<String>>,
}

impl<K: KvImpl> Drop for KvCluster<K> {
    fn drop(&mut self) {
        // Servers hold ends back into the network: without this the cycle outlives the test.
        self.net.delete_all_servers();
    }
}

impl<K: KvImpl> KvCluster<K> {
    /// n replicas, none started yet, on `net`. `maxraftstate` < 0: never snapshot.
    pub fn new(n: usize, maxraftstate: i64, net: Network) -> Self {
        KvCluster {
            n,
            maxraftstate,
            net,
            replicas: Mutex::new(Replicas {
                servers: (0..n).map(|_| None).collect(),
                nodes: vec![None; n],
                saved: vec![None; n],
                end_names: vec![Vec::new(); n],
            }),
        }
    }

    pub fn n(&self) -> usize {
        self.n
    }

    pub fn maxraftstate(&self) -> i64 {
        self.maxraftstate
    }

    pub fn net(&self) -> &Network {
        &self.net
    }

    fn replicas(&self) -> MutexGuard<'_, Replicas<K>> {
        // Updates are single assignments; a panic elsewhere aborts the run anyway.
        self.replicas.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replica i while it is live.
    pub fn server(&self, i: usize) -> Option<Arc<K::Server>> {
        self.replicas().servers[i].clone()
    }

    pub fn is_live(&self, i: usize) -> bool {
        self.replicas().servers[i].is_some()
    }

    /// The live replicas, by id.
    pub fn live(&self) -> Vec<(usize, Arc<K::Server>)> {
        let r = self.replicas();
        (0..self.n)
            .filter_map(|i| r.servers[i].clone().map(|s| (i, s)))
            .collect()
    }

    /// Starts replica i (which must be down) on a fresh node with fresh ends to every replica and a
    /// copy of what it persisted, hosting its services on one labrpc server. Its ends start
    /// disabled: the caller decides which links come up.
    pub async fn start(&self, i: usize) -> Result<Arc<K::Server>, String> {
        let (names, ends) = fresh::ends(&self.net, self.n, server_name);
        let persister = {
            let mut r = self.replicas();
            r.end_names[i] = names;
            fresh::persister(&mut r.saved[i])
        };
        tracing::info!(topic = "test", server = i, "start server");
        let node = sim::node::create(&server_name(i));
        let maxraftstate = self.maxraftstate;
        let kv = sim::node::run_on(&node, async move {
            K::Server::start(ends, i, persister, maxraftstate)
        })
        .await
        .ok_or_else(|| format!("server {i}'s node died while starting"))?
        .map_err(|e| format!("server {i} cannot start: {e}"))?;
        let kv = Arc::new(kv);
        let mut server = Server::new(node.clone());
        for service in kv.services() {
            server.add_service(service);
        }
        {
            let mut r = self.replicas();
            r.servers[i] = Some(kv.clone());
            r.nodes[i] = Some(node);
        }
        self.net.add_server(&server_name(i), server);
        Ok(kv)
    }

    /// Crashes replica i if it is live, returning it: its server is deleted (calls in flight to it
    /// fail, late replies are dropped), its persister replaced by a copy (so the dying instance's
    /// late writes are lost), then it and its node are killed. Links are the caller's business.
    pub fn crash(&self, i: usize) -> Option<Arc<K::Server>> {
        self.net.delete_server(&server_name(i));
        let (kv, node) = {
            let mut r = self.replicas();
            if let Some(saved) = &r.saved[i] {
                r.saved[i] = Some(saved.copy());
            }
            (r.servers[i].take(), r.nodes[i].take())
        };
        if let Some(kv) = &kv {
            kv.kill();
        }
        if let Some(node) = node {
            sim::node::kill(&node);
        }
        kv
    }

    /// Kills every live replica (the end of a test).
    pub fn kill_all(&self) {
        let (kvs, nodes): (Vec<_>, Vec<_>) = {
            let mut r = self.replicas();
            let kvs: Vec<_> = r.servers.iter_mut().filter_map(Option::take).collect();
            let nodes: Vec<_> = r.nodes.iter_mut().filter_map(Option::take).collect();
            (kvs, nodes)
        };
        for kv in kvs {
            kv.kill();
        }
        for node in nodes {
            sim::node::kill(&node);
        }
    }

    /// Enables or disables replica i's end to replica j (one direction), if i has started.
    pub fn set_link(&self, i: usize, j: usize, on: bool) {
        if let Some(end) = self.replicas().end_names[i].get(j) {
            self.net.enable(end, on);
        }
    }

    /// The live replica that leads at the highest term any live replica has: (replica, term).
    pub fn leader(&self) -> Option<(usize, u64)> {
        let states: Vec<(usize, u64, bool)> = self
            .live()
            .into_iter()
            .map(|(i, kv)| {
                let (term, leader) = kv.raft().state();
                (i, term, leader)
            })
            .collect();
        leader_at_top_term(&states)
    }

    /// LogSize: the largest persisted Raft state over the replicas' persisters (crashed ones too).
    pub fn log_size(&self) -> usize {
        self.replicas()
            .saved
            .iter()
            .flatten()
            .map(Persister::raft_state_size)
            .max()
            .unwrap_or(0)
    }

    /// SnapshotSize: the largest snapshot over the replicas' persisters.
    pub fn snapshot_size(&self) -> usize {
        self.replicas()
            .saved
            .iter()
            .flatten()
            .map(Persister::snapshot_size)
            .max()
            .unwrap_or(0)
    }

    /// A clerk with a fresh end to every replica, and the ends' names by replica. The ends start
    /// disabled. With `shuffle` the clerk sees them in a random order (from the seed), so its
    /// index of a replica is not the replica's id.
    pub fn make_clerk(&self, shuffle: bool) -> (K::Clerk, Vec<String>) {
        let (names, mut ends) = fresh::ends(&self.net, self.n, server_name);
        if shuffle {
            shuffle_ends(&mut ends);
        }
        (K::Clerk::make(ends), names)
    }
}

/// Fisher–Yates from the seed.
fn shuffle_ends(ends: &mut [ClientEnd]) {
    for i in 0..ends.len() {
        let j = sim::rng::uniform(0, i as u64) as usize;
        ends.swap(i, j);
    }
}

/// The member that leads at the highest term any member has, from each member's
/// `(index, term, claims to lead)`: (index, term).
pub fn leader_at_top_term(states: &[(usize, u64, bool)]) -> Option<(usize, u64)> {
    let top = states.iter().map(|s| s.1).max()?;
    states
        .iter()
        .find(|s| s.2 && s.1 == top)
        .map(|s| (s.0, s.1))
}
