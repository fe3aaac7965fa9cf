//! The 2023 service's state machine for the rsm: the store with its per-client dedup table, driven
//! by Get, Put and Append ops.

use crate::rpc::Op;
use crate::store::Store;
use raftapi::{RestoreError, StateMachine};

/// The replicated state of the 2023 KV service.
#[derive(Debug, Default)]
pub struct KvMachine {
    store: Store,
}

impl StateMachine for KvMachine {
    type Op = Op;
    /// The value for a Get, "" for a write.
    type Reply = String;

    fn do_op(&mut self, op: Op) -> String {
        self.store.apply(&op);
        self.store.reply(&op)
    }

    /// Followers, and leaders whose client gave up, copy no value they would not send.
    fn do_op_unanswered(&mut self, op: Op) {
        self.store.apply(&op);
    }

    fn snapshot(&self) -> Vec<u8> {
        bincode::serialize(&self.store).expect("encoding plain data into memory cannot fail")
    }

    fn restore(&mut self, snapshot: &[u8]) -> Result<(), RestoreError> {
        self.store = bincode::deserialize(snapshot).map_err(|e| RestoreError(e.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::OpKind;

    fn op(kind: OpKind, key: &str, value: &str, client: u64, seq: u64) -> Op {
        Op {
            kind,
            key: key.into(),
            value: value.into(),
            client,
            seq,
        }
    }

    #[test]
    fn answered_or_not_an_op_changes_the_state_alike() {
        let (mut a, mut b) = (KvMachine::default(), KvMachine::default());
        for o in [
            op(OpKind::Put, "k", "x", 1, 1),
            op(OpKind::Append, "k", "y", 2, 1),
            op(OpKind::Append, "k", "y", 2, 1),
        ] {
            a.do_op(o.clone());
            b.do_op_unanswered(o);
        }
        assert_eq!(a.snapshot(), b.snapshot());
        assert_eq!(a.do_op(op(OpKind::Get, "k", "", 3, 1)), "xy");
    }

    #[test]
    fn the_dedup_table_survives_a_snapshot() {
        let mut m = KvMachine::default();
        m.do_op(op(OpKind::Append, "k", "a", 1, 1));
        let mut copy = KvMachine::default();
        copy.restore(&m.snapshot()).unwrap();
        copy.do_op(op(OpKind::Append, "k", "a", 1, 1));
        assert_eq!(copy.do_op(op(OpKind::Get, "k", "", 2, 1)), "a");
    }

    #[test]
    fn a_snapshot_that_does_not_decode_is_an_error_and_changes_nothing() {
        let mut m = KvMachine::default();
        m.do_op(op(OpKind::Put, "k", "v", 1, 1));
        let before = m.snapshot();
        assert!(m.restore(&[0xff; 3]).is_err());
        assert_eq!(m.snapshot(), before);
    }
}
