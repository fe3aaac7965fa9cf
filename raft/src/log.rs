//! The replicated log after compaction. This type is the one place that translates between absolute
//! Raft indexes (1-based, growing forever) and positions in the in-memory vector that holds only the
//! entries after the last snapshot.

use bytes::Bytes;
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
///
/// The log also keeps the bincode encoding of its entries up to date as it changes, so persisting
/// neither re-encodes every entry on every append nor copies more than the newest chunk of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Log {
    snapshot_index: u64,
    snapshot_term: u64,
    entries: Vec<Entry>,
    #[serde(skip)]
    encoded: EncodedEntries,
}

/// The concatenated encodings of the entries, and where each one ends. The bytes are kept as
/// sealed, shared chunks followed by an open tail, so a save shares the sealed chunks and copies at
/// most one chunk. Chunk boundaries need not fall between entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct EncodedEntries {
    sealed: Vec<Bytes>,
    sealed_len: usize,
    tail: Vec<u8>,
    ends: Vec<usize>,
}

/// The size at which the open tail is sealed into a shared chunk.
const CHUNK: usize = 64 * 1024;

impl EncodedEntries {
    fn push(&mut self, entry: &Entry) {
        bincode::serialize_into(&mut self.tail, entry).expect("encoding into memory cannot fail");
        self.ends.push(self.sealed_len + self.tail.len());
        if self.tail.len() >= CHUNK {
            self.sealed_len += self.tail.len();
            self.sealed.push(std::mem::take(&mut self.tail).into());
        }
    }

    fn len(&self) -> usize {
        self.sealed_len + self.tail.len()
    }

    /// Keeps the first `n` entries.
    fn truncate(&mut self, n: usize) {
        self.ends.truncate(n);
        let keep = self.ends.last().copied().unwrap_or(0);
        if keep >= self.sealed_len {
            self.tail.truncate(keep - self.sealed_len);
        } else {
            let mut bytes = self.to_vec();
            bytes.truncate(keep);
            self.rechunk(bytes);
        }
    }

    /// Drops the first `n` entries.
    fn drain_front(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let cut = self.ends[n - 1];
        let mut bytes = self.to_vec();
        bytes.drain(..cut);
        self.rechunk(bytes);
        self.ends.drain(..n);
        for end in &mut self.ends {
            *end -= cut;
        }
    }

    fn to_vec(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.len());
        for chunk in &self.sealed {
            bytes.extend_from_slice(chunk);
        }
        bytes.extend_from_slice(&self.tail);
        bytes
    }

    /// Re-splits `bytes` (the whole encoding) into sealed chunks and a tail.
    fn rechunk(&mut self, bytes: Vec<u8>) {
        let sealed_len = bytes.len() / CHUNK * CHUNK;
        let shared = Bytes::from(bytes);
        self.sealed = (0..sealed_len)
            .step_by(CHUNK)
            .map(|at| shared.slice(at..at + CHUNK))
            .collect();
        self.sealed_len = sealed_len;
        self.tail = shared[sealed_len..].to_vec();
    }

    /// The encoding as chunks to concatenate: the sealed ones shared, the tail copied.
    fn chunks(&self) -> impl Iterator<Item = Bytes> + '_ {
        let tail = (!self.tail.is_empty()).then(|| Bytes::copy_from_slice(&self.tail));
        self.sealed.iter().cloned().chain(tail)
    }
}

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
        self.encoded.push(&entry);
        self.entries.push(entry);
        self.last_index()
    }

    /// Drops `index` and everything after it (never the snapshot).
    pub fn truncate_from(&mut self, index: u64) {
        if let Some(p) = self.position(index) {
            self.entries.truncate(p);
            self.encoded.truncate(p);
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
        self.encoded.drain_front(keep_from);
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
            self.encoded = EncodedEntries::default();
            self.snapshot_index = index;
            self.snapshot_term = term;
        }
    }

    /// The log exactly as `bincode::serialize` writes it, as chunks to concatenate: `header` with
    /// the log's own header appended, then the kept entry encodings.
    pub fn encode_chunks(&self, mut header: Vec<u8>) -> Vec<Bytes> {
        header.extend_from_slice(&self.snapshot_index.to_le_bytes());
        header.extend_from_slice(&self.snapshot_term.to_le_bytes());
        header.extend_from_slice(&(self.entries.len() as u64).to_le_bytes());
        std::iter::once(Bytes::from(header))
            .chain(self.encoded.chunks())
            .collect()
    }

    /// Rebuilds the kept encodings (after the log was decoded, which skips them).
    pub fn rebuild_encoding(&mut self) {
        self.encoded = EncodedEntries::default();
        for e in &self.entries {
            self.encoded.push(e);
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

    #[test]
    fn kept_encoding_matches_bincode_through_every_change() {
        let mut log = log_with_terms(&[1, 1, 2, 2, 3, 3]);
        let check = |log: &Log| {
            let mine = log.encode_chunks(Vec::new()).concat();
            assert_eq!(mine, bincode::serialize(log).unwrap());
        };
        check(&log);
        log.truncate_from(5);
        check(&log);
        log.append(Entry {
            term: 4,
            command: vec![9; 70],
        });
        check(&log);
        log.compact_to(2);
        check(&log);
        log.install_snapshot(4, 2);
        check(&log);
        log.install_snapshot(9, 5);
        check(&log);
    }

    #[test]
    fn kept_encoding_matches_bincode_across_chunk_boundaries() {
        let check = |log: &Log| {
            let mine = log.encode_chunks(Vec::new()).concat();
            assert_eq!(mine, bincode::serialize(log).unwrap());
        };
        let mut log = Log::default();
        // 1000-byte commands: a few hundred entries span several chunks.
        for i in 0..300u64 {
            log.append(Entry {
                term: 1 + i / 100,
                command: vec![i as u8; 1000],
            });
        }
        assert!(
            log.encode_chunks(Vec::new()).len() > 4,
            "spans several chunks"
        );
        check(&log);
        log.truncate_from(250); // inside a sealed chunk
        check(&log);
        log.truncate_from(249); // inside the tail
        check(&log);
        log.append(Entry {
            term: 4,
            command: vec![7; 3],
        });
        check(&log);
        log.compact_to(70); // the front moves by a non-multiple of the chunk size
        check(&log);
        assert_eq!(log.term_at(100), Some(1));
        log.truncate_from(150);
        check(&log);
        log.compact_to(149);
        check(&log);
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
}
