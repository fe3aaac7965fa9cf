//! One group of replicated servers, for every tester that runs services on Raft (the 2023 KV
//! tester, the KV fuzzer and benchmark, the rsm tester): n servers of one type, each on its own
//! madsim node, on one labrpc network; start and crash with persister copies; one direction of a
//! link at a time, and the current course's connectivity by flags (docs/lab-tests-2026.md, after
//! LAB-TESTS-2025 §1.3). What each tester adds sits on top.
//!
//! Every fault it injects is an annotation of the run's picture ([`crate::picture`]): a member
//! crashed (band `<name> down`, until it starts again), cut off by [`ServerGroup::disconnect_all`]
//! (band `<name> cut off`, until it is connected again) and a partition (band `network`, until
//! [`ServerGroup::connect_all`] or a partition with one side empty heals it). Bands are opened and
//! closed only when the state changes, so connecting what is connected draws nothing.

use crate::fresh;
use labrpc::{ClientEnd, Network, Server, Service};
use madsim::runtime::NodeHandle;
use raftapi::{KvServer, Persister, Raft, RaftError};
use std::sync::{Arc, Mutex, MutexGuard};

/// A server a group can run: started from ends to every member, its index, a persister and the
/// snapshot threshold; hosting its services on one labrpc server; with a Raft peer inside.
pub trait GroupServer: Send + Sync + 'static {
    /// Starts member `me` from what `persister` holds; called from a task on its node.
    /// `maxraftstate` < 0: never snapshot.
    fn start(
        ends: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
    ) -> Result<Self, RaftError>
    where
        Self: Sized;

    /// The services its labrpc server hosts.
    fn services(&self) -> Vec<Service>;

    /// Its Raft peer.
    fn raft(&self) -> &dyn Raft;

    /// Stops it (a crash: its node is killed right after).
    fn kill(&self);

    /// Starts member `me` of group `gid` (the current course's servers are told their group). By
    /// default the group is not needed: [`GroupServer::start`].
    fn start_in_group(
        gid: u64,
        ends: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
    ) -> Result<Self, RaftError>
    where
        Self: Sized,
    {
        let _ = gid;
        Self::start(ends, me, persister, maxraftstate)
    }
}

impl<S: KvServer> GroupServer for S {
    fn start(
        ends: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
    ) -> Result<Self, RaftError> {
        <S as KvServer>::start(ends, me, persister, maxraftstate)
    }

    fn services(&self) -> Vec<Service> {
        KvServer::services(self)
    }

    fn raft(&self) -> &dyn Raft {
        KvServer::raft(self)
    }

    fn kill(&self) {
        KvServer::kill(self)
    }
}

/// How a group names its members' labrpc servers and nodes: the prefix, then the member's index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerNames {
    prefix: String,
    gid: u64,
}

impl ServerNames {
    /// Member i is `{prefix}{i}` (the 2023 KV tester's replicas are `kv-{i}`), in group 0.
    pub fn prefixed(prefix: &str) -> Self {
        ServerNames {
            prefix: prefix.to_string(),
            gid: 0,
        }
    }

    /// The current course's group `g`: member i is `server-{g}-{i}`.
    pub fn group(g: usize) -> Self {
        ServerNames {
            gid: g as u64,
            ..Self::prefixed(&format!("server-{g}-"))
        }
    }

    /// The group's id, which [`GroupServer::start_in_group`] gets (0 for a prefixed group).
    pub fn gid(&self) -> u64 {
        self.gid
    }

    pub fn name(&self, i: usize) -> String {
        format!("{}{i}", self.prefix)
    }
}

/// The members of one group. Methods take `&self`; no lock is held across an await.
pub struct ServerGroup<S: GroupServer> {
    n: usize,
    maxraftstate: i64,
    net: Network,
    names: ServerNames,
    slots: Mutex<Slots<S>>,
}

struct Slots<S> {
    servers: Vec<Option<Arc<S>>>,
    nodes: Vec<Option<NodeHandle>>,
    /// What each member persisted; a restart starts from a copy.
    saved: Vec<Option<Persister>>,
    /// `end_names[i][j]`: member i's current end to member j (empty until i first starts).
    end_names: Vec<Vec<String>>,
    /// The connectivity flags of [`ServerGroup::connect_one`] and friends.
    connected: Vec<bool>,
    /// Members whose `cut off` band is open in the picture.
    cut_off: Vec<bool>,
    /// Whether the picture's `network` band (a partition) is open.
    partitioned: bool,
}

impl<S: GroupServer> Drop for ServerGroup<S> {
    fn drop(&mut self) {
        // Servers hold ends back into the network: without this the cycle outlives the test. Only
        // this group's: other groups may share the network (the sharded KV tester's do).
        for i in 0..self.n {
            self.net.delete_server(&self.names.name(i));
        }
    }
}

impl<S: GroupServer> ServerGroup<S> {
    /// n members named by `names`, none started yet, on `net`. `maxraftstate` < 0: never snapshot.
    pub fn new(n: usize, maxraftstate: i64, net: Network, names: ServerNames) -> Self {
        ServerGroup {
            n,
            maxraftstate,
            net,
            names,
            slots: Mutex::new(Slots {
                servers: (0..n).map(|_| None).collect(),
                nodes: vec![None; n],
                saved: vec![None; n],
                end_names: vec![Vec::new(); n],
                connected: vec![false; n],
                cut_off: vec![false; n],
                partitioned: false,
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

    pub fn names(&self) -> &ServerNames {
        &self.names
    }

    fn slots(&self) -> MutexGuard<'_, Slots<S>> {
        // Updates are single assignments; a panic elsewhere aborts the run anyway.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Member i while it is live.
    pub fn server(&self, i: usize) -> Option<Arc<S>> {
        self.slots().servers[i].clone()
    }

    pub fn is_live(&self, i: usize) -> bool {
        self.slots().servers[i].is_some()
    }

    /// The live members, by index.
    pub fn live(&self) -> Vec<(usize, Arc<S>)> {
        let s = self.slots();
        (0..self.n)
            .filter_map(|i| s.servers[i].clone().map(|srv| (i, srv)))
            .collect()
    }

    /// Starts member i (which must be down) on a fresh node with fresh ends to every member and a
    /// copy of what it persisted, hosting its services on one labrpc server. Its ends start
    /// disabled: the caller decides which links come up.
    pub async fn start(&self, i: usize) -> Result<Arc<S>, String> {
        let (names, ends) = fresh::ends(&self.net, self.n, |j| self.names.name(j));
        let persister = {
            let mut s = self.slots();
            s.end_names[i] = names;
            fresh::persister(&mut s.saved[i])
        };
        let name = self.names.name(i);
        // Annotated before the server starts, so what its Raft traces as it starts (its role) is
        // after the end of its down band.
        tracing::info!(
            topic = "test",
            server = i,
            annotation = %format_args!("start {name}"),
            band = %format_args!("{name} down"),
            end = true,
            peer = %name,
            "start server"
        );
        let node = sim::node::create(&name);
        let (maxraftstate, gid) = (self.maxraftstate, self.names.gid());
        let srv = sim::node::run_on(&node, async move {
            S::start_in_group(gid, ends, i, persister, maxraftstate)
        })
        .await
        .ok_or_else(|| format!("server {i}'s node died while starting"))?
        .map_err(|e| format!("server {i} cannot start: {e}"))?;
        let srv = Arc::new(srv);
        let mut server = Server::new(node.clone());
        for service in srv.services() {
            server.add_service(service);
        }
        {
            let mut s = self.slots();
            s.servers[i] = Some(srv.clone());
            s.nodes[i] = Some(node);
        }
        self.net.add_server(&name, server);
        Ok(srv)
    }

    /// Crashes member i if it is live, returning it: its server is deleted (calls in flight to it
    /// fail, late replies are dropped), its persister replaced by a copy (so the dying instance's
    /// late writes are lost), then it and its node are killed. Links are the caller's business.
    pub fn crash(&self, i: usize) -> Option<Arc<S>> {
        let name = self.names.name(i);
        if self.is_live(i) {
            tracing::info!(
                topic = "test",
                server = i,
                annotation = %format_args!("crash {name}"),
                band = %format_args!("{name} down"),
                peer = %name,
                down = true,
                "crash server"
            );
        }
        self.net.delete_server(&name);
        let (srv, node) = {
            let mut s = self.slots();
            if let Some(saved) = &s.saved[i] {
                s.saved[i] = Some(saved.copy());
            }
            (s.servers[i].take(), s.nodes[i].take())
        };
        if let Some(srv) = &srv {
            srv.kill();
        }
        if let Some(node) = node {
            sim::node::kill(&node);
        }
        srv
    }

    /// Kills every live member (the end of a test).
    pub fn kill_all(&self) {
        let (srvs, nodes): (Vec<_>, Vec<_>) = {
            let mut s = self.slots();
            let srvs: Vec<_> = s.servers.iter_mut().filter_map(Option::take).collect();
            let nodes: Vec<_> = s.nodes.iter_mut().filter_map(Option::take).collect();
            (srvs, nodes)
        };
        for srv in srvs {
            srv.kill();
        }
        for node in nodes {
            sim::node::kill(&node);
        }
    }

    /// Enables or disables member i's end to member j (one direction), if i has started.
    pub fn set_link(&self, i: usize, j: usize, on: bool) {
        if let Some(end) = self.slots().end_names[i].get(j) {
            self.net.enable(end, on);
        }
    }

    /// The live member that leads at the highest term any live member has: (member, term).
    pub fn leader(&self) -> Option<(usize, u64)> {
        let states: Vec<(usize, u64, bool)> = self
            .live()
            .into_iter()
            .map(|(i, srv)| {
                let (term, leader) = srv.raft().state();
                (i, term, leader)
            })
            .collect();
        leader_at_top_term(&states)
    }

    /// LogSize (RaftSize in 2026): the largest persisted Raft state over the members' persisters
    /// (crashed ones too).
    pub fn log_size(&self) -> usize {
        self.slots()
            .saved
            .iter()
            .flatten()
            .map(Persister::raft_state_size)
            .max()
            .unwrap_or(0)
    }

    /// SnapshotSize: the largest snapshot over the members' persisters.
    pub fn snapshot_size(&self) -> usize {
        self.slots()
            .saved
            .iter()
            .flatten()
            .map(Persister::snapshot_size)
            .max()
            .unwrap_or(0)
    }

    // ---- the current course's lifecycle and connectivity (by flags) -----------------------------

    /// StartServers: starts every member, then connect_all.
    pub async fn start_servers(&self) -> Result<(), String> {
        for i in 0..self.n {
            self.start(i).await?;
        }
        self.connect_all();
        Ok(())
    }

    /// ShutdownServer: disconnect_all(i), then crash it (server deleted, persister copied, killed).
    pub fn shutdown_server(&self, i: usize) {
        tracing::info!(topic = "test", server = i, "shutdown server");
        self.disconnect_all(i);
        self.crash(i);
    }

    /// Shutdown: shutdown_server for every member.
    pub fn shutdown(&self) {
        for i in 0..self.n {
            self.shutdown_server(i);
        }
    }

    /// Whether member i is marked connected (a flag, not liveness).
    pub fn is_connected(&self, i: usize) -> bool {
        self.slots().connected[i]
    }

    /// ConnectOne: marks i connected and brings up both directions between i and every member
    /// marked connected (itself included).
    pub fn connect_one(&self, i: usize) {
        tracing::info!(topic = "test", server = i, "connect");
        let mut s = self.slots();
        s.connected[i] = true;
        self.heal(&mut s, i);
        for j in 0..self.n {
            if s.connected[j] {
                self.enable_both(&s, i, j, true);
            }
        }
    }

    /// DisconnectAll: marks i disconnected and takes down both directions to every member.
    pub fn disconnect_all(&self, i: usize) {
        let name = self.names.name(i);
        tracing::info!(
            topic = "test",
            server = i,
            annotation = %format_args!("disconnect {name}"),
            band = %format_args!("{name} cut off"),
            peer = %name,
            "disconnect"
        );
        let mut s = self.slots();
        s.connected[i] = false;
        s.cut_off[i] = true;
        for j in 0..self.n {
            self.enable_both(&s, i, j, false);
        }
    }

    /// ConnectAll: connect_one for every member, shut-down ones too (calls to them still fail).
    pub fn connect_all(&self) {
        for i in 0..self.n {
            self.connect_one(i);
        }
        let mut s = self.slots();
        if std::mem::take(&mut s.partitioned) {
            tracing::info!(
                topic = "test",
                annotation = "connect all",
                band = "network",
                end = true,
                "partition healed"
            );
        }
    }

    /// Partition: a mesh inside p1 and inside p2, nothing across; every member of either side ends
    /// up marked connected.
    pub fn partition(&self, p1: &[usize], p2: &[usize]) {
        let mut s = self.slots();
        let split = !p1.is_empty() && !p2.is_empty();
        if split {
            tracing::info!(
                topic = "test",
                ?p1,
                ?p2,
                annotation = %format_args!("partition {p1:?} | {p2:?}"),
                band = "network",
                "partition"
            );
        } else if s.partitioned {
            tracing::info!(
                topic = "test",
                ?p1,
                ?p2,
                annotation = "connect all",
                band = "network",
                end = true,
                "partition"
            );
        } else {
            tracing::info!(topic = "test", ?p1, ?p2, "partition");
        }
        s.partitioned = split;
        for &i in p1.iter().chain(p2) {
            self.heal(&mut s, i);
        }
        for (side, other) in [(p1, p2), (p2, p1)] {
            for &i in side {
                for &j in other {
                    self.enable_both(&s, i, j, false);
                }
                s.connected[i] = true;
                for &j in side {
                    self.enable_both(&s, i, j, true);
                }
            }
        }
    }

    /// Closes member i's `cut off` band, if open: it is connected again.
    fn heal(&self, s: &mut Slots<S>, i: usize) {
        if std::mem::take(&mut s.cut_off[i]) {
            let name = self.names.name(i);
            tracing::info!(
                topic = "test",
                server = i,
                annotation = %format_args!("connect {name}"),
                band = %format_args!("{name} cut off"),
                end = true,
                peer = %name,
                "reconnected"
            );
        }
    }

    fn enable_both(&self, s: &Slots<S>, i: usize, j: usize, on: bool) {
        for (from, to) in [(i, j), (j, i)] {
            if let Some(end) = s.end_names[from].get(to) {
                self.net.enable(end, on);
            }
        }
    }
}

/// MakePartition: p1 is the first ⌊n/2⌋+1 members other than `l`, by index; p2 the rest, then `l`.
pub fn make_partition(n: usize, l: usize) -> (Vec<usize>, Vec<usize>) {
    let others: Vec<usize> = (0..n).filter(|&i| i != l).collect();
    let p1 = others[..n / 2 + 1].to_vec();
    let mut p2 = others[n / 2 + 1..].to_vec();
    p2.push(l);
    (p1, p2)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_a_kv_cluster_and_of_a_course_group() {
        assert_eq!(ServerNames::prefixed("kv-").name(2), "kv-2");
        assert_eq!(ServerNames::group(0).name(1), "server-0-1");
    }

    #[test]
    fn make_partition_puts_the_leader_last_in_the_minority() {
        assert_eq!(make_partition(3, 1), (vec![0, 2], vec![1]));
        assert_eq!(make_partition(5, 0), (vec![1, 2, 3], vec![4, 0]));
    }
}
