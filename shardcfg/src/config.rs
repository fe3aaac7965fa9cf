//! A configuration: its number, the group of each shard, the servers of each group.

use crate::{Gid, N_SHARDS, Num, Shard};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// An assignment of shards to groups, numbered. Field names in JSON are the course's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardConfig {
    /// The configuration's number; each join or leave adds one.
    #[serde(rename = "Num")]
    pub num: Num,
    /// `shards[s]`: the group serving shard s (0: none).
    #[serde(rename = "Shards")]
    pub shards: [Gid; N_SHARDS],
    /// Each group's servers, in the order they were given.
    #[serde(rename = "Groups")]
    pub groups: BTreeMap<Gid, Vec<String>>,
}

/// Why a configuration change or a check was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// The group is already in the configuration (the course's "re-Join").
    AlreadyJoined(Gid),
    /// The group is not in the configuration.
    NotPresent(Gid),
    /// A server would be in two groups.
    ServerInTwoGroups { server: String, gids: (Gid, Gid) },
    /// A join or leave of no group.
    NoChange,
    /// A stored configuration that does not decode.
    Malformed(String),
    /// [`ShardConfig::check`] found the configuration wrong.
    Check(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::AlreadyJoined(g) => write!(f, "group {g} has already joined"),
            ConfigError::NotPresent(g) => write!(f, "group {g} is not in the configuration"),
            ConfigError::ServerInTwoGroups { server, gids } => {
                write!(
                    f,
                    "server {server} would be in groups {} and {}",
                    gids.0, gids.1
                )
            }
            ConfigError::NoChange => write!(f, "a join or leave of no group"),
            ConfigError::Malformed(why) => write!(f, "malformed configuration: {why}"),
            ConfigError::Check(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl ShardConfig {
    /// The empty configuration: number 0, no groups, every shard on group 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// The configuration as the JSON string the controller stores.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a configuration always encodes")
    }

    /// A configuration from its JSON string.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        serde_json::from_str(text).map_err(|e| ConfigError::Malformed(e.to_string()))
    }

    /// Adds the groups of `servers` and moves to the next number. Refused as a whole, changing
    /// nothing, if a group is already here or a server would be in two groups.
    pub fn join(&mut self, servers: BTreeMap<Gid, Vec<String>>) -> Result<(), ConfigError> {
        if servers.is_empty() {
            return Err(ConfigError::NoChange);
        }
        for (&gid, names) in &servers {
            if self.groups.contains_key(&gid) {
                return Err(ConfigError::AlreadyJoined(gid));
            }
            for (&other, others) in self.groups.iter().chain(servers.range(..gid)) {
                if let Some(server) = names.iter().find(|n| others.contains(n)) {
                    return Err(ConfigError::ServerInTwoGroups {
                        server: server.clone(),
                        gids: (other, gid),
                    });
                }
            }
        }
        self.groups.extend(servers);
        self.num += 1;
        Ok(())
    }

    /// Removes the groups `gids` and moves to the next number; refused as a whole, changing
    /// nothing, if one is not here.
    pub fn leave(&mut self, gids: &[Gid]) -> Result<(), ConfigError> {
        if gids.is_empty() {
            return Err(ConfigError::NoChange);
        }
        if let Some(&gid) = gids.iter().find(|g| !self.groups.contains_key(g)) {
            return Err(ConfigError::NotPresent(gid));
        }
        for gid in gids {
            self.groups.remove(gid);
        }
        self.num += 1;
        Ok(())
    }

    /// [`ShardConfig::join`], then [`ShardConfig::rebalance`].
    pub fn join_balance(&mut self, servers: BTreeMap<Gid, Vec<String>>) -> Result<(), ConfigError> {
        self.join(servers)?;
        self.rebalance();
        Ok(())
    }

    /// [`ShardConfig::leave`], then [`ShardConfig::rebalance`].
    pub fn leave_balance(&mut self, gids: &[Gid]) -> Result<(), ConfigError> {
        self.leave(gids)?;
        self.rebalance();
        Ok(())
    }

    /// The group serving `shard` and its servers (`None` when the group is not in the
    /// configuration, e.g. group 0).
    pub fn gid_servers(&self, shard: Shard) -> (Gid, Option<&[String]>) {
        let gid = self.shards[shard];
        (gid, self.groups.get(&gid).map(Vec::as_slice))
    }

    /// Whether group `gid` serves at least one shard.
    pub fn is_member(&self, gid: Gid) -> bool {
        self.shards.contains(&gid)
    }

    /// The tests' check of a configuration: exactly the groups `groups`, every shard on one of
    /// them (when there are any), and no group with two more shards than another.
    pub fn check(&self, groups: &[Gid]) -> Result<(), ConfigError> {
        let fail = |why: String| Err(ConfigError::Check(why));
        if self.groups.len() != groups.len() {
            return fail(format!(
                "wanted {} groups, got {}",
                groups.len(),
                self.groups.len()
            ));
        }
        if let Some(g) = groups.iter().find(|g| !self.groups.contains_key(g)) {
            return fail(format!("missing group {g}"));
        }
        if !groups.is_empty()
            && let Some((s, g)) = self
                .shards
                .iter()
                .enumerate()
                .find(|(_, g)| !self.groups.contains_key(g))
        {
            return fail(format!("shard {s} -> invalid group {g}"));
        }
        let counts = crate::balance::shard_counts(self);
        let per_group = self
            .groups
            .keys()
            .map(|g| counts.get(g).copied().unwrap_or(0));
        let (min, max) = per_group.fold((usize::MAX, 0), |(lo, hi), n| (lo.min(n), hi.max(n)));
        if !self.groups.is_empty() && max > min + 1 {
            return fail(format!("max {max} too much larger than min {min}"));
        }
        Ok(())
    }
}
