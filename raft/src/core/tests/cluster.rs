//! Pure cores in a small cluster whose network, clock, crashes and disks this test runs itself:
//! messages are delivered in random order or lost, peers crash and restart from their disks, the
//! service snapshots. At every moment a message or a reply leaves a peer, the peer's disk must
//! already hold exactly the state the peer has (so nothing it says can be forgotten by a crash);
//! and across all of it Raft's safety properties must hold.

use super::*;
use crate::persist::HardState;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

#[derive(Default)]
struct Disk {
    state: Vec<u8>,
    snapshot: Vec<u8>,
}

enum Msg {
    Vote(RequestVoteArgs),
    VoteReply(u64, RequestVoteReply),
    Append(AppendEntriesArgs),
    AppendReply(u64, u64, u64, AppendEntriesReply),
    Snapshot(InstallSnapshotArgs),
    SnapshotReply(u64, u64, InstallSnapshotReply),
}

struct Packet {
    from: usize,
    to: usize,
    msg: Msg,
}

struct Node {
    core: Option<Core>,
    disk: Disk,
    /// The index the service has applied through (its whole state, for this test).
    applied: u64,
}

struct Cluster {
    nodes: Vec<Node>,
    net: Vec<Packet>,
    now: Time,
    rng: StdRng,
    leaders: BTreeMap<u64, usize>,
    /// What was applied at each index, by whichever peer applied it first.
    applied: BTreeMap<u64, Vec<u8>>,
    next_command: u64,
}

impl Cluster {
    fn new(peers: usize, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let nodes = (0..peers)
            .map(|me| Node {
                core: Some(Core::new(me, peers, Stored::default(), rng.r#gen(), ms(0))),
                disk: Disk::default(),
                applied: 0,
            })
            .collect();
        Cluster {
            nodes,
            net: Vec::new(),
            now: ms(0),
            rng,
            leaders: BTreeMap::new(),
            applied: BTreeMap::new(),
            next_command: 0,
        }
    }

    /// The disk of `peer` holds what its core holds: checked whenever something leaves the peer.
    fn assert_saved(&self, peer: usize, what: &str) {
        let node = &self.nodes[peer];
        let core = node.core.as_ref().unwrap();
        let on_disk = HardState::decode(&node.disk.state, self.nodes.len()).unwrap();
        assert_eq!(
            (on_disk.term, on_disk.voted_for, &on_disk.log),
            (core.hard.term, core.hard.voted_for, &core.hard.log),
            "peer {peer} sends {what} before saving the state it depends on"
        );
        // The service's snapshots here hold just their index, so the stored snapshot can be
        // checked against the saved boundary.
        let boundary = on_disk.log.snapshot_index();
        if node.disk.snapshot.is_empty() {
            assert_eq!(boundary, 0, "peer {peer}: compacted, but no snapshot saved");
        } else {
            assert_eq!(
                node.disk.snapshot,
                boundary.to_le_bytes(),
                "peer {peer}: stale snapshot"
            );
        }
    }

    /// Performs what `peer`'s last step asked for, in order, as the driver does.
    fn perform(&mut self, peer: usize) {
        let effects = self.nodes[peer].core.as_mut().unwrap().take_effects();
        for effect in effects {
            match effect {
                Effect::Persist { state, snapshot } => {
                    let disk = &mut self.nodes[peer].disk;
                    disk.state = state.concat();
                    if let Some(s) = snapshot {
                        disk.snapshot = s;
                    }
                }
                Effect::RequestVote { peer: to, args } => {
                    self.assert_saved(peer, "RequestVote");
                    self.send(peer, to, Msg::Vote(args));
                }
                Effect::StartReplicators { .. } | Effect::Replicate { .. } | Effect::Apply => {}
            }
        }
        let core = self.nodes[peer].core.as_ref().unwrap();
        if core.is_leader() {
            let term = core.term();
            let first = *self.leaders.entry(term).or_insert(peer);
            assert_eq!(first, peer, "two leaders in term {term}");
        }
        self.apply(peer);
    }

    fn send(&mut self, from: usize, to: usize, msg: Msg) {
        self.net.push(Packet { from, to, msg });
    }

    fn apply(&mut self, peer: usize) {
        let node = &mut self.nodes[peer];
        for msg in node.core.as_mut().unwrap().take_applies(usize::MAX) {
            match msg {
                Delivery::Command { index, command } => {
                    assert_eq!(index, node.applied + 1, "peer {peer} applies out of order");
                    node.applied = index;
                    let first = self.applied.entry(index).or_insert_with(|| command.clone());
                    assert_eq!(*first, command, "two commands applied at {index}");
                }
                Delivery::StoredSnapshot { index, .. } => {
                    assert!(
                        index > node.applied,
                        "peer {peer}: snapshot {index} rolls back"
                    );
                    let stored = &node.disk.snapshot;
                    assert_eq!(
                        *stored,
                        index.to_le_bytes(),
                        "peer {peer}: not the stored one"
                    );
                    node.applied = index;
                }
            }
        }
    }

    fn deliver(&mut self, packet: Packet) {
        let Packet { from, to, msg } = packet;
        let now = self.now;
        let Some(core) = self.nodes[to].core.as_mut() else {
            return;
        };
        let reply = match msg {
            Msg::Vote(args) => {
                let term = args.term;
                Some(Msg::VoteReply(term, core.handle_request_vote(now, args)))
            }
            Msg::Append(args) => {
                let (term, prev, n) = (args.term, args.prev_log_index, args.entries.len());
                let reply = core.handle_append_entries(now, args);
                Some(Msg::AppendReply(term, prev, n as u64, reply))
            }
            Msg::Snapshot(args) => {
                let (term, index) = (args.term, args.last_included_index);
                Some(Msg::SnapshotReply(
                    term,
                    index,
                    core.handle_install_snapshot(now, args),
                ))
            }
            Msg::VoteReply(term, reply) => {
                core.on_vote_reply(from, term, reply);
                None
            }
            Msg::AppendReply(term, prev, n, reply) => {
                core.on_append_reply(from, term, prev, n, reply);
                None
            }
            Msg::SnapshotReply(term, index, reply) => {
                core.on_snapshot_reply(from, term, index, reply);
                None
            }
        };
        self.perform(to);
        if let Some(reply) = reply {
            self.assert_saved(to, "a reply");
            self.send(to, from, reply);
        }
    }

    /// What every leader's replicators would send now.
    fn replicate(&mut self) {
        let now = self.now;
        for from in 0..self.nodes.len() {
            for to in 0..self.nodes.len() {
                let Some(core) = self.nodes[from].core.as_mut() else {
                    continue;
                };
                if to == from || !core.is_leader() {
                    continue;
                }
                let term = core.term();
                if let NextMessage::Send { message, .. } = core.next_message(to, term, now) {
                    self.perform(from);
                    self.assert_saved(from, "AppendEntries or InstallSnapshot");
                    let msg = match message {
                        Outbound::Append(a) => Msg::Append(a),
                        Outbound::Snapshot {
                            term,
                            leader,
                            last_included_index,
                            last_included_term,
                        } => Msg::Snapshot(InstallSnapshotArgs {
                            term,
                            leader,
                            last_included_index,
                            last_included_term,
                            data: self.nodes[from].disk.snapshot.clone(),
                        }),
                    };
                    self.send(from, to, msg);
                }
            }
        }
    }

    fn step(&mut self) {
        let peers = self.nodes.len();
        let peer = self.rng.gen_range(0..peers);
        match self.rng.gen_range(0..100) {
            0..=54 if !self.net.is_empty() => {
                let packet = self.net.swap_remove(self.rng.gen_range(0..self.net.len()));
                if self.rng.gen_range(0..10) > 0 {
                    self.deliver(packet);
                }
            }
            0..=69 => {
                self.now += ms(self.rng.gen_range(1..40));
                for p in 0..peers {
                    if let Some(core) = self.nodes[p].core.as_mut() {
                        core.tick(self.now);
                        self.perform(p);
                    }
                }
                self.replicate();
            }
            70..=84 => {
                if let Some(core) = self.nodes[peer].core.as_mut() {
                    self.next_command += 1;
                    core.start(self.next_command.to_le_bytes().to_vec());
                    self.perform(peer);
                }
            }
            85..=91 => {
                let node = &mut self.nodes[peer];
                if let Some(core) = node.core.as_mut()
                    && node.applied > core.log().snapshot_index() + 3
                {
                    core.snapshot(node.applied, node.applied.to_le_bytes().to_vec());
                    self.perform(peer);
                }
            }
            92 => self.nodes[peer].core = None,
            _ => {
                let seed = self.rng.r#gen();
                let node = &mut self.nodes[peer];
                if node.core.is_none() {
                    let stored = Stored::load(&node.disk.state, peers).unwrap();
                    node.applied = stored.hard.log.snapshot_index();
                    node.core = Some(Core::new(peer, peers, stored, seed, self.now));
                }
            }
        }
    }

    /// Log matching: two logs with an entry of the same index and term hold the same entry there.
    fn assert_logs_match(&self) {
        let logs: Vec<&Log> = self
            .nodes
            .iter()
            .filter_map(|n| n.core.as_ref().map(|c| c.log()))
            .collect();
        for a in &logs {
            for b in &logs {
                let from = a.snapshot_index().max(b.snapshot_index()) + 1;
                for i in from..=a.last_index().min(b.last_index()) {
                    if a.term_at(i) == b.term_at(i) {
                        assert_eq!(a.entry(i), b.entry(i), "logs differ at {i}");
                    }
                }
            }
        }
    }
}

#[test]
fn every_message_leaves_after_what_it_depends_on_is_saved_and_raft_stays_safe() {
    let mut committed = 0;
    for seed in 0..40 {
        let mut cluster = Cluster::new(3 + (seed as usize % 2) * 2, seed);
        for step in 0..2500 {
            cluster.step();
            if step % 250 == 0 {
                cluster.assert_logs_match();
            }
        }
        committed += cluster.applied.len();
    }
    assert!(
        committed > 2000,
        "the clusters made progress: {committed} entries applied"
    );
}
