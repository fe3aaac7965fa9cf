//! The failure picture of a lab test run: at the end of every run, on the simulation's thread,
//! [`at_end`] draws the run (the checker's [`checker::Picture`]: fault bands, each peer's role and
//! term, the client operations with who answered them, where it failed) into one HTML file, and
//! `sim::runner` prints its path beside the replay command: `raft-lab: picture: /abs/path.html`.
//!
//! Environment:
//! - `RAFT_LAB_PICTURE`: unset, pictures of failing runs only; `always`, of every run; `never`,
//!   none.
//! - `RAFT_LAB_PICTURE_DIR`: where pictures go (default: the system's temporary directory; a
//!   relative path is taken from the directory cargo was run from), as
//!   `<test>-seed<seed>.html`, with `<test>-seed<seed>.record.json` beside it when the run
//!   recorded operations (the history with its annotations; `check-history` reads it).
//!
//! What a picture shows comes from the trace (see `sim::timeline`) and from what the testers
//! register here ([`registry`]). Annotation fields, for testers and for the implementation under
//! test alike (any `tracing` event; no dependency needed):
//! - `annotation = "text"`: the event is an annotation, shown at its virtual time on its node's
//!   lane (the tester's own: in the tester's row);
//! - `band = "name"`: it starts (or changes) a state of the run drawn across the picture until the
//!   next annotation of the same band; `end = true` ends the band instead;
//! - `peer = "raft-2"`: it concerns that peer (drawn on its lane); with `down = true` and a band,
//!   the peer is down (crashed) while the band lasts;
//! - any other field is shown in its tooltip.
//!
//! Roles: an event with `role = "leader" | "candidate" | "follower"` declares its node's role from
//! then on, and `term` on any event (at DEBUG or above) is read as its node's current term; a new
//! term without a role counts as following.

mod convert;
pub mod registry;
pub mod scenarios;

use sim::runner::{Artifact, RunEnd};
use std::path::{Path, PathBuf};

/// Chooses when pictures are drawn.
pub const PICTURE_ENV: &str = "RAFT_LAB_PICTURE";
/// Chooses where pictures go.
pub const PICTURE_DIR_ENV: &str = "RAFT_LAB_PICTURE_DIR";

/// When to draw, as `RAFT_LAB_PICTURE` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Failures,
    Always,
    Never,
}

impl When {
    pub fn from_env() -> When {
        match std::env::var(PICTURE_ENV).as_deref().map(str::trim) {
            Ok("always") => When::Always,
            Ok("never") | Ok("0") | Ok("off") => When::Never,
            _ => When::Failures,
        }
    }
}

/// The end hook of every lab test run (see the module docs).
pub fn at_end(end: &RunEnd<'_>) -> Vec<Artifact> {
    let registered = registry::take();
    let wanted = match When::from_env() {
        When::Always => true,
        When::Failures => end.failure.is_some(),
        When::Never => false,
    };
    if !wanted {
        return Vec::new();
    }
    let dir = picture_dir();
    match write(end, &registered, &dir) {
        Ok(artifacts) => artifacts,
        Err(e) => {
            eprintln!(
                "raft-lab: could not write the picture into {}: {e}",
                dir.display()
            );
            Vec::new()
        }
    }
}

/// [`at_end`] that draws every run, whatever `RAFT_LAB_PICTURE` says (for tests of the picture).
pub fn always(end: &RunEnd<'_>) -> Vec<Artifact> {
    let registered = registry::take();
    let dir = picture_dir();
    write(end, &registered, &dir).unwrap_or_else(|e| {
        eprintln!(
            "raft-lab: could not write the picture into {}: {e}",
            dir.display()
        );
        Vec::new()
    })
}

/// Where pictures go: `RAFT_LAB_PICTURE_DIR` (relative to the directory cargo was run from, like
/// the other paths the environment names), else the system's temporary directory.
fn picture_dir() -> PathBuf {
    std::env::var_os(PICTURE_DIR_ENV)
        .filter(|d| !d.is_empty())
        .map_or_else(std::env::temp_dir, |d| {
            sim::user_path::resolve(Path::new(&d))
        })
}

/// Draws the run into `dir`, returning what it wrote.
fn write(
    end: &RunEnd<'_>,
    registered: &registry::Registered,
    dir: &Path,
) -> std::io::Result<Vec<Artifact>> {
    std::fs::create_dir_all(dir)?;
    let dir = std::path::absolute(dir)?;
    let stem = format!("{}-seed{}", file_safe(end.test), end.seed);
    let timeline = convert::timeline(end.timeline);
    let end_ns = end.virtual_time.as_nanos() as u64;
    let (ops, check) = registered.ops_and_check();
    let page = checker::render(&checker::Picture {
        title: format!("{} seed {}", end.test, end.seed),
        failure: end.failure.map(|f| (f.to_string(), end_ns)),
        ops: &ops,
        check: check.as_ref(),
        timeline: &timeline,
        end: Some(end_ns),
    });
    let picture = dir.join(format!("{stem}.html"));
    std::fs::write(&picture, page)?;
    let mut artifacts = vec![Artifact {
        what: "picture".into(),
        path: picture,
    }];
    if !ops.is_empty() {
        let record = dir.join(format!("{stem}.record.json"));
        std::fs::write(&record, checker::record::record_json(&ops, &timeline))?;
        artifacts.push(Artifact {
            what: "record".into(),
            path: record,
        });
    }
    Ok(artifacts)
}

/// `name` with anything but `[A-Za-z0-9_-]` turned into `_`.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
