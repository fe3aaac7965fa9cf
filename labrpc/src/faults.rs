//! The random draws of the lab's fault model (docs/lab-tests-2023.md §1), all from madsim's seeded RNG.

use madsim::rand::{Rng, thread_rng};
use std::time::Duration;

/// Unreliable network: a request waits U{0..26} ms before it is delivered (or dropped).
pub(crate) fn request_delay() -> Duration {
    Duration::from_millis(thread_rng().gen_range(0..=26))
}

/// Unreliable network: a request, or a reply, is lost with p = 0.1 (100 in 1000).
pub(crate) fn lost() -> bool {
    thread_rng().gen_range(0..1000) < 100
}

/// Long reordering: with p = 600/900 a reply is held back 200 + U{0..U{0..1999}} ms (skewed short).
pub(crate) fn reorder_delay() -> Option<Duration> {
    let mut rng = thread_rng();
    if rng.gen_range(0..900) < 600 {
        let upper = rng.gen_range(0..=1999u64);
        Some(Duration::from_millis(200 + rng.gen_range(0..=upper)))
    } else {
        None
    }
}

/// An unreachable server: the call fails after U{0..6999} ms with long delays, U{0..99} ms without.
pub(crate) fn unreachable_delay(long_delays: bool) -> Duration {
    let max = if long_delays { 6999 } else { 99 };
    Duration::from_millis(thread_rng().gen_range(0..=max))
}

/// Waits `delay` of virtual time. A zero delay does not wait at all (madsim's `sleep` waits at least
/// 1 ms, which would shift every U{0..n} draw of the model up by a millisecond).
pub(crate) async fn pause(delay: Duration) {
    if !delay.is_zero() {
        madsim::time::sleep(delay).await;
    }
}
