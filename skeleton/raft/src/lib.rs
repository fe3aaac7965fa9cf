//! Your Raft. The testers speak to it only through the `raftapi::Raft` trait below; everything else
//! in this crate is yours to shape. Start with Lab 2A (elections), then 2B (agreement), 2C
//! (persistence) and 2D (snapshots): see the README for the order and the commands.
//!
//! Every method below that says `unimplemented!` is yours to write. The message names the method
//! and the part of the lab that first needs it, so a failing test tells you where to start.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

pub mod messages;

use labrpc::{ClientEnd, Service};
use messages::*;
use raftapi::{ApplySender, Persister, RaftError};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A handle to one Raft peer; cloning it shares the peer (the RPC handlers hold clones). The tester
/// calls it from many tasks at once, so mutable state lives behind a lock: add a
/// `std::sync::Mutex` around Figure 2's state, and never hold it across an `.await`.
#[derive(Clone)]
pub struct Raft {
    shared: Arc<Shared>,
}

struct Shared {
    /// Ends to every peer; `peers[me]` is this peer's own.
    #[allow(dead_code)] // yours to use
    peers: Vec<ClientEnd>,
    #[allow(dead_code)]
    me: usize,
    /// Save what Figure 2 says must survive a crash here, before you answer or send anything that
    /// depends on it.
    #[allow(dead_code)]
    persister: Persister,
    /// Committed commands go here, in index order, as `ApplyMsg::Command`.
    #[allow(dead_code)]
    apply_tx: ApplySender,
    dead: AtomicBool,
    // Your state here (2A, 2B, 2C, 2D).
}

impl raftapi::Raft for Raft {
    /// Starts peer `me`: restore what `persister` holds, and spawn (with `madsim::task::spawn`) the
    /// tasks that run elections and heartbeats. Called from a task on the peer's own node, so
    /// those tasks die with the node when the tester crashes the peer.
    fn make(
        peers: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        apply_tx: ApplySender,
    ) -> Result<Self, RaftError> {
        Ok(Raft {
            shared: Arc::new(Shared {
                peers,
                me,
                persister,
                apply_tx,
                dead: AtomicBool::new(false),
            }),
        })
    }

    /// The RPCs other peers call on this one ("Raft.RequestVote", "Raft.AppendEntries", and in 2D
    /// "Raft.InstallSnapshot"). Each handler gets the decoded arguments and returns the reply.
    fn service(&self) -> Service {
        let (rv, ae) = (self.clone(), self.clone());
        Service::new("Raft")
            .method("RequestVote", move |args: RequestVoteArgs| {
                let raft = rv.clone();
                async move { raft.request_vote(args) }
            })
            .method("AppendEntries", move |args: AppendEntriesArgs| {
                let raft = ae.clone();
                async move { raft.append_entries(args) }
            })
    }

    /// Proposes `command`: `Some((index, term))` if this peer believes it leads, else `None`.
    fn start(&self, _command: Vec<u8>) -> Option<(u64, u64)> {
        unimplemented!("Raft::start (Lab 2B)")
    }

    /// (current term, whether this peer believes it is the leader).
    fn state(&self) -> (u64, bool) {
        unimplemented!("Raft::state (Lab 2A)")
    }

    /// The service snapshotted everything up to `index`: trim the log, persist the snapshot.
    fn snapshot(&self, _index: u64, _snapshot: Vec<u8>) {
        unimplemented!("Raft::snapshot (Lab 2D)")
    }

    /// The size of the persisted Raft state (`persister.raft_state_size()` once you persist).
    fn persist_bytes(&self) -> usize {
        unimplemented!("Raft::persist_bytes (Lab 2C)")
    }

    /// The tester calls this when it crashes the peer: stop acting on RPCs and timers.
    fn kill(&self) {
        self.shared.dead.store(true, Ordering::Release);
    }

    // Optional: `fn observe(&self) -> Option<raftapi::PeerView>` lets the fuzzers check Raft's
    // safety properties on your peer's state (role, term, log terms, commit and apply indexes).
}

impl Raft {
    /// The RequestVote RPC handler (Figure 2, "RequestVote RPC: receiver implementation").
    fn request_vote(&self, _args: RequestVoteArgs) -> RequestVoteReply {
        unimplemented!("Raft::request_vote, the RequestVote handler (Lab 2A)")
    }

    /// The AppendEntries RPC handler (heartbeats in 2A, entries from 2B).
    fn append_entries(&self, _args: AppendEntriesArgs) -> AppendEntriesReply {
        unimplemented!("Raft::append_entries, the AppendEntries handler (Lab 2A)")
    }

    #[allow(dead_code)] // yours to use
    fn killed(&self) -> bool {
        self.shared.dead.load(Ordering::Acquire)
    }
}
