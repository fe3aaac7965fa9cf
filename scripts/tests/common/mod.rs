//! Running the built tools the way a user does, and reading what they print.

#![allow(dead_code)] // each test file uses its own part of this

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const SELFTEST: &str = "selftest_fails_on_purpose";
pub const FAIL_VAR: &str = "RAFT_LAB_SELFTEST_FAIL";

/// The workspace root (scripts/ is one level down).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("scripts/ has a parent")
        .to_path_buf()
}

/// A command for one of our binaries, with the self-test's failure switch set as asked.
pub fn tool(exe: &str, fail_on_odd_seeds: bool) -> Command {
    let mut cmd = Command::new(exe);
    cmd.current_dir(root());
    if fail_on_odd_seeds {
        cmd.env(FAIL_VAR, "1");
    } else {
        cmd.env_remove(FAIL_VAR);
    }
    cmd
}

/// Runs and returns (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (Option<i32>, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the tool starts");
    (
        status.code(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// The trace digest in a `raft-lab: ... FAILED with seed S at ..., trace digest D: ...` line.
pub fn failed_digest(text: &str, seed: u64) -> Option<String> {
    let marker = format!("FAILED with seed {seed} at ");
    let line = text.lines().find(|l| l.contains(&marker))?;
    let (_, rest) = line.split_once("trace digest ")?;
    Some(rest.split(':').next()?.trim().to_string())
}
