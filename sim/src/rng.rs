//! Randomness for the simulation. Everything random derives from madsim's seeded global RNG, so one
//! seed decides the whole run; an independent stream is a ChaCha generator seeded from it.

use madsim::rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A fresh random stream seeded from the simulation's RNG (deterministic for a given seed).
pub fn stream() -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(madsim::rand::thread_rng().r#gen())
}

/// A uniform integer in `lo..=hi` from the simulation's RNG.
pub fn uniform(lo: u64, hi: u64) -> u64 {
    madsim::rand::thread_rng().gen_range(lo..=hi)
}

/// True with probability `p`, from the simulation's RNG.
pub fn chance(p: f64) -> bool {
    madsim::rand::thread_rng().gen_bool(p)
}

/// `n` random characters from `[0-9A-Za-z]`, e.g. the names of labrpc ends.
pub fn random_name(n: usize) -> String {
    let mut rng = madsim::rand::thread_rng();
    (0..n)
        .map(|_| rng.sample(rand::distributions::Alphanumeric) as char)
        .collect()
}

/// The seed of the running simulation.
pub fn seed() -> u64 {
    madsim::runtime::Handle::current().seed()
}
