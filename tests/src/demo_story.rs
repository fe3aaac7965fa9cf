//! The demo's story: what the tester did and what the Raft peers did, each line stamped with the
//! virtual time it happened at.
//!
//! Elections, step-downs and commits are told from the peers' own trace events as they happen
//! ([`sim::trace::watch`]), not from the tester's polls of their state: a poll comes up to half a
//! second late, sees only the latest term, and misses a leader that came and went in between.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A line of the story.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub t_ns: u64,
    pub text: String,
}

/// What the peers' events told so far.
#[derive(Default)]
struct Heard {
    lines: Vec<Line>,
    /// Every leader in the order elected: (peer, term).
    leaders: Vec<(u64, u64)>,
    /// Per peer, when its applied index first reached each index (index -> time).
    applied: BTreeMap<u64, BTreeMap<u64, u64>>,
}

/// The story being told on this thread's simulation.
#[derive(Clone)]
pub struct Story {
    heard: Rc<RefCell<Heard>>,
}

impl Story {
    /// Starts listening to the peers' events (replacing any other watcher on this thread).
    pub fn listen() -> Story {
        let heard = Rc::new(RefCell::new(Heard::default()));
        let ear = heard.clone();
        sim::trace::watch(move |e| ear.borrow_mut().hear(e));
        Story { heard }
    }

    /// A line about something the tester does now.
    pub fn say(&self, text: impl Into<String>) {
        self.say_at(sim::node::now().as_nanos() as u64, text);
    }

    /// A line about something that happened at `t_ns`.
    pub fn say_at(&self, t_ns: u64, text: impl Into<String>) {
        let text = text.into();
        self.heard.borrow_mut().lines.push(Line { t_ns, text });
    }

    /// The leaders so far, in the order they were elected: (peer, term).
    pub fn leaders(&self) -> Vec<(u64, u64)> {
        self.heard.borrow().leaders.clone()
    }

    /// When `count` peers had applied `index` (the time the count-th of them did), if they have.
    pub fn applied_by(&self, index: u64, count: usize) -> Option<u64> {
        let heard = self.heard.borrow();
        let mut times: Vec<u64> = heard
            .applied
            .values()
            .filter_map(|at| at.range(index..).next().map(|(_, t)| *t))
            .collect();
        times.sort_unstable();
        times.get(count.checked_sub(1)?).copied()
    }

    /// The story in order of virtual time (lines of the same instant in the order told).
    pub fn lines(&self) -> Vec<Line> {
        let mut lines = self.heard.borrow().lines.clone();
        lines.sort_by_key(|l| l.t_ns);
        lines
    }
}

/// `[   1.234s] text`.
pub fn render(line: &Line) -> String {
    format!("[{:>8.3}s] {}", line.t_ns as f64 / 1e9, line.text)
}

impl Heard {
    fn hear(&mut self, e: &sim::trace::Watched<'_>) {
        let (Some(peer), Some(term)) = (e.number("peer"), e.number("term")) else {
            return;
        };
        let text = match e.message() {
            "election timeout: campaigning" => {
                format!("peer {peer} times out and campaigns for term {term}")
            }
            "became leader" => {
                self.leaders.push((peer, term));
                format!("peer {peer} is elected leader of term {term}")
            }
            "leader steps down: saw a higher term" => {
                let led = self
                    .leaders
                    .iter()
                    .rev()
                    .find(|(p, _)| *p == peer)
                    .map_or_else(String::new, |(_, t)| format!(", leader of term {t},"));
                format!("peer {peer}{led} sees term {term} and steps down to follower")
            }
            "applying" => {
                if let Some(upto) = e.number("upto") {
                    let at = self.applied.entry(peer).or_default();
                    if at.last_key_value().is_none_or(|(i, _)| *i < upto) {
                        at.insert(upto, e.t_ns);
                    }
                }
                return;
            }
            _ => return,
        };
        self.lines.push(Line { t_ns: e.t_ns, text });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_render_with_virtual_seconds() {
        let line = Line {
            t_ns: 1_234_567_890,
            text: "x".into(),
        };
        assert_eq!(render(&line), "[   1.235s] x");
    }
}
