//! What the core reports in the trace, where the trace viewer, the demo's story and a person
//! debugging read it: each batch handed to the applier, and the alarm of a leader overwriting a
//! committed entry (raised for that alone).

use super::*;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// One event as the test sees it: its level, message and other fields, as text.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    level: Level,
    message: String,
    fields: Vec<(&'static str, String)>,
}

impl Seen {
    fn field(&self, name: &str) -> Option<&str> {
        let mut found = self.fields.iter().filter(|(n, _)| *n == name);
        found.next().map(|(_, value)| value.as_str())
    }
}

/// A subscriber that keeps every event; spans are not needed by the pure core.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Seen>>>);

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut seen = Seen {
            level: *event.metadata().level(),
            message: String::new(),
            fields: Vec::new(),
        };
        event.record(&mut seen);
        self.0.lock().unwrap().push(seen);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

impl Visit for Seen {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.fields.push((field.name(), format!("{value:?}")));
        }
    }
}

/// Runs `f`, returning what it returned and the events it emitted with `message`.
fn traced<T>(message: &str, f: impl FnOnce() -> T) -> (T, Vec<Seen>) {
    let recorder = Recorder::default();
    let out = tracing::subscriber::with_default(recorder.clone(), f);
    let seen = recorder.0.lock().unwrap().clone();
    (
        out,
        seen.into_iter().filter(|s| s.message == message).collect(),
    )
}

/// Every batch handed to the applier is traced once, with how many entries and the last index;
/// a call that hands over nothing traces nothing.
#[test]
fn each_applied_batch_is_traced_with_its_last_index() {
    let mut core = follower(1, 3, 1, &[1, 1, 1]);
    core.handle_append_entries(ms(1), append_args(1, (3, 1), &[], 3));
    for (max, applied, upto) in [(2, 2, "2"), (2, 1, "3")] {
        let (batch, events) = traced("applying", || core.take_applies(max));
        assert_eq!(batch.len(), applied);
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].field("upto"), Some(upto));
        assert_eq!(events[0].field("n"), Some(applied.to_string().as_str()));
    }
    let (batch, events) = traced("applying", || core.take_applies(2));
    assert!(batch.is_empty());
    assert_eq!(events, [], "nothing applied, nothing traced");
}

/// Replacing an uncommitted entry is ordinary (Rule 3); replacing a committed one would break
/// State Machine Safety, and is the one that raises the alarm.
#[test]
fn only_overwriting_a_committed_entry_raises_the_alarm() {
    const ALARM: &str = "leader would overwrite a committed entry";
    let mut core = follower(1, 3, 1, &[1, 1, 1]);
    core.handle_append_entries(ms(1), append_args(1, (1, 1), &[], 1));
    assert_eq!(core.commit_index(), 1);
    let (_, events) = traced(ALARM, || {
        core.handle_append_entries(ms(2), append_args(2, (1, 1), &[(2, 2)], 1))
    });
    assert_eq!(events, [], "index 2 was not committed");
    assert_eq!(terms_of(core.log()), [1, 2]);
    let (_, events) = traced(ALARM, || {
        core.handle_append_entries(ms(3), append_args(3, (0, 0), &[(1, 3)], 1))
    });
    assert_eq!(events.len(), 1, "index 1 was committed");
    assert_eq!(events[0].level, Level::ERROR);
    assert_eq!(events[0].field("index"), Some("1"));
}
