//! The server's state: key → (value, version), and the table of `raftapi::versioned` that reads
//! and changes it. Nothing else: versions alone make a put take effect at most once. The replicated
//! versioned services (Lab 4's KV, Lab 5's shard groups) keep their keys in it too.

use raftapi::versioned::{GetReply, PutArgs, PutReply};
use raftapi::{KvError, Version};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    data: BTreeMap<String, (String, Version)>,
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    /// The key's value and version, or `NoKey`.
    pub fn get(&self, key: &str) -> GetReply {
        self.data.get(key).cloned().ok_or(KvError::NoKey)
    }

    /// Applies a put if its version is the key's (0 for an absent key); otherwise changes nothing.
    pub fn put(&mut self, args: PutArgs) -> PutReply {
        let current = self.data.get(&args.key).map(|(_, version)| *version);
        match current {
            None if args.version != 0 => Err(KvError::NoKey),
            Some(version) if version != args.version => Err(KvError::Version),
            // A version that cannot grow further would wrap to a version already used.
            _ if args.version == Version::MAX => Err(KvError::Version),
            _ => {
                self.data.insert(args.key, (args.value, args.version + 1));
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(store: &mut Store, key: &str, value: &str, version: Version) -> PutReply {
        store.put(PutArgs {
            key: key.into(),
            value: value.into(),
            version,
        })
    }

    #[test]
    fn follows_the_server_table() {
        let mut s = Store::new();
        assert_eq!(s.get("k"), Err(KvError::NoKey), "absent: get");
        assert_eq!(
            put(&mut s, "k", "x", 1),
            Err(KvError::NoKey),
            "absent: put(x, 1)"
        );
        assert_eq!(
            s.get("k"),
            Err(KvError::NoKey),
            "a rejected put creates nothing"
        );
        assert_eq!(put(&mut s, "k", "x", 0), Ok(()), "absent: put(x, 0)");
        assert_eq!(s.get("k"), Ok(("x".into(), 1)));
        assert_eq!(put(&mut s, "k", "y", 1), Ok(()), "(x, 1): put(y, 1)");
        assert_eq!(s.get("k"), Ok(("y".into(), 2)));
        for stale_or_future in [0, 1, 3, 1000] {
            assert_eq!(
                put(&mut s, "k", "z", stale_or_future),
                Err(KvError::Version)
            );
        }
        assert_eq!(
            s.get("k"),
            Ok(("y".into(), 2)),
            "rejected puts change nothing"
        );
    }

    #[test]
    fn the_last_version_does_not_wrap() {
        let mut s = Store::new();
        s.data.insert("k".into(), ("x".into(), Version::MAX));
        assert_eq!(put(&mut s, "k", "y", Version::MAX), Err(KvError::Version));
        assert_eq!(s.get("k"), Ok(("x".into(), Version::MAX)));
    }
}
