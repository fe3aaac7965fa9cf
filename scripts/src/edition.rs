//! The two editions of the course raft-lab mirrors, and the parts of each.
//!
//! The editions number their labs differently: "3A" is the 2023 KV service but the current course's
//! Raft election. A part is therefore always read within an edition: its tests are those of the
//! edition's targets for that part whose names end in the part's suffix (Lab 2 of the current course
//! has no parts and no suffix: all the course tests of its two targets). docs/lab-tests-2026.md §0
//! has the table between the two numberings.

use std::fmt;
use std::str::FromStr;

/// An edition of the course.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edition {
    /// Spring 2023: Raft 2A–2D, KV service 3A–3B.
    Y2023,
    /// Spring 2026, the current one: kvsrv 2, Raft 3A–3D, rsm 4A, KV 4B–4C, sharded KV 5A–5C.
    Y2026,
}

/// The edition used when none is asked for.
pub const CURRENT: Edition = Edition::Y2026;

/// One part of an edition: where its tests are and how their names end.
#[derive(Debug, PartialEq, Eq)]
pub struct Part {
    /// As the course writes it: `2A`, `4C`, or `2` for a lab without parts.
    pub name: &'static str,
    /// What the part is, for messages.
    pub about: &'static str,
    pub targets: &'static [&'static str],
    /// The suffix its test names end with (`_2a`), if the course gives one.
    pub suffix: Option<&'static str>,
}

const fn part(
    name: &'static str,
    about: &'static str,
    targets: &'static [&'static str],
    suffix: &'static str,
) -> Part {
    Part {
        name,
        about,
        targets,
        suffix: Some(suffix),
    }
}

const PARTS_2023: &[Part] = &[
    part("2A", "Raft leader election", &["raft_2a"], "2a"),
    part("2B", "Raft log", &["raft_2b"], "2b"),
    part("2C", "Raft persistence", &["raft_2c"], "2c"),
    part("2D", "Raft log compaction", &["raft_2d"], "2d"),
    part("3A", "fault-tolerant KV service", &["kv_3a"], "3a"),
    part("3B", "KV service with snapshots", &["kv_3b"], "3b"),
];

const PARTS_2026: &[Part] = &[
    Part {
        name: "2",
        about: "versioned KV server and lock",
        targets: &["kvsrv", "lock"],
        suffix: None,
    },
    part("3A", "Raft leader election", &["raft_3a"], "3a"),
    part("3B", "Raft log", &["raft_3b"], "3b"),
    part("3C", "Raft persistence", &["raft_3c"], "3c"),
    part("3D", "Raft log compaction", &["raft_3d"], "3d"),
    part("4A", "replicated state machine (rsm)", &["rsm_4a"], "4a"),
    part("4B", "KV service on rsm", &["kv_4b"], "4b"),
    part(
        "4C",
        "KV service with snapshots",
        &["kv_4c", "rsm_4a"],
        "4c",
    ),
    part("5A", "sharded KV: moving shards", &["shardkv_5a"], "5a"),
    part(
        "5B",
        "sharded KV: controller recovery",
        &["shardkv_5b"],
        "5b",
    ),
    part(
        "5C",
        "sharded KV: controller failover",
        &["shardkv_5c"],
        "5c",
    ),
];

/// Tests in lab targets that check the harness itself rather than mirror a course test; sweeps of
/// a part leave them out (they still run under `cargo test`).
pub const HARNESS_CHECKS: &[&str] = &["mem_put_many_clients_reliable_fails_a_per_client_table"];

impl Edition {
    pub const ALL: [Edition; 2] = [Edition::Y2023, Edition::Y2026];

    pub fn parts(self) -> &'static [Part] {
        match self {
            Edition::Y2023 => PARTS_2023,
            Edition::Y2026 => PARTS_2026,
        }
    }

    /// The part named `name` (any case), in this edition.
    pub fn part(self, name: &str) -> Option<&'static Part> {
        self.parts()
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// The edition's targets, in part order, each once.
    pub fn targets(self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for t in self.parts().iter().flat_map(|p| p.targets.iter()) {
            if !out.contains(t) {
                out.push(t);
            }
        }
        out
    }

    /// The editions other than this one that have a part named `name`.
    pub fn others_with(self, name: &str) -> Vec<Edition> {
        Edition::ALL
            .into_iter()
            .filter(|e| *e != self && e.part(name).is_some())
            .collect()
    }
}

impl Part {
    /// Whether `test`, found in `target`, belongs to this part.
    pub fn holds(&self, target: &str, test: &str) -> bool {
        if !self.targets.contains(&target) || HARNESS_CHECKS.contains(&test) {
            return false;
        }
        match self.suffix {
            Some(suffix) => test.rsplit_once('_').is_some_and(|(_, end)| end == suffix),
            None => true,
        }
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Edition::Y2023 => "2023",
            Edition::Y2026 => "2026",
        })
    }
}

impl FromStr for Edition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "2023" => Ok(Edition::Y2023),
            "2026" => Ok(Edition::Y2026),
            _ => Err(format!(
                "unknown edition {s:?}: 2023 (Raft 2A-2D, KV 3A-3B) or 2026 (kvsrv 2, Raft \
                 3A-3D, rsm 4A, KV 4B-4C, sharded KV 5A-5C)"
            )),
        }
    }
}

/// What `--edition` takes: one edition, or `all` (both).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditionChoice {
    One(Edition),
    All,
}

impl FromStr for EditionChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s == "all" {
            return Ok(EditionChoice::All);
        }
        s.parse()
            .map(EditionChoice::One)
            .map_err(|e| format!("{e}; or all (both)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_a_means_a_different_lab_in_each_edition() {
        let old = Edition::Y2023.part("3a").unwrap();
        let new = Edition::Y2026.part("3A").unwrap();
        assert_eq!(old.targets, ["kv_3a"]);
        assert_eq!(new.targets, ["raft_3a"]);
        assert!(old.holds("kv_3a", "basic_3a"));
        assert!(!new.holds("kv_3a", "basic_3a"));
        assert!(new.holds("raft_3a", "initial_election_3a"));
    }

    #[test]
    fn four_c_holds_the_rsm_snapshot_test_but_not_the_rest_of_rsm() {
        let p = Edition::Y2026.part("4C").unwrap();
        assert!(p.holds("rsm_4a", "snapshot_4c"));
        assert!(p.holds("kv_4c", "snapshot_rpc_4c"));
        assert!(!p.holds("rsm_4a", "basic_4a"));
        assert!(
            Edition::Y2026
                .part("4A")
                .unwrap()
                .holds("rsm_4a", "basic_4a")
        );
    }

    #[test]
    fn lab_2_is_every_course_test_of_kvsrv_and_lock() {
        let p = Edition::Y2026.part("2").unwrap();
        assert!(p.holds("kvsrv", "reliable_put"));
        assert!(p.holds("lock", "one_client_reliable"));
        assert!(!p.holds("kvsrv", HARNESS_CHECKS[0]));
        assert!(!p.holds("raft_3a", "initial_election_3a"));
    }

    #[test]
    fn targets_come_in_part_order_once_each() {
        assert_eq!(
            Edition::Y2023.targets(),
            ["raft_2a", "raft_2b", "raft_2c", "raft_2d", "kv_3a", "kv_3b"]
        );
        let new = Edition::Y2026.targets();
        assert_eq!(new.iter().filter(|t| **t == "rsm_4a").count(), 1);
        assert_eq!(&new[..3], ["kvsrv", "lock", "raft_3a"]);
    }

    #[test]
    fn editions_parse_and_name_the_other_with_a_part() {
        assert_eq!("2023".parse(), Ok(Edition::Y2023));
        assert!("2025".parse::<Edition>().is_err());
        assert_eq!(Edition::Y2026.others_with("2c"), [Edition::Y2023]);
        assert_eq!(Edition::Y2023.others_with("4B"), [Edition::Y2026]);
        assert!(Edition::Y2023.others_with("9Z").is_empty());
    }
}
