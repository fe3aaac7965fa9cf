//! Progress of a sweep: a live indicatif bar on a terminal, plain lines otherwise (CI logs).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::{Duration, Instant};

/// How often (in tenths of the sweep) plain mode reports.
const PLAIN_STEPS: usize = 10;

pub struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    passed: usize,
    failed: usize,
    start: Instant,
    next_plain_step: usize,
}

impl Progress {
    /// A live bar when `interactive`, else plain lines on stderr.
    pub fn new(total: usize, interactive: bool) -> Self {
        let bar = interactive.then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{wide_bar}] {pos}/{len}  {msg}  eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message("0 passed, 0 failed");
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            total,
            passed: 0,
            failed: 0,
            start: Instant::now(),
            next_plain_step: 1,
        }
    }

    /// Counts one finished run; a failure is announced at once with `failure_line`.
    pub fn record(&mut self, passed: bool, failure_line: Option<String>) {
        if passed {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        if let Some(line) = failure_line {
            self.note(&line);
        }
        let done = self.passed + self.failed;
        let counts = format!("{} passed, {} failed", self.passed, self.failed);
        match &self.bar {
            Some(bar) => {
                bar.set_message(counts);
                bar.inc(1);
            }
            None => {
                // Plain mode: a line at every tenth of the sweep, and at the end.
                if done * PLAIN_STEPS >= self.next_plain_step * self.total || done == self.total {
                    while done * PLAIN_STEPS >= self.next_plain_step * self.total {
                        self.next_plain_step += 1;
                    }
                    eprintln!(
                        "repeat-test: {done}/{} runs done ({counts}), {} elapsed{}",
                        self.total,
                        human(self.start.elapsed()),
                        self.eta(done)
                            .map(|d| format!(", eta {}", human(d)))
                            .unwrap_or_default()
                    );
                }
            }
        }
    }

    /// Prints a line without tearing the bar.
    pub fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn eta(&self, done: usize) -> Option<Duration> {
        if done == 0 || done >= self.total {
            return None;
        }
        let per_run = self.start.elapsed().as_secs_f64() / done as f64;
        Some(Duration::from_secs_f64(
            per_run * (self.total - done) as f64,
        ))
    }
}

/// `1m05s`, `42s`, `0.3s`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 60.0 {
        format!("{}m{:02}s", (s / 60.0) as u64, (s % 60.0) as u64)
    } else if s >= 10.0 {
        format!("{s:.0}s")
    } else {
        format!("{s:.1}s")
    }
}
