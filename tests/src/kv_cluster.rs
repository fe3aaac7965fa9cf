//! The one KV cluster every 2023 KV tester builds on — the KV tester's config, the KV fuzzer and
//! the KV benchmark: a [`ServerGroup`] of replicas of the service under test, named `kv-{i}`, and
//! clerks with fresh ends. What each tester adds (the lab's connectivity helpers, the fuzzer's fault
//! knobs, the benchmark's load) sits on top.

use crate::fresh;
use crate::server_group::{ServerGroup, ServerNames};
use labrpc::{ClientEnd, Network};
use raftapi::{KvClerk, KvServer};
use std::ops::Deref;

pub use crate::server_group::leader_at_top_term;

/// A key/value service to test: its replica and its clerk. `(S, C)` is one.
pub trait KvImpl: 'static {
    type Server: KvServer;
    type Clerk: KvClerk;
}

impl<S: KvServer, C: KvClerk> KvImpl for (S, C) {
    type Server = S;
    type Clerk = C;
}

/// The prefix of the replicas' labrpc server and madsim node names.
const NAME_PREFIX: &str = "kv-";

/// The name of replica i's labrpc server and madsim node.
pub fn server_name(i: usize) -> String {
    format!("{NAME_PREFIX}{i}")
}

/// The replicas of one service: a server group (everything about replicas is there), plus clerks.
pub struct KvCluster<K: KvImpl> {
    group: ServerGroup<K::Server>,
}

impl<K: KvImpl> Deref for KvCluster<K> {
    type Target = ServerGroup<K::Server>;

    fn deref(&self) -> &Self::Target {
        &self.group
    }
}

impl<K: KvImpl> KvCluster<K> {
    /// n replicas, none started yet, on `net`. `maxraftstate` < 0: never snapshot.
    pub fn new(n: usize, maxraftstate: i64, net: Network) -> Self {
        KvCluster {
            group: ServerGroup::new(n, maxraftstate, net, ServerNames::prefixed(NAME_PREFIX)),
        }
    }

    /// A clerk with a fresh end to every replica, and the ends' names by replica. The ends start
    /// disabled. With `shuffle` the clerk sees them in a random order (from the seed), so its
    /// index of a replica is not the replica's id.
    pub fn make_clerk(&self, shuffle: bool) -> (K::Clerk, Vec<String>) {
        let (names, mut ends) = fresh::ends(self.net(), self.n(), server_name);
        if shuffle {
            shuffle_ends(&mut ends);
        }
        (K::Clerk::make(ends), names)
    }
}

/// Fisher–Yates from the seed.
fn shuffle_ends(ends: &mut [ClientEnd]) {
    for i in 0..ends.len() {
        let j = sim::rng::uniform(0, i as u64) as usize;
        ends.swap(i, j);
    }
}
