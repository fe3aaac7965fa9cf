//! The sharded clerk: what an application of the sharded service uses.

use crate::Gid;
use crate::clnt::Clnt;
use crate::shardctrler::ShardCtrler;
use raftapi::VersionedClerk;

/// The sharded key/value clerk (the course's `shardkv.MakeClerk(clnt, sck)`): a [`VersionedClerk`]
/// whose get and put go to the group serving the key's shard ([`crate::key_to_shard`]) in the
/// controller's current configuration, asking the controller again when a group answers
/// `ErrWrongGroup`. It never returns `ErrWrongGroup` or `ErrWrongLeader` itself; a put resent to
/// the same or another group after a copy may have taken effect answers `ErrVersion` as
/// `ErrMaybe`.
pub trait ShardKvClerk: VersionedClerk {
    /// The controller it asks for configurations.
    type Ctrler: ShardCtrler;

    /// A clerk reaching the groups through `clnt` and asking `sck` for the configuration (the
    /// controller has its own client).
    fn make(clnt: Clnt, sck: Self::Ctrler) -> Self
    where
        Self: Sized;

    /// The server of group `gid` this clerk last found leading (the course's
    /// `GetClerk(gid).Leader()`), or `None` if it has not talked to that group.
    fn group_leader(&self, gid: Gid) -> Option<usize>;
}
