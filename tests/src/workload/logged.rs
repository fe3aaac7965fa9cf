//! The logged wrappers: a get or put through a [`TestClerk`], timed in virtual nanoseconds and
//! recorded in the test's history as a versioned porcupine operation (input: op, key, value,
//! version; output: value, version, err). Direct calls on a clerk are counted but not recorded.

use super::clerk::{TestClerk, Tester};
use crate::kv_config::now_ns;
use crate::kv_history;
use crate::op_meta;
use checker::{KvErr, Operation};
use raftapi::{KvError, KvResult, Version, VersionedClerk};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The client id the tester's own checks are logged as (the course's −1).
pub const TESTER_CLIENT: u64 = u64::MAX;

/// The workload library on one tester. Cloning shares the tester.
#[derive(Clone)]
pub struct Workload<T: Tester> {
    pub(crate) t: T,
    /// OneClientPut picks a random key of its list instead of the first.
    pub(crate) random_keys: bool,
}

/// The checker's name for a clerk's result.
pub fn kv_err<R>(result: &KvResult<R>) -> KvErr {
    match result {
        Ok(_) => KvErr::Ok,
        Err(KvError::NoKey) => KvErr::NoKey,
        Err(KvError::Version) => KvErr::Version,
        Err(KvError::Maybe) => KvErr::Maybe,
        Err(KvError::WrongLeader) => KvErr::WrongLeader,
        Err(KvError::WrongGroup) => KvErr::WrongGroup,
    }
}

impl<T: Tester> Workload<T> {
    pub fn new(tester: T) -> Self {
        Workload {
            t: tester,
            random_keys: false,
        }
    }

    /// OneClientPut picks a random key of its list (the course's `randomkeys`).
    pub fn with_random_keys(mut self) -> Self {
        self.random_keys = true;
        self
    }

    pub fn tester(&self) -> &T {
        &self.t
    }

    /// Fatal: fails the test.
    pub fn fail(&self, message: &str) -> ! {
        self.t.fail(message)
    }

    /// Get, logged as `client`.
    pub async fn get(
        &self,
        ck: &TestClerk<T::Clerk>,
        key: &str,
        client: u64,
    ) -> KvResult<(String, Version)> {
        let call = now_ns();
        let before = self.before(ck);
        let result = ck.get(key).await;
        let ret = now_ns();
        let (value, version) = match &result {
            Ok((value, version)) => (value.as_str(), *version),
            Err(_) => ("", 0),
        };
        let output = (value, version, kv_err(&result));
        let op = Operation::versioned_get(client, call, ret, key, output);
        self.t.history().record(self.served(op, ck, before));
        result
    }

    /// Put, logged as `client`.
    pub async fn put(
        &self,
        ck: &TestClerk<T::Clerk>,
        key: &str,
        value: &str,
        version: Version,
        client: u64,
    ) -> KvResult<()> {
        let call = now_ns();
        let before = self.before(ck);
        let result = ck.put(key, value, version).await;
        let ret = now_ns();
        let op =
            Operation::versioned_put(client, call, ret, key, (value, version), kv_err(&result));
        self.t.history().record(self.served(op, ck, before));
        result
    }

    /// The clerk's ends before an op, if the tester shows its network.
    fn before(&self, ck: &TestClerk<T::Clerk>) -> Option<op_meta::Before> {
        let net = self.t.network()?;
        Some(op_meta::before(net, ck.end_names()))
    }

    /// `op` with how the clerk served it, when that is known.
    fn served(
        &self,
        op: Operation,
        ck: &TestClerk<T::Clerk>,
        before: Option<op_meta::Before>,
    ) -> Operation {
        match (self.t.network(), before) {
            (Some(net), Some(before)) => {
                let meta = op_meta::after(net, ck.end_names(), before, |j| self.t.term_of(j));
                op.with_meta(meta)
            }
            _ => op,
        }
    }

    /// GetJson: a logged get that must succeed, its value decoded from JSON, with its version.
    pub async fn get_json<V: DeserializeOwned>(
        &self,
        ck: &TestClerk<T::Clerk>,
        key: &str,
        client: u64,
    ) -> (V, Version) {
        match self.get(ck, key, client).await {
            Ok((text, version)) => match serde_json::from_str(&text) {
                Ok(value) => (value, version),
                Err(e) => self.fail(&format!("Get({key:?}) returned {text:?}, not JSON: {e}")),
            },
            Err(e) => self.fail(&format!("Get({key:?}) failed: {e}")),
        }
    }

    /// PutJson: `value` encoded as JSON, put (logged) at `version`.
    pub async fn put_json<V: Serialize>(
        &self,
        ck: &TestClerk<T::Clerk>,
        key: &str,
        value: &V,
        version: Version,
        client: u64,
    ) -> KvResult<()> {
        let text = serde_json::to_string(value)
            .unwrap_or_else(|e| self.fail(&format!("cannot encode a value as JSON: {e}")));
        self.put(ck, key, &text, version, client).await
    }

    /// Checks the test's history for linearizability under the versioned model; not linearizable
    /// or not decided (the search budget ran out) fails the test. `label` names the files a
    /// failure leaves.
    pub fn check_porcupine(&self, label: &str) {
        if let Err(e) = kv_history::check(self.t.history(), label) {
            self.fail(&e);
        }
    }
}
