//! Runs a test body on madsim, for one seed or many, and makes every failure replayable.
//!
//! Environment (the names madsim's own test macro reads):
//! - `MADSIM_TEST_SEED`: first seed (default [`DEFAULT_SEED`], so a plain `cargo test` is repeatable);
//! - `MADSIM_TEST_NUM`: how many consecutive seeds to run (default 1);
//! - `MADSIM_TEST_JOBS`: how many seeds to run at once (default 1);
//! - `MADSIM_TEST_CHECK_DETERMINISM`: run each seed twice and fail on any divergence, using madsim's
//!   check of every random draw and its virtual time;
//! - `RAFT_LAB_STALL_SECS`: how many seconds of wall time a run may go without its virtual clock
//!   moving before the watchdog fails it (default [`DEFAULT_STALL`]).
//!
//! Each seed runs on its own thread with a fresh runtime. A failure prints the seed, the virtual time
//! it failed at, the trace digest and the one-line command that replays exactly that run; the caller
//! says what that command is (the test layer knows how its tests are named and run).
//!
//! A caller may also give an end hook ([`AtEnd`]): called on the simulation's thread once the body
//! has ended, passed or failed, with the run's [`Timeline`], it returns the files it wrote (a
//! picture of the run, say) as [`Artifact`]s, which the report carries and [`run_with_end`]
//! prints beside the replay command: `raft-lab: picture: /abs/path.html`.

use crate::activity::Activity;
use crate::timeline::Timeline;
use crate::trace::{self, MAIN_NODE, TraceSummary};
use crate::watchdog::{self, Stall};
use madsim::runtime::Runtime;
use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// The seed a test runs with when `MADSIM_TEST_SEED` is not set.
pub const DEFAULT_SEED: u64 = 1;

/// How long a run may go without virtual progress when `RAFT_LAB_STALL_SECS` is not set. Longer than
/// any legitimate stretch of work at one virtual instant (the biggest linearizability checks take a
/// few seconds).
pub const DEFAULT_STALL: Duration = Duration::from_secs(30);

/// Which seeds to run, and how; read from the environment.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSettings {
    pub seed: u64,
    pub count: u64,
    pub jobs: usize,
    pub check_determinism: bool,
    /// Wall time without virtual progress after which a run is failed as stalled.
    pub stall: Duration,
}

impl RunSettings {
    /// Reads the `MADSIM_TEST_*` variables and `RAFT_LAB_STALL_SECS`; a malformed value is an
    /// error naming the variable.
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
            stall: Duration::from_secs(parse("RAFT_LAB_STALL_SECS", DEFAULT_STALL.as_secs())?),
        };
        if settings.count == 0 {
            return Err("MADSIM_TEST_NUM must be at least 1".into());
        }
        if settings.jobs == 0 {
            return Err("MADSIM_TEST_JOBS must be at least 1".into());
        }
        if settings.stall.is_zero() {
            return Err("RAFT_LAB_STALL_SECS must be at least 1".into());
        }
        if settings.seed.checked_add(settings.count).is_none() {
            return Err("MADSIM_TEST_SEED + MADSIM_TEST_NUM overflows".into());
        }
        Ok(settings)
    }
}

/// Where and when a failed run first panicked, inside the simulation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanicSite {
    pub node: String,
    pub virtual_ns: u64,
}

/// A file a run left for its reader: what it is (`picture`) and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    pub what: String,
    pub path: PathBuf,
}

/// What an end hook is told about the run that just ended.
pub struct RunEnd<'a> {
    /// The test's name, as the replay command names it.
    pub test: &'a str,
    pub seed: u64,
    /// The failure message (with the node it panicked on, when known); `None` for a pass.
    pub failure: Option<&'a str>,
    /// Virtual time the run covered, as its report says.
    pub virtual_time: Duration,
    /// The run's annotations and role changes.
    pub timeline: &'a Timeline,
}

/// A hook called on the simulation's thread after every run's body ended (see the module docs).
/// It must not panic; a panic is reported on stderr and ignored.
pub type AtEnd = fn(&RunEnd<'_>) -> Vec<Artifact>;

/// What one seeded run did.
pub struct RunReport {
    pub seed: u64,
    /// `Err` holds the panic payload of a failed run.
    pub outcome: Result<(), Box<dyn Any + Send>>,
    pub trace: TraceSummary,
    /// Virtual time the run covered (for a failed run, up to its panic or its last traced event).
    pub virtual_time: Duration,
    /// The node the run's first panic happened on, when it happened inside the simulation.
    pub panic_site: Option<PanicSite>,
    /// The files the end hook wrote.
    pub artifacts: Vec<Artifact>,
}

impl RunReport {
    pub fn passed(&self) -> bool {
        self.outcome.is_ok()
    }

    /// The panic message of a failed run, with the node it panicked on when that is known.
    pub fn failure(&self) -> Option<String> {
        let payload = self.outcome.as_ref().err()?;
        Some(failure_message(payload.as_ref(), &self.panic_site))
    }
}

/// A panic's message, with the node it panicked on when that is known.
fn failure_message(payload: &(dyn Any + Send), site: &Option<PanicSite>) -> String {
    let message = panic_message(payload);
    match site {
        // The test body's own node says nothing the message does not.
        Some(site) if site.node != MAIN_NODE => {
            format!("{message} (panicked on node {})", site.node)
        }
        _ => message,
    }
}

/// Runs `body` once on a fresh simulation seeded with `seed`, on a thread of its own, failing it if it
/// stalls (see [`RunSettings::stall`]) for the time `RAFT_LAB_STALL_SECS` gives.
pub fn run_seed<F, Fut>(seed: u64, body: F) -> RunReport
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let stall = RunSettings::from_env().map_or(DEFAULT_STALL, |s| s.stall);
    run_seed_watched(seed, stall, body)
}

/// [`run_seed`], with an end hook that may leave artifacts (see the module docs).
pub fn run_seed_with_end<F, Fut>(seed: u64, at_end: AtEnd, body: F) -> RunReport
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let stall = RunSettings::from_env().map_or(DEFAULT_STALL, |s| s.stall);
    run_seed_inner(seed, stall, Some(at_end), test_name(), body)
}

/// [`run_seed`], with the stall limit given.
pub fn run_seed_watched<F, Fut>(seed: u64, stall: Duration, body: F) -> RunReport
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + 'static,
{
    run_seed_inner(seed, stall, None, test_name(), body)
}

fn run_seed_inner<F, Fut>(
    seed: u64,
    stall: Duration,
    at_end: Option<AtEnd>,
    test: String,
    body: F,
) -> RunReport
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + 'static,
{
    trace::init();
    install_panic_hook();
    // Named here, on the test's own thread: the simulation thread's name is not the test's.
    let run_name = test_name();
    let (watch, watched) = watchdog::pair();
    let thread = std::thread::Builder::new()
        .name(format!("sim-seed-{seed}"))
        .spawn(move || {
            let activity = trace::reset();
            PANIC_SITE.with(|p| p.borrow_mut().take());
            trace::write_json_line(&serde_json::json!({ "run": run_name, "seed": seed }));
            let rt = Runtime::with_seed_and_config(seed, madsim::Config::default());
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                rt.block_on(async {
                    watched.started(madsim::time::TimeHandle::current(), activity);
                    body().await;
                    let elapsed = madsim::time::TimeHandle::current().elapsed();
                    crate::node::kill_all().await;
                    elapsed
                })
            }));
            let summary = trace::summary();
            trace::flush();
            let site = PANIC_SITE.with(|p| p.borrow_mut().take());
            let artifacts = match at_end {
                Some(hook) => end_of_run(hook, &test, seed, &outcome, &summary, &site),
                None => Vec::new(),
            };
            watched.finished((outcome, summary, site, artifacts));
        })
        .expect("cannot start a simulation thread");
    match watch.wait(stall) {
        Ok((outcome, trace, panic_site, artifacts)) => {
            // The thread has sent its last word; joining cannot block for long.
            let _ = thread.join();
            let virtual_time = virtual_time_of(&outcome, &panic_site, &trace);
            RunReport {
                seed,
                outcome: outcome.map(|_| ()),
                trace,
                virtual_time,
                panic_site,
                artifacts,
            }
        }
        Err(Stall::Died(payload)) => RunReport {
            seed,
            outcome: Err(payload),
            trace: TraceSummary::default(),
            virtual_time: Duration::ZERO,
            panic_site: None,
            artifacts: Vec::new(),
        },
        // The stuck thread is left behind: nothing can unblock it, and it dies with the process.
        Err(Stall::NoProgress {
            virtual_time,
            activity,
        }) => RunReport {
            seed,
            outcome: Err(Box::new(stall_message(stall, virtual_time, &activity))),
            trace: TraceSummary::default(),
            virtual_time,
            panic_site: None,
            artifacts: Vec::new(),
        },
    }
}

type Outcome = std::thread::Result<Duration>;

/// The virtual time a run covered: to its end, its panic, or its last traced event.
fn virtual_time_of(outcome: &Outcome, site: &Option<PanicSite>, trace: &TraceSummary) -> Duration {
    match (outcome, site) {
        (Ok(elapsed), _) => *elapsed,
        (Err(_), Some(site)) => Duration::from_nanos(site.virtual_ns),
        (Err(_), None) => Duration::from_nanos(trace.last_event_ns),
    }
}

/// Calls the end hook on this (the simulation's) thread with what the run left.
fn end_of_run(
    hook: AtEnd,
    test: &str,
    seed: u64,
    outcome: &Outcome,
    trace: &TraceSummary,
    site: &Option<PanicSite>,
) -> Vec<Artifact> {
    let failure = outcome
        .as_ref()
        .err()
        .map(|payload| failure_message(payload.as_ref(), site));
    let timeline = trace::take_timeline();
    let end = RunEnd {
        test,
        seed,
        failure: failure.as_deref(),
        virtual_time: virtual_time_of(outcome, site, trace),
        timeline: &timeline,
    };
    // A broken hook must not hide the run's own verdict.
    catch_unwind(AssertUnwindSafe(|| hook(&end))).unwrap_or_else(|payload| {
        eprintln!(
            "raft-lab: the end-of-run hook failed: {}",
            panic_message(payload.as_ref())
        );
        Vec::new()
    })
}

/// The failure message of a run whose virtual clock stopped for `stall` of wall time.
fn stall_message(stall: Duration, at: Duration, activity: &Activity) -> String {
    let mut text = format!(
        "no progress for {} s of wall time: virtual time is stuck at {:.6}s. The executor is \
         blocked, or one task never yields: a lock held across an .await, two locks taken in \
         opposite orders, a blocking call, or a loop without an .await. Each node's last event:",
        stall.as_secs(),
        at.as_secs_f64()
    );
    for node in activity.nodes() {
        text.push_str(&format!("\n    {node}"));
    }
    text
}

thread_local! {
    /// The first panic of the run on this thread, when it happened inside the simulation.
    static PANIC_SITE: RefCell<Option<PanicSite>> = const { RefCell::new(None) };
}

/// Remembers where (which node, what virtual time) each simulation thread first panicked, then
/// lets the previous hook print the panic as usual.
fn install_panic_hook() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Some((virtual_ns, node)) = trace::current_site() {
                PANIC_SITE.with(|p| {
                    p.borrow_mut().get_or_insert(PanicSite { node, virtual_ns });
                });
            }
            previous(info);
        }));
    });
}

/// Runs a test body for every seed the environment asks for (see the module docs), printing one
/// line per seed; a failing seed prints `replay(seed)` (the command that reruns exactly it) and
/// panics the test.
///
/// Call it from a plain `#[test]`, through a wrapper of the test layer that knows its replay
/// command: `run_with(|| async { ... }, |seed| format!("MADSIM_TEST_SEED={seed} cargo test ..."))`.
pub fn run_with<Fut>(body: fn() -> Fut, replay: impl Fn(u64) -> String)
where
    Fut: Future<Output = ()> + 'static,
{
    run_inner(body, replay, None);
}

/// [`run_with`], calling `at_end` after every run and printing the artifacts it returns (one
/// `raft-lab: <what>: <path>` line each), after the replay command of a failure.
pub fn run_with_end<Fut>(body: fn() -> Fut, replay: impl Fn(u64) -> String, at_end: AtEnd)
where
    Fut: Future<Output = ()> + 'static,
{
    run_inner(body, replay, Some(at_end));
}

fn run_inner<Fut>(body: fn() -> Fut, replay: impl Fn(u64) -> String, at_end: Option<AtEnd>)
where
    Fut: Future<Output = ()> + 'static,
{
    let settings = RunSettings::from_env().unwrap_or_else(|e| panic!("raft-lab: {e}"));
    let name = test_name();
    let seeds: Vec<u64> = (settings.seed..settings.seed + settings.count).collect();
    if settings.check_determinism {
        for &seed in &seeds {
            let result = catch_unwind(|| {
                Runtime::check_determinism(seed, madsim::Config::default(), body);
            });
            if let Err(payload) = result {
                eprintln!("raft-lab: {name} is not deterministic with seed {seed}");
                eprintln!("raft-lab: replay: {}", replay(seed));
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
                    let test = name.clone();
                    std::thread::Builder::new()
                        .name(name.clone())
                        .spawn_scoped(s, move || {
                            run_seed_inner(seed, settings.stall, at_end, test, body)
                        })
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
            let failure = report.failure();
            match report.outcome {
                Ok(()) => {
                    println!(
                        "raft-lab: {name} seed {} ok in {vt:.3}s virtual, trace digest {}",
                        report.seed, report.trace
                    );
                    for a in &report.artifacts {
                        println!("raft-lab: {}: {}", a.what, a.path.display());
                    }
                }
                Err(payload) => {
                    eprintln!(
                        "raft-lab: {name} FAILED with seed {} at {vt:.3}s virtual, trace digest {}: {}",
                        report.seed,
                        report.trace,
                        failure.unwrap_or_default()
                    );
                    eprintln!("raft-lab: replay: {}", replay(report.seed));
                    for a in &report.artifacts {
                        eprintln!("raft-lab: {}: {}", a.what, a.path.display());
                    }
                    resume_unwind(payload);
                }
            }
        }
    }
}

/// [`run_with`], with a replay command that names only the test: right for a test name that is
/// unique in its package.
pub fn run<Fut>(body: fn() -> Fut)
where
    Fut: Future<Output = ()> + 'static,
{
    let name = test_name();
    run_with(body, move |seed| {
        format!("MADSIM_TEST_SEED={seed} cargo test {name} -- --exact")
    });
}

/// The name of the running test: the name of the thread libtest runs it on, else the first
/// argument that is not an option.
pub fn test_name() -> String {
    std::thread::current()
        .name()
        .filter(|n| *n != "main" && !n.starts_with("sim-seed-"))
        .map(str::to_string)
        .or_else(|| std::env::args().skip(1).find(|a| !a.starts_with('-')))
        .unwrap_or_else(|| "<test name>".into())
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
    fn a_panic_on_a_node_names_the_node_and_its_virtual_time() {
        let report = run_seed(7, || async {
            let node = crate::node::create("raft-2");
            madsim::time::sleep(Duration::from_millis(250)).await;
            let _ = crate::node::run_on(&node, async { panic!("handler bug") }).await;
        });
        assert_eq!(
            report.failure().as_deref(),
            Some("handler bug (panicked on node raft-2)")
        );
        // madsim's clock creeps a few hundred ns per poll.
        let ms = report.virtual_time.as_millis();
        assert_eq!(ms, 250, "{:?}", report.virtual_time);
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
}
