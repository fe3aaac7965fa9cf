//! The ways a call can fail. Every failure is a value the caller sees as `Err`.

use std::fmt;

/// Why a call failed. Every failure is a value; the caller sees `Err`, never a panic or a hang.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RpcError {
    /// The end is disabled or unconnected, or its server does not exist (docs/lab-tests-2023.md §1 case
    /// (b)).
    Unreachable,
    /// The request or the reply was dropped by the unreliable network.
    Dropped,
    /// The server was deleted, replaced or cut off while the call was in flight; its reply is discarded.
    ServerGone,
    /// The server hosts no service of that name.
    UnknownService(String),
    /// The service has no method of that name.
    UnknownMethod(String),
    /// A payload could not be encoded or decoded (arguments on the server, reply on the client).
    Codec(String),
}

pub type Result<T> = std::result::Result<T, RpcError>;

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RpcError::Unreachable => write!(f, "server unreachable"),
            RpcError::Dropped => write!(f, "dropped by the network"),
            RpcError::ServerGone => write!(f, "server gone while the call was in flight"),
            RpcError::UnknownService(s) => write!(f, "unknown service {s:?}"),
            RpcError::UnknownMethod(m) => write!(f, "unknown method {m:?}"),
            RpcError::Codec(e) => write!(f, "codec error: {e}"),
        }
    }
}

impl std::error::Error for RpcError {}
