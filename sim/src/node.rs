//! Simulated machines. A peer's tasks live on its node; killing the node makes every task and timer
//! of that incarnation vanish, which is what a crash is. A restart is a fresh node.

use madsim::runtime::{Handle, NodeHandle};
use madsim::task::NodeId;
use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

thread_local! {
    /// The nodes this thread's simulation created (one simulation per thread).
    static CREATED: RefCell<Vec<NodeId>> = const { RefCell::new(Vec::new()) };
}

/// Creates a new node named `name` (the name shows in traces).
pub fn create(name: &str) -> NodeHandle {
    let node = Handle::current().create_node().name(name).build();
    crate::trace::name_node(node.id(), name);
    CREATED.with(|c| c.borrow_mut().push(node.id()));
    node
}

/// Kills every node this simulation created and lets the executor drop their tasks.
///
/// A task still waiting when a run ends (a replicator on its heartbeat timer, an apply loop on
/// its channel) is never dropped by madsim: its node keeps a waker to it, and the task keeps
/// its node's info alive. Everything such a task holds (a Raft peer's whole log, a KV store)
/// would outlive the run and pile up over a suite's tests.
pub(crate) async fn kill_all() {
    let handle = Handle::current();
    for id in CREATED.with(|c| std::mem::take(&mut *c.borrow_mut())) {
        // Only this runtime's nodes (madsim panics on an unknown id).
        if handle.get_node(id).is_some() {
            handle.kill(id);
        }
    }
    // Killing wakes each task; the executor drops them before this timer fires.
    madsim::time::sleep(Duration::ZERO).await;
}

/// Kills every task of the node at once.
pub fn kill(node: &NodeHandle) {
    Handle::current().kill(node.id());
}

/// Runs `f` as a task on `node` and waits for its result; `None` if the node was killed meanwhile.
pub async fn run_on<F>(node: &NodeHandle, f: F) -> Option<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    node.spawn(f).await.ok()
}

/// Virtual time since the simulation started.
pub fn now() -> std::time::Duration {
    madsim::time::TimeHandle::current().elapsed()
}
