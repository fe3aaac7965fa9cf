//! The failure picture: one self-contained HTML page showing a run on one virtual-time axis —
//! fault bands across everything, one lane per peer with its role and term over time, the client
//! operations in lanes per key (who answered each, in which term, after how many retries, in its
//! tooltip), and where the run failed or the linearization broke, marked.
//!
//! The page holds its data as JSON and draws itself with an inline script (no network, no
//! external resources): the axis can be compressed (every instant something happens gets room,
//! idle stretches shrink) or linear, and zoomed; times are labelled in virtual seconds. Hovering
//! over an operation shows the longest partial linearization through it, as before. Once drawn,
//! the page records where it put the things a test looks for in `data-layout` on `<body>` and how
//! long drawing took in `data-render-ms`, and any script error in `data-errors`.

mod lanes;
mod ops;
mod text;

use crate::check::CheckResult;
use crate::history::{History, Operation};
use crate::timeline::Timeline;
use serde::Serialize;
use std::io;
use std::path::{Path, PathBuf};
use text::{escape, json_for_script};

/// Everything one picture shows. Times are ns on the operations' clock (virtual time).
pub struct Picture<'a> {
    /// What the page is about: a test and its seed, or a history file.
    pub title: String,
    /// Why the run failed, and when; `None` for a run that passed (or a bare history).
    pub failure: Option<(String, u64)>,
    pub ops: &'a [Operation],
    /// The check of exactly `ops` (its indices refer to them), if one was made.
    pub check: Option<&'a CheckResult>,
    pub timeline: &'a Timeline,
    /// When the run ended, if known (else its last event).
    pub end: Option<u64>,
}

/// The JSON the page's script draws from.
#[derive(Serialize)]
struct PageData<'a> {
    title: &'a str,
    failure: Option<FailureData<'a>>,
    /// The check's one-line verdict, if there was a check.
    verdict: Option<String>,
    /// States are (value, version) pairs (the versioned model), not strings.
    versioned: bool,
    end: u64,
    ops: Vec<ops::OpData>,
    keys: Vec<ops::KeyData>,
    first_error: Option<ops::FirstError>,
    bands: Vec<lanes::Band>,
    peers: Vec<lanes::Peer>,
    marks: Vec<lanes::Mark>,
}

#[derive(Serialize)]
struct FailureData<'a> {
    message: &'a str,
    time: u64,
}

/// The page for `picture`.
pub fn render(picture: &Picture<'_>) -> String {
    let part = ops::ops_part(picture.ops, picture.check);
    let last_op = picture.ops.iter().map(|o| o.ret.max(o.call)).max();
    let last_mark = picture
        .timeline
        .annotations
        .iter()
        .map(|a| a.time)
        .chain(picture.timeline.roles.iter().map(|r| r.time))
        .max();
    let end = [
        picture.end,
        last_op,
        last_mark,
        picture.failure.as_ref().map(|f| f.1),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(0);
    let run = lanes::run_part(picture.timeline, end);
    let data = PageData {
        title: &picture.title,
        failure: picture.failure.as_ref().map(|(message, time)| FailureData {
            message,
            time: *time,
        }),
        verdict: picture.check.map(ToString::to_string),
        versioned: picture.ops.iter().any(|o| o.versioned.is_some()),
        end,
        ops: part.ops,
        keys: part.keys,
        first_error: part.first_error,
        bands: run.bands,
        peers: run.peers,
        marks: run.marks,
    };
    let headline = headline(picture);
    let mut page = String::with_capacity(4096 + 200 * picture.ops.len());
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str(&format!(
        "<title>raft-lab: {}</title>\n<style>{}</style>\n",
        escape(&headline),
        include_str!("page.css")
    ));
    // First, so that it sees every error of the drawing script.
    page.push_str(&format!("<script>{}</script>\n", include_str!("errors.js")));
    page.push_str("</head>\n<body>\n");
    page.push_str(&format!(
        "<h1>raft-lab: {}</h1>\n<p class=\"subtitle\">{}</p>\n",
        escape(&headline),
        escape(&picture.title)
    ));
    if let Some((message, _)) = &picture.failure {
        page.push_str(&format!("<p class=\"failure\">{}</p>\n", escape(message)));
    }
    if let Some(check) = picture.check {
        page.push_str(&format!(
            "<p class=\"summary\">{}</p>\n",
            escape(&check.to_string())
        ));
    }
    page.push_str(include_str!("body.html"));
    page.push_str("<script type=\"application/json\" id=\"picture-data\">");
    page.push_str(&json_for_script(&data));
    page.push_str("</script>\n<script>");
    page.push_str(include_str!("page.js"));
    page.push_str("</script>\n</body>\n</html>\n");
    page
}

/// The page's heading: the run's verdict, or the check's.
fn headline(picture: &Picture<'_>) -> String {
    match (&picture.failure, picture.check) {
        (Some(_), Some(CheckResult::Illegal { .. })) => "FAILED: not linearizable".into(),
        (Some(_), _) => "FAILED".into(),
        (None, Some(CheckResult::Ok { .. })) => "linearizable".into(),
        (None, Some(CheckResult::Illegal { .. })) => "NOT linearizable".into(),
        (None, Some(CheckResult::Unknown { .. })) => "unknown (budget exhausted)".into(),
        (None, None) => "passed".into(),
    }
}

/// The page for `result`, a check of exactly `ops`, with nothing else of its run.
pub fn render_html(ops: &[Operation], result: &CheckResult) -> String {
    render(&Picture {
        title: "history".into(),
        failure: None,
        ops,
        check: Some(result),
        timeline: &Timeline::default(),
        end: None,
    })
}

/// Writes the picture of `result` (a check of `history`'s current operations) to `path`.
pub fn write_html(history: &History, result: &CheckResult, path: &Path) -> io::Result<()> {
    std::fs::write(path, history.with_ops(|ops| render_html(ops, result)))
}

/// `<temp dir>/raft-lab-<label>.html`, with the label reduced to `[A-Za-z0-9_-]`.
pub fn html_path(label: &str) -> PathBuf {
    let safe: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    std::env::temp_dir().join(format!("raft-lab-{safe}.html"))
}

/// Writes the picture to [`html_path`]`(label)` and returns that path.
pub fn write_html_temp(
    history: &History,
    result: &CheckResult,
    label: &str,
) -> io::Result<PathBuf> {
    let path = html_path(label);
    write_html(history, result, &path)?;
    Ok(path)
}
