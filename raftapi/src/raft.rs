//! One Raft peer as the testers see it: the lab's `raftapi.Raft` interface.

use crate::observer::PeerView;
use crate::persister::Persister;
use futures::channel::mpsc;
use labrpc::{ClientEnd, Service};

/// What Raft delivers to its service, in log order, on the apply channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyMsg {
    /// A committed command at `index` (the command bytes are exactly what `start` was given).
    Command { index: u64, command: Vec<u8> },
    /// A snapshot installed from the leader, covering everything up to `index` (of `term`).
    Snapshot {
        index: u64,
        term: u64,
        data: Vec<u8>,
    },
}

/// Where Raft sends applied messages. Dropping it (once killed) tells the service no more will come.
pub type ApplySender = mpsc::Sender<ApplyMsg>;

/// Why a peer (or a service built on one) could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RaftError {
    /// The persisted state does not decode.
    CorruptState(String),
}

impl std::fmt::Display for RaftError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RaftError::CorruptState(why) => write!(f, "corrupt persisted raft state: {why}"),
        }
    }
}

impl std::error::Error for RaftError {}

/// One Raft peer.
///
/// The tester makes each peer on its own simulated node, hosts [`Raft::service`] on the peer's
/// labrpc server (named after the peer), and reads what the peer applies from the apply channel.
/// Every method but `make` may be called from any task, at any time, also after `kill`.
pub trait Raft: Send + Sync + 'static {
    /// Starts peer `me` of `peers` (`peers[me]` is its own end), from what `persister` holds
    /// (nothing, for a fresh peer). Called from a task on the peer's node: tasks it spawns there
    /// die with the node when the peer crashes. Persisted state that does not decode is an error.
    fn make(
        peers: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        apply_tx: ApplySender,
    ) -> Result<Self, RaftError>
    where
        Self: Sized;

    /// The labrpc service answering this peer's RPCs, which other peers call through their ends.
    fn service(&self) -> Service;

    /// Proposes `command`. `Some((index, term))` if this peer believes it leads: the index the
    /// command will have if it is ever committed, and the current term. `None` otherwise.
    fn start(&self, command: Vec<u8>) -> Option<(u64, u64)>;

    /// (current term, whether this peer believes it is the leader).
    fn state(&self) -> (u64, bool);

    /// The service has a snapshot of everything up to and including `index`; Raft may discard
    /// the log through `index` and must persist `snapshot` with its state.
    fn snapshot(&self, index: u64, snapshot: Vec<u8>);

    /// The size in bytes of the persisted Raft state (not the snapshot).
    fn persist_bytes(&self) -> usize;

    /// Stops the peer: no more effects from RPCs, timers or applies.
    fn kill(&self);

    /// A read-only view of the peer's state for the fuzzers' safety invariants; reading it changes
    /// nothing. Optional: without it the fuzzers check only what the tester sees (applied commands,
    /// leaders and terms, liveness).
    fn observe(&self) -> Option<PeerView> {
        None
    }
}
