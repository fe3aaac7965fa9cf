//! Where the wall time goes: `perf record` with DWARF call graphs on one test, then two views of the
//! samples: self time per symbol (what the CPU was executing) and inclusive time of raft-lab's own
//! functions (which of our code paths led there). Skipped, with a note, when perf is not usable.

use super::suites;
use std::path::Path;
use std::process::{Command, Stdio};

/// A symbol and its share of the samples, in percent.
#[derive(Clone, Debug, PartialEq)]
pub struct Share {
    pub percent: f64,
    pub symbol: String,
}

#[derive(Clone, Debug)]
pub struct Profile {
    pub target: String,
    pub test: String,
    pub seed: u64,
    pub samples: Option<u64>,
    /// Self time, highest first.
    pub self_time: Vec<Share>,
    /// Inclusive time of raft-lab's functions (and bincode/tracing), highest first.
    pub inclusive: Vec<Share>,
}

/// Sampling rate: enough samples for a few-second test, small enough for `perf report` to stay quick.
const FREQUENCY: &str = "499";
const SHOW: usize = 12;

/// Why perf cannot be used here, if it cannot.
pub fn unavailable(scratch: &Path) -> Option<String> {
    let data = scratch.join("perf-probe.data");
    let out = Command::new("perf")
        .args(["record", "-q", "-o"])
        .arg(&data)
        .arg("true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    let _ = std::fs::remove_file(&data);
    match out {
        Err(e) => Some(format!("perf is not installed ({e})")),
        Ok(o) if !o.status.success() => Some(format!(
            "perf record does not work here: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Ok(_) => None,
    }
}

/// Records and summarises one test of `exe`.
pub fn profile(
    target: &str,
    test: &str,
    exe: &Path,
    seed: u64,
    tests_dir: &Path,
    scratch: &Path,
) -> Result<Profile, String> {
    let data = scratch.join(format!("perf-{test}.data"));
    let mut cmd = Command::new("perf");
    cmd.args([
        "record",
        "-q",
        "-F",
        FREQUENCY,
        "--call-graph",
        "dwarf,16384",
        "-o",
    ])
    .arg(&data)
    .arg("--")
    .arg(exe)
    .args([test, "--exact", "--test-threads=1"]);
    suites::configure(&mut cmd, seed, tests_dir);
    let out = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run perf: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "perf record {target}::{test} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let flat = report(&data, &["--no-children", "--percent-limit", "0.5"])?;
    let tree = report(&data, &["--children", "--percent-limit", "1"])?;
    Ok(Profile {
        target: target.to_string(),
        test: test.to_string(),
        seed,
        samples: sample_count(&flat),
        self_time: parse_self(&flat).into_iter().take(SHOW).collect(),
        inclusive: ours(parse_children(&tree)).into_iter().take(SHOW).collect(),
    })
}

fn report(data: &Path, view: &[&str]) -> Result<String, String> {
    let out = Command::new("perf")
        .args(["report", "--stdio", "--sort", "symbol", "-g", "none", "-i"])
        .arg(data)
        .args(view)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run perf report: {e}"))?;
    if !out.status.success() {
        return Err(format!("perf report failed ({})", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `# Samples: 1K of event ...` is rounded; the exact count is not printed, so keep the rounded one.
fn sample_count(report: &str) -> Option<u64> {
    let line = report.lines().find(|l| l.starts_with("# Samples:"))?;
    let n = line.split_whitespace().nth(2)?;
    match n.strip_suffix('K') {
        Some(k) => k.parse::<u64>().ok().map(|k| k * 1000),
        None => n.parse().ok(),
    }
}

fn percent(field: &str) -> Option<f64> {
    field.strip_suffix('%')?.parse().ok()
}

/// Lines `    33.95%  [.] symbol`.
pub fn parse_self(report: &str) -> Vec<Share> {
    report
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (head, symbol) = l.split_once("] ")?;
            let pct = percent(head.split_whitespace().next()?)?;
            Some(Share {
                percent: pct,
                symbol: clean(symbol),
            })
        })
        .collect()
}

/// Lines `    83.13%     0.16%  [.] symbol` (children, self): the inclusive share.
pub fn parse_children(report: &str) -> Vec<Share> {
    parse_self(report)
}

/// Our crates' functions (plus the encoder and the tracing stack), without the wrappers every sample
/// passes through, each name once.
fn ours(shares: Vec<Share>) -> Vec<Share> {
    const OURS: &[&str] = &[
        "raft::",
        "labrpc::",
        "kvraft::",
        "sim::",
        "raft_lab_tests::",
        "bincode::",
        "tracing",
    ];
    let mut kept: Vec<Share> = Vec::new();
    for s in shares {
        let wrapper = s.percent > 95.0 || s.symbol.starts_with("sim::runner::");
        if wrapper || !OURS.iter().any(|o| mentions(&s.symbol, o)) {
            continue;
        }
        if !kept.iter().any(|k| k.symbol == s.symbol) {
            kept.push(s);
        }
    }
    kept
}

/// Whether `symbol` names a path starting with `prefix` (so `sim::` matches `sim::node::now` and
/// `<impl X for sim::Persister>`, but not `madsim::sim::task`).
fn mentions(symbol: &str, prefix: &str) -> bool {
    symbol.match_indices(prefix).any(|(i, _)| {
        symbol[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'))
    })
}

/// Drops the empty IPC columns perf may print after the symbol, its ` (inlined)` marker and padding.
fn clean(symbol: &str) -> String {
    let mut s = symbol.trim();
    while let Some(rest) = s.strip_suffix(" -") {
        s = rest.trim_end();
    }
    s.strip_suffix("(inlined)").unwrap_or(s).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_and_inclusive_reports_parse() {
        let flat = "# Samples: 1K of event 'cpu-clock:ppp'\n#\n    33.95%  [.] raft::log::Entry::serialize      -   -\n     4.61%  [.] __memmove_avx_unaligned\n\n";
        let shares = parse_self(flat);
        assert_eq!(shares.len(), 2);
        assert_eq!(shares[0].percent, 33.95);
        assert_eq!(shares[0].symbol, "raft::log::Entry::serialize");
        assert_eq!(sample_count(flat), Some(1000));
        let tree = "    99.95%     0.00%  [.] sim::runner::run_seed::{{closure}} (inlined)\n    83.13%     0.16%  [.] raft::persist::encode (inlined)\n    82.00%     1.00%  [.] raft::persist::encode\n    50.00%     0.00%  [.] madsim::sim::task::Executor::run_all_ready\n";
        let ours = ours(parse_children(tree));
        assert_eq!(
            ours,
            [Share {
                percent: 83.13,
                symbol: "raft::persist::encode".into()
            }]
        );
    }
}
