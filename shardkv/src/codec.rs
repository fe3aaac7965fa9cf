//! The one binary encoding of the crate's own data (shard states, snapshots): bincode with
//! fixed-size integers, rejecting trailing bytes, so bytes that are not exactly one value are an
//! error rather than a half-read value.

use bincode::Options;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn options() -> impl Options {
    bincode::DefaultOptions::new().with_fixint_encoding()
}

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    options()
        .serialize(value)
        .expect("encoding plain data into memory cannot fail")
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    options().deserialize(bytes).map_err(|e| e.to_string())
}
