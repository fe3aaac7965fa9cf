//! replay reruns one (test, seed) with a trace file and reproduces the original run exactly.

mod common;

use common::{SELFTEST, failed_digest, root, run, tool};

const REPEAT: &str = env!("CARGO_BIN_EXE_repeat-test");
const REPLAY: &str = env!("CARGO_BIN_EXE_replay");

#[test]
fn replay_reproduces_a_failing_run_with_the_same_digest_and_writes_its_trace() {
    let seed = 7u64; // odd: fails with the switch on
    let (code, out, _) =
        run(tool(REPEAT, true).args(["-n", "1", "--seed", "7", "harness_selftest"]));
    assert_eq!(code, Some(1), "{out}");
    let log = root().join(format!("target/repeat-test/{SELFTEST}/{seed}.log"));
    let original = failed_digest(&std::fs::read_to_string(log).unwrap(), seed).unwrap();

    let (code, out, err) = run(tool(REPLAY, true).args([SELFTEST, "7", "--no-view"]));
    assert_eq!(code, Some(1), "a failing replay exits 1\n{out}\n{err}");
    assert_eq!(
        failed_digest(&out, seed).as_deref(),
        Some(original.as_str()),
        "{out}"
    );
    let trace_rel = format!("target/replay/{SELFTEST}-{seed}.jsonl");
    assert!(
        out.contains(&format!("replay: trace  {trace_rel}")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "replay: output target/replay/{SELFTEST}-{seed}.log"
        )),
        "{out}"
    );

    // The rerun drew its picture beside its trace.
    let picture = format!("target/replay/{SELFTEST}-seed{seed}.html");
    assert!(out.contains(&format!("replay: picture {picture}")), "{out}");
    assert!(root().join(&picture).exists(), "{out}");

    let trace = std::fs::read_to_string(root().join(&trace_rel)).expect("the trace file exists");
    let mut lines = trace.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["seed"], seed);
    assert_eq!(header["run"], SELFTEST);
    let events: Vec<serde_json::Value> = lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(
        events
            .iter()
            .any(|e| e["topic"] == "timer" && e["term"] == 3),
        "{trace}"
    );
    assert!(
        events
            .iter()
            .all(|e| e["t_ns"].is_u64() && e["node"].is_string())
    );
}

#[test]
fn replay_shows_the_trace_through_the_viewer() {
    let (code, out, err) = run(tool(REPLAY, false).args([
        SELFTEST, "4", "--topics", "timer", "--color", "never", "--width", "100",
    ]));
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(
        out.contains(&format!("replay: {SELFTEST} seed 4 ok in ")),
        "{out}"
    );
    assert!(
        out.contains(&format!("== run {SELFTEST} seed 4 ==")),
        "{out}"
    );
    assert!(out.contains("T3 TIMER tick"), "{out}");
    assert!(
        !out.contains("VOTE") && !out.contains("selftest done"),
        "topics filtered: {out}"
    );
    assert!(!out.contains('\x1b'), "no colors when asked for none");
}

#[test]
fn replay_rejects_bad_arguments() {
    for args in [
        &[SELFTEST, "seven"][..],
        &[SELFTEST],
        &[SELFTEST, "1", "--from", "2", "--to", "1"],
        &[SELFTEST, "1", "--timeout=1e30"],
    ] {
        let (code, out, err) = run(tool(REPLAY, false).args(args));
        assert_eq!(code, Some(2), "{args:?}: {out}{err}");
        assert!(!err.trim().is_empty(), "{args:?} says why");
    }
}
