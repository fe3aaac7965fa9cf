//! Which shard a key lives in.

use crate::{N_SHARDS, Shard};

const FNV32_OFFSET: u32 = 2_166_136_261;
const FNV32_PRIME: u32 = 16_777_619;

/// The shard of `key`: the 32-bit FNV-1a hash of its bytes, modulo [`N_SHARDS`]. Every part of the
/// system (clerks, groups, controller, tests) must place keys with this function.
pub fn key_to_shard(key: &str) -> Shard {
    let hash = key.bytes().fold(FNV32_OFFSET, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(FNV32_PRIME)
    });
    hash as usize % N_SHARDS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The course's own values for k0..k59.
    const SHARDS_OF_K0_TO_K59: [usize; 60] = [
        10, 9, 0, 11, 6, 5, 8, 7, 6, 5, 7, 8, 5, 6, 3, 4, 1, 2, 11, 0, 4, 3, 2, 1, 0, 11, 10, 9, 0,
        11, 9, 10, 11, 0, 5, 6, 7, 8, 5, 6, 10, 9, 0, 11, 6, 5, 8, 7, 6, 5, 3, 4, 1, 2, 7, 8, 5, 6,
        11, 0,
    ];

    #[test]
    fn keys_k0_to_k59_land_in_the_courses_shards() {
        let got: Vec<usize> = (0..60).map(|i| key_to_shard(&format!("k{i}"))).collect();
        assert_eq!(got, SHARDS_OF_K0_TO_K59);
        let mut per_shard = [0; N_SHARDS];
        for s in got {
            per_shard[s] += 1;
        }
        assert_eq!(per_shard, [7, 3, 3, 3, 3, 8, 8, 5, 5, 4, 4, 7]);
    }

    #[test]
    fn the_empty_key_hashes_to_the_offset_basis() {
        assert_eq!(key_to_shard(""), FNV32_OFFSET as usize % N_SHARDS);
    }
}
