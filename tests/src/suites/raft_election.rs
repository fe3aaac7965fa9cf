//! The Raft tests of part A (2A in 2023, 3A now): leader election (docs/lab-tests-2023.md §3, InitialElection2A, ReElection2A,
//! ManyElections2A).

use crate::{Config, ELECTION_TIMEOUT, Edition};
use madsim::time::sleep;
use std::time::Duration;

pub async fn initial_election(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('A', "initial election"));

    // Is a leader elected?
    cfg.check_one_leader().await;

    // Sleep a bit to avoid racing with followers learning of the election, then check that all
    // peers agree on the term.
    sleep(Duration::from_millis(50)).await;
    let term1 = cfg.check_terms().expect("no connected server");
    assert!(term1 >= 1, "term is {term1}, but should be at least 1");

    // Does the leader+term stay the same if there is no network failure?
    sleep(2 * ELECTION_TIMEOUT).await;
    let term2 = cfg.check_terms().expect("no connected server");
    if term1 != term2 {
        println!("warning: term changed even though there were no failures");
    }

    // There should still be a leader.
    cfg.check_one_leader().await;
    cfg.end();
    cfg.cleanup();
}

pub async fn re_election(ed: Edition) {
    let servers = 3;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('A', "election after network failure"));

    let leader1 = cfg.check_one_leader().await;

    // If the leader disconnects, a new one should be elected.
    cfg.disconnect(leader1);
    cfg.check_one_leader().await;

    // If the old leader rejoins, that shouldn't disturb the new leader.
    cfg.connect(leader1);
    let leader2 = cfg.check_one_leader().await;

    // If there's no quorum, no new leader should be elected.
    cfg.disconnect(leader2);
    cfg.disconnect((leader2 + 1) % servers);
    sleep(2 * ELECTION_TIMEOUT).await;

    // Check that the one connected server does not think it is the leader.
    cfg.check_no_leader();

    // If a quorum arises, it should elect a leader.
    cfg.connect((leader2 + 1) % servers);
    cfg.check_one_leader().await;

    // Re-join of the last node shouldn't prevent a leader from existing.
    cfg.connect(leader2);
    cfg.check_one_leader().await;
    cfg.end();
    cfg.cleanup();
}

pub async fn many_elections(ed: Edition) {
    let servers = 7;
    let cfg = Config::with_edition(ed, servers, false, false).await;
    cfg.begin(&ed.raft_title('A', "multiple elections"));

    cfg.check_one_leader().await;

    let iters = 10;
    for _ in 1..iters {
        // Disconnect three nodes (possibly the same one more than once).
        let pick = || sim::rng::uniform(0, servers as u64 - 1) as usize;
        let (i1, i2, i3) = (pick(), pick(), pick());
        cfg.disconnect(i1);
        cfg.disconnect(i2);
        cfg.disconnect(i3);

        // Either the current leader should still be alive, or the remaining four should elect
        // a new one.
        cfg.check_one_leader().await;

        cfg.connect(i1);
        cfg.connect(i2);
        cfg.connect(i3);
    }

    cfg.check_one_leader().await;
    cfg.end();
    cfg.cleanup();
}
