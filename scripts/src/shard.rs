//! `--shard K/N`: a deterministic 1/N of the (test, seed) pairs, so N machines can split one sweep.

use std::fmt;
use std::str::FromStr;

/// Shard `index + 1` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl Shard {
    /// Whether the pair at position `i` of the full, ordered list of pairs belongs to this shard.
    /// Round-robin, so every shard gets a fair share of each test's seeds.
    pub fn keeps(&self, i: usize) -> bool {
        i % self.count == self.index
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a shard: write K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard {
            index: k - 1,
            count: n,
        })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index + 1, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_pairs() {
        let shards: Vec<Shard> = (1..=3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        for i in 0..100 {
            assert_eq!(shards.iter().filter(|s| s.keeps(i)).count(), 1);
        }
        assert!(shards[0].keeps(0) && shards[1].keeps(1) && shards[2].keeps(5));
        assert_eq!(shards[1].to_string(), "2/3");
    }

    #[test]
    fn bad_shards_are_rejected() {
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert!("1/1".parse::<Shard>().unwrap().keeps(7));
    }
}
