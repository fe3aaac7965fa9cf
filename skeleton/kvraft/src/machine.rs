//! The 2023 service's state: the key/value map and what makes a retried write take effect once.

use raftapi::{RestoreError, StateMachine};
use serde::{Deserialize, Serialize};

/// What goes through the log: yours to shape (a Get, Put or Append, with who sent it).
#[derive(Debug, Serialize, Deserialize)]
pub enum Op {}

#[derive(Default)]
pub struct KvMachine {
    // Your state here (3A).
}

impl StateMachine for KvMachine {
    type Op = Op;
    /// The value for a Get, "" for a write.
    type Reply = String;

    fn do_op(&mut self, _op: Op) -> String {
        unimplemented!("KvMachine::do_op (Lab 3A)")
    }

    fn snapshot(&self) -> Vec<u8> {
        unimplemented!("KvMachine::snapshot (Lab 3B)")
    }

    fn restore(&mut self, _snapshot: &[u8]) -> Result<(), RestoreError> {
        unimplemented!("KvMachine::restore (Lab 3B)")
    }
}
