//! The two editions of the course raft-lab mirrors, and what differs between them.
//!
//! The same lab has different numbers in the two: Raft is Lab 2 (2A–2D) in Spring 2023 and Lab 3
//! (3A–3D) now, and "3A" means the KV service in 2023 but Raft's elections now. A test that is the
//! same in both has one body, which takes the edition and asks it what differs (a title, a fault).

use std::fmt;

/// A course edition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edition {
    /// MIT 6.5840 Spring 2023: Raft 2A–2D, the KV service 3A–3B.
    Spring2023,
    /// Spring 2026, the course students take now: kvsrv and lock (Lab 2), Raft 3A–3D, rsm and
    /// KV 4A–4C, sharded KV 5A–5C.
    Spring2026,
}

impl Edition {
    /// Every edition, oldest first.
    pub const ALL: [Edition; 2] = [Edition::Spring2023, Edition::Spring2026];

    /// The lab number Raft has: 2, or 3 now.
    pub fn raft_lab(self) -> u8 {
        self.pick(2, 3)
    }

    /// A Raft test's title: "Test (2A): initial election", or "Test (3A): …" now.
    pub fn raft_title(self, part: char, what: &str) -> String {
        format!("Test ({}{part}): {what}", self.raft_lab())
    }

    /// `y2023` in the 2023 edition, `now` in the current one.
    pub fn pick<T>(self, y2023: T, now: T) -> T {
        match self {
            Edition::Spring2023 => y2023,
            Edition::Spring2026 => now,
        }
    }

    /// The edition's year, as `--edition` takes it.
    pub fn year(self) -> u16 {
        self.pick(2023, 2026)
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Spring {}", self.year())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raft_titles_carry_each_editions_lab_number() {
        assert_eq!(
            Edition::Spring2023.raft_title('A', "initial election"),
            "Test (2A): initial election"
        );
        assert_eq!(
            Edition::Spring2026.raft_title('D', "snapshots basic"),
            "Test (3D): snapshots basic"
        );
    }
}
