//! The versioned key/value store of the current course (Labs 2, 4 and 5): every key carries a
//! version, and a put takes effect only if it names the key's current version.
//!
//! The server side (the table every server follows, a single kvsrv as well as a replicated one):
//!
//! | key state | request       | reply, and effect                      |
//! |-----------|---------------|----------------------------------------|
//! | absent    | get           | `Err(NoKey)`                           |
//! | (v, n)    | get           | `Ok((v, n))`                           |
//! | absent    | put(x, 0)     | `Ok(())`; the key becomes (x, 1)       |
//! | absent    | put(x, m > 0) | `Err(NoKey)`                           |
//! | (v, n)    | put(x, n)     | `Ok(())`; the key becomes (x, n + 1)   |
//! | (v, n)    | put(x, m ≠ n) | `Err(Version)`                         |
//!
//! A clerk resends a put until it is answered. `Err(Version)` to the first copy means the put did
//! not happen; to a resend it means an earlier copy may have happened, which the clerk reports as
//! `Err(Maybe)`. Servers keep no per-client state: versions alone make a put take effect at most
//! once.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::future::Future;

/// A key's version: 0 for a key that does not exist, then one more for each put that took effect.
pub type Version = u64;

/// The course's `Err` values other than `OK` (which is `Ok` of [`KvResult`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum KvError {
    /// Get: the key has no value. Put: the key does not exist and the version is not 0.
    NoKey,
    /// Put: the key's version is not the one given, so the put did not take effect.
    Version,
    /// Put, produced by clerks only: a resent put was answered [`KvError::Version`], so an earlier
    /// copy may or may not have taken effect.
    Maybe,
    /// A replicated server that does not lead (Labs 4 and 5).
    WrongLeader,
    /// A shard group that does not serve the key's shard (Lab 5).
    WrongGroup,
}

impl KvError {
    /// The course's name of the error: `ErrNoKey`, `ErrVersion`, `ErrMaybe`, `ErrWrongLeader`,
    /// `ErrWrongGroup`.
    pub fn name(self) -> &'static str {
        match self {
            KvError::NoKey => "ErrNoKey",
            KvError::Version => "ErrVersion",
            KvError::Maybe => "ErrMaybe",
            KvError::WrongLeader => "ErrWrongLeader",
            KvError::WrongGroup => "ErrWrongGroup",
        }
    }
}

impl fmt::Display for KvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::error::Error for KvError {}

/// What a versioned operation returns: `Ok` is the course's `OK`.
pub type KvResult<T> = Result<T, KvError>;

/// The course's name of a result: `OK`, or the error's name.
pub fn err_name<T>(result: &KvResult<T>) -> &'static str {
    match result {
        Ok(_) => "OK",
        Err(e) => e.name(),
    }
}

/// The service name and methods a versioned server answers on (the course's `KVServer.Get` and
/// `KVServer.Put`).
pub const KV_SERVICE: &str = "KVServer";
pub const GET_METHOD: &str = "KVServer.Get";
pub const PUT_METHOD: &str = "KVServer.Put";

/// The arguments of `KVServer.Get`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetArgs {
    pub key: String,
}

/// The reply to `KVServer.Get`: the value and its version, or [`KvError::NoKey`].
pub type GetReply = KvResult<(String, Version)>;

/// The arguments of `KVServer.Put`: set `key` to `value` if its version is `version`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutArgs {
    pub key: String,
    pub value: String,
    pub version: Version,
}

/// The reply to `KVServer.Put`.
pub type PutReply = KvResult<()>;

/// A client of a versioned key/value service (the course's `IKVClerk`), whatever serves it: one
/// kvsrv (Lab 2), a Raft group (Lab 4) or shard groups (Lab 5). Each call returns once answered.
pub trait VersionedClerk: Send + Sync + 'static {
    /// The value of `key` and its version, or [`KvError::NoKey`]. Retries until a server answers.
    fn get(&self, key: &str) -> impl Future<Output = KvResult<(String, Version)>> + Send;

    /// Sets `key` to `value` if its version is `version` (0 creates the key). Resends until a
    /// server answers; a resend answered [`KvError::Version`] returns [`KvError::Maybe`].
    fn put(
        &self,
        key: &str,
        value: &str,
        version: Version,
    ) -> impl Future<Output = KvResult<()>> + Send;
}
