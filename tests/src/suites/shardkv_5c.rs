//! Lab 5C of the current course: controllers that race, and old controllers that come back
//! after a new one took over and must be fenced off (docs/lab-tests-2026.md §12). Every bound is
//! in virtual time; a history the checker cannot decide fails, where the course would pass it.

use crate::ShardKvTest;
use crate::shardkv::NKEYS;
use crate::shardkv::reconfig::CHANGE_LIMIT;
use crate::workload::values::make_keys;
use crate::workload::{Stop, Tester};
use madsim::time::sleep;
use std::time::Duration;

/// How long the clients of the partition-recovery tests put.
const CLIENTS_RUN: Duration = Duration::from_secs(60);

/// concurCtrler: four controllers race to join and leave groups for 2 s, then the keys are read
/// back.
async fn concurrent(reliable: bool) {
    let ts = ShardKvTest::make_leases("Test (5C): Concurrent ctrlers ...", reliable).await;
    ts.setup_kv_service().await;
    let ck = ts.make_clerk();
    let (ka, va) = ts.spread_puts(&ck, NKEYS).await;
    ts.concur_ctrler(&ck, &ka, &va).await;
    ts.cleanup();
}

pub async fn concurrent_reliable_5c() {
    concurrent(true).await;
}

pub async fn acquire_lock_concurrent_unreliable_5c() {
    concurrent(false).await;
}

/// A controller is cut off while its join waits for a group that is down; a new controller's
/// InitController finishes the join; the old one, reconnected, must notice and return without
/// changing the configuration.
pub async fn partition_controller_join_5c() {
    let ts = ShardKvTest::make_leases("Test (5C): partition controller in join...", true).await;
    ts.setup_kv_service().await;
    let ck = ts.make_clerk();
    let (ka, va) = ts.spread_puts(&ck, NKEYS).await;
    let (sck, clnt) = ts.make_shard_ctrler_clnt();
    ts.init_controller(&sck).await;

    let ngid = ts.new_gid();
    let old_join = {
        let ts = ts.clone();
        madsim::task::spawn(async move {
            ts.make_group_start(ngid).await;
            ts.group(ngid).shutdown();
            let names = ts.srv_names(ngid);
            ts.join(&sck, ngid, names).await;
        })
    };
    sleep(Duration::from_secs(1)).await;
    clnt.disconnect_all();
    sleep(Duration::from_secs(1)).await;
    ts.start_servers(ngid).await;

    let (sck0, clnt0) = ts.make_shard_ctrler_clnt();
    ts.init_controller(&sck0).await;
    let cfg = ts.query(&sck0).await;
    if !cfg.is_member(ngid) {
        ts.fail(&format!("Didn't recover gid {ngid}: {cfg:?}"));
    }

    clnt.connect_all();
    // The course waits for the old join with no bound.
    let finished = ts.within(CHANGE_LIMIT, "the old controller's join", old_join);
    if let Err(e) = finished.await {
        ts.fail(&format!("the old controller's task failed: {e:?}"));
    }
    let after = ts.query(&sck0).await;
    if after != cfg {
        ts.fail(&format!(
            "the old controller changed the configuration from {cfg:?} to {after:?}"
        ));
    }
    sleep(Duration::from_secs(1)).await;
    ts.check_gets(&ck, &ka, &va).await;
    clnt.delete();
    clnt0.delete();
    ts.cleanup();
}

/// partitionRecovery: `npart` times a controller is cut off in the middle of a change and comes
/// back after a new one finished it. Without clients the keys are read back each time; with
/// `nclnt` clients putting to one key for 60 s throughout, their history must be linearizable.
async fn partition_recovery(reliable: bool, npart: usize, nclnt: usize) {
    let ts = ShardKvTest::make_leases(
        "Test (5C): controllers with leased leadership ...",
        reliable,
    )
    .await;
    let gid = ts.setup_kv_service().await;
    let ck = ts.make_clerk();
    if nclnt == 0 {
        let (ka, va) = ts.spread_puts(&ck, NKEYS).await;
        for _ in 0..npart {
            ts.partition_ctrler(&ck, gid, &ka, &va).await;
        }
    } else {
        let clients = {
            let w = ts.workload();
            madsim::task::spawn(async move {
                let worker = w.clone();
                let keys = make_keys(1);
                w.spawn_clients_and_wait(nclnt, CLIENTS_RUN, move |me, ck, stop: Stop| {
                    let (w, keys) = (worker.clone(), keys.clone());
                    async move { w.one_client_put(me as u64, &ck, &keys, &stop).await }
                })
                .await
            })
        };
        for _ in 0..npart {
            ts.partition_ctrler(&ck, gid, &[], &[]).await;
        }
        let limit = CLIENTS_RUN + CHANGE_LIMIT;
        if ts.within(limit, "the clients", clients).await.is_err() {
            ts.fail("a client task failed");
        }
        ts.check_porcupine();
    }
    ts.cleanup();
}

pub async fn partition_recovery_reliable_no_clerk_5c() {
    partition_recovery(true, 5, 0).await;
}

pub async fn partition_recovery_unreliable_no_clerk_5c() {
    partition_recovery(false, 3, 0).await;
}

pub async fn partition_recovery_reliable_clerks_5c() {
    partition_recovery(true, 5, 5).await;
}

pub async fn partition_recovery_unreliable_clerks_5c() {
    partition_recovery(false, 3, 5).await;
}
