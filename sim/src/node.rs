//! Simulated machines. A peer's tasks live on its node; killing the node makes every task and timer
//! of that incarnation vanish, which is what a crash is. A restart is a fresh node.

use madsim::runtime::{Handle, NodeHandle};
use std::future::Future;

/// Creates a new node named `name` (the name shows in traces).
pub fn create(name: &str) -> NodeHandle {
    let node = Handle::current().create_node().name(name).build();
    crate::trace::name_node(node.id(), name);
    node
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
