//! Runs a test body on madsim, for one seed or many, and makes every failure replayable.
//!
//! Environment (the names madsim's own test macro reads):
//! - `MADSIM_TEST_SEED`: first seed (default [`DEFAULT_SEED`], so a plain `cargo test` is repeatable);
//! - `MADSIM_TEST_NUM`: how many consecutive seeds to run (default 1);
//! - `MADSIM_TEST_JOBS`: how many seeds to run at once (default 1);
//! - `MADSIM_TEST_CHECK_DETERMINISM`: run each seed twice and fail on any divergence, using madsim's
//!   check of every random draw and its virtual time.
//!
//! Each seed runs on its own thread with a fresh runtime. A failure prints the seed, the virtual time
//! it failed at, the trace digest and the one-line command that replays exactly that run.

use crate::trace::{self, TraceSummary};
use madsim::runtime::Runtime;
use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::time::Duration;

/// The seed a test runs with when `MADSIM_TEST_SEED` is not set.
pub const DEFAULT_SEED: u64 = 1;

/// Which seeds to run, and how; read from the environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSettings {
    pub seed: u64,
    pub count: u64,
    pub jobs: usize,
    pub check_determinism: bool,
}

impl RunSettings {
    /// Reads the `MADSIM_TEST_*` variables; a malformed value is an error naming the variable.
    pub fn from_env() -> Result<Self, String> {
        fn parse<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
            match std::env::var(name) {
                Ok(v) => v
                    .trim()
                    .parse()
                    .map_err(|_| format!("{name}={v:?} is not a non-negative integer")),
                Err(_) => Ok(default),
            }
        }
        let settings = RunSettings {
            seed: parse("MADSIM_TEST_SEED", DEFAULT_SEED)?,
            count: parse("MADSIM_TEST_NUM", 1u64)?,
            jobs: parse("MADSIM_TEST_JOBS", 1usize)?,
            check_determinism: std::env::var_os("MADSIM_TEST_CHECK_DETERMINISM").is_some(),
        };
        if settings.count == 0 {
            return Err("MADSIM_TEST_NUM must be at least 1".into());
        }
        if settings.jobs == 0 {
            return Err("MADSIM_TEST_JOBS must be at least 1".into());
        }
        if settings.seed.checked_add(settings.count).is_none() {
            return Err("MADSIM_TEST_SEED + MADSIM_TEST_NUM overflows".into());
        }
        Ok(settings)
    }
}

/// What one seeded run did.
pub struct RunReport {
    pub seed: u64,
    /// `Err` holds the panic payload of a failed run.
    pub outcome: Result<(), Box<dyn Any + Send>>,
    pub trace: TraceSummary,
    /// Virtual time the run covered (for a failed run, up to its last traced event).
    pub virtual_time: Duration,
}

impl RunReport {
    pub fn passed(&self) -> bool {
        self.outcome.is_ok()
    }

    /// The panic message of a failed run.
    pub fn failure(&self) -> Option<String> {
        self.outcome
            .as_ref()
            .err()
            .map(|p| panic_message(p.as_ref()))
    }
}

/// Runs `body` once on a fresh simulation seeded with `seed`, on a thread of its own.
pub fn run_seed<F, Fut>(seed: u64, body: F) -> RunReport
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + 'static,
{
    trace::init();
    // Named here, on the test's own thread: the simulation thread's name is not the test's.
    let run_name = test_identity().1;
    let thread = std::thread::Builder::new()
        .name(format!("sim-seed-{seed}"))
        .spawn(move || {
            trace::reset();
            trace::write_json_line(&serde_json::json!({ "run": run_name, "seed": seed }));
            let rt = Runtime::with_seed_and_config(seed, madsim::Config::default());
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                rt.block_on(async move {
                    body().await;
                    let elapsed = madsim::time::TimeHandle::current().elapsed();
                    crate::node::kill_all().await;
                    elapsed
                })
            }));
            let summary = trace::summary();
            trace::flush();
            (outcome, summary)
        })
        .expect("cannot start a simulation thread");
    let (outcome, trace) = thread
        .join()
        .unwrap_or_else(|payload| (Err(payload), TraceSummary::default()));
    let virtual_time = match &outcome {
        Ok(elapsed) => *elapsed,
        Err(_) => Duration::from_nanos(trace.last_event_ns),
    };
    RunReport {
        seed,
        outcome: outcome.map(|_| ()),
        trace,
        virtual_time,
    }
}

/// Runs a test body for every seed the environment asks for (see the module docs).
///
/// Call it from a plain `#[test]`: `sim::run(|| async { ... })`. A failing seed panics the test after
/// printing its replay command.
pub fn run<Fut>(body: fn() -> Fut)
where
    Fut: Future<Output = ()> + 'static,
{
    let settings = RunSettings::from_env().unwrap_or_else(|e| panic!("raft-lab: {e}"));
    let (target, name) = test_identity();
    let seeds: Vec<u64> = (settings.seed..settings.seed + settings.count).collect();
    if settings.check_determinism {
        for &seed in &seeds {
            let result = catch_unwind(|| {
                Runtime::check_determinism(seed, madsim::Config::default(), body);
            });
            if let Err(payload) = result {
                eprintln!("raft-lab: {name} is not deterministic with seed {seed}");
                eprintln!("raft-lab: replay: {}", replay_command(&target, &name, seed));
                resume_unwind(payload);
            }
            println!("raft-lab: {name} seed {seed} deterministic");
        }
        return;
    }
    for batch in seeds.chunks(settings.jobs) {
        let reports: Vec<RunReport> = std::thread::scope(|s| {
            // Each seed's thread carries the test's name, which its trace header reports.
            let handles: Vec<_> = batch
                .iter()
                .map(|&seed| {
                    std::thread::Builder::new()
                        .name(name.clone())
                        .spawn_scoped(s, move || run_seed(seed, body))
                        .expect("cannot start a seed runner thread")
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("seed runner thread"))
                .collect()
        });
        for report in reports {
            let vt = report.virtual_time.as_secs_f64();
            match report.outcome {
                Ok(()) => println!(
                    "raft-lab: {name} seed {} ok in {vt:.3}s virtual, trace digest {}",
                    report.seed, report.trace
                ),
                Err(payload) => {
                    eprintln!(
                        "raft-lab: {name} FAILED with seed {} at {vt:.3}s virtual, trace digest {}: {}",
                        report.seed,
                        report.trace,
                        panic_message(payload.as_ref())
                    );
                    eprintln!(
                        "raft-lab: replay: {}",
                        replay_command(&target, &name, report.seed)
                    );
                    resume_unwind(payload);
                }
            }
        }
    }
}

/// The one-line command that replays `name` in test target `target` with `seed`.
pub fn replay_command(target: &str, name: &str, seed: u64) -> String {
    format!("MADSIM_TEST_SEED={seed} cargo test --test {target} {name} -- --exact")
}

/// (test target, test name) of the running test: the target from the test binary's file name
/// (`raft_2a-0123abcd` → `raft_2a`), the name from the thread libtest runs the test on.
pub fn test_identity() -> (String, String) {
    let target = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|stem| match stem.rsplit_once('-') {
            Some((t, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => t.to_string(),
            _ => stem,
        })
        .unwrap_or_else(|| "<target>".into());
    let name = std::thread::current()
        .name()
        .filter(|n| *n != "main" && !n.starts_with("sim-seed-"))
        .map(str::to_string)
        .or_else(|| std::env::args().skip(1).find(|a| !a.starts_with('-')))
        .unwrap_or_else(|| "<test name>".into());
    (target, name)
}

/// The message of a panic payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(panic without a message)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passing_run_reports_its_virtual_time() {
        let report = run_seed(7, || async {
            madsim::time::sleep(Duration::from_millis(1500)).await;
        });
        assert!(report.passed());
        assert!(report.virtual_time >= Duration::from_millis(1500));
        assert!(report.virtual_time < Duration::from_millis(1600));
    }

    #[test]
    fn a_failing_run_reports_its_panic() {
        let report = run_seed(7, || async { panic!("on purpose") });
        assert_eq!(report.failure().as_deref(), Some("on purpose"));
    }

    #[test]
    fn same_seed_same_trace_other_seed_other_trace() {
        async fn scenario() {
            for i in 0..20u32 {
                let d = crate::rng::uniform(1, 100);
                madsim::time::sleep(Duration::from_millis(d)).await;
                tracing::debug!(i, d, "tick");
            }
        }
        let a = run_seed(3, scenario).trace;
        let b = run_seed(3, scenario).trace;
        let c = run_seed(4, scenario).trace;
        assert_eq!(a.events, 20);
        assert_eq!(a, b);
        assert_ne!(a.digest, c.digest);
    }

    #[test]
    fn replay_command_names_seed_target_and_test() {
        assert_eq!(
            replay_command("raft_2a", "initial_election_2a", 42),
            "MADSIM_TEST_SEED=42 cargo test --test raft_2a initial_election_2a -- --exact"
        );
    }
}
