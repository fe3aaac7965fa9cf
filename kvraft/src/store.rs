//! The replicated state machine: the key/value map and, per client, the last write applied, so that
//! a retried Put or Append takes effect exactly once. Both go into snapshots (see `machine`).

use crate::rpc::{Op, OpKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    data: BTreeMap<String, String>,
    /// client id → the sequence number of its last applied Put or Append.
    last_write: BTreeMap<u64, u64>,
}

impl Store {
    /// Applies `op` unless it is a write already applied. A Get changes nothing.
    pub fn apply(&mut self, op: &Op) {
        if op.kind == OpKind::Get
            || self
                .last_write
                .get(&op.client)
                .is_some_and(|&seq| op.seq <= seq)
        {
            return;
        }
        if op.kind == OpKind::Put {
            self.data.insert(op.key.clone(), op.value.clone());
        } else {
            self.data
                .entry(op.key.clone())
                .or_default()
                .push_str(&op.value);
        }
        self.last_write.insert(op.client, op.seq);
    }

    /// The reply to `op` once applied: the value for a Get, "" for a write. Only a replica with a
    /// request waiting asks, so followers never copy values they do not send.
    ///
    /// A Get is answered from the current state even when it is a retry: the clerk is still waiting,
    /// so the present value is a linearizable answer, and no Get reply has to be kept (they can be
    /// as long as the longest value).
    pub fn reply(&self, op: &Op) -> String {
        match op.kind {
            OpKind::Get => self.data.get(&op.key).cloned().unwrap_or_default(),
            OpKind::Put | OpKind::Append => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_retried_append_applies_once() {
        let mut s = Store::default();
        s.apply(&op(OpKind::Append, "k", "a", 1, 1));
        s.apply(&op(OpKind::Append, "k", "a", 1, 1));
        s.apply(&op(OpKind::Append, "k", "b", 2, 1));
        assert_eq!(s.reply(&op(OpKind::Get, "k", "", 3, 1)), "ab");
    }

    #[test]
    fn a_retried_get_reads_the_present_and_keeps_writes_deduplicated() {
        let mut s = Store::default();
        s.apply(&op(OpKind::Put, "k", "1", 1, 1));
        let get = op(OpKind::Get, "k", "", 2, 1);
        s.apply(&get);
        assert_eq!(s.reply(&get), "1");
        s.apply(&op(OpKind::Put, "k", "2", 1, 2));
        s.apply(&get);
        assert_eq!(s.reply(&get), "2");
        // Client 2's Get did not count as a write: its next write (seq 2) applies, once.
        s.apply(&op(OpKind::Append, "k", "x", 2, 2));
        s.apply(&op(OpKind::Append, "k", "x", 2, 2));
        assert_eq!(s.reply(&op(OpKind::Get, "k", "", 3, 1)), "2x");
    }
}
