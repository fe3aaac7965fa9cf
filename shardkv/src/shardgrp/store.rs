//! A shard group's state machine: its twelve shards, and the ops its servers put in the log.

use super::shard::Shard;
use crate::codec;
use raftapi::versioned::{GetArgs, GetReply, PutArgs, PutReply};
use raftapi::{RestoreError, StateMachine};
use serde::{Deserialize, Serialize};
use shardapi::shardrpc::{
    DeleteShardArgs, DeleteShardReply, FreezeShardArgs, FreezeShardReply, InstallShardArgs,
    InstallShardReply, ShardError,
};
use shardapi::{GID1, Gid, N_SHARDS, NUM_FIRST, key_to_shard};

/// A request as the log carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Get(GetArgs),
    Put(PutArgs),
    Freeze(FreezeShardArgs),
    Install(InstallShardArgs),
    Delete(DeleteShardArgs),
}

/// The reply to each kind of [`Op`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Get(GetReply),
    Put(PutReply),
    Freeze(FreezeShardReply),
    Install(InstallShardReply),
    Delete(DeleteShardReply),
}

/// Every shard, as one group holds it.
pub struct ShardStore {
    shards: Vec<Shard>,
}

impl ShardStore {
    /// Group [`GID1`] starts out serving every shard, under the first configuration; any other group
    /// starts out holding none.
    pub fn new(gid: Gid) -> Self {
        let shard = if gid == GID1 {
            Shard::serving(NUM_FIRST)
        } else {
            Shard::absent()
        };
        ShardStore {
            shards: vec![shard; N_SHARDS],
        }
    }

    fn shard(&mut self, shard: usize) -> Result<&mut Shard, ShardError> {
        self.shards
            .get_mut(shard)
            .ok_or(ShardError::NoSuchShard(shard))
    }
}

impl StateMachine for ShardStore {
    type Op = Op;
    type Reply = Reply;

    fn do_op(&mut self, op: Op) -> Reply {
        match op {
            Op::Get(args) => Reply::Get(self.shards[key_to_shard(&args.key)].get(&args.key)),
            Op::Put(args) => Reply::Put(self.shards[key_to_shard(&args.key)].put(args)),
            Op::Freeze(a) => Reply::Freeze(self.shard(a.shard).and_then(|s| s.freeze(a.num))),
            Op::Install(a) => {
                Reply::Install(self.shard(a.shard).and_then(|s| s.install(a.num, &a.state)))
            }
            Op::Delete(a) => Reply::Delete(self.shard(a.shard).and_then(|s| s.delete(a.num))),
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        codec::encode(&self.shards)
    }

    fn restore(&mut self, snapshot: &[u8]) -> Result<(), RestoreError> {
        let shards: Vec<Shard> = codec::decode(snapshot).map_err(RestoreError)?;
        if shards.len() != N_SHARDS {
            return Err(RestoreError(format!(
                "{} shards, not {N_SHARDS}",
                shards.len()
            )));
        }
        self.shards = shards;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raftapi::KvError;

    fn get(key: &str) -> Op {
        Op::Get(GetArgs { key: key.into() })
    }

    fn put(key: &str, version: u64) -> Op {
        Op::Put(PutArgs {
            key: key.into(),
            value: "v".into(),
            version,
        })
    }

    #[test]
    fn group_1_starts_with_every_shard_and_others_with_none() {
        let mut first = ShardStore::new(GID1);
        let mut other = ShardStore::new(2);
        assert_eq!(first.do_op(put("k0", 0)), Reply::Put(Ok(())));
        assert_eq!(
            other.do_op(put("k0", 0)),
            Reply::Put(Err(KvError::WrongGroup))
        );
        assert_eq!(other.do_op(get("k0")), Reply::Get(Err(KvError::WrongGroup)));
    }

    #[test]
    fn a_shard_moves_between_stores_and_only_that_shard() {
        let (mut one, mut two) = (ShardStore::new(GID1), ShardStore::new(2));
        one.do_op(put("k0", 0)); // shard 10
        one.do_op(put("k2", 0)); // shard 0
        let Reply::Freeze(Ok(state)) = one.do_op(Op::Freeze(FreezeShardArgs { shard: 10, num: 2 }))
        else {
            panic!("freeze failed");
        };
        let install = InstallShardArgs {
            shard: 10,
            state,
            num: 2,
        };
        assert_eq!(two.do_op(Op::Install(install)), Reply::Install(Ok(())));
        let delete = DeleteShardArgs { shard: 10, num: 2 };
        assert_eq!(one.do_op(Op::Delete(delete)), Reply::Delete(Ok(())));
        assert_eq!(two.do_op(get("k0")), Reply::Get(Ok(("v".into(), 1))));
        assert_eq!(one.do_op(get("k0")), Reply::Get(Err(KvError::WrongGroup)));
        assert_eq!(one.do_op(get("k2")), Reply::Get(Ok(("v".into(), 1))));
    }

    #[test]
    fn bad_requests_are_error_values_that_change_nothing() {
        let mut s = ShardStore::new(GID1);
        s.do_op(put("k0", 0)); // shard 10
        s.do_op(Op::Freeze(FreezeShardArgs { shard: 10, num: 3 }));
        let before = s.snapshot();
        let stale = Err(ShardError::Stale { num: 2, seen: 3 });
        let cases = [
            // Keys of a shard frozen for a move.
            (put("k0", 1), Reply::Put(Err(KvError::WrongGroup))),
            (get("k0"), Reply::Get(Err(KvError::WrongGroup))),
            (
                Op::Freeze(FreezeShardArgs { shard: 10, num: 2 }),
                Reply::Freeze(stale.clone().map(|()| Vec::new())),
            ),
            (
                Op::Install(InstallShardArgs {
                    shard: 10,
                    state: Vec::new(),
                    num: 2,
                }),
                Reply::Install(stale.clone()),
            ),
            (
                Op::Delete(DeleteShardArgs { shard: 10, num: 2 }),
                Reply::Delete(stale),
            ),
            (
                Op::Delete(DeleteShardArgs { shard: 0, num: 4 }),
                Reply::Delete(Err(ShardError::NotFrozen { num: 4 })),
            ),
        ];
        for (op, want) in cases {
            assert_eq!(s.do_op(op.clone()), want, "{op:?}");
            assert_eq!(s.snapshot(), before, "{op:?} changed the store");
        }
        let garbage = Op::Install(InstallShardArgs {
            shard: 10,
            state: b"not a shard".to_vec(),
            num: 4,
        });
        assert!(matches!(
            s.do_op(garbage),
            Reply::Install(Err(ShardError::BadState(_)))
        ));
        assert_eq!(
            s.snapshot(),
            before,
            "an undecodable install changed the store"
        );
        let mut other = ShardStore::new(2);
        let empty = other.snapshot();
        assert_eq!(
            other.do_op(Op::Freeze(FreezeShardArgs { shard: 10, num: 3 })),
            Reply::Freeze(Err(ShardError::NotHeld { num: 3 }))
        );
        assert_eq!(other.snapshot(), empty);
    }

    #[test]
    fn a_shard_out_of_range_is_an_error() {
        let mut s = ShardStore::new(GID1);
        let bad = Op::Freeze(FreezeShardArgs {
            shard: N_SHARDS,
            num: 2,
        });
        assert_eq!(
            s.do_op(bad),
            Reply::Freeze(Err(ShardError::NoSuchShard(N_SHARDS)))
        );
    }

    #[test]
    fn snapshot_round_trip_and_bad_snapshots() {
        let mut s = ShardStore::new(GID1);
        s.do_op(put("k0", 0));
        let bytes = s.snapshot();
        let mut t = ShardStore::new(3);
        t.restore(&bytes).unwrap();
        assert_eq!(t.do_op(get("k0")), Reply::Get(Ok(("v".into(), 1))));
        assert!(t.restore(&[1, 2, 3]).is_err());
        let short = codec::encode(&vec![Shard::absent(); 2]);
        assert!(t.restore(&short).is_err());
        assert_eq!(
            t.do_op(get("k0")),
            Reply::Get(Ok(("v".into(), 1))),
            "unchanged"
        );
    }
}
