//! Lab 2 of the current course: the lock on a versioned key/value store (LAB-TESTS-2025 §4, with
//! Spring 2026's two added tests and shared lock names of §14). Every call is direct: nothing is
//! logged, and mutual exclusion is what the clients check.

use madsim::time::sleep;
use raft_lab_tests::workload::values::rand_value;
use raft_lab_tests::workload::{Stop, Tester};
use raft_lab_tests::{KvSrvConfig, TestedKvSrvClerk, TestedLock, run};
use raftapi::{KvError, KvLock, VersionedClerk};
use std::sync::Arc;
use std::time::Duration;

/// How long the clients of runClients run.
const RUN: Duration = Duration::from_secs(2);
/// How long a client holds lock 1 between its two puts of "l0".
const HOLD: Duration = Duration::from_millis(10);
/// The length of a random lock name.
const NAME_LEN: usize = 12;

/// One client of runClients: takes both locks once (A1 A2 R1 R2), then until stopped holds lock
/// 1 while it writes its id to "l0" and clears it again, checking "l0" was clear when it got in.
async fn lock_client(
    cfg: KvSrvConfig,
    me: usize,
    ck: Arc<TestedKvSrvClerk>,
    stop: Stop,
    names: [String; 2],
) {
    let lk1 = TestedLock::make(ck.clone(), &names[0]);
    let lk2 = TestedLock::make(ck.clone(), &names[1]);
    // Creates "l0" if no client did yet; the answer does not matter.
    let _ = ck.put("l0", "", 0).await;
    lk1.acquire().await;
    lk2.acquire().await;
    lk1.release().await;
    lk2.release().await;
    while !stop.is_set() {
        lk1.acquire().await;
        let version = match ck.get("l0").await {
            Ok((value, version)) if value.is_empty() => version,
            other => cfg.fail(&format!(
                "client {me}: two clients acquired lock (l0 reads {other:?})"
            )),
        };
        let mine = me.to_string();
        for (value, at) in [(mine.as_str(), version), ("", version + 1)] {
            match ck.put("l0", value, at).await {
                Ok(()) | Err(KvError::Maybe) => {}
                Err(e) => cfg.fail(&format!("client {me}: Put(l0, {value:?}, {at}): {e}")),
            }
            if at == version {
                sleep(HOLD).await;
            }
        }
        lk1.release().await;
    }
}

/// runClients: `n` clients on fresh clerks for 2 s, sharing two random lock names.
async fn run_clients(n: usize, reliable: bool) {
    let cfg = KvSrvConfig::new(reliable).await;
    cfg.begin(&format!("Test: {n} lock clients"));
    let names = [rand_value(NAME_LEN), rand_value(NAME_LEN)];
    let worker = cfg.clone();
    cfg.workload()
        .spawn_clients_and_wait(n, RUN, move |me, ck, stop| {
            lock_client(worker.clone(), me, ck, stop, names.clone())
        })
        .await;
    cfg.end();
    cfg.cleanup().await;
}

#[test]
fn one_client_reliable() {
    run(|| run_clients(1, true));
}

#[test]
fn many_clients_reliable() {
    run(|| run_clients(10, true));
}

#[test]
fn one_client_unreliable() {
    run(|| run_clients(1, false));
}

#[test]
fn many_clients_unreliable() {
    run(|| run_clients(10, false));
}

#[test]
fn reliable_basic() {
    run(|| async {
        let cfg = KvSrvConfig::new(true).await;
        let ck = cfg.make_clerk();
        cfg.begin("Test: a lock, acquired and released");
        let name = rand_value(NAME_LEN);
        let lk = TestedLock::make(ck, &name);
        lk.acquire().await;
        lk.release().await;
        // Stricter than the course: the release must have freed the lock for another client.
        let other = TestedLock::make(cfg.make_clerk(), &name);
        other.acquire().await;
        other.release().await;
        cfg.end();
        cfg.cleanup().await;
    });
}

#[test]
fn reliable_nested() {
    run(|| async {
        let cfg = KvSrvConfig::new(true).await;
        let ck = cfg.make_clerk();
        cfg.begin("Test: two locks, nested");
        let (a, b) = (rand_value(NAME_LEN), rand_value(NAME_LEN));
        let (lk1, lk2) = (TestedLock::make(ck.clone(), &a), TestedLock::make(ck, &b));
        lk1.acquire().await;
        lk2.acquire().await;
        lk2.release().await;
        lk1.release().await;

        lk2.acquire().await;
        lk1.acquire().await;
        lk1.release().await;
        lk1.acquire().await;
        lk2.release().await;
        lk1.release().await;
        cfg.end();
        cfg.cleanup().await;
    });
}
