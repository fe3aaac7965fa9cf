//! The end hook sees the run's verdict and its timeline (annotations, role and term changes), on
//! the simulation's thread, and what it returns comes back in the report.

use sim::runner::{Artifact, RunEnd, run_seed_with_end};
use sim::timeline::MarkKind;
use std::cell::RefCell;
use std::path::PathBuf;
use std::time::Duration;

thread_local! {
    /// What the hook saw, as text: written on the simulation's thread, read back in the report.
    static SEEN: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Describes the run as one artifact whose "path" is the description.
fn describe(end: &RunEnd<'_>) -> Vec<Artifact> {
    let mut text = format!("seed {} failure {:?};", end.seed, end.failure);
    for mark in &end.timeline.marks {
        match &mark.kind {
            MarkKind::Annotation(fields) => {
                let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                text.push_str(&format!(
                    " {}@{}ms {};",
                    mark.node,
                    mark.t_ns / 1_000_000,
                    fields.join(",")
                ));
            }
            MarkKind::Role { role, term } => text.push_str(&format!(
                " {}@{}ms {:?} {:?};",
                mark.node,
                mark.t_ns / 1_000_000,
                role,
                term
            )),
        }
    }
    SEEN.with(|s| *s.borrow_mut() = text.clone());
    vec![Artifact {
        what: "description".into(),
        path: PathBuf::from(text),
    }]
}

async fn scenario(fail: bool) {
    tracing::info!(annotation = "partition", band = "network", "cut");
    let node = sim::node::create("raft-1");
    let _ = sim::node::run_on(&node, async {
        madsim::time::sleep(Duration::from_millis(5)).await;
        tracing::debug!(term = 1u64, "tick");
        tracing::debug!(term = 1u64, "tick again");
        tracing::debug!(term = 2u64, role = "candidate", "campaign");
        madsim::time::sleep(Duration::from_millis(5)).await;
        tracing::info!(term = 2u64, role = "leader", "won");
        // Annotations count at any level, even below what the trace keeps.
        tracing::trace!(annotation = "student note", key = "k", "mine");
    })
    .await;
    if fail {
        panic!("on purpose");
    }
}

#[test]
fn the_end_hook_sees_annotations_and_role_changes_and_its_artifacts_are_reported() {
    let report = run_seed_with_end(3, describe, || scenario(true));
    assert!(!report.passed());
    let [artifact] = report.artifacts.as_slice() else {
        panic!("one artifact: {:?}", report.artifacts);
    };
    assert_eq!(artifact.what, "description");
    let text = artifact.path.display().to_string();
    assert_eq!(
        text,
        "seed 3 failure Some(\"on purpose\"); main@0ms message=cut,annotation=partition,band=network; \
         raft-1@5ms None Some(1); raft-1@5ms Some(\"candidate\") Some(2); \
         raft-1@10ms Some(\"leader\") Some(2); \
         raft-1@10ms message=mine,annotation=student note,key=k;"
    );
    // The hook ran on the simulation's thread, not this one.
    assert_eq!(SEEN.with(|s| s.borrow().clone()), "");
}

#[test]
fn the_end_hook_runs_after_a_pass_too_and_runs_are_independent() {
    let report = run_seed_with_end(3, describe, || scenario(false));
    assert!(report.passed());
    let text = report.artifacts[0].path.display().to_string();
    assert!(text.starts_with("seed 3 failure None; main@0ms"), "{text}");
    assert_eq!(text.matches("partition").count(), 1, "{text}");
}

#[test]
fn a_panicking_hook_is_ignored_and_the_verdict_stands() {
    fn broken(_: &RunEnd<'_>) -> Vec<Artifact> {
        panic!("hook bug")
    }
    let report = run_seed_with_end(3, broken, || scenario(false));
    assert!(report.passed());
    assert!(report.artifacts.is_empty());
}
