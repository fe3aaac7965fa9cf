//! Folding the per-seed runs into per-suite and per-test figures.

use super::go_times;
use super::suites::SuiteRun;
use std::collections::BTreeMap;

/// A lab target over all its seeds.
#[derive(Clone, Debug, Default)]
pub struct SuiteStats {
    pub target: String,
    pub seeds: usize,
    pub seeds_ok: usize,
    pub tests: usize,
    pub wall_mean: f64,
    pub wall_min: f64,
    pub wall_max: f64,
    pub cpu_mean: f64,
    /// Virtual time of all the suite's tests, per seed (mean).
    pub virtual_mean: f64,
    pub rpcs_mean: f64,
    pub bytes_mean: Option<f64>,
    /// Trace events of the suite under the first seed, and per wall second of that seed's run.
    pub events: Option<u64>,
    pub events_per_wall_s: Option<f64>,
    pub max_rss_mib: f64,
    pub go_secs: Option<f64>,
    pub go_tests: usize,
    pub per_test: Vec<TestStats>,
}

impl SuiteStats {
    /// Virtual seconds covered per wall second.
    pub fn speedup(&self) -> Option<f64> {
        ratio(self.virtual_mean, self.wall_mean)
    }

    pub fn rpcs_per_wall_s(&self) -> Option<f64> {
        ratio(self.rpcs_mean, self.wall_mean)
    }

    /// How many times faster than the Go suite in real time.
    pub fn go_ratio(&self) -> Option<f64> {
        ratio(self.go_secs?, self.wall_mean)
    }
}

/// One test over all seeds.
#[derive(Clone, Debug, Default)]
pub struct TestStats {
    pub test: String,
    pub runs: usize,
    pub failures: usize,
    pub wall_mean: f64,
    pub virtual_mean: f64,
    pub rpcs_mean: f64,
    pub bytes_mean: Option<f64>,
    pub events: Option<u64>,
    pub go_secs: Option<f64>,
}

impl TestStats {
    pub fn speedup(&self) -> Option<f64> {
        ratio(self.virtual_mean, self.wall_mean)
    }

    pub fn go_ratio(&self) -> Option<f64> {
        ratio(self.go_secs?, self.wall_mean)
    }
}

pub fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0 && a.is_finite()).then(|| a / b)
}

fn mean(xs: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, n) = xs
        .into_iter()
        .fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// Summarises the runs of one target; `events` are the first seed's per-test trace event counts.
pub fn suite(
    target: &str,
    runs: &[SuiteRun],
    events: Option<&BTreeMap<String, u64>>,
) -> SuiteStats {
    let walls: Vec<f64> = runs.iter().map(|r| r.wall_s).collect();
    let suite_rpcs = |r: &SuiteRun| -> f64 {
        r.tests
            .iter()
            .filter_map(|t| t.counters)
            .map(|c| c.rpcs as f64)
            .sum()
    };
    let suite_bytes = |r: &SuiteRun| -> Option<f64> {
        let bytes: Vec<u64> = r
            .tests
            .iter()
            .filter_map(|t| t.counters.and_then(|c| c.bytes))
            .collect();
        (!bytes.is_empty()).then(|| bytes.iter().sum::<u64>() as f64)
    };
    let bytes: Vec<f64> = runs.iter().filter_map(suite_bytes).collect();

    // Tests in first-seen order, each with its runs across seeds.
    let mut names: Vec<String> = Vec::new();
    for r in runs {
        for t in &r.tests {
            if !names.contains(&t.test) {
                names.push(t.test.clone());
            }
        }
    }
    let per_test: Vec<TestStats> = names
        .iter()
        .map(|name| {
            let runs_of: Vec<_> = runs
                .iter()
                .filter_map(|r| r.tests.iter().find(|t| &t.test == name))
                .collect();
            let byte_runs: Vec<f64> = runs_of
                .iter()
                .filter_map(|t| t.counters.and_then(|c| c.bytes))
                .map(|b| b as f64)
                .collect();
            TestStats {
                test: name.clone(),
                runs: runs_of.len(),
                failures: runs_of.iter().filter(|t| !t.ok).count(),
                wall_mean: mean(runs_of.iter().map(|t| t.wall_s)),
                virtual_mean: mean(runs_of.iter().map(|t| t.virtual_s)),
                rpcs_mean: mean(
                    runs_of
                        .iter()
                        .filter_map(|t| t.counters)
                        .map(|c| c.rpcs as f64),
                ),
                bytes_mean: (!byte_runs.is_empty()).then(|| mean(byte_runs.iter().copied())),
                events: events.and_then(|e| e.get(name).copied()),
                go_secs: go_times::test_secs(target, name),
            }
        })
        .collect();

    let suite_events = events.map(|e| e.values().sum::<u64>());
    let first_wall = runs.first().map(|r| r.wall_s);
    SuiteStats {
        target: target.to_string(),
        seeds: runs.len(),
        seeds_ok: runs.iter().filter(|r| r.ok()).count(),
        tests: names.len(),
        wall_mean: mean(walls.iter().copied()),
        wall_min: walls.iter().copied().fold(f64::INFINITY, f64::min),
        wall_max: walls.iter().copied().fold(0.0, f64::max),
        cpu_mean: mean(runs.iter().map(|r| r.cpu_s)),
        virtual_mean: mean(
            runs.iter()
                .map(|r| r.tests.iter().map(|t| t.virtual_s).sum::<f64>()),
        ),
        rpcs_mean: mean(runs.iter().map(suite_rpcs)),
        bytes_mean: (!bytes.is_empty()).then(|| mean(bytes.iter().copied())),
        events: suite_events,
        events_per_wall_s: suite_events.and_then(|e| ratio(e as f64, first_wall?)),
        max_rss_mib: runs
            .iter()
            .map(|r| r.max_rss_kib as f64 / 1024.0)
            .fold(0.0, f64::max),
        go_secs: go_times::suite_secs(target),
        go_tests: go_times::suite_len(target),
        per_test,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::parse::Passed;
    use crate::bench::process::Exit;
    use crate::bench::suites::TestRun;

    fn run(seed: u64, wall: f64, rpcs: u64) -> SuiteRun {
        SuiteRun {
            target: "raft_2a".into(),
            seed,
            wall_s: wall,
            cpu_s: wall,
            max_rss_kib: 2048 * seed,
            exit: Exit::Code(0),
            tests: vec![TestRun {
                test: "initial_election_2a".into(),
                ok: true,
                virtual_s: 3.0,
                wall_s: wall,
                digest: "0".into(),
                message: None,
                counters: Some(Passed {
                    secs: 3.0,
                    peers: 3,
                    rpcs,
                    bytes: Some(100),
                    ops: 0,
                }),
            }],
            stderr_tail: None,
        }
    }

    #[test]
    fn means_ratios_and_peaks() {
        let runs = [run(1, 0.1, 50), run(2, 0.3, 70)];
        let events = BTreeMap::from([("initial_election_2a".to_string(), 400u64)]);
        let s = suite("raft_2a", &runs, Some(&events));
        assert_eq!(s.seeds_ok, 2);
        assert!((s.wall_mean - 0.2).abs() < 1e-9);
        assert!((s.speedup().unwrap() - 15.0).abs() < 1e-9);
        assert!((s.rpcs_mean - 60.0).abs() < 1e-9);
        assert_eq!(s.max_rss_mib, 4.0);
        assert_eq!(s.events, Some(400));
        assert!((s.events_per_wall_s.unwrap() - 4000.0).abs() < 1e-6);
        assert!((s.go_ratio().unwrap() - 16.7 / 0.2).abs() < 0.5);
        assert_eq!(s.per_test[0].go_secs, Some(3.89));
    }
}
