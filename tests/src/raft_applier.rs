//! The tester's view of what every peer applied, and the two appliers of docs/lab-tests-2023.md §2:
//! `applier` (2A–2C) checks each applied command against every other peer's log and for order;
//! `applierSnap` (2D) also takes a snapshot every [`SNAPSHOT_INTERVAL`] entries and checks the
//! snapshots Raft delivers.
//!
//! An apply error is recorded (so a later `n_committed` fails as in Go) and then panics the applier
//! task, which aborts the simulated run: the test it happens in fails, with its seed.

use crate::commands::Cmd;
use futures::StreamExt;
use futures::channel::mpsc;
use raftapi::{ApplyMsg, Raft};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Take a snapshot when `(index + 1) % SNAPSHOT_INTERVAL == 0`.
pub const SNAPSHOT_INTERVAL: u64 = 10;

/// What each peer has applied, shared by the appliers and the tester.
#[derive(Debug)]
pub struct ApplyLog {
    /// `logs[i][x]`: the command peer i applied at index x. Survives crashes.
    logs: Vec<BTreeMap<u64, Cmd>>,
    /// The last index each peer's snapshot applier saw (reset on restart).
    last_applied: Vec<u64>,
    /// The highest index any peer applied.
    max_index: u64,
    /// The first apply error of each peer.
    errors: Vec<Option<String>>,
}

/// The apply log as the tester and the applier tasks share it.
pub type SharedApplyLog = Arc<Mutex<ApplyLog>>;

/// Locks the shared log. A panic elsewhere aborts the whole run, so a poisoned lock is still usable.
pub fn lock(log: &SharedApplyLog) -> MutexGuard<'_, ApplyLog> {
    log.lock().unwrap_or_else(|e| e.into_inner())
}

impl ApplyLog {
    pub fn new(n: usize) -> Self {
        ApplyLog {
            logs: vec![BTreeMap::new(); n],
            last_applied: vec![0; n],
            max_index: 0,
            errors: vec![None; n],
        }
    }

    pub fn max_index(&self) -> u64 {
        self.max_index
    }

    /// A restarted peer applies from scratch (or from its snapshot).
    pub fn reset_last_applied(&mut self, i: usize) {
        self.last_applied[i] = 0;
    }

    /// The first recorded apply error of any peer.
    pub fn first_error(&self) -> Option<&str> {
        self.errors.iter().flatten().next().map(String::as_str)
    }

    /// How many peers (live or not) applied `index`, and the value; an error if values differ or an
    /// applier failed.
    pub fn committed(&self, index: u64) -> Result<(usize, Option<Cmd>), String> {
        if let Some(e) = self.first_error() {
            return Err(e.to_string());
        }
        let mut count = 0;
        let mut value: Option<&Cmd> = None;
        for log in &self.logs {
            if let Some(c) = log.get(&index) {
                if let Some(v) = value
                    && v != c
                {
                    return Err(format!(
                        "committed values do not match: index {index}, {v}, {c}"
                    ));
                }
                count += 1;
                value = Some(c);
            }
        }
        Ok((count, value.cloned()))
    }

    /// Records command `cmd` applied by peer i at `index`: an error if another peer applied a
    /// different value there. Also returns whether peer i had applied `index - 1`.
    fn check_logs(&mut self, i: usize, index: u64, cmd: Cmd) -> (Option<String>, bool) {
        let mut err = None;
        for (j, log) in self.logs.iter().enumerate() {
            if let Some(old) = log.get(&index)
                && *old != cmd
            {
                err = Some(format!(
                    "commit index={index} server={i} {cmd} != server={j} {old}"
                ));
            }
        }
        let prev_ok = index > 0 && self.logs[i].contains_key(&(index - 1));
        self.logs[i].insert(index, cmd);
        self.max_index = self.max_index.max(index);
        (err, prev_ok)
    }

    /// Checks one applied command for the plain applier.
    fn apply_plain(&mut self, i: usize, index: u64, command: &[u8]) -> Option<String> {
        let cmd = match Cmd::decode(command) {
            Ok(c) => c,
            Err(e) => return Some(format!("server {i} index {index}: {e}")),
        };
        let (err, prev_ok) = self.check_logs(i, index, cmd);
        if index > 1 && !prev_ok {
            return Some(format!("server {i} apply out of order {index}"));
        }
        err
    }

    /// Checks one applied command for the snapshot applier: it must be exactly the next index.
    fn apply_in_sequence(&mut self, i: usize, index: u64, command: &[u8]) -> Option<String> {
        let expected = self.last_applied[i] + 1;
        let err = if index != expected {
            Some(format!(
                "server {i} apply out of order, expected index {expected}, got {index}"
            ))
        } else {
            self.apply_plain(i, index, command)
        };
        self.last_applied[i] = index;
        err
    }

    /// Loads a tester snapshot into `logs[i]`. `index`, when given, must match the one encoded.
    pub fn ingest_snapshot(
        &mut self,
        i: usize,
        data: &[u8],
        index: Option<u64>,
    ) -> Result<(), String> {
        let (last_included, entries) = decode_snapshot(data)
            .map_err(|e| format!("server {i}: snapshot does not decode: {e}"))?;
        if let Some(index) = index
            && index != last_included
        {
            return Err(format!(
                "server {i} snapshot doesn't match SnapshotIndex: message says {index}, \
                 snapshot holds {last_included}"
            ));
        }
        self.logs[i] = entries
            .into_iter()
            .enumerate()
            .filter_map(|(j, c)| c.map(|c| (j as u64, c)))
            .collect();
        self.last_applied[i] = last_included;
        Ok(())
    }

    /// The tester's snapshot of peer i at `index`: (index, logs[i][0..=index]).
    fn snapshot_bytes(&self, i: usize, index: u64) -> Vec<u8> {
        let entries: Vec<Option<Cmd>> =
            (0..=index).map(|j| self.logs[i].get(&j).cloned()).collect();
        bincode::serialize(&(index, entries)).expect("a tester snapshot always encodes")
    }

    fn record_error(&mut self, i: usize, msg: &str) {
        self.errors[i].get_or_insert_with(|| msg.to_string());
    }
}

/// Decodes a tester snapshot: (last included index, commands 0..=index, index 0 empty).
pub fn decode_snapshot(data: &[u8]) -> Result<(u64, Vec<Option<Cmd>>), String> {
    bincode::deserialize(data).map_err(|e| e.to_string())
}

/// Records the error, then fails the run (docs/lab-tests-2023.md §0: the test it happens in fails, with
/// its seed).
fn fail(log: &SharedApplyLog, i: usize, msg: String) -> ! {
    lock(log).record_error(i, &msg);
    tracing::error!(topic = "test", server = i, error = %msg, "apply error");
    panic!("apply error: {msg}");
}

/// The 2A–2C applier of peer i: checks every applied command; ignores snapshots.
pub async fn applier(i: usize, log: SharedApplyLog, mut rx: mpsc::Receiver<ApplyMsg>) {
    while let Some(msg) = rx.next().await {
        if let ApplyMsg::Command { index, command } = msg {
            let err = lock(&log).apply_plain(i, index, &command);
            if let Some(e) = err {
                fail(&log, i, e);
            }
        }
    }
}

/// The 2D applier of peer i: checks commands and delivered snapshots, and every
/// [`SNAPSHOT_INTERVAL`] entries hands Raft a snapshot, synchronously on this task.
pub async fn applier_snap<R: Raft>(
    i: usize,
    log: SharedApplyLog,
    raft: Arc<R>,
    mut rx: mpsc::Receiver<ApplyMsg>,
) {
    while let Some(msg) = rx.next().await {
        match msg {
            ApplyMsg::Snapshot { index, data, .. } => {
                let res = lock(&log).ingest_snapshot(i, &data, Some(index));
                if let Err(e) = res {
                    fail(&log, i, e);
                }
            }
            ApplyMsg::Command { index, command } => {
                let err = lock(&log).apply_in_sequence(i, index, &command);
                if let Some(e) = err {
                    fail(&log, i, e);
                }
                if (index + 1) % SNAPSHOT_INTERVAL == 0 {
                    let bytes = lock(&log).snapshot_bytes(i, index);
                    raft.snapshot(index, bytes);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(x: i64) -> Vec<u8> {
        Cmd::Int(x).encode()
    }

    #[test]
    fn differing_values_at_one_index_are_an_error() {
        let mut log = ApplyLog::new(2);
        assert_eq!(log.apply_plain(0, 1, &bytes(10)), None);
        assert!(log.apply_plain(1, 1, &bytes(11)).unwrap().contains("!="));
    }

    #[test]
    fn a_gap_is_out_of_order() {
        let mut log = ApplyLog::new(1);
        assert_eq!(log.apply_plain(0, 1, &bytes(1)), None);
        assert!(
            log.apply_plain(0, 3, &bytes(3))
                .unwrap()
                .contains("out of order")
        );
    }

    #[test]
    fn snapshot_applier_requires_the_next_index() {
        let mut log = ApplyLog::new(1);
        assert_eq!(log.apply_in_sequence(0, 1, &bytes(1)), None);
        assert!(log.apply_in_sequence(0, 1, &bytes(1)).is_some());
    }

    #[test]
    fn snapshots_round_trip_and_must_match_their_index() {
        let mut log = ApplyLog::new(2);
        for x in 1..=9 {
            assert_eq!(log.apply_in_sequence(0, x, &bytes(x as i64)), None);
        }
        let snap = log.snapshot_bytes(0, 9);
        assert!(log.ingest_snapshot(1, &snap, Some(8)).is_err());
        assert_eq!(log.ingest_snapshot(1, &snap, Some(9)), Ok(()));
        assert_eq!(log.committed(9).unwrap(), (2, Some(Cmd::Int(9))));
        assert_eq!(log.apply_in_sequence(1, 10, &bytes(10)), None);
        assert!(log.ingest_snapshot(1, b"junk", None).is_err());
    }

    #[test]
    fn a_recorded_error_fails_committed() {
        let mut log = ApplyLog::new(1);
        log.record_error(0, "boom");
        assert_eq!(log.committed(1), Err("boom".to_string()));
    }
}
