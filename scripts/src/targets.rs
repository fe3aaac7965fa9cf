//! The lab's test targets: which exist (cargo metadata), building them once (cargo test --no-run), and
//! the tests each executable holds (libtest's `--list`).

use crate::{cargo, workspace};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// An integration target of the test package, as cargo describes it before building.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetSource {
    pub name: String,
    pub src_path: PathBuf,
}

/// A built test executable and the (non-ignored) tests it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestTarget {
    pub name: String,
    pub exe: PathBuf,
    pub tests: Vec<String>,
}

/// The integration targets of the test package, without building anything.
pub fn sources() -> Result<Vec<TargetSource>, String> {
    let output = cargo::command()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed ({})", output.status));
    }
    let meta: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed something unexpected: {e}"))?;
    parse_sources(&meta)
}

/// Picks the integration targets of the test package out of `cargo metadata` output.
pub fn parse_sources(meta: &Value) -> Result<Vec<TargetSource>, String> {
    let package = meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == workspace::TEST_PACKAGE))
        .ok_or_else(|| format!("no package {} in this workspace", workspace::TEST_PACKAGE))?;
    let mut found: Vec<TargetSource> = package["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "test"))
        })
        .filter_map(|t| {
            Some(TargetSource {
                name: t["name"].as_str()?.to_string(),
                src_path: PathBuf::from(t["src_path"].as_str()?),
            })
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// Builds the named integration targets once and lists the tests of each. Compiler errors are shown;
/// cargo's own progress goes to our stderr.
pub fn build(names: &[String]) -> Result<Vec<TestTarget>, String> {
    if names.is_empty() {
        return Err(format!(
            "{} has no integration test targets",
            workspace::TEST_PACKAGE
        ));
    }
    let mut args = vec![
        "test",
        "-p",
        workspace::TEST_PACKAGE,
        "--no-run",
        "--message-format=json",
    ];
    for name in names {
        args.extend(["--test", name.as_str()]);
    }
    let artifacts = cargo::artifacts(&args).map_err(|failure| {
        for e in &failure.errors {
            eprint!("{e}");
        }
        format!(
            "building the tests failed ({}); fix the errors above and rerun",
            failure.status
        )
    })?;
    let mut built: Vec<(String, PathBuf)> = artifacts
        .iter()
        .filter_map(integration_executable)
        .collect();
    built.sort();
    built.dedup();
    built
        .into_iter()
        .map(|(name, exe)| {
            let tests = list_tests(&exe)?;
            Ok(TestTarget { name, exe, tests })
        })
        .collect()
}

/// (target name, executable) of an integration test artifact in cargo's JSON build output.
pub fn integration_executable(msg: &Value) -> Option<(String, PathBuf)> {
    let target = &msg["target"];
    let is_test = target["kind"]
        .as_array()
        .is_some_and(|k| k.iter().any(|k| k == "test"));
    if !is_test || msg["profile"]["test"] != true {
        return None;
    }
    let exe = msg["executable"].as_str()?;
    Some((target["name"].as_str()?.to_string(), PathBuf::from(exe)))
}

/// The tests in a libtest executable, less the `#[ignore]`d ones.
pub fn list_tests(exe: &PathBuf) -> Result<Vec<String>, String> {
    let all = terse_list(exe, false)?;
    let ignored: BTreeSet<String> = terse_list(exe, true)?.into_iter().collect();
    Ok(all.into_iter().filter(|t| !ignored.contains(t)).collect())
}

fn terse_list(exe: &PathBuf, ignored: bool) -> Result<Vec<String>, String> {
    let mut cmd = Command::new(exe);
    cmd.args(["--list", "--format", "terse"]);
    if ignored {
        cmd.arg("--ignored");
    }
    let output = cmd
        .current_dir(workspace::test_package_dir())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} --list failed ({})",
            exe.display(),
            output.status
        ));
    }
    Ok(parse_terse_list(&String::from_utf8_lossy(&output.stdout)))
}

/// Test names from libtest's `--list --format terse` output (`name: test` lines).
pub fn parse_terse_list(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_string)
        .collect()
}

/// Targets whose source file defines `fn <test>` (a cheap guess that avoids building every target
/// to find one test; a test the guess misses is found by building them all).
pub fn likely_targets(sources: &[TargetSource], test: &str) -> Vec<String> {
    let short = test.rsplit("::").next().unwrap_or(test);
    mentioning(sources, &format!("fn {short}("))
}

/// Targets whose source file contains `needle`.
pub fn mentioning(sources: &[TargetSource], needle: &str) -> Vec<String> {
    sources
        .iter()
        .filter(|s| std::fs::read_to_string(&s.src_path).is_ok_and(|text| text.contains(needle)))
        .map(|s| s.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn terse_list_keeps_tests_only() {
        let text = "basic_3a: test\nsnapshot_size_3b: test\nbench_x: bench\n\n";
        assert_eq!(parse_terse_list(text), ["basic_3a", "snapshot_size_3b"]);
    }

    #[test]
    fn integration_artifacts_are_recognised() {
        let msg = json!({"reason": "compiler-artifact",
            "target": {"kind": ["test"], "name": "raft_2a"},
            "profile": {"test": true}, "executable": "/t/deps/raft_2a-abc"});
        assert_eq!(
            integration_executable(&msg),
            Some(("raft_2a".into(), PathBuf::from("/t/deps/raft_2a-abc")))
        );
        let lib = json!({"target": {"kind": ["lib"], "name": "raft_lab_tests"},
            "profile": {"test": true}, "executable": "/t/deps/raft_lab_tests-abc"});
        assert_eq!(integration_executable(&lib), None);
    }

    #[test]
    fn metadata_yields_the_test_package_targets_by_name() {
        let meta = json!({"packages": [
            {"name": "sim", "targets": [{"kind": ["test"], "name": "x", "src_path": "/s"}]},
            {"name": "raft-lab-tests", "targets": [
                {"kind": ["lib"], "name": "raft_lab_tests", "src_path": "/l"},
                {"kind": ["test"], "name": "raft_2b", "src_path": "/b"},
                {"kind": ["test"], "name": "raft_2a", "src_path": "/a"}]}]});
        let names: Vec<_> = parse_sources(&meta)
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["raft_2a", "raft_2b"]);
        assert!(parse_sources(&json!({"packages": []})).is_err());
    }
}
