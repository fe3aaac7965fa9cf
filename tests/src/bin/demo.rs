//! A Raft cluster's story under a partition, told in virtual time:
//! `cargo run -p raft-lab-tests --bin demo -- [--seed N] [--peers N]`.
//!
//! Runs on madsim with the given seed, so the same seed tells the same story, to the microsecond.
//! Each line is stamped with the virtual time of what it tells ([`demo_story`]).

use clap::Parser;
use madsim::time::sleep;
use raft_lab_tests::demo_story::{self, Story};
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

/// The leader of the highest term among the peers now, and that term.
fn current_leader(cfg: &Config, n: usize) -> Option<(usize, u64)> {
    (0..n)
        .filter_map(|i| {
            let (term, leads) = cfg.live_raft(i).state();
            leads.then_some((i, term))
        })
        .max_by_key(|&(_, term)| term)
}

/// Runs the scenario; the peers' elections and commits are told from their own events.
async fn story(n: usize, story: &Story) -> String {
    story.say(format!("{n} Raft peers start, all connected"));
    let cfg = Config::new(n, false, false).await;
    cfg.check_one_leader().await;

    let mut last = 0;
    for cmd in ["x=1", "y=2", "z=3"] {
        last = cfg.one(cmd, n, false).await;
        committed(story, cmd, last, n, &format!("on all {n} peers"));
    }

    let (leader, term) = current_leader(&cfg, n).expect("a leader after three commits");
    cfg.disconnect(leader);
    story.say(format!(
        "peer {leader}, leader of term {term}, is partitioned away"
    ));
    let (lost_index, _) = cfg
        .start(leader, "lost=1")
        .expect("the partitioned leader still believes it leads");
    story.say(format!(
        "peer {leader} still believes it leads and accepts \"lost=1\" at index {lost_index}"
    ));

    cfg.check_one_leader().await;
    for cmd in ["a=4", "b=5"] {
        last = cfg.one(cmd, n - 1, false).await;
        committed(story, cmd, last, n - 1, &format!("on {} peers", n - 1));
    }
    let lost = Cmd::from("lost=1");
    let lost_committed = (1..=last).any(|i| cfg.n_committed(i).1.as_ref() == Some(&lost));
    assert!(!lost_committed, "the partitioned leader committed an entry");
    story.say(format!(
        "peer {leader} could not commit \"lost=1\": it has no majority"
    ));

    cfg.connect(leader);
    story.say("the partition heals");
    let t0 = sim::node::now();
    while cfg.live_raft(leader).state().1 {
        assert!(
            sim::node::now() - t0 < Duration::from_secs(5),
            "the old leader did not step down"
        );
        sleep(Duration::from_millis(10)).await;
    }

    last = cfg.one("c=6", n, true).await;
    committed(
        story,
        "c=6",
        last,
        n,
        &format!("on all {n} peers: peer {leader} caught up, \"lost=1\" overwritten"),
    );
    let rpcs = cfg.rpc_total();
    cfg.cleanup();
    let leaders: Vec<String> = story
        .leaders()
        .iter()
        .map(|(peer, term)| format!("{peer} (term {term})"))
        .collect();
    format!(
        "{n} peers, leaders {}, {last} entries committed, {rpcs} RPCs, {:.3}s virtual",
        leaders.join(" then "),
        sim::node::now().as_secs_f64()
    )
}

/// Tells that `cmd` was committed at `index`, at the moment the `count`-th peer applied it.
fn committed(story: &Story, cmd: &str, index: u64, count: usize, on: &str) {
    let at = story
        .applied_by(index, count)
        .expect("the tester saw the peers apply it");
    story.say_at(at, format!("{cmd:?} committed at index {index} {on}"));
}

fn main() {
    let args = Args::parse();
    sim::trace::init();
    let seed = args.seed;
    let n = args.peers as usize;
    let rt = madsim::runtime::Runtime::with_seed_and_config(seed, madsim::Config::default());
    let replay = format!("cargo run -p raft-lab-tests --bin demo -- --seed {seed} --peers {n}");
    let told = Story::listen();
    let outcome = catch_unwind(AssertUnwindSafe(|| rt.block_on(story(n, &told))));
    // Not every event fills the trace file's buffer: write the rest before the process ends.
    sim::trace::flush();
    // The story is printed once it is over, in order of virtual time: a commit is told at the time
    // the peers applied it, which is before the tester noticed.
    for line in told.lines() {
        println!("{}", demo_story::render(&line));
    }
    match outcome {
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
