//! Reading a JSON-lines trace written under `RAFT_LAB_TRACE`: a header line `{"run": .., "seed": ..}`
//! per run, then one object per event with `t_ns`, `node`, `level`, `target`, `msg` and the event's
//! own fields (`topic`, `term`, ...). Lines that are not such objects are counted, never fatal.

use serde_json::{Map, Value};
use std::io::{self, BufRead};

/// One traced event, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub t_ns: u64,
    pub node: String,
    pub level: String,
    pub topic: Option<String>,
    pub term: Option<i64>,
    /// The message followed by the remaining fields as `key=value`.
    pub text: String,
}

/// A line of the trace.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// The start of a run.
    Run {
        name: String,
        seed: Option<u64>,
    },
    Event(Event),
}

/// A whole trace file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    pub entries: Vec<Entry>,
    /// Lines that were neither a run header nor an event.
    pub malformed: usize,
}

impl Trace {
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Event(ev) => Some(ev),
            Entry::Run { .. } => None,
        })
    }
}

/// Fields shown elsewhere than in the event's text.
const STRUCTURAL: &[&str] = &["t_ns", "node", "level", "target", "topic", "term", "msg"];

/// Reads a trace; only I/O errors fail, bad lines are counted in `malformed`.
pub fn read(mut input: impl BufRead) -> io::Result<Trace> {
    let mut trace = Trace::default();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let Ok(line) = std::str::from_utf8(&buf) else {
            trace.malformed += 1;
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line) {
            Some(entry) => trace.entries.push(entry),
            None => trace.malformed += 1,
        }
    }
    Ok(trace)
}

/// One line of a trace, or `None` when it is not one.
pub fn parse_line(line: &str) -> Option<Entry> {
    let Value::Object(obj) = serde_json::from_str::<Value>(line).ok()? else {
        return None;
    };
    if !obj.contains_key("t_ns")
        && let Some(name) = obj.get("run")
    {
        return Some(Entry::Run {
            name: plain(name),
            seed: obj.get("seed").and_then(Value::as_u64),
        });
    }
    let t_ns = obj.get("t_ns")?.as_u64()?;
    let node = obj.get("node")?.as_str()?.to_string();
    Some(Entry::Event(Event {
        t_ns,
        node,
        level: obj.get("level").map(plain).unwrap_or_default(),
        topic: obj.get("topic").map(plain),
        term: obj.get("term").and_then(|t| {
            t.as_i64()
                .or_else(|| t.as_str().and_then(|s| s.parse().ok()))
        }),
        text: text_of(&obj),
    }))
}

/// A JSON value as it reads best: strings without quotes, everything else as JSON.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn text_of(obj: &Map<String, Value>) -> String {
    let mut text = obj.get("msg").map(plain).unwrap_or_default();
    for (k, v) in obj {
        if STRUCTURAL.contains(&k.as_str()) {
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(k);
        text.push('=');
        text.push_str(&plain(v));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_events_and_junk() {
        let input = concat!(
            "{\"run\":\"initial_election_2a\",\"seed\":7}\n",
            "{\"t_ns\":1500000,\"node\":\"raft-1\",\"level\":\"DEBUG\",\"target\":\"raft::election\",",
            "\"msg\":\"became candidate\",\"topic\":\"vote\",\"term\":3,\"votes\":1,\"why\":\"timeout\"}\n",
            "\n",
            "not json\n",
            "[1,2]\n",
            "{\"t_ns\":\"soon\",\"node\":\"raft-0\"}\n",
            "{\"t_ns\":5,\"node\":\"main\",\"term\":\"2\"}\n",
        );
        let trace = read(input.as_bytes()).unwrap();
        assert_eq!(trace.malformed, 3);
        assert_eq!(
            trace.entries[0],
            Entry::Run {
                name: "initial_election_2a".into(),
                seed: Some(7)
            }
        );
        let events: Vec<&Event> = trace.events().collect();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].t_ns, 1_500_000);
        assert_eq!(events[0].node, "raft-1");
        assert_eq!(events[0].topic.as_deref(), Some("vote"));
        assert_eq!(events[0].term, Some(3));
        assert_eq!(events[0].text, "became candidate votes=1 why=timeout");
        assert_eq!(events[1].term, Some(2));
        assert_eq!(events[1].topic, None);
    }

    #[test]
    fn invalid_utf8_is_counted_not_fatal() {
        let mut input = b"{\"t_ns\":1,\"node\":\"main\",\"msg\":\"ok\"}\n".to_vec();
        input.extend_from_slice(b"\xff\xfe\n");
        let trace = read(&input[..]).unwrap();
        assert_eq!(trace.malformed, 1);
        assert_eq!(trace.events().count(), 1);
    }
}
