//! The replicated state: every key's value and version, driven by your gets and puts.

use raftapi::{RestoreError, StateMachine};
use serde::{Deserialize, Serialize};

/// What goes through the log: yours to shape (a get or a put with its arguments).
#[derive(Debug, Serialize, Deserialize)]
pub enum KvOp {}

#[derive(Default)]
pub struct KvMachine {
    // Your state here (4B).
}

impl StateMachine for KvMachine {
    type Op = KvOp;
    type Reply = ();

    fn do_op(&mut self, _op: KvOp) {
        unimplemented!("versioned::KvMachine::do_op (Lab 4B)")
    }

    fn snapshot(&self) -> Vec<u8> {
        unimplemented!("versioned::KvMachine::snapshot (Lab 4C)")
    }

    fn restore(&mut self, _snapshot: &[u8]) -> Result<(), RestoreError> {
        unimplemented!("versioned::KvMachine::restore (Lab 4C)")
    }
}
