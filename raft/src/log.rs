//! The replicated log after compaction. This type is the one place that translates between absolute
//! Raft indexes (1-based, growing forever) and positions in the in-memory vector that holds only the
//! entries after the last snapshot. How the log is encoded for stable storage is `persist`'s job.

use serde::{Deserialize, Serialize};

/// One log entry: the term it was created in and the service's command bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub term: u64,
    #[serde(with = "serde_bytes")]
    pub command: Vec<u8>,
}

/// The log: a snapshot boundary (`snapshot_index`, `snapshot_term`) followed by the entries after it.
/// Index 0 with term 0 is the empty-log sentinel, so every index in `snapshot_index..=last_index()`
/// has a known term.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Log {
    snapshot_index: u64,
    snapshot_term: u64,
    entries: Vec<Entry>,
    /// The lowest index whose entry was removed from the end since [`Log::take_rewritten_from`] was
    /// last called: whatever was encoded for it and after it is stale. Appends never set it.
    #[serde(skip)]
    rewritten_from: Option<u64>,
}

/// Two logs are equal when they hold the same entries after the same boundary.
impl PartialEq for Log {
    fn eq(&self, other: &Self) -> bool {
        (self.snapshot_index, self.snapshot_term, &self.entries)
            == (other.snapshot_index, other.snapshot_term, &other.entries)
    }
}

impl Eq for Log {}

impl Log {
    pub fn snapshot_index(&self) -> u64 {
        self.snapshot_index
    }

    pub fn snapshot_term(&self) -> u64 {
        self.snapshot_term
    }

    pub fn last_index(&self) -> u64 {
        self.snapshot_index + self.entries.len() as u64
    }

    pub fn last_term(&self) -> u64 {
        self.entries.last().map_or(self.snapshot_term, |e| e.term)
    }

    /// The term of the entry at `index`, if the log still knows it (the snapshot boundary counts).
    pub fn term_at(&self, index: u64) -> Option<u64> {
        if index == self.snapshot_index {
            Some(self.snapshot_term)
        } else {
            self.position(index).map(|p| self.entries[p].term)
        }
    }

    pub fn entry(&self, index: u64) -> Option<&Entry> {
        self.position(index).map(|p| &self.entries[p])
    }

    /// Entries from `from` (absolute, > snapshot_index) to the end.
    pub fn entries_from(&self, from: u64) -> &[Entry] {
        match self.position(from) {
            Some(p) => &self.entries[p..],
            None => &[],
        }
    }

    pub fn append(&mut self, entry: Entry) -> u64 {
        self.entries.push(entry);
        self.last_index()
    }

    /// Drops `index` and everything after it (never the snapshot).
    pub fn truncate_from(&mut self, index: u64) {
        if let Some(p) = self.position(index) {
            self.entries.truncate(p);
            self.mark_rewritten(index);
        }
    }

    /// The first index of the run of entries with `term` that ends at `index` (fast backup's XIndex).
    pub fn first_index_of_term_run(&self, index: u64, term: u64) -> u64 {
        let mut first = index;
        while first > self.snapshot_index + 1 && self.term_at(first - 1) == Some(term) {
            first -= 1;
        }
        first
    }

    /// The last index holding an entry of `term`, if any (fast backup on the leader).
    pub fn last_index_of_term(&self, term: u64) -> Option<u64> {
        (self.snapshot_index + 1..=self.last_index())
            .rev()
            .find(|&i| self.term_at(i) == Some(term))
    }

    /// Forgets everything up to and including `index` (which must be in the log): it is in a snapshot.
    pub fn compact_to(&mut self, index: u64) {
        let Some(term) = self.term_at(index) else {
            return;
        };
        let keep_from = (index - self.snapshot_index) as usize;
        self.entries.drain(..keep_from);
        self.snapshot_index = index;
        self.snapshot_term = term;
    }

    /// Installs a snapshot ending at (`index`, `term`): keeps the suffix after it if the log agrees
    /// at that point, otherwise discards the whole log.
    pub fn install_snapshot(&mut self, index: u64, term: u64) {
        if self.term_at(index) == Some(term) && index >= self.snapshot_index {
            self.compact_to(index);
        } else {
            self.entries.clear();
            self.mark_rewritten(index + 1);
            self.snapshot_index = index;
            self.snapshot_term = term;
        }
    }

    /// Whether the invariants of a decoded log hold (terms never decrease).
    pub fn is_well_formed(&self) -> bool {
        let mut prev = self.snapshot_term;
        self.entries.iter().all(|e| {
            let ok = e.term >= prev;
            prev = e.term;
            ok
        })
    }

    /// The lowest index rewritten since the last call (see the field), and forgets it.
    pub fn take_rewritten_from(&mut self) -> Option<u64> {
        self.rewritten_from.take()
    }

    fn mark_rewritten(&mut self, index: u64) {
        self.rewritten_from = Some(self.rewritten_from.map_or(index, |i| i.min(index)));
    }

    fn position(&self, index: u64) -> Option<usize> {
        if index <= self.snapshot_index {
            return None;
        }
        let p = (index - self.snapshot_index - 1) as usize;
        (p < self.entries.len()).then_some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_with_terms(terms: &[u64]) -> Log {
        let mut log = Log::default();
        for &t in terms {
            log.append(Entry {
                term: t,
                command: vec![],
            });
        }
        log
    }

    #[test]
    fn indexes_survive_compaction() {
        let mut log = log_with_terms(&[1, 1, 2, 2, 3]);
        assert_eq!((log.last_index(), log.last_term()), (5, 3));
        log.compact_to(3);
        assert_eq!(log.snapshot_index(), 3);
        assert_eq!(log.term_at(3), Some(2));
        assert_eq!(log.term_at(2), None);
        assert_eq!(log.term_at(5), Some(3));
        assert_eq!(log.entries_from(4).len(), 2);
        assert_eq!(log.last_index(), 5);
        log.truncate_from(5);
        assert_eq!(log.last_index(), 4);
    }

    #[test]
    fn term_runs_for_fast_backup() {
        let log = log_with_terms(&[1, 2, 2, 2, 4]);
        assert_eq!(log.first_index_of_term_run(4, 2), 2);
        assert_eq!(log.last_index_of_term(2), Some(4));
        assert_eq!(log.last_index_of_term(3), None);
    }

    /// Fast backup names indexes the log holds: never the snapshot boundary, even when the
    /// snapshot's last term is the term asked about.
    #[test]
    fn term_runs_stop_at_the_snapshot_boundary() {
        let mut log = log_with_terms(&[1, 2, 2, 2, 2]);
        log.compact_to(3);
        assert_eq!(log.first_index_of_term_run(5, 2), 4);
        let mut only_in_snapshot = log_with_terms(&[1, 2, 3, 3]);
        only_in_snapshot.compact_to(2);
        assert_eq!(only_in_snapshot.last_index_of_term(2), None);
        assert_eq!(only_in_snapshot.last_index_of_term(3), Some(4));
    }

    #[test]
    fn logs_differing_in_an_entry_or_the_boundary_are_unequal() {
        let log = log_with_terms(&[1, 2, 2]);
        assert_eq!(log, log_with_terms(&[1, 2, 2]));
        assert_ne!(log, log_with_terms(&[1, 2, 3]));
        assert_ne!(log, log_with_terms(&[1, 2]));
        let mut compacted = log.clone();
        compacted.compact_to(1);
        assert_ne!(log, compacted);
    }

    #[test]
    fn terms_must_not_decrease_for_a_log_to_be_well_formed() {
        assert!(log_with_terms(&[1, 1, 3]).is_well_formed());
        assert!(!log_with_terms(&[1, 3, 2]).is_well_formed());
        let mut below_the_snapshot = log_with_terms(&[4, 4, 2]);
        below_the_snapshot.compact_to(2);
        assert!(!below_the_snapshot.is_well_formed());
    }

    #[test]
    fn install_snapshot_keeps_a_consistent_suffix_only() {
        let mut log = log_with_terms(&[1, 1, 2, 2]);
        log.install_snapshot(2, 1);
        assert_eq!((log.snapshot_index(), log.last_index()), (2, 4));
        let mut other = log_with_terms(&[1, 1, 2, 2]);
        other.install_snapshot(3, 5);
        assert_eq!((other.snapshot_index(), other.last_index()), (3, 3));
        assert_eq!(other.last_term(), 5);
    }

    #[test]
    fn rewrites_are_marked_from_their_lowest_index() {
        let mut log = log_with_terms(&[1, 1, 2, 2, 3]);
        log.append(Entry {
            term: 3,
            command: vec![],
        });
        assert_eq!(
            log.take_rewritten_from(),
            None,
            "appending rewrites nothing"
        );
        log.truncate_from(5);
        log.truncate_from(9);
        log.truncate_from(4);
        assert_eq!(log.take_rewritten_from(), Some(4));
        assert_eq!(log.take_rewritten_from(), None, "taking forgets");
        log.install_snapshot(7, 5);
        assert_eq!(log.take_rewritten_from(), Some(8));
        assert_eq!(log, {
            let mut l = Log::default();
            l.install_snapshot(7, 5);
            l
        });
    }
}
