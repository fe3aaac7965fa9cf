//! What each node of a run did last, readable from outside the simulation's thread.
//!
//! The stall watchdog ([`crate::runner`]) reports it when a run stops making progress: a deadlocked
//! executor cannot say anything for itself, but the last event each node traced before the freeze
//! is usually where to look.

use madsim::task::NodeId;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use tracing::Metadata;

/// One node's last traced event.
#[derive(Clone, Debug)]
pub struct NodeActivity {
    pub name: String,
    /// Virtual time of its last traced event, if it traced any.
    pub last_event_ns: Option<u64>,
    /// Where that event was emitted (target, file and line).
    pub last_event: Option<&'static Metadata<'static>>,
}

/// The nodes of one run, shared by its thread (which records) and its watchdog (which reads).
#[derive(Clone, Debug, Default)]
pub struct Activity(Arc<Mutex<BTreeMap<Option<NodeId>, NodeActivity>>>);

impl Activity {
    pub(crate) fn name(&self, id: NodeId, name: &str) {
        self.lock().insert(
            Some(id),
            NodeActivity {
                name: name.to_string(),
                last_event_ns: None,
                last_event: None,
            },
        );
    }

    pub(crate) fn record(&self, id: Option<NodeId>, t_ns: u64, meta: &'static Metadata<'static>) {
        let mut nodes = self.lock();
        let node = nodes.entry(id).or_insert_with(|| NodeActivity {
            name: crate::trace::MAIN_NODE.into(),
            last_event_ns: None,
            last_event: None,
        });
        node.last_event_ns = Some(t_ns);
        node.last_event = Some(meta);
    }

    /// Every node seen so far, the tester's own (`main`) first, then in creation order.
    pub fn nodes(&self) -> Vec<NodeActivity> {
        self.lock().values().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Option<NodeId>, NodeActivity>> {
        // Updates are single inserts; a poisoned lock still holds a consistent map.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl fmt::Display for NodeActivity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.last_event_ns, self.last_event) {
            (Some(t), Some(meta)) => write!(
                f,
                "{}: last event at {:.6}s, {} ({}:{})",
                self.name,
                t as f64 / 1e9,
                meta.target(),
                meta.file().unwrap_or("?"),
                meta.line().unwrap_or(0)
            ),
            _ => write!(f, "{}: no event traced", self.name),
        }
    }
}
