//! The optional read-only view of a peer that the fuzzers' safety invariants read.

/// A peer's state at one instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerView {
    pub term: u64,
    pub role: RoleName,
    pub voted_for: Option<u64>,
    pub snapshot_index: u64,
    pub snapshot_term: u64,
    /// Terms of the entries after the snapshot, in order.
    pub log_terms: Vec<u64>,
    pub commit_index: u64,
    pub last_applied: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleName {
    Follower,
    Candidate,
    Leader,
}
