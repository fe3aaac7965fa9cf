//! The KV fuzzer's cluster: n kvraft replicas, each on its own madsim node, on one labrpc network,
//! with the controls a schedule needs — one direction of a link at a time, crash and restart from
//! the persisted state, the fuzzer's message-fault knobs and long reordering — and clerks that reach
//! every replica. The KV tester's `KvConfig` only cuts links both ways and hides its network, so the
//! fuzzer keeps this small cluster of its own.

use super::driver::leader_at_top_term;
use super::schedule::{MAX_GROUPS, MAX_PEERS, NetFaults};
use crate::fresh;
use crate::kv_config::server_name;
use kvraft::{Clerk, KvServer};
use labrpc::{FaultKnobs, Network, Server};
use madsim::runtime::NodeHandle;
use raft::PeerView;
use sim::Persister;

/// The replicas, their links and the network's fault settings. Owned by the fuzz driver.
pub struct KvCluster {
    n: usize,
    maxraftstate: i64,
    net: Network,
    /// `servers[i]`: replica i while it is live.
    servers: Vec<Option<KvServer>>,
    nodes: Vec<Option<NodeHandle>>,
    /// What each replica persisted; a restart starts from a copy.
    saved: Vec<Option<Persister>>,
    /// `end_names[i][j]`: replica i's current end to replica j (empty until i first starts).
    end_names: Vec<Vec<String>>,
    /// `up[i][j]`: replica i's end to j should be enabled (when both are live).
    up: Vec<Vec<bool>>,
    knobs: FaultKnobs,
}

impl Drop for KvCluster {
    fn drop(&mut self) {
        self.net.delete_all_servers();
    }
}

impl KvCluster {
    /// n replicas started and fully connected on a reliable network without long delays or
    /// reordering. `maxraftstate` < 0: never snapshot.
    pub async fn new(n: usize, maxraftstate: i64) -> Result<KvCluster, String> {
        let net = Network::new();
        net.set_long_delays(false);
        net.set_long_reordering(false);
        net.set_reliable(true);
        let mut cluster = KvCluster {
            n,
            maxraftstate,
            net,
            servers: vec![None; n],
            nodes: vec![None; n],
            saved: vec![None; n],
            end_names: vec![Vec::new(); n],
            up: vec![vec![true; n]; n],
            knobs: FaultKnobs::default(),
        };
        for i in 0..n {
            cluster.start(i).await?;
        }
        cluster.apply_links();
        Ok(cluster)
    }

    pub fn n(&self) -> usize {
        self.n
    }

    pub fn is_live(&self, i: usize) -> bool {
        self.servers[i].is_some()
    }

    /// The Raft views of the live replicas, for the safety checker.
    pub fn views(&self) -> Vec<(usize, PeerView)> {
        self.servers
            .iter()
            .enumerate()
            .filter_map(|(i, kv)| kv.as_ref().map(|kv| (i, kv.raft().view())))
            .collect()
    }

    /// A live replica that leads at the highest term any live replica has: (replica, term).
    pub fn leader(&self) -> Option<(usize, u64)> {
        let states: Vec<(usize, u64, bool)> = self
            .servers
            .iter()
            .enumerate()
            .filter_map(|(i, kv)| {
                kv.as_ref().map(|kv| {
                    let (term, leader) = kv.raft().state();
                    (i, term, leader)
                })
            })
            .collect();
        leader_at_top_term(&states)
    }

    // ---- links ----------------------------------------------------------------------------------

    /// Enables each directed link that should be up and whose two replicas are live; disables the
    /// rest (a crashed replica's ends and the ends into it stay down until it is back).
    pub fn apply_links(&self) {
        for i in 0..self.n {
            for (j, end) in self.end_names[i].iter().enumerate() {
                let on = self.is_live(i) && self.is_live(j) && (i == j || self.up[i][j]);
                self.net.enable(end, on);
            }
        }
    }

    /// Replica i joins group `groups[i]`: links inside a group are up, links across are down.
    pub fn partition(&mut self, groups: &[u8; MAX_PEERS]) {
        for i in 0..self.n {
            for j in 0..self.n {
                self.up[i][j] = groups[i] % MAX_GROUPS == groups[j] % MAX_GROUPS;
            }
        }
        self.apply_links();
    }

    /// `from`'s end to `to` goes down, `to`'s end to `from` comes up.
    pub fn cut(&mut self, from: usize, to: usize) {
        self.up[from][to] = false;
        self.up[to][from] = true;
        self.apply_links();
    }

    /// Every link up.
    pub fn heal(&mut self) {
        for row in &mut self.up {
            row.fill(true);
        }
        self.apply_links();
    }

    // ---- message faults -------------------------------------------------------------------------

    /// Sets the drop chances and the request delay range (duplicates stay as they are).
    pub fn set_faults(&mut self, f: NetFaults) -> Result<(), String> {
        self.knobs.request_drop_permille = f.request_drop_permille.into();
        self.knobs.reply_drop_permille = f.reply_drop_permille.into();
        self.knobs.min_delay_ms = f.min_delay_ms.into();
        self.knobs.max_delay_ms = f.max_delay_ms.into();
        self.apply_knobs()
    }

    pub fn set_duplicates(&mut self, permille: u16) -> Result<(), String> {
        self.knobs.duplicate_permille = permille.into();
        self.apply_knobs()
    }

    pub fn set_long_reordering(&self, on: bool) {
        self.net.set_long_reordering(on);
    }

    /// Back to a reliable network without reordering.
    pub fn clear_faults(&mut self) -> Result<(), String> {
        self.knobs = FaultKnobs::default();
        self.net.set_long_reordering(false);
        self.apply_knobs()
    }

    fn apply_knobs(&self) -> Result<(), String> {
        let knobs = (self.knobs != FaultKnobs::default()).then_some(self.knobs);
        self.net.set_fault_knobs(knobs).map_err(|e| e.to_string())
    }

    // ---- replicas -------------------------------------------------------------------------------

    /// Kills replica i if it is live and returns its Raft view just before. Its server is deleted
    /// (calls in flight to it die) and its persister copied, so the dead instance's late writes
    /// cannot reach the next one.
    pub fn crash(&mut self, i: usize) -> Option<PeerView> {
        let kv = self.servers[i].take()?;
        let last = kv.raft().view();
        self.apply_links();
        self.net.delete_server(&server_name(i));
        if let Some(saved) = &self.saved[i] {
            self.saved[i] = Some(saved.copy());
        }
        kv.kill();
        if let Some(node) = self.nodes[i].take() {
            sim::node::kill(&node);
        }
        Some(last)
    }

    /// Starts replica i (which must be down) on a fresh node with fresh ends and a copy of its
    /// persisted state, and returns its Raft view before it has handled anything. Its links stay
    /// down until the caller runs [`KvCluster::apply_links`].
    pub async fn start(&mut self, i: usize) -> Result<PeerView, String> {
        let (names, ends) = fresh::ends(&self.net, self.n, server_name);
        self.end_names[i] = names;
        let persister = fresh::persister(&mut self.saved[i]);
        let node = sim::node::create(&server_name(i));
        let maxraftstate = self.maxraftstate;
        let kv = sim::node::run_on(&node, async move {
            KvServer::start(ends, i, persister, maxraftstate)
        })
        .await
        .ok_or_else(|| format!("server {i}'s node died while starting"))?
        .map_err(|e| format!("server {i} cannot start from its persisted state: {e}"))?;
        let first = kv.raft().view();
        let mut server = Server::new(node.clone());
        for service in kv.services() {
            server.add_service(service);
        }
        self.net.add_server(&server_name(i), server);
        self.servers[i] = Some(kv);
        self.nodes[i] = Some(node);
        Ok(first)
    }

    /// Kills every replica (the end of a run).
    pub fn shutdown(&mut self) {
        for i in 0..self.n {
            self.crash(i);
        }
    }

    // ---- clients --------------------------------------------------------------------------------

    /// A clerk with an enabled end to every replica, shuffled so its first guess is not always
    /// replica 0. Its ends never go down: a client reaches whichever replicas are live.
    pub fn make_clerk(&self) -> Clerk {
        let mut ends: Vec<_> = (0..self.n)
            .map(|j| {
                let name = sim::rng::random_name(20);
                let end = self.net.make_end(&name);
                self.net.connect(&name, &server_name(j));
                self.net.enable(&name, true);
                end
            })
            .collect();
        for i in 1..ends.len() {
            let j = sim::rng::uniform(0, i as u64) as usize;
            ends.swap(i, j);
        }
        Clerk::new(ends)
    }
}
