//! The sharded KV tests' checks of the data (LAB-TESTS-2025 §9.2 and §10): the puts that spread
//! keys over the shards, reading them back, and checkShutdownSharding, which proves the keys really
//! are spread over groups by shutting one down. CheckGet has no bound in the course; here each
//! must answer within [`GET_LIMIT`].

use super::tester::{ShardKvImpl, ShardKvTest};
use crate::workload::{TestClerk, Tester};
use futures::StreamExt;
use futures::channel::mpsc;
use futures::future::{Either, select};
use raftapi::VersionedClerk;
use shardapi::{Gid, ShardKvClerk};
use std::pin::pin;
use std::time::Duration;

/// How long one CheckGet may take.
pub const GET_LIMIT: Duration = Duration::from_secs(10);
/// How long SpreadPuts may take (60 puts and 60 gets).
pub const SPREAD_LIMIT: Duration = Duration::from_secs(30);
/// checkShutdownSharding waits for Gets until this long passes without one finishing.
pub const SHARDING_QUIET: Duration = Duration::from_secs(2);

impl<K: ShardKvImpl> ShardKvTest<K> {
    /// SpreadPuts: `n` keys k0.. with random 20-character values, put and read back.
    pub async fn spread_puts(
        &self,
        ck: &TestClerk<K::Clerk>,
        n: usize,
    ) -> (Vec<String>, Vec<String>) {
        self.spread_puts_size(ck, n, 20).await
    }

    /// SpreadPutsSize: [`ShardKvTest::spread_puts`] with `size`-character values.
    pub async fn spread_puts_size(
        &self,
        ck: &TestClerk<K::Clerk>,
        n: usize,
        size: usize,
    ) -> (Vec<String>, Vec<String>) {
        let w = self.workload();
        self.within(SPREAD_LIMIT, "SpreadPuts", w.spread_puts_size(ck, n, size))
            .await
    }

    /// CheckGet(key, value, version), logged, within [`GET_LIMIT`].
    pub async fn check_get(&self, ck: &TestClerk<K::Clerk>, key: &str, value: &str, version: u64) {
        let w = self.workload();
        let what = format!("Get({key:?})");
        self.within(GET_LIMIT, &what, w.check_get(ck, key, value, version))
            .await
    }

    /// CheckGet(·, ·, 1) of every key (the tests' CG).
    pub async fn check_gets(&self, ck: &TestClerk<K::Clerk>, keys: &[String], values: &[String]) {
        for (key, value) in keys.iter().zip(values) {
            self.check_get(ck, key, value, 1).await;
        }
    }

    /// checkShutdownSharding: shuts group `down` down, starts a Get of every key on a fresh clerk
    /// each, and collects them until [`SHARDING_QUIET`] passes with none finishing. A wrong value
    /// fails the test, and so does every Get finishing (the keys are not spread over the groups).
    /// Then restarts the group; the Gets still waiting finish unwatched.
    pub async fn check_shutdown_sharding(&self, down: Gid, keys: &[String], values: &[String]) {
        self.group(down).shutdown();
        let (tx, mut rx) = mpsc::unbounded();
        for (key, value) in keys.iter().zip(values) {
            let ck = self.make_clerk();
            let (key, value, tx) = (key.clone(), value.clone(), tx.clone());
            madsim::task::spawn(async move {
                let got = ck.get(&key).await;
                let wrong = match got {
                    Ok((v, _)) if v == value => None,
                    got => Some(format!(
                        "Get({key:?}): expected {value:?}, received {got:?}"
                    )),
                };
                // The receiver is gone once the check is over; late answers do not matter.
                let _ = tx.unbounded_send(wrong);
            });
        }
        drop(tx);
        let mut done = 0;
        loop {
            let quiet = pin!(madsim::time::sleep(SHARDING_QUIET));
            let next = match select(rx.next(), quiet).await {
                Either::Left((next, _)) => next,
                Either::Right(_) => None,
            };
            match next {
                Some(None) => done += 1,
                Some(Some(wrong)) => self.fail(&wrong),
                None => break,
            }
        }
        tracing::info!(
            topic = "test",
            down,
            done,
            n = keys.len(),
            "checkShutdownSharding"
        );
        if done >= keys.len() {
            self.fail(&format!(
                "expected less than {} completions with group {down} down",
                keys.len()
            ));
        }
        self.start_servers(down).await;
    }

    /// shutdownLeader (Spring 2026): shuts down the server of group `gid` that the clerk's group
    /// clerk last found leading. Returns its index.
    pub fn shutdown_leader(&self, ck: &TestClerk<K::Clerk>, gid: Gid) -> usize {
        let Some(l) = ck.clerk().group_leader(gid) else {
            self.fail(&format!(
                "shutdownLeader: the clerk has no clerk of group {gid}"
            ));
        };
        if l >= self.group(gid).n() {
            self.fail(&format!("shutdownLeader: group {gid} has no server {l}"));
        }
        self.group(gid).shutdown_server(l);
        l
    }
}
