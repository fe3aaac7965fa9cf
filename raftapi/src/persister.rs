//! Stable storage for one Raft peer: the Raft state and the snapshot, always saved together.
//!
//! A `Persister` is a shared handle. The tester hands a restarted peer a *copy* of what the crashed
//! incarnation saved, so a late write from the killed instance can never reach the new one.
//!
//! The Raft state may be saved as a sequence of shared chunks whose concatenation is the encoded
//! state. A peer with a long log then saves only what changed and shares the rest, instead of
//! copying the whole log on every save; readers still see one byte string.

use bytes::Bytes;
use std::sync::{Arc, Mutex};

#[derive(Default, Clone, Debug)]
struct Stored {
    raft_state: Vec<Bytes>,
    raft_state_size: usize,
    snapshot: Bytes,
}

impl Stored {
    fn set_raft_state(&mut self, chunks: Vec<Bytes>) {
        self.raft_state_size = chunks.iter().map(Bytes::len).sum();
        self.raft_state = chunks;
    }
}

/// A handle to one peer's stable storage. Cloning shares it; [`Persister::copy`] forks it.
#[derive(Clone, Default, Debug)]
pub struct Persister {
    stored: Arc<Mutex<Stored>>,
}

impl Persister {
    pub fn new() -> Self {
        Self::default()
    }

    /// A new, independent persister holding the same bytes.
    pub fn copy(&self) -> Self {
        Persister {
            stored: Arc::new(Mutex::new(self.lock().clone())),
        }
    }

    /// Replaces Raft state and snapshot together, atomically.
    pub fn save(&self, raft_state: Vec<u8>, snapshot: Vec<u8>) {
        self.save_chunks(vec![raft_state.into()], snapshot);
    }

    /// Replaces only the Raft state, keeping the snapshot.
    pub fn save_raft_state(&self, raft_state: Vec<u8>) {
        self.save_raft_state_chunks(vec![raft_state.into()]);
    }

    /// [`Persister::save`] with the Raft state given as chunks to concatenate.
    pub fn save_chunks(&self, raft_state: Vec<Bytes>, snapshot: Vec<u8>) {
        let mut stored = self.lock();
        stored.set_raft_state(raft_state);
        stored.snapshot = snapshot.into();
    }

    /// [`Persister::save_raft_state`] with the state given as chunks to concatenate.
    pub fn save_raft_state_chunks(&self, raft_state: Vec<Bytes>) {
        self.lock().set_raft_state(raft_state);
    }

    pub fn raft_state(&self) -> Vec<u8> {
        self.lock().raft_state.concat()
    }

    pub fn snapshot(&self) -> Vec<u8> {
        self.lock().snapshot.to_vec()
    }

    pub fn raft_state_size(&self) -> usize {
        self.lock().raft_state_size
    }

    pub fn snapshot_size(&self) -> usize {
        self.lock().snapshot.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Stored> {
        // A panic while holding this lock cannot leave the bytes half-written: a write computes
        // before it assigns. So a poisoned lock still guards consistent data.
        self.stored.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_is_independent_of_the_original() {
        let p = Persister::new();
        p.save(vec![1, 2], vec![3]);
        let c = p.copy();
        p.save(vec![9], vec![]);
        assert_eq!(c.raft_state(), vec![1, 2]);
        assert_eq!(c.snapshot(), vec![3]);
        assert_eq!(p.raft_state_size(), 1);
        assert_eq!(p.snapshot_size(), 0);
    }

    #[test]
    fn chunks_read_back_as_one_byte_string() {
        let p = Persister::new();
        p.save(vec![0], vec![5, 5]);
        p.save_raft_state_chunks(vec![
            Bytes::from_static(&[1, 2]),
            Bytes::new(),
            vec![3].into(),
        ]);
        assert_eq!(p.raft_state(), vec![1, 2, 3]);
        assert_eq!(p.raft_state_size(), 3);
        assert_eq!(
            p.snapshot(),
            vec![5, 5],
            "saving the raft state alone keeps the snapshot"
        );
        p.save_chunks(vec![vec![4].into()], vec![]);
        assert_eq!((p.raft_state(), p.snapshot_size()), (vec![4], 0));
    }

    #[test]
    fn clone_shares_storage() {
        let p = Persister::new();
        let q = p.clone();
        q.save_raft_state(vec![7; 10]);
        assert_eq!(p.raft_state_size(), 10);
    }
}
