//! The clerk: finds the leader among the replicas and retries; a put resent after an earlier copy
//! went out may find that copy applied (then `ErrVersion` must become `ErrMaybe`, as in Lab 2).

use labrpc::ClientEnd;
use raftapi::{KvResult, ReplicatedClerk, Version, VersionedClerk};

pub struct Clerk {
    /// Ends to every replica, in id order.
    #[allow(dead_code)] // yours to use
    servers: Vec<ClientEnd>,
    // Your state here (4B).
}

impl ReplicatedClerk for Clerk {
    fn make(servers: Vec<ClientEnd>) -> Clerk {
        Clerk { servers }
    }

    /// The replica that last answered as leader, if any (the tester reads it).
    fn leader(&self) -> Option<usize> {
        None
    }
}

impl VersionedClerk for Clerk {
    async fn get(&self, _key: &str) -> KvResult<(String, Version)> {
        unimplemented!("versioned::Clerk::get (Lab 4B)")
    }

    async fn put(&self, _key: &str, _value: &str, _version: Version) -> KvResult<()> {
        unimplemented!("versioned::Clerk::put (Lab 4B)")
    }
}
