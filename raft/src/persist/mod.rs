//! What Raft keeps on stable storage (Figure 2: currentTerm, votedFor, log; and the snapshot), how it
//! is encoded, and how a restarting peer reads it back.

mod encoder;
mod pieces;

pub use encoder::StateEncoder;

use crate::log::Log;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HardState {
    pub term: u64,
    pub voted_for: Option<u64>,
    pub log: Log,
}

impl HardState {
    /// Decodes persisted bytes; empty bytes are a fresh peer. Anything else that does not decode, or
    /// decodes into an impossible state, is an error naming what is wrong.
    pub fn decode(bytes: &[u8], peers: usize) -> Result<Self, String> {
        if bytes.is_empty() {
            return Ok(HardState::default());
        }
        let state: HardState =
            bincode::deserialize(bytes).map_err(|e| format!("undecodable raft state: {e}"))?;
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

/// What a peer starts from: its hard state and the encoder that saves it. (The snapshot stays on
/// stable storage; the log knows where it ends.)
#[derive(Clone, Debug, Default)]
pub struct Stored {
    pub hard: HardState,
    pub encoder: StateEncoder,
}

impl Stored {
    /// What a persister held: the encoded hard state (empty for a fresh peer).
    pub fn load(raft_state: &[u8], peers: usize) -> Result<Self, String> {
        let hard = HardState::decode(raft_state, peers)?;
        let encoder = StateEncoder::resume(&hard, raft_state);
        Ok(Stored { hard, encoder })
    }

    /// A peer that starts from `hard` (and no snapshot), as if it had just decoded it.
    #[cfg(test)]
    pub fn from_hard_state(hard: HardState) -> Self {
        Stored {
            hard,
            ..Stored::default()
        }
    }
}

#[cfg(test)]
mod tests;
