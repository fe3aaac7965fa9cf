//! Encoded log entries kept as shared pieces of bytes, so a save clones the pieces (a reference count
//! each) instead of copying bytes.

use bytes::Bytes;

/// The concatenated encodings of consecutive entries, and where each one ends.
///
/// Each entry's encoding arrives as a piece of its own and merges with the pieces before it while
/// they are small and not at least twice its size, like carries in a binary counter. So the small
/// pieces at the end stay few (each at least twice the next), a byte is copied only a logarithmic
/// number of times, and pieces stop growing at [`CHUNK`]. Piece boundaries need not fall between
/// entries once a truncation or compaction has sliced a piece.
#[derive(Clone, Debug, Default)]
pub struct EncodedEntries {
    pieces: Vec<Bytes>,
    len: usize,
    ends: Vec<usize>,
}

/// The size at which a piece stops merging with the pieces after it.
pub const CHUNK: usize = 64 * 1024;

impl EncodedEntries {
    /// How many entries are encoded.
    pub fn count(&self) -> usize {
        self.ends.len()
    }

    /// Appends one entry's encoding.
    pub fn push(&mut self, mut piece: Vec<u8>) {
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
    pub fn truncate(&mut self, n: usize) {
        if n >= self.count() {
            return;
        }
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

    /// Drops the first `n` entries (all of them, if there are fewer).
    pub fn drain_front(&mut self, n: usize) {
        let n = n.min(self.count());
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
    pub fn from_bytes(bytes: Bytes, ends: Vec<usize>) -> Self {
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

    /// The encoding as pieces to concatenate, shared, not copied.
    pub fn chunks(&self) -> impl Iterator<Item = Bytes> + '_ {
        self.pieces.iter().cloned()
    }

    #[cfg(test)]
    pub fn piece_count(&self) -> usize {
        self.pieces.len()
    }

    #[cfg(test)]
    pub fn byte_len(&self) -> usize {
        self.len
    }
}
