//! Tracing in virtual time.
//!
//! One process-wide subscriber serves every simulation thread. Each event at DEBUG and above, from
//! whatever crate emits it (the harness's, or the implementation under test's) but the simulator's
//! own, is stamped with the virtual time and the name of the madsim node it ran on (as registered by
//! [`crate::node::create`]), then
//! - folded into a per-thread **digest**: a hash of the ordered event stream. Each seed runs on its own
//!   thread, so the digest of a run is the digest of that thread. Two runs with the same seed must
//!   yield the same digest; that is the determinism proof.
//! - written as one JSON line to the file named by `RAFT_LAB_TRACE`, when set (the trace viewer's input;
//!   a relative name is taken from the directory cargo was run from, see [`crate::user_path`]);
//! - printed as a readable line on stderr when `RUST_LOG` enables it (quiet by default);
//! - handed to this thread's [`watch`]er, if any (the demo tells its story from them).
//!
//! Alongside, the events a picture of the run needs (annotations, role and term changes) are kept
//! in memory per run: see [`crate::timeline`].

use crate::activity::Activity;
use crate::timeline::{self, Timeline};
use madsim::task::NodeId;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::fs::File;
use std::hash::{DefaultHasher, Hasher};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Filter, SubscriberExt};
use tracing_subscriber::{EnvFilter, Layer, Registry};

/// Events of the simulator itself (madsim's node and network bookkeeping) are left out of the trace:
/// they say nothing about the code under test.
const SIMULATOR_CRATE_PREFIX: &str = "madsim";

/// The name events outside any created node are stamped with: the test body's own.
pub const MAIN_NODE: &str = "main";

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
    /// The names of this thread's simulation's nodes. Looking the name up here, rather than on
    /// madsim's `node` spans, lets the subscriber leave spans off: madsim enters a node's span
    /// every time it polls a task, which costs a registry lookup when spans are on.
    static NODE_NAMES: RefCell<BTreeMap<NodeId, String>> = const { RefCell::new(BTreeMap::new()) };
    /// What this thread's run's nodes did last, for its watchdog.
    static ACTIVITY: RefCell<Activity> = RefCell::new(Activity::default());
    /// This thread's run's annotations and role changes.
    static TIMELINE: RefCell<Timeline> = RefCell::new(Timeline::default());
    /// What [`watch`] installed on this thread.
    static WATCHER: RefCell<Option<Watcher>> = const { RefCell::new(None) };
}

/// What [`watch`] calls with each event.
type Watcher = Box<dyn FnMut(&Watched<'_>)>;

/// One traced event, as a [`watch`]er sees it.
pub struct Watched<'a> {
    /// Virtual nanoseconds since the run began.
    pub t_ns: u64,
    /// The node it happened on ("main" for the tester).
    pub node: &'a str,
    pub target: &'a str,
    /// The event's fields as text, in the order written; the message is the field `message`.
    pub fields: &'a [(&'static str, String)],
}

impl Watched<'_> {
    /// The text of field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The event's message.
    pub fn message(&self) -> &str {
        self.field("message").unwrap_or_default()
    }

    /// Field `name` as a number.
    pub fn number(&self, name: &str) -> Option<u64> {
        self.field(name)?.parse().ok()
    }
}

/// Calls `watcher` with every event of the trace (and its digest) traced on this thread from now on,
/// as it happens, until [`reset`] or the next `watch`. Events the watcher itself traces are not
/// handed back to it.
pub fn watch(watcher: impl FnMut(&Watched<'_>) + 'static) {
    WATCHER.with(|w| *w.borrow_mut() = Some(Box::new(watcher)));
}

fn watching() -> bool {
    WATCHER.with(|w| w.try_borrow().is_ok_and(|w| w.is_some()))
}

/// Starts a fresh digest (and node-name table) for the run about to begin on this thread, and
/// returns the table of the run's node activity, which other threads may read.
pub fn reset() -> Activity {
    DIGEST.with(|d| *d.borrow_mut() = DigestState::new());
    NODE_NAMES.with(|n| n.borrow_mut().clear());
    TIMELINE.with(|t| *t.borrow_mut() = Timeline::default());
    WATCHER.with(|w| *w.borrow_mut() = None);
    let activity = Activity::default();
    ACTIVITY.with(|a| *a.borrow_mut() = activity.clone());
    activity
}

/// Records the name events from node `id` are stamped with.
pub(crate) fn name_node(id: NodeId, name: &str) {
    NODE_NAMES.with(|n| n.borrow_mut().insert(id, name.to_string()));
    ACTIVITY.with(|a| a.borrow().name(id, name));
    // A node of that name starts afresh: what its predecessor said of its role is void.
    TIMELINE.with(|t| t.borrow_mut().forget(name));
}

/// Takes the annotations and role changes this thread's run has traced so far.
pub fn take_timeline() -> Timeline {
    TIMELINE.with(|t| std::mem::take(&mut *t.borrow_mut()))
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
        // Always a filtered layer, "off" without RUST_LOG: an absent (`None`) layer would count as
        // interested in every span, and madsim enters a node's span each time it polls a task.
        let filter = std::env::var("RUST_LOG").map_or_else(
            |_| EnvFilter::new("off"),
            |spec| {
                EnvFilter::try_new(&spec).unwrap_or_else(|e| {
                    eprintln!("raft-lab: ignoring RUST_LOG={spec:?}: {e}");
                    EnvFilter::new("off")
                })
            },
        );
        let text = TextLayer.with_filter(filter);
        let subscriber = Registry::default()
            .with(DigestLayer.with_filter(PerCallsite(traced_at_debug)))
            .with(TimelineLayer.with_filter(PerCallsite(picture_events)))
            .with(text);
        if tracing::subscriber::set_global_default(subscriber).is_err() {
            eprintln!("raft-lab: a tracing subscriber was already installed; traces are off");
        }
    });
}

/// The JSON-lines trace file named by `RAFT_LAB_TRACE`, opened on first use. A relative name is
/// taken from the user's directory ([`crate::user_path`]); where the trace goes is said once.
fn json_sink() -> Option<&'static Mutex<BufWriter<File>>> {
    static SINK: OnceLock<Option<Mutex<BufWriter<File>>>> = OnceLock::new();
    SINK.get_or_init(|| {
        let named = std::env::var_os(TRACE_FILE_ENV).filter(|p| !p.is_empty())?;
        let path = crate::user_path::resolve(Path::new(&named));
        match File::create(&path) {
            Ok(f) => {
                // Straight to stderr: libtest captures eprintln! in a test, and this must be seen.
                let _ = writeln!(
                    std::io::stderr(),
                    "raft-lab: writing the trace to {}",
                    path.display()
                );
                Some(Mutex::new(BufWriter::new(f)))
            }
            Err(e) => {
                eprintln!(
                    "raft-lab: cannot write the trace to {}: {e}",
                    path.display()
                );
                None
            }
        }
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

/// A filter that decides from a callsite's metadata alone, so it is decided once per callsite:
/// what it rejects (spans, other crates' events) is never even constructed.
struct PerCallsite(fn(&Metadata<'_>) -> bool);

impl<S> Filter<S> for PerCallsite {
    fn enabled(&self, meta: &Metadata<'_>, _: &Context<'_, S>) -> bool {
        (self.0)(meta)
    }
    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        if (self.0)(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }
}

/// Events at DEBUG and above from every crate but the simulator; no spans (node names come from
/// `NODE_NAMES`).
fn traced_at_debug(meta: &Metadata<'_>) -> bool {
    meta.is_event() && *meta.level() <= Level::DEBUG && is_traced(meta.target())
}

fn is_traced(target: &str) -> bool {
    !target.starts_with(SIMULATOR_CRATE_PREFIX)
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

fn stamp<'a>(event: &'a Event<'a>) -> Stamped<'a> {
    let mut fields = FieldText::default();
    event.record(&mut fields);
    let (t_ns, node) = now_and_node();
    Stamped {
        t_ns,
        node: with_node_name(node, str::to_string),
        meta: event.metadata(),
        fields,
    }
}

/// Where and when an event happens: virtual ns since the run began, and the current task's node
/// (`None` outside a simulation).
fn now_and_node() -> (u64, Option<NodeId>) {
    // `plugin::node()` needs a current task, and there is one exactly when a runtime is running.
    match madsim::time::TimeHandle::try_current() {
        Some(time) => (
            time.elapsed().as_nanos() as u64,
            Some(madsim::plugin::node()),
        ),
        None => (0, None),
    }
}

/// The virtual time and node name of the code running now, inside a simulation.
pub(crate) fn current_site() -> Option<(u64, String)> {
    let (t_ns, node) = now_and_node();
    node.map(|id| (t_ns, with_node_name(Some(id), str::to_string)))
}

/// Calls `f` with the name of node `id` ("main" outside any named node), without copying it.
fn with_node_name<T>(id: Option<NodeId>, f: impl FnOnce(&str) -> T) -> T {
    NODE_NAMES.with(|names| {
        let names = names.borrow();
        f(id.and_then(|id| names.get(&id))
            .map_or(MAIN_NODE, String::as_str))
    })
}

/// Feeds formatted text straight into the digest: hashing an event allocates nothing for its fields.
struct HashWriter<'a>(&'a mut DefaultHasher);

impl fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// Hashes each field as its name then its value: numbers as their bytes, anything else as its text.
impl Visit for HashWriter<'_> {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.write(field.name().as_bytes());
        self.0.write_u64(value);
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.write(field.name().as_bytes());
        self.0.write_i64(value);
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.write(field.name().as_bytes());
        self.0.write_u8(value.into());
    }
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

impl<S: Subscriber> Layer<S> for DigestLayer {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let (t_ns, node) = now_and_node();
        DIGEST.with(|d| {
            let mut d = d.borrow_mut();
            let h = &mut d.hasher;
            h.write_u64(t_ns);
            with_node_name(node, |name| h.write(name.as_bytes()));
            h.write(event.metadata().target().as_bytes());
            h.write(event.metadata().level().as_str().as_bytes());
            event.record(&mut HashWriter(h));
            d.events += 1;
            d.last_event_ns = t_ns;
        });
        ACTIVITY.with(|a| a.borrow().record(node, t_ns, event.metadata()));
        let to_file = json_sink().is_some();
        if !to_file && !watching() {
            return;
        }
        let e = stamp(event);
        WATCHER.with(|w| {
            // A watcher that traces an event of its own finds its cell borrowed: it is skipped.
            if let Ok(mut w) = w.try_borrow_mut()
                && let Some(watcher) = w.as_mut()
            {
                watcher(&Watched {
                    t_ns: e.t_ns,
                    node: &e.node,
                    target: e.meta.target(),
                    fields: &e.fields.0,
                });
            }
        });
        if to_file {
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

/// Readable lines on stderr: `  12.345678s raft-1      DEBUG my_raft::election: message k=v ...`.
struct TextLayer;

impl<S: Subscriber> Layer<S> for TextLayer {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let e = stamp(event);
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

/// Events the picture needs (see [`crate::timeline`]): annotations at any level, and events
/// naming a role or a term at DEBUG and above; decided from the field names.
fn picture_events(meta: &Metadata<'_>) -> bool {
    let has = |name| meta.fields().field(name).is_some();
    meta.is_event()
        && is_traced(meta.target())
        && (has(timeline::ANNOTATION)
            || (*meta.level() <= Level::DEBUG && (has(timeline::ROLE) || has(timeline::TERM))))
}

/// The role and term an event names.
#[derive(Default)]
struct RoleAndTerm {
    role: Option<String>,
    term: Option<u64>,
}

impl Visit for RoleAndTerm {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == timeline::TERM {
            self.term = Some(value);
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        if field.name() == timeline::TERM {
            self.term = u64::try_from(value).ok();
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            timeline::ROLE => self.role = Some(value.to_string()),
            timeline::TERM => self.term = value.trim().parse().ok(),
            _ => {}
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            // `role = ?Role::Leader` and `role = %name` arrive here.
            timeline::ROLE => {
                self.role = Some(format!("{value:?}").trim_matches('"').to_ascii_lowercase())
            }
            timeline::TERM => self.term = format!("{value:?}").trim().parse().ok(),
            _ => {}
        }
    }
}

struct TimelineLayer;

impl<S: Subscriber> Layer<S> for TimelineLayer {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        let (t_ns, node) = now_and_node();
        if meta.fields().field(timeline::ANNOTATION).is_some() {
            let mut fields = FieldText::default();
            event.record(&mut fields);
            let fields = fields
                .0
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            with_node_name(node, |name| {
                TIMELINE.with(|t| t.borrow_mut().annotate(t_ns, name, fields))
            });
        }
        if *meta.level() <= Level::DEBUG {
            let mut said = RoleAndTerm::default();
            event.record(&mut said);
            if said.role.is_some() || said.term.is_some() {
                with_node_name(node, |name| {
                    TIMELINE.with(|t| t.borrow_mut().observe(t_ns, name, said.role, said.term))
                });
            }
        }
    }
}
