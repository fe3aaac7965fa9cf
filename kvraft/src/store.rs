//! The replicated state machine: the key/value map and, per client, the last operation applied with
//! its reply, so that a retried operation takes effect exactly once. Both go into snapshots.

use crate::rpc::{Op, OpKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    data: BTreeMap<String, String>,
    /// client id → (last applied seq, its reply).
    last: BTreeMap<u64, (u64, String)>,
}

impl Store {
    /// Applies `op` unless it is a duplicate; returns its reply either way.
    pub fn apply(&mut self, op: &Op) -> String {
        if let Some((seq, reply)) = self.last.get(&op.client)
            && op.seq <= *seq
        {
            return reply.clone();
        }
        let reply = match op.kind {
            OpKind::Get => self.data.get(&op.key).cloned().unwrap_or_default(),
            OpKind::Put => {
                self.data.insert(op.key.clone(), op.value.clone());
                String::new()
            }
            OpKind::Append => {
                self.data
                    .entry(op.key.clone())
                    .or_default()
                    .push_str(&op.value);
                String::new()
            }
        };
        self.last.insert(op.client, (op.seq, reply.clone()));
        reply
    }
}

/// A KV snapshot: the store as of Raft index `index`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub index: u64,
    pub store: Store,
}

impl Snapshot {
    /// The encoding of `Snapshot { index, store }`, without cloning the store to build one.
    pub fn encode_store(index: u64, store: &Store) -> Vec<u8> {
        bincode::serialize(&(index, store)).expect("encoding plain data into memory cannot fail")
    }

    /// Empty bytes are an empty store at index 0; bytes that do not decode are an error.
    pub fn decode(bytes: &[u8]) -> Result<Snapshot, String> {
        if bytes.is_empty() {
            return Ok(Snapshot::default());
        }
        bincode::deserialize(bytes).map_err(|e| format!("undecodable KV snapshot: {e}"))
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
    fn encoding_by_reference_is_the_derived_encoding() {
        let mut store = Store::default();
        store.apply(&op(OpKind::Append, "k", "abc", 7, 1));
        let bytes = Snapshot::encode_store(9, &store);
        let snap = Snapshot { index: 9, store };
        assert_eq!(bytes, bincode::serialize(&snap).unwrap());
        assert_eq!(Snapshot::decode(&bytes), Ok(snap));
    }

    #[test]
    fn a_retried_append_applies_once() {
        let mut s = Store::default();
        s.apply(&op(OpKind::Append, "k", "a", 1, 1));
        s.apply(&op(OpKind::Append, "k", "a", 1, 1));
        s.apply(&op(OpKind::Append, "k", "b", 2, 1));
        assert_eq!(s.apply(&op(OpKind::Get, "k", "", 3, 1)), "ab");
    }

    #[test]
    fn a_retried_get_returns_its_first_answer() {
        let mut s = Store::default();
        s.apply(&op(OpKind::Put, "k", "1", 1, 1));
        assert_eq!(s.apply(&op(OpKind::Get, "k", "", 2, 1)), "1");
        s.apply(&op(OpKind::Put, "k", "2", 1, 2));
        assert_eq!(s.apply(&op(OpKind::Get, "k", "", 2, 1)), "1");
    }

    #[test]
    fn snapshot_round_trip_and_corruption() {
        let mut snap = Snapshot {
            index: 7,
            ..Default::default()
        };
        snap.store.apply(&op(OpKind::Put, "a", "b", 1, 1));
        let bytes = Snapshot::encode_store(snap.index, &snap.store);
        assert_eq!(Snapshot::decode(&bytes), Ok(snap));
        assert!(Snapshot::decode(&bytes[..bytes.len() - 2]).is_err());
    }
}
