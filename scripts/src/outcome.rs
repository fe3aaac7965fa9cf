//! Reading what one test process said about its run: the `raft-lab:` line `sim::run` prints on
//! success or failure (seed, virtual time, trace digest), or else the panic libtest reported.

/// What `sim::run` reported for one seed.
#[derive(Clone, Debug, PartialEq)]
pub struct Reported {
    pub test: String,
    pub seed: u64,
    pub passed: bool,
    pub virtual_secs: f64,
    pub digest: String,
    /// The failure message of a failed run.
    pub message: Option<String>,
}

/// Parses one output line of `sim::run`:
/// `raft-lab: <name> seed <S> ok in <V>s virtual, trace digest <D>` or
/// `raft-lab: <name> FAILED with seed <S> at <V>s virtual, trace digest <D>: <message>`.
pub fn parse_line(line: &str) -> Option<Reported> {
    let rest = line.trim_end().strip_prefix("raft-lab: ")?;
    if let Some((test, tail)) = rest.split_once(" FAILED with seed ") {
        let (seed, tail) = tail.split_once(" at ")?;
        let (secs, tail) = tail.split_once("s virtual, trace digest ")?;
        let (digest, message) = tail.split_once(": ").unwrap_or((tail, ""));
        return Some(Reported {
            test: test.to_string(),
            seed: seed.parse().ok()?,
            passed: false,
            virtual_secs: secs.parse().ok()?,
            digest: digest.to_string(),
            message: Some(message.to_string()),
        });
    }
    let (test, tail) = rest.split_once(" seed ")?;
    let (seed, tail) = tail.split_once(" ok in ")?;
    let (secs, digest) = tail.split_once("s virtual, trace digest ")?;
    Some(Reported {
        test: test.to_string(),
        seed: seed.parse().ok()?,
        passed: true,
        virtual_secs: secs.parse().ok()?,
        digest: digest.trim().to_string(),
        message: None,
    })
}

/// The last run report in a process's output (a test runs `sim::run` once per seed).
pub fn find_report(output: &str) -> Option<Reported> {
    output.lines().rev().find_map(parse_line)
}

/// The path of the last picture a process's output names (`raft-lab: picture: <path>`, printed
/// after the replay command of a failure; see `tests/src/picture`).
pub fn find_picture(output: &str) -> Option<String> {
    output
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("raft-lab: picture: "))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
}

/// The message of the first panic libtest reported (for failures `sim::run` did not describe).
pub fn panic_message(output: &str) -> Option<String> {
    let mut lines = output.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("thread '") && line.contains("' panicked at ") {
            return lines.next().map(|m| m.trim().to_string());
        }
    }
    None
}

/// True when libtest ran no test at all (the name matched nothing): not a pass.
pub fn ran_nothing(output: &str) -> bool {
    output.lines().any(|l| l.trim() == "running 0 tests")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picture_line_after_a_failure_names_its_path() {
        let output = "raft-lab: t FAILED with seed 3 at 1.0s virtual, trace digest 00: boom\n\
                      raft-lab: replay: MADSIM_TEST_SEED=3 cargo test --test x t -- --exact\n\
                      raft-lab: picture: /tmp/t-seed3.html\n\
                      raft-lab: record: /tmp/t-seed3.record.json\n";
        assert_eq!(find_picture(output).as_deref(), Some("/tmp/t-seed3.html"));
        assert_eq!(find_picture("raft-lab: t seed 2 ok in 1.0s virtual"), None);
    }

    #[test]
    fn success_lines_parse() {
        let r = parse_line(
            "raft-lab: initial_election_2a seed 17 ok in 3.250s virtual, trace digest 00ff12ab34cd56ef",
        )
        .unwrap();
        assert_eq!(r.test, "initial_election_2a");
        assert_eq!(r.seed, 17);
        assert!(r.passed);
        assert_eq!(r.virtual_secs, 3.25);
        assert_eq!(r.digest, "00ff12ab34cd56ef");
    }

    #[test]
    fn failure_lines_parse_with_their_message() {
        let r = parse_line(
            "raft-lab: basic_3a FAILED with seed 5 at 12.000s virtual, trace digest 0123456789abcdef: expected 3: got 4",
        )
        .unwrap();
        assert!(!r.passed);
        assert_eq!(r.seed, 5);
        assert_eq!(r.virtual_secs, 12.0);
        assert_eq!(r.digest, "0123456789abcdef");
        assert_eq!(r.message.as_deref(), Some("expected 3: got 4"));
    }

    #[test]
    fn other_lines_do_not_parse() {
        assert_eq!(
            parse_line(
                "raft-lab: replay: MADSIM_TEST_SEED=5 cargo test --test kv_3a basic_3a -- --exact"
            ),
            None
        );
        assert_eq!(parse_line("test basic_3a ... ok"), None);
        assert_eq!(
            parse_line("raft-lab: x seed notanumber ok in 1s virtual, trace digest 0"),
            None
        );
    }

    #[test]
    fn panics_and_empty_runs_are_recognised() {
        let out = "running 1 test\nthread 'x' panicked at tests/a.rs:3:5:\nboom\nnote: ...\n";
        assert_eq!(panic_message(out).as_deref(), Some("boom"));
        assert!(ran_nothing(
            "\nrunning 0 tests\n\ntest result: ok. 0 passed"
        ));
        assert!(!ran_nothing(out));
    }
}
