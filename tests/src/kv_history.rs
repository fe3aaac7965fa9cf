//! The end of a KV test's history: the linearizability check (docs/lab-tests-2023.md §0 and §5) and the
//! files a reader needs to see why a history failed — the checker's JSON (replayable with the
//! check-history command); the run's picture ([`crate::picture`]) shows the history with the
//! check's verdict, which is registered for it, and the check's begin and verdict are annotations.
//!
//! `RAFT_LAB_DUMP_HISTORY=<dir>` writes every checked history's JSON into `<dir>`, pass or fail; a
//! failing test writes its files there too, or into the system's temporary directory.

use checker::{Budget, CheckResult, History};
use std::path::{Path, PathBuf};

/// The environment variable naming a directory to dump every checked history into.
pub const DUMP_ENV: &str = "RAFT_LAB_DUMP_HISTORY";

/// A file-name-safe form of a test title: lowercase letters and digits, other runs turned into '-'.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The directory asked for with `RAFT_LAB_DUMP_HISTORY`, if any; a relative one is taken from the
/// directory cargo was run from, not the package directory the test runs in.
fn requested_dir() -> Option<PathBuf> {
    std::env::var_os(DUMP_ENV)
        .filter(|d| !d.is_empty())
        .map(|d| sim::user_path::resolve(Path::new(&d)))
}

/// `<dir>/<label>-seed<seed>.<ext>`: one file per test and seed, so parallel seeds do not collide.
fn file_path(dir: &Path, label: &str, ext: &str) -> PathBuf {
    dir.join(format!("{label}-seed{}.{ext}", sim::rng::seed()))
}

/// Writes the history's JSON into `dir` and prints where; a write error is printed, not fatal (the
/// test's own verdict matters more than its evidence).
fn write_json(history: &History, dir: &Path, label: &str) -> Option<PathBuf> {
    let path = file_path(dir, label, "history.json");
    let written = std::fs::create_dir_all(dir).and_then(|()| history.write_file(&path));
    match written {
        Ok(()) => {
            println!(
                "  ... history ({} operations) written to {}",
                history.len(),
                path.display()
            );
            Some(path)
        }
        Err(e) => {
            println!(
                "  ... could not write the history to {}: {e}",
                path.display()
            );
            None
        }
    }
}

/// Dumps the history as JSON because the test is failing.
pub fn dump_on_failure(history: &History, label: &str) {
    let dir = requested_dir().unwrap_or_else(std::env::temp_dir);
    write_json(history, &dir, label);
}

/// Checks `history` against its model (the versioned KV model if its ops are versioned, else the
/// 2023 KV model). `Ok` only when it is proven linearizable; a
/// non-linearizable history writes its HTML and JSON, an unknown verdict (budget exhausted) its JSON,
/// and both are errors whose message says what happened and where the files are.
pub fn check(history: &History, label: &str) -> Result<(), String> {
    check_with_dump_dir(history, label, requested_dir().as_deref())
}

/// [`check`], with the `RAFT_LAB_DUMP_HISTORY` directory given explicitly.
fn check_with_dump_dir(
    history: &History,
    label: &str,
    requested: Option<&Path>,
) -> Result<(), String> {
    let failure_dir = requested.map_or_else(std::env::temp_dir, Path::to_path_buf);
    tracing::info!(
        topic = "test",
        annotation = "checking linearizability",
        ops = history.len(),
        "linearizability check begins"
    );
    // Checked in place: a copy of a long KV history would double the test's memory.
    let (verdict, n) =
        history.with_ops(|ops| (checker::check_ops(ops, Budget::DEFAULT), ops.len()));
    crate::picture::registry::history(history);
    crate::picture::registry::verdict(&verdict, n);
    let short = match verdict {
        CheckResult::Ok { .. } => "linearizable",
        CheckResult::Illegal { .. } => "NOT linearizable",
        CheckResult::Unknown { .. } => "linearizability unknown (budget exhausted)",
    };
    tracing::info!(topic = "test", annotation = short, ops = n, %verdict, "linearizability check");
    if let Some(dir) = requested {
        write_json(history, dir, label);
    }
    match &verdict {
        CheckResult::Ok { .. } => {
            println!("  ... {n} operations: {verdict}");
            Ok(())
        }
        CheckResult::Illegal { .. } => {
            if requested.is_none() {
                write_json(history, &failure_dir, label);
            }
            Err(format!(
                "history is not linearizable: {verdict} (its picture is printed below)"
            ))
        }
        CheckResult::Unknown { .. } => {
            if requested.is_none() {
                write_json(history, &failure_dir, label);
            }
            Err(format!(
                "history not checked, which is a failure: {verdict}"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use checker::Operation;

    #[test]
    fn slug_keeps_letters_and_digits() {
        assert_eq!(
            slug("Test: unreliable net, many clients (3A)"),
            "test-unreliable-net-many-clients-3a"
        );
    }

    /// Runs `body` in a simulation (file names carry the seed) and fails if it failed.
    fn in_sim(body: fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>) {
        let report = sim::runner::run_seed(7, body);
        assert!(report.passed(), "{:?}", report.failure());
    }

    #[test]
    fn a_stale_read_fails_leaves_json_and_keeps_its_verdict_for_the_picture() {
        in_sim(|| {
            Box::pin(async {
                let dir = std::env::temp_dir().join("raft-lab-kv-history-selftest");
                let _ = std::fs::remove_dir_all(&dir);
                let h = History::new();
                h.record(Operation::put(1, 0, 10, "k", "a"));
                h.record(Operation::put(1, 20, 30, "k", "b"));
                h.record(Operation::get(2, 40, 50, "k", "a"));
                let err = check_with_dump_dir(&h, "stale", Some(&dir)).unwrap_err();
                assert!(err.contains("not linearizable"), "{err}");
                let json = dir.join("stale-seed7.history.json");
                // The verdict is kept for the run's picture.
                let (ops, check) = crate::picture::registry::take().ops_and_check();
                assert_eq!(ops.len(), 3);
                assert!(matches!(check, Some(CheckResult::Illegal { .. })));
                let back = History::read_file(&json).unwrap();
                assert_eq!(back.snapshot(), h.snapshot());
                let _ = std::fs::remove_dir_all(&dir);
            })
        });
    }

    #[test]
    fn a_versioned_stale_read_fails() {
        in_sim(|| {
            Box::pin(async {
                use checker::KvErr::Ok as OK;
                let h = History::new();
                h.record(Operation::versioned_put(1, 0, 10, "k", ("a", 0), OK));
                h.record(Operation::versioned_put(1, 20, 30, "k", ("b", 1), OK));
                h.record(Operation::versioned_get(2, 40, 50, "k", ("a", 1, OK)));
                let dir = std::env::temp_dir().join("raft-lab-kv-history-versioned-selftest");
                let err = check_with_dump_dir(&h, "vstale", Some(&dir)).unwrap_err();
                assert!(err.contains("not linearizable"), "{err}");
                let _ = std::fs::remove_dir_all(&dir);
            })
        });
    }

    #[test]
    fn a_linearizable_history_passes() {
        in_sim(|| {
            Box::pin(async {
                let h = History::new();
                h.record(Operation::append(1, 0, 10, "k", "x"));
                h.record(Operation::get(2, 5, 15, "k", "x"));
                h.record(Operation::get(2, 20, 25, "j", ""));
                assert_eq!(check_with_dump_dir(&h, "ok", None), Ok(()));
            })
        });
    }
}
