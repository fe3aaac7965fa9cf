//! A replica of the rsm layer: starts its Raft and apply task, and runs submitted ops through the
//! log.

use crate::apply;
use crate::entry::{self, OpId};
use crate::pending::Pending;
use crate::snapshot;
use futures::channel::mpsc;
use labrpc::ClientEnd;
use madsim::rand::Rng;
use raftapi::{OpOf, Persister, Raft, RaftError, ReplyOf, StateMachine, SubmitError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tracing::debug;

/// How often a waiting submission asks Raft whether its term is still current. A leader cut off
/// from the majority never commits nor hears of the next term until the partition heals; this
/// bounds how long after that its submitters wait.
const TERM_CHECK: Duration = Duration::from_millis(20);

/// How long a submission still waits for its entry after its peer stopped leading in the term it
/// was started in. Answering at once would often be wrong: the next leader usually commits the
/// entry, and a client that retried meanwhile would find its own op applied (a versioned put then
/// reports ErrMaybe). About one election: long enough for the next leader to commit it, short
/// enough that a cut-off replica answers its clients soon after it hears of a newer term.
const AFTER_LEADERSHIP: Duration = Duration::from_millis(500);

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
    /// The latest term this replica started a no-op in (see [`Shared::nudge`]).
    nudged_term: AtomicU64,
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
            nudged_term: AtomicU64::new(0),
            state: Mutex::new(State {
                sm,
                applied,
                pending: Pending::default(),
                closed: false,
            }),
        });
        madsim::task::spawn(apply::apply_loop(shared.clone(), apply_rx));
        Ok(Rsm { shared })
    }

    fn raft(&self) -> &dyn Raft {
        &self.shared.raft
    }

    async fn submit(&self, op: OpOf<Self>) -> Result<ReplyOf<Self>, SubmitError> {
        let shared = &*self.shared;
        let id = OpId {
            incarnation: shared.incarnation,
            seq: shared.next_seq.fetch_add(1, Ordering::Relaxed),
        };
        let command = entry::encode(id, &op);
        let (index, term, mut reply) = {
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
            (index, term, state.pending.add(index, id))
        };
        let _forget = Forget { shared, index, id };
        debug!(
            server = shared.me,
            term,
            topic = "client",
            index,
            "submitted, waiting for the entry to apply"
        );
        // When the peer stopped leading in `term`: the op may still commit under the next leader,
        // which usually keeps the entry, so the submission waits a while longer for its index.
        let mut lost_lead_at = None;
        loop {
            match madsim::time::timeout(TERM_CHECK, &mut reply).await {
                Ok(Ok(reply)) => return Ok(reply),
                // Another entry took the index, a snapshot covered it, or applying stopped.
                Ok(Err(_)) => return Err(SubmitError::WrongLeader),
                Err(_) => match shared.raft.state() {
                    (now_term, true) if now_term == term => lost_lead_at = None,
                    (now_term, true) => {
                        // Leading again, in a later term: the entry, if still in the log, commits
                        // once an entry of this term does.
                        shared.nudge(now_term);
                        lost_lead_at = None;
                    }
                    _ => {
                        let now = madsim::time::Instant::now();
                        let since = *lost_lead_at.get_or_insert(now);
                        if now - since >= AFTER_LEADERSHIP {
                            return Err(SubmitError::WrongLeader);
                        }
                    }
                },
            }
        }
    }
}

impl<R: Raft, SM: StateMachine> Shared<R, SM> {
    /// Starts a no-op in `term` (once per term, whoever asks), so that earlier terms' entries
    /// that submitters still wait for commit without waiting for the next client op.
    fn nudge(&self, term: u64) {
        if self.nudged_term.fetch_max(term, Ordering::Relaxed) >= term {
            return;
        }
        let id = OpId {
            incarnation: self.incarnation,
            seq: self.next_seq.fetch_add(1, Ordering::Relaxed),
        };
        if let Some((index, _)) = self.raft.start(entry::encode_noop(id)) {
            debug!(
                server = self.me,
                term,
                topic = "client",
                index,
                "started a no-op to commit earlier terms' entries"
            );
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
