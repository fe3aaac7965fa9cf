//! The events a picture of a run needs, kept in memory while the run lasts: annotations, and each
//! node's role and term changes. The trace subscriber ([`crate::trace`]) records them on the
//! simulation's thread; the run's end hooks ([`crate::runner::RunEnd`]) read them.
//!
//! Conventions, for any code that traces (the testers, and the implementation under test, which
//! needs no dependency beyond `tracing`):
//! - An event with a field named `annotation` is kept whole, at any level: its virtual time, its
//!   node and every field as text (the message as `message`). What the fields mean is the
//!   reader's business (the test layer documents `band`, `end` and `peer`).
//! - An event with a field named `role` (`"leader"`, `"candidate"` or `"follower"`) declares the
//!   role its node has from that instant; `term` on any event is read as its node's current term.
//!   A change of either is kept; repeats are not, so a chatty peer costs nothing here.
//!
//! Only events from crates the trace covers count (not the simulator's own), and role and term
//! are read from events at DEBUG and above, like the trace; annotations at any level.

use std::collections::BTreeMap;

/// The field that makes an event an annotation.
pub const ANNOTATION: &str = "annotation";
/// The field declaring a node's role.
pub const ROLE: &str = "role";
/// The field holding a node's current term.
pub const TERM: &str = "term";

/// At most this many marks are kept per run; later ones are counted as dropped. Far above what
/// testers emit, it bounds the memory an implementation annotating in a hot loop can take.
pub const MAX_MARKS: usize = 200_000;

/// What happened at one instant on one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MarkKind {
    /// An annotation: all the event's fields, in the order they were written.
    Annotation(Vec<(String, String)>),
    /// The node's role or term changed; the values from now on (`None`: not known yet).
    Role {
        role: Option<String>,
        term: Option<u64>,
    },
}

/// One kept event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub t_ns: u64,
    pub node: String,
    pub kind: MarkKind,
}

/// A run's marks in the order they happened, and how many did not fit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    pub marks: Vec<Mark>,
    pub dropped: u64,
    /// Per node: the role and term last kept.
    current: BTreeMap<String, (Option<String>, Option<u64>)>,
}

impl Timeline {
    fn push(&mut self, mark: Mark) {
        if self.marks.len() < MAX_MARKS {
            self.marks.push(mark);
        } else {
            self.dropped += 1;
        }
    }

    /// Keeps an annotation.
    pub(crate) fn annotate(&mut self, t_ns: u64, node: &str, fields: Vec<(String, String)>) {
        self.push(Mark {
            t_ns,
            node: node.to_string(),
            kind: MarkKind::Annotation(fields),
        });
    }

    /// Notes what an event said about its node's role and term; keeps a mark if either changed.
    pub(crate) fn observe(
        &mut self,
        t_ns: u64,
        node: &str,
        role: Option<String>,
        term: Option<u64>,
    ) {
        let (known_role, known_term) = match self.current.get(node) {
            Some(c) => c.clone(),
            None => (None, None),
        };
        let role_changed = role.is_some() && role != known_role;
        let term_changed = term.is_some() && term != known_term;
        if !role_changed && !term_changed {
            return;
        }
        // A new term without a declared role leaves the role unknown: the reader decides.
        let role = if role.is_some() {
            role
        } else if term_changed {
            None
        } else {
            known_role
        };
        let term = term.or(known_term);
        self.current.insert(node.to_string(), (role.clone(), term));
        self.push(Mark {
            t_ns,
            node: node.to_string(),
            kind: MarkKind::Role { role, term },
        });
    }

    /// Forgets what is known of `node`'s role and term (it restarted as a fresh node).
    pub fn forget(&mut self, node: &str) {
        self.current.remove(node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(t: &Timeline) -> Vec<(u64, &str, Option<&str>, Option<u64>)> {
        t.marks
            .iter()
            .filter_map(|m| match &m.kind {
                MarkKind::Role { role, term } => {
                    Some((m.t_ns, m.node.as_str(), role.as_deref(), *term))
                }
                MarkKind::Annotation(_) => None,
            })
            .collect()
    }

    #[test]
    fn only_changes_of_role_or_term_are_kept() {
        let mut t = Timeline::default();
        t.observe(1, "raft-0", None, Some(1));
        t.observe(2, "raft-0", None, Some(1));
        t.observe(3, "raft-0", Some("candidate".into()), Some(2));
        t.observe(4, "raft-0", Some("leader".into()), Some(2));
        t.observe(5, "raft-0", None, Some(2));
        t.observe(6, "raft-1", None, Some(2));
        t.observe(7, "raft-0", None, Some(3));
        assert_eq!(
            roles(&t),
            [
                (1, "raft-0", None, Some(1)),
                (3, "raft-0", Some("candidate"), Some(2)),
                (4, "raft-0", Some("leader"), Some(2)),
                (6, "raft-1", None, Some(2)),
                (7, "raft-0", None, Some(3)),
            ]
        );
    }

    #[test]
    fn marks_beyond_the_cap_are_counted_not_kept() {
        let mut t = Timeline::default();
        for i in 0..MAX_MARKS as u64 + 3 {
            t.annotate(i, "main", vec![("annotation".into(), "x".into())]);
        }
        assert_eq!((t.marks.len(), t.dropped), (MAX_MARKS, 3));
    }
}
