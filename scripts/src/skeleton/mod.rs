//! The student skeleton: this workspace with the reference implementations replaced by stubs.
//!
//! [`write()`] copies every file of the checkout (what git tracks, plus new files it does not
//! ignore) into a new directory, except the reference crates, whose place the stubs under
//! `skeleton/` take, and puts the student README (`skeleton/README.md`) at the top. [`verify()`]
//! checks that no function body of the reference crates appears anywhere in a skeleton.

pub mod bodies;
mod files;

use bodies::Body;
use std::path::{Path, PathBuf};

/// The reference crates a skeleton replaces with the stubs of the same name in `skeleton/`.
pub const REFERENCE_CRATES: &[&str] = &["raft", "kvraft", "kvsrv", "rsm", "shardkv"];
/// Where the stubs and the student README live in the checkout.
pub const STUBS_DIR: &str = "skeleton";

/// What [`write()`] did.
#[derive(Debug)]
pub struct Written {
    pub files: usize,
    pub bytes: u64,
}

/// Writes the skeleton of the checkout at `root` into `dir`, which must not exist or be empty.
pub fn write(root: &Path, dir: &Path) -> Result<Written, String> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .next()
            .is_some()
    {
        return Err(format!("{} exists and is not empty", dir.display()));
    }
    let mut written = Written { files: 0, bytes: 0 };
    let mut copy = |from: &Path, to: PathBuf| -> Result<(), String> {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        written.bytes += std::fs::copy(from, &to)
            .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
        written.files += 1;
        Ok(())
    };
    for rel in files::checkout_files(root)? {
        let top = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy());
        let replaced = top
            .as_deref()
            .is_some_and(|t| t == STUBS_DIR || REFERENCE_CRATES.contains(&t));
        if replaced || rel == Path::new("README.md") {
            continue;
        }
        copy(&root.join(&rel), dir.join(&rel))?;
    }
    let stubs = root.join(STUBS_DIR);
    for rel in files::walk(&stubs)? {
        let to = if rel == Path::new("README.md") {
            dir.join("README.md")
        } else {
            dir.join(&rel)
        };
        copy(&stubs.join(&rel), to)?;
    }
    Ok(written)
}

/// A reference body found in a skeleton.
#[derive(Debug, PartialEq, Eq)]
pub struct Leak {
    pub file: PathBuf,
    pub function: String,
    pub from: PathBuf,
}

/// Every function body of the reference crates under `root` (long enough to be solution code, see
/// [`bodies::MIN_BODY_CHARS`]) that appears in a Rust file under `dir`.
pub fn verify(root: &Path, dir: &Path) -> Result<Vec<Leak>, String> {
    let mut reference: Vec<(PathBuf, Body)> = Vec::new();
    for krate in REFERENCE_CRATES {
        let base = root.join(krate);
        for rel in files::walk(&base)? {
            if rel.extension().is_some_and(|e| e == "rs") {
                let text = read(&base.join(&rel))?;
                let from = Path::new(krate).join(&rel);
                reference.extend(bodies::bodies(&text).into_iter().map(|b| (from.clone(), b)));
            }
        }
    }
    let mut leaks = Vec::new();
    for rel in files::walk(dir)? {
        if rel.extension().is_none_or(|e| e != "rs") || rel.starts_with("target") {
            continue;
        }
        let text = bodies::normalize(&read(&dir.join(&rel))?);
        for (from, body) in &reference {
            if text.contains(&body.text) {
                leaks.push(Leak {
                    file: rel.clone(),
                    function: body.name.clone(),
                    from: from.clone(),
                });
            }
        }
    }
    Ok(leaks)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
