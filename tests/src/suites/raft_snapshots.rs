//! The Raft tests of part D (2D in 2023, 3D now): snapshots and InstallSnapshot (docs/lab-tests-2023.md §3, SnapshotBasic2D … SnapshotInit2D),
//! step for step and bound for bound. Every config here runs the snapshot applier, which snapshots
//! every 10 entries.

use crate::raft_applier::SNAPSHOT_INTERVAL;
use crate::{Cmd, Config, Edition, MAX_LOG_SIZE, rand_int};
use raftapi::Raft as _;

/// `SnapShotInterval/2 + rand % SnapShotInterval`: perhaps enough entries for a snapshot.
fn some_entries() -> u64 {
    SNAPSHOT_INTERVAL / 2 + sim::rng::uniform(0, SNAPSHOT_INTERVAL - 1)
}

/// 30 rounds of cutting off (disconnect or crash) a follower or the leader, committing enough for a
/// snapshot without it, and bringing it back so it must catch up, possibly by InstallSnapshot.
async fn snapcommon(ed: Edition, title: &str, disconnect: bool, reliable: bool, crash: bool) {
    let iters = 30;
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, !reliable, true).await;
    cfg.begin(&ed.raft_title('D', title));

    cfg.one(rand_int(), servers, true).await;
    let mut leader1 = cfg.check_one_leader().await;

    for i in 0..iters {
        let mut victim = (leader1 + 1) % servers;
        let mut sender = leader1;
        if i % 3 == 1 {
            sender = (leader1 + 1) % servers;
            victim = leader1;
        }

        if disconnect {
            cfg.disconnect(victim);
            cfg.one(rand_int(), servers - 1, true).await;
        }
        if crash {
            cfg.crash1(victim);
            cfg.one(rand_int(), servers - 1, true).await;
        }

        // Perhaps send enough to get a snapshot.
        for _ in 0..some_entries() {
            cfg.live_raft(sender).start(Cmd::Int(rand_int()).encode());
        }

        // Let the appliers catch up with the Start()s.
        if !disconnect && !crash {
            // Make sure all followers have caught up, so that SnapshotBasic needs no InstallSnapshot.
            cfg.one(rand_int(), servers, true).await;
        } else {
            cfg.one(rand_int(), servers - 1, true).await;
        }

        let size = cfg.log_size();
        assert!(
            size < MAX_LOG_SIZE,
            "Log size too large: {size} bytes (limit {MAX_LOG_SIZE}) in iteration {i}"
        );

        if disconnect {
            // Reconnect a follower, which may be behind and need a snapshot to catch up.
            cfg.connect(victim);
            cfg.one(rand_int(), servers, true).await;
            leader1 = cfg.check_one_leader().await;
        }
        if crash {
            cfg.start1(victim).await;
            cfg.connect(victim);
            cfg.one(rand_int(), servers, true).await;
            leader1 = cfg.check_one_leader().await;
        }
    }
    cfg.end();
    cfg.cleanup();
}

pub async fn snapshot_basic(ed: Edition) {
    snapcommon(ed, "snapshots basic", false, true, false).await;
}

pub async fn snapshot_install(ed: Edition) {
    snapcommon(ed, "install snapshots (disconnect)", true, true, false).await;
}

/// The current edition's title says "unreliable" in its network label instead.
pub async fn snapshot_install_unreliable(ed: Edition) {
    let title = ed.pick(
        "install snapshots (disconnect+unreliable)",
        "install snapshots (disconnect)",
    );
    snapcommon(ed, title, true, false, false).await;
}

pub async fn snapshot_install_crash(ed: Edition) {
    snapcommon(ed, "install snapshots (crash)", false, true, true).await;
}

pub async fn snapshot_install_uncrash(ed: Edition) {
    let title = ed.pick(
        "install snapshots (unreliable+crash)",
        "install snapshots (crash)",
    );
    snapcommon(ed, title, false, false, true).await;
}

/// Crash and restart all servers: their state must come back from snapshot + log. The current
/// edition runs it on an unreliable network.
pub async fn snapshot_all_crash(ed: Edition) {
    let servers = 3;
    let iters = 5;
    let cfg = Config::with_edition(ed, servers, ed.pick(false, true), true).await;
    cfg.begin(&ed.raft_title('D', "crash and restart all servers"));

    cfg.one(rand_int(), servers, true).await;

    for _ in 0..iters {
        // Perhaps enough to get a snapshot.
        for _ in 0..some_entries() {
            cfg.one(rand_int(), servers, true).await;
        }

        let index1 = cfg.one(rand_int(), servers, true).await;

        // Crash all.
        for i in 0..servers {
            cfg.crash1(i);
        }

        // Revive all.
        for i in 0..servers {
            cfg.start1(i).await;
            cfg.connect(i);
        }

        let index2 = cfg.one(rand_int(), servers, true).await;
        assert!(index2 > index1, "index decreased from {index1} to {index2}");
    }
    cfg.end();
    cfg.cleanup();
}

/// A state loaded from a snapshot on restart must survive the next persist (and the next restart).
/// The current edition runs it on an unreliable network.
pub async fn snapshot_init(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, ed.pick(false, true), true).await;
    cfg.begin(&ed.raft_title('D', "snapshot initialization after crash"));

    cfg.one(rand_int(), servers, true).await;

    // Enough ops to make a snapshot.
    for _ in 0..SNAPSHOT_INTERVAL + 1 {
        cfg.one(rand_int(), servers, true).await;
    }

    // Crash and revive all.
    for i in 0..servers {
        cfg.crash1(i);
    }
    for i in 0..servers {
        cfg.start1(i).await;
        cfg.connect(i);
    }

    // A single op, to get something written back to persistent storage.
    cfg.one(rand_int(), servers, true).await;

    // Crash and revive all again.
    for i in 0..servers {
        cfg.crash1(i);
    }
    for i in 0..servers {
        cfg.start1(i).await;
        cfg.connect(i);
    }

    // Another op, to trigger the potential bug.
    cfg.one(rand_int(), servers, true).await;
    cfg.end();
    cfg.cleanup();
}
