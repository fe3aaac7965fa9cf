//! Running one (test, seed) as its own process, with its output saved to a file and a wall-clock limit.

use crate::outcome::{self, Reported};
use crate::workspace;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Variables a run must not inherit: they would change how many seeds it runs or where it traces.
const SCRUBBED_ENV: &[&str] = &[
    "MADSIM_TEST_NUM",
    "MADSIM_TEST_JOBS",
    "MADSIM_TEST_CHECK_DETERMINISM",
    "RAFT_LAB_TRACE",
];

/// One run to make.
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub exe: PathBuf,
    pub test: String,
    pub seed: u64,
    /// Where the process's stdout and stderr go.
    pub log: PathBuf,
    pub timeout: Duration,
    /// A JSON-lines trace file to write (`RAFT_LAB_TRACE`), if wanted.
    pub trace: Option<PathBuf>,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Passed,
    Failed(String),
    TimedOut,
}

/// How a run ended, how long it took and what it reported.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub verdict: Verdict,
    pub wall: Duration,
    pub report: Option<Reported>,
}

impl RunResult {
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Passed
    }

    /// One line saying why a run failed.
    pub fn reason(&self) -> String {
        match &self.verdict {
            Verdict::Passed => "passed".into(),
            Verdict::Failed(why) => why.clone(),
            Verdict::TimedOut => format!("timed out after {:.0}s wall", self.wall.as_secs_f64()),
        }
    }
}

/// Runs `<exe> <test> --exact --nocapture` with `MADSIM_TEST_SEED=<seed>`, killing it at the timeout.
pub fn run_one(spec: &RunSpec) -> RunResult {
    let start = Instant::now();
    let failed = |why: String| RunResult {
        verdict: Verdict::Failed(why),
        wall: start.elapsed(),
        report: None,
    };
    if let Some(dir) = spec.log.parent()
        && let Err(e) = fs::create_dir_all(dir)
    {
        return failed(format!("cannot create {}: {e}", dir.display()));
    }
    let (out, err) = match File::create(&spec.log).and_then(|f| Ok((f.try_clone()?, f))) {
        Ok(files) => files,
        Err(e) => return failed(format!("cannot write {}: {e}", spec.log.display())),
    };
    let mut cmd = Command::new(&spec.exe);
    cmd.args([spec.test.as_str(), "--exact", "--nocapture"])
        .current_dir(workspace::test_package_dir())
        // As under `cargo test`: the run starts in the package directory, while PWD names the user's,
        // which relative output paths (RAFT_LAB_DUMP_HISTORY) are taken from.
        .env("PWD", workspace::user_dir())
        .env("MADSIM_TEST_SEED", spec.seed.to_string())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    for var in SCRUBBED_ENV {
        cmd.env_remove(var);
    }
    if let Some(trace) = &spec.trace {
        cmd.env("RAFT_LAB_TRACE", trace);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return failed(format!("cannot start {}: {e}", spec.exe.display())),
    };
    // Poll rather than block, so the timeout needs no second thread; back off to keep it cheap.
    let mut pause = Duration::from_millis(2);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() >= spec.timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(e) => return failed(format!("waiting for the test: {e}")),
        }
    };
    let wall = start.elapsed();
    let output = fs::read_to_string(&spec.log).unwrap_or_default();
    let report = outcome::find_report(&output);
    let verdict = match status {
        None => Verdict::TimedOut,
        Some(s) if s.success() && outcome::ran_nothing(&output) => {
            Verdict::Failed(format!("no test named {} ran", spec.test))
        }
        Some(s) if s.success() => Verdict::Passed,
        Some(s) => Verdict::Failed(
            report
                .as_ref()
                .and_then(|r| r.message.clone())
                .or_else(|| outcome::panic_message(&output))
                .unwrap_or_else(|| format!("test process exited with {s}")),
        ),
    };
    RunResult {
        verdict,
        wall,
        report,
    }
}

/// A `--timeout` in seconds: a positive number small enough to be a duration (`1e30` is not).
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if secs.is_nan() || secs <= 0.0 {
        return Err(format!("`{text}`: the timeout must be more than 0 seconds"));
    }
    Duration::try_from_secs_f64(secs)
        .map_err(|_| format!("`{text}` seconds is more than a timeout can be"))
}

/// The one-line command that replays a run (the same as `sim::runner::replay_command` prints).
pub fn replay_command(target: &str, test: &str, seed: u64) -> String {
    format!("MADSIM_TEST_SEED={seed} cargo test --test {target} {test} -- --exact")
}

/// Where repeat-test saves the output of `test` run with `seed` (`dir` is the test's log folder).
pub fn log_path(dir: &Path, seed: u64) -> PathBuf {
    dir.join(format!("{seed}.log"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_positive_durations() {
        assert_eq!(parse_timeout("600"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_timeout("0.5"), Ok(Duration::from_millis(500)));
        for bad in ["0", "-1", "nan", "inf", "1e30", "ten", ""] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }
}
