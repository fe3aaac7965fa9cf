//! What an rsm puts in the Raft log: the submitted op with the id of its submission, or a leader's
//! no-op (see [`Body::NoOp`]).

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

/// What a log entry holds besides its id.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Body<Op> {
    /// A submitted op.
    Op(Op),
    /// A leader's first entry of its term: the state machine never sees it. Once it is applied,
    /// everything the term's leader inherited is applied too, and no entry of an earlier term can
    /// ever be applied after it, so submissions of earlier terms still waiting have lost.
    NoOp { term: u64 },
}

/// The bytes `Raft::start` gets for `op` submitted as `id`.
pub fn encode<Op: Serialize>(id: OpId, op: &Op) -> Vec<u8> {
    bincode::serialize(&(id, Body::Op(op))).expect("encoding plain data into memory cannot fail")
}

/// The bytes of the no-op a leader of `term` starts.
pub fn encode_noop(id: OpId, term: u64) -> Vec<u8> {
    bincode::serialize(&(id, Body::<()>::NoOp { term }))
        .expect("encoding plain data into memory cannot fail")
}

/// The id and body of a log entry; an error for bytes no rsm of this op type wrote.
pub fn decode<Op: DeserializeOwned>(command: &[u8]) -> Result<(OpId, Body<Op>), String> {
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
            assert_eq!(decode::<Op>(&bytes), Ok((id, Body::Op(op))));
        }
    }

    #[test]
    fn a_noop_decodes_with_its_term_whatever_the_op_type() {
        let id = OpId {
            incarnation: 1,
            seq: 2,
        };
        assert_eq!(
            decode::<Op>(&encode_noop(id, 9)),
            Ok((id, Body::NoOp { term: 9 }))
        );
    }

    #[test]
    fn foreign_bytes_are_an_error() {
        assert!(decode::<Op>(&[1, 2]).is_err());
    }
}
