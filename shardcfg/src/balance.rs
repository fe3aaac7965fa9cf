//! Rebalancing, exactly as the course's given code does it: unassigned shards go one by one to the
//! least-loaded group, then one shard at a time moves from the most- to the least-loaded group
//! until they differ by less than two. Groups are scanned in ascending gid order, so ties go to the
//! smallest gid, and a moving shard is the most-loaded group's lowest-numbered one.

use crate::config::ShardConfig;
use crate::{Gid, N_SHARDS};
use std::collections::BTreeMap;

/// How many shards each gid (0 included) serves.
pub(crate) fn shard_counts(cfg: &ShardConfig) -> BTreeMap<Gid, usize> {
    let mut counts = BTreeMap::new();
    for &g in &cfg.shards {
        *counts.entry(g).or_default() += 1;
    }
    counts
}

/// (most-loaded group, its count, least-loaded group, its count) over the configuration's groups,
/// ties to the smallest gid. `None` without groups.
fn most_and_least(cfg: &ShardConfig) -> Option<(Gid, usize, Gid, usize)> {
    let counts = shard_counts(cfg);
    let mut found: Option<(Gid, usize, Gid, usize)> = None;
    for &g in cfg.groups.keys() {
        let n = counts.get(&g).copied().unwrap_or(0);
        found = Some(match found {
            None => (g, n, g, n),
            Some((mg, mn, lg, ln)) => {
                let (mg, mn) = if n > mn { (g, n) } else { (mg, mn) };
                let (lg, ln) = if n < ln { (g, n) } else { (lg, ln) };
                (mg, mn, lg, ln)
            }
        });
    }
    found
}

impl ShardConfig {
    /// Balances the assignment of shards to the configuration's groups (all shards to group 0 when
    /// there are none).
    pub fn rebalance(&mut self) {
        if self.groups.is_empty() {
            self.shards = [0; N_SHARDS];
            return;
        }
        for s in 0..N_SHARDS {
            if !self.groups.contains_key(&self.shards[s])
                && let Some((_, _, least, _)) = most_and_least(self)
            {
                self.shards[s] = least;
            }
        }
        while let Some((most, mn, least, ln)) = most_and_least(self)
            && mn >= ln + 2
        {
            let s = self
                .shards
                .iter()
                .position(|&g| g == most)
                .expect("the most-loaded group serves a shard");
            self.shards[s] = least;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(gid: Gid) -> BTreeMap<Gid, Vec<String>> {
        BTreeMap::from([(gid, vec![format!("server-{gid}-0")])])
    }

    #[test]
    fn joining_2_3_4_5_onto_group_1_gives_the_courses_assignments() {
        let mut cfg = ShardConfig::new();
        cfg.join_balance(group(1)).unwrap();
        assert_eq!(cfg.shards, [1; N_SHARDS]);
        let expected = [
            [2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1],
            [3, 3, 2, 2, 2, 2, 3, 3, 1, 1, 1, 1],
            [4, 3, 4, 2, 2, 2, 3, 3, 4, 1, 1, 1],
            [4, 3, 4, 5, 2, 2, 3, 3, 4, 5, 1, 1],
        ];
        for (gid, want) in (2..=5).zip(expected) {
            cfg.join_balance(group(gid)).unwrap();
            assert_eq!(cfg.shards, want, "after group {gid} joined");
        }
        assert_eq!(cfg.num, 5);
    }

    #[test]
    fn eight_joins_give_the_many_join_leave_tests_assignment() {
        let mut cfg = ShardConfig::new();
        for gid in 1..=9 {
            cfg.join_balance(group(gid)).unwrap();
        }
        assert_eq!(cfg.shards, [6, 6, 4, 5, 8, 2, 9, 3, 4, 5, 7, 1]);
        cfg.leave_balance(&(2..=9).collect::<Vec<_>>()).unwrap();
        assert_eq!(cfg.shards, [1; N_SHARDS]);
    }

    #[test]
    fn no_groups_leaves_every_shard_on_group_0() {
        let mut cfg = ShardConfig::new();
        cfg.join_balance(group(1)).unwrap();
        cfg.leave_balance(&[1]).unwrap();
        assert_eq!(cfg.shards, [0; N_SHARDS]);
    }
}
