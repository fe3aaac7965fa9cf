//! The stall watchdog: turns a frozen simulation into a failure.
//!
//! A simulation runs every task on one thread. A task that blocks that thread (a lock held across an
//! `.await` that another task then takes, two locks taken in opposite orders, a loop that never
//! awaits) freezes the whole run, and no virtual-time limit can fire, since virtual time only moves
//! when the executor does. So the thread that started the run watches it from outside, in wall
//! time: if the run's virtual clock has not moved for the stall limit, the run fails, reporting the
//! virtual time it reached and each node's last traced event. The frozen thread cannot be stopped;
//! it is left behind and ends with the process.

use crate::activity::Activity;
use madsim::time::TimeHandle;
use std::any::Any;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
// Wall time, on the watching thread only: it measures how long the simulation has been frozen and
// never reaches inside it.
use std::time::{Duration, Instant};

/// How often the watcher looks at the run's virtual clock.
const POLL: Duration = Duration::from_millis(100);

enum Message<T> {
    Started(TimeHandle, Activity),
    Finished(T),
}

/// The simulation thread's side: says when the run started (with its clock) and how it ended.
pub(crate) struct Watched<T>(Sender<Message<T>>);

/// The starting thread's side.
pub(crate) struct Watch<T>(Receiver<Message<T>>);

/// Why a run gave no result.
pub(crate) enum Stall {
    /// Its virtual clock stood still for the whole stall limit.
    NoProgress {
        virtual_time: Duration,
        activity: Activity,
    },
    /// Its thread ended without a word (a panic outside the run's own catch).
    Died(Box<dyn Any + Send>),
}

pub(crate) fn pair<T>() -> (Watch<T>, Watched<T>) {
    let (tx, rx) = channel();
    (Watch(rx), Watched(tx))
}

impl<T> Watched<T> {
    pub(crate) fn started(&self, time: TimeHandle, activity: Activity) {
        let _ = self.0.send(Message::Started(time, activity));
    }

    pub(crate) fn finished(&self, result: T) {
        let _ = self.0.send(Message::Finished(result));
    }
}

impl<T> Watch<T> {
    /// Waits for the run's result, or gives up once its virtual clock has not moved for `stall`.
    pub(crate) fn wait(self, stall: Duration) -> Result<T, Stall> {
        let mut clock: Option<(TimeHandle, Activity)> = None;
        let mut last_seen = (Duration::ZERO, Instant::now());
        loop {
            match self.0.recv_timeout(POLL) {
                Ok(Message::Finished(result)) => return Ok(result),
                Ok(Message::Started(time, activity)) => clock = Some((time, activity)),
                Err(RecvTimeoutError::Timeout) => {
                    let now = clock.as_ref().map_or(Duration::ZERO, |(t, _)| t.elapsed());
                    if now != last_seen.0 {
                        last_seen = (now, Instant::now());
                    } else if last_seen.1.elapsed() >= stall {
                        return Err(Stall::NoProgress {
                            virtual_time: now,
                            activity: clock.map(|(_, a)| a).unwrap_or_default(),
                        });
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Stall::Died(Box::new(
                        "the simulation thread ended without reporting its run".to_string(),
                    )));
                }
            }
        }
    }
}
