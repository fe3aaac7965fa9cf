//! Controllers that fail: one cut off in the middle of a change (partitionCtrler, 5B and 5C), and
//! several racing (concurCtrler, 5C). LAB-TESTS-2025 §11–§12.

use super::reconfig::{Bound, CHANGE_LIMIT};
use super::tester::{ShardKvImpl, ShardKvTest};
use crate::workload::{Stop, TestClerk, Tester};
use madsim::rand::Rng;
use madsim::time::sleep;
use shardapi::{Gid, ShardCtrler};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// What the cut-off controller was doing last (read racily, as the course does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Doing {
    Nothing,
    Joining(Gid),
    Leaving(Gid),
}

/// Locks the shared note of what the old controller does; a poisoned lock still holds a value.
fn lock(doing: &Mutex<Doing>) -> MutexGuard<'_, Doing> {
    doing.lock().unwrap_or_else(|e| e.into_inner())
}

/// concurCtrler: controllers racing, and for how long.
pub const NCTRLER: usize = 4;
pub const RACE: Duration = Duration::from_secs(2);

impl<K: ShardKvImpl> ShardKvTest<K> {
    /// partitionCtrler: a controller joins and leaves new groups in a loop; group `gid` is shut
    /// down so that it gets stuck in a change, then it is cut off, `gid` restarts, and a new
    /// controller's InitController must finish the interrupted change. With the partition flag
    /// (5C) the old controller is reconnected afterwards and must not undo anything. Then the keys
    /// are read back (if any).
    pub async fn partition_ctrler(
        &self,
        ck: &TestClerk<K::Clerk>,
        gid: Gid,
        keys: &[String],
        values: &[String],
    ) {
        let (sck, clnt) = self.make_shard_ctrler_clnt();
        self.init_controller(&sck).await;
        let num = self.query(&self.shard_ctrler()).await.num;

        let doing = Arc::new(Mutex::new(Doing::Nothing));
        // Set once the recovery is checked: the old controller then starts no new change. (The
        // course's loop runs on until its client is deleted, after the reads; a join it starts
        // meanwhile can claim the next round's change number, so that round's recovery finishes
        // this controller's change instead of its own and fails. Its superseded change in flight
        // still comes back, which is what the reconnection tests.)
        let retired = Stop::new();
        {
            let (ts, doing, sck) = (self.clone(), doing.clone(), Arc::new(sck));
            let retired = retired.clone();
            madsim::task::spawn(async move {
                while !retired.is_set() {
                    let ngid = ts.new_gid();
                    *lock(&doing) = Doing::Joining(ngid);
                    if !ts.join_groups(&sck, &[ngid], Bound::Unbounded).await {
                        return;
                    }
                    *lock(&doing) = Doing::Leaving(ngid);
                    ts.leave_groups(&sck, &[ngid], Bound::Unbounded).await;
                }
            });
        }

        let pause = madsim::rand::thread_rng().gen_range(0..400);
        sleep(Duration::from_millis(1000 + pause)).await;
        self.group(gid).shutdown();
        // Time for the controller to get stuck in a change: every one of them moves shards of
        // group `gid`.
        sleep(Duration::from_secs(1)).await;
        clnt.disconnect_all();
        if self.partition() {
            sleep(Duration::from_secs(1)).await;
        }
        self.start_servers(gid).await;

        let (sck0, clnt0) = self.make_shard_ctrler_clnt();
        self.init_controller(&sck0).await;
        let cfg = self.query(&sck0).await;
        if cfg.num <= num {
            self.fail(&format!(
                "didn't recover: configuration {} is not past {num}",
                cfg.num
            ));
        }
        retired.set();
        let doing = *lock(&doing);
        tracing::info!(topic = "test", ?doing, num = cfg.num, "recovered");
        match doing {
            Doing::Joining(ngid) if !cfg.is_member(ngid) => self.fail(&format!(
                "didn't recover the join of group {ngid}: configuration {cfg:?}"
            )),
            Doing::Leaving(ngid) if cfg.is_member(ngid) => self.fail(&format!(
                "didn't recover the leave of group {ngid}: configuration {cfg:?}"
            )),
            Doing::Joining(ngid) => {
                self.leave_groups(&sck0, &[ngid], Bound::Limited).await;
            }
            _ => {}
        }
        if self.partition() {
            // The old controller comes back; it has been superseded and must bail out.
            clnt.connect_all();
            sleep(Duration::from_millis(100)).await;
        }
        self.check_gets(ck, keys, values).await;
        clnt.delete();
        clnt0.delete();
    }

    /// InitController through `sck`, within [`CHANGE_LIMIT`]; an error fails the test.
    pub async fn init_controller(&self, sck: &K::Ctrler) {
        let init = self.within(CHANGE_LIMIT, "InitController", sck.init_controller());
        if let Err(e) = init.await {
            self.fail(&format!("InitController: {e}"));
        }
    }

    /// concurCtrler: [`NCTRLER`] tasks each loop over a new controller (after InitController)
    /// joining a new group and, if it became a member, making it leave again. After [`RACE`] they
    /// are told to stop, each after its round; then the keys are read back.
    pub async fn concur_ctrler(
        &self,
        ck: &TestClerk<K::Clerk>,
        keys: &[String],
        values: &[String],
    ) {
        let stop = Stop::new();
        let racers: Vec<_> = (0..NCTRLER)
            .map(|_| {
                let (ts, stop) = (self.clone(), stop.clone());
                madsim::task::spawn(async move {
                    while !stop.is_set() {
                        let ngid = ts.new_gid();
                        let sck = ts.make_shard_ctrler();
                        ts.init_controller(&sck).await;
                        ts.join_groups(&sck, &[ngid], Bound::Limited).await;
                        if ts.check_member(&sck, ngid).await {
                            ts.leave_groups(&sck, &[ngid], Bound::Limited).await;
                        }
                    }
                })
            })
            .collect();
        sleep(RACE).await;
        stop.set();
        for (i, racer) in racers.into_iter().enumerate() {
            if let Err(e) = racer.await {
                self.fail(&format!("controller task {i} did not finish: {e:?}"));
            }
        }
        self.check_gets(ck, keys, values).await;
    }
}
