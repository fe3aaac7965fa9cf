//! The run's part of the picture, from its timeline: fault bands, each peer's role and term over
//! time, and point annotations.

use crate::timeline::{Annotation, RoleChange, TESTER_NODE, Timeline};
use serde::Serialize;
use std::collections::BTreeMap;

/// A state of the run drawn across the picture from `from` to `to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(super) struct Band {
    pub name: String,
    pub text: String,
    pub from: u64,
    pub to: u64,
    pub peer: Option<String>,
    pub down: bool,
    /// The annotations that opened and closed it, for its tooltip.
    pub details: Vec<String>,
}

/// A stretch of one peer's life: a role in a term, or down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(super) struct Segment {
    pub from: u64,
    pub to: u64,
    /// `leader`, `candidate`, `follower`, another declared role, or `down`.
    pub role: String,
    pub term: Option<u64>,
}

/// One peer's lane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(super) struct Peer {
    pub name: String,
    pub segments: Vec<Segment>,
}

/// An annotation without a band: a mark at one instant, on its node's lane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(super) struct Mark {
    pub time: u64,
    /// The lane: [`TESTER_NODE`] or a peer.
    pub lane: String,
    pub text: String,
    pub details: Vec<String>,
}

pub(super) struct RunPart {
    pub bands: Vec<Band>,
    pub peers: Vec<Peer>,
    pub marks: Vec<Mark>,
}

/// `a`'s description in a tooltip: its text, and where and when it was traced.
fn describe(a: &Annotation) -> String {
    let mut text = format!("{:.6}s {}: {}", secs(a.time), a.node, a.text);
    for (k, v) in &a.details {
        text.push_str(&format!("\n  {k} = {v}"));
    }
    text
}

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

pub(super) fn run_part(timeline: &Timeline, end: u64) -> RunPart {
    let mut annotations: Vec<&Annotation> = timeline.annotations.iter().collect();
    annotations.sort_by_key(|a| a.time);
    let bands = bands(&annotations, end);
    let marks = annotations
        .iter()
        .filter(|a| a.band.is_none())
        .map(|a| Mark {
            time: a.time,
            lane: a.peer.clone().unwrap_or_else(|| a.node.clone()),
            text: a.text.clone(),
            details: vec![describe(a)],
        })
        .collect();
    let peers = peers(&timeline.roles, &bands, &annotations, end);
    RunPart {
        bands,
        peers,
        marks,
    }
}

/// Each band from the annotation that opens it to the next of the same name (or the end).
fn bands(annotations: &[&Annotation], end: u64) -> Vec<Band> {
    let mut open: BTreeMap<&str, Band> = BTreeMap::new();
    let mut done = Vec::new();
    for a in annotations {
        let Some(name) = a.band.as_deref() else {
            continue;
        };
        if let Some(mut band) = open.remove(name) {
            band.to = a.time;
            band.details.push(describe(a));
            done.push(band);
        }
        if !a.end {
            open.insert(
                name,
                Band {
                    name: name.to_string(),
                    text: a.text.clone(),
                    from: a.time,
                    to: end.max(a.time),
                    peer: a.peer.clone(),
                    down: a.down && a.peer.is_some(),
                    details: vec![describe(a)],
                },
            );
        }
    }
    done.extend(open.into_values());
    done.sort_by(|a, b| (a.from, &a.name).cmp(&(b.from, &b.name)));
    done
}

/// Every peer named by a role change or an annotation, in natural order (raft-2 before
/// raft-10), each with its role segments cut by the bands that say it was down.
fn peers(roles: &[RoleChange], bands: &[Band], annotations: &[&Annotation], end: u64) -> Vec<Peer> {
    let mut names: Vec<&str> = roles.iter().map(|r| r.peer.as_str()).collect();
    names.extend(annotations.iter().filter_map(|a| a.peer.as_deref()));
    names.extend(
        annotations
            .iter()
            .map(|a| a.node.as_str())
            .filter(|n| *n != TESTER_NODE),
    );
    names.sort_by_key(|name| natural_key(name));
    names.dedup();
    names
        .into_iter()
        .map(|name| Peer {
            name: name.to_string(),
            segments: segments(name, roles, bands, end),
        })
        .collect()
}

/// `raft-10` as ("raft-", 10, ""), so numbered names sort by number.
fn natural_key(name: &str) -> (String, u64, String) {
    let start = name
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(name.len());
    let digits = name[start..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(name.len(), |i| start + i);
    let number = name[start..digits].parse().unwrap_or(0);
    (
        name[..start].to_string(),
        number,
        name[digits..].to_string(),
    )
}

fn segments(name: &str, roles: &[RoleChange], bands: &[Band], end: u64) -> Vec<Segment> {
    let mut changes: Vec<&RoleChange> = roles.iter().filter(|r| r.peer == name).collect();
    changes.sort_by_key(|r| r.time);
    let downs: Vec<(u64, u64)> = bands
        .iter()
        .filter(|b| b.down && b.peer.as_deref() == Some(name))
        .map(|b| (b.from, b.to))
        .collect();
    let mut out: Vec<Segment> = Vec::new();
    let mut push = |from: u64, to: u64, role: String, term: Option<u64>| {
        if to > from {
            out.push(Segment {
                from,
                to,
                role,
                term,
            });
        }
    };
    // What the peer is from each change on, until the next change, a crash or the end. A crash
    // ends what it knew: after its restart it has no role until it traces one.
    let mut current: Option<(u64, String, Option<u64>)> = None;
    let mut events: Vec<(u64, u8, usize)> = Vec::new();
    for (i, &(from, to)) in downs.iter().enumerate() {
        events.push((from, 0, i));
        events.push((to, 1, i));
    }
    for (i, c) in changes.iter().enumerate() {
        events.push((c.time, 2, i));
    }
    events.sort_unstable();
    let mut down_until: Option<u64> = None;
    for (time, kind, i) in events {
        match kind {
            0 => {
                if let Some((from, role, term)) = current.take() {
                    push(from, time, role, term);
                }
                let to = downs[i].1;
                down_until = Some(down_until.map_or(to, |d| d.max(to)));
                push(time, to, "down".into(), None);
            }
            1 => {
                if down_until == Some(time) {
                    down_until = None;
                }
            }
            _ => {
                if down_until.is_some() {
                    continue;
                }
                let c = changes[i];
                let (role, term) = match &current {
                    Some((_, known, known_term)) => (
                        // A new term without a role: the peer follows in it.
                        c.role.clone().unwrap_or_else(|| {
                            if c.term != *known_term {
                                "follower".into()
                            } else {
                                known.clone()
                            }
                        }),
                        c.term.or(*known_term),
                    ),
                    None => (c.role.clone().unwrap_or_else(|| "follower".into()), c.term),
                };
                if let Some((from, r, t)) = current.take() {
                    push(from, time, r, t);
                }
                current = Some((time, role, term));
            }
        }
    }
    if let Some((from, role, term)) = current {
        push(from, end.max(from), role, term);
    }
    // Touching segments of the same role and term are one.
    out.dedup_by(|b, a| {
        if a.to == b.from && a.role == b.role && a.term == b.term {
            a.to = b.to;
            true
        } else {
            false
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(time: u64, text: &str, band: Option<&str>, end: bool) -> Annotation {
        Annotation {
            time,
            node: TESTER_NODE.into(),
            text: text.into(),
            band: band.map(str::to_string),
            end,
            ..Annotation::default()
        }
    }

    fn role(time: u64, peer: &str, role: Option<&str>, term: u64) -> RoleChange {
        RoleChange {
            time,
            peer: peer.into(),
            role: role.map(str::to_string),
            term: Some(term),
        }
    }

    #[test]
    fn a_band_lasts_until_the_next_annotation_of_its_name_or_the_end() {
        let timeline = Timeline {
            annotations: vec![
                note(10, "partition [0] [1 2]", Some("network"), false),
                note(15, "begin", None, false),
                note(20, "partition [0 1] [2]", Some("network"), false),
                note(30, "connect all", Some("network"), true),
                note(40, "unreliable", Some("reliability"), false),
            ],
            roles: vec![],
        };
        let part = run_part(&timeline, 100);
        let spans: Vec<(&str, &str, u64, u64)> = part
            .bands
            .iter()
            .map(|b| (b.name.as_str(), b.text.as_str(), b.from, b.to))
            .collect();
        assert_eq!(
            spans,
            [
                ("network", "partition [0] [1 2]", 10, 20),
                ("network", "partition [0 1] [2]", 20, 30),
                ("reliability", "unreliable", 40, 100),
            ]
        );
        assert_eq!(part.marks.len(), 1);
        assert_eq!(
            (part.marks[0].time, part.marks[0].lane.as_str()),
            (15, "main")
        );
    }

    #[test]
    fn roles_follow_declarations_and_terms_and_a_crash_cuts_them() {
        let mut crash = note(50, "crash raft-1", Some("raft-1 crashed"), false);
        crash.peer = Some("raft-1".into());
        crash.down = true;
        let mut restart = note(70, "restart raft-1", Some("raft-1 crashed"), true);
        restart.peer = Some("raft-1".into());
        let timeline = Timeline {
            annotations: vec![crash, restart],
            roles: vec![
                role(0, "raft-1", None, 0),
                role(10, "raft-1", Some("candidate"), 1),
                role(20, "raft-1", Some("leader"), 1),
                role(60, "raft-1", None, 2), // a dead peer says nothing; ignored
                role(80, "raft-1", None, 1),
                role(90, "raft-1", None, 3),
                role(5, "raft-10", Some("candidate"), 1),
                role(6, "raft-2", None, 1),
            ],
        };
        let part = run_part(&timeline, 100);
        let names: Vec<&str> = part.peers.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["raft-1", "raft-2", "raft-10"]);
        let segs: Vec<(u64, u64, &str, Option<u64>)> = part.peers[0]
            .segments
            .iter()
            .map(|s| (s.from, s.to, s.role.as_str(), s.term))
            .collect();
        assert_eq!(
            segs,
            [
                (0, 10, "follower", Some(0)),
                (10, 20, "candidate", Some(1)),
                (20, 50, "leader", Some(1)),
                (50, 70, "down", None),
                (80, 90, "follower", Some(1)),
                (90, 100, "follower", Some(3)),
            ]
        );
    }
}
