//! Raft's timers. Heartbeats at 10 per second (the lab's limit); election timeouts several heartbeats
//! long and randomized from the seeded RNG, so that split votes resolve quickly.

use madsim::rand::Rng;
use std::time::Duration;

pub const HEARTBEAT: Duration = Duration::from_millis(100);
/// How long a woken replicator waits before sending, so that commands started together travel in one
/// AppendEntries. It is also what a command costs in virtual time on a fault-free network, where RPCs
/// take none: without it a KV client would do unboundedly many operations in a virtual second.
pub const BATCH_WINDOW: Duration = Duration::from_millis(4);
const ELECTION_MIN_MS: u64 = 300;
const ELECTION_MAX_MS: u64 = 600;

/// A fresh randomized election timeout.
pub fn election_timeout() -> Duration {
    Duration::from_millis(madsim::rand::thread_rng().gen_range(ELECTION_MIN_MS..ELECTION_MAX_MS))
}
