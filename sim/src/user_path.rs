//! Paths a user hands a test process through the environment (`RAFT_LAB_TRACE`,
//! `RAFT_LAB_DUMP_HISTORY`), taken from the directory the user ran cargo from.
//!
//! `cargo test` starts each test process in its package's directory (`tests/`), but leaves `PWD` as
//! the user's shell set it, so `RAFT_LAB_TRACE=trace.jsonl cargo test` run from the workspace root
//! means the root's `trace.jsonl`, as the README says, and not `tests/trace.jsonl`.

use std::path::{Path, PathBuf};

/// `path` made absolute against the user's directory: `PWD` when it names one, else the process's.
pub fn resolve(path: &Path) -> PathBuf {
    let pwd = std::env::var_os("PWD")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute() && d.is_dir());
    resolve_from(
        path,
        pwd.or_else(|| std::env::current_dir().ok()).as_deref(),
    )
}

/// `path` made absolute against `dir`, when it is relative and there is a `dir`.
pub fn resolve_from(path: &Path, dir: Option<&Path>) -> PathBuf {
    match dir {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_taken_from_the_users_directory() {
        let root = Path::new("/src/raft-lab");
        assert_eq!(
            resolve_from(Path::new("trace.jsonl"), Some(root)),
            root.join("trace.jsonl")
        );
        assert_eq!(
            resolve_from(Path::new("../out/h"), Some(root)),
            Path::new("/src/raft-lab/../out/h")
        );
        assert_eq!(
            resolve_from(Path::new("/tmp/t.jsonl"), Some(root)),
            Path::new("/tmp/t.jsonl")
        );
        assert_eq!(resolve_from(Path::new("t"), None), Path::new("t"));
    }

    #[test]
    fn resolve_gives_an_absolute_path() {
        assert!(resolve(Path::new("trace.jsonl")).is_absolute());
    }
}
