//! SpawnClientsAndWait: clients on fresh clerks, each doing units of work until told to stop.

use super::clerk::{TestClerk, Tester};
use super::logged::Workload;
use madsim::time::sleep;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The stop signal clients look at between units of work (the course hands out stop tokens that
/// a client takes only after finishing its current unit; looking at a flag between units is the
/// same).
#[derive(Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the client should stop before its next unit.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Tells every client to stop after its current unit.
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl<T: Tester> Workload<T> {
    /// Runs `n` clients, client `i` as `client(i, its clerk, stop)` on a fresh clerk, for
    /// `duration` of virtual time; then stops them, waits for each to finish its unit, deletes
    /// its clerk, and returns their results in client order.
    pub async fn spawn_clients_and_wait<R, F, Fut>(
        &self,
        n: usize,
        duration: Duration,
        client: F,
    ) -> Vec<R>
    where
        R: Send + 'static,
        F: Fn(usize, Arc<TestClerk<T::Clerk>>, Stop) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = R> + Send + 'static,
    {
        let stop = Stop::new();
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let ck = self.t.make_clerk();
                let (client, stop) = (client.clone(), stop.clone());
                madsim::task::spawn(async move { (client(i, ck.clone(), stop).await, ck) })
            })
            .collect();
        sleep(duration).await;
        stop.set();
        let mut results = Vec::with_capacity(n);
        for (i, handle) in handles.into_iter().enumerate() {
            match handle.await {
                Ok((result, ck)) => {
                    self.t.delete_clerk(&ck);
                    results.push(result);
                }
                Err(e) => self.fail(&format!("client {i} did not finish: {e:?}")),
            }
        }
        results
    }
}
