//! The KV fuzzer's cluster: the testers' [`KvCluster`] with the controls a schedule needs — one
//! direction of a link at a time, kept down while either end is crashed, and the fuzzer's
//! message-fault knobs and long reordering — and clerks that reach every replica.

use super::driver::PeerLook;
use super::schedule::{MAX_GROUPS, MAX_PEERS, NetFaults};
use crate::kv_cluster::{KvCluster, KvImpl};
use labrpc::{FaultKnobs, Network};
use raftapi::{KvServer, PeerView};

/// The replicas, the links a schedule wants up and the network's fault settings. Owned by the fuzz
/// driver.
pub struct FuzzKvCluster<K: KvImpl> {
    cluster: KvCluster<K>,
    /// `up[i][j]`: replica i's end to j should be enabled (when both are live).
    up: Vec<Vec<bool>>,
    knobs: FaultKnobs,
}

impl<K: KvImpl> FuzzKvCluster<K> {
    /// n replicas started and fully connected on a reliable network without long delays or
    /// reordering. `maxraftstate` < 0: never snapshot.
    pub async fn new(n: usize, maxraftstate: i64) -> Result<Self, String> {
        let net = Network::new();
        net.set_long_delays(false);
        net.set_long_reordering(false);
        net.set_reliable(true);
        let cluster = FuzzKvCluster {
            cluster: KvCluster::new(n, maxraftstate, net),
            up: vec![vec![true; n]; n],
            knobs: FaultKnobs::default(),
        };
        for i in 0..n {
            cluster.cluster.start(i).await?;
        }
        cluster.apply_links();
        Ok(cluster)
    }

    pub fn n(&self) -> usize {
        self.cluster.n()
    }

    pub fn is_live(&self, i: usize) -> bool {
        self.cluster.is_live(i)
    }

    /// The Raft views of the live replicas that offer one, for the safety checker.
    pub fn views(&self) -> Vec<(usize, PeerView)> {
        self.cluster
            .live()
            .into_iter()
            .filter_map(|(i, kv)| kv.raft().observe().map(|v| (i, v)))
            .collect()
    }

    /// Whether every live replica's Raft offers a view.
    pub fn observable(&self) -> bool {
        self.cluster
            .live()
            .iter()
            .all(|(_, kv)| kv.raft().observe().is_some())
    }

    /// A live replica that leads at the highest term any live replica has: (replica, term).
    pub fn leader(&self) -> Option<(usize, u64)> {
        self.cluster.leader()
    }

    // ---- links ----------------------------------------------------------------------------------

    /// Enables each directed link that should be up and whose two replicas are live; disables the
    /// rest (a crashed replica's ends and the ends into it stay down until it is back).
    pub fn apply_links(&self) {
        let n = self.n();
        let live: Vec<bool> = (0..n).map(|i| self.is_live(i)).collect();
        for i in 0..n {
            for j in 0..n {
                let on = live[i] && live[j] && (i == j || self.up[i][j]);
                self.cluster.set_link(i, j, on);
            }
        }
    }

    /// Replica i joins group `groups[i]`: links inside a group are up, links across are down.
    pub fn partition(&mut self, groups: &[u8; MAX_PEERS]) {
        let n = self.n();
        for i in 0..n {
            for j in 0..n {
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
        self.cluster.net().set_long_reordering(on);
    }

    /// Back to a reliable network without reordering.
    pub fn clear_faults(&mut self) -> Result<(), String> {
        self.knobs = FaultKnobs::default();
        self.cluster.net().set_long_reordering(false);
        self.apply_knobs()
    }

    fn apply_knobs(&self) -> Result<(), String> {
        let knobs = (self.knobs != FaultKnobs::default()).then_some(self.knobs);
        self.cluster
            .net()
            .set_fault_knobs(knobs)
            .map_err(|e| e.to_string())
    }

    // ---- replicas -------------------------------------------------------------------------------

    /// Crashes replica i if it is live, returning how its Raft looked just before (see
    /// [`crate::server_group::ServerGroup::crash`]); its links go down.
    pub fn crash(&mut self, i: usize) -> Option<PeerLook> {
        let last = PeerLook::of(self.cluster.server(i)?.raft());
        self.cluster.crash(i);
        self.apply_links();
        Some(last)
    }

    /// Starts replica i (which must be down) from its persisted state and returns how its Raft looks
    /// before it has handled anything. Its links stay down until the caller runs
    /// [`FuzzKvCluster::apply_links`].
    pub async fn start(&mut self, i: usize) -> Result<PeerLook, String> {
        let kv = self.cluster.start(i).await?;
        Ok(PeerLook::of(kv.raft()))
    }

    /// Kills every replica (the end of a run).
    pub fn shutdown(&mut self) {
        self.cluster.kill_all();
    }

    // ---- clients --------------------------------------------------------------------------------

    /// A clerk with an enabled end to every replica, shuffled so its first guess is not always
    /// replica 0. Its ends never go down: a client reaches whichever replicas are live.
    pub fn make_clerk(&self) -> K::Clerk {
        let (clerk, names) = self.cluster.make_clerk(true);
        for name in &names {
            self.cluster.net().enable(name, true);
        }
        clerk
    }
}
