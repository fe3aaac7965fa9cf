//! repeat-test over the purpose-made self-test target (tests/tests/harness_selftest.rs).
//! Each test uses its own seeds: runs save their logs by (test, seed), and these tests run at once.

mod common;

use common::{SELFTEST, failed_digest, root, run, tool};

const REPEAT: &str = env!("CARGO_BIN_EXE_repeat-test");

#[test]
fn a_clean_sweep_prints_the_table_and_the_closing_line() {
    let (code, out, err) =
        run(tool(REPEAT, false).args(["-n", "4", "-j", "2", "--seed", "10", "harness_selftest"]));
    assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("test "), "{out}");
    assert!(
        lines[0].contains("runs") && lines[0].contains("wall s (mean ± sd)"),
        "{out}"
    );
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(row[0], SELFTEST, "{out}");
    assert_eq!(&row[1..3], ["4", "0"], "runs and failures: {out}");
    assert!(!out.contains("Failures:"), "{out}");
    assert_eq!(lines.last(), Some(&"4 passed, 0 failed"), "{out}");
    // Not on a terminal here: plain progress lines instead of a bar.
    assert!(
        err.contains("repeat-test: 4/4 runs done (4 passed, 0 failed)"),
        "{err}"
    );
}

#[test]
fn failing_seeds_come_with_a_saved_log_and_a_replay_command_that_reproduces_them() {
    // Seeds 1..=4 with the failure switch on: 1 and 3 (odd) fail, 2 and 4 pass.
    let (code, out, err) =
        run(tool(REPEAT, true).args(["-n", "4", "--seed", "1", "harness_selftest"]));
    assert_eq!(code, Some(1), "stdout:\n{out}\nstderr:\n{err}");
    assert_eq!(out.lines().last(), Some("2 passed, 2 failed"), "{out}");
    let row: Vec<&str> = out.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(&row[..3], [SELFTEST, "4", "2"], "{out}");
    assert!(err.contains(&format!("FAILED {SELFTEST} seed 3")), "{err}");

    for seed in [1u64, 3] {
        assert!(
            out.contains(&format!(
                "  {SELFTEST} seed {seed}: selftest failing on purpose with odd seed {seed}"
            )),
            "{out}"
        );
        let log = format!("target/repeat-test/{SELFTEST}/{seed}.log");
        assert!(out.contains(&format!("    log:    {log}\n")), "{out}");
        let saved =
            std::fs::read_to_string(root().join(&log)).expect("the failing run's log is saved");
        let digest = failed_digest(&saved, seed).expect("the log holds the failure line");
        let replay = format!(
            "MADSIM_TEST_SEED={seed} cargo test --test harness_selftest {SELFTEST} -- --exact"
        );
        assert!(out.contains(&format!("    replay: {replay}\n")), "{out}");
        // The picture the failing run drew is named beside its replay command.
        let picture = raft_lab_scripts::outcome::find_picture(&saved)
            .expect("the failing run's log names its picture");
        assert!(std::path::Path::new(&picture).exists(), "{picture}");
        let named = format!("{SELFTEST}-seed{seed}.html");
        assert!(picture.ends_with(&named), "{picture}");
        assert!(
            out.lines()
                .any(|l| l.starts_with("    picture: ") && l.ends_with(&named)),
            "{out}"
        );

        // The printed command, run as a user would, fails the same way with the same trace digest.
        let (code, rout, rerr) = run(tool("sh", true).args(["-c", &replay]));
        assert_ne!(code, Some(0), "the replay fails again");
        assert_eq!(
            failed_digest(&format!("{rout}{rerr}"), seed).as_deref(),
            Some(digest.as_str()),
            "replay output:\n{rout}\n{rerr}"
        );
    }
    for seed in [2, 4] {
        assert!(!out.contains(&format!("{SELFTEST} seed {seed}:")), "{out}");
    }
}

#[test]
fn shards_split_the_pairs_between_them() {
    let mut total = 0;
    for shard in ["1/3", "2/3", "3/3"] {
        let (code, out, err) = run(tool(REPEAT, false).args([
            "-n",
            "5",
            "--seed",
            "20",
            "--shard",
            shard,
            "harness_selftest",
        ]));
        assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
        let last = out.lines().last().unwrap_or_default();
        let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
        assert_eq!(last, format!("{passed} passed, 0 failed"));
        total += passed;
    }
    assert_eq!(total, 5, "every seed ran in exactly one shard");
}

#[test]
fn a_run_past_its_timeout_is_killed_and_counted_as_failed() {
    // A limit no process can meet: every run is killed and reported as timed out.
    let (code, out, _) = run(tool(REPEAT, false).args([
        "-n",
        "1",
        "--seed",
        "30",
        "--timeout",
        "0.000001",
        "harness_selftest",
    ]));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("timed out after"), "{out}");
    assert_eq!(out.lines().last(), Some("0 passed, 1 failed"), "{out}");
}

#[test]
fn bad_arguments_exit_non_zero_with_a_message() {
    for args in [
        &["-n", "0", "harness_selftest"][..],
        &["--shard", "3/2", "harness_selftest"],
        &["--shard", "x", "harness_selftest"],
        &["--timeout", "-1", "harness_selftest"],
        &["--timeout=1e30", "harness_selftest"],
        &["--timeout", "nan", "harness_selftest"],
        &["--jobs", "0"],
        &["--no-such-flag"],
    ] {
        let (code, out, err) = run(tool(REPEAT, false).args(args));
        assert_eq!(code, Some(2), "{args:?}: {out}{err}");
        assert!(!err.trim().is_empty(), "{args:?} says why");
        assert!(!out.contains("passed,"), "{args:?} ran nothing");
    }
}

#[test]
fn an_unknown_selector_lists_what_exists() {
    let (code, out, err) = run(tool(REPEAT, false).args(["-n", "1", "no_such_test_anywhere"]));
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("unknown test selector `no_such_test_anywhere`"),
        "{err}"
    );
    assert!(err.contains("harness_selftest (1)"), "{err}");
    assert!(
        err.contains(&format!("{SELFTEST} (harness_selftest)")),
        "{err}"
    );
}

#[test]
fn a_report_holds_the_results_and_sweep_summary_merges_the_shards() {
    const SUMMARY: &str = env!("CARGO_BIN_EXE_sweep-summary");
    let base = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("repeat_test_report");
    let _ = std::fs::remove_dir_all(&base);
    // Seeds 41 to 43, one per shard: 41 fails (odd), 42 passes, and shard 3 never reports.
    for shard in ["1/3", "2/3"] {
        let dir = base.join(shard.replace('/', "-of-"));
        let (code, out, err) = run(tool(REPEAT, true)
            .args(["-n", "3", "--seed", "41", "--shard", shard, "--report"])
            .arg(&dir)
            .arg("harness_selftest"));
        assert_eq!(code, Some(if shard == "1/3" { 1 } else { 0 }), "{out}{err}");
        assert!(dir.join("report.json").is_file(), "{err}");
    }
    let failed = base.join("1-of-3");
    assert_eq!(
        std::fs::read_to_string(failed.join("failures.tsv")).unwrap(),
        format!(
            "{SELFTEST}\t41\tMADSIM_TEST_SEED=41 cargo test --test harness_selftest {SELFTEST} -- --exact\n"
        )
    );
    let log = std::fs::read_to_string(failed.join(format!("logs/{SELFTEST}/41.log"))).unwrap();
    assert!(failed_digest(&log, 41).is_some(), "{log}");

    let (code, md, err) = run(std::process::Command::new(SUMMARY)
        .args(["--shards", "3"])
        .arg(base.join("1-of-3"))
        .arg(base.join("2-of-3/report.json")));
    assert_eq!(code, Some(1), "a failure and a missing shard: {md}{err}");
    assert!(md.contains(&format!("| {SELFTEST} | 2 | 1 |")), "{md}");
    assert!(
        md.contains(&format!(
            "| {SELFTEST} | 41 | selftest failing on purpose with odd seed 41 |"
        )),
        "{md}"
    );
    assert!(md.contains("No report from shard(s) 3/3"), "{md}");
    assert!(md.trim_end().ends_with("1 passed, 1 failed"), "{md}");
}
