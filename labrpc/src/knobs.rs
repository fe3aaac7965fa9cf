//! Fault knobs finer than the lab's reliable/unreliable pair, and a hook that sees every delivered
//! request, for fuzzers. Neither is set by default, so the lab's fault model (docs/lab-tests-2023.md
//! §1) and its random draws are exactly as without them.

use madsim::rand::{Rng, thread_rng};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Settable message faults. While set on a [`Network`](crate::Network) they replace the lab's
/// reliable/unreliable steps (request delay, request drop, reply drop); long reordering and long
/// delays still follow their own flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultKnobs {
    /// Chance in 1000 that a request is lost before its handler runs.
    pub request_drop_permille: u32,
    /// Chance in 1000 that a reply is lost after its handler ran.
    pub reply_drop_permille: u32,
    /// Each request waits U{min..=max} ms before it is delivered (or dropped).
    pub min_delay_ms: u64,
    pub max_delay_ms: u64,
    /// Chance in 1000 that a request is delivered a second time after its first handler returned:
    /// the handler runs twice and the caller gets one of the two replies, picked at random.
    pub duplicate_permille: u32,
}

/// Why a [`FaultKnobs`] cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnobError(pub String);

impl fmt::Display for KnobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad fault knobs: {}", self.0)
    }
}

impl std::error::Error for KnobError {}

impl FaultKnobs {
    /// Checks that every chance is at most 1000 and the delay range is not reversed.
    pub fn validate(&self) -> Result<(), KnobError> {
        for (name, p) in [
            ("request_drop_permille", self.request_drop_permille),
            ("reply_drop_permille", self.reply_drop_permille),
            ("duplicate_permille", self.duplicate_permille),
        ] {
            if p > 1000 {
                return Err(KnobError(format!("{name} = {p} is above 1000")));
            }
        }
        if self.min_delay_ms > self.max_delay_ms {
            return Err(KnobError(format!(
                "delay range {}..={} ms is reversed",
                self.min_delay_ms, self.max_delay_ms
            )));
        }
        Ok(())
    }

    pub(crate) fn request_delay(&self) -> Duration {
        Duration::from_millis(thread_rng().gen_range(self.min_delay_ms..=self.max_delay_ms))
    }

    pub(crate) fn drop_request(&self) -> bool {
        chance(self.request_drop_permille)
    }

    pub(crate) fn drop_reply(&self) -> bool {
        chance(self.reply_drop_permille)
    }

    pub(crate) fn duplicate(&self) -> bool {
        chance(self.duplicate_permille)
    }
}

/// True with probability `permille`/1000; draws nothing when the chance is zero.
fn chance(permille: u32) -> bool {
    permille > 0 && thread_rng().gen_range(0..1000) < permille
}

/// A request whose handler has just run (or died trying) on a live server.
#[derive(Clone, Copy, Debug)]
pub struct Delivery<'a> {
    pub end: &'a str,
    pub server: &'a str,
    pub method: &'a str,
}

/// Called after every delivered request, on the caller's task. It must not block or panic.
pub type DeliveryHook = Arc<dyn Fn(&Delivery<'_>) + Send + Sync>;
