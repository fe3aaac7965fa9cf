//! Where things are: the workspace root, the target directory, and the cargo to call.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

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
