//! What an rsm hands Raft as a snapshot: the index it covers, then the state machine's bytes.
//! The index tells a restarted replica where its state stands, so it skips older applies.

const INDEX_BYTES: usize = 8;

pub fn encode(index: u64, state: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(INDEX_BYTES + state.len());
    bytes.extend_from_slice(&index.to_le_bytes());
    bytes.extend_from_slice(state);
    bytes
}

/// (index, state machine bytes); an error for bytes too short to hold the index.
pub fn decode(bytes: &[u8]) -> Result<(u64, &[u8]), String> {
    let Some((index, state)) = bytes.split_first_chunk::<INDEX_BYTES>() else {
        return Err(format!(
            "a {}-byte rsm snapshot cannot hold its index",
            bytes.len()
        ));
    };
    Ok((u64::from_le_bytes(*index), state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let bytes = encode(42, &[9, 8]);
        assert_eq!(decode(&bytes), Ok((42, &[9u8, 8][..])));
        assert_eq!(decode(&encode(1, &[])), Ok((1, &[][..])));
    }

    #[test]
    fn too_short_is_an_error() {
        assert!(decode(&[1, 2, 3]).is_err());
    }
}
