//! A replica: starts its Raft, reads the apply channel into the state machine, and answers each
//! submission once its own entry is applied (4A); snapshots the state machine when Raft's
//! persisted state exceeds `maxraftstate` (4C).

use labrpc::ClientEnd;
use raftapi::{OpOf, Persister, Raft, RaftError, ReplyOf, StateMachine, SubmitError};
use std::marker::PhantomData;

/// A replica of the state machine `SM` on any Raft `R` (the tester's choice: yours).
pub struct Rsm<R, SM: StateMachine> {
    raft: R,
    // Your state here (4A): the state machine behind a lock, the submissions waiting for their
    // entries, how far the log has been applied.
    _sm: PhantomData<fn(SM) -> SM>,
}

impl<R: Raft, SM: StateMachine> raftapi::Rsm for Rsm<R, SM> {
    type Sm = SM;

    /// Starts replica `me`: restore `sm` from the persisted snapshot if there is one (and only
    /// then), make its Raft with `R::make(servers, me, persister, apply_tx)`, and spawn the task
    /// that reads the apply channel. `maxraftstate` < 0: never snapshot.
    fn make(
        _servers: Vec<ClientEnd>,
        _me: usize,
        _persister: Persister,
        _maxraftstate: i64,
        _sm: SM,
    ) -> Result<Self, RaftError> {
        unimplemented!("Rsm::make (Lab 4A)")
    }

    fn raft(&self) -> &dyn Raft {
        &self.raft
    }

    /// Give `op` to Raft with an id no other submission shares; wait until the entry at its index
    /// is applied: `Ok(reply)` if that entry is this very op, `WrongLeader` if it is another, if
    /// the term moves on without it, or once Raft is killed (it then closes the apply channel).
    /// Beware of answering `WrongLeader` while the op may still commit: the client resends it.
    async fn submit(&self, _op: OpOf<Self>) -> Result<ReplyOf<Self>, SubmitError> {
        unimplemented!("Rsm::submit (Lab 4A)")
    }
}
