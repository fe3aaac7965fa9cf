//! The fault-schedule fuzzer (issue 9): proptest generates schedules of partitions, one-way cuts,
//! crashes, reboots, message faults and client commands; each runs as a whole simulated Raft cluster
//! with Raft's safety properties checked continuously, then a liveness check after healing. A failure
//! shrinks to a minimal schedule, prints as a timeline, is saved under `tests/proptest-regressions/`
//! and replays deterministically (the simulation seed is part of the case and never shrinks).
//!
//! - [`schedule`]: the case type and its strategies.
//! - [`cluster`]: running one schedule on a Raft cluster (fuzz_raft).
//! - [`kv`], [`kv_cluster`]: running one schedule on a KV service with recorded clients (fuzz_kv).
//! - `driver`: what the Raft and KV drivers share (the fault phase, the run's record).
//! - [`invariants`]: the safety checker (also on what a restarted peer read back from storage).
//! - [`quiet`]: the efficiency check after healing (no elections, few RPCs while idle).
//! - [`timeline`]: readable printing.
//! - [`replay`]: the determinism check both fuzzers' tests run.
//!
//! Environment: `PROPTEST_CASES` (default [`DEFAULT_CASES`]), `PROPTEST_RNG_SEED` (default
//! [`DEFAULT_RNG_SEED`] shifted by `MADSIM_TEST_SEED`, so a plain `cargo test` is repeatable and
//! each seed of a sweep runs other schedules), `PROPTEST_MAX_SHRINK_ITERS` (default
//! [`DEFAULT_MAX_SHRINK_ITERS`]), `PROPTEST_DISABLE_FAILURE_PERSISTENCE`.

pub mod cluster;
mod driver;
pub mod invariants;
pub mod kv;
pub mod kv_cluster;
pub mod quiet;
pub mod replay;
pub mod schedule;
pub mod timeline;

pub use cluster::RunOutcome;
pub use schedule::Schedule;

/// Runs one schedule on a cluster of the Raft under test (see [`cluster::run_schedule`]).
pub fn run_schedule(schedule: &Schedule) -> RunOutcome {
    cluster::run_schedule::<crate::TestedRaft>(schedule)
}

use proptest::strategy::Strategy;
use proptest::test_runner::{
    Config, FileFailurePersistence, RngSeed, TestCaseError, TestError, TestRunner,
};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Cases per run unless `PROPTEST_CASES` says otherwise. A Raft case costs a few ms of wall time, so
/// CI's run stays within seconds, and this many find the Figure-8 commit bug (a leader counting
/// replicas of an older term's entry) and a vote forgotten in a reboot on every seed tried (the
/// README's fuzzer section has the counts).
pub const DEFAULT_CASES: u32 = 1000;
/// The proptest RNG seed for `MADSIM_TEST_SEED` 1 (the default) unless `PROPTEST_RNG_SEED` says
/// otherwise; seed S uses `DEFAULT_RNG_SEED + S - 1`.
pub const DEFAULT_RNG_SEED: u64 = 0x5eed_0009;
/// Shrinking stops after this many attempts unless `PROPTEST_MAX_SHRINK_ITERS` says otherwise.
pub const DEFAULT_MAX_SHRINK_ITERS: u32 = 400;

/// The proptest config: env overrides, else the defaults above; failures saved to `regressions`.
pub fn config(regressions: &'static str) -> Config {
    let mut config = Config::default();
    let unset = |name: &str| std::env::var_os(name).is_none();
    if unset("PROPTEST_CASES") {
        config.cases = DEFAULT_CASES;
    }
    if unset("PROPTEST_RNG_SEED") {
        // Each simulation seed explores its own schedules, so `scripts/repeat-test -n N fuzz_raft`
        // is a sweep and its replay command reruns exactly the failing seed's cases.
        let seed = sim::runner::RunSettings::from_env()
            .unwrap_or_else(|e| panic!("raft-lab: {e}"))
            .seed;
        config.rng_seed = RngSeed::Fixed(DEFAULT_RNG_SEED.wrapping_add(seed.wrapping_sub(1)));
    }
    if unset("PROPTEST_MAX_SHRINK_ITERS") {
        config.max_shrink_iters = DEFAULT_MAX_SHRINK_ITERS;
    }
    if unset("PROPTEST_DISABLE_FAILURE_PERSISTENCE") {
        config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(regressions)));
    }
    config
}

/// Counters for the summary line.
#[derive(Default)]
struct Tally {
    runs: u64,
    virtual_time: Duration,
    observations: u64,
    /// Runs and wall time when the first failure was seen.
    first_failure: Option<(u64, Duration)>,
}

/// Runs `config.cases` generated schedules through `run` and panics with the minimal failing
/// schedule, its executed timeline and the search statistics if any fails. `name` labels the output.
///
/// `MADSIM_TEST_NUM=N` runs the search N times, for the seeds `MADSIM_TEST_SEED`.. (unless
/// `PROPTEST_RNG_SEED` fixes the search); `MADSIM_TEST_CHECK_DETERMINISM` runs every case twice
/// and fails one whose two runs differ.
pub fn fuzz<S>(name: &str, config: Config, strategy: S, run: fn(&Schedule) -> RunOutcome)
where
    S: Strategy<Value = Schedule>,
{
    let settings = sim::runner::RunSettings::from_env().unwrap_or_else(|e| panic!("raft-lab: {e}"));
    let twice = settings.check_determinism;
    let run = move |schedule: &Schedule| run_checked(run, twice, schedule);
    if std::env::var_os("PROPTEST_RNG_SEED").is_some() || settings.count == 1 {
        return fuzz_one(name, config, &strategy, &run);
    }
    for seed in settings.seed..settings.seed + settings.count {
        let mut config = config.clone();
        config.rng_seed = RngSeed::Fixed(DEFAULT_RNG_SEED.wrapping_add(seed.wrapping_sub(1)));
        eprintln!("{name}: MADSIM_TEST_SEED={seed}");
        fuzz_one(name, config, &strategy, &run);
    }
}

/// Runs `schedule`; with `twice`, runs it again and fails it if the second run's trace or timeline
/// differs from the first's.
fn run_checked(run: fn(&Schedule) -> RunOutcome, twice: bool, schedule: &Schedule) -> RunOutcome {
    let mut a = run(schedule);
    if twice {
        let b = run(schedule);
        if a.failure.is_none() && (a.trace_digest != b.trace_digest || a.timeline != b.timeline) {
            a.failure = Some(format!(
                "not deterministic: the same case run twice gave trace digests {:016x} and \
                 {:016x}; the second run's timeline:\n{}",
                a.trace_digest, b.trace_digest, b.timeline
            ));
        }
    }
    a
}

fn fuzz_one<S>(name: &str, config: Config, strategy: &S, run: &dyn Fn(&Schedule) -> RunOutcome)
where
    S: Strategy<Value = Schedule>,
{
    // Wall time, outside every simulation: it only reports how long finding and shrinking took.
    let started = Instant::now();
    let cases = config.cases;
    let saved = if config.failure_persistence.is_some() {
        "The case is saved to the regressions file and runs first next time."
    } else {
        "The case was not saved: failure persistence is off (PROPTEST_DISABLE_FAILURE_PERSISTENCE)."
    };
    let tally = Mutex::new(Tally::default());
    let mut runner = TestRunner::new(config);
    let result = runner.run(strategy, |schedule| {
        let outcome = run(&schedule);
        let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
        t.runs += 1;
        t.virtual_time += outcome.virtual_time;
        t.observations += outcome.observations;
        match outcome.report() {
            None => Ok(()),
            Some(report) => {
                if t.first_failure.is_none() {
                    t.first_failure = Some((t.runs, started.elapsed()));
                    eprintln!(
                        "{name}: case {} failed after {:.1}s wall; shrinking…",
                        t.runs,
                        started.elapsed().as_secs_f64()
                    );
                }
                Err(TestCaseError::fail(report))
            }
        }
    });
    let t = tally.into_inner().unwrap_or_else(|e| e.into_inner());
    let wall = started.elapsed().as_secs_f64();
    match result {
        Ok(()) => println!(
            "{name}: {cases} schedules passed ({} runs, {:.1}s virtual, {} observations checked, \
             {wall:.1}s wall)",
            t.runs,
            t.virtual_time.as_secs_f64(),
            t.observations
        ),
        Err(TestError::Abort(why)) => panic!("{name}: proptest aborted: {why}"),
        Err(TestError::Fail(_, minimal)) => {
            // Run the minimal case once more for its own executed timeline.
            let again = run(&minimal);
            let (found_runs, found_wall) = t.first_failure.unwrap_or_default();
            panic!(
                "{name}: a schedule broke a safety or liveness property.\n\
                 found after {found_runs} runs ({:.1}s wall); shrunk in {} more runs ({:.1}s wall); \
                 minimal schedule has {} steps\n\
                 minimal schedule (planned):\n{minimal:?}\n\n{}\n{saved}",
                found_wall.as_secs_f64(),
                t.runs - found_runs,
                wall - found_wall.as_secs_f64(),
                minimal.steps.len(),
                again.report().unwrap_or_else(|| {
                    "(the minimal case passed when run again: not deterministic!)".into()
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A "run" whose trace differs every time, as a Raft reading the wall clock would.
    fn drifting(_: &Schedule) -> RunOutcome {
        static RUNS: AtomicU64 = AtomicU64::new(0);
        RunOutcome {
            failure: None,
            timeline: Default::default(),
            virtual_time: Duration::ZERO,
            trace_digest: RUNS.fetch_add(1, Ordering::Relaxed),
            observations: 0,
        }
    }

    #[test]
    fn checking_determinism_runs_each_case_twice_and_compares() {
        let s = replay::every_kind_of_step(1);
        assert_eq!(run_checked(drifting, false, &s).failure, None);
        let failure = run_checked(drifting, true, &s).failure.unwrap();
        assert!(failure.starts_with("not deterministic"), "{failure}");
    }
}
