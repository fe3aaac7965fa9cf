//! The fault-tolerant key/value service: replicas built on Raft, and their clerks. The replica
//! trait serves both editions (the 2023 KV lab's put/append service and the current course's
//! versioned one, Lab 4); each edition has its clerk trait.

use crate::persister::Persister;
use crate::raft::{Raft, RaftError};
use crate::versioned::VersionedClerk;
use labrpc::{ClientEnd, Service};
use std::future::Future;

/// One replica of the key/value service.
pub trait KvServer: Send + Sync + 'static {
    /// Starts replica `me` of `servers` (ends to every replica, itself included) from what
    /// `persister` holds. Called from a task on the replica's node. `maxraftstate` < 0: never
    /// snapshot; otherwise keep the persisted Raft state near or below that many bytes.
    fn start(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
    ) -> Result<Self, RaftError>
    where
        Self: Sized;

    /// The services to host on the replica's labrpc server: the key/value one and its Raft's.
    fn services(&self) -> Vec<Service>;

    /// The replica's Raft peer (the tester asks it who leads; the fuzzer observes it).
    fn raft(&self) -> &dyn Raft;

    /// Stops the replica and its Raft peer.
    fn kill(&self);
}

/// A client of the key/value service. Each call returns once the operation took effect, exactly
/// once, however many times it had to be retried.
pub trait KvClerk: Send + Sync + 'static {
    /// A clerk talking to the replicas through `servers`, in any order.
    fn make(servers: Vec<ClientEnd>) -> Self
    where
        Self: Sized;

    /// The current value of `key`, "" if it has none.
    fn get(&self, key: &str) -> impl Future<Output = String> + Send;

    /// Sets `key` to `value`.
    fn put(&self, key: &str, value: &str) -> impl Future<Output = ()> + Send;

    /// Appends `value` to the value of `key` ("" if it has none).
    fn append(&self, key: &str, value: &str) -> impl Future<Output = ()> + Send;
}

/// A clerk of the current course's replicated key/value service (Lab 4): a [`VersionedClerk`]
/// over a group of replicas, which tries them in turn until the leader answers.
pub trait ReplicatedClerk: VersionedClerk {
    /// A clerk talking to the replicas through `servers`, in replica order.
    fn make(servers: Vec<ClientEnd>) -> Self
    where
        Self: Sized;

    /// The replica (its index in `servers`) this clerk last found leading, if any.
    fn leader(&self) -> Option<usize>;
}
