//! Raft. (API stub; implementation in progress.)

use futures::channel::mpsc;
use labrpc::ClientEnd;
use sim::Persister;

/// What Raft delivers to its service, in log order, on the apply channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyMsg {
    /// A committed command at `index` (the command bytes are exactly what `start` was given).
    Command { index: u64, command: Vec<u8> },
    /// A snapshot installed from the leader, covering everything up to `index` (of `term`).
    Snapshot { index: u64, term: u64, data: Vec<u8> },
}

/// Where Raft sends applied messages.
pub type ApplySender = mpsc::Sender<ApplyMsg>;

/// Why a peer could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RaftError {
    /// The persisted state does not decode.
    CorruptState(String),
}

/// A handle to one Raft peer. Cloning shares the peer.
#[derive(Clone)]
pub struct Raft {}

impl Raft {
    /// Starts peer `me` of `peers` (peers[me] is its own end). Must be called from a task on the peer's
    /// madsim node: the peer's timers and loops are spawned there and die with it.
    pub fn new(
        _peers: Vec<ClientEnd>,
        _me: usize,
        _persister: Persister,
        _apply_tx: ApplySender,
    ) -> Result<Raft, RaftError> {
        todo!()
    }
    /// The labrpc service ("Raft") answering this peer's RPCs; the tester adds it to the peer's server.
    pub fn service(&self) -> labrpc::Service {
        todo!()
    }
    /// Proposes `command`; `Some((index, term))` if this peer believes it is leader, else `None`.
    pub fn start(&self, _command: Vec<u8>) -> Option<(u64, u64)> {
        todo!()
    }
    /// (current term, whether this peer believes it is leader).
    pub fn state(&self) -> (u64, bool) {
        todo!()
    }
    /// The service has a snapshot of everything up to and including `index`; Raft may drop that log.
    pub fn snapshot(&self, _index: u64, _snapshot: Vec<u8>) {
        todo!()
    }
    /// Stops the peer: no more RPC handling effects, timers or applies.
    pub fn kill(&self) {
        todo!()
    }
}
