//! Readable printing: a schedule as its planned timeline (its `Debug` form, which is what proptest
//! prints for the minimal failing case), and what a run actually did, in virtual time.

use super::schedule::{Action, Schedule, Step};
use std::fmt;
use std::time::Duration;

/// What a step does, in words, with its peers resolved for this cluster size.
pub fn describe(schedule: &Schedule, action: &Action) -> String {
    match action {
        Action::Partition { groups } => {
            let groups: Vec<String> = schedule
                .groups(groups)
                .iter()
                .map(|g| format!("{g:?}"))
                .collect();
            format!("partition {}", groups.join(" | "))
        }
        Action::CutLink { from, to } => {
            let (f, t) = schedule.link(*from, *to);
            format!("cut link {f}->{t} (keep {t}->{f})")
        }
        Action::Heal => "heal every link".into(),
        Action::Crash(p) => format!("crash peer {}", schedule.peer(*p)),
        Action::Restart(p) => format!("restart peer {} (reboot if live)", schedule.peer(*p)),
        Action::Faults(f) => format!(
            "message faults: drop {}‰ of requests, {}‰ of replies, delay {}..={} ms",
            f.request_drop_permille, f.reply_drop_permille, f.min_delay_ms, f.max_delay_ms
        ),
        Action::Duplicates(d) => format!("deliver {d}‰ of requests twice"),
        Action::Reordering(on) => {
            format!("long reordering {}", if *on { "on" } else { "off" })
        }
        Action::Commands(k) => format!("burst of {k} commands"),
        Action::CrashLeader(0) => "crash the leader".into(),
        Action::CrashLeader(k) => format!("burst of {k} commands, then crash the leader at once"),
        Action::IsolateLeader(0) => "cut the leader off from every other peer".into(),
        Action::IsolateLeader(k) => {
            format!("cut the leader off from every other peer, then a burst of {k} commands")
        }
        Action::Revive(k) => format!("restart crashed peer #{k} (counting the crashed ones)"),
    }
}

impl fmt::Debug for Schedule {
    /// The planned timeline: one line per step, its offset from the start of the fault phase.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Schedule {{ seed: {}, peers: {}, snapshots: {}, {} steps }}",
            self.seed,
            self.peers,
            self.snapshots,
            self.steps.len()
        )?;
        let mut at = 0u64;
        for Step { after_ms, action } in &self.steps {
            at += u64::from(*after_ms);
            writeln!(
                f,
                "  +{:>7.3}s  {}",
                at as f64 / 1000.0,
                describe(self, action)
            )?;
        }
        write!(f, "  then: heal everything, check liveness")
    }
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "after {} ms: {:?}", self.after_ms, self.action)
    }
}

/// One line of what a run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Virtual time since the simulation started.
    pub at: Duration,
    pub what: String,
}

/// What a run did, in order of virtual time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    events: Vec<Event>,
}

impl Timeline {
    pub fn push(&mut self, at: Duration, what: impl Into<String>) {
        self.events.push(Event {
            at,
            what: what.into(),
        });
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }
}

impl fmt::Display for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.events {
            writeln!(f, "  {:>8.3}s  {}", e.at.as_secs_f64(), e.what)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::schedule::NetFaults;

    #[test]
    fn a_schedule_prints_as_a_timeline() {
        let s = Schedule {
            seed: 9,
            peers: 5,
            snapshots: false,
            steps: vec![
                Step {
                    after_ms: 250,
                    action: Action::Partition {
                        groups: [0, 0, 1, 1, 1, 2, 2],
                    },
                },
                Step {
                    after_ms: 1000,
                    action: Action::CutLink { from: 8, to: 1 },
                },
                Step {
                    after_ms: 5,
                    action: Action::Faults(NetFaults {
                        request_drop_permille: 100,
                        reply_drop_permille: 0,
                        min_delay_ms: 1,
                        max_delay_ms: 20,
                    }),
                },
            ],
        };
        let text = format!("{s:?}");
        assert!(text.contains("seed: 9, peers: 5"));
        assert!(text.contains("+  0.250s  partition [0, 1] | [2, 3, 4]"));
        assert!(text.contains("+  1.250s  cut link 3->1 (keep 1->3)"));
        assert!(text.contains("+  1.255s  message faults: drop 100‰"));
    }
}
