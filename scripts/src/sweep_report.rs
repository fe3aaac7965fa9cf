//! A sweep's results as files, for CI: `repeat-test --report DIR` writes one shard's, and
//! `sweep-summary` reads every shard's and writes one table.
//!
//! `DIR/report.json` holds the shard (`"k/N"` or null) and one row per run; `DIR/failures.tsv` one
//! line per failed run (test, seed, replay command, tab-separated) for shell loops; and
//! `DIR/logs/<test>/<seed>.log` the output of each failed run.

use crate::stats::{self, TestStats};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One run of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    pub test: String,
    pub target: String,
    pub seed: u64,
    pub passed: bool,
    pub wall_s: f64,
    pub virtual_s: Option<f64>,
    /// Why a failed run failed.
    pub reason: Option<String>,
    /// The replay command of a failed run.
    pub replay: Option<String>,
}

/// One shard's results.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub shard: Option<String>,
    pub runs: Vec<RunRow>,
}

/// Writes `report` into `dir`, with each failed run's log copied from `logs` (same order as the
/// failed rows).
pub fn write(dir: &Path, report: &Report, logs: &[(PathBuf, PathBuf)]) -> Result<(), String> {
    let io = |what: &Path, e: std::io::Error| format!("cannot write {}: {e}", what.display());
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let rows: Vec<Value> = report
        .runs
        .iter()
        .map(|r| {
            json!({"test": r.test, "target": r.target, "seed": r.seed, "passed": r.passed,
                   "wall_s": r.wall_s, "virtual_s": r.virtual_s, "reason": r.reason,
                   "replay": r.replay})
        })
        .collect();
    let json = json!({"shard": report.shard, "runs": rows});
    let path = dir.join("report.json");
    std::fs::write(&path, format!("{json:#}\n")).map_err(|e| io(&path, e))?;

    let mut tsv = String::new();
    for r in report.runs.iter().filter(|r| !r.passed) {
        let replay = r.replay.as_deref().unwrap_or_default();
        let _ = writeln!(tsv, "{}\t{}\t{replay}", r.test, r.seed);
    }
    let path = dir.join("failures.tsv");
    std::fs::write(&path, tsv).map_err(|e| io(&path, e))?;

    for (from, name) in logs {
        let to = dir.join("logs").join(name);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::copy(from, &to).map_err(|e| io(&to, e))?;
    }
    Ok(())
}

/// Reads the report in `dir` (or the report file `dir` names).
pub fn read(dir: &Path) -> Result<Report, String> {
    let path = if dir.is_dir() {
        dir.join("report.json")
    } else {
        dir.to_path_buf()
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let bad = |what: &str| format!("{} is not a sweep report: {what}", path.display());
    let json: Value = serde_json::from_str(&text).map_err(|e| bad(&e.to_string()))?;
    let runs = json["runs"]
        .as_array()
        .ok_or_else(|| bad("no runs"))?
        .iter()
        .map(|r| {
            Some(RunRow {
                test: r["test"].as_str()?.to_string(),
                target: r["target"].as_str()?.to_string(),
                seed: r["seed"].as_u64()?,
                passed: r["passed"].as_bool()?,
                wall_s: r["wall_s"].as_f64()?,
                virtual_s: r["virtual_s"].as_f64(),
                reason: r["reason"].as_str().map(str::to_string),
                replay: r["replay"].as_str().map(str::to_string),
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("a run row lacks test, target, seed, passed or wall_s"))?;
    Ok(Report {
        shard: json["shard"].as_str().map(str::to_string),
        runs,
    })
}

/// Failures listed in the summary at most (the rest are counted).
const LISTED_FAILURES: usize = 100;

/// One Markdown summary of every shard's report: a table per test, the failures with their replay
/// commands, the shards that sent no report (of `shards`, when known), and the closing line
/// `N passed, M failed`. The bool is whether the sweep is complete and green.
pub fn summary(reports: &[Report], shards: Option<usize>) -> (String, bool) {
    let mut per_test: BTreeMap<&str, TestStats> = BTreeMap::new();
    let mut failures: Vec<&RunRow> = Vec::new();
    for r in reports.iter().flat_map(|r| &r.runs) {
        let row = per_test.entry(&r.test).or_insert_with(|| TestStats {
            test: r.test.clone(),
            ..TestStats::default()
        });
        row.runs += 1;
        row.wall.push(r.wall_s);
        row.virtual_time.extend(r.virtual_s);
        if !r.passed {
            row.failures += 1;
            failures.push(r);
        }
    }
    failures.sort_by(|a, b| (&a.test, a.seed).cmp(&(&b.test, b.seed)));
    let total: usize = per_test.values().map(|t| t.runs).sum();
    let missing: Vec<String> = shards
        .map(|n| {
            (1..=n)
                .map(|k| format!("{k}/{n}"))
                .filter(|s| !reports.iter().any(|r| r.shard.as_deref() == Some(s)))
                .collect()
        })
        .unwrap_or_default();

    let mut md = String::new();
    let _ = writeln!(
        md,
        "## repeat-test sweep: {} shard report(s), {total} runs, {} failed\n",
        reports.len(),
        failures.len()
    );
    md.push_str("| test | runs | failed | wall s (mean ± sd) | virtual s (mean) |\n");
    md.push_str("|---|---:|---:|---:|---:|\n");
    for t in per_test.values() {
        let wall =
            stats::mean_sd(&t.wall).map_or("-".into(), |(m, sd)| format!("{m:.2} ± {sd:.2}"));
        let virt = stats::mean_sd(&t.virtual_time).map_or("-".into(), |(m, _)| format!("{m:.2}"));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {wall} | {virt} |",
            cell(&t.test),
            t.runs,
            t.failures
        );
    }
    if !failures.is_empty() {
        md.push_str("\n### Failures\n\n| test | seed | why | replay |\n|---|---:|---|---|\n");
        for f in failures.iter().take(LISTED_FAILURES) {
            let _ = writeln!(
                md,
                "| {} | {} | {} | `{}` |",
                cell(&f.test),
                f.seed,
                cell(f.reason.as_deref().unwrap_or_default()),
                f.replay.as_deref().unwrap_or_default().replace('`', "'")
            );
        }
        if failures.len() > LISTED_FAILURES {
            let _ = writeln!(
                md,
                "\n{} more failure(s): see the shards' artifacts.",
                failures.len() - LISTED_FAILURES
            );
        }
    }
    if !missing.is_empty() {
        let _ = writeln!(
            md,
            "\n**No report from shard(s) {}**: those jobs failed before the sweep finished.",
            missing.join(", ")
        );
    }
    let _ = writeln!(
        md,
        "\n{} passed, {} failed",
        total - failures.len(),
        failures.len()
    );
    let green = failures.is_empty() && missing.is_empty() && !reports.is_empty();
    (md, green)
}

/// Text fit for a Markdown table cell: one line, no column breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(test: &str, seed: u64, passed: bool) -> RunRow {
        RunRow {
            test: test.into(),
            target: "raft_2a".into(),
            seed,
            passed,
            wall_s: 0.5,
            virtual_s: Some(3.0),
            reason: (!passed).then(|| "boom | bang".into()),
            replay: (!passed).then(|| format!("MADSIM_TEST_SEED={seed} cargo test")),
        }
    }

    #[test]
    fn reports_survive_a_round_trip_with_their_failure_logs() {
        let dir = std::env::temp_dir().join("raft-lab-sweep-report-roundtrip");
        let _ = std::fs::remove_dir_all(&dir);
        let log = std::env::temp_dir().join("raft-lab-sweep-report-3.log");
        std::fs::write(&log, "the output").unwrap();
        let report = Report {
            shard: Some("2/3".into()),
            runs: vec![row("a_2a", 2, true), row("a_2a", 3, false)],
        };
        write(&dir, &report, &[(log, PathBuf::from("a_2a/3.log"))]).unwrap();
        assert_eq!(read(&dir).unwrap(), report);
        assert_eq!(
            std::fs::read_to_string(dir.join("failures.tsv")).unwrap(),
            "a_2a\t3\tMADSIM_TEST_SEED=3 cargo test\n"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("logs/a_2a/3.log")).unwrap(),
            "the output"
        );
        assert!(read(&dir.join("logs")).is_err());
    }

    #[test]
    fn the_summary_merges_shards_and_names_failures_and_missing_shards() {
        let one = Report {
            shard: Some("1/3".into()),
            runs: vec![row("a_2a", 1, true), row("b_2a", 1, false)],
        };
        let two = Report {
            shard: Some("2/3".into()),
            runs: vec![row("a_2a", 2, true), row("b_2a", 2, true)],
        };
        let (md, green) = summary(&[one.clone(), two.clone()], Some(3));
        assert!(!green);
        assert!(md.contains("| a_2a | 2 | 0 | 0.50 ± 0.00 | 3.00 |"), "{md}");
        assert!(md.contains("| b_2a | 2 | 1 |"), "{md}");
        assert!(
            md.contains("| b_2a | 1 | boom \\| bang | `MADSIM_TEST_SEED=1 cargo test` |"),
            "{md}"
        );
        assert!(md.contains("No report from shard(s) 3/3"), "{md}");
        assert!(md.trim_end().ends_with("3 passed, 1 failed"), "{md}");

        let clean = Report {
            shard: Some("1/1".into()),
            runs: vec![row("a_2a", 1, true)],
        };
        let (md, green) = summary(&[clean], Some(1));
        assert!(green, "{md}");
        assert!(
            !md.contains("Failures") && !md.contains("No report"),
            "{md}"
        );
        assert!(!summary(&[], None).1, "no report at all is not green");
    }
}
