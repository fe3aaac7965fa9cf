//! What the harness does when the implementation under test misbehaves: each test runs the Raft
//! tester on a deliberately broken Raft and checks that the run fails, quickly, with a message that
//! says what went wrong and where — never a hang, never an abort of the whole suite.
//!
//! - a deadlock (a lock taken twice on one thread) freezes the executor: the stall watchdog fails
//!   the run after its wall-time limit, with the virtual time reached and each node's last event;
//! - a panicking RPC handler fails the run naming the peer it panicked on, at its virtual time;
//! - a handler that never replies is named in the tester's failure message;
//! - garbage on the apply channel is an apply error naming the peer and the index.

use futures::SinkExt;
use labrpc::{ClientEnd, Service};
use raft_lab_tests::raft_config::Config;
use raftapi::{ApplyMsg, ApplySender, Persister, Raft, RaftError};
use sim::runner::{RunReport, run_seed, run_seed_watched};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What each broken Raft gets wrong.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bug {
    /// `state()` takes its lock, then calls a helper that takes it again.
    Deadlock,
    /// The RequestVote handler panics.
    PanicInHandler,
    /// The RequestVote handler never returns.
    NeverReplies,
    /// Sends bytes that are not a command the tester proposed.
    GarbageApply,
}

/// A Raft that asks its peers for votes once, 300 ms after it starts, and otherwise does nothing
/// but its one bug.
struct Broken<const B: u8> {
    term: Arc<Mutex<u64>>,
}

const DEADLOCK: u8 = 0;
const PANIC_IN_HANDLER: u8 = 1;
const NEVER_REPLIES: u8 = 2;
const GARBAGE_APPLY: u8 = 3;

impl<const B: u8> Broken<B> {
    fn bug() -> Bug {
        match B {
            DEADLOCK => Bug::Deadlock,
            PANIC_IN_HANDLER => Bug::PanicInHandler,
            NEVER_REPLIES => Bug::NeverReplies,
            _ => Bug::GarbageApply,
        }
    }

    fn is_leader(&self) -> bool {
        let _term = self.term.lock().unwrap_or_else(|e| e.into_inner());
        false
    }
}

impl<const B: u8> Raft for Broken<B> {
    fn make(
        peers: Vec<ClientEnd>,
        me: usize,
        _persister: Persister,
        mut apply_tx: ApplySender,
    ) -> Result<Self, RaftError> {
        madsim::task::spawn(async move {
            madsim::time::sleep(Duration::from_millis(300)).await;
            if Self::bug() == Bug::GarbageApply && me == 0 {
                let garbage = ApplyMsg::Command {
                    index: 1,
                    command: vec![0xff; 3],
                };
                let _ = apply_tx.send(garbage).await;
            }
            for (j, end) in peers.into_iter().enumerate() {
                if j != me {
                    madsim::task::spawn(async move {
                        let _ = end.call::<_, bool>("Raft.RequestVote", &me).await;
                    });
                }
            }
        });
        Ok(Broken {
            term: Arc::new(Mutex::new(0)),
        })
    }

    fn service(&self) -> Service {
        Service::new("Raft").method("RequestVote", |_candidate: usize| async move {
            match Self::bug() {
                Bug::PanicInHandler => panic!("index out of bounds in RequestVote"),
                Bug::NeverReplies => std::future::pending::<bool>().await,
                _ => false,
            }
        })
    }

    fn start(&self, _command: Vec<u8>) -> Option<(u64, u64)> {
        None
    }

    fn state(&self) -> (u64, bool) {
        let term = self.term.lock().unwrap_or_else(|e| e.into_inner());
        let leader = Self::bug() == Bug::Deadlock && self.is_leader();
        (*term, leader)
    }

    fn snapshot(&self, _index: u64, _snapshot: Vec<u8>) {}

    fn persist_bytes(&self) -> usize {
        0
    }

    fn kill(&self) {}
}

/// The first 2A test's opening, on Raft `R`.
async fn elect<R: Raft>() {
    let cfg = Config::<R>::new(3, false, false).await;
    cfg.check_one_leader().await;
    cfg.cleanup();
}

fn failure(report: &RunReport) -> String {
    report.failure().expect("the broken Raft passed")
}

#[test]
fn a_deadlocked_executor_fails_after_the_stall_limit_not_never() {
    // Wall time, outside the simulation: how long the test waited for the verdict.
    let started = std::time::Instant::now();
    let report = run_seed_watched(5, Duration::from_secs(2), elect::<Broken<DEADLOCK>>);
    let message = failure(&report);
    assert!(
        message.starts_with("no progress for 2 s of wall time: virtual time is stuck at"),
        "{message}"
    );
    for peer in ["raft-0", "raft-1", "raft-2"] {
        assert!(message.contains(&format!("\n    {peer}: ")), "{message}");
    }
    // check_one_leader sleeps 450–549 ms before it first asks for the state.
    let at = report.virtual_time.as_millis();
    assert!((450..550).contains(&at), "stuck at {at} ms");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_panicking_handler_fails_the_run_naming_the_peer_and_the_time() {
    let report = run_seed(5, elect::<Broken<PANIC_IN_HANDLER>>);
    let message = failure(&report);
    assert!(
        message.starts_with("index out of bounds in RequestVote (panicked on node raft-"),
        "{message}"
    );
    assert_eq!(report.virtual_time.as_millis(), 300);
}

#[test]
fn a_handler_that_never_replies_is_named_in_the_failure() {
    let report = run_seed(5, elect::<Broken<NEVER_REPLIES>>);
    let message = failure(&report);
    assert!(
        message.starts_with("expected one leader, got none\n  handlers that have not replied"),
        "{message}"
    );
    for peer in ["raft-0", "raft-1", "raft-2"] {
        assert!(
            message.contains(&format!(
                "\n    {peer} Raft.RequestVote: 2 call(s) unanswered"
            )),
            "{message}"
        );
    }
    // Ten rounds of 450–549 ms.
    let at = report.virtual_time.as_secs();
    assert!((4..6).contains(&at), "failed at {:?}", report.virtual_time);
}

#[test]
fn garbage_on_the_apply_channel_is_an_apply_error_naming_the_peer() {
    let report = run_seed(5, elect::<Broken<GARBAGE_APPLY>>);
    let message = failure(&report);
    assert!(
        message
            .starts_with("apply error: server 0 index 1: 3 applied bytes are not a tester command"),
        "{message}"
    );
    assert!(message.ends_with("(panicked on node raft-0)"), "{message}");
}
