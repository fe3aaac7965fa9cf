//! Between the core and its service: delivering committed entries and installed snapshots, in
//! order, and taking the service's own snapshots.

use super::{Core, Delivery};
use tracing::debug;

impl Core {
    /// The service snapshotted everything through `index`: drop that prefix of the log.
    pub fn snapshot(&mut self, index: u64, data: Vec<u8>) {
        if index <= self.hard.log.snapshot_index() || index > self.commit {
            return;
        }
        self.hard_mut().log.compact_to(index);
        self.set_snapshot(data);
        debug!(
            peer = self.me,
            term = self.hard.term,
            topic = "snapshot",
            index,
            "compacted log"
        );
    }

    /// The next messages to deliver on the apply channel, in order (at most `max` commands): an
    /// installed snapshot first, then every committed entry not yet applied.
    pub fn take_applies(&mut self, max: usize) -> Vec<Delivery> {
        let mut out = Vec::new();
        if let Some((index, term)) = self.pending_snapshot.take() {
            out.push(Delivery::StoredSnapshot { index, term });
        }
        while self.last_applied < self.commit && out.len() < max {
            let index = self.last_applied + 1;
            let Some(entry) = self.hard.log.entry(index) else {
                break;
            };
            out.push(Delivery::Command {
                index,
                command: entry.command.clone(),
            });
            self.last_applied = index;
        }
        if !out.is_empty() {
            debug!(
                peer = self.me,
                term = self.hard.term,
                topic = "apply",
                upto = self.last_applied,
                n = out.len(),
                "applying"
            );
        }
        out
    }
}
