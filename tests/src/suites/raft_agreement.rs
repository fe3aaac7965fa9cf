//! The Raft tests of part B (2B in 2023, 3B now): log replication (docs/lab-tests-2023.md §3, BasicAgree2B … Count2B), step for step and bound
//! for bound.

use crate::{Cmd, Config, ELECTION_TIMEOUT, Edition, rand_int, rand_int31, rand_string};
use madsim::time::sleep;
use raftapi::Raft as _;
use std::time::Duration;

pub async fn basic_agree(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('B', "basic agreement"));

    for index in 1..=3u64 {
        let (nd, _) = cfg.n_committed(index);
        assert_eq!(nd, 0, "some have committed before Start()");
        let xindex = cfg.one(index as i64 * 100, servers, false).await;
        assert_eq!(xindex, index, "got index {xindex} but expected {index}");
    }
    cfg.end();
    cfg.cleanup();
}

/// Each command is sent to each peer just once.
pub async fn rpc_bytes(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('B', "RPC byte count"));

    cfg.one(99, servers, false).await;
    let bytes0 = cfg.bytes_total();

    let mut sent = 0u64;
    for index in 2..12u64 {
        let cmd = rand_string(5000);
        sent += cmd.len() as u64;
        let xindex = cfg.one(cmd, servers, false).await;
        assert_eq!(xindex, index, "got index {xindex} but expected {index}");
    }

    let got = cfg.bytes_total() - bytes0;
    let expected = servers as u64 * sent;
    println!(
        "rpc_bytes_2b: {got} bytes for 10 agreements of 5000-char commands (bound {})",
        expected + 50_000
    );
    assert!(
        got <= expected + 50_000,
        "too many RPC bytes; got {got}, expected {expected}"
    );
    cfg.end();
    cfg.cleanup();
}

/// Progressive failure of followers.
pub async fn follower_failure(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('B', "test progressive failure of followers"));

    cfg.one(101, servers, false).await;

    // Disconnect one follower from the network.
    let leader1 = cfg.check_one_leader().await;
    cfg.disconnect((leader1 + 1) % servers);

    // The leader and the remaining follower should be able to agree.
    cfg.one(102, servers - 1, false).await;
    sleep(ELECTION_TIMEOUT).await;
    cfg.one(103, servers - 1, false).await;

    // Disconnect the remaining follower.
    let leader2 = cfg.check_one_leader().await;
    cfg.disconnect((leader2 + 1) % servers);
    cfg.disconnect((leader2 + 2) % servers);

    // Submit a command.
    let (index, _) = cfg.start(leader2, 104).expect("leader rejected Start()");
    assert_eq!(index, 4, "expected index 4, got {index}");

    sleep(2 * ELECTION_TIMEOUT).await;

    // Check that command 104 did not commit.
    let (n, _) = cfg.n_committed(index);
    assert_eq!(n, 0, "{n} committed but no majority");
    cfg.end();
    cfg.cleanup();
}

/// Failure of leaders.
pub async fn leader_failure(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('B', "test failure of leaders"));

    cfg.one(101, servers, false).await;

    // Disconnect the first leader.
    let leader1 = cfg.check_one_leader().await;
    cfg.disconnect(leader1);

    // The remaining followers should elect a new leader.
    cfg.one(102, servers - 1, false).await;
    sleep(ELECTION_TIMEOUT).await;
    cfg.one(103, servers - 1, false).await;

    // Disconnect the new leader.
    let leader2 = cfg.check_one_leader().await;
    cfg.disconnect(leader2);

    // Submit a command to each server.
    for i in 0..servers {
        cfg.start(i, 104);
    }

    sleep(2 * ELECTION_TIMEOUT).await;

    // Check that command 104 did not commit.
    let (n, _) = cfg.n_committed(4);
    assert_eq!(n, 0, "{n} committed but no majority");
    cfg.end();
    cfg.cleanup();
}

/// A follower that was cut off catches up after it reconnects.
pub async fn fail_agree(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('B', "agreement after follower reconnects"));

    cfg.one(101, servers, false).await;

    // Disconnect one follower from the network.
    let leader = cfg.check_one_leader().await;
    cfg.disconnect((leader + 1) % servers);

    // The leader and the remaining follower should be able to agree.
    cfg.one(102, servers - 1, false).await;
    cfg.one(103, servers - 1, false).await;
    sleep(ELECTION_TIMEOUT).await;
    cfg.one(104, servers - 1, false).await;
    cfg.one(105, servers - 1, false).await;

    // Re-connect.
    cfg.connect((leader + 1) % servers);

    // The full set of servers should preserve previous agreements and agree on new commands.
    cfg.one(106, servers, true).await;
    sleep(ELECTION_TIMEOUT).await;
    cfg.one(107, servers, true).await;
    cfg.end();
    cfg.cleanup();
}

/// No agreement if too many followers disconnect.
pub async fn fail_no_agree(ed: Edition) {
    let servers = 5;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('B', "no agreement if too many followers disconnect"));

    cfg.one(10, servers, false).await;

    // 3 of 5 followers disconnect.
    let leader = cfg.check_one_leader().await;
    cfg.disconnect((leader + 1) % servers);
    cfg.disconnect((leader + 2) % servers);
    cfg.disconnect((leader + 3) % servers);

    let (index, _) = cfg.start(leader, 20).expect("leader rejected Start()");
    assert_eq!(index, 2, "expected index 2, got {index}");

    sleep(2 * ELECTION_TIMEOUT).await;

    let (n, _) = cfg.n_committed(index);
    assert_eq!(n, 0, "{n} committed but no majority");

    // Repair.
    cfg.connect((leader + 1) % servers);
    cfg.connect((leader + 2) % servers);
    cfg.connect((leader + 3) % servers);

    // The disconnected majority may have chosen a leader from among their own ranks, forgetting
    // index 2.
    let leader2 = cfg.check_one_leader().await;
    let (index2, _) = cfg.start(leader2, 30).expect("leader2 rejected Start()");
    assert!((2..=3).contains(&index2), "unexpected index {index2}");

    cfg.one(1000, servers, true).await;
    cfg.end();
    cfg.cleanup();
}

pub async fn concurrent_starts(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('B', "concurrent Start()s"));

    let mut success = false;
    'tries: for attempt in 0..5 {
        if attempt > 0 {
            // Give the solution some time to settle.
            sleep(Duration::from_secs(3)).await;
        }

        let leader = cfg.check_one_leader().await;
        let Some((_, term)) = cfg.start(leader, 1) else {
            // The leader moved on really quickly.
            continue;
        };

        let iters = 5;
        let starts: Vec<_> = (0..iters)
            .map(|i| {
                let cfg = cfg.clone();
                madsim::task::spawn(async move {
                    match cfg.start(leader, 100 + i) {
                        Some((index, term1)) if term1 == term => Some(index),
                        _ => None,
                    }
                })
            })
            .collect();
        let mut indexes = Vec::new();
        for handle in starts {
            if let Some(index) = handle.await.expect("a Start() task died") {
                indexes.push(index);
            }
        }

        for j in 0..servers {
            if cfg.live_raft(j).state().0 != term {
                // Term changed: can't expect low RPC counts.
                continue 'tries;
            }
        }

        let mut cmds = Vec::new();
        for index in indexes {
            match cfg.wait(index, servers, Some(term)).await {
                // Peers have moved on to later terms, so not all Start()s can have succeeded.
                None => continue 'tries,
                Some(Cmd::Int(x)) => cmds.push(x),
                Some(other) => panic!("value {other} is not an int"),
            }
        }

        for i in 0..iters {
            let x = 100 + i;
            assert!(cmds.contains(&x), "cmd {x} missing in {cmds:?}");
        }
        success = true;
        break;
    }
    assert!(success, "term changed too often");
    cfg.end();
    cfg.cleanup();
}

/// A partitioned leader's uncommitted entries get overwritten when it rejoins.
pub async fn rejoin(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('B', "rejoin of partitioned leader"));

    cfg.one(101, servers, true).await;

    // Leader network failure.
    let leader1 = cfg.check_one_leader().await;
    cfg.disconnect(leader1);

    // Make the old leader try to agree on some entries.
    cfg.start(leader1, 102);
    cfg.start(leader1, 103);
    cfg.start(leader1, 104);

    // The new leader commits, also for index 2.
    cfg.one(103, 2, true).await;

    // New leader network failure.
    let leader2 = cfg.check_one_leader().await;
    cfg.disconnect(leader2);

    // Old leader connected again.
    cfg.connect(leader1);

    cfg.one(104, 2, true).await;

    // All together now.
    cfg.connect(leader2);

    cfg.one(105, servers, true).await;
    cfg.end();
    cfg.cleanup();
}

/// The leader backs up quickly over incorrect follower logs.
pub async fn backup(ed: Edition) {
    let servers = 5;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('B', "leader backs up quickly over incorrect follower logs"));

    cfg.one(rand_int(), servers, true).await;

    // Put the leader and one follower in a partition.
    let leader1 = cfg.check_one_leader().await;
    cfg.disconnect((leader1 + 2) % servers);
    cfg.disconnect((leader1 + 3) % servers);
    cfg.disconnect((leader1 + 4) % servers);

    // Submit lots of commands that won't commit.
    for _ in 0..50 {
        cfg.start(leader1, rand_int());
    }

    sleep(ELECTION_TIMEOUT / 2).await;

    cfg.disconnect(leader1 % servers);
    cfg.disconnect((leader1 + 1) % servers);

    // Allow the other partition to recover.
    cfg.connect((leader1 + 2) % servers);
    cfg.connect((leader1 + 3) % servers);
    cfg.connect((leader1 + 4) % servers);

    // Lots of successful commands to the new group.
    for _ in 0..50 {
        cfg.one(rand_int(), 3, true).await;
    }

    // Now another partitioned leader and one follower.
    let leader2 = cfg.check_one_leader().await;
    let mut other = (leader1 + 2) % servers;
    if leader2 == other {
        other = (leader2 + 1) % servers;
    }
    cfg.disconnect(other);

    // Lots more commands that won't commit.
    for _ in 0..50 {
        cfg.start(leader2, rand_int());
    }

    sleep(ELECTION_TIMEOUT / 2).await;

    // Bring the original leader back to life.
    for i in 0..servers {
        cfg.disconnect(i);
    }
    cfg.connect(leader1 % servers);
    cfg.connect((leader1 + 1) % servers);
    cfg.connect(other);

    // Lots of successful commands to the new group.
    for _ in 0..50 {
        cfg.one(rand_int(), 3, true).await;
    }

    // Now everyone.
    for i in 0..servers {
        cfg.connect(i);
    }
    cfg.one(rand_int(), servers, true).await;
    cfg.end();
    cfg.cleanup();
}

pub async fn count(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('B', "RPC counts aren't too high"));

    let rpcs = || (0..servers).map(|j| cfg.rpc_count(j)).sum::<u64>();

    cfg.check_one_leader().await;
    let mut total1 = rpcs();
    println!("count_2b: {total1} RPCs to elect the initial leader (bound 1..=30)");
    assert!(
        (1..=30).contains(&total1),
        "too many or few RPCs ({total1}) to elect initial leader"
    );

    let mut total2 = 0;
    let mut success = false;
    'tries: for attempt in 0..5 {
        if attempt > 0 {
            // Give the solution some time to settle.
            sleep(Duration::from_secs(3)).await;
        }

        let leader = cfg.check_one_leader().await;
        total1 = rpcs();

        let iters = 10u64;
        let Some((starti, term)) = cfg.start(leader, 1) else {
            // The leader moved on really quickly.
            continue;
        };
        let mut cmds = Vec::new();
        for i in 1..iters + 2 {
            let x = rand_int31();
            cmds.push(x);
            let Some((index1, term1)) = cfg.start(leader, x) else {
                continue 'tries;
            };
            if term1 != term {
                // Term changed while starting.
                continue 'tries;
            }
            assert_eq!(starti + i, index1, "Start() failed");
        }

        for i in 1..iters + 1 {
            let expected = cmds[(i - 1) as usize];
            match cfg.wait(starti + i, servers, Some(term)).await {
                None => continue 'tries,
                Some(Cmd::Int(x)) if x == expected => {}
                Some(other) => panic!(
                    "wrong value {other} committed for index {}; expected {cmds:?}",
                    starti + i
                ),
            }
        }

        let mut failed = false;
        total2 = 0;
        for j in 0..servers {
            if cfg.live_raft(j).state().0 != term {
                // Term changed: can't expect low RPC counts.
                failed = true;
            }
            total2 += cfg.rpc_count(j);
        }
        if failed {
            continue 'tries;
        }

        let bound = (iters + 1 + 3) * 3;
        println!(
            "count_2b: {} RPCs for {iters} agreements (bound {bound})",
            total2 - total1
        );
        assert!(
            total2 - total1 <= bound,
            "too many RPCs ({}) for {iters} entries",
            total2 - total1
        );
        success = true;
        break;
    }
    assert!(success, "term changed too often");

    sleep(ELECTION_TIMEOUT).await;

    let total3 = rpcs();
    println!(
        "count_2b: {} RPCs in 1 second of idleness (bound 60)",
        total3 - total2
    );
    assert!(
        total3 - total2 <= 3 * 20,
        "too many RPCs ({}) for 1 second of idleness",
        total3 - total2
    );
    cfg.end();
    cfg.cleanup();
}
