//! A replica's watch on its Raft's leadership: the first entry it starts in each term it leads is
//! a no-op, so that what the term's leader inherited commits without waiting for a client op (Raft
//! commits only by counting replicas of a current-term entry), and so that submissions of earlier
//! terms learn, when it is applied, that their entries never will be.

use crate::entry;
use crate::replica::Shared;
use raftapi::{Raft, StateMachine};
use std::sync::Arc;
use std::time::Duration;
use tracing::debug;

/// How often the replica asks its Raft whether it leads a new term. An election takes longer than
/// this (the election timeout is several hundred milliseconds), so a leadership is rarely missed;
/// one missed only delays commits until the next op.
const LEADERSHIP_CHECK: Duration = Duration::from_millis(50);

/// Runs until the replica closes (its Raft was killed, or its node died with this task).
pub async fn start_terms_with_noops<R: Raft, SM: StateMachine>(shared: Arc<Shared<R, SM>>) {
    let mut started_in = 0;
    loop {
        madsim::time::sleep(LEADERSHIP_CHECK).await;
        if shared.state().closed {
            return;
        }
        let (term, leading) = shared.raft.state();
        if !leading || term <= started_in {
            continue;
        }
        started_in = term;
        if let Some((index, _)) = shared
            .raft
            .start(entry::encode_noop(shared.next_id(), term))
        {
            debug!(
                server = shared.me,
                term,
                topic = "client",
                index,
                "started the term's no-op"
            );
        }
    }
}
