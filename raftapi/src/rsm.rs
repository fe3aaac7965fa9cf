//! The replicated-state-machine layer of the current course (Lab 4A): a service hands its state
//! machine to an [`Rsm`], submits typed ops to it, and the rsm runs every committed op through
//! [`StateMachine::do_op`] on every replica, in log order, exactly once per replica.

use crate::persister::Persister;
use crate::raft::{Raft, RaftError};
use labrpc::ClientEnd;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// The state a service replicates. The rsm owns it and is the only caller of its methods.
pub trait StateMachine: Send + 'static {
    /// What a client submits. The rsm carries it through the Raft log encoded with serde, and
    /// `do_op` receives the very value that was submitted.
    type Op: Serialize + DeserializeOwned + Send + 'static;
    /// What executing an op returns; `submit` hands it to the submitter.
    type Reply: Send + 'static;

    /// Executes one committed op. Called once per replica for each committed op, in log order
    /// (or [`StateMachine::do_op_unanswered`] instead, when nobody waits for the reply).
    fn do_op(&mut self, op: Self::Op) -> Self::Reply;

    /// Executes a committed op whose reply nobody on this replica waits for (a follower's copy,
    /// or a submitter that gave up). It must change the state exactly as `do_op` does; the
    /// default calls `do_op`, and a machine whose replies cost something to build (a Get's value)
    /// can skip building them.
    fn do_op_unanswered(&mut self, op: Self::Op) {
        let _ = self.do_op(op);
    }

    /// The whole state, encoded; `restore` must accept exactly these bytes.
    fn snapshot(&self) -> Vec<u8>;

    /// Replaces the state with one `snapshot` produced. Bytes that do not decode are an error,
    /// and leave the state as it was.
    fn restore(&mut self, snapshot: &[u8]) -> Result<(), RestoreError>;
}

/// Why a state machine could not restore a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreError(pub String);

impl std::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "undecodable state-machine snapshot: {}", self.0)
    }
}

impl std::error::Error for RestoreError {}

/// Why `submit` returned without a reply: the course's ErrWrongLeader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitError {
    /// This peer did not commit the op as leader (it does not lead, lost leadership, was killed,
    /// or another entry took the op's place). The op may or may not have been executed.
    WrongLeader,
}

impl std::fmt::Display for SubmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SubmitError::WrongLeader => write!(f, "ErrWrongLeader"),
        }
    }
}

impl std::error::Error for SubmitError {}

/// The op and reply types of an [`Rsm`]'s state machine.
pub type OpOf<R> = <<R as Rsm>::Sm as StateMachine>::Op;
pub type ReplyOf<R> = <<R as Rsm>::Sm as StateMachine>::Reply;

/// One replica of the replicated-state-machine layer, on its own Raft peer.
pub trait Rsm: Send + Sync + 'static {
    /// The state machine this rsm replicates.
    type Sm: StateMachine;

    /// Starts replica `me` of `servers` (ends to every replica's Raft, itself included): makes its
    /// Raft peer from `persister` and restores `sm` from the persisted snapshot, if there is one
    /// (and only then). Called from a task on the replica's node. `maxraftstate` < 0: never
    /// snapshot; otherwise snapshot once the persisted Raft state exceeds that many bytes.
    fn make(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
        sm: Self::Sm,
    ) -> Result<Self, RaftError>
    where
        Self: Sized;

    /// The replica's Raft peer (its service is hosted by the replica's server; the tester asks
    /// it who leads and kills it).
    fn raft(&self) -> &dyn Raft;

    /// Runs `op` through the log. `Ok` with `do_op`'s reply only if this peer committed this very
    /// op as leader and executed it; otherwise `WrongLeader`. May wait while the peer is cut off,
    /// but returns once it learns that a newer term went on without the op, and once its Raft is
    /// killed. (Answering `WrongLeader` while the op may still commit makes clients resend it.)
    fn submit(
        &self,
        op: OpOf<Self>,
    ) -> impl Future<Output = Result<ReplyOf<Self>, SubmitError>> + Send;
}
