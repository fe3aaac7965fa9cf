//! What else happened during a run, for the picture: annotations (faults the tester injected,
//! checker phases, notes from the implementation) and each peer's role and term over time. The
//! checker never reads these; they travel with a history (see [`crate::record`]).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The node the tester's own annotations come from.
pub const TESTER_NODE: &str = "main";

/// Something that happened at one instant.
///
/// A `band` names a state of the run that this annotation starts or changes (a partition, a
/// crashed peer, an unreliable network): it is drawn across the picture from here until the next
/// annotation of the same band, or until one with `end` set, which returns it to normal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    /// Virtual ns, on the operations' clock.
    pub time: u64,
    /// Where it was traced: [`TESTER_NODE`] for the tester, else a peer's node.
    #[serde(default = "tester_node")]
    pub node: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub end: bool,
    /// The peer (node name) it concerns, if one: it is drawn on that peer's lane too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// With `band` and `peer`: the peer is down (crashed) while the band lasts, so it has no role.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub down: bool,
    /// Anything else it said, shown in its tooltip.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
}

fn tester_node() -> String {
    TESTER_NODE.to_string()
}

/// A peer's role or term changed at `time`; the values from then on. A new term without a role
/// means the peer follows in it (it saw the term from someone else).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub time: u64,
    pub peer: String,
    /// `leader`, `candidate` or `follower` (others are shown as they are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<u64>,
}

/// A run's annotations and role changes, each in time order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeline {
    #[serde(default)]
    pub annotations: Vec<Annotation>,
    #[serde(default)]
    pub roles: Vec<RoleChange>,
}

impl Timeline {
    pub fn is_empty(&self) -> bool {
        self.annotations.is_empty() && self.roles.is_empty()
    }
}
