//! Lab 2 of the current course: a single versioned key/value server, its clerk, and a lock built
//! on any versioned clerk.

use crate::persister::Persister;
use crate::versioned::VersionedClerk;
use labrpc::{ClientEnd, Service};
use std::future::Future;
use std::sync::Arc;

/// The single key/value server of Lab 2 (the course's `StartKVServer`). It answers by the table of
/// [`crate::versioned`] and keeps no per-client state.
pub trait KvSrvServer: Send + Sync + 'static {
    /// Starts server `me` of group `gid`, with ends to the members of its group (itself
    /// included) and its persister. A kvsrv uses none of them; the course passes them for the
    /// servers of later labs. Called from a task on the server's node.
    fn start(ends: Vec<ClientEnd>, gid: u64, me: usize, persister: Persister) -> Self
    where
        Self: Sized;

    /// The services to host on the server's labrpc server.
    fn services(&self) -> Vec<Service>;

    /// Stops the server: no request takes effect afterwards.
    fn kill(&self);
}

/// The clerk of Lab 2 (the course's `MakeClerk(clnt, server)`): a [`VersionedClerk`] talking to
/// one server through `server`.
pub trait KvSrvClerk: VersionedClerk {
    fn make(server: ClientEnd) -> Self
    where
        Self: Sized;
}

/// A lock kept in a versioned key/value store under the key `name` (the course's `MakeLock`),
/// on any [`VersionedClerk`]. Several locks may share one clerk. It must stay correct when a put
/// returns [`crate::KvError::Maybe`].
pub trait KvLock<C: VersionedClerk>: Send + Sync + 'static {
    fn make(ck: Arc<C>, name: &str) -> Self
    where
        Self: Sized;

    /// Returns once this lock holds `name`.
    fn acquire(&self) -> impl Future<Output = ()> + Send;

    /// Gives `name` up; this lock must hold it.
    fn release(&self) -> impl Future<Output = ()> + Send;
}
