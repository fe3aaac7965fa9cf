//! Lab 5B of the current course: a controller that survives groups going down and its own
//! failure (docs/lab-tests-2026.md §11). Every bound is in virtual time.

use crate::ShardKvTest;
use crate::shardkv::NKEYS;
use crate::shardkv::reconfig::Bound;
use crate::workload::Tester;
use madsim::time::{sleep, timeout};
use std::time::Duration;

/// How long a change may take once the group it waits for is back, and how long one must stay
/// stuck while that group is down.
const NSEC: Duration = Duration::from_secs(2);
/// How many times RecoverCtrler cuts a controller off in the middle of a change.
const NPARTITION: usize = 5;

/// A group joins while group 1 (which must hand it shards) is down, and finishes once group 1 is
/// back; then group 1 leaves while the group that must take its shards is down, and does not
/// finish until that group is back.
pub async fn join_leave_5b() {
    let ts = ShardKvTest::make("Test (5B): Join/leave while a shardgrp is down...", true).await;
    let gid1 = ts.setup_kv_service().await;
    let ck = ts.make_clerk();
    let (ka, va) = ts.spread_puts(&ck, NKEYS).await;
    let sck = ts.shard_ctrler();
    let cfg = ts.query(&sck).await;

    ts.group(gid1).shutdown();
    let gid2 = ts.new_gid();
    let join = {
        let (ts, sck) = (ts.clone(), sck.clone());
        madsim::task::spawn(async move { ts.join_groups(&sck, &[gid2], Bound::Unbounded).await })
    };
    // The course's "not yet finished" check here waits 2 ns and checks nothing; nor does this.
    ts.start_servers(gid1).await;
    match timeout(NSEC, join).await {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => ts.fail(&format!("group {gid2} is not a member after its join")),
        Ok(Err(e)) => ts.fail(&format!("the join's task failed: {e:?}")),
        Err(_) => ts.fail("Join didn't complete"),
    }
    let cfg1 = ts.query(&sck).await;
    if cfg1.num != cfg.num + 1 {
        ts.fail(&format!("wrong num {} expected {}", cfg1.num, cfg.num + 1));
    }

    ts.group(gid2).shutdown();
    let leave = {
        let (ts, sck) = (ts.clone(), sck.clone());
        madsim::task::spawn(async move { ts.leave_groups(&sck, &[gid1], Bound::Unbounded).await })
    };
    sleep(NSEC).await;
    if leave.is_finished() {
        ts.fail("Leave finished while the group taking the shards was down");
    }
    ts.start_servers(gid2).await;
    match timeout(NSEC, leave).await {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => ts.fail(&format!("group {gid1} is still a member after its leave")),
        Ok(Err(e)) => ts.fail(&format!("the leave's task failed: {e:?}")),
        Err(_) => ts.fail("Leave didn't complete"),
    }
    ts.check_gets(&ck, &ka, &va).await;
    ts.cleanup();
}

/// A controller is cut off in the middle of a change, five times; each time a new controller's
/// InitController must finish the change.
pub async fn recover_ctrler_5b() {
    let ts = ShardKvTest::make("Test (5B): recover controller ...", true).await;
    let gid = ts.setup_kv_service().await;
    let ck = ts.make_clerk();
    let (ka, va) = ts.spread_puts(&ck, NKEYS).await;
    for _ in 0..NPARTITION {
        ts.partition_ctrler(&ck, gid, &ka, &va).await;
    }
    ts.cleanup();
}
