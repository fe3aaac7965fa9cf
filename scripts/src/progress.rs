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
    /// A live bar on stderr when `interactive`, else plain lines on stderr.
    pub fn new(total: usize, interactive: bool) -> Self {
        Self::drawn_to(total, interactive.then(ProgressDrawTarget::stderr))
    }

    /// A live bar drawn to `target`, or plain lines on stderr without one.
    pub fn drawn_to(total: usize, target: Option<ProgressDrawTarget>) -> Self {
        let bar = target.map(|target| {
            let bar = ProgressBar::with_draw_target(Some(total as u64), target);
            // The done count is part of the message, not the bar's `{pos}`: the two are set one
            // after the other and a frame drawn in between showed the count one behind.
            let style = ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{wide_bar}] {msg}  eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(counts_line(0, total, 0, 0));
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
                bar.set_position(done as u64);
                // Draws at once, the whole count in one message.
                bar.set_message(counts_line(done, self.total, self.passed, self.failed));
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

/// `7/10  6 passed, 1 failed`: the live bar's counts.
fn counts_line(done: usize, total: usize, passed: usize, failed: usize) -> String {
    format!("{done}/{total}  {passed} passed, {failed} failed")
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

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::TermLike;
    use std::io;
    use std::sync::{Arc, Mutex};

    /// A terminal that keeps every frame written to it.
    #[derive(Clone, Debug, Default)]
    struct Frames(Arc<Mutex<Vec<String>>>);

    impl TermLike for Frames {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            self.0.lock().unwrap().push(s.to_string());
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    /// (done, total, passed, failed) read off a frame of the bar.
    fn counts(frame: &str) -> Option<(usize, usize, usize, usize)> {
        let (head, tail) = frame.split_once(" passed, ")?;
        let mut words = head.split_whitespace().rev();
        let passed = words.next()?.parse().ok()?;
        let (done, total) = words.next()?.split_once('/')?;
        let failed = tail.split_whitespace().next()?.parse().ok()?;
        Some((done.parse().ok()?, total.parse().ok()?, passed, failed))
    }

    #[test]
    fn every_frame_shows_the_done_count_of_its_own_counts() {
        let frames = Frames::default();
        let mut progress = Progress::drawn_to(
            3,
            Some(ProgressDrawTarget::term_like(Box::new(frames.clone()))),
        );
        progress.record(true, None);
        progress.record(false, Some("FAILED x seed 2".into()));
        progress.record(true, None);
        let drawn: Vec<_> = frames
            .0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|f| counts(f))
            .collect();
        progress.finish();
        assert!(drawn.len() >= 3, "{drawn:?}");
        for &(done, total, passed, failed) in &drawn {
            assert_eq!((done, total), (passed + failed, 3), "{drawn:?}");
        }
        assert_eq!(drawn.last(), Some(&(3, 3, 2, 1)), "{drawn:?}");
        assert!(
            frames
                .0
                .lock()
                .unwrap()
                .iter()
                .any(|f| f == "FAILED x seed 2")
        );
    }
}
