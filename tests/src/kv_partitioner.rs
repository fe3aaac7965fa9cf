//! The KV testers' partitioner (docs/lab-tests-2023.md §4, the same in the current course): until
//! told to stop, it splits the servers into two random groups (either may be empty), applies the
//! partition, and waits an election timeout plus up to 199 ms.

use crate::kv_cluster::KvImpl;
use crate::kv_config::{ELECTION_TIMEOUT, KvConfig};
use madsim::task::JoinHandle;
use madsim::time::sleep;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A tester whose servers the partitioner can split.
pub trait Partitionable: Clone + Send + 'static {
    /// How many servers there are.
    fn n(&self) -> usize;
    /// Links inside `p1` and inside `p2` up, links across down.
    fn partition(&self, p1: &[usize], p2: &[usize]);
}

impl<K: KvImpl> Partitionable for KvConfig<K> {
    fn n(&self) -> usize {
        KvConfig::n(self)
    }

    fn partition(&self, p1: &[usize], p2: &[usize]) {
        KvConfig::partition(self, p1, p2)
    }
}

/// A running partitioner; [`Partitioner::join`] tells it to quit and waits until it has.
pub struct Partitioner {
    done: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

impl Partitioner {
    /// Starts repartitioning `cfg`'s servers in a task of its own.
    pub fn start<P: Partitionable>(cfg: &P) -> Partitioner {
        let done = Arc::new(AtomicBool::new(false));
        let task = madsim::task::spawn(run(cfg.clone(), done.clone()));
        Partitioner { done, task }
    }

    /// Tells the partitioner to quit (it checks between partitions).
    pub fn signal_stop(&self) {
        self.done.store(true, Ordering::SeqCst);
    }

    /// Waits for the partitioner to exit: at most its current sleep (1.2 s).
    pub async fn join(self) {
        self.signal_stop();
        if let Err(e) = self.task.await {
            panic!("the partitioner task failed: {e:?}");
        }
    }
}

async fn run<P: Partitionable>(cfg: P, done: Arc<AtomicBool>) {
    while !done.load(Ordering::SeqCst) {
        let mut groups: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
        for i in 0..cfg.n() {
            groups[sim::rng::uniform(0, 1) as usize].push(i);
        }
        cfg.partition(&groups[0], &groups[1]);
        sleep(ELECTION_TIMEOUT + Duration::from_millis(sim::rng::uniform(0, 199))).await;
    }
}
