//! The JSON file `check-history` reads and the testers write: a history, alone or with what else
//! happened in its run.
//!
//! Two forms are accepted:
//! - the original one, a bare array of operations (see [`crate::history`]);
//! - an object `{"operations": [...], "annotations": [...], "roles": [...]}`, where
//!   `annotations` and `roles` are optional: each annotation is
//!   `{"time": ns, "node": str, "text": str, "band": str, "end": bool, "peer": str,
//!   "down": bool, "details": {str: str}}` (only `time` and `text` required; `node` defaults to the tester's,
//!   "main"), and each role change `{"time": ns, "peer": str, "role": "leader"|"candidate"|
//!   "follower", "term": u64}` (`role` and `term` optional). See [`crate::timeline`].

use crate::history::{History, HistoryError, ops_from_values, ops_to_json};
use crate::timeline::{Annotation, RoleChange, Timeline};
use serde::Deserialize;
use std::path::Path;

/// A history and its run's timeline.
#[derive(Clone, Debug, Default)]
pub struct Record {
    pub history: History,
    pub timeline: Timeline,
}

/// The object form, its operations parsed one by one so an error names its index.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireRecord {
    operations: Vec<serde_json::Value>,
    #[serde(default)]
    annotations: Vec<Annotation>,
    #[serde(default)]
    roles: Vec<RoleChange>,
}

impl Record {
    /// Parses and validates either form.
    pub fn from_json(text: &str) -> Result<Record, HistoryError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            HistoryError::whole(format!(
                "not a JSON array of operations, nor an object holding them: {e}"
            ))
        })?;
        let (ops, timeline) = match value {
            serde_json::Value::Array(ops) => (ops, Timeline::default()),
            object @ serde_json::Value::Object(_) => {
                let wire: WireRecord = serde_json::from_value(object).map_err(|e| {
                    HistoryError::whole(format!(
                        "not a JSON array of operations, nor a history object: {e}"
                    ))
                })?;
                let timeline = Timeline {
                    annotations: wire.annotations,
                    roles: wire.roles,
                };
                (wire.operations, timeline)
            }
            _ => {
                return Err(HistoryError::whole(
                    "not a JSON array of operations, nor an object holding them".into(),
                ));
            }
        };
        Ok(Record {
            history: History::from_ops(ops_from_values(ops)?),
            timeline,
        })
    }

    /// Reads and validates a file of either form.
    pub fn read_file(path: &Path) -> Result<Record, HistoryError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| HistoryError::whole(format!("cannot read {}: {e}", path.display())))?;
        Record::from_json(&text)
    }

    /// The JSON text: a bare array when there is no timeline (the original form), else the object.
    pub fn to_json(&self) -> String {
        self.history
            .with_ops(|ops| record_json(ops, &self.timeline))
    }
}

/// The JSON of `ops` with `timeline`, as [`Record::to_json`] writes it.
pub fn record_json(ops: &[crate::Operation], timeline: &Timeline) -> String {
    let ops = ops_to_json(ops);
    if timeline.is_empty() {
        return ops;
    }
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "[]".to_string()
        } else {
            format!("[\n  {}\n]", items.join(",\n  "))
        }
    };
    // Plain strings, numbers and maps of strings cannot fail to serialize.
    let annotations = timeline
        .annotations
        .iter()
        .map(|a| serde_json::to_string(a).unwrap_or_default())
        .collect();
    let roles = timeline
        .roles
        .iter()
        .map(|r| serde_json::to_string(r).unwrap_or_default())
        .collect();
    format!(
        "{{\"operations\": {},\n\"annotations\": {},\n\"roles\": {}}}\n",
        ops.trim_end(),
        list(annotations),
        list(roles)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OpMeta, Operation};

    #[test]
    fn a_record_round_trips_and_a_bare_array_still_reads() {
        let history = History::from_ops(vec![
            Operation::put(1, 0, 10, "k", "v").with_meta(OpMeta {
                server: Some("kv-2".into()),
                term: Some(3),
                retries: Some(1),
            }),
            Operation::get(2, 5, 15, "k", "v"),
        ]);
        let timeline = Timeline {
            annotations: vec![Annotation {
                time: 4,
                node: "main".into(),
                text: "partition [0 1] [2]".into(),
                band: Some("network".into()),
                ..Annotation::default()
            }],
            roles: vec![RoleChange {
                time: 1,
                peer: "kv-0".into(),
                role: Some("leader".into()),
                term: Some(3),
            }],
        };
        let record = Record {
            history: history.clone(),
            timeline: timeline.clone(),
        };
        let json = record.to_json();
        assert!(
            json.contains(r#""meta":{"server":"kv-2","term":3,"retries":1}"#),
            "{json}"
        );
        let back = Record::from_json(&json).unwrap();
        assert_eq!(back.history.snapshot(), history.snapshot());
        assert_eq!(back.timeline, timeline);
        // Without a timeline the original form is written, and read.
        let bare = Record {
            history: history.clone(),
            timeline: Timeline::default(),
        }
        .to_json();
        assert!(bare.starts_with('['), "{bare}");
        assert_eq!(
            History::from_json(&bare).unwrap().snapshot(),
            history.snapshot()
        );
        // A minimal annotation needs only its time and text.
        let minimal = r#"{"operations": [], "annotations": [{"time": 5, "text": "crash"}]}"#;
        let r = Record::from_json(minimal).unwrap();
        assert_eq!(r.timeline.annotations[0].node, "main");
    }

    #[test]
    fn bad_records_say_why() {
        let err = |t: &str| Record::from_json(t).unwrap_err().to_string();
        assert!(err("5").contains("nor an object"));
        assert!(err(r#"{"ops": []}"#).contains("nor a history object"));
        assert!(err(r#"{"operations": [], "annotations": [{"text": "x"}]}"#).contains("time"));
        let bad_op = r#"{"operations": [{"client": 1}]}"#;
        assert!(err(bad_op).starts_with("operation 0:"), "{}", err(bad_op));
        let bad_meta = r#"[{"client":1,"call":1,"return":2,"op":"put","key":"k","value":"v","output":"","meta":{"who":1}}]"#;
        assert!(err(bad_meta).contains("who"), "{}", err(bad_meta));
    }
}
