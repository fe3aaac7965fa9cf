//! Raft's timing and pacing, all in one place: heartbeats at 10 per second (the lab's limit), how
//! replication batches and paces what it sends, and election timeouts several heartbeats long,
//! randomized so that split votes resolve quickly. The randomness comes from a seeded generator the
//! driver hands the core, so the core itself reads no clock and no global RNG.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Duration;

/// A point in a peer's time: how long after the peer started its clock reads. The driver converts
/// to and from the simulator's instants; the core only compares and adds.
pub type Time = Duration;

pub const HEARTBEAT: Duration = Duration::from_millis(100);

/// How long a woken replicator waits before sending, so that commands started together travel in one
/// AppendEntries. It is also what a command costs in virtual time on a fault-free network, where RPCs
/// take none: without it a KV client would do unboundedly many operations in a virtual second.
pub const BATCH_WINDOW: Duration = Duration::from_millis(4);

/// After this long without a reply, a message in flight is presumed lost and its entries are resent.
pub const IN_FLIGHT_EXPIRY: Duration = Duration::from_millis(200);

/// At most this many entries go in one AppendEntries; a far-behind follower catches up in batches,
/// each sent as soon as the previous one is acknowledged.
pub const MAX_ENTRIES_PER_APPEND: usize = 256;

pub const ELECTION_TIMEOUT_MIN: Duration = Duration::from_millis(300);
pub const ELECTION_TIMEOUT_MAX: Duration = Duration::from_millis(600);

/// Draws randomized election timeouts from a seeded generator.
#[derive(Clone, Debug)]
pub struct ElectionTimeouts {
    rng: StdRng,
}

impl ElectionTimeouts {
    pub fn from_seed(seed: u64) -> Self {
        ElectionTimeouts {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// A fresh timeout in `ELECTION_TIMEOUT_MIN..ELECTION_TIMEOUT_MAX`, in whole milliseconds.
    pub fn next(&mut self) -> Duration {
        let ms = |d: Duration| d.as_millis() as u64;
        Duration::from_millis(
            self.rng
                .gen_range(ms(ELECTION_TIMEOUT_MIN)..ms(ELECTION_TIMEOUT_MAX)),
        )
    }
}
