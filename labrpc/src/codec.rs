//! The wire format: bincode 1.3 with the layout of `bincode::serialize` (fixed-width integers, little
//! endian), so `bincode::serialized_size` tells a payload's length. Decoding also rejects trailing bytes,
//! so a payload of another type is a `Codec` error more often than a silent misreading.

use crate::error::{Result, RpcError};
use bincode::Options;
use serde::{Serialize, de::DeserializeOwned};

fn options() -> impl Options {
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .reject_trailing_bytes()
}

pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    options()
        .serialize(value)
        .map_err(|e| RpcError::Codec(format!("encode: {e}")))
}

pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    options()
        .deserialize(bytes)
        .map_err(|e| RpcError::Codec(format!("decode {}: {e}", std::any::type_name::<T>())))
}
