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

/// The concatenated encodings of the entries, and where each one ends, kept as shared pieces: a
/// save clones the pieces (a reference count each) instead of copying bytes.
///
/// Each entry's encoding arrives as a piece of its own and merges with the pieces before it while
/// they are small and not at least twice its size, like carries in a binary counter. So the small
/// pieces at the end stay few (each at least twice the next), a byte is copied only a logarithmic
/// number of times, and pieces stop growing at [`CHUNK`]. Piece boundaries need not fall between
/// entries once a truncation or compaction has sliced a piece.
#[derive(Clone, Debug, Default)]
struct EncodedEntries {
    pieces: Vec<Bytes>,
    len: usize,
    ends: Vec<usize>,
}

/// The size at which a piece stops merging with the pieces after it.
const CHUNK: usize = 64 * 1024;

/// Equal when they encode the same bytes, however those are split into pieces.
impl PartialEq for EncodedEntries {
    fn eq(&self, other: &Self) -> bool {
        self.ends == other.ends && self.to_vec() == other.to_vec()
    }
}

impl Eq for EncodedEntries {}

impl EncodedEntries {
    fn push(&mut self, entry: &Entry) {
        let mut piece =
            bincode::serialize(entry).expect("encoding plain data into memory cannot fail");
        self.len += piece.len();
        self.ends.push(self.len);
        while let Some(last) = self.pieces.last() {
            if last.len() >= CHUNK || last.len() >= 2 * piece.len() {
                break;
            }
            let mut merged = Vec::with_capacity(last.len() + piece.len());
            merged.extend_from_slice(last);
            merged.extend_from_slice(&piece);
            piece = merged;
            self.pieces.pop();
        }
        self.pieces.push(piece.into());
    }

    /// Keeps the first `n` entries.
    fn truncate(&mut self, n: usize) {
        self.ends.truncate(n);
        let keep = self.ends.last().copied().unwrap_or(0);
        let mut start = 0;
        let mut kept = 0;
        for piece in &mut self.pieces {
            if start >= keep {
                break;
            }
            if start + piece.len() > keep {
                piece.truncate(keep - start);
            }
            start += piece.len();
            kept += 1;
        }
        self.pieces.truncate(kept);
        self.len = keep;
    }

    /// Drops the first `n` entries.
    fn drain_front(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let cut = self.ends[n - 1];
        let mut skipped = 0;
        let mut dropped = 0;
        for piece in &mut self.pieces {
            if skipped + piece.len() <= cut {
                skipped += piece.len();
                dropped += 1;
            } else {
                *piece = piece.slice(cut - skipped..);
                break;
            }
        }
        self.pieces.drain(..dropped);
        self.len -= cut;
        self.ends.drain(..n);
        for end in &mut self.ends {
            *end -= cut;
        }
    }

    /// Entries whose encodings, concatenated, are `bytes`, each ending at its offset in `ends`.
    fn from_bytes(bytes: Bytes, ends: Vec<usize>) -> Self {
        let pieces = (0..bytes.len())
            .step_by(CHUNK)
            .map(|at| bytes.slice(at..bytes.len().min(at + CHUNK)))
            .collect();
        EncodedEntries {
            pieces,
            len: bytes.len(),
            ends,
        }
    }

    fn to_vec(&self) -> Vec<u8> {
        self.pieces.concat()
    }

    /// The encoding as pieces to concatenate, shared, not copied.
    fn chunks(&self) -> impl Iterator<Item = Bytes> + '_ {
        self.pieces.iter().cloned()
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

    /// Sets up the kept encodings after the log was decoded (decoding skips them). `bytes` is what
    /// was decoded, a state that ends with this log: when it holds exactly that state, the entries'
    /// encodings are its suffix and are taken from there instead of encoded again.
    pub fn restore_encoding(&mut self, bytes: &[u8], decoded_len: usize) {
        let mut ends = Vec::with_capacity(self.entries.len());
        let mut len = 0;
        for e in &self.entries {
            len += bincode::serialized_size(e).expect("sizing plain data cannot fail") as usize;
            ends.push(len);
        }
        if decoded_len == bytes.len() && len <= bytes.len() {
            let suffix = Bytes::copy_from_slice(&bytes[bytes.len() - len..]);
            self.encoded = EncodedEntries::from_bytes(suffix, ends);
        } else {
            self.encoded = EncodedEntries::default();
            for e in &self.entries {
                self.encoded.push(e);
            }
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
        log.truncate_from(250); // inside a full-size piece
        check(&log);
        log.truncate_from(249); // inside a small piece
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
    fn small_entries_make_few_pieces() {
        let mut log = Log::default();
        for i in 0..20_000u64 {
            log.append(Entry {
                term: 1,
                command: vec![i as u8; 40],
            });
        }
        let pieces = log.encoded.pieces.len();
        let full = log.encoded.len / CHUNK;
        assert!(
            pieces <= full + 2 * 17,
            "{pieces} pieces for {full} full chunks: small pieces are not merging"
        );
        assert_eq!(
            log.encode_chunks(Vec::new()).concat(),
            bincode::serialize(&log).unwrap()
        );
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
