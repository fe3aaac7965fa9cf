//! What an rsm puts in the Raft log: the submitted op with the id of its submission, or a no-op
//! (see [`encode_noop`]).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Names one submission. `incarnation` is drawn from the seeded RNG when the replica starts, so a
/// restarted replica, whose `seq` starts over, never reuses an id an earlier incarnation may have
/// left in the log; a collision would need two equal 64-bit draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpId {
    pub incarnation: u64,
    pub seq: u64,
}

/// The bytes `Raft::start` gets for `op` submitted as `id`.
pub fn encode<Op: Serialize>(id: OpId, op: &Op) -> Vec<u8> {
    bincode::serialize(&(id, Some(op))).expect("encoding plain data into memory cannot fail")
}

/// The bytes of a no-op: an entry the state machine never sees. A leader of a new term starts one
/// so that entries of earlier terms still in its log commit (Raft commits only by counting
/// replicas of a current-term entry) without waiting for the next client op.
pub fn encode_noop(id: OpId) -> Vec<u8> {
    bincode::serialize(&(id, None::<()>)).expect("encoding plain data into memory cannot fail")
}

/// The id and op (`None` for a no-op) of a log entry; an error for bytes no rsm of this op type
/// wrote.
pub fn decode<Op: DeserializeOwned>(command: &[u8]) -> Result<(OpId, Option<Op>), String> {
    bincode::deserialize(command).map_err(|e| format!("undecodable log entry: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Op {
        Add(i64),
        Name(String),
    }

    #[test]
    fn an_entry_decodes_to_the_submitted_op_and_id() {
        let id = OpId {
            incarnation: 7,
            seq: 3,
        };
        for op in [Op::Add(-4), Op::Name("x".into())] {
            let bytes = encode(id, &op);
            assert_eq!(decode::<Op>(&bytes), Ok((id, Some(op))));
        }
    }

    #[test]
    fn a_noop_decodes_to_no_op_whatever_the_op_type() {
        let id = OpId {
            incarnation: 1,
            seq: 2,
        };
        assert_eq!(decode::<Op>(&encode_noop(id)), Ok((id, None)));
    }

    #[test]
    fn foreign_bytes_are_an_error() {
        assert!(decode::<Op>(&[1, 2]).is_err());
    }
}
