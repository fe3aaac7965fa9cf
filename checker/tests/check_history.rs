//! The `check-history` command on hand-written files: exit 0 linearizable, 1 not (with an HTML
//! visualization), 2 bad input or budget exhausted, always with a one-line reason.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_check-history"))
        .args(args)
        .output()
        .expect("check-history runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs on a fixture expecting exit code 2 and a one-line reason containing `reason`.
fn rejects(name: &str, reason: &str) {
    let path = fixture(name);
    let out = run(&[path.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr}");
    assert!(stderr.contains(reason), "{name}: {stderr}");
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
}

#[test]
fn linearizable_history_exits_0() {
    let out = run(&[fixture("linearizable.json").to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert_eq!(stdout.lines().count(), 1);
    assert!(
        stdout.starts_with("linearizable: 7 operations on 2 keys"),
        "{stdout}"
    );
}

#[test]
fn stale_read_exits_1_with_a_visualization() {
    let html = std::env::temp_dir().join("raft-lab-check-history-test-stale.html");
    let _ = std::fs::remove_file(&html);
    let out = run(&[
        "--html",
        html.to_str().unwrap(),
        fixture("stale_read.json").to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("not linearizable: key \"stale-key\""),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("visualization: {}", html.display())));
    let page = std::fs::read_to_string(&html).expect("HTML written");
    assert!(page.contains("stale-key"));
    assert!(page.contains("NOT linearizable"));
    std::fs::remove_file(html).unwrap();
}

#[test]
fn default_visualization_goes_to_the_temp_dir() {
    let out = run(&[fixture("stale_read.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let path = stdout
        .lines()
        .find_map(|l| l.strip_prefix("visualization: "))
        .expect("path printed");
    let path = Path::new(path);
    assert_eq!(path.parent().unwrap(), std::env::temp_dir());
    assert!(std::fs::read_to_string(path).unwrap().contains("stale-key"));
}

#[test]
fn versioned_histories_are_checked_by_the_versioned_model() {
    let out = run(&[fixture("versioned_linearizable.json").to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.starts_with("linearizable: 4 operations on 2 keys"),
        "{stdout}"
    );
    let html = std::env::temp_dir().join("raft-lab-check-history-test-versioned.html");
    let out = run(&[
        "--html",
        html.to_str().unwrap(),
        fixture("versioned_stale_read.json").to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("not linearizable: key \"k\""), "{stdout}");
    let page = std::fs::read_to_string(&html).expect("HTML written");
    // Labels travel in the page's JSON, where the script draws them from.
    assert!(page.contains("get('k') -\\u003e ('a', 1, OK)"), "{page}");
    assert!(page.contains("\"versioned\":true"));
    std::fs::remove_file(html).unwrap();
}

#[test]
fn help_documents_the_versioned_fields() {
    let help = text(&run(&["--help"]).stdout);
    for field in ["\"version\"", "\"err\"", "ErrMaybe", "ErrNoKey", "(value,"] {
        assert!(help.contains(field), "{field} missing from --help:\n{help}");
    }
}

#[test]
fn bad_input_exits_2_with_a_reason() {
    rejects("malformed.json", "not a JSON array");
    rejects("not_an_array.json", "not a JSON array");
    rejects("missing_field.json", "operation 1: missing field `output`");
    rejects(
        "return_before_call.json",
        "operation 0: return (10) is before call (100)",
    );
    rejects("unknown_op.json", "unknown op \"cas\"");
    rejects("no-such-file.json", "cannot read");
    rejects(
        "mixed_models.json",
        "operation 1: lacks \"version\" and \"err\"",
    );
}

#[test]
fn exhausted_budget_exits_2() {
    let path = fixture("hopeless.json");
    let out = run(&["--budget", "100", path.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
    assert!(
        stderr.contains("budget ran out on key \"k\" after 100 steps"),
        "{stderr}"
    );
    // The default budget decides the same file.
    let out = run(&[path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        &[][..],
        &["--budget"][..],
        &["--budget", "lots", "x.json"][..],
        &["--what", "x.json"][..],
        &["a.json", "b.json"][..],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("Usage: check-history"));
}
