//! Counting simulated (trace) events per test without touching the timed runs.
//!
//! The runner's verdict line does not carry the trace's event count, so the benchmark reruns one seed
//! of a suite with `RAFT_LAB_TRACE` pointed at a FIFO and counts the JSON lines as they stream past
//! (nothing reaches the disk). A run is deterministic per seed, so this count is the count of the timed
//! run with the same seed; the trace digests of the two runs are compared to make sure.
//!
//! An "event" is what sim::trace digests: one DEBUG-or-above tracing event from raft-lab's crates
//! (votes, appends, commits, applies, faults, test steps). It is a proxy for the simulator's work,
//! not madsim's count of task polls and timer firings, which it does not expose.

use super::process;
use super::suites;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Trace events per test of one suite process, and the digests its runner printed.
#[derive(Clone, Debug, Default)]
pub struct EventCount {
    pub per_test: BTreeMap<String, u64>,
    pub digests: BTreeMap<String, String>,
}

/// Runs every test of `exe` under `seed` with the JSON trace streaming into a FIFO, counting lines.
pub fn count(
    exe: &Path,
    seed: u64,
    tests_dir: &Path,
    scratch: &Path,
    limit: Duration,
) -> Result<EventCount, String> {
    let fifo = scratch.join(format!("trace-{}.fifo", std::process::id()));
    make_fifo(&fifo)?;
    let result = count_through(&fifo, exe, seed, tests_dir, limit);
    let _ = std::fs::remove_file(&fifo);
    result
}

fn count_through(
    fifo: &Path,
    exe: &Path,
    seed: u64,
    tests_dir: &Path,
    limit: Duration,
) -> Result<EventCount, String> {
    // Open the read end without waiting for a writer, then make reads block again; holding a write
    // end of our own until the child is gone keeps the reader from seeing end-of-file too early.
    let reader = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(fifo)
        .map_err(|e| format!("cannot open {}: {e}", fifo.display()))?;
    set_blocking(&reader)?;
    let keep_open = OpenOptions::new()
        .write(true)
        .open(fifo)
        .map_err(|e| format!("cannot open {}: {e}", fifo.display()))?;
    // An OS thread is fine here: the benchmark runs outside any simulation, and this one only
    // drains the FIFO while the test process writes its trace into it.
    let counter = std::thread::spawn(move || count_lines(BufReader::new(reader)));

    let mut cmd = Command::new(exe);
    cmd.args(["--test-threads=1", "--nocapture"]);
    suites::configure(&mut cmd, seed, tests_dir);
    cmd.env(TRACE_ENV, fifo);
    let finished = process::run(&mut cmd, limit);
    drop(keep_open);
    let per_test = counter
        .join()
        .map_err(|_| "the trace counter thread panicked".to_string())?;
    let finished = finished?;
    let digests = suites::summarize("", seed, &finished)
        .tests
        .into_iter()
        .map(|t| (t.test, t.digest))
        .collect();
    Ok(EventCount { per_test, digests })
}

/// The variable sim::trace reads the trace file name from.
const TRACE_ENV: &str = "RAFT_LAB_TRACE";

/// Counts trace lines per run: each run starts with a `{"run": <test>, "seed": ..}` header line.
fn count_lines(reader: impl BufRead) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    let mut current = String::from("<before any run>");
    for line in reader.split(b'\n') {
        let Ok(line) = line else { break };
        if line.starts_with(br#"{"run":"#) {
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&line)
                && let Some(name) = v["run"].as_str()
            {
                current = name.to_string();
                counts.entry(current.clone()).or_insert(0);
            }
        } else if !line.is_empty() {
            *counts.entry(current.clone()).or_insert(0) += 1;
        }
    }
    counts
}

fn make_fifo(path: &PathBuf) -> Result<(), String> {
    let _ = std::fs::remove_file(path);
    let mut bytes = path.as_os_str().as_bytes().to_vec();
    bytes.push(0);
    // SAFETY: `bytes` is a NUL-terminated path that outlives the call.
    let rc = unsafe { libc::mkfifo(bytes.as_ptr().cast(), 0o600) };
    if rc != 0 {
        return Err(format!(
            "cannot create a FIFO at {}: {}",
            path.display(),
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

fn set_blocking(file: &File) -> Result<(), String> {
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor we own, with flag arguments only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(format!(
            "cannot make the FIFO blocking: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_per_run_header() {
        let text = "{\"run\":\"a_2a\",\"seed\":1}\n{\"t_ns\":1}\n{\"t_ns\":2}\n\
                    {\"run\":\"b_2a\",\"seed\":1}\n{\"t_ns\":3}\n";
        let counts = count_lines(text.as_bytes());
        assert_eq!(counts["a_2a"], 2);
        assert_eq!(counts["b_2a"], 1);
    }

    #[test]
    fn a_fifo_carries_a_childs_lines_and_ends_when_it_exits() {
        let dir = std::env::temp_dir();
        let fifo = dir.join(format!("bench-events-test-{}.fifo", std::process::id()));
        make_fifo(&fifo).unwrap();
        let reader = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .unwrap();
        set_blocking(&reader).unwrap();
        let keep_open = OpenOptions::new().write(true).open(&fifo).unwrap();
        let counter = std::thread::spawn(move || count_lines(BufReader::new(reader)));
        let script = format!(
            "printf '{{\"run\":\"x\"}}\\n1\\n2\\n3\\n' > {}",
            fifo.display()
        );
        let out = process::run(
            Command::new("sh").args(["-c", &script]),
            Duration::from_secs(30),
        )
        .unwrap();
        drop(keep_open);
        assert!(out.exit.success());
        assert_eq!(counter.join().unwrap()["x"], 3);
        std::fs::remove_file(&fifo).unwrap();
    }
}
