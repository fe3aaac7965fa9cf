//! A coalescing wake-up: many `notify` calls before the waiter runs count as one.

use futures::task::AtomicWaker;
use std::future::poll_fn;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;

#[derive(Default, Debug)]
struct Shared {
    pending: AtomicBool,
    waker: AtomicWaker,
}

/// The sending side; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Notifier(Arc<Shared>);

/// The receiving side, owned by one task.
#[derive(Debug)]
pub struct Waiter(Arc<Shared>);

pub fn signal() -> (Notifier, Waiter) {
    let shared = Arc::new(Shared::default());
    (Notifier(shared.clone()), Waiter(shared))
}

impl Notifier {
    pub fn notify(&self) {
        self.0.pending.store(true, Ordering::Release);
        self.0.waker.wake();
    }
}

impl Waiter {
    /// Resolves once a notification arrived since the last `wait`.
    pub async fn wait(&mut self) {
        poll_fn(|cx| {
            self.0.waker.register(cx.waker());
            if self.0.pending.swap(false, Ordering::AcqRel) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    }
}
