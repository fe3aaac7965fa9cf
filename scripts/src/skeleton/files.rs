//! Which files make up a checkout, and walking a directory.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The checkout's files, relative to `root`: what git tracks plus new files it does not ignore; or,
/// outside a git work tree, every file but `target/` and `.git/`.
pub fn checkout_files(root: &Path) -> Result<Vec<PathBuf>, String> {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output();
    match listed {
        Ok(out) if out.status.success() => Ok(out
            .stdout
            .split(|&b| b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| PathBuf::from(String::from_utf8_lossy(name).into_owned()))
            // Listed but deleted in the work tree.
            .filter(|rel| root.join(rel).is_file())
            .collect()),
        _ => walk(root),
    }
}

/// Every file under `dir` (relative to it), skipping `target/` and `.git/`, in sorted order.
pub fn walk(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let entries = std::fs::read_dir(dir.join(&rel))
            .map_err(|e| format!("cannot read {}: {e}", dir.join(&rel).display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            let name = entry.file_name();
            if name == "target" || name == ".git" {
                continue;
            }
            let path = rel.join(&name);
            let kind = entry
                .file_type()
                .map_err(|e| format!("cannot stat {}: {e}", path.display()))?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
