//! A Raft cluster's story under a partition, told in virtual time:
//! `cargo run -p raft-lab-tests --bin demo -- [--seed N] [--peers N]`.
//!
//! Runs on madsim with the given seed, so the same seed tells the same story, to the microsecond.

use clap::Parser;
use madsim::time::sleep;
use raft_lab_tests::{Cmd, Config};
use raftapi::Raft as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    about = "A Raft cluster elects, replicates, loses its leader to a partition and heals, in simulation"
)]
struct Args {
    /// Simulation seed: one seed, one story.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of Raft peers.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(3..=9))]
    peers: u64,
}

/// Prints one line of the story, stamped with virtual time.
fn say(line: impl AsRef<str>) {
    println!(
        "[{:>8.3}s] {}",
        sim::node::now().as_secs_f64(),
        line.as_ref()
    );
}

async fn story(n: usize) -> String {
    say(format!("{n} Raft peers start, all connected"));
    let cfg = Config::new(n, false, false).await;

    let leader = cfg.check_one_leader().await;
    let term = cfg.live_raft(leader).state().0;
    say(format!("peer {leader} is elected leader of term {term}"));

    let mut last = 0;
    for cmd in ["x=1", "y=2", "z=3"] {
        last = cfg.one(cmd, n, false).await;
        say(format!(
            "{cmd:?} committed at index {last} on all {n} peers"
        ));
    }

    cfg.disconnect(leader);
    say(format!("peer {leader} (the leader) is partitioned away"));
    let (lost_index, _) = cfg
        .start(leader, "lost=1")
        .expect("the partitioned leader still believes it leads");
    say(format!(
        "peer {leader} still believes it leads and accepts \"lost=1\" at index {lost_index}"
    ));

    let new_leader = cfg.check_one_leader().await;
    let new_term = cfg.live_raft(new_leader).state().0;
    say(format!(
        "the majority elects peer {new_leader} leader of term {new_term}"
    ));
    for cmd in ["a=4", "b=5"] {
        last = cfg.one(cmd, n - 1, false).await;
        say(format!(
            "{cmd:?} committed at index {last} on {} peers",
            n - 1
        ));
    }
    let lost = Cmd::from("lost=1");
    let lost_committed = (1..=last).any(|i| cfg.n_committed(i).1.as_ref() == Some(&lost));
    assert!(!lost_committed, "the partitioned leader committed an entry");
    say(format!(
        "peer {leader} could not commit \"lost=1\": it has no majority"
    ));

    cfg.connect(leader);
    say("the partition heals");
    let t0 = sim::node::now();
    let stepped = loop {
        let (t, is_leader) = cfg.live_raft(leader).state();
        if !is_leader {
            break t;
        }
        assert!(
            sim::node::now() - t0 < Duration::from_secs(5),
            "the old leader did not step down"
        );
        sleep(Duration::from_millis(10)).await;
    };
    say(format!(
        "peer {leader} sees term {stepped} and steps down to follower"
    ));

    last = cfg.one("c=6", n, true).await;
    say(format!(
        "\"c=6\" committed at index {last} on all {n} peers: peer {leader} caught up, \"lost=1\" overwritten"
    ));
    let rpcs = cfg.rpc_total();
    cfg.cleanup();
    format!(
        "{n} peers, leaders {leader} (term {term}) then {new_leader} (term {new_term}), {last} entries committed, {rpcs} RPCs, {:.3}s virtual",
        sim::node::now().as_secs_f64()
    )
}

fn main() {
    let args = Args::parse();
    sim::trace::init();
    let seed = args.seed;
    let n = args.peers as usize;
    let rt = madsim::runtime::Runtime::with_seed_and_config(seed, madsim::Config::default());
    let replay = format!("cargo run -p raft-lab-tests --bin demo -- --seed {seed} --peers {n}");
    match catch_unwind(AssertUnwindSafe(|| rt.block_on(story(n)))) {
        Ok(summary) => {
            println!("ok: {summary}");
            println!("replay: {replay}");
        }
        Err(payload) => {
            let msg = sim::runner::panic_message(payload.as_ref());
            eprintln!("demo failed with seed {seed}: {msg}");
            eprintln!("replay: {replay}");
            std::process::exit(1);
        }
    }
}
