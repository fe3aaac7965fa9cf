//! The commands the Raft tester proposes. Raft carries opaque bytes; the tester's commands are a small
//! enum encoded with bincode, and every apply check compares decoded values (an int only ever equals an
//! int, a string a string, as in the Go tester).

use madsim::rand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One tester command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cmd {
    Int(i64),
    Str(String),
}

impl Cmd {
    /// The bytes handed to `Raft::start`.
    pub fn encode(&self) -> Vec<u8> {
        // An enum of an i64 or a String always serializes; a failure here is a bincode bug.
        bincode::serialize(self).expect("a tester command always encodes")
    }

    /// Decodes bytes that Raft applied; a clear error if they are not a tester command.
    pub fn decode(bytes: &[u8]) -> Result<Cmd, String> {
        bincode::deserialize(bytes).map_err(|e| {
            format!(
                "{} applied bytes are not a tester command: {e}",
                bytes.len()
            )
        })
    }

    /// The integer, if this is an int command.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Cmd::Int(x) => Some(*x),
            Cmd::Str(_) => None,
        }
    }
}

impl From<i64> for Cmd {
    fn from(x: i64) -> Self {
        Cmd::Int(x)
    }
}

impl From<String> for Cmd {
    fn from(s: String) -> Self {
        Cmd::Str(s)
    }
}

impl From<&str> for Cmd {
    fn from(s: &str) -> Self {
        Cmd::Str(s.to_string())
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Int(x) => write!(f, "{x}"),
            // Long random strings (RPCBytes2B) would flood a failure message.
            Cmd::Str(s) if s.len() > 16 => write!(f, "{:?}…({} chars)", &s[..16], s.len()),
            Cmd::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// A random non-negative 63-bit int from the seed, like Go's `rand.Int()`.
pub fn rand_int() -> i64 {
    (madsim::rand::thread_rng().r#gen::<u64>() >> 1) as i64
}

/// A random non-negative 31-bit int from the seed, like Go's `rand.Int31()`.
pub fn rand_int31() -> i64 {
    (madsim::rand::thread_rng().r#gen::<u32>() >> 1) as i64
}

/// A random string of `n` characters from the seed (RPCBytes2B's 5000-char commands).
pub fn rand_string(n: usize) -> String {
    sim::rng::random_name(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_round_trip_and_differ_by_type() {
        for c in [Cmd::Int(-5), Cmd::Int(1 << 40), Cmd::Str("x".into())] {
            assert_eq!(Cmd::decode(&c.encode()), Ok(c));
        }
        assert_ne!(Cmd::Int(1), Cmd::Str("1".into()));
    }

    #[test]
    fn garbage_is_a_decode_error() {
        assert!(Cmd::decode(&[9, 9, 9, 9, 9]).is_err());
        assert!(Cmd::decode(&[]).is_err());
    }
}
