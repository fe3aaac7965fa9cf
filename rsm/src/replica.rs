//! A replica of the rsm layer: starts its Raft and apply task, and runs submitted ops through the
//! log.

use crate::apply;
use crate::entry::{self, OpId};
use crate::lead;
use crate::pending::Pending;
use crate::snapshot;
use futures::channel::mpsc;
use labrpc::ClientEnd;
use madsim::rand::Rng;
use raftapi::{OpOf, Persister, Raft, RaftError, ReplyOf, StateMachine, SubmitError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tracing::debug;

/// How many applied entries Raft may hand over before this replica takes them: room for a batch
/// saves task switches (the reference Raft hands over up to 64 per lock).
const APPLY_BUFFER: usize = 64;

/// A replica of the state machine `SM`, on any Raft peer `R`. Cloning shares it.
pub struct Rsm<R, SM: StateMachine> {
    shared: Arc<Shared<R, SM>>,
}

impl<R, SM: StateMachine> Clone for Rsm<R, SM> {
    fn clone(&self) -> Self {
        Rsm {
            shared: self.shared.clone(),
        }
    }
}

pub(crate) struct Shared<R, SM: StateMachine> {
    pub me: usize,
    pub raft: R,
    pub maxraftstate: i64,
    /// Distinguishes this incarnation's op ids from those of earlier ones (see [`OpId`]).
    incarnation: u64,
    next_seq: AtomicU64,
    state: Mutex<State<SM>>,
}

pub(crate) struct State<SM: StateMachine> {
    pub sm: SM,
    /// Index of the last log entry applied to `sm` (or covered by the snapshot it was restored from).
    pub applied: u64,
    pub pending: Pending<SM::Reply>,
    /// Nothing will be applied any more (the apply channel closed, or the replica's node died):
    /// every submission is answered `WrongLeader`.
    pub closed: bool,
}

impl<R, SM: StateMachine> Shared<R, SM> {
    pub fn state(&self) -> MutexGuard<'_, State<SM>> {
        // Updates under this lock are single assignments or whole do_op calls; a poisoned lock (a
        // test already failing) still guards consistent data.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<R: Raft, SM: StateMachine> raftapi::Rsm for Rsm<R, SM> {
    type Sm = SM;

    fn make(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
        mut sm: SM,
    ) -> Result<Self, RaftError> {
        let saved = persister.snapshot();
        let applied = if saved.is_empty() {
            0
        } else {
            let (index, state) = snapshot::decode(&saved).map_err(RaftError::CorruptState)?;
            sm.restore(state)
                .map_err(|e| RaftError::CorruptState(e.to_string()))?;
            index
        };
        let (apply_tx, apply_rx) = mpsc::channel(APPLY_BUFFER);
        let raft = R::make(servers, me, persister, apply_tx)?;
        let shared = Arc::new(Shared {
            me,
            raft,
            maxraftstate,
            incarnation: madsim::rand::thread_rng().r#gen(),
            next_seq: AtomicU64::new(0),
            state: Mutex::new(State {
                sm,
                applied,
                pending: Pending::default(),
                closed: false,
            }),
        });
        madsim::task::spawn(apply::apply_loop(shared.clone(), apply_rx));
        madsim::task::spawn(lead::start_terms_with_noops(shared.clone()));
        Ok(Rsm { shared })
    }

    fn raft(&self) -> &dyn Raft {
        &self.shared.raft
    }

    async fn submit(&self, op: OpOf<Self>) -> Result<ReplyOf<Self>, SubmitError> {
        let shared = &*self.shared;
        let id = shared.next_id();
        let command = entry::encode(id, &op);
        let (index, term, reply) = {
            // Under the lock, so the entry cannot be applied before its submission is registered.
            let mut state = shared.state();
            if state.closed {
                return Err(SubmitError::WrongLeader);
            }
            let Some((index, term)) = shared.raft.start(command) else {
                return Err(SubmitError::WrongLeader);
            };
            if index <= state.applied {
                // Raft reused an index this replica already applied: not this op's entry.
                return Err(SubmitError::WrongLeader);
            }
            (index, term, state.pending.add(index, id, term))
        };
        let _forget = Forget { shared, index, id };
        debug!(
            server = shared.me,
            term,
            topic = "client",
            index,
            "submitted, waiting for the entry to apply"
        );
        // Answered when the entry at `index` is applied (this op, or another: WrongLeader), when a
        // later term's no-op is applied (this op's entry can no longer be), or when the replica
        // closes. Never earlier: an op that may still commit must not be reported lost, or its
        // client resends it (a versioned put then reports ErrMaybe).
        reply.await.map_err(|_| SubmitError::WrongLeader)
    }
}

impl<R, SM: StateMachine> Shared<R, SM> {
    /// An id no other submission or no-op of any incarnation shares.
    pub fn next_id(&self) -> OpId {
        OpId {
            incarnation: self.incarnation,
            seq: self.next_seq.fetch_add(1, Ordering::Relaxed),
        }
    }
}

/// Forgets a submission when its submitter stops waiting, whichever way (it may also be dropped).
struct Forget<'a, R, SM: StateMachine> {
    shared: &'a Shared<R, SM>,
    index: u64,
    id: OpId,
}

impl<R, SM: StateMachine> Drop for Forget<'_, R, SM> {
    fn drop(&mut self) {
        self.shared.state().pending.remove(self.index, self.id);
    }
}
