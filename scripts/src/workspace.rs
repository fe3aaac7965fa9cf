//! Where things are: the checkout the tools work on, the directory the user ran them from, and where
//! their outputs go.
//!
//! The tools may be built into a target directory that several checkouts share, so they never trust
//! a path compiled into them first: the wrappers in `scripts/` name their checkout (`RAFT_LAB_ROOT`)
//! and the directory they were started from (`RAFT_LAB_CWD`, since they `cd` to the root).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The package holding the lab suites.
pub const TEST_PACKAGE: &str = "raft-lab-tests";

/// Set by the wrappers: the root of the checkout they belong to.
pub const ROOT_ENV: &str = "RAFT_LAB_ROOT";
/// Set by the wrappers: the directory the user ran them from, which relative paths are taken from.
pub const CWD_ENV: &str = "RAFT_LAB_CWD";

/// The checkout this binary was built from: `.cargo/config.toml` sets it for every build, and reading
/// it here also makes cargo rebuild this crate when another checkout builds into the same target dir.
const BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

/// The workspace root: `RAFT_LAB_ROOT` when it names this workspace, else the nearest directory
/// above the user's that holds it, else the checkout this binary was built from.
pub fn root() -> PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let built = BUILT_FROM.map(PathBuf::from).unwrap_or_else(|| {
            let here = Path::new(env!("CARGO_MANIFEST_DIR"));
            here.parent().unwrap_or(here).to_path_buf()
        });
        find_root(env_path(ROOT_ENV).as_deref(), &user_dir(), &built)
    })
    .clone()
}

/// [`root`] from its three sources, first match wins.
pub fn find_root(named: Option<&Path>, user_dir: &Path, built_from: &Path) -> PathBuf {
    named
        .filter(|d| is_root(d))
        .or_else(|| user_dir.ancestors().find(|d| is_root(d)))
        .unwrap_or(built_from)
        .to_path_buf()
}

/// Whether `dir` is a raft-lab workspace: a `[workspace]` manifest with this package in `scripts/`.
pub fn is_root(dir: &Path) -> bool {
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap_or_default();
    read("Cargo.toml").contains("[workspace]")
        && read("scripts/Cargo.toml").contains(&format!("name = \"{}\"", env!("CARGO_PKG_NAME")))
}

/// The directory the user ran the tool from: `RAFT_LAB_CWD` (set by the wrappers), else ours.
pub fn user_dir() -> PathBuf {
    env_path(CWD_ENV)
        .filter(|d| d.is_dir())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A path the user typed, as they mean it: relative paths are taken from [`user_dir`].
pub fn user_path(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        user_dir().join(path)
    }
}

/// An absolute path named by environment variable `name`, if set.
fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

/// The directory test processes run in: the test package's own, as under `cargo test`.
pub fn test_package_dir() -> PathBuf {
    root().join("tests")
}

/// Where `tool` keeps what it writes: `<root>/target/<tool>`. Always inside the checkout, even when
/// `CARGO_TARGET_DIR` points elsewhere, so checkouts that share a target directory keep their own.
pub fn output_dir(tool: &str) -> PathBuf {
    root().join("target").join(tool)
}

/// `path` as the user best reads it: relative to their directory when inside it, else absolute.
pub fn display_path(path: &Path) -> String {
    shown_from(path, &user_dir())
}

/// `path` relative to `dir` when inside it, else as it is.
pub fn shown_from(path: &Path, dir: &Path) -> String {
    path.strip_prefix(dir)
        .ok()
        .filter(|rel| !rel.as_os_str().is_empty())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A shell command to run in the workspace root, prefixed with a `cd` there when the user is not
/// inside it (the replay commands the tools print must work where the user pastes them).
pub fn in_root(command: &str) -> String {
    in_root_from(command, &root(), &user_dir())
}

/// [`in_root`] for a given root and user directory.
pub fn in_root_from(command: &str, root: &Path, user_dir: &Path) -> String {
    if user_dir.starts_with(root) {
        command.to_string()
    } else {
        format!(
            "cd {} && {command}",
            shell_quoted(&root.display().to_string())
        )
    }
}

/// `text` as one shell word.
fn shell_quoted(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory tree under the system's temporary directory: two checkouts and an outsider.
    fn sandbox(name: &str) -> PathBuf {
        let base = std::env::temp_dir().join(format!("raft-lab-workspace-{name}"));
        let _ = std::fs::remove_dir_all(&base);
        for checkout in ["a", "b"] {
            let dir = base.join(checkout);
            std::fs::create_dir_all(dir.join("scripts")).unwrap();
            std::fs::create_dir_all(dir.join("tests/tests")).unwrap();
            std::fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
            std::fs::write(
                dir.join("scripts/Cargo.toml"),
                "[package]\nname = \"raft-lab-scripts\"\n",
            )
            .unwrap();
        }
        std::fs::create_dir_all(base.join("elsewhere")).unwrap();
        base
    }

    #[test]
    fn the_named_checkout_wins_then_the_users_then_the_built_one() {
        let base = sandbox("root");
        let (a, b, elsewhere) = (base.join("a"), base.join("b"), base.join("elsewhere"));
        // The wrapper of checkout b names it, whatever the binary was built from.
        assert_eq!(find_root(Some(&b), &elsewhere, &a), b);
        // Run by hand from inside checkout b: the nearest workspace above the user.
        assert_eq!(find_root(None, &b.join("tests/tests"), &a), b);
        // A name that is not a workspace is passed over.
        assert_eq!(find_root(Some(&elsewhere), &b, &a), b);
        // Nowhere near a checkout: the one the binary was built from.
        assert_eq!(find_root(None, &elsewhere, &a), a);
        assert!(!is_root(&elsewhere) && is_root(&a));
    }

    #[test]
    fn paths_are_shown_from_the_users_directory() {
        let root = Path::new("/src/raft-lab");
        let log = root.join("target/repeat-test/x/1.log");
        assert_eq!(shown_from(&log, root), "target/repeat-test/x/1.log");
        assert_eq!(
            shown_from(&log, &root.join("tests")),
            log.display().to_string()
        );
        assert_eq!(
            shown_from(&log, Path::new("/elsewhere")),
            "/src/raft-lab/target/repeat-test/x/1.log"
        );
        assert_eq!(shown_from(root, root), "/src/raft-lab");
    }

    #[test]
    fn commands_printed_outside_the_checkout_cd_into_it_first() {
        let root = Path::new("/src/raft-lab");
        assert_eq!(in_root_from("cargo test", root, root), "cargo test");
        assert_eq!(
            in_root_from("cargo test", root, &root.join("tests")),
            "cargo test"
        );
        assert_eq!(
            in_root_from("cargo test", root, Path::new("/home/me")),
            "cd /src/raft-lab && cargo test"
        );
        assert_eq!(
            in_root_from("x", Path::new("/my dir/it's"), Path::new("/")),
            r"cd '/my dir/it'\''s' && x"
        );
    }
}
