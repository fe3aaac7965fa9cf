//! The shard controller: configurations kept in a kvsrv (the `stored` module has the protocol that
//! lets controllers take over from one another), shard moves done by the `moves` module.

mod moves;
mod stored;

use crate::group_clerks::GroupClerks;
use raftapi::{KvResult, KvSrvClerk, Version, VersionedClerk};
use shardapi::{CTRLER_SERVER, Clnt, CtrlerError, Num, ShardConfig};
use std::pin::pin;
use std::time::Duration;
use stored::{CURRENT, NEXT};
use tracing::info;

/// How often a controller moving shards checks whether another controller has taken its change
/// over (finished it, or moved past it), so that a controller cut off in the middle of a change
/// gives up once it can hear the news instead of waiting on groups forever.
const SUPERSEDED_POLL: Duration = Duration::from_millis(500);

/// The controller, talking to the kvsrv through a clerk `K` of any Lab 2 implementation.
pub struct ShardCtrler<K> {
    kv: K,
    groups: GroupClerks,
}

impl<K: KvSrvClerk> ShardCtrler<K> {
    /// Moves the shards from `cur` (stored at `version`) to `next` and makes `next` current.
    async fn finish(
        &self,
        cur: ShardConfig,
        version: Version,
        next: ShardConfig,
    ) -> Result<(), CtrlerError> {
        info!(
            topic = "ctrler",
            from = cur.num,
            to = next.num,
            "moving shards"
        );
        let moving = pin!(moves::move_shards(&self.groups, &cur, &next));
        let watching = pin!(self.superseded(next.num));
        match futures::future::select(moving, watching).await {
            futures::future::Either::Left((moved, _)) => moved?,
            futures::future::Either::Right((current, _)) => {
                return Err(CtrlerError::Superseded { current });
            }
        }
        if stored::put_if(&self.kv, CURRENT, &next, version).await? {
            info!(topic = "ctrler", num = next.num, "configuration is current");
            return Ok(());
        }
        let (now, _) = stored::current(&self.kv).await?;
        Err(CtrlerError::Superseded { current: now.num })
    }

    /// Returns (with the newer number) once configuration `num` has become current, or a later
    /// change was claimed: the change to `num` is then done, by this controller or another.
    async fn superseded(&self, num: Num) -> Num {
        loop {
            madsim::time::sleep(SUPERSEDED_POLL).await;
            for (key, past) in [(CURRENT, num.saturating_sub(1)), (NEXT, num)] {
                if let Ok(stored) = stored::read(&self.kv, key).await
                    && let Some(cfg) = stored.cfg
                    && cfg.num > past
                {
                    return cfg.num;
                }
            }
        }
    }
}

impl<K: KvSrvClerk> shardapi::ShardCtrler for ShardCtrler<K> {
    fn make(clnt: Clnt) -> Self {
        ShardCtrler {
            kv: K::make(clnt.end(CTRLER_SERVER)),
            groups: GroupClerks::new(clnt),
        }
    }

    async fn init_controller(&self) -> Result<(), CtrlerError> {
        let (cur, version) = match stored::current(&self.kv).await {
            Err(CtrlerError::NoConfig) => return Ok(()),
            found => found?,
        };
        let Some(next) = stored::read(&self.kv, NEXT).await?.cfg else {
            return Ok(());
        };
        if next.num <= cur.num {
            return Ok(());
        }
        if next.num != cur.num + 1 {
            return Err(CtrlerError::NotNext {
                current: cur.num,
                requested: next.num,
            });
        }
        info!(
            topic = "ctrler",
            num = next.num,
            "finishing an interrupted change"
        );
        match self.finish(cur, version, next).await {
            Ok(()) | Err(CtrlerError::Superseded { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn init_config(&self, cfg: ShardConfig) -> Result<(), CtrlerError> {
        if stored::put_if(&self.kv, CURRENT, &cfg, 0).await? {
            return Ok(());
        }
        let (current, _) = stored::current(&self.kv).await?;
        Err(CtrlerError::AlreadyInitialized {
            current: current.num,
        })
    }

    async fn change_config_to(&self, new: ShardConfig) -> Result<(), CtrlerError> {
        let (cur, version) = stored::current(&self.kv).await?;
        let superseded = Err(CtrlerError::Superseded { current: cur.num });
        if new.num <= cur.num {
            return superseded;
        }
        if new.num != cur.num + 1 {
            return Err(CtrlerError::NotNext {
                current: cur.num,
                requested: new.num,
            });
        }
        let next = stored::read(&self.kv, NEXT).await?;
        if next.cfg.as_ref().is_some_and(|n| n.num >= new.num) {
            // Another controller's change holds this number (under way, or abandoned and waiting
            // for an InitController).
            return superseded;
        }
        if !stored::put_if(&self.kv, NEXT, &new, next.version).await? {
            return superseded;
        }
        self.finish(cur, version, new).await
    }

    async fn query(&self) -> Result<ShardConfig, CtrlerError> {
        stored::current(&self.kv).await.map(|(cfg, _)| cfg)
    }
}

/// The controller is a clerk of its kvsrv, as the course's embeds one.
impl<K: KvSrvClerk> VersionedClerk for ShardCtrler<K> {
    async fn get(&self, key: &str) -> KvResult<(String, Version)> {
        self.kv.get(key).await
    }

    async fn put(&self, key: &str, value: &str, version: Version) -> KvResult<()> {
        self.kv.put(key, value, version).await
    }
}
