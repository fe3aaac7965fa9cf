//! The Raft tests of part C (2C in 2023, 3C now): persistence (docs/lab-tests-2023.md §3, Persist12C …
//! UnreliableChurn2C), step for step and bound for bound. Where the 2023 persistence tests cut a peer
//! off with a disconnect, the current edition crashes it (docs/lab-tests-2026.md §5); that is the
//! one difference, made by `take_away` and `bring_back`.

use crate::{Cmd, Config, ELECTION_TIMEOUT, Edition, rand_int};
use madsim::time::sleep;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Takes peer i away for a while: the 2023 tests disconnect it, the current edition crashes it.
fn take_away(cfg: &Config, ed: Edition, i: usize) {
    match ed {
        Edition::Spring2023 => cfg.disconnect(i),
        Edition::Spring2026 => cfg.crash1(i),
    }
}

/// Brings back a peer [`take_away`] took: reconnected in 2023, restarted (and connected) now.
async fn bring_back(cfg: &Config, ed: Edition, i: usize) {
    if ed == Edition::Spring2026 {
        cfg.start1(i).await;
    }
    cfg.connect(i);
}

/// A random server index from the seed.
fn random_server(servers: usize) -> usize {
    sim::rng::uniform(0, servers as u64 - 1) as usize
}

/// Go's `(rand.Int() % 1000) < per_mille`.
fn per_mille(per_mille: u64) -> bool {
    sim::rng::uniform(0, 999) < per_mille
}

/// Figure 8's pause after each round: with p = 0.1 up to half an election timeout, else up to 12 ms.
async fn figure8_sleep() {
    let ms = if per_mille(100) {
        sim::rng::uniform(0, ELECTION_TIMEOUT.as_millis() as u64 / 2 - 1)
    } else {
        sim::rng::uniform(0, 12)
    };
    sleep(Duration::from_millis(ms)).await;
}

pub async fn persist1(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('C', "basic persistence"));

    cfg.one(11, servers, true).await;

    // Crash and restart all.
    for i in 0..servers {
        cfg.start1(i).await;
    }
    for i in 0..servers {
        cfg.disconnect(i);
        cfg.connect(i);
    }

    cfg.one(12, servers, true).await;

    let leader1 = cfg.check_one_leader().await;
    cfg.disconnect(leader1);
    cfg.start1(leader1).await;
    cfg.connect(leader1);

    cfg.one(13, servers, true).await;

    let leader2 = cfg.check_one_leader().await;
    take_away(&cfg, ed, leader2);
    cfg.one(14, servers - 1, true).await;
    cfg.start1(leader2).await;
    cfg.connect(leader2);

    // Wait for leader2 to join before killing i3.
    cfg.wait(4, servers, None).await;

    let i3 = (cfg.check_one_leader().await + 1) % servers;
    take_away(&cfg, ed, i3);
    cfg.one(15, servers - 1, true).await;
    cfg.start1(i3).await;
    cfg.connect(i3);

    cfg.one(16, servers, true).await;
    cfg.end();
    cfg.cleanup();
}

pub async fn persist2(ed: Edition) {
    let servers = 5;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('C', "more persistence"));

    let mut index = 1;
    for _ in 0..5 {
        cfg.one(10 + index, servers, true).await;
        index += 1;

        let leader1 = cfg.check_one_leader().await;

        take_away(&cfg, ed, (leader1 + 1) % servers);
        take_away(&cfg, ed, (leader1 + 2) % servers);

        cfg.one(10 + index, servers - 2, true).await;
        index += 1;

        take_away(&cfg, ed, leader1 % servers);
        take_away(&cfg, ed, (leader1 + 3) % servers);
        take_away(&cfg, ed, (leader1 + 4) % servers);

        cfg.start1((leader1 + 1) % servers).await;
        cfg.start1((leader1 + 2) % servers).await;
        cfg.connect((leader1 + 1) % servers);
        cfg.connect((leader1 + 2) % servers);

        sleep(ELECTION_TIMEOUT).await;

        cfg.start1((leader1 + 3) % servers).await;
        cfg.connect((leader1 + 3) % servers);

        cfg.one(10 + index, servers - 2, true).await;
        index += 1;

        bring_back(&cfg, ed, (leader1 + 4) % servers).await;
        bring_back(&cfg, ed, leader1 % servers).await;
    }

    cfg.one(1000, servers, true).await;
    cfg.end();
    cfg.cleanup();
}

pub async fn persist3(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title(
        'C',
        "partitioned leader and one follower crash, leader restarts",
    ));

    cfg.one(101, 3, true).await;

    let leader = cfg.check_one_leader().await;
    cfg.disconnect((leader + 2) % servers);

    cfg.one(102, 2, true).await;

    cfg.crash1(leader % servers);
    cfg.crash1((leader + 1) % servers);
    cfg.connect((leader + 2) % servers);
    cfg.start1(leader % servers).await;
    cfg.connect(leader % servers);

    cfg.one(103, 2, true).await;

    cfg.start1((leader + 1) % servers).await;
    cfg.connect((leader + 1) % servers);

    cfg.one(104, servers, true).await;
    cfg.end();
    cfg.cleanup();
}

/// Test the scenarios described in Figure 8 of the extended Raft paper. Each iteration asks a leader,
/// if there is one, to insert a command in the log, then crashes it; a new leader may then be
/// elected or an old one revived. Old leaders keep uncommitted entries a new leader must overwrite.
pub async fn figure8(ed: Edition) {
    let servers = 5;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('C', "Figure 8"));

    cfg.one(rand_int(), 1, true).await;

    let mut nup = servers;
    for _ in 0..1000 {
        let mut leader = None;
        for i in 0..servers {
            if cfg.start(i, rand_int()).is_some() {
                leader = Some(i);
            }
        }

        figure8_sleep().await;

        if let Some(l) = leader {
            cfg.crash1(l);
            nup -= 1;
        }

        if nup < 3 {
            let s = random_server(servers);
            if !cfg.is_alive(s) {
                cfg.start1(s).await;
                cfg.connect(s);
                nup += 1;
            }
        }
    }

    for i in 0..servers {
        if !cfg.is_alive(i) {
            cfg.start1(i).await;
            cfg.connect(i);
        }
    }

    cfg.one(rand_int(), servers, true).await;
    cfg.end();
    cfg.cleanup();
}

pub async fn unreliable_agree(ed: Edition) {
    let servers = 5;
    let cfg = Config::with_edition(ed, servers, true, false).await;
    cfg.begin(&ed.raft_title('C', "unreliable agreement"));

    let mut clients = Vec::new();
    for iters in 1..50i64 {
        for j in 0..4 {
            let cfg = cfg.clone();
            clients.push(madsim::task::spawn(async move {
                cfg.one(100 * iters + j, 1, true).await;
            }));
        }
        cfg.one(iters, 1, true).await;
    }

    cfg.set_reliable(true);

    for c in clients {
        c.await.expect("a one() task died");
    }

    cfg.one(100, servers, true).await;
    cfg.end();
    cfg.cleanup();
}

pub async fn figure8_unreliable(ed: Edition) {
    let servers = 5;
    let cfg = Config::with_edition(ed, servers, true, false).await;
    cfg.begin(&ed.raft_title('C', "Figure 8 (unreliable)"));

    cfg.one(rand_int() % 10000, 1, true).await;

    let mut nup = servers;
    for iters in 0..1000 {
        if iters == 200 {
            cfg.set_long_reordering(true);
        }
        let mut leader = None;
        for i in 0..servers {
            if cfg.start(i, rand_int() % 10000).is_some() && cfg.is_connected(i) {
                leader = Some(i);
            }
        }

        figure8_sleep().await;

        if let Some(l) = leader
            && per_mille(ELECTION_TIMEOUT.as_millis() as u64 / 2)
        {
            cfg.disconnect(l);
            nup -= 1;
        }

        if nup < 3 {
            let s = random_server(servers);
            if !cfg.is_connected(s) {
                cfg.connect(s);
                nup += 1;
            }
        }
    }

    for i in 0..servers {
        if !cfg.is_connected(i) {
            cfg.connect(i);
        }
    }

    cfg.one(rand_int() % 10000, servers, true).await;
    cfg.end();
    cfg.cleanup();
}

/// One churn client: keeps proposing random ints to every live peer, and reports the values it saw
/// committed at the index a leader gave it.
async fn churn_client(cfg: Config, me: u64, stop: Arc<AtomicBool>) -> Vec<i64> {
    let servers = cfg.n();
    let mut values = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let x = rand_int();
        let mut index = None;
        for i in 0..servers {
            // Try them all; maybe one of them is a leader.
            if let Some((index1, _)) = cfg.start(i, x) {
                index = Some(index1);
            }
        }
        match index {
            Some(index) => {
                // Maybe the leader will commit our value, maybe not; but don't wait forever.
                for to in [10, 20, 50, 100, 200] {
                    let (nd, cmd) = cfg.n_committed(index);
                    if nd > 0 {
                        match cmd {
                            Some(Cmd::Int(xx)) => {
                                if xx == x {
                                    values.push(x);
                                }
                            }
                            other => panic!("wrong command type: {other:?}"),
                        }
                        break;
                    }
                    sleep(Duration::from_millis(to)).await;
                }
            }
            None => sleep(Duration::from_millis(79 + me * 17)).await,
        }
    }
    values
}

async fn internal_churn(ed: Edition, unreliable: bool) {
    let servers = 5;
    let cfg = Config::with_edition(ed, servers, unreliable, false).await;
    if unreliable {
        cfg.begin(&ed.raft_title('C', "unreliable churn"));
    } else {
        cfg.begin(&ed.raft_title('C', "churn"));
    }

    let stop = Arc::new(AtomicBool::new(false));
    let ncli = 3;
    let clients: Vec<_> = (0..ncli)
        .map(|me| madsim::task::spawn(churn_client(cfg.clone(), me, stop.clone())))
        .collect();

    for _ in 0..20 {
        if per_mille(200) {
            cfg.disconnect(random_server(servers));
        }

        if per_mille(500) {
            let i = random_server(servers);
            if !cfg.is_alive(i) {
                cfg.start1(i).await;
            }
            cfg.connect(i);
        }

        if per_mille(200) {
            let i = random_server(servers);
            if cfg.is_alive(i) {
                cfg.crash1(i);
            }
        }

        // Crash/restart often enough that the peers rarely settle between changes, but not so often
        // that they can never keep up: a bit less than an election timeout.
        sleep(ELECTION_TIMEOUT * 7 / 10).await;
    }

    sleep(ELECTION_TIMEOUT).await;
    cfg.set_reliable(true);
    for i in 0..servers {
        if !cfg.is_alive(i) {
            cfg.start1(i).await;
        }
        cfg.connect(i);
    }

    stop.store(true, Ordering::SeqCst);

    let mut values = Vec::new();
    for c in clients {
        values.extend(c.await.expect("client failed"));
    }

    sleep(ELECTION_TIMEOUT).await;

    let last_index = cfg.one(rand_int(), servers, true).await;

    let mut really = Vec::new();
    for index in 1..=last_index {
        match cfg.wait(index, servers, None).await {
            Some(Cmd::Int(v)) => really.push(v),
            other => panic!("index {index} holds {other:?}, not an int"),
        }
    }

    for v1 in &values {
        assert!(
            really.contains(v1),
            "didn't find a value: {v1} was committed for a client but is not in the final log"
        );
    }
    cfg.end();
    cfg.cleanup();
}

pub async fn reliable_churn(ed: Edition) {
    internal_churn(ed, false).await;
}

pub async fn unreliable_churn(ed: Edition) {
    internal_churn(ed, true).await;
}
