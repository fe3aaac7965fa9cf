//! What Raft keeps on stable storage (Figure 2: currentTerm, votedFor, log), and its encoding.

use crate::log::Log;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HardState {
    pub term: u64,
    pub voted_for: Option<u64>,
    pub log: Log,
}

impl HardState {
    /// The bincode encoding of the whole state as chunks to concatenate, built from the log's kept
    /// entry encodings (mostly shared, not copied).
    pub fn encode_chunks(&self) -> Vec<Bytes> {
        let header = bincode::serialize(&(self.term, self.voted_for))
            .expect("encoding plain data into memory cannot fail");
        self.log.encode_chunks(header)
    }

    /// The bincode encoding of the whole state in one piece.
    #[cfg(test)]
    pub fn encode(&self) -> Vec<u8> {
        self.encode_chunks().concat()
    }

    /// Decodes persisted bytes; empty bytes are a fresh peer. Anything else that does not decode, or
    /// decodes into an impossible state, is an error naming what is wrong.
    pub fn decode(bytes: &[u8], peers: usize) -> Result<Self, String> {
        if bytes.is_empty() {
            return Ok(HardState::default());
        }
        let mut state: HardState =
            bincode::deserialize(bytes).map_err(|e| format!("undecodable raft state: {e}"))?;
        // Trailing bytes decode too (bincode allows them); then the entries' encodings are not the
        // suffix of `bytes`, and the log encodes them afresh.
        let decoded_len = bincode::serialized_size(&state).map_or(0, |n| n as usize);
        state.log.restore_encoding(bytes, decoded_len);
        if let Some(v) = state.voted_for
            && v as usize >= peers
        {
            return Err(format!("voted for peer {v}, but there are {peers} peers"));
        }
        if !state.log.is_well_formed() || state.log.last_term() > state.term {
            return Err("log terms are out of order or ahead of the current term".into());
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Entry;

    #[test]
    fn round_trip() {
        let mut s = HardState {
            term: 3,
            voted_for: Some(1),
            log: Log::default(),
        };
        s.log.append(Entry {
            term: 2,
            command: vec![1, 2, 3],
        });
        assert_eq!(s.encode(), bincode::serialize(&s).unwrap());
        assert_eq!(HardState::decode(&s.encode(), 3), Ok(s));
    }

    #[test]
    fn a_decoded_state_encodes_to_the_same_bytes() {
        let mut s = HardState {
            term: 3,
            voted_for: None,
            log: Log::default(),
        };
        for i in 0..2000u64 {
            s.log.append(Entry {
                term: 1 + i / 700,
                command: vec![i as u8; (i % 90) as usize],
            });
        }
        let bytes = s.encode();
        let decoded = HardState::decode(&bytes, 3).unwrap();
        assert_eq!(decoded.encode(), bytes);
        // Trailing bytes still decode; the kept encodings must not include them.
        let mut trailing = bytes.clone();
        trailing.extend_from_slice(&[7; 5]);
        assert_eq!(HardState::decode(&trailing, 3).unwrap().encode(), bytes);
    }

    #[test]
    fn corrupt_bytes_are_an_error() {
        let s = HardState {
            term: 3,
            voted_for: Some(1),
            log: Log::default(),
        };
        let bytes = s.encode();
        assert!(HardState::decode(&bytes[..bytes.len() - 1], 3).is_err());
        assert!(HardState::decode(&[0xff; 3], 3).is_err());
        assert!(
            HardState::decode(&bytes, 1).is_err(),
            "vote for unknown peer"
        );
        assert_eq!(HardState::decode(&[], 3), Ok(HardState::default()));
    }
}
