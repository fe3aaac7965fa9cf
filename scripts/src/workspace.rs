//! Where things are: the workspace root, the target directory, and the cargo to call; and building
//! with cargo while reading what it built from its JSON messages.

use serde_json::Value;
use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The package holding the lab suites.
pub const TEST_PACKAGE: &str = "raft-lab-tests";

/// The workspace root (the parent of this package, which is `<root>/scripts`).
pub fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// The directory test processes run in: the test package's own, as under `cargo test`.
pub fn test_package_dir() -> PathBuf {
    root().join("tests")
}

/// Cargo's target directory (`CARGO_TARGET_DIR` if set, else `<root>/target`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// The cargo that started us when there is one (`CARGO`), else the one on the PATH.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// `path` relative to the workspace root when it is inside it (shorter lines in reports).
pub fn display_path(path: &Path) -> String {
    let root = root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A cargo build that failed: how it ended, and the compiler errors it reported (rendered).
#[derive(Debug)]
pub struct CargoFailure {
    pub status: String,
    pub errors: Vec<String>,
}

/// Runs cargo with `args` (which must ask for `--message-format=json`) in the workspace root, its
/// progress going to our stderr, and returns the compiler-artifact messages of what it built.
pub fn cargo_artifacts(args: &[&str]) -> Result<Vec<Value>, CargoFailure> {
    let spawned = Command::new(cargo())
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn();
    let mut child = spawned.map_err(|e| CargoFailure {
        status: format!("cannot run cargo: {e}"),
        errors: Vec::new(),
    })?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut artifacts = Vec::new();
    let mut errors = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let Ok(msg) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        match msg["reason"].as_str() {
            Some("compiler-artifact") => artifacts.push(msg),
            Some("compiler-message") if msg["message"]["level"] == "error" => {
                if let Some(text) = msg["message"]["rendered"].as_str() {
                    errors.push(text.to_string());
                }
            }
            _ => {}
        }
    }
    match child.wait() {
        Ok(status) if status.success() => Ok(artifacts),
        Ok(status) => Err(CargoFailure {
            status: status.to_string(),
            errors,
        }),
        Err(e) => Err(CargoFailure {
            status: format!("waiting for cargo: {e}"),
            errors,
        }),
    }
}
