//! Random values and key names, all drawn from the simulation's seed.

use madsim::rand::Rng;

/// RandValue: `n` letters from a–z and A–Z.
pub fn rand_value(n: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut rng = madsim::rand::thread_rng();
    (0..n)
        .map(|_| LETTERS[rng.gen_range(0..LETTERS.len())] as char)
        .collect()
}

/// Randstring: `n` characters of URL-safe base64 (the course takes them from 2n random bytes).
pub fn rand_string(n: usize) -> String {
    const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = madsim::rand::thread_rng();
    (0..n)
        .map(|_| BASE64URL[rng.gen_range(0..BASE64URL.len())] as char)
        .collect()
}

/// MakeKeys: "k0" … "k(n−1)".
pub fn make_keys(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("k{i}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_numbered_from_zero() {
        assert_eq!(make_keys(3), ["k0", "k1", "k2"]);
        assert!(make_keys(0).is_empty());
    }
}
