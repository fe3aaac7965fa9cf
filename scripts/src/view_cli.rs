//! The viewer's command-line options, shared by `view-trace` and `replay`, and showing a file with them.

use crate::trace_file;
use crate::view::{self, Filter, Layout};
use clap::ValueEnum;
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufReader, IsTerminal, Write};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when stdout is a terminal.
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Clone, Debug)]
pub struct ViewOptions {
    /// Only these nodes, comma-separated (e.g. raft-0,raft-2,main).
    #[arg(long, value_delimiter = ',', value_name = "NODES")]
    pub peers: Vec<String>,
    /// Only these topics, comma-separated (timer, vote, append, commit, apply, persist, snapshot,
    /// client, net, test; any other name is an error).
    #[arg(long, value_delimiter = ',', value_name = "TOPICS")]
    pub topics: Vec<String>,
    /// Only events at or after this virtual time (seconds).
    #[arg(long, value_name = "SECS")]
    pub from: Option<f64>,
    /// Only events at or before this virtual time (seconds).
    #[arg(long, value_name = "SECS")]
    pub to: Option<f64>,
    /// Total width in characters (default: the terminal's, else 160).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(20..))]
    pub width: Option<u16>,
    /// When to color events by topic.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

impl ViewOptions {
    /// The filter these options describe, or what is wrong with them.
    pub fn filter(&self) -> Result<Filter, String> {
        let secs = |name: &str, v: Option<f64>| -> Result<Option<u64>, String> {
            match v {
                None => Ok(None),
                Some(s) if s.is_finite() && s >= 0.0 => Ok(Some((s * 1e9) as u64)),
                Some(s) => Err(format!("--{name} {s} is not a time in seconds")),
            }
        };
        let filter = Filter {
            peers: (!self.peers.is_empty()).then(|| self.peers.iter().cloned().collect()),
            topics: (!self.topics.is_empty()).then(|| self.topics.iter().cloned().collect()),
            from_ns: secs("from", self.from)?,
            to_ns: secs("to", self.to)?,
        };
        if let (Some(from), Some(to)) = (filter.from_ns, filter.to_ns)
            && from > to
        {
            return Err("--from is after --to".into());
        }
        let unknown: Vec<&str> = self
            .topics
            .iter()
            .map(String::as_str)
            .filter(|t| !view::KNOWN_TOPICS.contains(t))
            .collect();
        if !unknown.is_empty() {
            return Err(format!(
                "--topics: no topic named {}; the topics are {}",
                unknown.join(", "),
                view::KNOWN_TOPICS.join(", ")
            ));
        }
        Ok(filter)
    }

    pub fn layout(&self) -> Layout {
        let tty = io::stdout().is_terminal();
        let width = self.width.map(usize::from).unwrap_or_else(|| {
            if tty {
                usize::from(console::Term::stdout().size().1)
            } else {
                160
            }
        });
        let color = match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty,
        };
        Layout { width, color }
    }
}

/// Shows the trace at `path` on stdout; notes (skipped lines, unknown peers) go to stderr.
/// A closed pipe (`| head`) ends the output quietly.
pub fn show(path: &Path, opts: &ViewOptions) -> Result<(), String> {
    let filter = opts.filter()?;
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let trace = trace_file::read(BufReader::new(file))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    // Drawing an empty table for a file that is no trace would pass a wrong path for a quiet run.
    if trace.entries.is_empty() {
        return Err(match trace.malformed {
            0 => format!("{} is empty: no trace to show", path.display()),
            n => format!(
                "{} is not a raft-lab trace: none of its {n} line(s) is a run header or an event",
                path.display()
            ),
        });
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let drawn = view::render(&trace, &filter, &opts.layout(), &mut out).and_then(|r| {
        out.flush()?;
        Ok(r)
    });
    let rendered = match drawn {
        Ok(r) => r,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) => return Err(format!("writing the view: {e}")),
    };
    if !rendered.missing_peers.is_empty() {
        let nodes: BTreeSet<&str> = trace.events().map(|e| e.node.as_str()).collect();
        eprintln!(
            "view-trace: no events from {} (nodes in this trace: {})",
            rendered.missing_peers.join(", "),
            nodes.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    if !rendered.missing_topics.is_empty() {
        let topics: BTreeSet<&str> = trace.events().filter_map(|e| e.topic.as_deref()).collect();
        eprintln!(
            "view-trace: no events with topic {} (topics in this trace: {})",
            rendered.missing_topics.join(", "),
            topics.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    if trace.malformed > 0 {
        eprintln!(
            "view-trace: skipped {} malformed line(s) in {}",
            trace.malformed,
            path.display()
        );
    }
    Ok(())
}
