//! The per-node view of a trace: one column per node (the tester's, "main", first; the rest by name),
//! each event on its own row, stamped with virtual time and term and colored by topic.

use crate::trace_file::{Entry, Event, Trace};
use console::Style;
use std::collections::BTreeSet;
use std::io::{self, Write};

/// Which events to show.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Nodes to show (all when `None`).
    pub peers: Option<BTreeSet<String>>,
    /// Topics to show (all when `None`); events without a topic go when a topic filter is set.
    pub topics: Option<BTreeSet<String>>,
    pub from_ns: Option<u64>,
    pub to_ns: Option<u64>,
}

impl Filter {
    pub fn keeps(&self, e: &Event) -> bool {
        self.peers.as_ref().is_none_or(|p| p.contains(&e.node))
            && self
                .topics
                .as_ref()
                .is_none_or(|t| e.topic.as_ref().is_some_and(|topic| t.contains(topic)))
            && self.from_ns.is_none_or(|from| e.t_ns >= from)
            && self.to_ns.is_none_or(|to| e.t_ns <= to)
    }
}

/// How to draw.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// Total width in characters.
    pub width: usize,
    /// Whether to emit ANSI colors.
    pub color: bool,
}

/// What was drawn.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rendered {
    pub shown: usize,
    pub hidden: usize,
    /// Peers asked for that have no event in the trace at all.
    pub missing_peers: Vec<String>,
    /// Topics asked for that no event in the trace has.
    pub missing_topics: Vec<String>,
}

/// The topics raft-lab's events carry, each with its color (see `topic_style`).
pub const KNOWN_TOPICS: &[&str] = &[
    "timer", "vote", "append", "commit", "apply", "persist", "snapshot", "client", "net", "test",
];

const TIME_WIDTH: usize = 11;
const MIN_COLUMN: usize = 16;
const SEPARATOR: &str = " | ";

/// Draws `trace` into `out`.
pub fn render(
    trace: &Trace,
    filter: &Filter,
    layout: &Layout,
    out: &mut dyn Write,
) -> io::Result<Rendered> {
    let all_nodes: BTreeSet<&str> = trace.events().map(|e| e.node.as_str()).collect();
    let missing_peers = filter
        .peers
        .iter()
        .flatten()
        .filter(|p| !all_nodes.contains(p.as_str()))
        .cloned()
        .collect();
    let all_topics: BTreeSet<&str> = trace.events().filter_map(|e| e.topic.as_deref()).collect();
    let missing_topics = filter
        .topics
        .iter()
        .flatten()
        .filter(|t| !all_topics.contains(t.as_str()))
        .cloned()
        .collect();
    let kept: BTreeSet<&str> = trace
        .events()
        .filter(|e| filter.keeps(e))
        .map(|e| e.node.as_str())
        .collect();
    let mut columns: Vec<&str> = kept.into_iter().collect();
    columns.sort_by_key(|n| node_order(n));
    let ncols = columns.len().max(1);
    let avail = layout
        .width
        .saturating_sub(TIME_WIDTH + ncols * SEPARATOR.len());
    let col_width = (avail / ncols).max(MIN_COLUMN);

    let mut header = format!("{:>TIME_WIDTH$}", "time (s)");
    for c in &columns {
        header.push_str(SEPARATOR);
        header.push_str(&format!("{c:<col_width$}"));
    }
    writeln!(out, "{}", header.trim_end())?;
    let rule_len = TIME_WIDTH + columns.len() * (SEPARATOR.len() + col_width);
    writeln!(out, "{}", "-".repeat(rule_len))?;

    let mut rendered = Rendered {
        missing_peers,
        missing_topics,
        ..Rendered::default()
    };
    for entry in &trace.entries {
        match entry {
            Entry::Run { name, seed } => {
                let seed = seed.map(|s| format!(" seed {s}")).unwrap_or_default();
                writeln!(out, "== run {name}{seed} ==")?;
            }
            Entry::Event(e) if filter.keeps(e) => {
                rendered.shown += 1;
                let col = columns.iter().position(|c| *c == e.node).unwrap_or(0);
                let style = layout.color.then(|| topic_style(e));
                for (i, piece) in wrap(&label(e), col_width).iter().enumerate() {
                    let time = if i == 0 {
                        time_text(e.t_ns)
                    } else {
                        String::new()
                    };
                    let mut row = format!("{time:>TIME_WIDTH$}");
                    for c in 0..columns.len() {
                        row.push_str(SEPARATOR);
                        if c == col {
                            let pad = col_width.saturating_sub(piece.chars().count());
                            match &style {
                                Some(s) => row.push_str(&s.apply_to(piece).to_string()),
                                None => row.push_str(piece),
                            }
                            row.push_str(&" ".repeat(pad));
                        } else {
                            row.push_str(&" ".repeat(col_width));
                        }
                    }
                    writeln!(out, "{}", row.trim_end())?;
                }
            }
            Entry::Event(_) => rendered.hidden += 1,
        }
    }
    if rendered.shown == 0 {
        writeln!(out, "(no events match)")?;
    }
    Ok(rendered)
}

/// Names the tester's node goes by (madsim calls its main node `madsim-main`).
const TESTER_NODES: &[&str] = &["main", "madsim-main"];

/// The tester first, then the other nodes by name, numbers compared as numbers (`raft-2` < `raft-10`).
fn node_order(name: &str) -> (bool, Vec<(String, u64)>) {
    let mut key = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for ch in name.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
        } else {
            if !digits.is_empty() {
                key.push((
                    std::mem::take(&mut text),
                    digits.parse().unwrap_or(u64::MAX),
                ));
                digits.clear();
            }
            text.push(ch);
        }
    }
    key.push((text, digits.parse().unwrap_or(0)));
    (!TESTER_NODES.contains(&name), key)
}

/// Virtual seconds with microseconds: `12.345678`.
fn time_text(t_ns: u64) -> String {
    format!(
        "{}.{:06}",
        t_ns / 1_000_000_000,
        (t_ns % 1_000_000_000) / 1_000
    )
}

/// `T3 VOTE became candidate votes=1`: term, topic, then the event's text.
fn label(e: &Event) -> String {
    let mut parts = Vec::new();
    if let Some(term) = e.term {
        parts.push(format!("T{term}"));
    }
    if let Some(topic) = &e.topic {
        parts.push(topic.to_uppercase());
    }
    if e.level == "WARN" || e.level == "ERROR" {
        parts.push(e.level.clone());
    }
    if !e.text.is_empty() {
        parts.push(e.text.clone());
    }
    parts.join(" ")
}

/// The color of a topic (the same topic always reads the same).
fn topic_style(e: &Event) -> Style {
    let base = Style::new().force_styling(true);
    let style = match e.topic.as_deref() {
        Some("timer") => base.yellow(),
        Some("vote") => base.magenta(),
        Some("append") => base.cyan(),
        Some("commit") => base.green(),
        Some("apply") => base.green().bright(),
        Some("persist") => base.blue(),
        Some("snapshot") => base.blue().bright(),
        Some("client") => base.yellow().bright(),
        Some("net") => base.red(),
        Some("test") => base.white().bold(),
        _ => base,
    };
    if e.level == "WARN" || e.level == "ERROR" {
        style.bold()
    } else {
        style
    }
}

/// Splits `text` into lines of at most `width` characters, at spaces where it can.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let line_len = line.chars().count();
        if line_len > 0 && line_len + 1 + word.len() <= width {
            line.push(' ');
            line.extend(&word);
            continue;
        }
        if line_len > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            lines.push(word.drain(..width).collect());
        }
        line.extend(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_first_then_natural_order() {
        let mut nodes = vec!["raft-10", "raft-2", "main", "kv-0", "raft-1"];
        nodes.sort_by_key(|n| node_order(n));
        assert_eq!(nodes, ["main", "kv-0", "raft-1", "raft-2", "raft-10"]);
        let mut nodes = vec!["raft-0", "madsim-main"];
        nodes.sort_by_key(|n| node_order(n));
        assert_eq!(nodes, ["madsim-main", "raft-0"]);
    }

    #[test]
    fn wrapping_keeps_words_and_splits_long_ones() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        for line in wrap("term=3 leader=raft-2 some_very_long_identifier x", 8) {
            assert!(line.chars().count() <= 8);
        }
    }

    #[test]
    fn time_is_seconds_with_microseconds() {
        assert_eq!(time_text(12_345_678_901), "12.345678");
        assert_eq!(time_text(0), "0.000000");
    }
}
