//! Tracing in virtual time.
//!
//! One process-wide subscriber serves every simulation thread. Each event from raft-lab's own crates
//! (DEBUG and above) is stamped with the virtual time and the name of the madsim node it ran on, then
//! - folded into a per-thread **digest**: a hash of the ordered event stream. Each seed runs on its own
//!   thread, so the digest of a run is the digest of that thread. Two runs with the same seed must
//!   yield the same digest; that is the determinism proof.
//! - written as one JSON line to the file named by `RAFT_LAB_TRACE`, when set (the trace viewer's input);
//! - printed as a readable line on stderr when `RUST_LOG` enables it (quiet by default).

use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::fs::File;
use std::hash::{DefaultHasher, Hasher};
use std::io::{BufWriter, Write};
use std::sync::{Mutex, OnceLock};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Filter, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{EnvFilter, Layer, Registry};

/// The crates whose events make up the trace (and its digest).
const OUR_TARGETS: &[&str] = &["raft", "kvraft", "labrpc", "sim", "raft_lab_tests"];

/// Environment variable naming a file to receive the JSON-lines trace.
pub const TRACE_FILE_ENV: &str = "RAFT_LAB_TRACE";

/// A summary of one run's trace: its digest, how many events it had, and the virtual time of the last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TraceSummary {
    pub digest: u64,
    pub events: u64,
    pub last_event_ns: u64,
}

impl fmt::Display for TraceSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.digest)
    }
}

struct DigestState {
    hasher: DefaultHasher,
    events: u64,
    last_event_ns: u64,
}

impl DigestState {
    fn new() -> Self {
        // DefaultHasher::new() uses fixed keys: the same stream hashes the same in every run.
        DigestState {
            hasher: DefaultHasher::new(),
            events: 0,
            last_event_ns: 0,
        }
    }
}

thread_local! {
    static DIGEST: RefCell<DigestState> = RefCell::new(DigestState::new());
}

/// Starts a fresh digest for the run about to begin on this thread.
pub fn reset() {
    DIGEST.with(|d| *d.borrow_mut() = DigestState::new());
}

/// The digest of the events this thread has traced since the last [`reset`].
pub fn summary() -> TraceSummary {
    DIGEST.with(|d| {
        let d = d.borrow();
        TraceSummary {
            digest: d.hasher.finish(),
            events: d.events,
            last_event_ns: d.last_event_ns,
        }
    })
}

/// Installs the process-wide subscriber (once; later calls do nothing).
pub fn init() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        let text = std::env::var("RUST_LOG").ok().map(|spec| {
            let filter = EnvFilter::try_new(&spec).unwrap_or_else(|e| {
                eprintln!("raft-lab: ignoring RUST_LOG={spec:?}: {e}");
                EnvFilter::new("off")
            });
            TextLayer.with_filter(filter)
        });
        let subscriber = Registry::default()
            .with(NodeNames)
            .with(DigestLayer.with_filter(OursAtDebug))
            .with(text);
        if tracing::subscriber::set_global_default(subscriber).is_err() {
            eprintln!("raft-lab: a tracing subscriber was already installed; traces are off");
        }
    });
}

/// The JSON-lines trace file named by `RAFT_LAB_TRACE`, opened on first use.
fn json_sink() -> Option<&'static Mutex<BufWriter<File>>> {
    static SINK: OnceLock<Option<Mutex<BufWriter<File>>>> = OnceLock::new();
    SINK.get_or_init(|| {
        let path = std::env::var(TRACE_FILE_ENV).ok()?;
        File::create(&path)
            .map_err(|e| eprintln!("raft-lab: cannot write trace to {path}: {e}"))
            .ok()
            .map(|f| Mutex::new(BufWriter::new(f)))
    })
    .as_ref()
}

/// Writes one line into the JSON trace, if one is being written (e.g. a run's header).
pub fn write_json_line(value: &Value) {
    if let Some(sink) = json_sink()
        && let Ok(mut w) = sink.lock()
    {
        let _ = writeln!(w, "{value}");
    }
}

/// Flushes the JSON trace file, if one is being written.
pub fn flush() {
    if let Some(sink) = json_sink()
        && let Ok(mut w) = sink.lock()
    {
        let _ = w.flush();
    }
}

/// Only events from raft-lab's crates, DEBUG and above, and every span: a filtered layer sees only
/// the spans its filter enables, and madsim's `node` spans are what name an event's node.
struct OursAtDebug;

impl<S> Filter<S> for OursAtDebug {
    fn enabled(&self, meta: &Metadata<'_>, _: &Context<'_, S>) -> bool {
        meta.is_span() || (*meta.level() <= Level::DEBUG && is_ours(meta.target()))
    }
}

fn is_ours(target: &str) -> bool {
    let krate = target.split("::").next().unwrap_or(target);
    OUR_TARGETS.contains(&krate)
}

/// The name of the madsim node a span belongs to, stored on madsim's `node` spans.
struct NodeName(String);

/// Remembers the `name` field of madsim's `node` spans, so events can be stamped with their node.
struct NodeNames;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for NodeNames {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "node" {
            return;
        }
        let mut fields = FieldText::default();
        attrs.record(&mut fields);
        let name = fields
            .0
            .into_iter()
            .find(|(k, _)| *k == "name")
            .map(|(_, v)| v)
            .unwrap_or_default();
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(NodeName(name));
        }
    }
}

/// An event's fields as (name, text) pairs, in the order they were written.
#[derive(Default)]
struct FieldText(Vec<(&'static str, String)>);

impl Visit for FieldText {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name(), value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push((field.name(), format!("{value:?}")));
    }
}

/// What every output needs to know about one event.
struct Stamped<'a> {
    t_ns: u64,
    node: String,
    meta: &'a Metadata<'a>,
    fields: FieldText,
}

fn stamp<'a, S>(event: &'a Event<'a>, ctx: &Context<'_, S>) -> Stamped<'a>
where
    S: Subscriber + for<'b> LookupSpan<'b>,
{
    let mut fields = FieldText::default();
    event.record(&mut fields);
    Stamped {
        t_ns: virtual_now_ns(),
        node: with_node_name(event, ctx, str::to_string),
        meta: event.metadata(),
        fields,
    }
}

fn virtual_now_ns() -> u64 {
    madsim::time::TimeHandle::try_current()
        .map(|t| t.elapsed().as_nanos() as u64)
        .unwrap_or(0)
}

/// Calls `f` with the name of the node `event` ran on ("main" outside any node), without copying it.
fn with_node_name<S, T>(event: &Event<'_>, ctx: &Context<'_, S>, f: impl FnOnce(&str) -> T) -> T
where
    S: Subscriber + for<'b> LookupSpan<'b>,
{
    for span in ctx.event_scope(event).into_iter().flatten() {
        if let Some(name) = span.extensions().get::<NodeName>() {
            return f(&name.0);
        }
    }
    f("main")
}

/// Feeds formatted text straight into the digest: hashing an event allocates nothing for its fields.
struct HashWriter<'a>(&'a mut DefaultHasher);

impl fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// Hashes each field as its name then its text, the same bytes [`FieldText`] would hold.
impl Visit for HashWriter<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.write(field.name().as_bytes());
        self.0.write(value.as_bytes());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.write(field.name().as_bytes());
        let _ = write!(self, "{value:?}");
    }
}

struct DigestLayer;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for DigestLayer {
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let t_ns = virtual_now_ns();
        DIGEST.with(|d| {
            let mut d = d.borrow_mut();
            let h = &mut d.hasher;
            h.write_u64(t_ns);
            with_node_name(event, &ctx, |node| h.write(node.as_bytes()));
            h.write(event.metadata().target().as_bytes());
            h.write(event.metadata().level().as_str().as_bytes());
            event.record(&mut HashWriter(h));
            d.events += 1;
            d.last_event_ns = t_ns;
        });
        if json_sink().is_some() {
            let e = stamp(event, &ctx);
            let mut line = Map::new();
            line.insert("t_ns".into(), e.t_ns.into());
            line.insert("node".into(), e.node.into());
            line.insert("level".into(), e.meta.level().as_str().into());
            line.insert("target".into(), e.meta.target().into());
            for (k, v) in e.fields.0 {
                let key = if k == "message" { "msg" } else { k };
                let value = v
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or(Value::String(v));
                line.insert(key.to_string(), value);
            }
            write_json_line(&Value::Object(line));
        }
    }
}

/// Readable lines on stderr: `  12.345678s raft-1      DEBUG raft::election: message k=v ...`.
struct TextLayer;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for TextLayer {
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let e = stamp(event, &ctx);
        let mut line = format!(
            "{:>4}.{:06}s {:<10} {:<5} {}:",
            e.t_ns / 1_000_000_000,
            (e.t_ns % 1_000_000_000) / 1_000,
            e.node,
            e.meta.level().as_str(),
            e.meta.target()
        );
        for (k, v) in &e.fields.0 {
            if *k == "message" {
                let _ = write!(line, " {v}");
            } else {
                let _ = write!(line, " {k}={v}");
            }
        }
        eprintln!("{line}");
    }
}
