//! Calling cargo in the workspace root and reading what it built from its JSON messages.

use crate::workspace;
use serde_json::Value;
use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// The cargo that started us when there is one (`CARGO`), else the one on the PATH.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// A cargo command run in the workspace root, so it builds this checkout and reads its
/// `.cargo/config.toml`.
pub fn command() -> Command {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(workspace::root());
    cmd
}

/// A cargo build that failed: how it ended, and the compiler errors it reported (rendered).
#[derive(Debug)]
pub struct CargoFailure {
    pub status: String,
    pub errors: Vec<String>,
}

/// Runs cargo with `args` (which must ask for `--message-format=json`) in the workspace root, its
/// progress going to our stderr, and returns the compiler-artifact messages of what it built.
pub fn artifacts(args: &[&str]) -> Result<Vec<Value>, CargoFailure> {
    let spawned = command()
        .args(args)
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
