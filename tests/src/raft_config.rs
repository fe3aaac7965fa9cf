//! The Raft tester's config (docs/lab-tests-2023.md §2, the Go `config`): a cluster of n Raft peers,
//! each on its own madsim node, on one labrpc network; crash/restart with persister copies;
//! all-or-nothing connectivity; and the checks the lab tests are written in. Every time bound is
//! virtual time.

use crate::commands::Cmd;
use crate::diagnosis::unanswered_note;
use crate::edition::Edition;
use crate::fresh;
use crate::raft_applier::{self, ApplyLog, SharedApplyLog};
use crate::time_limit;
use futures::channel::mpsc;
use labrpc::{Network, Server};
use madsim::runtime::NodeHandle;
use madsim::time::sleep;
use raftapi::{Persister, Raft};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The lab's sleep unit: "an election timeout".
pub const ELECTION_TIMEOUT: Duration = Duration::from_millis(1000);
/// 2D: the persisted Raft state must stay below this many bytes.
pub const MAX_LOG_SIZE: usize = 2000;

/// The name of peer i's labrpc server and madsim node.
pub fn server_name(i: usize) -> String {
    format!("raft-{i}")
}

/// A handle to a cluster of Raft peers of type `R`. Cloning shares it (tests hand it to their own
/// tasks). The suites use [`crate::Config`], this tester on the implementation under test.
pub struct Config<R> {
    inner: Arc<Inner<R>>,
}

impl<R> Clone for Config<R> {
    fn clone(&self) -> Self {
        Config {
            inner: self.inner.clone(),
        }
    }
}

struct Inner<R> {
    edition: Edition,
    n: usize,
    snapshot: bool,
    net: Network,
    log: SharedApplyLog,
    peers: Mutex<Peers<R>>,
    stats: Mutex<Stats>,
    /// Virtual time at make_config, for the 120 s limit.
    created: Duration,
    finished: Arc<AtomicBool>,
}

impl<R> Drop for Inner<R> {
    fn drop(&mut self) {
        self.net.delete_all_servers();
    }
}

/// The peers as the tester tracks them.
struct Peers<R> {
    rafts: Vec<Option<Arc<R>>>,
    nodes: Vec<Option<NodeHandle>>,
    connected: Vec<bool>,
    /// Peers whose `cut off` band is open in the picture: disconnected after being connected.
    cut_off: Vec<bool>,
    saved: Vec<Option<Persister>>,
    /// `end_names[i][j]`: the name of peer i's end to server j (empty until i first starts).
    end_names: Vec<Vec<String>>,
}

/// What begin() remembers so end() can print the deltas.
#[derive(Default)]
struct Stats {
    /// one() calls since begin(): the current edition's "#Ops".
    ops: u64,
    t0: Duration,
    rpcs0: u64,
    bytes0: u64,
    max_index0: u64,
}

impl<R: Raft> Config<R> {
    /// make_config: n peers on a fresh network (reliable unless `unreliable`, long delays on), each
    /// started with the plain applier, or the snapshot applier when `snapshot`; then all connected.
    pub async fn new(n: usize, unreliable: bool, snapshot: bool) -> Self {
        Self::with_edition(Edition::Spring2023, n, unreliable, snapshot).await
    }

    /// [`Config::new`] for a test of edition `edition`, which decides how begin() and end() print.
    pub async fn with_edition(
        edition: Edition,
        n: usize,
        unreliable: bool,
        snapshot: bool,
    ) -> Self {
        let net = Network::new();
        net.set_reliable(!unreliable);
        net.set_long_delays(true);
        let finished = Arc::new(AtomicBool::new(false));
        let cfg = Config {
            inner: Arc::new(Inner {
                edition,
                n,
                snapshot,
                net,
                log: Arc::new(Mutex::new(ApplyLog::new(n))),
                peers: Mutex::new(Peers {
                    rafts: vec![None; n],
                    nodes: vec![None; n],
                    connected: vec![false; n],
                    cut_off: vec![false; n],
                    saved: vec![None; n],
                    end_names: vec![Vec::new(); n],
                }),
                stats: Mutex::new(Stats::default()),
                created: sim::node::now(),
                finished: finished.clone(),
            }),
        };
        tracing::info!(topic = "test", n, unreliable, snapshot, "make config");
        if unreliable {
            tracing::info!(
                topic = "test",
                annotation = "unreliable network",
                band = "reliability",
                "network unreliable"
            );
        }
        spawn_watchdog(finished);
        for i in 0..n {
            cfg.start1(i).await;
        }
        for i in 0..n {
            cfg.connect(i);
        }
        cfg
    }

    /// Number of peers.
    pub fn n(&self) -> usize {
        self.inner.n
    }

    /// The cluster's network, for testers that set faults or link states the config has no
    /// helper for (the fuzzer's knobs, one-way cuts).
    pub fn net(&self) -> Network {
        self.inner.net.clone()
    }

    /// The name of peer i's current end to server j (`None` until i first starts), for testers that
    /// enable or disable single directions of a link.
    pub fn end_name(&self, i: usize, j: usize) -> Option<String> {
        self.peers().end_names[i].get(j).cloned()
    }

    fn peers(&self) -> MutexGuard<'_, Peers<R>> {
        // A panic anywhere aborts the run, so a poisoned lock never matters.
        self.inner.peers.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stats(&self) -> MutexGuard<'_, Stats> {
        self.inner.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Peer i's Raft handle, `None` while it is crashed (Go's `cfg.rafts[i]`).
    pub fn raft(&self, i: usize) -> Option<Arc<R>> {
        self.peers().rafts[i].clone()
    }

    /// The live peer i's Raft; fails the test if it is crashed.
    pub fn live_raft(&self, i: usize) -> Arc<R> {
        self.raft(i)
            .unwrap_or_else(|| panic!("server {i} is crashed, but the test expects it live"))
    }

    /// `rafts[i].Start(cmd)`: `None` if peer i is crashed or not leader, else (index, term).
    pub fn start(&self, i: usize, cmd: impl Into<Cmd>) -> Option<(u64, u64)> {
        let raft = self.raft(i)?;
        raft.start(cmd.into().encode())
    }

    /// Whether peer i is connected.
    pub fn is_connected(&self, i: usize) -> bool {
        self.peers().connected[i]
    }

    /// Whether peer i is running (not crashed).
    pub fn is_alive(&self, i: usize) -> bool {
        self.peers().rafts[i].is_some()
    }

    /// crash1: cut i off, delete its server, kill its node and Raft; its persister is copied so the
    /// dead instance's late writes are lost and the restart sees exactly its last save.
    pub fn crash1(&self, i: usize) {
        self.disconnect(i);
        let (raft, node) = {
            let mut p = self.peers();
            if let Some(saved) = &p.saved[i] {
                p.saved[i] = Some(saved.copy());
            }
            (p.rafts[i].take(), p.nodes[i].take())
        };
        if let Some(raft) = raft {
            let name = server_name(i);
            tracing::info!(
                topic = "test",
                server = i,
                annotation = %format_args!("crash {name}"),
                band = %format_args!("{name} down"),
                peer = %name,
                down = true,
                "crash"
            );
            self.inner.net.delete_server(&server_name(i));
            raft.kill();
        }
        if let Some(node) = node {
            sim::node::kill(&node);
        }
        let mut p = self.peers();
        if let Some(saved) = &p.saved[i] {
            let fresh = Persister::new();
            fresh.save(saved.raft_state(), saved.snapshot());
            p.saved[i] = Some(fresh);
        }
    }

    /// start1: (re)starts peer i on a fresh node with fresh ends and a copy of its persisted state.
    /// The peer stays disconnected until the test calls `connect(i)`.
    pub async fn start1(&self, i: usize) {
        self.crash1(i);
        let net = &self.inner.net;
        let (names, ends) = fresh::ends(net, self.inner.n, server_name);
        let persister = {
            let mut p = self.peers();
            p.end_names[i] = names;
            fresh::persister(&mut p.saved[i])
        };
        {
            let mut log = raft_applier::lock(&self.inner.log);
            log.reset_last_applied(i);
            let snapshot = persister.snapshot();
            if !snapshot.is_empty()
                && let Err(e) = log.ingest_snapshot(i, &snapshot, None)
            {
                panic!("restarting server {i}: {e}");
            }
        }
        let name = server_name(i);
        tracing::info!(
            topic = "test",
            server = i,
            annotation = %format_args!("start {name}"),
            band = %format_args!("{name} down"),
            end = true,
            peer = %name,
            "start1"
        );
        let node = sim::node::create(&server_name(i));
        let (apply_tx, apply_rx) = mpsc::channel(0);
        let raft = sim::node::run_on(&node, async move { R::make(ends, i, persister, apply_tx) })
            .await
            .unwrap_or_else(|| panic!("server {i}'s node died while starting Raft"))
            .map(Arc::new)
            .unwrap_or_else(|e| panic!("server {i} cannot start from its persisted state: {e}"));
        {
            let mut p = self.peers();
            p.rafts[i] = Some(raft.clone());
            p.nodes[i] = Some(node.clone());
        }
        let log = self.inner.log.clone();
        if self.inner.snapshot {
            node.spawn(raft_applier::applier_snap(i, log, raft.clone(), apply_rx));
        } else {
            node.spawn(raft_applier::applier(i, log, apply_rx));
        }
        let mut server = Server::new(node);
        server.add_service(raft.service());
        net.add_server(&server_name(i), server);
    }

    /// Connects peer i: every link i↔j with j connected (i itself included) comes up.
    pub fn connect(&self, i: usize) {
        let mut p = self.peers();
        if std::mem::take(&mut p.cut_off[i]) {
            let name = server_name(i);
            tracing::info!(
                topic = "test",
                server = i,
                annotation = %format_args!("connect {name}"),
                band = %format_args!("{name} cut off"),
                end = true,
                peer = %name,
                "connect"
            );
        } else {
            tracing::info!(topic = "test", server = i, "connect");
        }
        p.connected[i] = true;
        let net = &self.inner.net;
        for j in 0..self.inner.n {
            if p.connected[j] {
                if let Some(out) = p.end_names[i].get(j) {
                    net.enable(out, true);
                }
                if let Some(inc) = p.end_names[j].get(i) {
                    net.enable(inc, true);
                }
            }
        }
    }

    /// Disconnects peer i: every link to and from it goes down.
    /// A peer never connected yet (being started) is not cut off: only a connected one opens the
    /// picture's `cut off` band.
    pub fn disconnect(&self, i: usize) {
        let mut p = self.peers();
        if p.connected[i] {
            let name = server_name(i);
            tracing::info!(
                topic = "test",
                server = i,
                annotation = %format_args!("disconnect {name}"),
                band = %format_args!("{name} cut off"),
                peer = %name,
                "disconnect"
            );
            p.cut_off[i] = true;
        } else {
            tracing::info!(topic = "test", server = i, "disconnect");
        }
        p.connected[i] = false;
        let net = &self.inner.net;
        for j in 0..self.inner.n {
            if let Some(out) = p.end_names[i].get(j) {
                net.enable(out, false);
            }
            if let Some(inc) = p.end_names[j].get(i) {
                net.enable(inc, false);
            }
        }
    }

    /// (term, is_leader) of every connected, live peer.
    fn connected_states(&self) -> Vec<(usize, u64, bool)> {
        let rafts: Vec<(usize, Arc<R>)> = {
            let p = self.peers();
            (0..self.inner.n)
                .filter(|&i| p.connected[i])
                .filter_map(|i| p.rafts[i].clone().map(|r| (i, r)))
                .collect()
        };
        rafts
            .into_iter()
            .map(|(i, r)| {
                let (term, leader) = r.state();
                (i, term, leader)
            })
            .collect()
    }

    /// checkOneLeader: up to 10 rounds of 450–549 ms; fails on two leaders in one term, or on no
    /// leader after the last round. Returns the leader of the highest term that has one.
    pub async fn check_one_leader(&self) -> usize {
        for _ in 0..10 {
            sleep(Duration::from_millis(sim::rng::uniform(450, 549))).await;
            let mut leaders: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
            for (i, term, leader) in self.connected_states() {
                if leader {
                    leaders.entry(term).or_default().push(i);
                }
            }
            for (term, ls) in &leaders {
                assert!(
                    ls.len() <= 1,
                    "term {term} has {} (>1) leaders: {ls:?}",
                    ls.len()
                );
            }
            if let Some((_, ls)) = leaders.last_key_value() {
                return ls[0];
            }
        }
        self.fail("expected one leader, got none");
    }

    /// checkTerms: every connected peer reports the same term; `None` when none is connected.
    pub fn check_terms(&self) -> Option<u64> {
        let mut term = None;
        for (i, t, _) in self.connected_states() {
            match term {
                None => term = Some(t),
                Some(t0) => assert_eq!(t0, t, "servers disagree on term (server {i})"),
            }
        }
        term
    }

    /// checkNoLeader: no connected peer claims to lead.
    pub fn check_no_leader(&self) {
        for (i, _, leader) in self.connected_states() {
            assert!(
                !leader,
                "expected no leader among connected servers, but {i} claims to be leader"
            );
        }
    }

    /// nCommitted: how many peers (crashed and cut-off ones too) applied `index`, and the value.
    /// Fails on differing values or a recorded apply error.
    pub fn n_committed(&self, index: u64) -> (usize, Option<Cmd>) {
        raft_applier::lock(&self.inner.log)
            .committed(index)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// wait: polls until at least n peers committed `index` (sleeps 10, 20, …, 640, then 1280 ms,
    /// 30 polls). `None` if `start_term` is given and some peer's term passed it; fails if fewer than
    /// n committed in the end.
    pub async fn wait(&self, index: u64, n: usize, start_term: Option<u64>) -> Option<Cmd> {
        let mut to = Duration::from_millis(10);
        for _ in 0..30 {
            let (nd, _) = self.n_committed(index);
            if nd >= n {
                break;
            }
            sleep(to).await;
            if to < Duration::from_secs(1) {
                to *= 2;
            }
            if let Some(start) = start_term {
                let rafts: Vec<Arc<R>> = self.peers().rafts.iter().flatten().cloned().collect();
                if rafts.iter().any(|r| r.state().0 > start) {
                    // Someone moved on; the test can no longer expect this index to win.
                    return None;
                }
            }
        }
        let (nd, cmd) = self.n_committed(index);
        if nd < n {
            self.fail(&format!("only {nd} decided for index {index}; wanted {n}"));
        }
        cmd
    }

    /// one: submits `cmd` to whichever connected peer accepts it as leader and waits (2 s per
    /// attempt, 10 s in all) until at least `expected` peers committed it; with `retry`, a failed
    /// attempt is resubmitted. Returns the index, or 0 if the test has already finished.
    pub async fn one(&self, cmd: impl Into<Cmd>, expected: usize, retry: bool) -> u64 {
        self.stats().ops += 1;
        let cmd = cmd.into();
        let bytes = cmd.encode();
        let n = self.inner.n;
        let t0 = sim::node::now();
        let mut cursor = 0;
        while sim::node::now() - t0 < Duration::from_secs(10) && !self.finished() {
            let mut index = None;
            for _ in 0..n {
                cursor = (cursor + 1) % n;
                let raft = {
                    let p = self.peers();
                    if p.connected[cursor] {
                        p.rafts[cursor].clone()
                    } else {
                        None
                    }
                };
                if let Some((i, _)) = raft.and_then(|r| r.start(bytes.clone())) {
                    index = Some(i);
                    break;
                }
            }
            let Some(index) = index else {
                sleep(Duration::from_millis(50)).await;
                continue;
            };
            // Someone claimed to lead and took the command; wait a while for agreement.
            let t1 = sim::node::now();
            while sim::node::now() - t1 < Duration::from_secs(2) {
                let (nd, got) = self.n_committed(index);
                if nd > 0 && nd >= expected && got.as_ref() == Some(&cmd) {
                    return index;
                }
                sleep(Duration::from_millis(20)).await;
            }
            if !retry {
                self.fail(&format!("one({cmd}) failed to reach agreement"));
            }
        }
        if !self.finished() {
            self.fail(&format!("one({cmd}) failed to reach agreement within 10 s"));
        }
        0
    }

    /// Prints the test's description and remembers the counters end() reports deltas of.
    pub fn begin(&self, description: &str) {
        match self.inner.edition {
            Edition::Spring2023 => println!("{description} ..."),
            Edition::Spring2026 => {
                let network = if self.inner.net.is_reliable() {
                    "reliable"
                } else {
                    "unreliable"
                };
                println!("{description} ({network} network)...");
            }
        }
        tracing::info!(topic = "test", description, annotation = "begin", "begin");
        let max_index = raft_applier::lock(&self.inner.log).max_index();
        *self.stats() = Stats {
            ops: 0,
            t0: sim::node::now(),
            rpcs0: self.rpc_total(),
            bytes0: self.bytes_total(),
            max_index0: max_index,
        };
    }

    /// Checks the time limit and prints virtual seconds, peers, RPCs, and bytes and commands (2023)
    /// or one() calls (now) since begin().
    pub fn end(&self) {
        self.check_timeout();
        let max_index = raft_applier::lock(&self.inner.log).max_index();
        let s = self.stats();
        let secs = (sim::node::now() - s.t0).as_secs_f64();
        let rpcs = self.rpc_total() - s.rpcs0;
        let bytes = self.bytes_total() - s.bytes0;
        let cmds = max_index - s.max_index0;
        tracing::info!(
            topic = "test",
            secs,
            rpcs,
            bytes,
            cmds,
            annotation = "end",
            "end"
        );
        let n = self.inner.n;
        match self.inner.edition {
            Edition::Spring2023 => {
                println!("  ... Passed --  {secs:4.1}  {n} {rpcs:4} {bytes:7} {cmds:4}")
            }
            Edition::Spring2026 => println!(
                "  ... Passed --  time {secs:4.1}s #peers {n} #RPCs {rpcs:5} #Ops {:4}",
                s.ops
            ),
        }
    }

    /// cleanup: marks the test finished (one() stops quietly) and kills every peer.
    pub fn cleanup(&self) {
        self.inner.finished.store(true, Ordering::SeqCst);
        let rafts: Vec<Arc<R>> = self.peers().rafts.iter().flatten().cloned().collect();
        for r in rafts {
            r.kill();
        }
        self.check_timeout();
    }

    fn finished(&self) -> bool {
        self.inner.finished.load(Ordering::SeqCst)
    }

    /// Fails the test with `message`, naming any RPC handler that has not replied.
    pub fn fail(&self, message: &str) -> ! {
        panic!("{message}{}", unanswered_note(&self.inner.net));
    }

    fn check_timeout(&self) {
        if let Some(message) = time_limit::overrun(self.inner.created) {
            self.fail(&message);
        }
    }

    /// RPCs served by peer i's current server object (resets when it restarts).
    pub fn rpc_count(&self, i: usize) -> u64 {
        self.inner.net.rpc_count(&server_name(i))
    }

    /// RPCs sent on the network so far.
    pub fn rpc_total(&self) -> u64 {
        self.inner.net.total_count()
    }

    /// Bytes sent on the network so far.
    pub fn bytes_total(&self) -> u64 {
        self.inner.net.total_bytes()
    }

    /// The largest persisted Raft state across peers.
    pub fn log_size(&self) -> usize {
        let p = self.peers();
        p.saved
            .iter()
            .flatten()
            .map(Persister::raft_state_size)
            .max()
            .unwrap_or(0)
    }

    pub fn set_reliable(&self, reliable: bool) {
        tracing::info!(
            topic = "test",
            reliable,
            annotation = if reliable {
                "reliable network"
            } else {
                "unreliable network"
            },
            band = "reliability",
            end = reliable,
            "set reliable"
        );
        self.inner.net.set_reliable(reliable);
    }

    pub fn set_long_reordering(&self, on: bool) {
        tracing::info!(
            topic = "test",
            on,
            annotation = if on {
                "long reordering on"
            } else {
                "long reordering off"
            },
            band = "long reordering",
            end = !on,
            "set long reordering"
        );
        self.inner.net.set_long_reordering(on);
    }
}

/// Fails the run if the test is still going at the lab's limit after make_config. The task dies
/// with the simulation when the test body returns.
fn spawn_watchdog(finished: Arc<AtomicBool>) {
    time_limit::watch(move |message| {
        if !finished.load(Ordering::SeqCst) {
            // Traced first, so the failure report's virtual time is the limit itself.
            tracing::error!(topic = "test", "test time limit exceeded");
            panic!("{message}");
        }
    });
}
