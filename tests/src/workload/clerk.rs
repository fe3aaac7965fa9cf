//! A clerk as the tester made it, and what the workload library needs from a tester.

use checker::History;
use labrpc::Network;
use raftapi::{KvResult, Version, VersionedClerk};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A clerk the tester made: the implementation's clerk, the names of the ends the tester gave it
/// (so the tester can cut or delete them), and the tester's op counter. Every get and put through
/// it counts as one op for the End line, logged or not (as in Spring 2026).
pub struct TestClerk<C> {
    clerk: C,
    id: u64,
    end_names: Vec<String>,
    ops: Arc<AtomicU64>,
}

impl<C> TestClerk<C> {
    pub fn new(clerk: C, id: u64, end_names: Vec<String>, ops: Arc<AtomicU64>) -> Self {
        TestClerk {
            clerk,
            id,
            end_names,
            ops,
        }
    }

    /// The number the tester's traces know this clerk by.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The implementation's clerk, for what only it can say (a replicated clerk's leader).
    pub fn clerk(&self) -> &C {
        &self.clerk
    }

    /// The names of this clerk's ends, in the order of the servers they lead to.
    pub fn end_names(&self) -> &[String] {
        &self.end_names
    }

    fn counted<T>(&self, result: T) -> T {
        self.ops.fetch_add(1, Ordering::Relaxed);
        result
    }
}

impl<C: VersionedClerk> VersionedClerk for TestClerk<C> {
    async fn get(&self, key: &str) -> KvResult<(String, Version)> {
        self.counted(self.clerk.get(key).await)
    }

    async fn put(&self, key: &str, value: &str, version: Version) -> KvResult<()> {
        self.counted(self.clerk.put(key, value, version).await)
    }
}

/// What a workload needs from the tester config it runs on.
pub trait Tester: Clone + Send + Sync + 'static {
    type Clerk: VersionedClerk;

    /// MakeClerk: a clerk on fresh ends that may reach every server.
    fn make_clerk(&self) -> Arc<TestClerk<Self::Clerk>>;

    /// DeleteClerk: the clerk's ends stop working.
    fn delete_clerk(&self, ck: &TestClerk<Self::Clerk>);

    /// The test's history: every logged op of the test, cumulatively.
    fn history(&self) -> &History;

    /// Whether the network is reliable (no message lost).
    fn reliable(&self) -> bool;

    /// Fails the test with `message`, leaving its evidence (the history) behind. Usable from any
    /// task of the test.
    fn fail(&self, message: &str) -> !;

    /// The network the clerks' ends are on, so that each logged op can say how it was served
    /// (retries, who answered; see [`crate::op_meta`]). `None`: ops are logged without it.
    fn network(&self) -> Option<&Network> {
        None
    }

    /// The current term of the server a clerk's end `j` leads to, if it has one (a Raft group).
    fn term_of(&self, _server: usize) -> Option<u64> {
        None
    }
}
