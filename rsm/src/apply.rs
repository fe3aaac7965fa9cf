//! The replica's apply task: every message on the apply channel, in order, into the state machine;
//! each reply to the submission that is waiting for it; a snapshot once Raft's state is too big.

use crate::entry::{self, Body};
use crate::replica::Shared;
use crate::snapshot;
use futures::StreamExt;
use futures::channel::mpsc;
use raftapi::{ApplyMsg, Raft, StateMachine};
use std::sync::Arc;
use tracing::{debug, error, info, trace};

/// Reads the apply channel until it closes (Raft was killed) or the task is dropped (its node was);
/// either way the replica then closes, answering every submission `WrongLeader`.
pub async fn apply_loop<R: Raft, SM: StateMachine>(
    shared: Arc<Shared<R, SM>>,
    mut apply_rx: mpsc::Receiver<ApplyMsg>,
) {
    let _close = CloseOnExit(shared.clone());
    while let Some(msg) = apply_rx.next().await {
        match msg {
            ApplyMsg::Command { index, command } => apply_command(&shared, index, &command),
            ApplyMsg::Snapshot { index, data, .. } => {
                if let Err(e) = install_snapshot(&shared, index, &data) {
                    // What follows the snapshot builds on a state this replica does not have.
                    error!(
                        server = shared.me,
                        index, "cannot install a snapshot, applying stops: {e}"
                    );
                    return;
                }
            }
        }
    }
    debug!(server = shared.me, topic = "apply", "apply channel closed");
}

struct CloseOnExit<R, SM: StateMachine>(Arc<Shared<R, SM>>);

impl<R, SM: StateMachine> Drop for CloseOnExit<R, SM> {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.closed = true;
        state.pending.clear();
    }
}

fn apply_command<R: Raft, SM: StateMachine>(shared: &Shared<R, SM>, index: u64, command: &[u8]) {
    let mut state = shared.state();
    if index <= state.applied {
        return;
    }
    state.applied = index;
    match entry::decode::<SM::Op>(command) {
        Ok((id, Body::Op(op))) if state.pending.waits(index, id) => {
            let reply = state.sm.do_op(op);
            trace!(server = shared.me, topic = "apply", index, "applied");
            state.pending.answer(index, id, reply);
        }
        // Nobody here waits for this op's reply: a follower's copy, or a submitter gone.
        Ok((_, Body::Op(op))) => {
            state.sm.do_op_unanswered(op);
            trace!(server = shared.me, topic = "apply", index, "applied");
            state.pending.drop_through(index);
        }
        Ok((_, Body::NoOp { term })) => {
            state.pending.drop_through(index);
            state.pending.drop_older_than(term);
        }
        Err(e) => {
            state.pending.drop_through(index);
            error!(server = shared.me, index, "skipping a log entry: {e}");
        }
    }
    if needs_snapshot(shared) {
        let bytes = snapshot::encode(index, &state.sm.snapshot());
        drop(state);
        shared.raft.snapshot(index, bytes);
        debug!(
            server = shared.me,
            topic = "snapshot",
            index,
            "snapshot taken"
        );
    }
}

fn install_snapshot<R: Raft, SM: StateMachine>(
    shared: &Shared<R, SM>,
    index: u64,
    data: &[u8],
) -> Result<(), String> {
    let mut state = shared.state();
    if index <= state.applied {
        return Ok(());
    }
    let (_, sm_state) = snapshot::decode(data)?;
    state.sm.restore(sm_state).map_err(|e| e.to_string())?;
    state.applied = index;
    // Submissions waiting on entries the snapshot covers cannot learn whether theirs was applied.
    state.pending.drop_through(index);
    info!(
        server = shared.me,
        topic = "snapshot",
        index,
        "installed snapshot"
    );
    Ok(())
}

/// Whether the persisted Raft state exceeds `maxraftstate` (never, when it is negative).
fn needs_snapshot<R: Raft, SM: StateMachine>(shared: &Shared<R, SM>) -> bool {
    shared.maxraftstate >= 0 && shared.raft.persist_bytes() as i64 > shared.maxraftstate
}
