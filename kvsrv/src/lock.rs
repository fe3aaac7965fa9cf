//! A lock kept in a versioned key/value store: the key `name` holds the holder's id, or "" when
//! the lock is free (an absent key is free too).
//!
//! Every decision is made on what a get reads, never on a put's reply alone, so `ErrMaybe` is
//! harmless: after an uncertain put the lock reads the key again. Holding it means the key holds
//! this lock's id; releasing means writing "" over this lock's id at the version read with it.
//! Versions make each put conditional on the state the decision was based on.

use madsim::rand::{Rng, distributions::Alphanumeric};
use raftapi::{KvError, KvLock, VersionedClerk};
use std::sync::Arc;
use std::time::Duration;

/// How long an acquire waits before looking again at a lock someone else holds.
const HELD_PAUSE: Duration = Duration::from_millis(5);

/// Length of a lock's random id: collisions between locks are out of the question.
const ID_LEN: usize = 12;

/// One client's handle on the lock `name`.
pub struct Lock<C> {
    ck: Arc<C>,
    name: String,
    /// What the key holds while this handle holds the lock.
    id: String,
}

impl<C: VersionedClerk> KvLock<C> for Lock<C> {
    fn make(ck: Arc<C>, name: &str) -> Self {
        let id = madsim::rand::thread_rng()
            .sample_iter(Alphanumeric)
            .take(ID_LEN)
            .map(char::from)
            .collect();
        Lock {
            ck,
            name: name.into(),
            id,
        }
    }

    async fn acquire(&self) {
        loop {
            let version = match self.ck.get(&self.name).await {
                // An earlier put of ours that answered ErrMaybe did take effect.
                Ok((holder, _)) if holder == self.id => return,
                Ok((holder, version)) if holder.is_empty() => version,
                Err(KvError::NoKey) => 0,
                Ok(_) | Err(_) => {
                    madsim::time::sleep(HELD_PAUSE).await;
                    continue;
                }
            };
            // OK: ours. ErrMaybe: the next get tells. ErrVersion: someone was faster.
            if self.ck.put(&self.name, &self.id, version).await.is_ok() {
                return;
            }
        }
    }

    async fn release(&self) {
        loop {
            match self.ck.get(&self.name).await {
                Ok((holder, version)) if holder == self.id => {
                    // OK: released. ErrMaybe: the next get tells. ErrVersion cannot come while
                    // we hold the lock; looking again is still right.
                    if self.ck.put(&self.name, "", version).await.is_ok() {
                        return;
                    }
                }
                // Not ours any more: a release of ours that answered ErrMaybe took effect.
                _ => return,
            }
        }
    }
}
