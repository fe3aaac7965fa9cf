//! A KV replica: turns client requests into Raft log entries, applies committed entries in log order
//! to the store, answers each request once its own entry is applied, and snapshots the store when the
//! persisted Raft state nears `maxraftstate`.

use crate::rpc::{KvError, Op, OpReply};
use crate::store::{Snapshot, Store};
use futures::StreamExt;
use futures::channel::{mpsc, oneshot};
use labrpc::{ClientEnd, Service};
use raftapi::{ApplyMsg, Persister, Raft, RaftError};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tracing::{debug, error, info, trace};

/// How long a request waits for its entry to be applied before the clerk is told to try elsewhere.
/// A leader cut off from the majority never commits; the clerk must not wait on it forever.
const COMMIT_WAIT: Duration = Duration::from_millis(500);

/// How many applied entries Raft may hand over before this replica takes them: room for a batch
/// saves two task switches per entry (Raft's applier hands over up to 64 per lock).
const APPLY_BUFFER: usize = 64;

/// The entry applied at an index: whose op it was and its reply.
struct Applied {
    client: u64,
    seq: u64,
    reply: String,
}

struct State {
    store: Store,
    /// Index of the last log entry applied to `store`.
    applied: u64,
    /// Requests waiting for the entry at an index to be applied.
    waiters: BTreeMap<u64, Vec<oneshot::Sender<Applied>>>,
    /// (term, index) of the last op this server started as leader.
    last_started: (u64, u64),
}

struct Shared<R> {
    me: usize,
    raft: R,
    state: Mutex<State>,
    maxraftstate: i64,
    killed: AtomicBool,
}

/// A KV server replica, on any Raft peer `R`. Cloning shares it.
pub struct KvServer<R> {
    shared: Arc<Shared<R>>,
}

impl<R> Clone for KvServer<R> {
    fn clone(&self) -> Self {
        KvServer {
            shared: self.shared.clone(),
        }
    }
}

impl<R: Raft> raftapi::KvServer for KvServer<R> {
    /// Starts replica `me` of `servers` (ends to every replica's Raft, itself included). Must be called
    /// from a task on the replica's madsim node. `maxraftstate` < 0 means never snapshot; otherwise the
    /// replica snapshots when its persisted Raft state nears that many bytes.
    fn start(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
    ) -> Result<Self, RaftError> {
        let snapshot = Snapshot::decode(&persister.snapshot()).map_err(RaftError::CorruptState)?;
        let (apply_tx, apply_rx) = mpsc::channel(APPLY_BUFFER);
        let raft = R::make(servers, me, persister, apply_tx)?;
        let server = KvServer {
            shared: Arc::new(Shared {
                me,
                raft,
                state: Mutex::new(State {
                    store: snapshot.store,
                    applied: snapshot.index,
                    waiters: BTreeMap::new(),
                    last_started: (0, 0),
                }),
                maxraftstate,
                killed: AtomicBool::new(false),
            }),
        };
        madsim::task::spawn(server.clone().apply_loop(apply_rx));
        Ok(server)
    }

    /// "KVServer" (Get, PutAppend) and "Raft".
    fn services(&self) -> Vec<Service> {
        let (get, put_append) = (self.clone(), self.clone());
        let kv = Service::new("KVServer")
            .method("Get", move |op: Op| {
                let server = get.clone();
                async move { server.request(op).await }
            })
            .method("PutAppend", move |op: Op| {
                let server = put_append.clone();
                async move { server.request(op).await }
            });
        vec![kv, self.shared.raft.service()]
    }

    fn raft(&self) -> &dyn Raft {
        &self.shared.raft
    }

    fn kill(&self) {
        self.shared.killed.store(true, Ordering::Release);
        self.shared.raft.kill();
    }
}

impl<R: Raft> KvServer<R> {
    fn killed(&self) -> bool {
        self.shared.killed.load(Ordering::Acquire)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Updates under this lock are single assignments or complete store applies; a poisoned lock
        // (a test already failing) still guards consistent data.
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs one client operation through the log; answers once that very op is applied.
    async fn request(&self, op: Op) -> OpReply {
        if self.killed() {
            return Err(KvError::WrongLeader);
        }
        if self.at_state_limit() && self.awaiting_own_op() {
            return Err(KvError::Busy);
        }
        let command = bincode::serialize(&op).expect("encoding plain data into memory cannot fail");
        let Some((index, term)) = self.shared.raft.start(command) else {
            return Err(KvError::WrongLeader);
        };
        let (tx, rx) = oneshot::channel();
        {
            let mut state = self.state();
            state.last_started = (term, index);
            if state.applied >= index {
                // Applied already, and its outcome is gone; the clerk retries and dedup answers.
                return Err(KvError::WrongLeader);
            }
            state.waiters.entry(index).or_default().push(tx);
        }
        debug!(
            server = self.shared.me,
            term,
            topic = "client",
            index,
            client = op.client,
            seq = op.seq,
            "waiting for commit"
        );
        match madsim::time::timeout(COMMIT_WAIT, rx).await {
            Ok(Ok(applied)) if (applied.client, applied.seq) == (op.client, op.seq) => {
                Ok(applied.reply)
            }
            // Another entry took this index (leadership was lost), or a snapshot replaced it.
            Ok(_) => Err(KvError::WrongLeader),
            Err(_) => Err(KvError::Timeout),
        }
    }

    async fn apply_loop(self, mut apply_rx: mpsc::Receiver<ApplyMsg>) {
        while let Some(msg) = apply_rx.next().await {
            if self.killed() {
                return;
            }
            match msg {
                ApplyMsg::Command { index, command } => self.apply_command(index, &command),
                ApplyMsg::Snapshot { index, data, .. } => self.install_snapshot(index, &data),
            }
        }
    }

    fn apply_command(&self, index: u64, command: &[u8]) {
        let mut state = self.state();
        if index <= state.applied {
            return;
        }
        state.applied = index;
        let waiters = state.waiters.remove(&index).unwrap_or_default();
        match bincode::deserialize::<Op>(command) {
            Ok(op) => {
                state.store.apply(&op);
                // TRACE, not DEBUG: every replica applies every op, so at DEBUG this one event was
                // half of a KV run's trace (and of the cost of digesting it). Raft's "applying"
                // event already records each replica's applied ranges.
                trace!(
                    server = self.shared.me,
                    topic = "apply",
                    index,
                    client = op.client,
                    seq = op.seq,
                    "applied"
                );
                if !waiters.is_empty() {
                    let reply = state.store.reply(&op);
                    for w in waiters {
                        let _ = w.send(Applied {
                            client: op.client,
                            seq: op.seq,
                            reply: reply.clone(),
                        });
                    }
                }
            }
            Err(e) => error!(
                server = self.shared.me,
                index, "skipping an undecodable log entry: {e}"
            ),
        }
        if self.needs_snapshot() {
            let bytes = Snapshot::encode_store(index, &state.store);
            drop(state);
            self.shared.raft.snapshot(index, bytes);
            debug!(
                server = self.shared.me,
                topic = "snapshot",
                index,
                "snapshot taken"
            );
        }
    }

    fn install_snapshot(&self, index: u64, data: &[u8]) {
        let mut state = self.state();
        if index <= state.applied {
            return;
        }
        match Snapshot::decode(data) {
            Ok(snapshot) => {
                state.store = snapshot.store;
                state.applied = index;
                // Requests waiting on entries the snapshot covers learn nothing: dropping their
                // senders answers them WrongLeader, and their clerks retry.
                let rest = state.waiters.split_off(&(index + 1));
                state.waiters = rest;
                info!(
                    server = self.shared.me,
                    topic = "snapshot",
                    index,
                    "installed snapshot"
                );
            }
            Err(e) => error!(server = self.shared.me, index, "ignoring a snapshot: {e}"),
        }
    }

    /// Whether the persisted Raft state has reached the snapshot threshold. Snapshots bring it back
    /// below while commits flow; entries that cannot commit (a leader cut off from the majority)
    /// cannot be snapshotted away, so then a leader admits no op while one of its own is pending.
    /// Followers hold up to one more batch than the leader, so this keeps them under 2x the limit.
    fn at_state_limit(&self) -> bool {
        self.needs_snapshot()
    }

    /// Whether an op this server started in the current term is still unapplied. Then another op
    /// cannot help it commit; without one, the next op is what commits a new leader's inherited
    /// entries (a leader commits only entries of its own term), so it must be admitted.
    fn awaiting_own_op(&self) -> bool {
        let (term, _) = self.shared.raft.state();
        let state = self.state();
        state.last_started.0 == term && state.last_started.1 > state.applied
    }

    /// Snapshot once the persisted Raft state reaches 80% of the limit, so it stays well under it.
    fn needs_snapshot(&self) -> bool {
        let limit = self.shared.maxraftstate;
        limit > 0 && self.shared.raft.persist_bytes() as i64 * 10 >= limit * 8
    }
}
