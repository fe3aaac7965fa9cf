//! The lines a lab test process prints that the benchmark reads:
//! - the runner's verdict: `raft-lab: <test> seed <S> ok in <V>s virtual, trace digest <D>` (stdout),
//!   or `raft-lab: <test> FAILED with seed <S> at <V>s virtual, trace digest <D>: <why>` (stderr);
//! - the tester's summary: `  ... Passed --  <secs>  <peers>  <rpcs>  <bytes>  <cmds>` (Raft) or
//!   `  ... Passed --  <secs>  <peers>  <rpcs>  <ops>` (KV, which does not count bytes); the current
//!   edition's testers label them: `  ... Passed --  time <secs>s #peers <n> #RPCs <n> #Ops <n>`.
//!
//! libtest may print `test <name> ... ` in front of a line, so markers are searched, not anchored.

/// The runner's verdict on one (test, seed).
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub test: String,
    pub seed: u64,
    pub ok: bool,
    pub virtual_s: f64,
    pub digest: String,
    /// The panic message of a failed run.
    pub message: Option<String>,
}

/// The tester's counters for one `begin() .. end()` section.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Passed {
    pub secs: f64,
    pub peers: u64,
    pub rpcs: u64,
    pub bytes: Option<u64>,
    /// Commands agreed (Raft) or client operations (KV).
    pub ops: u64,
}

/// Parses a runner verdict line, if this is one.
pub fn verdict(line: &str) -> Option<Verdict> {
    let rest = &line[line.find("raft-lab: ")? + "raft-lab: ".len()..];
    let (test, rest) = rest.split_once(' ')?;
    if let Some(rest) = rest.strip_prefix("seed ") {
        // `<S> ok in <V>s virtual, trace digest <D>`
        let mut w = rest.split_whitespace();
        let seed = w.next()?.parse().ok()?;
        if (w.next()?, w.next()?) != ("ok", "in") {
            return None;
        }
        let virtual_s = w.next()?.strip_suffix('s')?.parse().ok()?;
        if (w.next()?, w.next()?, w.next()?) != ("virtual,", "trace", "digest") {
            return None;
        }
        let digest = w.next()?.to_string();
        return Some(Verdict {
            test: test.to_string(),
            seed,
            ok: true,
            virtual_s,
            digest,
            message: None,
        });
    }
    // `FAILED with seed <S> at <V>s virtual, trace digest <D>: <why>`
    let rest = rest.strip_prefix("FAILED with seed ")?;
    let (seed, rest) = rest.split_once(" at ")?;
    let (virtual_s, rest) = rest.split_once("s virtual, trace digest ")?;
    let (digest, message) = rest.split_once(": ").unwrap_or((rest, ""));
    Some(Verdict {
        test: test.to_string(),
        seed: seed.trim().parse().ok()?,
        ok: false,
        virtual_s: virtual_s.trim().parse().ok()?,
        digest: digest.trim().to_string(),
        message: Some(message.to_string()),
    })
}

/// Parses a tester `Passed` line, if this is one.
pub fn passed(line: &str) -> Option<Passed> {
    let rest = &line[line.find("... Passed --")? + "... Passed --".len()..];
    // The current edition labels its fields (`time 1.2s #peers 3 #RPCs 40 #Ops 10`).
    let fields: Vec<&str> = rest
        .split_whitespace()
        .filter(|f| *f != "time" && !f.starts_with('#'))
        .collect();
    let secs = fields.first()?.trim_end_matches('s').parse().ok()?;
    let ints: Vec<u64> = fields[1..]
        .iter()
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    match ints[..] {
        [peers, rpcs, bytes, ops] => Some(Passed {
            secs,
            peers,
            rpcs,
            bytes: Some(bytes),
            ops,
        }),
        [peers, rpcs, ops] => Some(Passed {
            secs,
            peers,
            rpcs,
            bytes: None,
            ops,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_verdicts_parse_even_after_libtest_text() {
        let v = verdict(
            "test x ... raft-lab: backup_2b seed 7 ok in 16.923s virtual, trace digest 9cc5da34a0166677",
        )
        .unwrap();
        assert_eq!(v.test, "backup_2b");
        assert_eq!(v.seed, 7);
        assert!(v.ok);
        assert_eq!(v.virtual_s, 16.923);
        assert_eq!(v.digest, "9cc5da34a0166677");
    }

    #[test]
    fn failed_verdicts_keep_the_message() {
        let v = verdict(
            "raft-lab: re_election_2a FAILED with seed 1 at 0.500s virtual, trace digest de31: expected one leader: got none",
        )
        .unwrap();
        assert!(!v.ok);
        assert_eq!(v.virtual_s, 0.5);
        assert_eq!(v.digest, "de31");
        assert_eq!(v.message.as_deref(), Some("expected one leader: got none"));
    }

    #[test]
    fn other_runner_lines_are_not_verdicts() {
        assert_eq!(
            verdict("raft-lab: replay: MADSIM_TEST_SEED=1 cargo test --test raft_2a x -- --exact"),
            None
        );
        assert_eq!(verdict("raft-lab: x seed 3 deterministic"), None);
        assert_eq!(verdict("ok"), None);
    }

    #[test]
    fn raft_and_kv_passed_lines() {
        let raft = passed("  ... Passed --  16.1  5 12842 51407893 3154").unwrap();
        assert_eq!(
            raft,
            Passed {
                secs: 16.1,
                peers: 5,
                rpcs: 12842,
                bytes: Some(51407893),
                ops: 3154
            }
        );
        let kv = passed("  ... Passed --  15.3  5  4210  812").unwrap();
        assert_eq!(kv.bytes, None);
        assert_eq!((kv.rpcs, kv.ops), (4210, 812));
        let labelled =
            passed("  ... Passed --  time  2.5s #peers 3 #RPCs   117 #Ops   40").unwrap();
        assert_eq!(
            labelled,
            Passed {
                secs: 2.5,
                peers: 3,
                rpcs: 117,
                bytes: None,
                ops: 40
            }
        );
        assert_eq!(passed("  ... Passed --  garbage"), None);
        assert_eq!(passed("Test (2A): initial election ..."), None);
    }
}
