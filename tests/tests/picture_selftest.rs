//! Self-tests of the failure picture: a Raft cluster, a KV service and a versioned KV service
//! (the Lab 4 tester) under faults, which fail on purpose only when `RAFT_LAB_SELFTEST_FAIL=1` is
//! set and the seed is odd, and then print the path of their picture (`raft-lab: picture: ...`)
//! after the replay command. With `RAFT_LAB_PICTURE=always` a passing run prints one too. Not lab
//! tests (no part suffix).

use raft_lab_tests::picture::{self, scenarios};

#[test]
fn selftest_raft_picture() {
    raft_lab_tests::run(|| async { scenarios::raft(scenarios::fail_on_purpose()).await });
}

#[test]
fn selftest_kv_picture() {
    raft_lab_tests::run(|| async { scenarios::kv(scenarios::fail_on_purpose()).await });
}

#[test]
fn selftest_kv4_picture() {
    raft_lab_tests::run(|| async { scenarios::kv4(scenarios::fail_on_purpose()).await });
}

/// The Lab 4 tester's record (what its picture is drawn from): every op says which server
/// answered and in which term, and the server group's faults are bands, each one closed.
#[test]
fn kv4_record_says_how_ops_were_served_and_which_faults_were_injected() {
    let report = sim::runner::run_seed_with_end(2, picture::always, || scenarios::kv4(false));
    assert!(report.outcome.is_ok(), "the scenario passes with fail off");
    let record = report
        .artifacts
        .iter()
        .find(|a| a.what == "record")
        .map(|a| checker::Record::read_file(&a.path).expect("the record reads back"))
        .expect("a run with operations leaves its record");
    let ops = record.history.snapshot();
    assert!(ops.len() >= 6, "{ops:?}");
    for op in &ops {
        let meta = op.meta.as_deref().expect("every op says how it was served");
        assert!(
            meta.server
                .as_deref()
                .is_some_and(|s| s.starts_with("server-0-"))
        );
        assert!(meta.term.is_some_and(|t| t >= 1), "{meta:?}");
    }
    let notes = &record.timeline.annotations;
    let band = |name: &str, end: bool| {
        notes
            .iter()
            .any(|a| a.band.as_deref() == Some(name) && a.end == end)
    };
    assert!(band("network", false) && band("network", true), "{notes:?}");
    let crashed = notes
        .iter()
        .find(|a| a.down)
        .and_then(|a| a.peer.clone())
        .expect("a crash is annotated");
    assert!(band(&format!("{crashed} down"), true), "{notes:?}");
    assert!(band(&format!("{crashed} cut off"), false), "{notes:?}");
    assert!(band(&format!("{crashed} cut off"), true), "{notes:?}");
    let roles = &record.timeline.roles;
    assert!(
        roles.iter().any(|r| r.role.as_deref() == Some("leader")),
        "{roles:?}"
    );
}
