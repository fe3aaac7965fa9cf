//! Running one child process the way a benchmark needs: stdout lines stamped with the wall time they
//! arrived at, stderr kept, a wall-clock limit, and the kernel's accounting of the child (peak RSS,
//! CPU time) read with wait4 when it is reaped.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How the child ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    /// Killed by us after the wall-clock limit.
    TimedOut,
}

impl Exit {
    pub fn success(&self) -> bool {
        *self == Exit::Code(0)
    }
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exit code {c}"),
            Exit::Signal(s) => write!(f, "killed by signal {s}"),
            Exit::TimedOut => write!(f, "timed out"),
        }
    }
}

/// What one child did.
#[derive(Clone, Debug)]
pub struct Finished {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// Each stdout line (without its newline) and when it arrived, measured from spawn.
    pub lines: Vec<(Duration, String)>,
    /// The last part of stderr (at most [`STDERR_KEEP`] bytes).
    pub stderr: String,
    pub exit: Exit,
    /// Peak resident set size, in KiB (`ru_maxrss`).
    pub max_rss_kib: u64,
    pub user: Duration,
    pub sys: Duration,
}

/// How much of a child's stderr is kept.
pub const STDERR_KEEP: usize = 64 * 1024;

/// Runs `cmd` to completion, killing it after `limit` of wall time.
pub fn run(cmd: &mut Command, limit: Duration) -> Result<Finished, String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let pid = child.id() as libc::pid_t;
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");

    let stderr_reader = std::thread::spawn(move || keep_tail(stderr));
    let watchdog = Watchdog::start(pid, limit);

    let mut lines = Vec::new();
    let mut reader = BufReader::new(stdout);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let at = started.elapsed();
                let text = String::from_utf8_lossy(&buf);
                lines.push((at, text.trim_end_matches(['\n', '\r']).to_string()));
            }
        }
    }

    // Wait for the exit without reaping, so the pid cannot be reused while the watchdog might still
    // signal it; then disarm the watchdog and reap with wait4 for the accounting.
    wait_exited(pid)?;
    let wall = started.elapsed();
    let timed_out = watchdog.disarm();
    let (status, usage) = reap(pid)?;
    let stderr = stderr_reader.join().unwrap_or_default();

    let exit = if timed_out {
        Exit::TimedOut
    } else if libc::WIFEXITED(status) {
        Exit::Code(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Exit::Signal(libc::WTERMSIG(status))
    } else {
        Exit::Code(-1)
    };
    Ok(Finished {
        wall,
        lines,
        stderr,
        exit,
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
        user: timeval(usage.ru_utime),
        sys: timeval(usage.ru_stime),
    })
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::from_secs(tv.tv_sec.max(0) as u64) + Duration::from_micros(tv.tv_usec.max(0) as u64)
}

/// Reads a stream to its end, keeping only the last [`STDERR_KEEP`] bytes.
fn keep_tail(mut stream: impl Read) -> String {
    let mut kept: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                kept.extend_from_slice(&chunk[..n]);
                if kept.len() > 2 * STDERR_KEEP {
                    kept.drain(..kept.len() - STDERR_KEEP);
                }
            }
        }
    }
    if kept.len() > STDERR_KEEP {
        kept.drain(..kept.len() - STDERR_KEEP);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// Blocks until `pid` has exited, leaving it unreaped.
fn wait_exited(pid: libc::pid_t) -> Result<(), String> {
    loop {
        // SAFETY: waitid writes only into the siginfo we own; pid is our own child.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("waiting for child {pid}: {err}"));
        }
    }
}

/// Reaps `pid`: its wait status and resource usage.
fn reap(pid: libc::pid_t) -> Result<(i32, libc::rusage), String> {
    loop {
        let mut status = 0;
        // SAFETY: wait4 writes only into the status and rusage we own; pid is our own child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == pid {
            return Ok((status, usage));
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("reaping child {pid}: {err}"));
        }
    }
}

/// Kills the child with SIGKILL once the limit has passed, unless disarmed first.
struct Watchdog {
    state: Arc<(Mutex<WatchState>, Condvar)>,
    thread: std::thread::JoinHandle<()>,
}

#[derive(Default)]
struct WatchState {
    disarmed: bool,
    fired: bool,
}

impl Watchdog {
    fn start(pid: libc::pid_t, limit: Duration) -> Watchdog {
        let state = Arc::new((Mutex::new(WatchState::default()), Condvar::new()));
        let shared = state.clone();
        let thread = std::thread::spawn(move || {
            let (lock, cvar) = &*shared;
            let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
            let (mut guard, _) = cvar
                .wait_timeout_while(guard, limit, |s| !s.disarmed)
                .unwrap_or_else(|e| e.into_inner());
            if !guard.disarmed {
                // The child is not reaped before `disarm` returns, so `pid` is still ours.
                // SAFETY: sending a signal has no memory-safety preconditions.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                guard.fired = true;
            }
        });
        Watchdog { state, thread }
    }

    /// Stops the watchdog; true if it had already killed the child.
    fn disarm(self) -> bool {
        let fired = {
            let (lock, cvar) = &*self.state;
            let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
            s.disarmed = true;
            cvar.notify_all();
            s.fired
        };
        let _ = self.thread.join();
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_exit_code_and_accounting_are_reported() {
        let out = run(
            Command::new("sh").args(["-c", "echo one; echo two; echo err >&2; exit 3"]),
            Duration::from_secs(30),
        )
        .unwrap();
        let texts: Vec<&str> = out.lines.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(texts, ["one", "two"]);
        assert_eq!(out.stderr.trim(), "err");
        assert_eq!(out.exit, Exit::Code(3));
        assert!(out.max_rss_kib > 0);
    }

    #[test]
    fn a_child_past_its_limit_is_killed() {
        let out = run(
            Command::new("sh").args(["-c", "exec sleep 30"]),
            Duration::from_millis(200),
        )
        .unwrap();
        assert_eq!(out.exit, Exit::TimedOut);
        assert!(out.wall < Duration::from_secs(10));
    }

    #[test]
    fn a_missing_program_is_an_error() {
        assert!(
            run(
                &mut Command::new("/nonexistent/prog"),
                Duration::from_secs(1)
            )
            .is_err()
        );
    }
}
