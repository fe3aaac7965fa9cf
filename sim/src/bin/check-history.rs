//! `check-history [--budget N] [--html PATH] FILE`: checks a recorded KV history for
//! linearizability (LAB-TESTS §5).
//!
//! FILE is a JSON array of `{"client", "call", "return", "op", "key", "value", "output"}` objects
//! (times in ns; op is "get", "put" or "append"). Exit status:
//! - 0: linearizable (a one-line summary on stdout);
//! - 1: not linearizable (the reason, and the path of an HTML visualization);
//! - 2: bad usage or input, or the search budget ran out (a one-line reason on stderr).

use sim::linearizability::{Budget, CheckResult, History, check, html_path, write_html};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: check-history [--budget STEPS] [--html PATH] FILE";

#[derive(Debug)]
struct Args {
    file: PathBuf,
    budget: Budget,
    html: Option<PathBuf>,
}

/// `Ok(None)` means help was asked for.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut file = None;
    let mut budget = Budget::DEFAULT;
    let mut html = None;
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--budget" => {
                let v = value("--budget")?;
                budget.max_steps = v
                    .parse()
                    .map_err(|_| format!("--budget {v:?} is not a number of steps"))?;
            }
            "--html" => html = Some(PathBuf::from(value("--html")?)),
            f if f.starts_with('-') && f != "-" => return Err(format!("unknown option {f}")),
            _ if file.is_some() => return Err("more than one FILE given".into()),
            _ => file = Some(PathBuf::from(arg)),
        }
    }
    let file = file.ok_or("no FILE given")?;
    Ok(Some(Args { file, budget, html }))
}

/// Prints a line, ignoring a closed stdout rather than panicking.
fn say(line: &str) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn fail(reason: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "check-history: {reason}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            say(USAGE);
            return ExitCode::SUCCESS;
        }
        Err(e) => return fail(&format!("{e} ({USAGE})")),
    };
    let history = match History::read_file(&args.file) {
        Ok(h) => h,
        // The error names the file when it could not be read, and the operation when it is bad.
        Err(e) if e.index.is_none() && e.message.starts_with("cannot read") => {
            return fail(&e.to_string());
        }
        Err(e) => return fail(&format!("{}: {e}", args.file.display())),
    };
    let ops = history.snapshot();
    let keys: std::collections::BTreeSet<&str> = ops.iter().map(|o| o.input.key.as_str()).collect();
    let result = check(&history, args.budget);
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
            match write_html(&history, &result, &path) {
                Ok(()) => say(&format!("visualization: {}", path.display())),
                Err(e) => say(&format!(
                    "could not write the visualization to {}: {e}",
                    path.display()
                )),
            }
            ExitCode::from(1)
        }
        CheckResult::Unknown { .. } => fail(&format!(
            "{result}; try --budget above {}",
            args.budget.max_steps
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<Args>, String> {
        parse(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_flags_in_any_order() {
        let a = args(&["--budget", "7", "h.json", "--html=out.html"])
            .unwrap()
            .unwrap();
        assert_eq!(a.file, PathBuf::from("h.json"));
        assert_eq!(a.budget.max_steps, 7);
        assert_eq!(a.html, Some(PathBuf::from("out.html")));
        let a = args(&["h.json"]).unwrap().unwrap();
        assert_eq!(a.budget, Budget::DEFAULT);
        assert!(args(&["--help"]).unwrap().is_none());
    }

    #[test]
    fn rejects_bad_usage() {
        assert!(args(&[]).unwrap_err().contains("no FILE"));
        assert!(args(&["a", "b"]).unwrap_err().contains("more than one"));
        assert!(args(&["--budget"]).unwrap_err().contains("needs a value"));
        assert!(
            args(&["--budget", "x", "a"])
                .unwrap_err()
                .contains("not a number")
        );
        assert!(
            args(&["--frobnicate", "a"])
                .unwrap_err()
                .contains("unknown option")
        );
    }
}
