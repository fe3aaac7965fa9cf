//! The test state machine: an integer counter. Inc adds one and replies with the new value, Null
//! changes nothing; Dec is never supposed to run (the tests submit it only where it cannot commit),
//! so executing it fails the test, as an unexpected op aborts the Go test.

use raftapi::{RestoreError, StateMachine};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CounterOp {
    Inc,
    Null,
    Dec,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterReply {
    /// IncRep{N}: the counter after the increment.
    IncRep {
        n: u64,
    },
    NullRep,
}

/// Replica `me`'s counter. The value is shared with the tester, which reads it (checkCounter).
pub struct Counter {
    me: usize,
    n: Arc<AtomicU64>,
}

impl Counter {
    pub fn new(me: usize, n: Arc<AtomicU64>) -> Self {
        Counter { me, n }
    }
}

impl StateMachine for Counter {
    type Op = CounterOp;
    type Reply = CounterReply;

    fn do_op(&mut self, op: CounterOp) -> CounterReply {
        match op {
            CounterOp::Inc => CounterReply::IncRep {
                n: self.n.fetch_add(1, Ordering::Relaxed) + 1,
            },
            CounterOp::Null => CounterReply::NullRep,
            CounterOp::Dec => panic!(
                "server {}: DoOp executed Dec, an op that was only ever submitted to a leader cut \
                 off from the majority; the rsm must execute only committed ops",
                self.me
            ),
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        self.n.load(Ordering::Relaxed).to_le_bytes().to_vec()
    }

    /// Bytes that are not a counter fail the test (the Go test machine aborts): an rsm must
    /// restore only from a non-empty snapshot its state machine produced.
    fn restore(&mut self, snapshot: &[u8]) -> Result<(), RestoreError> {
        let Ok(bytes) = <[u8; 8]>::try_from(snapshot) else {
            panic!(
                "server {}: Restore got {} bytes, not a counter snapshot (8 bytes); an rsm must \
                 call Restore only with a non-empty snapshot that Snapshot produced",
                self.me,
                snapshot.len()
            );
        };
        self.n.store(u64::from_le_bytes(bytes), Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inc_counts_and_snapshots_restore_the_count() {
        let n = Arc::new(AtomicU64::new(0));
        let mut c = Counter::new(0, n.clone());
        assert_eq!(c.do_op(CounterOp::Inc), CounterReply::IncRep { n: 1 });
        assert_eq!(c.do_op(CounterOp::Null), CounterReply::NullRep);
        let snap = c.snapshot();
        let m = Arc::new(AtomicU64::new(0));
        Counter::new(1, m.clone()).restore(&snap).unwrap();
        assert_eq!(m.load(Ordering::Relaxed), 1);
    }

    #[test]
    #[should_panic(expected = "Restore got 0 bytes")]
    fn restoring_empty_bytes_fails_the_test() {
        let _ = Counter::new(0, Arc::default()).restore(&[]);
    }

    #[test]
    #[should_panic(expected = "DoOp executed Dec")]
    fn executing_dec_fails_the_test() {
        Counter::new(0, Arc::default()).do_op(CounterOp::Dec);
    }
}
