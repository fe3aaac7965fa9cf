//! The fuzzer's KV variant (issue 9): one [`Schedule`] run against a kvraft cluster while a few
//! clients do Gets, Puts and Appends on a small key set, every operation recorded with its virtual
//! call and return times. The fault steps mean what they mean for Raft (see [`super::schedule`]);
//! a command burst becomes a burst of client operations. Raft's safety properties are sampled on the
//! replicas throughout. After the steps everything is healed; the operations in flight must then
//! return, and a fresh clerk must read every key, within [`FINISH_BOUND`] — a clerk retries until it
//! succeeds, so only this bound makes liveness checkable. Finally the history must be proven
//! linearizable (an unknown verdict fails) and every Append must have taken effect exactly once.

use super::cluster::RunOutcome;
use super::driver::{FaultDriver, Recorder, lock, note_no_observer};
use super::kv_cluster::FuzzKvCluster;
use super::schedule::{Action, MAX_PEERS, Schedule};
use super::timeline::describe;
use crate::kv_cluster::KvImpl;
use crate::kv_config::now_ns;
use crate::kv_history;
use checker::{History, OpKind, Operation};
use madsim::time::sleep;
use raftapi::KvClerk;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// maxraftstate for a schedule with `snapshots` (the lab's 3B tests use the same): small enough
/// that replicas snapshot every few dozen operations.
pub const SNAPSHOT_MAXRAFTSTATE: i64 = 1000;
/// Clients per case: [`MIN_CLIENTS`]`..=`[`MAX_CLIENTS`], from the seed (see [`clients`]).
pub const MIN_CLIENTS: usize = 3;
pub const MAX_CLIENTS: usize = 5;
/// The keys clients use: few, so operations on one key overlap often.
pub const KEYS: u64 = 3;
/// A client pauses up to this long between its operations (none before a burst's).
pub const MAX_THINK: Duration = Duration::from_millis(100);
/// How often the replicas' Raft views are checked while the driver waits.
pub const SAMPLE: Duration = Duration::from_millis(10);
/// Liveness: after healing, every operation in flight must return and the final reads finish
/// within this much virtual time (elections take a second or two; the rest is slack).
pub const FINISH_BOUND: Duration = Duration::from_secs(20);
/// Names the history files written when a check fails: `fuzz-kv-seed<seed>.{html,history.json}`.
pub const HISTORY_LABEL: &str = "fuzz-kv";

/// How many clients a case runs: part of the case through its seed (which never shrinks), so a
/// shrunk schedule keeps its clients.
pub fn clients(schedule: &Schedule) -> usize {
    MIN_CLIENTS + (schedule.seed % (MAX_CLIENTS - MIN_CLIENTS + 1) as u64) as usize
}

/// The replicas' maxraftstate: [`SNAPSHOT_MAXRAFTSTATE`] with snapshots, else -1 (never).
pub fn maxraftstate(schedule: &Schedule) -> i64 {
    if schedule.snapshots {
        SNAPSHOT_MAXRAFTSTATE
    } else {
        -1
    }
}

/// Runs `schedule` against a KV cluster on its own simulation. Never panics: a panic inside the
/// simulation is a failure of the outcome. `observations` counts the operations in the history.
pub fn run_schedule(schedule: &Schedule) -> RunOutcome {
    run_schedule_on::<crate::TestedKv>(schedule)
}

/// [`run_schedule`] on the service `K`.
pub fn run_schedule_on<K: KvImpl>(schedule: &Schedule) -> RunOutcome {
    let report = Arc::new(Mutex::new(Recorder::new(schedule.peers, "server")));
    let history = History::new();
    let (body_report, body_history, sched) = (report.clone(), history.clone(), schedule.clone());
    let run = sim::runner::run_seed(schedule.seed, move || async move {
        drive::<K>(sched, body_report, body_history).await;
    });
    RunOutcome::of_run(&lock(&report), &run, history.len() as u64)
}

// ---- clients ----------------------------------------------------------------------------------

/// What the driver and one client task share.
#[derive(Default)]
struct Slot {
    /// Burst operations waiting to be called.
    queued: AtomicU32,
    /// Set at healing: call nothing new.
    stop: AtomicBool,
    /// The operation in flight and its call time, for the liveness message.
    pending: Mutex<Option<(String, Duration)>>,
    done: AtomicBool,
}

/// One operation a client chose.
struct Op {
    kind: OpKind,
    key: String,
    value: String,
}

impl Op {
    /// A random operation: 40% Get, 45% Append, 15% Put, on one of [`KEYS`] keys. Values are
    /// unique ("<client.n>" appended, "=client.n=" put) so the final values show each Append.
    fn random(cli: usize, n: u64) -> Op {
        let key = format!("k{}", sim::rng::uniform(0, KEYS - 1));
        match sim::rng::uniform(0, 99) {
            0..40 => Op {
                kind: OpKind::Get,
                key,
                value: String::new(),
            },
            40..85 => Op {
                kind: OpKind::Append,
                key,
                value: format!("<{cli}.{n}>"),
            },
            _ => Op {
                kind: OpKind::Put,
                key,
                value: format!("={cli}.{n}="),
            },
        }
    }

    fn describe(&self) -> String {
        match self.kind {
            OpKind::Get => format!("Get({:?})", self.key),
            _ => format!("{:?}({:?}, {:?})", self.kind, self.key, self.value),
        }
    }

    /// Runs the operation through `clerk` and records it in `history` as client `cli`'s.
    async fn run<C: KvClerk>(&self, clerk: &C, history: &History, cli: u64) -> String {
        let call = now_ns();
        let output = match self.kind {
            OpKind::Get => clerk.get(&self.key).await,
            OpKind::Put => {
                clerk.put(&self.key, &self.value).await;
                String::new()
            }
            OpKind::Append => {
                clerk.append(&self.key, &self.value).await;
                String::new()
            }
        };
        let ret = now_ns();
        let (key, value) = (self.key.as_str(), self.value.as_str());
        history.record(match self.kind {
            OpKind::Get => Operation::get(cli, call, ret, key, &output),
            OpKind::Put => Operation::put(cli, call, ret, key, value),
            OpKind::Append => Operation::append(cli, call, ret, key, value),
        });
        output
    }
}

/// A client: one operation at a time, a short random pause before each unless a burst is queued,
/// until told to stop. The operation in flight when it is stopped still finishes.
async fn client<C: KvClerk>(cli: usize, clerk: C, slot: Arc<Slot>, history: History) {
    let mut n = 0;
    while !slot.stop.load(Ordering::SeqCst) {
        let burst = slot
            .queued
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |q| q.checked_sub(1))
            .is_ok();
        if !burst {
            let think = sim::rng::uniform(0, MAX_THINK.as_millis() as u64);
            sleep(Duration::from_millis(think)).await;
            if slot.stop.load(Ordering::SeqCst) {
                break;
            }
        }
        let op = Op::random(cli, n);
        n += 1;
        *lock(&slot.pending) = Some((op.describe(), sim::node::now()));
        op.run(&clerk, &history, cli as u64).await;
        *lock(&slot.pending) = None;
    }
    slot.done.store(true, Ordering::SeqCst);
}

// ---- the driver -------------------------------------------------------------------------------

struct Driver<K: KvImpl> {
    schedule: Schedule,
    cluster: FuzzKvCluster<K>,
    report: Arc<Mutex<Recorder>>,
    history: History,
    slots: Vec<Arc<Slot>>,
}

async fn drive<K: KvImpl>(schedule: Schedule, report: Arc<Mutex<Recorder>>, history: History) {
    let n = schedule.peers;
    let cluster = match FuzzKvCluster::<K>::new(n, maxraftstate(&schedule)).await {
        Ok(c) => c,
        Err(e) => return lock(&report).fail(e),
    };
    if !cluster.observable() {
        note_no_observer("fuzz_kv");
    }
    let ncli = clients(&schedule);
    lock(&report).log(format!(
        "{n} servers up (seed {}, maxraftstate {}), {ncli} clients on keys k0..k{}",
        schedule.seed,
        maxraftstate(&schedule),
        KEYS - 1
    ));
    let slots: Vec<Arc<Slot>> = (0..ncli).map(|_| Arc::new(Slot::default())).collect();
    for (cli, slot) in slots.iter().enumerate() {
        let clerk = cluster.make_clerk();
        madsim::task::spawn(client(cli, clerk, slot.clone(), history.clone()));
    }
    let mut d = Driver {
        schedule,
        cluster,
        report,
        history,
        slots,
    };
    if d.fault_phase().await
        && let Some(finals) = d.settle_phase().await
    {
        d.check_history(&finals);
    }
    d.cluster.shutdown();
}

impl<K: KvImpl> FaultDriver for Driver<K> {
    const SAMPLE: Duration = SAMPLE;

    fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// Checks Raft's invariants on the live replicas.
    fn observe(&self) {
        let views = self.cluster.views();
        self.report().observe(&views);
    }

    fn failed(&self) -> bool {
        self.report().failure.is_some()
    }

    /// The step, and how many operations had returned by then.
    fn log_step(&self, what: String) {
        let ops = self.history.len();
        self.log(format!("{what}  [{ops} ops done]"));
    }

    async fn execute(&mut self, action: &Action) -> String {
        let plan = describe(&self.schedule, action);
        let done = match *action {
            Action::Partition { groups } => {
                self.cluster.partition(&groups);
                Ok(())
            }
            Action::CutLink { from, to } => {
                let (f, t) = self.schedule.link(from, to);
                self.cluster.cut(f, t);
                Ok(())
            }
            Action::Heal => {
                self.cluster.heal();
                Ok(())
            }
            Action::Crash(p) => {
                let p = self.schedule.peer(p);
                return match self.crash(p) {
                    Some(was) => format!("crash server {p} ({was})"),
                    None => format!("crash server {p}: already down"),
                };
            }
            Action::Restart(p) => {
                let p = self.schedule.peer(p);
                let what = match self.crash(p) {
                    Some(was) => format!("reboot server {p} (was {was})"),
                    None => format!("restart server {p}"),
                };
                let back = self.restart(p).await;
                return format!("{what}; back as {back}");
            }
            Action::Faults(f) => self.cluster.set_faults(f),
            Action::Duplicates(d) => self.cluster.set_duplicates(d),
            Action::Reordering(on) => {
                self.cluster.set_long_reordering(on);
                Ok(())
            }
            Action::Commands(k) => {
                self.queue(k);
                return format!("burst: {k} operations queued on each client");
            }
            Action::CrashLeader(k) => {
                self.queue(k);
                let Some((l, _)) = self.cluster.leader() else {
                    return format!("{k} operations queued on each client; no server leads");
                };
                let was = self.crash(l).unwrap_or_default();
                return format!("{k} operations queued on each client; crash leader {l} ({was})");
            }
            Action::IsolateLeader(k) => {
                let cut = match self.cluster.leader() {
                    Some((l, term)) => {
                        let mut groups = [0; MAX_PEERS];
                        groups[l] = 1;
                        self.cluster.partition(&groups);
                        format!("cut leader {l} (term {term}) off from every other server")
                    }
                    None => "cut the leader off: no server leads".into(),
                };
                self.queue(k);
                return format!("{cut}; {k} operations queued on each client");
            }
            Action::Revive(k) => {
                let n = self.cluster.n();
                let down: Vec<usize> = (0..n).filter(|&i| !self.cluster.is_live(i)).collect();
                if down.is_empty() {
                    return "revive a crashed server: none is down".into();
                }
                let p = down[k as usize % down.len()];
                let back = self.restart(p).await;
                return format!("revive server {p}; back as {back}");
            }
        };
        if let Err(e) = done {
            // The schedule's knobs are in range by construction; a rejection is a fuzzer bug.
            self.report().fail(format!("fuzzer bug: {e}"));
        }
        plan
    }
}

impl<K: KvImpl> Driver<K> {
    fn report(&self) -> MutexGuard<'_, Recorder> {
        lock(&self.report)
    }

    fn log(&self, what: impl Into<String>) {
        self.report().log(what);
    }

    /// Queues `k` more operations on each client.
    fn queue(&self, k: u8) {
        for slot in &self.slots {
            slot.queued.fetch_add(k.into(), Ordering::SeqCst);
        }
    }

    /// Kills server p if it is live; returns what it was ("leader, term 4").
    fn crash(&mut self, p: usize) -> Option<String> {
        let last = self.cluster.crash(p)?;
        self.report().crashed(p, &last);
        Some(last.role_and_term())
    }

    /// Starts server p from its persisted state, checks what Raft came back with, reconnects it.
    async fn restart(&mut self, p: usize) -> String {
        let first = match self.cluster.start(p).await {
            Ok(look) => look,
            Err(e) => {
                self.report().fail(e);
                return "nothing".into();
            }
        };
        self.report().restarted(p, &first);
        self.cluster.apply_links();
        first.restart_summary()
    }

    /// Heals everything and stops the clients; the operations in flight must then return and a
    /// fresh clerk read every key within [`FINISH_BOUND`]. Returns the final value of every key.
    async fn settle_phase(&mut self) -> Option<BTreeMap<String, String>> {
        for p in 0..self.cluster.n() {
            if !self.cluster.is_live(p) {
                let back = self.restart(p).await;
                self.log(format!("settle: restart server {p}; back as {back}"));
            }
        }
        self.cluster.heal();
        if let Err(e) = self.cluster.clear_faults() {
            self.report().fail(format!("fuzzer bug: {e}"));
            return None;
        }
        for slot in &self.slots {
            slot.stop.store(true, Ordering::SeqCst);
            slot.queued.store(0, Ordering::SeqCst);
        }
        let in_flight = self
            .slots
            .iter()
            .filter(|s| lock(&s.pending).is_some())
            .count();
        self.log(format!(
            "settle: all servers live, every link up, reliable, no reordering; clients stopped \
             ({} ops done, {in_flight} in flight)",
            self.history.len()
        ));
        let deadline = sim::node::now() + FINISH_BOUND;

        while !self.slots.iter().all(|s| s.done.load(Ordering::SeqCst)) {
            if sim::node::now() >= deadline {
                let stuck = self.stuck_clients();
                self.report().fail(format!(
                    "liveness: {} s after healing, operations still had not returned: {stuck}",
                    FINISH_BOUND.as_secs()
                ));
                return None;
            }
            if !self.wait(SAMPLE).await {
                return None;
            }
        }
        self.log("settle: every client's operation returned");

        // A fresh clerk reads every key, recorded as one more client.
        let finals = Arc::new(Mutex::new(BTreeMap::new()));
        let reader_done = Arc::new(AtomicBool::new(false));
        {
            let clerk = self.cluster.make_clerk();
            let (history, finals, done) =
                (self.history.clone(), finals.clone(), reader_done.clone());
            let cli = self.slots.len() as u64;
            madsim::task::spawn(async move {
                for k in 0..KEYS {
                    let op = Op {
                        kind: OpKind::Get,
                        key: format!("k{k}"),
                        value: String::new(),
                    };
                    let v = op.run(&clerk, &history, cli).await;
                    lock(&finals).insert(op.key, v);
                }
                done.store(true, Ordering::SeqCst);
            });
        }
        while !reader_done.load(Ordering::SeqCst) {
            if sim::node::now() >= deadline {
                self.report().fail(format!(
                    "liveness: a fresh clerk could not read every key within {} s of healing",
                    FINISH_BOUND.as_secs()
                ));
                return None;
            }
            if !self.wait(SAMPLE).await {
                return None;
            }
        }
        let finals = lock(&finals).clone();
        let lens: Vec<String> = finals
            .iter()
            .map(|(k, v)| format!("{k}: {} bytes", v.len()))
            .collect();
        self.log(format!("settle: final values read ({})", lens.join(", ")));
        Some(finals)
    }

    /// "client 2: Append(\"k1\", \"<2.14>\") called at 12.345 s; …" for every unfinished client.
    fn stuck_clients(&self) -> String {
        let stuck: Vec<String> = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.done.load(Ordering::SeqCst))
            .map(|(cli, s)| match &*lock(&s.pending) {
                Some((op, at)) => format!("client {cli}: {op} called at {:.3} s", at.as_secs_f64()),
                None => format!("client {cli}: between operations"),
            })
            .collect();
        stuck.join("; ")
    }

    /// The history must be proven linearizable (Illegal writes the HTML; Unknown is a failure too)
    /// and every Append must appear exactly once in the final value of its key.
    fn check_history(&self, finals: &BTreeMap<String, String>) {
        let ops = self.history.snapshot();
        let mut problems = Vec::new();
        match kv_history::check(&self.history, HISTORY_LABEL) {
            Ok(()) => self.log(format!("history of {} ops is linearizable", ops.len())),
            Err(e) => problems.push(e),
        }
        if let Err(e) = check_exactly_once(&ops, finals) {
            if problems.is_empty() {
                kv_history::dump_on_failure(&self.history, HISTORY_LABEL);
            }
            problems.push(e);
        } else {
            self.log("every Append took effect exactly once");
        }
        if !problems.is_empty() {
            self.report().fail(problems.join("\n"));
        }
    }
}

/// Exactly-once for Appends: each Append's (unique) value appears at most once in the final value
/// of its key, and exactly once if it was called after every Put on that key had returned (so no
/// Put can have overwritten it).
pub fn check_exactly_once(
    ops: &[Operation],
    finals: &BTreeMap<String, String>,
) -> Result<(), String> {
    let mut last_put_return: BTreeMap<&str, u64> = BTreeMap::new();
    for op in ops.iter().filter(|o| o.input.op == OpKind::Put) {
        let at = last_put_return.entry(&op.input.key).or_default();
        *at = (*at).max(op.ret);
    }
    let mut problems = Vec::new();
    for op in ops.iter().filter(|o| o.input.op == OpKind::Append) {
        let (key, value) = (&op.input.key, &op.input.value);
        let Some(fin) = finals.get(key) else {
            problems.push(format!("no final value read for key {key:?}"));
            continue;
        };
        let count = fin.matches(value.as_str()).count();
        let must_survive = last_put_return
            .get(key.as_str())
            .is_none_or(|&put| op.call > put);
        if count > 1 {
            problems.push(format!(
                "Append({key:?}, {value:?}) of client {} took effect {count} times",
                op.client
            ));
        } else if count == 0 && must_survive {
            problems.push(format!(
                "Append({key:?}, {value:?}) of client {} returned but is missing from the final \
                 value, and no Put on the key came after it",
                op.client
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "exactly-once violated: {}\nfinal values: {finals:?}",
            problems.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn finals(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn appends_must_appear_once() {
        let ops = vec![
            Operation::append(0, 0, 10, "k0", "<0.0>"),
            Operation::append(1, 5, 20, "k0", "<1.0>"),
        ];
        assert_eq!(
            check_exactly_once(&ops, &finals(&[("k0", "<0.0><1.0>")])),
            Ok(())
        );
        let twice = check_exactly_once(&ops, &finals(&[("k0", "<0.0><1.0><0.0>")]));
        assert!(twice.unwrap_err().contains("took effect 2 times"));
        let lost = check_exactly_once(&ops, &finals(&[("k0", "<1.0>")]));
        assert!(lost.unwrap_err().contains("missing"));
    }

    #[test]
    fn a_put_may_overwrite_earlier_or_concurrent_appends() {
        let ops = vec![
            Operation::append(0, 0, 10, "k0", "<0.0>"),
            Operation::put(1, 5, 20, "k0", "=1.0="),
            Operation::append(0, 30, 40, "k0", "<0.1>"),
        ];
        assert_eq!(
            check_exactly_once(&ops, &finals(&[("k0", "=1.0=<0.1>")])),
            Ok(())
        );
        let lost = check_exactly_once(&ops, &finals(&[("k0", "=1.0=")]));
        assert!(lost.unwrap_err().contains("\"<0.1>\""));
    }

    #[test]
    fn client_count_comes_from_the_seed() {
        let mut s = Schedule {
            seed: 0,
            peers: 3,
            snapshots: false,
            steps: vec![],
        };
        let counts: BTreeSet<usize> = (0..10)
            .map(|seed| {
                s.seed = seed;
                clients(&s)
            })
            .collect();
        assert_eq!(counts, (MIN_CLIENTS..=MAX_CLIENTS).collect());
    }
}
