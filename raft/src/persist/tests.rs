use super::pieces::CHUNK;
use super::*;
use crate::log::Entry;
use bytes::Bytes;

fn encode(state: &mut HardState) -> Vec<u8> {
    StateEncoder::default().encode(state).concat()
}

fn entry(term: u64, command: Vec<u8>) -> Entry {
    Entry { term, command }
}

fn state_with_terms(terms: &[u64]) -> HardState {
    let mut s = HardState {
        term: *terms.last().unwrap_or(&0),
        ..HardState::default()
    };
    for &t in terms {
        s.log.append(entry(t, vec![]));
    }
    s
}

/// Encodes through `encoder` (which kept what it encoded before) and checks the result is exactly
/// what bincode writes for the whole state.
fn check(encoder: &mut StateEncoder, state: &mut HardState) {
    let mine = encoder.encode(state).concat();
    assert_eq!(mine, bincode::serialize(&*state).unwrap());
}

#[test]
fn round_trip() {
    let mut s = HardState {
        term: 3,
        voted_for: Some(1),
        log: Log::default(),
    };
    s.log.append(entry(2, vec![1, 2, 3]));
    let bytes = encode(&mut s);
    assert_eq!(bytes, bincode::serialize(&s).unwrap());
    assert_eq!(HardState::decode(&bytes, 3), Ok(s));
}

#[test]
fn a_log_whose_terms_decrease_is_corrupt_state() {
    let mut s = state_with_terms(&[1, 3, 2]);
    s.term = 3;
    let bytes = bincode::serialize(&s).unwrap();
    let err = HardState::decode(&bytes, 3).expect_err("terms 1, 3, 2 decoded");
    assert!(err.contains("out of order"), "{err}");
    let mut ahead = state_with_terms(&[1, 2]);
    ahead.term = 1;
    let bytes = bincode::serialize(&ahead).unwrap();
    assert!(
        HardState::decode(&bytes, 3).is_err(),
        "a log ahead of the term decoded"
    );
}

#[test]
fn a_resumed_encoder_writes_the_same_bytes() {
    let mut s = HardState {
        term: 3,
        voted_for: None,
        log: Log::default(),
    };
    for i in 0..2000u64 {
        s.log
            .append(entry(1 + i / 700, vec![i as u8; (i % 90) as usize]));
    }
    let bytes = encode(&mut s);
    let mut stored = Stored::load(&bytes, 3).unwrap();
    assert_eq!(stored.encoder.kept().count(), 2000, "kept from the bytes");
    assert_eq!(stored.encoder.encode(&mut stored.hard).concat(), bytes);
    // Trailing bytes still decode; the kept encodings must not include them.
    let mut trailing = bytes.clone();
    trailing.extend_from_slice(&[7; 5]);
    let mut stored = Stored::load(&trailing, 3).unwrap();
    assert_eq!(stored.encoder.encode(&mut stored.hard).concat(), bytes);
}

#[test]
fn corrupt_bytes_are_an_error() {
    let mut s = HardState {
        term: 3,
        voted_for: Some(1),
        log: Log::default(),
    };
    let bytes = encode(&mut s);
    assert!(HardState::decode(&bytes[..bytes.len() - 1], 3).is_err());
    assert!(HardState::decode(&[0xff; 3], 3).is_err());
    assert!(
        HardState::decode(&bytes, 1).is_err(),
        "vote for unknown peer"
    );
    let mut ahead = state_with_terms(&[1, 4]);
    ahead.term = 2;
    assert!(
        HardState::decode(&encode(&mut ahead), 3).is_err(),
        "log ahead of the term"
    );
    assert_eq!(HardState::decode(&[], 3), Ok(HardState::default()));
}

#[test]
fn kept_encoding_matches_bincode_through_every_change() {
    let mut s = state_with_terms(&[1, 1, 2, 2, 3, 3]);
    let mut e = StateEncoder::default();
    check(&mut e, &mut s);
    s.log.truncate_from(5);
    check(&mut e, &mut s);
    s.log.append(entry(4, vec![9; 70]));
    s.term = 4;
    check(&mut e, &mut s);
    s.log.compact_to(2);
    check(&mut e, &mut s);
    s.log.install_snapshot(4, 2);
    check(&mut e, &mut s);
    s.log.install_snapshot(9, 5);
    s.term = 5;
    check(&mut e, &mut s);
}

#[test]
fn a_rewrite_between_saves_is_never_mistaken_for_an_append() {
    // Truncate and append back to the same length: only the rewrite mark tells the encoder.
    let mut s = state_with_terms(&[1, 1, 2, 2]);
    let mut e = StateEncoder::default();
    check(&mut e, &mut s);
    s.log.truncate_from(3);
    s.log.append(entry(3, vec![5; 10]));
    s.log.append(entry(3, vec![6; 10]));
    s.term = 3;
    check(&mut e, &mut s);
    // A rewrite below a later compaction point, all before one save.
    s.log.truncate_from(4);
    s.log.append(entry(3, vec![7]));
    s.log.compact_to(4);
    check(&mut e, &mut s);
}

#[test]
fn kept_encoding_matches_bincode_across_chunk_boundaries() {
    let mut s = HardState::default();
    let mut e = StateEncoder::default();
    // 1000-byte commands: a few hundred entries span several chunks.
    for i in 0..300u64 {
        s.log.append(entry(1 + i / 100, vec![i as u8; 1000]));
    }
    s.term = 3;
    check(&mut e, &mut s);
    assert!(e.kept().piece_count() > 4, "spans several chunks");
    s.log.truncate_from(250); // inside a full-size piece
    check(&mut e, &mut s);
    s.log.truncate_from(249); // inside a small piece
    check(&mut e, &mut s);
    s.log.append(entry(4, vec![7; 3]));
    s.term = 4;
    check(&mut e, &mut s);
    s.log.compact_to(70); // the front moves by a non-multiple of the chunk size
    check(&mut e, &mut s);
    assert_eq!(s.log.term_at(100), Some(1));
    s.log.truncate_from(150);
    check(&mut e, &mut s);
    s.log.compact_to(149);
    check(&mut e, &mut s);
}

#[test]
fn small_entries_make_few_pieces() {
    let mut s = HardState::default();
    let mut e = StateEncoder::default();
    for i in 0..20_000u64 {
        s.log.append(entry(1, vec![i as u8; 40]));
    }
    s.term = 1;
    check(&mut e, &mut s);
    let pieces = e.kept().piece_count();
    let full = e.kept().byte_len() / CHUNK;
    assert!(
        pieces <= full + 2 * 17,
        "{pieces} pieces for {full} full chunks: small pieces are not merging"
    );
    // What the pieces are for: a save of this 1.1 MB log clones a few dozen of them, not thousands.
    assert!(
        pieces <= 64,
        "{pieces} pieces for {} bytes: the chunks stay too small",
        e.kept().byte_len()
    );
}

/// The merging holds whatever the entries' sizes: each piece at least twice the next, so even
/// entries that shrink one by one (none twice the next) end up in few pieces.
#[test]
fn shrinking_entries_make_few_pieces() {
    let mut s = HardState::default();
    let mut e = StateEncoder::default();
    for size in (100..600).rev().step_by(2) {
        s.log.append(entry(1, vec![7; size]));
    }
    s.term = 1;
    check(&mut e, &mut s);
    let pieces = e.kept().piece_count();
    // 250 entries, 87,000 bytes: 6 pieces here; one per entry if shrinking stopped the merging.
    assert!(pieces <= 20, "{pieces} pieces for 250 shrinking entries");
}

/// Whether `chunk`'s bytes lie inside one of `earlier`'s: kept, not encoded again.
fn shares_memory(chunk: &Bytes, earlier: &[Bytes]) -> bool {
    let range = |b: &Bytes| b.as_ptr() as usize..b.as_ptr() as usize + b.len();
    let inner = range(chunk);
    earlier.iter().any(|e| {
        let outer = range(e);
        outer.contains(&inner.start) && inner.end <= outer.end
    })
}

/// The point of keeping encodings: a save after nothing changed, or after a compaction, encodes no
/// entry again (the entries' chunks are the earlier save's memory).
#[test]
fn an_unchanged_or_compacted_log_is_not_encoded_again() {
    let mut s = HardState::default();
    for i in 0..300u64 {
        s.log.append(entry(1, vec![i as u8; 1000]));
    }
    s.term = 1;
    let mut e = StateEncoder::default();
    let first = e.encode(&mut s);
    let kept = |chunks: &[Bytes]| chunks[1..].iter().all(|c| shares_memory(c, &first[1..]));
    assert!(
        kept(&e.encode(&mut s)),
        "nothing changed, yet entries were encoded again"
    );
    s.log.compact_to(70);
    let compacted = e.encode(&mut s);
    assert_eq!(compacted.concat(), bincode::serialize(&s).unwrap());
    assert!(
        kept(&compacted),
        "a compaction made entries be encoded again"
    );
}

/// An encoder handed a log whose snapshot is behind the one it kept encodings after (a state it
/// did not save) starts afresh and still writes exactly that state.
#[test]
fn an_older_snapshot_makes_the_encoder_start_afresh() {
    let mut e = StateEncoder::default();
    let mut later = state_with_terms(&[1, 1, 2, 2, 3, 3]);
    later.log.compact_to(4);
    check(&mut e, &mut later);
    let mut earlier = state_with_terms(&[1, 1, 2, 2, 3, 3]);
    earlier.log.compact_to(2);
    check(&mut e, &mut earlier);
}
