//! The bytes a hard state is saved as: exactly what `bincode::serialize(&HardState)` writes, built by
//! hand from a header and the kept encodings of the log's entries. A long log is then neither
//! re-encoded nor copied on every save: only entries changed since the last save are encoded, and
//! the rest are shared pieces.

use super::HardState;
use super::pieces::EncodedEntries;
use crate::log::{Entry, Log};
use bytes::Bytes;

/// The kept encodings of a log's entries between saves.
#[derive(Clone, Debug, Default)]
pub struct StateEncoder {
    /// The snapshot index the kept encodings follow: they are entries `base + 1 ..= base + count`.
    base: u64,
    entries: EncodedEntries,
}

impl StateEncoder {
    /// The encoder for `state`, freshly decoded from `bytes`. When `bytes` holds exactly that state,
    /// the entries' encodings are its suffix and are kept from there instead of encoded again.
    pub fn resume(state: &HardState, bytes: &[u8]) -> Self {
        let log = &state.log;
        let mut encoder = StateEncoder {
            base: log.snapshot_index(),
            entries: EncodedEntries::default(),
        };
        let decoded_len = bincode::serialized_size(state).map_or(0, |n| n as usize);
        let mut ends = Vec::new();
        let mut len = 0;
        for e in log.entries_from(log.snapshot_index() + 1) {
            len += bincode::serialized_size(e).expect("sizing plain data cannot fail") as usize;
            ends.push(len);
        }
        // Trailing bytes decode too (bincode allows them); then the entries' encodings are not the
        // suffix of `bytes`, and the first save encodes them afresh.
        if decoded_len == bytes.len() && len <= bytes.len() {
            let suffix = Bytes::copy_from_slice(&bytes[bytes.len() - len..]);
            encoder.entries = EncodedEntries::from_bytes(suffix, ends);
        }
        encoder
    }

    /// `state` encoded as chunks to concatenate. First brings the kept encodings up to date with the
    /// log, taking the log's rewrite mark (hence `&mut`); the state itself does not change.
    pub fn encode(&mut self, state: &mut HardState) -> Vec<Bytes> {
        self.catch_up(&mut state.log);
        let mut header = bincode::serialize(&(state.term, state.voted_for))
            .expect("encoding plain data into memory cannot fail");
        let log = &state.log;
        header.extend_from_slice(&log.snapshot_index().to_le_bytes());
        header.extend_from_slice(&log.snapshot_term().to_le_bytes());
        header.extend_from_slice(&(log.last_index() - log.snapshot_index()).to_le_bytes());
        std::iter::once(Bytes::from(header))
            .chain(self.entries.chunks())
            .collect()
    }

    /// Drops kept encodings the log no longer has (rewritten, compacted or beyond its end), then
    /// encodes the entries after the last one kept.
    fn catch_up(&mut self, log: &mut Log) {
        if log.snapshot_index() < self.base {
            // The boundary moved back: nothing kept is known to match.
            *self = StateEncoder {
                base: log.snapshot_index(),
                entries: EncodedEntries::default(),
            };
        }
        let kept = |e: &Self| e.base + e.entries.count() as u64;
        let mut valid_through = kept(self).min(log.last_index());
        if let Some(from) = log.take_rewritten_from() {
            valid_through = valid_through.min(from - 1);
        }
        self.entries
            .truncate(valid_through.saturating_sub(self.base) as usize);
        let compacted = log.snapshot_index() - self.base;
        self.entries.drain_front(compacted as usize);
        self.base = log.snapshot_index();
        for entry in log.entries_from(kept(self) + 1) {
            self.entries.push(encode_entry(entry));
        }
    }

    #[cfg(test)]
    pub fn kept(&self) -> &EncodedEntries {
        &self.entries
    }
}

fn encode_entry(entry: &Entry) -> Vec<u8> {
    bincode::serialize(entry).expect("encoding plain data into memory cannot fail")
}
