//! Histories of KV operations: the in-memory record tests append to, and the JSON form that
//! `check-history` reads.
//!
//! JSON: an array of `{"client": u64, "call": u64, "return": u64, "op": "get"|"put"|"append",
//! "key": str, "value": str, "output": str}`, times in ns; `value` is empty for a get, `output`
//! empty for a put or append.
//!
//! A versioned history (the current course's KV) adds two fields to every operation:
//! `"version": u64` (a put: the version it was conditional on; a get: the version it returned) and
//! `"err": "OK"|"ErrNoKey"|"ErrVersion"|"ErrMaybe"|"ErrWrongLeader"|"ErrWrongGroup"`. Its ops are
//! gets and puts only, and a history is all versioned or not at all. Without the two fields the
//! format is the 2023 one, unchanged.
//!
//! Any operation may add `"meta": {"server": str, "term": u64, "retries": u64}` (each optional):
//! which server answered it, in which term, and how many times the clerk retried. The checker
//! ignores it; the picture shows it. A whole file may also be an object holding the operations
//! with what else happened in the run: see [`crate::record`].

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// Which KV operation was called.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpKind {
    Get,
    Put,
    Append,
}

impl OpKind {
    /// The name used in JSON and in the visualization.
    pub fn name(self) -> &'static str {
        match self {
            OpKind::Get => "get",
            OpKind::Put => "put",
            OpKind::Append => "append",
        }
    }

    fn from_name(name: &str) -> Option<OpKind> {
        match name {
            "get" => Some(OpKind::Get),
            "put" => Some(OpKind::Put),
            "append" => Some(OpKind::Append),
            _ => None,
        }
    }
}

/// What a versioned operation returned: the course's `Err`, with `Ok` for `OK`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KvErr {
    Ok,
    NoKey,
    Version,
    Maybe,
    WrongLeader,
    WrongGroup,
}

impl KvErr {
    const ALL: [KvErr; 6] = [
        KvErr::Ok,
        KvErr::NoKey,
        KvErr::Version,
        KvErr::Maybe,
        KvErr::WrongLeader,
        KvErr::WrongGroup,
    ];

    /// The course's name: `OK`, `ErrNoKey`, `ErrVersion`, `ErrMaybe`, `ErrWrongLeader`,
    /// `ErrWrongGroup`.
    pub fn name(self) -> &'static str {
        match self {
            KvErr::Ok => "OK",
            KvErr::NoKey => "ErrNoKey",
            KvErr::Version => "ErrVersion",
            KvErr::Maybe => "ErrMaybe",
            KvErr::WrongLeader => "ErrWrongLeader",
            KvErr::WrongGroup => "ErrWrongGroup",
        }
    }

    /// The error of that name.
    pub fn from_name(name: &str) -> Option<KvErr> {
        KvErr::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// The versioned part of an operation of the current course's KV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Versioned {
    /// A put: the version it was conditional on. A get: the version it returned.
    pub version: u64,
    pub err: KvErr,
}

/// What a client asked for. `value` is empty for a get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvInput {
    pub op: OpKind,
    pub key: String,
    pub value: String,
}

/// What the tester saw of how an operation was served; every part optional. Not checked, shown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpMeta {
    /// The server whose reply the clerk returned (the last reply it received).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// That server's term when the operation returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<u64>,
    /// RPCs the clerk sent beyond the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<u64>,
}

impl OpMeta {
    pub fn is_empty(&self) -> bool {
        self == &OpMeta::default()
    }
}

/// One completed client operation: its input, what it returned (the value a get read; empty for
/// put and append), and when it was called and returned (ns on one clock, e.g. virtual time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    pub client: u64,
    pub call: u64,
    pub ret: u64,
    pub input: KvInput,
    pub output: String,
    /// Present exactly in the ops of a versioned history (checked by the versioned model).
    pub versioned: Option<Versioned>,
    /// How it was served, when the tester knows (boxed: most histories carry none, and a KV
    /// test records tens of thousands of operations).
    pub meta: Option<Box<OpMeta>>,
}

impl Operation {
    /// This operation with `meta` attached (nothing, if `meta` is empty).
    pub fn with_meta(mut self, meta: OpMeta) -> Operation {
        self.meta = (!meta.is_empty()).then(|| Box::new(meta));
        self
    }

    /// A get of `key` that read `output`.
    pub fn get(client: u64, call: u64, ret: u64, key: &str, output: &str) -> Operation {
        Operation::new(client, call, ret, OpKind::Get, key, "", output)
    }

    /// A put of `value` to `key`.
    pub fn put(client: u64, call: u64, ret: u64, key: &str, value: &str) -> Operation {
        Operation::new(client, call, ret, OpKind::Put, key, value, "")
    }

    /// An append of `value` to `key`.
    pub fn append(client: u64, call: u64, ret: u64, key: &str, value: &str) -> Operation {
        Operation::new(client, call, ret, OpKind::Append, key, value, "")
    }

    /// A versioned get of `key` that returned (`value`, `version`, `err`).
    pub fn versioned_get(
        client: u64,
        call: u64,
        ret: u64,
        key: &str,
        (value, version, err): (&str, u64, KvErr),
    ) -> Operation {
        let mut op = Operation::new(client, call, ret, OpKind::Get, key, "", value);
        op.versioned = Some(Versioned { version, err });
        op
    }

    /// A versioned put of `value` to `key`, conditional on `version`, that returned `err`.
    pub fn versioned_put(
        client: u64,
        call: u64,
        ret: u64,
        key: &str,
        (value, version): (&str, u64),
        err: KvErr,
    ) -> Operation {
        let mut op = Operation::new(client, call, ret, OpKind::Put, key, value, "");
        op.versioned = Some(Versioned { version, err });
        op
    }

    fn new(
        client: u64,
        call: u64,
        ret: u64,
        op: OpKind,
        key: &str,
        value: &str,
        output: &str,
    ) -> Operation {
        Operation {
            client,
            call,
            ret,
            input: KvInput {
                op,
                key: key.to_string(),
                value: value.to_string(),
            },
            output: output.to_string(),
            versioned: None,
            meta: None,
        }
    }

    /// `get('k') -> 'v'`, `put('k', 'v')` or `append('k', 'v')`; versioned:
    /// `get('k') -> ('v', 3, OK)` or `put('k', 'v', 2) -> ErrMaybe`.
    pub fn describe(&self) -> String {
        self.describe_with(|s| s.to_string())
    }

    /// [`Operation::describe`] with every key and value passed through `text` (to abbreviate).
    pub(crate) fn describe_with(&self, text: impl Fn(&str) -> String) -> String {
        let key = text(&self.input.key);
        let (op, value, output) = (self.input.op, &self.input.value, &self.output);
        match (op, self.versioned) {
            (OpKind::Get, None) => format!("get('{key}') -> '{}'", text(output)),
            (_, None) => format!("{}('{key}', '{}')", op.name(), text(value)),
            (OpKind::Get, Some(v)) => format!(
                "get('{key}') -> ('{}', {}, {})",
                text(output),
                v.version,
                v.err.name()
            ),
            (_, Some(v)) => format!(
                "{}('{key}', '{}', {}) -> {}",
                op.name(),
                text(value),
                v.version,
                v.err.name()
            ),
        }
    }

    /// Why this operation cannot be part of a well-formed history, if it cannot.
    fn problem(&self) -> Option<String> {
        if self.ret < self.call {
            return Some(format!(
                "return ({}) is before call ({})",
                self.ret, self.call
            ));
        }
        match self.input.op {
            OpKind::Get if !self.input.value.is_empty() => {
                Some("a get must have an empty \"value\"".to_string())
            }
            OpKind::Put | OpKind::Append if !self.output.is_empty() => Some(format!(
                "a {} must have an empty \"output\"",
                self.input.op.name()
            )),
            OpKind::Append if self.versioned.is_some() => {
                Some("a versioned history has no appends".to_string())
            }
            _ => None,
        }
    }
}

/// Why a history could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryError {
    /// The index of the offending operation in the JSON array, when one is to blame.
    pub index: Option<usize>,
    pub message: String,
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "operation {i}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for HistoryError {}

impl HistoryError {
    pub(crate) fn whole(message: String) -> Self {
        HistoryError {
            index: None,
            message,
        }
    }
}

/// The exact JSON shape of one operation.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireOp {
    client: u64,
    call: u64,
    #[serde(rename = "return")]
    ret: u64,
    op: String,
    key: String,
    value: String,
    output: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    err: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    meta: Option<OpMeta>,
}

/// A shared, append-only record of operations. Cloning shares it, so every client task of a test
/// can hold a handle and [`History::record`] into the same list.
#[derive(Clone, Default, Debug)]
pub struct History {
    ops: Arc<Mutex<Vec<Operation>>>,
}

impl History {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_ops(ops: Vec<Operation>) -> Self {
        History {
            ops: Arc::new(Mutex::new(ops)),
        }
    }

    /// Appends one completed operation.
    pub fn record(&self, op: Operation) {
        self.lock().push(op);
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// A copy of the operations recorded so far, in recording order. Indices into this vector are
    /// the operation indices a check result refers to.
    pub fn snapshot(&self) -> Vec<Operation> {
        self.lock().clone()
    }

    /// Calls `f` with the operations recorded so far, in recording order, without copying them (a
    /// KV test's history can hold a hundred megabytes of read values). `f` must not use this
    /// history: it is locked meanwhile.
    pub fn with_ops<T>(&self, f: impl FnOnce(&[Operation]) -> T) -> T {
        f(&self.lock())
    }

    // A panic elsewhere while holding the lock cannot leave a half-pushed Vec, so a poisoned lock
    // is still safe to use.
    fn lock(&self) -> MutexGuard<'_, Vec<Operation>> {
        self.ops.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The history as a JSON array (one operation per line).
    pub fn to_json(&self) -> String {
        ops_to_json(&self.lock())
    }

    /// Parses and validates a history: a JSON array of operations, or a [`crate::record`]
    /// object (whose other parts are ignored here).
    pub fn from_json(text: &str) -> Result<History, HistoryError> {
        crate::record::Record::from_json(text).map(|r| r.history)
    }

    /// Reads and validates a JSON history file (either form, as [`History::from_json`]).
    pub fn read_file(path: &Path) -> Result<History, HistoryError> {
        crate::record::Record::read_file(path).map(|r| r.history)
    }

    /// Writes the history as JSON to `path`.
    pub fn write_file(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.to_json())
    }
}

pub(crate) fn ops_to_json(ops: &[Operation]) -> String {
    let mut out = String::from("[");
    for (i, op) in ops.iter().enumerate() {
        let wire = WireOp {
            client: op.client,
            call: op.call,
            ret: op.ret,
            op: op.input.op.name().to_string(),
            key: op.input.key.clone(),
            value: op.input.value.clone(),
            output: op.output.clone(),
            version: op.versioned.map(|v| v.version),
            err: op.versioned.map(|v| v.err.name().to_string()),
            meta: op.meta.as_deref().cloned(),
        };
        out.push_str(if i == 0 { "\n  " } else { ",\n  " });
        // Serializing plain strings and integers cannot fail.
        out.push_str(&serde_json::to_string(&wire).unwrap_or_default());
    }
    out.push_str("\n]\n");
    out
}

/// Validates a JSON array's elements as operations (an error names the operation's index).
pub(crate) fn ops_from_values(
    values: Vec<serde_json::Value>,
) -> Result<Vec<Operation>, HistoryError> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let at = |message: String| HistoryError {
                index: Some(i),
                message,
            };
            let wire: WireOp = serde_json::from_value(value).map_err(|e| at(e.to_string()))?;
            let kind = OpKind::from_name(&wire.op).ok_or_else(|| {
                at(format!(
                    "unknown op {:?} (expected \"get\", \"put\" or \"append\")",
                    wire.op
                ))
            })?;
            let versioned = match (wire.version, wire.err) {
                (None, None) => None,
                (Some(version), Some(err)) => {
                    let err = KvErr::from_name(&err).ok_or_else(|| {
                        at(format!(
                            "unknown err {err:?} (expected one of {})",
                            KvErr::ALL.map(KvErr::name).join(", ")
                        ))
                    })?;
                    Some(Versioned { version, err })
                }
                _ => {
                    return Err(at(
                        "a versioned operation has both \"version\" and \"err\"".to_string()
                    ));
                }
            };
            let op = Operation {
                client: wire.client,
                call: wire.call,
                ret: wire.ret,
                input: KvInput {
                    op: kind,
                    key: wire.key,
                    value: wire.value,
                },
                output: wire.output,
                versioned,
                meta: None,
            }
            .with_meta(wire.meta.unwrap_or_default());
            match op.problem() {
                Some(problem) => Err(at(problem)),
                None => Ok(op),
            }
        })
        .collect::<Result<Vec<Operation>, HistoryError>>()
        .and_then(one_model)
}

/// A history is checked by one model: either every operation is versioned or none is.
fn one_model(ops: Vec<Operation>) -> Result<Vec<Operation>, HistoryError> {
    let first = ops.first().map(|o| o.versioned.is_some());
    match ops
        .iter()
        .position(|o| Some(o.versioned.is_some()) != first)
    {
        None => Ok(ops),
        Some(i) => Err(HistoryError {
            index: Some(i),
            message: format!(
                "{} \"version\" and \"err\", unlike operation 0: a history is all versioned \
                 or not at all",
                if first == Some(true) { "lacks" } else { "has" }
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip() {
        let h = History::new();
        h.record(Operation::put(1, 0, 10, "a", "x\"<y>"));
        h.record(Operation::get(2, 5, 15, "a", "x\"<y>"));
        h.record(Operation::append(1, 20, 30, "b", "z"));
        let back = History::from_json(&h.to_json()).unwrap();
        assert_eq!(back.snapshot(), h.snapshot());
        assert_eq!(History::from_json("[]").unwrap().len(), 0);
    }

    #[test]
    fn invalid_json_is_an_error_naming_the_operation() {
        let err = |text: &str| History::from_json(text).unwrap_err().to_string();
        assert!(err("{").contains("not a JSON array"));
        assert!(err(r#"{"client": 1}"#).contains("not a JSON array"));
        let ok = r#"{"client":1,"call":1,"return":2,"op":"put","key":"k","value":"v","output":""}"#;
        let missing = r#"{"client":1,"call":1,"return":2,"op":"put","key":"k","value":"v"}"#;
        let e = err(&format!("[{ok},{missing}]"));
        assert!(e.starts_with("operation 1:") && e.contains("output"), "{e}");
        let backwards = ok.replace("\"call\":1", "\"call\":3");
        assert!(err(&format!("[{backwards}]")).contains("before call"));
        let unknown = ok.replace("\"put\"", "\"cas\"");
        assert!(err(&format!("[{unknown}]")).contains("unknown op \"cas\""));
        let extra = ok.replace("\"output\"", "\"extra\":0,\"output\"");
        assert!(err(&format!("[{extra}]")).contains("extra"));
        let get_value = ok.replace("\"put\"", "\"get\"");
        assert!(err(&format!("[{get_value}]")).contains("empty \"value\""));
        let negative = ok.replace("\"client\":1", "\"client\":-1");
        assert!(err(&format!("[{negative}]")).starts_with("operation 0:"));
    }

    #[test]
    fn versioned_json_round_trip_and_the_old_format_is_unchanged() {
        let h = History::new();
        h.record(Operation::versioned_put(
            1,
            0,
            10,
            "a",
            ("x", 0),
            KvErr::Maybe,
        ));
        h.record(Operation::versioned_get(2, 5, 15, "a", ("x", 1, KvErr::Ok)));
        h.record(Operation::versioned_get(
            2,
            20,
            25,
            "b",
            ("", 0, KvErr::NoKey),
        ));
        let json = h.to_json();
        assert!(json.contains(r#""version":0,"err":"ErrMaybe""#), "{json}");
        assert_eq!(History::from_json(&json).unwrap().snapshot(), h.snapshot());
        let old = History::from_ops(vec![Operation::put(1, 0, 10, "a", "x")]).to_json();
        assert_eq!(
            old,
            "[\n  {\"client\":1,\"call\":0,\"return\":10,\"op\":\"put\",\"key\":\"a\",\
             \"value\":\"x\",\"output\":\"\"}\n]\n"
        );
    }

    #[test]
    fn invalid_versioned_json_is_an_error_naming_the_operation() {
        let err = |text: &str| History::from_json(text).unwrap_err().to_string();
        let ok = r#"{"client":1,"call":1,"return":2,"op":"put","key":"k","value":"v","output":"","version":0,"err":"OK"}"#;
        assert_eq!(History::from_json(&format!("[{ok}]")).unwrap().len(), 1);
        let no_err = ok.replace(r#","err":"OK""#, "");
        assert!(err(&format!("[{no_err}]")).contains("both"));
        let no_version = ok.replace(r#","version":0"#, "");
        assert!(err(&format!("[{no_version}]")).contains("both"));
        let unknown = ok.replace("\"OK\"", "\"ErrNope\"");
        let e = err(&format!("[{unknown}]"));
        assert!(
            e.contains("unknown err \"ErrNope\"") && e.contains("ErrMaybe"),
            "{e}"
        );
        let append = ok.replace("\"put\"", "\"append\"");
        assert!(err(&format!("[{append}]")).contains("no appends"));
        let plain =
            r#"{"client":1,"call":1,"return":2,"op":"put","key":"k","value":"v","output":""}"#;
        let e = err(&format!("[{ok},{plain}]"));
        assert!(e.starts_with("operation 1: lacks"), "{e}");
        let e = err(&format!("[{plain},{ok}]"));
        assert!(e.starts_with("operation 1: has"), "{e}");
    }

    #[test]
    fn describe_labels() {
        assert_eq!(
            Operation::get(0, 0, 1, "k", "v").describe(),
            "get('k') -> 'v'"
        );
        assert_eq!(
            Operation::put(0, 0, 1, "k", "v").describe(),
            "put('k', 'v')"
        );
        assert_eq!(
            Operation::append(0, 0, 1, "k", "v").describe(),
            "append('k', 'v')"
        );
        assert_eq!(
            Operation::versioned_get(0, 0, 1, "k", ("v", 3, KvErr::Ok)).describe(),
            "get('k') -> ('v', 3, OK)"
        );
        assert_eq!(
            Operation::versioned_put(0, 0, 1, "k", ("v", 2), KvErr::Maybe).describe(),
            "put('k', 'v', 2) -> ErrMaybe"
        );
    }
}
