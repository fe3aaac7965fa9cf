//! The state machine the rsm replicates: Lab 2's versioned store, driven by gets and puts.

use kvsrv::Store;
use raftapi::versioned::{GetArgs, GetReply, PutArgs, PutReply};
use raftapi::{RestoreError, StateMachine};
use serde::{Deserialize, Serialize};

/// A client request as it goes through the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvOp {
    Get(GetArgs),
    Put(PutArgs),
}

/// What executing a [`KvOp`] answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvReply {
    Get(GetReply),
    Put(PutReply),
}

/// The replicated state: every key's value and version.
#[derive(Debug, Default)]
pub struct KvMachine {
    store: Store,
}

impl StateMachine for KvMachine {
    type Op = KvOp;
    type Reply = KvReply;

    fn do_op(&mut self, op: KvOp) -> KvReply {
        match op {
            KvOp::Get(args) => KvReply::Get(self.store.get(&args.key)),
            KvOp::Put(args) => KvReply::Put(self.store.put(args)),
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        bincode::serialize(&self.store).expect("a store always encodes")
    }

    fn restore(&mut self, snapshot: &[u8]) -> Result<(), RestoreError> {
        self.store = bincode::deserialize(snapshot).map_err(|e| RestoreError(e.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raftapi::KvError;

    fn put(m: &mut KvMachine, key: &str, value: &str, version: u64) -> KvReply {
        m.do_op(KvOp::Put(PutArgs {
            key: key.into(),
            value: value.into(),
            version,
        }))
    }

    #[test]
    fn ops_follow_the_versioned_table_and_survive_a_snapshot() {
        let mut m = KvMachine::default();
        assert_eq!(put(&mut m, "k", "a", 0), KvReply::Put(Ok(())));
        assert_eq!(
            put(&mut m, "k", "b", 0),
            KvReply::Put(Err(KvError::Version))
        );
        let mut copy = KvMachine::default();
        copy.restore(&m.snapshot()).unwrap();
        let get = KvOp::Get(GetArgs { key: "k".into() });
        assert_eq!(copy.do_op(get), KvReply::Get(Ok(("a".into(), 1))));
    }

    #[test]
    fn a_snapshot_that_does_not_decode_is_an_error_and_changes_nothing() {
        let mut m = KvMachine::default();
        put(&mut m, "k", "a", 0);
        assert!(m.restore(&[0xff, 0xff, 0xff]).is_err());
        let get = KvOp::Get(GetArgs { key: "k".into() });
        assert_eq!(m.do_op(get), KvReply::Get(Ok(("a".into(), 1))));
    }
}
