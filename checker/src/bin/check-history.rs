//! `check-history [--budget N] [--html PATH] FILE`: checks a recorded KV history for
//! linearizability (docs/lab-tests-2023.md §5).
//!
//! FILE is a JSON array of `{"client", "call", "return", "op", "key", "value", "output"}` objects
//! (times in ns; op is "get", "put" or "append"), checked by the 2023 KV model. A history of the
//! current course's versioned KV adds `"version"` and `"err"` to every operation and is checked by
//! the versioned model (see the `--help` text). FILE may also be an object holding the operations
//! with the run's annotations and role changes, which the picture shows. Exit status:
//! - 0: linearizable (a one-line summary on stdout);
//! - 1: not linearizable (the reason, and the path of an HTML visualization);
//! - 2: bad usage or input, or the search budget ran out (a one-line reason on stderr).

use checker::{Budget, CheckResult, Picture, Record, check, html_path};
use clap::Parser;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Checks a recorded KV history for linearizability: exit 0 linearizable, 1 not (an HTML picture
/// is written), 2 bad input or arguments, or the search budget ran out.
#[derive(Parser, Debug)]
#[command(name = "check-history", after_long_help = FORMAT)]
struct Args {
    /// A JSON array of operations (see below; --help shows the format).
    file: PathBuf,
    /// Search steps allowed in all before the answer is "unknown" (exit 2).
    #[arg(long, default_value_t = Budget::DEFAULT.max_steps)]
    budget: u64,
    /// Where to write the HTML visualization of a history that is not linearizable (default: a
    /// file in the temporary directory).
    #[arg(long)]
    html: Option<PathBuf>,
}

/// The file format, shown by `--help`.
const FORMAT: &str = "\
FILE is a JSON array of operations, times in nanoseconds on one clock:
  {\"client\": u64, \"call\": u64, \"return\": u64, \"op\": \"get\"|\"put\"|\"append\",
   \"key\": str, \"value\": str, \"output\": str}
\"value\" is empty for a get, \"output\" (what a get read) empty for a put or append. Such a
history is checked by the 2023 KV model: a get reads the last put plus later appends.

A versioned history (the current course's KV) adds two fields to every operation:
  \"version\": u64   a put: the version it was conditional on; a get: the version it returned
  \"err\": str       \"OK\", \"ErrNoKey\", \"ErrVersion\", \"ErrMaybe\", \"ErrWrongLeader\",
                   \"ErrWrongGroup\"
and has gets and puts only. It is checked by the versioned model: per key the state is (value,
version) from (\"\", 0); a get must read the state's value; put(x, v) at version v must answer OK
or ErrMaybe and makes the state (x, v+1), at another version must answer ErrVersion or ErrMaybe
and changes nothing. So an ErrMaybe put may or may not have taken effect, and a put answering
ErrNoKey is never legal. A history mixing both kinds of operation is rejected (exit 2).

Any operation may add what the tester saw of how it was served, shown in the picture:
  \"meta\": {\"server\": str, \"term\": u64, \"retries\": u64}   (each optional)

FILE may also be an object holding the operations with the rest of the run, for the picture:
  {\"operations\": [...],
   \"annotations\": [{\"time\": ns, \"text\": str, \"node\": str, \"band\": str, \"end\": bool,
                     \"peer\": str, \"down\": bool, \"details\": {str: str}}, ...],
   \"roles\": [{\"time\": ns, \"peer\": str, \"role\": \"leader\"|\"candidate\"|\"follower\",
               \"term\": u64}, ...]}
Only \"operations\" is required, and in an annotation only \"time\" and \"text\" (\"node\"
defaults to \"main\", the tester). A \"band\" names a state of the run (a partition, a crashed
peer) drawn from this annotation to the next of the same band, or to one with \"end\": true;
\"peer\" puts it on that peer's lane, and \"down\" says the peer was down meanwhile. A role
change gives a peer's role and term from its time on (a new term without a role: follower).";

/// Prints a line, ignoring a closed stdout rather than panicking.
fn say(line: &str) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn fail(reason: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "check-history: {reason}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    // clap prints usage errors and exits with status 2, or prints --help and exits with 0.
    let args = Args::parse();
    let budget = Budget {
        max_steps: args.budget,
    };
    let record = match Record::read_file(&args.file) {
        Ok(r) => r,
        // The error names the file when it could not be read, and the operation when it is bad.
        Err(e) if e.index.is_none() && e.message.starts_with("cannot read") => {
            return fail(&e.to_string());
        }
        Err(e) => return fail(&format!("{}: {e}", args.file.display())),
    };
    let history = &record.history;
    let ops = history.snapshot();
    let keys: std::collections::BTreeSet<&str> = ops.iter().map(|o| o.input.key.as_str()).collect();
    let result = check(history, budget);
    match &result {
        CheckResult::Ok { steps } => {
            say(&format!(
                "linearizable: {} operations on {} keys ({steps} search steps)",
                ops.len(),
                keys.len()
            ));
            ExitCode::SUCCESS
        }
        CheckResult::Illegal { .. } => {
            say(&result.to_string());
            let stem = args.file.file_stem().map_or_else(
                || "history".to_string(),
                |s| s.to_string_lossy().into_owned(),
            );
            let path = args
                .html
                .unwrap_or_else(|| html_path(&format!("check-history-{stem}")));
            let page = checker::render(&Picture {
                title: args.file.display().to_string(),
                failure: None,
                ops: &ops,
                check: Some(&result),
                timeline: &record.timeline,
                end: None,
            });
            match std::fs::write(&path, page) {
                Ok(()) => say(&format!("visualization: {}", path.display())),
                Err(e) => say(&format!(
                    "could not write the visualization to {}: {e}",
                    path.display()
                )),
            }
            ExitCode::from(1)
        }
        CheckResult::Unknown { .. } => {
            fail(&format!("{result}; try --budget above {}", args.budget))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Args::command().debug_assert();
        let a = Args::try_parse_from(["check-history", "--budget", "7", "h.json", "--html=o.html"])
            .unwrap();
        assert_eq!((a.file, a.budget), (PathBuf::from("h.json"), 7));
        assert_eq!(a.html, Some(PathBuf::from("o.html")));
        let a = Args::try_parse_from(["check-history", "h.json"]).unwrap();
        assert_eq!(a.budget, Budget::DEFAULT.max_steps);
    }
}
