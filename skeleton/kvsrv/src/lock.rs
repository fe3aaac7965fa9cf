//! A lock kept in the key/value store under one key, on any versioned clerk. It must stay correct
//! when a put returns ErrMaybe.

use raftapi::{KvLock, VersionedClerk};
use std::sync::Arc;

pub struct Lock<C> {
    #[allow(dead_code)] // yours to use
    ck: Arc<C>,
    #[allow(dead_code)]
    name: String,
}

impl<C: VersionedClerk> KvLock<C> for Lock<C> {
    fn make(ck: Arc<C>, name: &str) -> Self {
        Lock {
            ck,
            name: name.to_string(),
        }
    }

    async fn acquire(&self) {
        unimplemented!("Lock::acquire (Lab 2)")
    }

    async fn release(&self) {
        unimplemented!("Lock::release (Lab 2)")
    }
}
