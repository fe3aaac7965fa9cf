//! Timing a lab suite: one process per (target, seed), its tests one after another on one thread
//! (`--test-threads=1`), so the process's wall time is the suite's cost on one core and each test's
//! share can be read off when its verdict line arrives.

use super::parse::{self, Passed, Verdict};
use super::process::{self, Exit, Finished};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// One test's run within a suite process.
#[derive(Clone, Debug)]
pub struct TestRun {
    pub test: String,
    pub ok: bool,
    pub virtual_s: f64,
    /// Wall time since the previous verdict (or since the process started, for the first test).
    pub wall_s: f64,
    pub digest: String,
    pub message: Option<String>,
    /// The tester's counters, summed over the test's Passed lines (none for a failed test).
    pub counters: Option<Passed>,
}

/// One suite process: a lab target under one seed.
#[derive(Clone, Debug)]
pub struct SuiteRun {
    pub target: String,
    pub seed: u64,
    pub wall_s: f64,
    pub cpu_s: f64,
    pub max_rss_kib: u64,
    pub exit: Exit,
    pub tests: Vec<TestRun>,
    /// Last lines of stderr, when the process failed.
    pub stderr_tail: Option<String>,
}

impl SuiteRun {
    pub fn ok(&self) -> bool {
        self.exit.success() && self.tests.iter().all(|t| t.ok)
    }
}

/// The environment every benchmarked test process gets: one seed, quiet, no trace file, no
/// determinism double-run (it would double the work being timed).
pub fn configure(cmd: &mut Command, seed: u64, tests_dir: &Path) {
    cmd.current_dir(tests_dir)
        .env("MADSIM_TEST_SEED", seed.to_string())
        .env("MADSIM_TEST_NUM", "1")
        .env("MADSIM_TEST_JOBS", "1")
        .env_remove("MADSIM_TEST_CHECK_DETERMINISM")
        .env_remove("RAFT_LAB_TRACE")
        .env_remove("RUST_LOG");
}

/// Runs every test of `exe` under `seed`, one at a time.
pub fn run(
    target: &str,
    exe: &Path,
    seed: u64,
    tests_dir: &Path,
    limit: Duration,
) -> Result<SuiteRun, String> {
    let mut cmd = Command::new(exe);
    cmd.args(["--test-threads=1", "--nocapture"]);
    configure(&mut cmd, seed, tests_dir);
    let finished = process::run(&mut cmd, limit)?;
    Ok(summarize(target, seed, &finished))
}

/// Reads a suite process's output: verdicts (stdout when ok, stderr when failed), Passed lines.
pub fn summarize(target: &str, seed: u64, f: &Finished) -> SuiteRun {
    let mut tests: Vec<TestRun> = Vec::new();
    let mut pending: Option<Passed> = None;
    let mut last_at = Duration::ZERO;
    for (at, line) in &f.lines {
        if let Some(p) = parse::passed(line) {
            pending = Some(add(pending, p));
        } else if let Some(v) = parse::verdict(line) {
            tests.push(test_run(v, (*at - last_at).as_secs_f64(), pending.take()));
            last_at = *at;
        }
    }
    // A failed test's verdict goes to stderr; its wall share is unknown, so it gets none.
    let failed: BTreeMap<String, Verdict> = f
        .stderr
        .lines()
        .filter_map(parse::verdict)
        .map(|v| (v.test.clone(), v))
        .collect();
    for (_, v) in failed {
        if !tests.iter().any(|t| t.test == v.test) {
            tests.push(test_run(v, 0.0, None));
        }
    }
    let ok = f.exit.success() && tests.iter().all(|t| t.ok);
    SuiteRun {
        target: target.to_string(),
        seed,
        wall_s: f.wall.as_secs_f64(),
        cpu_s: (f.user + f.sys).as_secs_f64(),
        max_rss_kib: f.max_rss_kib,
        exit: f.exit.clone(),
        tests,
        stderr_tail: (!ok).then(|| tail_lines(&f.stderr, 20)),
    }
}

fn test_run(v: Verdict, wall_s: f64, counters: Option<Passed>) -> TestRun {
    TestRun {
        test: v.test,
        ok: v.ok,
        virtual_s: v.virtual_s,
        wall_s,
        digest: v.digest,
        message: v.message,
        counters: if v.ok { counters } else { None },
    }
}

/// Sums two Passed sections of one test (some tests begin and end more than once).
fn add(a: Option<Passed>, b: Passed) -> Passed {
    match a {
        None => b,
        Some(a) => Passed {
            secs: a.secs + b.secs,
            peers: a.peers.max(b.peers),
            rpcs: a.rpcs + b.rpcs,
            bytes: match (a.bytes, b.bytes) {
                (Some(x), Some(y)) => Some(x + y),
                (x, y) => x.or(y),
            },
            ops: a.ops + b.ops,
        },
    }
}

fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64, line: &str) -> (Duration, String) {
        (Duration::from_millis(ms), line.to_string())
    }

    #[test]
    fn verdicts_take_the_passed_lines_before_them() {
        let f = Finished {
            wall: Duration::from_millis(900),
            lines: vec![
                at(1, "running 2 tests"),
                at(2, "test a_2b ... Test (2B): a ..."),
                at(300, "  ... Passed --   1.0  3   10    1000    2"),
                at(
                    310,
                    "raft-lab: a_2b seed 4 ok in 1.000s virtual, trace digest 00ff",
                ),
                at(311, "ok"),
                at(600, "  ... Passed --   2.0  5   20    2000    3"),
                at(
                    610,
                    "raft-lab: b_2b seed 4 ok in 2.500s virtual, trace digest 0aaa",
                ),
            ],
            stderr: String::new(),
            exit: Exit::Code(0),
            max_rss_kib: 1000,
            user: Duration::from_millis(500),
            sys: Duration::from_millis(100),
        };
        let s = summarize("raft_2b", 4, &f);
        assert!(s.ok());
        assert_eq!(s.tests.len(), 2);
        assert_eq!(s.tests[0].wall_s, 0.31);
        assert_eq!(s.tests[1].wall_s, 0.3);
        assert_eq!(s.tests[1].counters.unwrap().rpcs, 20);
        assert_eq!(s.tests[1].virtual_s, 2.5);
        assert!((s.cpu_s - 0.6).abs() < 1e-9);
    }

    #[test]
    fn failures_on_stderr_are_recorded() {
        let f = Finished {
            wall: Duration::from_millis(100),
            lines: vec![at(5, "  ... Passed --   1.0  3   10    1000    2")],
            stderr: "raft-lab: c_2c FAILED with seed 9 at 3.000s virtual, trace digest 01: boom\n"
                .into(),
            exit: Exit::Code(101),
            max_rss_kib: 1,
            user: Duration::ZERO,
            sys: Duration::ZERO,
        };
        let s = summarize("raft_2c", 9, &f);
        assert!(!s.ok());
        assert_eq!(s.tests.len(), 1);
        assert_eq!(s.tests[0].message.as_deref(), Some("boom"));
        assert!(s.stderr_tail.is_some());
    }
}
