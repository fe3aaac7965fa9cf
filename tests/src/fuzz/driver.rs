//! What the Raft and KV fuzz drivers share: the record of a run (safety checker, timeline, first
//! failure), the fault phase (each step at its time, logged, then observed) with the sampling wait
//! between steps, and the outcome of a run. The two drivers differ only in the cluster they drive
//! and how a step is done, so each implements [`FaultDriver`] for those parts.

use super::invariants::Checker;
use super::schedule::{Action, Schedule};
use super::timeline::Timeline;
use madsim::time::sleep;
use raft::{PeerView, RoleName};
use std::collections::BTreeSet;
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

    /// Checks Raft's invariants on `views` and logs leaders of new terms.
    pub fn observe(&mut self, views: &[(usize, PeerView)]) {
        if self.failure.is_some() {
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

/// The live member that leads at the highest term any live member has, from each live member's
/// `(index, term, claims to lead)`: (index, term).
pub(crate) fn leader_at_top_term(states: &[(usize, u64, bool)]) -> Option<(usize, u64)> {
    let top = states.iter().map(|s| s.1).max()?;
    states
        .iter()
        .find(|s| s.2 && s.1 == top)
        .map(|s| (s.0, s.1))
}

/// "leader, term 4".
pub(crate) fn role_and_term(v: &PeerView) -> String {
    let role = match v.role {
        RoleName::Leader => "leader",
        RoleName::Candidate => "candidate",
        RoleName::Follower => "follower",
    };
    format!("{role}, term {}", v.term)
}
