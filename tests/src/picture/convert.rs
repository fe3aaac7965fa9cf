//! The simulation's timeline (trace events) as the checker's (annotations and role changes), by
//! the field conventions of the module above.

use checker::{Annotation, RoleChange, Timeline};
use sim::timeline::{Mark, MarkKind};

/// The fields an annotation's meaning comes from; the rest go to its details.
const STRUCTURE: [&str; 5] = ["annotation", "band", "end", "peer", "down"];

pub(super) fn timeline(sim: &sim::timeline::Timeline) -> Timeline {
    let mut out = Timeline::default();
    for mark in &sim.marks {
        match &mark.kind {
            MarkKind::Annotation(fields) => out.annotations.push(annotation(mark, fields)),
            MarkKind::Role { role, term } if mark.node != sim::trace::MAIN_NODE => {
                out.roles.push(RoleChange {
                    time: mark.t_ns,
                    peer: mark.node.clone(),
                    role: role.clone(),
                    term: *term,
                })
            }
            MarkKind::Role { .. } => {}
        }
    }
    if sim.dropped > 0 {
        out.annotations.push(Annotation {
            time: sim.marks.last().map_or(0, |m| m.t_ns),
            text: format!(
                "{} more annotations and role changes were not kept",
                sim.dropped
            ),
            ..Annotation::default()
        });
    }
    out
}

fn annotation(mark: &Mark, fields: &[(String, String)]) -> Annotation {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let yes = |name: &str| get(name).is_some_and(|v| v == "true");
    Annotation {
        time: mark.t_ns,
        node: mark.node.clone(),
        text: get("annotation").unwrap_or_default(),
        band: get("band"),
        end: yes("end"),
        peer: get("peer"),
        down: yes("down"),
        details: fields
            .iter()
            .filter(|(k, _)| !STRUCTURE.contains(&k.as_str()) && k != "topic")
            .cloned()
            .collect(),
    }
}
