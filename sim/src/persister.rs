//! Stable storage for one Raft peer: the Raft state and the snapshot, always saved together.
//!
//! A `Persister` is a shared handle. The tester hands a restarted peer a *copy* of what the crashed
//! incarnation saved, so a late write from the killed instance can never reach the new one.

use std::sync::{Arc, Mutex};

#[derive(Default, Clone, PartialEq, Eq, Debug)]
struct Stored {
    raft_state: Vec<u8>,
    snapshot: Vec<u8>,
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
        *self.lock() = Stored {
            raft_state,
            snapshot,
        };
    }

    /// Replaces only the Raft state, keeping the snapshot.
    pub fn save_raft_state(&self, raft_state: Vec<u8>) {
        self.lock().raft_state = raft_state;
    }

    pub fn raft_state(&self) -> Vec<u8> {
        self.lock().raft_state.clone()
    }

    pub fn snapshot(&self) -> Vec<u8> {
        self.lock().snapshot.clone()
    }

    pub fn raft_state_size(&self) -> usize {
        self.lock().raft_state.len()
    }

    pub fn snapshot_size(&self) -> usize {
        self.lock().snapshot.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Stored> {
        // A panic while holding this lock cannot leave the bytes half-written: every write is a
        // single assignment. So a poisoned lock still guards consistent data.
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
    fn clone_shares_storage() {
        let p = Persister::new();
        let q = p.clone();
        q.save_raft_state(vec![7; 10]);
        assert_eq!(p.raft_state_size(), 10);
    }
}
