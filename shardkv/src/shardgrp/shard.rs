//! One shard as a group holds it: whether it serves it, the highest configuration number it has
//! seen for it, and its keys. Every rule about stale numbers and frozen shards is here.

use crate::codec;
use raftapi::versioned::{GetReply, PutArgs, PutReply};
use raftapi::{KvError, Version};
use serde::{Deserialize, Serialize};
use shardapi::Num;
use shardapi::shardrpc::{DeleteShardReply, FreezeShardReply, InstallShardReply, ShardError};
use std::collections::BTreeMap;

/// A shard's keys: key → (value, version).
pub type Keys = BTreeMap<String, (String, Version)>;

/// What a group does with a shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Holding {
    /// It serves gets and puts of the shard's keys.
    Serving,
    /// It froze the shard for a move: it keeps the keys but serves nothing.
    Frozen,
    /// It does not hold the shard.
    Absent,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// The highest configuration number seen for this shard; older requests are refused.
    pub num: Num,
    pub holding: Holding,
    pub keys: Keys,
}

impl Shard {
    pub fn serving(num: Num) -> Self {
        Shard {
            num,
            holding: Holding::Serving,
            keys: Keys::new(),
        }
    }

    pub fn absent() -> Self {
        Shard {
            num: 0,
            holding: Holding::Absent,
            keys: Keys::new(),
        }
    }

    fn check_num(&self, num: Num) -> Result<(), ShardError> {
        if num < self.num {
            return Err(ShardError::Stale {
                num,
                seen: self.num,
            });
        }
        Ok(())
    }

    pub fn get(&self, key: &str) -> GetReply {
        if self.holding != Holding::Serving {
            return Err(KvError::WrongGroup);
        }
        self.keys.get(key).cloned().ok_or(KvError::NoKey)
    }

    /// The versioned put of `raftapi::versioned`'s table.
    pub fn put(&mut self, args: PutArgs) -> PutReply {
        if self.holding != Holding::Serving {
            return Err(KvError::WrongGroup);
        }
        match self.keys.get_mut(&args.key) {
            None if args.version == 0 => {
                self.keys.insert(args.key, (args.value, 1));
                Ok(())
            }
            None => Err(KvError::NoKey),
            Some((value, version)) if *version == args.version => {
                *value = args.value;
                *version += 1;
                Ok(())
            }
            Some(_) => Err(KvError::Version),
        }
    }

    /// Stops serving the shard and returns its keys, encoded. Freezing again under the same (or a
    /// newer) number returns the same keys. A shard the group no longer holds is refused, unless
    /// it was deleted under this very number: then this is a repeat of a move that is done (its
    /// install is too), and the answer is an empty shard.
    pub fn freeze(&mut self, num: Num) -> FreezeShardReply {
        self.check_num(num)?;
        match self.holding {
            Holding::Absent if num == self.num => return Ok(codec::encode(&Keys::new())),
            Holding::Absent => return Err(ShardError::NotHeld { num }),
            Holding::Serving | Holding::Frozen => {}
        }
        self.num = num;
        self.holding = Holding::Frozen;
        Ok(codec::encode(&self.keys))
    }

    /// Serves the shard from `state` (no bytes: an empty shard). Under the number it already has,
    /// this is a repeat of an install done before and changes nothing: the shard may have been
    /// written since.
    pub fn install(&mut self, num: Num, state: &[u8]) -> InstallShardReply {
        self.check_num(num)?;
        if num == self.num {
            return Ok(());
        }
        let keys = if state.is_empty() {
            Keys::new()
        } else {
            codec::decode(state).map_err(ShardError::BadState)?
        };
        *self = Shard {
            num,
            holding: Holding::Serving,
            keys,
        };
        Ok(())
    }

    /// Forgets the shard frozen under `num`; a repeat (the shard already deleted under `num`)
    /// changes nothing. A shard still served, or frozen for an older move, is not deleted: its
    /// keys have not been handed over under `num`.
    pub fn delete(&mut self, num: Num) -> DeleteShardReply {
        self.check_num(num)?;
        match self.holding {
            Holding::Frozen if num == self.num => {}
            Holding::Absent if num == self.num => return Ok(()),
            Holding::Absent => return Err(ShardError::NotHeld { num }),
            Holding::Serving | Holding::Frozen => return Err(ShardError::NotFrozen { num }),
        }
        *self = Shard {
            num,
            holding: Holding::Absent,
            keys: Keys::new(),
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(key: &str, value: &str, version: Version) -> PutArgs {
        PutArgs {
            key: key.into(),
            value: value.into(),
            version,
        }
    }

    fn serving_with_x() -> Shard {
        let mut s = Shard::serving(1);
        s.put(put("x", "a", 0)).unwrap();
        s
    }

    #[test]
    fn a_served_shard_follows_the_versioned_table() {
        let mut s = Shard::serving(1);
        assert_eq!(s.get("x"), Err(KvError::NoKey));
        assert_eq!(s.put(put("x", "a", 1)), Err(KvError::NoKey));
        assert_eq!(s.put(put("x", "a", 0)), Ok(()));
        assert_eq!(s.put(put("x", "b", 0)), Err(KvError::Version));
        assert_eq!(s.put(put("x", "b", 1)), Ok(()));
        assert_eq!(s.get("x"), Ok(("b".into(), 2)));
    }

    #[test]
    fn a_frozen_or_absent_shard_answers_wrong_group_and_keeps_its_keys() {
        let mut s = serving_with_x();
        s.freeze(2).unwrap();
        let frozen = s.clone();
        assert_eq!(s.get("x"), Err(KvError::WrongGroup));
        assert_eq!(s.put(put("x", "b", 1)), Err(KvError::WrongGroup));
        assert_eq!(s, frozen, "a refused put changes nothing");
        let mut absent = Shard::absent();
        assert_eq!(absent.get("x"), Err(KvError::WrongGroup));
        assert_eq!(absent.put(put("x", "a", 0)), Err(KvError::WrongGroup));
        assert_eq!(absent, Shard::absent());
    }

    #[test]
    fn a_move_carries_the_keys_from_freeze_to_install() {
        let mut from = serving_with_x();
        let state = from.freeze(2).unwrap();
        let mut to = Shard::absent();
        to.install(2, &state).unwrap();
        assert_eq!(to.get("x"), Ok(("a".into(), 1)));
        from.delete(2).unwrap();
        assert_eq!(
            from,
            Shard {
                num: 2,
                ..Shard::absent()
            }
        );
    }

    #[test]
    fn stale_numbers_are_refused_and_change_nothing() {
        let mut s = serving_with_x();
        s.freeze(5).unwrap();
        let before = s.clone();
        let stale = Err(ShardError::Stale { num: 4, seen: 5 });
        assert_eq!(s.freeze(4), stale.clone().map(|()| Vec::new()));
        assert_eq!(s.install(4, &[]), stale);
        assert_eq!(s.delete(4), stale);
        assert_eq!(s, before);
    }

    #[test]
    fn a_repeated_install_does_not_undo_later_writes() {
        let mut from = serving_with_x();
        let state = from.freeze(2).unwrap();
        let mut to = Shard::absent();
        to.install(2, &state).unwrap();
        to.put(put("x", "b", 1)).unwrap();
        assert_eq!(to.install(2, &state), Ok(()));
        assert_eq!(to.get("x"), Ok(("b".into(), 2)));
    }

    #[test]
    fn undecodable_state_is_refused_and_changes_nothing() {
        let mut s = Shard::absent();
        let got = s.install(3, &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1]);
        assert!(matches!(got, Err(ShardError::BadState(_))), "{got:?}");
        assert!(matches!(
            s.install(3, b"garbage"),
            Err(ShardError::BadState(_))
        ));
        assert_eq!(s, Shard::absent());
    }

    #[test]
    fn a_shard_still_served_is_not_deleted() {
        let mut s = serving_with_x();
        let before = s.clone();
        assert_eq!(s.delete(3), Err(ShardError::NotFrozen { num: 3 }));
        assert_eq!(s, before);
    }

    #[test]
    fn freezing_again_returns_the_same_keys() {
        let mut s = serving_with_x();
        let first = s.freeze(2).unwrap();
        assert_eq!(s.freeze(2), Ok(first));
    }

    #[test]
    fn a_shard_not_held_is_neither_frozen_nor_deleted() {
        let mut s = Shard::absent();
        assert_eq!(s.freeze(2), Err(ShardError::NotHeld { num: 2 }));
        assert_eq!(s.delete(2), Err(ShardError::NotHeld { num: 2 }));
        assert_eq!(s, Shard::absent(), "a refused request changes nothing");
    }

    #[test]
    fn a_move_repeated_after_it_finished_changes_nothing() {
        let mut from = serving_with_x();
        let state = from.freeze(2).unwrap();
        let mut to = Shard::absent();
        to.install(2, &state).unwrap();
        from.delete(2).unwrap();
        let (from_done, to_done) = (from.clone(), to.clone());
        // A second controller finishing the same move: every step answers OK and changes nothing.
        let again = from.freeze(2).unwrap();
        assert_eq!(to.install(2, &again), Ok(()));
        assert_eq!(from.delete(2), Ok(()));
        assert_eq!((from, to), (from_done, to_done));
    }

    #[test]
    fn a_shard_frozen_for_an_older_move_is_not_deleted() {
        let mut s = serving_with_x();
        s.freeze(2).unwrap();
        let before = s.clone();
        assert_eq!(s.delete(3), Err(ShardError::NotFrozen { num: 3 }));
        assert_eq!(s, before);
    }

    #[test]
    fn no_bytes_install_an_empty_shard() {
        let mut s = Shard::absent();
        s.install(1, &[]).unwrap();
        assert_eq!(s, Shard::serving(1));
    }
}
