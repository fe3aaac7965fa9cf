//! Building what the benchmark runs, once: the lab test executables (`cargo test --no-run`) and the
//! kv_bench scenario runner (`cargo build --bin kv_bench`), both read from cargo's JSON messages.

use raft_lab_scripts::cargo;
use raft_lab_scripts::workspace::{self, TEST_PACKAGE};
use serde_json::Value;
use std::path::PathBuf;

/// Whether the lab target `name` has a source file (a suite not written yet is skipped, not an error).
pub fn target_exists(name: &str) -> bool {
    workspace::root()
        .join("tests/tests")
        .join(format!("{name}.rs"))
        .is_file()
}

/// Builds the named integration targets; returns (name, executable) for each.
pub fn test_executables(names: &[String], release: bool) -> Result<Vec<(String, PathBuf)>, String> {
    let mut args = vec![
        "test",
        "-p",
        TEST_PACKAGE,
        "--no-run",
        "--message-format=json",
    ];
    for name in names {
        args.extend(["--test", name.as_str()]);
    }
    if release {
        args.push("--release");
    }
    let artifacts = cargo_artifacts(&args)?;
    let mut found: Vec<(String, PathBuf)> = artifacts
        .iter()
        .filter(|m| m["profile"]["test"] == true && has_kind(m, "test"))
        .filter_map(|m| {
            let name = m["target"]["name"].as_str()?;
            let exe = m["executable"].as_str()?;
            names
                .iter()
                .any(|n| n == name)
                .then(|| (name.to_string(), PathBuf::from(exe)))
        })
        .collect();
    found.sort();
    found.dedup_by(|a, b| a.0 == b.0);
    Ok(found)
}

/// Builds the kv_bench binary; returns its path.
pub fn kv_bench(release: bool) -> Result<PathBuf, String> {
    let mut args = vec![
        "build",
        "-p",
        TEST_PACKAGE,
        "--bin",
        "kv_bench",
        "--message-format=json",
    ];
    if release {
        args.push("--release");
    }
    cargo_artifacts(&args)?
        .iter()
        .filter(|m| has_kind(m, "bin") && m["target"]["name"] == "kv_bench")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo built no kv_bench executable".to_string())
}

fn has_kind(msg: &Value, kind: &str) -> bool {
    msg["target"]["kind"]
        .as_array()
        .is_some_and(|k| k.iter().any(|k| k == kind))
}

/// Runs cargo with JSON messages; returns its compiler-artifact messages, or the compiler errors.
fn cargo_artifacts(args: &[&str]) -> Result<Vec<Value>, String> {
    cargo::artifacts(args).map_err(|failure| {
        format!(
            "cargo {} failed ({}){}{}",
            args.join(" "),
            failure.status,
            if failure.errors.is_empty() { "" } else { ":\n" },
            failure.errors.concat()
        )
    })
}
