//! view-trace on a small hand-written trace.

mod common;

use common::{root, run};
use std::path::PathBuf;
use std::process::Command;

const VIEW: &str = env!("CARGO_BIN_EXE_view-trace");

const TRACE: &str = r#"{"run":"made_up_2a","seed":5}
{"t_ns":0,"node":"main","level":"DEBUG","target":"raft_lab_tests","msg":"start","topic":"test"}
{"t_ns":150000000,"node":"raft-1","level":"DEBUG","target":"raft::election","msg":"election timeout","topic":"timer","term":1}
{"t_ns":150000000,"node":"raft-1","level":"DEBUG","target":"raft::election","msg":"asks for votes","topic":"vote","term":2,"peer":0}
this line is not json
{"t_ns":151000000,"node":"raft-0","level":"DEBUG","target":"raft::election","msg":"grants vote","topic":"vote","term":2,"peer":1}
{"t_ns":152000000,"node":"raft-10","level":"DEBUG","target":"raft::log","msg":"appends","topic":"append","term":2}
{"t_ns":160000000,"node":"raft-2","level":"DEBUG","target":"raft::log","msg":"no topic here"}
{"node":"raft-2","msg":"no time"}
{"t_ns":2500000000,"node":"raft-1","level":"DEBUG","target":"raft::apply","msg":"applies","topic":"apply","term":2,"index":1}
"#;

fn trace_file(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn view(args: &[&str]) -> (Option<i32>, String, String) {
    let file = trace_file("view_trace_sample.jsonl", TRACE);
    run(Command::new(VIEW)
        .arg(&file)
        .args(["--width", "200"])
        .args(args))
}

/// The character offset at which `name` heads its column.
fn column_of(header: &str, name: &str) -> usize {
    let at = header
        .find(&format!("| {name} "))
        .or_else(|| {
            header
                .find(&format!("| {name}"))
                .filter(|i| header[*i..].trim_end().len() == name.len() + 2)
        })
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    header[..at].chars().count() + 2
}

/// The offset at which `text` starts on the line that holds it.
fn offset_of(out: &str, text: &str) -> usize {
    let line = out
        .lines()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("no {text:?} in\n{out}"));
    line[..line.find(text).unwrap()].chars().count()
}

#[test]
fn every_node_gets_a_column_and_every_event_its_time_and_term() {
    let (code, out, err) = view(&[]);
    assert_eq!(code, Some(0), "{err}");
    let header = out.lines().next().unwrap();
    // The tester first, then the peers by name with numbers in numeric order.
    let order: Vec<usize> = ["main", "raft-0", "raft-1", "raft-2", "raft-10"]
        .iter()
        .map(|n| column_of(header, n))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{header}");
    assert!(out.contains("== run made_up_2a seed 5 =="), "{out}");
    assert_eq!(
        offset_of(&out, "T2 VOTE asks for votes peer=0"),
        order[2],
        "{out}"
    );
    assert_eq!(
        offset_of(&out, "T2 VOTE grants vote peer=1"),
        order[1],
        "{out}"
    );
    assert_eq!(offset_of(&out, "TEST start"), order[0], "{out}");
    assert_eq!(offset_of(&out, "no topic here"), order[3], "{out}");
    assert_eq!(offset_of(&out, "T2 APPEND appends"), order[4], "{out}");
    assert!(out.lines().any(|l| l.starts_with("   0.151000 |")), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("   2.500000 |") && l.contains("T2 APPLY applies index=1")),
        "{out}"
    );
    assert!(err.contains("skipped 2 malformed line(s)"), "{err}");
    assert!(!out.contains('\x1b'), "no colors off a terminal");
}

#[test]
fn peers_topics_and_time_window_filter() {
    let (code, out, _) = view(&["--peers", "raft-0,raft-1", "--topics", "vote"]);
    assert_eq!(code, Some(0));
    let header = out.lines().next().unwrap();
    assert!(
        header.contains("raft-0") && header.contains("raft-1"),
        "{header}"
    );
    assert!(
        !header.contains("main") && !header.contains("raft-2"),
        "{header}"
    );
    assert!(
        out.contains("asks for votes") && out.contains("grants vote"),
        "{out}"
    );
    assert!(
        !out.contains("election timeout") && !out.contains("applies"),
        "{out}"
    );

    let (_, out, _) = view(&["--from", "0.151", "--to", "0.2"]);
    assert!(
        out.contains("grants vote") && out.contains("appends") && out.contains("no topic here"),
        "{out}"
    );
    assert!(
        !out.contains("asks for votes") && !out.contains("applies"),
        "{out}"
    );

    let (code, out, err) = view(&["--peers", "raft-9"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("(no events match)"), "{out}");
    assert!(
        err.contains(
            "no events from raft-9 (nodes in this trace: main, raft-0, raft-1, raft-10, raft-2)"
        ),
        "{err}"
    );
}

#[test]
fn colors_by_topic_only_when_asked_off_a_terminal() {
    let (_, out, _) = view(&["--color", "always"]);
    let vote = out.lines().find(|l| l.contains("asks for votes")).unwrap();
    let append = out.lines().find(|l| l.contains("appends")).unwrap();
    assert!(vote.contains("\x1b[35m"), "vote is magenta: {vote:?}");
    assert!(append.contains("\x1b[36m"), "append is cyan: {append:?}");
    let (_, out, _) = view(&["--color", "never"]);
    assert!(!out.contains('\x1b'));
}

#[test]
fn garbage_and_empty_files_are_errors_not_empty_views() {
    let mut junk = b"\x00\x01 not a trace\n{\"t_ns\": -1, \"node\": 3}\n[]\n".to_vec();
    junk.extend_from_slice(&[0xff, 0xfe, b'\n']);
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("view_trace_junk.jsonl");
    std::fs::write(&path, junk).unwrap();
    let (code, out, err) = run(Command::new(VIEW).arg(&path));
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("is not a raft-lab trace: none of its 4 line(s) is a run header or an event"),
        "{err}"
    );
    assert!(out.is_empty(), "{out}");

    let empty = trace_file("view_trace_empty.jsonl", "");
    let (code, out, err) = run(Command::new(VIEW).arg(&empty));
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("is empty: no trace to show"), "{err}");

    // A run that traced nothing is still a trace: its header, and no events.
    let quiet = trace_file(
        "view_trace_quiet.jsonl",
        "{\"run\":\"quiet_2a\",\"seed\":1}\n",
    );
    let (code, out, err) = run(Command::new(VIEW).arg(&quiet));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("== run quiet_2a seed 1 ==") && out.contains("(no events match)"));
}

#[test]
fn topics_must_exist_and_absent_ones_are_named() {
    let (code, out, err) = view(&["--topics", "votes,append"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("--topics: no topic named votes; the topics are timer, vote, append,"),
        "{err}"
    );
    assert!(out.is_empty(), "nothing drawn: {out}");

    let (code, out, err) = view(&["--topics", "snapshot"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("(no events match)"), "{out}");
    assert!(
        err.contains(
            "no events with topic snapshot (topics in this trace: append, apply, test, timer, vote)"
        ),
        "{err}"
    );
}

#[test]
fn the_wrapper_takes_a_relative_file_from_the_users_directory() {
    // The wrapper runs the viewer from the workspace root; the user is somewhere else.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("view_trace_user_dir");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mine.jsonl"), TRACE).unwrap();
    let (code, out, err) = run(Command::new(root().join("scripts/view-trace"))
        .args(["mine.jsonl", "--width", "120"])
        .current_dir(&dir)
        .env_remove("RAFT_LAB_ROOT")
        .env_remove("RAFT_LAB_CWD"));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("== run made_up_2a seed 5 =="), "{out}");
}

#[test]
fn bad_arguments_exit_non_zero_with_a_message() {
    let sample = trace_file("view_trace_args.jsonl", TRACE);
    let sample = sample.to_str().unwrap();
    for args in [
        &[][..],
        &["/no/such/trace.jsonl"],
        &[sample, "--from", "2", "--to", "1"],
        &[sample, "--from", "-3"],
        &[sample, "--width", "5"],
        &[sample, "--color", "sometimes"],
    ] {
        let (code, out, err) = run(Command::new(VIEW).args(args));
        assert_eq!(code, Some(2), "{args:?}: {out}{err}");
        assert!(!err.trim().is_empty(), "{args:?} says why");
    }
    let (_, _, err) = run(Command::new(VIEW).arg("/no/such/trace.jsonl"));
    assert!(err.contains("cannot open /no/such/trace.jsonl"), "{err}");
}
