//! What the Raft and KV fuzz drivers share: the record of a run (safety checker, timeline, first
//! failure), the fault phase (each step at its time, logged, then observed) with the sampling wait
//! between steps, and the outcome of a run. The two drivers differ only in the cluster they drive
//! and how a step is done, so each implements [`FaultDriver`] for those parts.

use super::invariants::Checker;
use super::schedule::{Action, Schedule};
use super::timeline::Timeline;
use madsim::time::sleep;
use raftapi::{PeerView, Raft, RoleName};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic inside the simulation aborts the run; what was recorded before it is still wanted.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a run records and its outcome reads, even after a panic.
pub(crate) struct Recorder {
    pub checker: Checker,
    /// Leader terms already written to the timeline.
    logged_terms: BTreeSet<u64>,
    pub timeline: Timeline,
    pub failure: Option<String>,
    /// What the timeline calls a member of the cluster ("peer", "server").
    noun: &'static str,
}

impl Recorder {
    pub fn new(n: usize, noun: &'static str) -> Self {
        Recorder {
            checker: Checker::new(n),
            logged_terms: BTreeSet::new(),
            timeline: Timeline::default(),
            failure: None,
            noun,
        }
    }

    pub fn log(&mut self, what: impl Into<String>) {
        self.timeline.push(sim::node::now(), what);
    }

    /// Records the run's first failure; later ones are consequences.
    pub fn fail(&mut self, why: String) {
        if self.failure.is_none() {
            self.log(format!("FAILED: {why}"));
            self.failure = Some(why);
        }
    }

    /// Member `p` is about to be killed; `last` is how it looked just before.
    pub fn crashed(&mut self, p: usize, last: &PeerLook) {
        if let Some(view) = &last.view {
            self.checker.crashed(p, view);
        }
    }

    /// Member `p` was started again; `first` is how it looked before it handled anything.
    pub fn restarted(&mut self, p: usize, first: &PeerLook) {
        if let Some(view) = &first.view
            && let Err(v) = self.checker.restarted(sim::node::now(), p, view)
        {
            self.fail(v.to_string());
        }
    }

    /// Checks Raft's invariants on `views` and logs leaders of new terms.
    pub fn observe(&mut self, views: &[(usize, PeerView)]) {
        // No view (no peer live, or an implementation without an observer): nothing to check.
        if self.failure.is_some() || views.is_empty() {
            return;
        }
        let now = sim::node::now();
        if let Err(v) = self.checker.observe(now, views) {
            self.fail(v.to_string());
            return;
        }
        let new: Vec<(u64, usize)> = self
            .checker
            .leaders()
            .iter()
            .filter(|(t, _)| !self.logged_terms.contains(t))
            .map(|(t, l)| (*t, l.peer))
            .collect();
        for (term, peer) in new {
            self.logged_terms.insert(term);
            self.log(format!("  {} {peer} leads term {term}", self.noun));
        }
    }
}

/// A fuzz driver: one cluster under one schedule, observed by the safety checker.
pub(crate) trait FaultDriver {
    /// How often [`FaultDriver::wait`] observes.
    const SAMPLE: Duration;

    fn schedule(&self) -> &Schedule;

    /// Checks the invariants now; a violation becomes the run's failure.
    fn observe(&self);

    fn failed(&self) -> bool;

    /// Does one step and says what it did.
    async fn execute(&mut self, action: &Action) -> String;

    /// Writes what a step did to the timeline.
    fn log_step(&self, what: String);

    /// Waits `d` of virtual time, observing every [`FaultDriver::SAMPLE`]. False once something
    /// failed.
    async fn wait(&self, d: Duration) -> bool {
        let end = sim::node::now() + d;
        loop {
            self.observe();
            let now = sim::node::now();
            if self.failed() {
                return false;
            }
            if now >= end {
                return true;
            }
            sleep(Self::SAMPLE.min(end - now)).await;
        }
    }

    /// Runs every step at its time. False if something failed.
    async fn fault_phase(&mut self) -> bool {
        let steps = self.schedule().steps.clone();
        for step in steps {
            if !self.wait(Duration::from_millis(step.after_ms.into())).await {
                return false;
            }
            let what = self.execute(&step.action).await;
            self.log_step(what);
            self.observe();
            if self.failed() {
                return false;
            }
        }
        true
    }
}

/// How a peer looked at one instant: its view when it offers one, else what the tester sees.
pub struct PeerLook {
    pub view: Option<PeerView>,
    pub term: u64,
    pub leader: bool,
}

impl PeerLook {
    pub fn of(raft: &dyn Raft) -> Self {
        let (term, leader) = raft.state();
        PeerLook {
            view: raft.observe(),
            term,
            leader,
        }
    }

    /// "leader, term 4".
    pub fn role_and_term(&self) -> String {
        let role = match self.view.as_ref().map(|v| v.role) {
            Some(RoleName::Leader) => "leader",
            Some(RoleName::Candidate) => "candidate",
            Some(RoleName::Follower) => "follower",
            None if self.leader => "leader",
            None => "not leader",
        };
        format!("{role}, term {}", self.term)
    }

    /// "term 4, vote Some(1), log to 17": what a restarted peer came back with.
    pub fn restart_summary(&self) -> String {
        match &self.view {
            Some(v) => format!(
                "term {}, vote {:?}, log to {}",
                v.term,
                v.voted_for,
                super::invariants::last_index(v)
            ),
            None => format!("term {}", self.term),
        }
    }
}

/// Says once per process that an implementation offers no observer, so the fuzzer checks only what
/// the tester sees.
pub(crate) fn note_no_observer(fuzzer: &str) {
    static SAID: AtomicBool = AtomicBool::new(false);
    if !SAID.swap(true, Ordering::Relaxed) {
        eprintln!(
            "{fuzzer}: the Raft under test offers no observer (raftapi::Raft::observe returns None), \
             so Raft's internal safety properties (log matching, leader completeness, commit and \
             apply indexes, persisted terms) are not checked; the fuzzer checks only what the \
             tester sees: the commands each peer applies, and liveness after healing."
        );
    }
}
