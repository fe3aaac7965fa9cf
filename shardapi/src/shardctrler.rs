//! The controller: it keeps the configuration in the kvsrv `server-0-0` and moves shards between
//! groups to go from one configuration to the next.

use crate::clnt::Clnt;
use crate::shardrpc::ShardError;
use crate::{Num, Shard, ShardConfig};
use raftapi::{KvError, VersionedClerk};
use std::fmt;
use std::future::Future;

/// The server that stores the configuration: group 0's only server, a Lab 2 kvsrv.
pub const CTRLER_SERVER: &str = "server-0-0";

/// The shard controller (the course's `shardctrler.MakeShardCtrler(clnt)`). It is itself a
/// versioned clerk of the kvsrv at [`CTRLER_SERVER`], where it keeps the configuration, so that
/// several controllers (a new one after an old one was cut off, or several at once) agree through
/// versioned puts on which configuration is current and which change is under way.
pub trait ShardCtrler: VersionedClerk {
    /// A controller reaching the kvsrv and the shard groups through `clnt`.
    fn make(clnt: Clnt) -> Self
    where
        Self: Sized;

    /// InitController: finishes a configuration change that a controller started and did not
    /// finish (it was cut off or crashed). Returns once no change is left half done.
    fn init_controller(&self) -> impl Future<Output = Result<(), CtrlerError>> + Send;

    /// InitConfig: stores the first configuration.
    fn init_config(&self, cfg: ShardConfig)
    -> impl Future<Output = Result<(), CtrlerError>> + Send;

    /// ChangeConfigTo: moves the shards from the current configuration to `new` (whose number is
    /// the current one's plus one) and makes `new` current. `Ok` if this controller made `new`
    /// current. If another controller got there first (it took `new`'s number, or finished this
    /// change itself), this returns [`CtrlerError::Superseded`] and changes nothing any more.
    fn change_config_to(
        &self,
        new: ShardConfig,
    ) -> impl Future<Output = Result<(), CtrlerError>> + Send;

    /// Query: the current configuration.
    fn query(&self) -> impl Future<Output = Result<ShardConfig, CtrlerError>> + Send;
}

/// Why a controller's request did not do what it asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CtrlerError {
    /// No configuration is stored yet (InitConfig has not run).
    NoConfig,
    /// InitConfig, when a configuration is already stored.
    AlreadyInitialized { current: Num },
    /// A stored configuration does not decode.
    Malformed(String),
    /// ChangeConfigTo of a configuration that does not follow the current one.
    NotNext { current: Num, requested: Num },
    /// Another controller changed the configuration first; `current` is the number it read.
    Superseded { current: Num },
    /// A group refused a shard move with an error other than a stale number.
    Move { shard: Shard, error: ShardError },
    /// The kvsrv answered a request with an error the protocol does not expect.
    Store(KvError),
}

impl fmt::Display for CtrlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CtrlerError::NoConfig => write!(f, "no configuration is stored"),
            CtrlerError::AlreadyInitialized { current } => {
                write!(f, "a configuration (number {current}) is already stored")
            }
            CtrlerError::Malformed(why) => {
                write!(f, "the stored configuration is malformed: {why}")
            }
            CtrlerError::NotNext { current, requested } => write!(
                f,
                "configuration {requested} does not follow the current configuration {current}"
            ),
            CtrlerError::Superseded { current } => write!(
                f,
                "superseded by another controller (current configuration {current})"
            ),
            CtrlerError::Move { shard, error } => write!(f, "moving shard {shard}: {error}"),
            CtrlerError::Store(e) => write!(f, "the configuration store answered {e}"),
        }
    }
}

impl std::error::Error for CtrlerError {}
