//! Running one schedule: a Raft cluster built by the tester's [`Config`] on a fresh simulation with
//! the schedule's seed; the steps at their virtual times; the safety checker after every step, after
//! every delivered message (labrpc's delivery hook) and every [`SAMPLE`] of virtual time; then the
//! liveness phase with everything healed.

use super::driver::{FaultDriver, PeerLook, Recorder, lock, note_no_observer};
use super::quiet;
use super::schedule::{Action, Schedule};
use super::timeline::{Timeline, describe};
use crate::commands::Cmd;
use crate::kv_cluster::leader_at_top_term;
use crate::raft_config::Config;
use labrpc::{Delivery, FaultKnobs};
use raftapi::{PeerView, Raft};
use sim::runner::RunReport;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How often the driver samples every peer between messages and steps.
pub const SAMPLE: Duration = Duration::from_millis(5);
/// Liveness: after healing, some peer must lead (at the highest term) within this long…
pub const LEADER_BOUND: Duration = Duration::from_secs(5);
/// …and a new command must then be applied by every peer within this long.
pub const COMMIT_BOUND: Duration = Duration::from_secs(10);
/// A liveness attempt whose command is not applied everywhere in this long is submitted again.
const RETRY_AFTER: Duration = Duration::from_secs(2);

/// What one run of a schedule did.
#[derive(Debug)]
pub struct RunOutcome {
    /// Why the run failed (a violated invariant, failed liveness, or a panic), if it did.
    pub failure: Option<String>,
    pub timeline: Timeline,
    pub virtual_time: Duration,
    /// The sim trace digest: the same schedule must give the same digest.
    pub trace_digest: u64,
    pub observations: u64,
}

impl RunOutcome {
    /// The failure with the executed timeline, as a test failure message.
    pub fn report(&self) -> Option<String> {
        self.failure
            .as_ref()
            .map(|f| format!("{f}\nexecuted timeline (virtual time):\n{}", self.timeline))
    }

    /// What a finished simulation did: the failure `rec` holds, else the run's panic, if any.
    pub(crate) fn of_run(rec: &Recorder, run: &RunReport, observations: u64) -> Self {
        let failure = match (&rec.failure, run.failure()) {
            (Some(f), _) => Some(f.clone()),
            (None, Some(panic)) => Some(format!("the run panicked: {panic}")),
            (None, None) => None,
        };
        RunOutcome {
            failure,
            timeline: rec.timeline.clone(),
            virtual_time: run.virtual_time,
            trace_digest: run.trace.digest,
            observations,
        }
    }
}

/// Runs `schedule` on a cluster of `R` on its own simulation and reports what happened. Never
/// panics: a panic inside the simulation (an apply error, the tester's watchdog) is a failure of the
/// outcome.
pub fn run_schedule<R: Raft>(schedule: &Schedule) -> RunOutcome {
    let state = Arc::new(Mutex::new(State::<R>::new(schedule.peers)));
    let body_state = state.clone();
    let sched = schedule.clone();
    let report = sim::runner::run_seed(schedule.seed, move || async move {
        drive(sched, body_state).await;
    });
    let s = lock(&state);
    RunOutcome::of_run(&s.rec, &report, s.rec.checker.observations())
}

/// What the driver, the delivery hook and the outcome share.
struct State<R> {
    /// The peers being observed: live ones only, each registered after its restart was checked.
    rafts: Vec<Option<Arc<R>>>,
    rec: Recorder,
}

impl<R: Raft> State<R> {
    fn new(n: usize) -> Self {
        State {
            rafts: (0..n).map(|_| None).collect(),
            rec: Recorder::new(n, "peer"),
        }
    }

    /// The views of the live peers that offer one.
    fn views(&self) -> Vec<(usize, PeerView)> {
        self.rafts
            .iter()
            .enumerate()
            .filter_map(|(p, r)| r.as_ref().and_then(|r| r.observe()).map(|v| (p, v)))
            .collect()
    }

    /// Checks every invariant on the live peers now, and logs leaders of new terms.
    fn observe(&mut self) {
        // Nothing to look at once the run failed (and no peer is asked for its view).
        if self.rec.failure.is_some() {
            return;
        }
        let views = self.views();
        self.rec.observe(&views);
    }
}

/// The fault state the driver keeps: which directed links should be up, and the knobs.
struct Cluster<R> {
    schedule: Schedule,
    cfg: Config<R>,
    state: Arc<Mutex<State<R>>>,
    /// `up[i][j]`: peer i's end to peer j should be enabled (when both are live).
    up: Vec<Vec<bool>>,
    knobs: FaultKnobs,
    next_command: i64,
}

async fn drive<R: Raft>(schedule: Schedule, state: Arc<Mutex<State<R>>>) {
    let n = schedule.peers;
    let cfg = Config::<R>::new(n, false, schedule.snapshots).await;
    {
        let mut s = lock(&state);
        for p in 0..n {
            s.rafts[p] = cfg.raft(p);
        }
        if s.rafts.iter().flatten().any(|r| r.observe().is_none()) {
            note_no_observer("fuzz_raft");
        }
        s.rec.log(format!(
            "{n} peers up (seed {}, {} applier)",
            schedule.seed,
            if schedule.snapshots {
                "snapshot"
            } else {
                "plain"
            }
        ));
    }
    let hook_state = state.clone();
    cfg.net()
        .set_delivery_hook(Some(Arc::new(move |_: &Delivery<'_>| {
            lock(&hook_state).observe();
        })));
    let mut cluster = Cluster {
        schedule,
        cfg: cfg.clone(),
        state: state.clone(),
        up: vec![vec![true; n]; n],
        knobs: FaultKnobs::default(),
        next_command: 1,
    };
    if cluster.fault_phase().await {
        cluster.liveness_phase().await;
    }
    lock(&state).observe();
    cfg.net().set_delivery_hook(None);
    cfg.cleanup();
}

impl<R: Raft> FaultDriver for Cluster<R> {
    const SAMPLE: Duration = SAMPLE;

    fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    fn observe(&self) {
        self.state().observe();
    }

    fn failed(&self) -> bool {
        self.state().rec.failure.is_some()
    }

    fn log_step(&self, what: String) {
        self.log(what);
    }

    async fn execute(&mut self, action: &Action) -> String {
        let plan = describe(&self.schedule, action);
        let n = self.schedule.peers;
        match *action {
            Action::Partition { groups } => {
                for i in 0..n {
                    for j in 0..n {
                        self.up[i][j] = groups[i] % 3 == groups[j] % 3;
                    }
                }
                self.apply_links();
                plan
            }
            Action::CutLink { from, to } => {
                let (f, t) = self.schedule.link(from, to);
                self.up[f][t] = false;
                self.up[t][f] = true;
                self.apply_links();
                plan
            }
            Action::Heal => {
                self.heal_links();
                plan
            }
            Action::Crash(p) => {
                let p = self.schedule.peer(p);
                match self.crash(p) {
                    Some(was) => format!("crash peer {p} ({was})"),
                    None => format!("crash peer {p}: already down"),
                }
            }
            Action::Restart(p) => {
                let p = self.schedule.peer(p);
                let what = match self.crash(p) {
                    Some(was) => format!("reboot peer {p} (was {was})"),
                    None => format!("restart peer {p}"),
                };
                let back = self.restart(p).await;
                format!("{what}; back as {back}")
            }
            Action::Faults(f) => {
                self.knobs.request_drop_permille = f.request_drop_permille.into();
                self.knobs.reply_drop_permille = f.reply_drop_permille.into();
                self.knobs.min_delay_ms = f.min_delay_ms.into();
                self.knobs.max_delay_ms = f.max_delay_ms.into();
                self.apply_knobs();
                plan
            }
            Action::Duplicates(d) => {
                self.knobs.duplicate_permille = d.into();
                self.apply_knobs();
                plan
            }
            Action::Reordering(on) => {
                self.cfg.set_long_reordering(on);
                plan
            }
            Action::Commands(k) => self.commands(k),
            Action::CrashLeader(k) => {
                let burst = if k > 0 {
                    format!("{}; ", self.commands(k))
                } else {
                    String::new()
                };
                match self.leader() {
                    Some((p, _)) => {
                        let was = self.crash(p).unwrap_or_default();
                        format!("{burst}crash leader {p} ({was})")
                    }
                    None => format!("{burst}crash the leader: no peer leads"),
                }
            }
            Action::IsolateLeader(k) => {
                let cut = match self.leader() {
                    Some((l, term)) => {
                        for i in 0..n {
                            for j in 0..n {
                                self.up[i][j] = (i == l) == (j == l);
                            }
                        }
                        self.apply_links();
                        format!("cut leader {l} (term {term}) off from every other peer")
                    }
                    None => "cut the leader off: no peer leads".into(),
                };
                if k > 0 {
                    format!("{cut}; {}", self.commands(k))
                } else {
                    cut
                }
            }
            Action::Revive(k) => {
                let down: Vec<usize> = {
                    let s = self.state();
                    (0..n).filter(|&p| s.rafts[p].is_none()).collect()
                };
                if down.is_empty() {
                    return "revive a crashed peer: none is down".into();
                }
                let p = down[k as usize % down.len()];
                let back = self.restart(p).await;
                format!("revive peer {p}; back as {back}")
            }
        }
    }
}

impl<R: Raft> Cluster<R> {
    fn state(&self) -> MutexGuard<'_, State<R>> {
        lock(&self.state)
    }

    fn log(&self, what: String) {
        self.state().rec.log(what);
    }

    /// Enables each directed link that should be up and whose two peers are live; disables the rest.
    fn apply_links(&self) {
        let net = self.cfg.net();
        let live: Vec<bool> = self.state().rafts.iter().map(Option::is_some).collect();
        let n = self.schedule.peers;
        for i in 0..n {
            for j in 0..n {
                if let Some(end) = self.cfg.end_name(i, j) {
                    net.enable(&end, live[i] && live[j] && (i == j || self.up[i][j]));
                }
            }
        }
    }

    fn heal_links(&mut self) {
        for row in &mut self.up {
            row.fill(true);
        }
        self.apply_links();
    }

    fn apply_knobs(&self) {
        let knobs = (self.knobs != FaultKnobs::default()).then_some(self.knobs);
        // The schedule's knobs are in range by construction; a rejection is a fuzzer bug.
        if let Err(e) = self.cfg.net().set_fault_knobs(knobs) {
            self.state().rec.fail(format!("fuzzer bug: {e}"));
        }
    }

    /// Kills peer p if it is live; returns what it was ("leader, term 4").
    fn crash(&mut self, p: usize) -> Option<String> {
        let raft = self.state().rafts[p].take()?;
        let look = PeerLook::of(raft.as_ref());
        self.state().rec.crashed(p, &look);
        self.cfg.crash1(p);
        Some(look.role_and_term())
    }

    /// Starts peer p from its persisted state, checks what it came back with, and reconnects it.
    async fn restart(&mut self, p: usize) -> String {
        self.cfg.start1(p).await;
        let Some(raft) = self.cfg.raft(p) else {
            self.state().rec.fail(format!("peer {p} did not start"));
            return "nothing".into();
        };
        let look = PeerLook::of(raft.as_ref());
        {
            let mut s = self.state();
            s.rec.restarted(p, &look);
            s.rafts[p] = Some(raft);
        }
        self.apply_links();
        look.restart_summary()
    }

    /// Hands `k` new commands to every live peer that claims to lead; says who took which indexes.
    fn commands(&mut self, k: u8) -> String {
        let rafts: Vec<(usize, Arc<R>)> = {
            let s = self.state();
            s.rafts
                .iter()
                .enumerate()
                .filter_map(|(p, r)| r.clone().map(|r| (p, r)))
                .collect()
        };
        let mut taken = Vec::new();
        for (p, raft) in rafts {
            if !raft.state().1 {
                continue;
            }
            let mut range: Option<(u64, u64, u64)> = None;
            for _ in 0..k {
                let cmd = Cmd::Int(self.next_command);
                self.next_command += 1;
                if let Some((index, term)) = raft.start(cmd.encode()) {
                    let first = range.map_or(index, |r| r.0);
                    range = Some((first, index, term));
                }
            }
            if let Some((first, last, term)) = range {
                taken.push(format!("peer {p} (term {term}) took {first}..={last}"));
            }
        }
        if taken.is_empty() {
            format!("{k} commands: no peer claims to lead")
        } else {
            format!("{k} commands: {}", taken.join("; "))
        }
    }

    /// Heals everything, then requires a leader within [`LEADER_BOUND`] and a new command applied by
    /// every peer within [`COMMIT_BOUND`] after that.
    async fn liveness_phase(&mut self) {
        let n = self.schedule.peers;
        for p in 0..n {
            if self.state().rafts[p].is_none() {
                let back = self.restart(p).await;
                self.log(format!("liveness: restart peer {p}; back as {back}"));
            }
        }
        self.heal_links();
        self.knobs = FaultKnobs::default();
        self.apply_knobs();
        self.cfg.set_long_reordering(false);
        self.log("liveness: all peers live, every link up, reliable, no reordering".into());
        let healed = sim::node::now();

        let leader = loop {
            if let Some(l) = self.leader() {
                break l;
            }
            if sim::node::now() - healed >= LEADER_BOUND || !self.wait(SAMPLE).await {
                if !self.failed() {
                    self.state().rec.fail(format!(
                        "liveness: no leader within {} s of healing",
                        LEADER_BOUND.as_secs()
                    ));
                }
                return;
            }
        };
        let elected = sim::node::now();
        self.log(format!(
            "liveness: peer {} leads term {} after {} ms",
            leader.0,
            leader.1,
            (elected - healed).as_millis()
        ));

        let cmd = Cmd::Int(-1);
        let mut attempt: Option<(u64, Duration)> = None;
        loop {
            let now = sim::node::now();
            if let Some((index, since)) = attempt {
                let (count, got) = self.cfg.n_committed(index);
                if count == n && got.as_ref() == Some(&cmd) {
                    self.log(format!(
                        "liveness: command committed at index {index} on all {n} peers after {} ms",
                        (now - elected).as_millis()
                    ));
                    self.quiet_phase().await;
                    return;
                }
                if got.is_some_and(|c| c != cmd) || now - since >= RETRY_AFTER {
                    attempt = None;
                }
            }
            if attempt.is_none()
                && let Some((p, _)) = self.leader()
                && let Some(raft) = self.state().rafts[p].clone()
                && let Some((index, _)) = raft.start(cmd.encode())
            {
                attempt = Some((index, now));
            }
            if now - elected >= COMMIT_BOUND || !self.wait(SAMPLE).await {
                if !self.failed() {
                    self.state().rec.fail(format!(
                        "liveness: a new command was not applied by all {n} peers within {} s",
                        COMMIT_BOUND.as_secs()
                    ));
                }
                return;
            }
        }
    }

    /// The healed cluster must then stay quiet for [`quiet::WINDOW`]: no election, the same
    /// leader, and no more RPCs than heartbeats need (see [`quiet`]).
    async fn quiet_phase(&mut self) {
        let before = self.quiet_sample();
        if !self.wait(quiet::WINDOW).await {
            return;
        }
        let after = self.quiet_sample();
        match quiet::check(self.schedule.peers, &before, &after) {
            Ok(()) => self.log(format!(
                "quiet: {} RPCs in {} ms, leader and term unchanged",
                after.rpcs - before.rpcs,
                quiet::WINDOW.as_millis()
            )),
            Err(why) => self.state().rec.fail(why),
        }
    }

    fn quiet_sample(&self) -> quiet::Sample {
        let top_term = {
            let s = self.state();
            s.rafts.iter().flatten().map(|r| r.state().0).max()
        };
        quiet::Sample {
            top_term: top_term.unwrap_or(0),
            leader: self.leader(),
            rpcs: self.cfg.rpc_total(),
        }
    }

    /// A live peer that leads at the highest term any live peer has: (peer, term).
    fn leader(&self) -> Option<(usize, u64)> {
        let s = self.state();
        let states: Vec<(usize, u64, bool)> = s
            .rafts
            .iter()
            .enumerate()
            .filter_map(|(p, r)| {
                r.as_ref().map(|r| {
                    let (term, leader) = r.state();
                    (p, term, leader)
                })
            })
            .collect();
        leader_at_top_term(&states)
    }
}
