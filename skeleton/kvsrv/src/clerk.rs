//! The clerk: sends a request again until the server answers. A put whose resend comes back
//! ErrVersion may have taken effect the first time: it returns ErrMaybe.

use labrpc::ClientEnd;
use raftapi::{KvResult, KvSrvClerk, Version, VersionedClerk};

pub struct Clerk {
    #[allow(dead_code)] // yours to use
    server: ClientEnd,
}

impl KvSrvClerk for Clerk {
    fn make(server: ClientEnd) -> Clerk {
        Clerk { server }
    }
}

impl VersionedClerk for Clerk {
    /// (value, version) of `key`, or ErrNoKey; keeps trying until the server answers.
    async fn get(&self, _key: &str) -> KvResult<(String, Version)> {
        unimplemented!("Clerk::get (Lab 2)")
    }

    /// Puts `value` under `key` if its version is `version`.
    async fn put(&self, _key: &str, _value: &str, _version: Version) -> KvResult<()> {
        unimplemented!("Clerk::put (Lab 2)")
    }
}
