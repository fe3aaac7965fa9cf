//! The put workloads and their checks, on logged operations.

use super::clerk::{TestClerk, Tester};
use super::logged::{TESTER_CLIENT, Workload};
use super::values::rand_string;
use madsim::rand::Rng;
use raftapi::{KvError, Version, VersionedClerk};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::AddAssign;

/// The value OnePut writes: who wrote it, and at which version (the course's `EntryV`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: u64,
    pub v: Version,
}

/// How a client's puts ended (the course's `ClntRes`): surely applied, or perhaps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientResult {
    pub nok: u64,
    pub nmaybe: u64,
}

impl AddAssign for ClientResult {
    fn add_assign(&mut self, other: Self) {
        self.nok += other.nok;
        self.nmaybe += other.nmaybe;
    }
}

impl<T: Tester> Workload<T> {
    /// PutAtLeastOnce: puts `value` at `version`, then at the next version after ErrVersion or
    /// ErrMaybe, until one answers OK; returns the version after that put. Assumes no other
    /// writer. Another error is fatal unless the version was 0.
    pub async fn put_at_least_once(
        &self,
        ck: &TestClerk<T::Clerk>,
        key: &str,
        value: &str,
        mut version: Version,
        me: u64,
    ) -> Version {
        loop {
            match self.put(ck, key, value, version, me).await {
                Ok(()) => return version + 1,
                Err(KvError::Maybe | KvError::Version) => version += 1,
                Err(e) if version != 0 => {
                    self.fail(&format!("Put({key:?}) at version {version}: {e}"))
                }
                Err(_) => {}
            }
        }
    }

    /// CheckGet: a get logged as client 0 must answer exactly (`value`, `version`).
    pub async fn check_get(
        &self,
        ck: &TestClerk<T::Clerk>,
        key: &str,
        value: &str,
        version: Version,
    ) {
        match self.get(ck, key, 0).await {
            Ok((v, n)) if v == value && n == version => {}
            got => self.fail(&format!(
                "Get({key:?}): expected ({value:?}, {version}, OK), got {got:?}"
            )),
        }
    }

    /// OnePut: client `me` puts {me, version} at `version` and reads the key back, until a put
    /// answers OK or ErrMaybe. Returns the version read last and whether the put surely applied.
    ///
    /// The course checks that an OK put read back at the next version holds `me` *or* `version`;
    /// here it must hold both: no other put can have taken that version.
    pub async fn one_put(
        &self,
        me: u64,
        ck: &TestClerk<T::Clerk>,
        key: &str,
        mut version: Version,
    ) -> (Version, bool) {
        loop {
            let mine = Entry { id: me, v: version };
            let result = self.put_json(ck, key, &mine, version, me).await;
            if let Err(e @ (KvError::NoKey | KvError::WrongLeader | KvError::WrongGroup)) = result {
                self.fail(&format!(
                    "Put({key:?}) at version {version}: wrong error {e}"
                ));
            }
            let (read, read_version) = self.get_json::<Entry>(ck, key, me).await;
            if result.is_ok() && read_version == version + 1 && read != mine {
                self.fail(&format!(
                    "client {me}: Put({key:?}, {mine:?}) at version {version} answered OK, but \
                     version {read_version} holds {read:?}"
                ));
            }
            version = read_version;
            match result {
                Ok(()) => return (version, true),
                Err(KvError::Maybe) => return (version, false),
                _ => {}
            }
        }
    }

    /// OneClientPut: client `me` runs OnePut until stopped, on `keys[0]` (or a random key of
    /// `keys` with random keys), counting the puts that surely applied and those that perhaps did.
    pub async fn one_client_put(
        &self,
        me: u64,
        ck: &TestClerk<T::Clerk>,
        keys: &[String],
        stop: &super::Stop,
    ) -> ClientResult {
        let mut versions: BTreeMap<&str, Version> = BTreeMap::new();
        let mut result = ClientResult::default();
        while !stop.is_set() {
            let key = if self.random_keys {
                &keys[madsim::rand::thread_rng().gen_range(0..keys.len())]
            } else {
                &keys[0]
            };
            let version = versions.entry(key).or_insert(0);
            let (next, ok) = self.one_put(me, ck, key, *version).await;
            *version = next;
            if ok {
                result.nok += 1;
            } else {
                result.nmaybe += 1;
            }
        }
        result
    }

    /// CheckPutConcurrent: adds the clients' results to `total` (which accumulates over calls),
    /// then reads `key`: on a reliable network its version must be exactly the puts that surely
    /// applied; otherwise at most those plus the ones that perhaps did.
    pub async fn check_put_concurrent(
        &self,
        ck: &TestClerk<T::Clerk>,
        key: &str,
        results: &[ClientResult],
        total: &mut ClientResult,
    ) {
        let (_, version) = self.get_json::<Entry>(ck, key, TESTER_CLIENT).await;
        for &r in results {
            *total += r;
        }
        if self.t.reliable() {
            if version != total.nok {
                self.fail(&format!(
                    "wrong number of puts: version {version}, but {} puts answered OK",
                    total.nok
                ));
            }
        } else if version > total.nok + total.nmaybe {
            self.fail(&format!(
                "version {version} is more than the {} puts that answered OK or ErrMaybe",
                total.nok + total.nmaybe
            ));
        }
    }

    /// SpreadPutsSize: `n` keys "k0".."k(n-1)", each given a random `size`-character value by a
    /// direct (unlogged) put at version 0, then read back (logged). Returns keys and values.
    pub async fn spread_puts_size(
        &self,
        ck: &TestClerk<T::Clerk>,
        n: usize,
        size: usize,
    ) -> (Vec<String>, Vec<String>) {
        let keys = super::values::make_keys(n);
        let values: Vec<String> = (0..n).map(|_| rand_string(size)).collect();
        for (key, value) in keys.iter().zip(&values) {
            // The result does not matter: the read back checks what is there.
            let _ = ck.put(key, value, 0).await;
            self.check_get(ck, key, value, 1).await;
        }
        (keys, values)
    }

    /// SpreadPuts: [`Workload::spread_puts_size`] with 20-character values.
    pub async fn spread_puts(
        &self,
        ck: &TestClerk<T::Clerk>,
        n: usize,
    ) -> (Vec<String>, Vec<String>) {
        self.spread_puts_size(ck, n, 20).await
    }
}
