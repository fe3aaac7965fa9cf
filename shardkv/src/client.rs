//! The sharded clerk: sends each get and put to the group that serves the key's shard in the
//! configuration it last heard of, and asks the controller again when that group answers
//! `ErrWrongGroup` or does not answer for a while.

use crate::group_clerks::GroupClerks;
use crate::shardgrp::Clerk as GroupClerk;
use futures::future::{Either, select};
use raftapi::{KvError, KvResult, Version, VersionedClerk};
use shardapi::{Clnt, Gid, ShardConfig, ShardCtrler, ShardKvClerk, key_to_shard};
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tracing::debug;

/// How long a group may take to answer before the clerk asks the controller whether the shard has
/// moved (its group may have left, and been shut down, meanwhile).
const RECHECK: Duration = Duration::from_millis(500);
/// Pause before trying again when the configuration has not changed since the clerk last looked:
/// the shard is frozen for a move that is not finished yet.
const MOVE_PAUSE: Duration = Duration::from_millis(20);

/// The sharded clerk, asking the controller `C` for configurations.
pub struct Clerk<C> {
    sck: C,
    groups: GroupClerks,
    /// The configuration last heard of.
    config: Mutex<Option<ShardConfig>>,
}

/// Where a key is to go.
struct Route {
    num: shardapi::Num,
    group: Arc<GroupClerk>,
}

impl<C: ShardCtrler> Clerk<C> {
    fn config(&self) -> MutexGuard<'_, Option<ShardConfig>> {
        // Updates are single assignments; a poisoned lock (a test already failing) is still usable.
        self.config.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The group serving `key`'s shard in the configuration known to this clerk, asking the
    /// controller first if it knows none, or if no group serves the shard.
    async fn route(&self, key: &str) -> Route {
        loop {
            if let Some(route) = self.known_route(key) {
                return route;
            }
            let known = self.config().as_ref().map(|c| c.num);
            self.refresh(known).await;
        }
    }

    fn known_route(&self, key: &str) -> Option<Route> {
        let config = self.config();
        let cfg = config.as_ref()?;
        let (gid, Some(servers)) = cfg.gid_servers(key_to_shard(key)) else {
            return None;
        };
        Some(Route {
            num: cfg.num,
            group: self.groups.clerk(gid, servers),
        })
    }

    /// Asks the controller for the configuration; if it is still number `known`, waits a little
    /// first (a move is under way) so that retries do not spin.
    async fn refresh(&self, known: Option<shardapi::Num>) {
        match self.sck.query().await {
            Ok(cfg) => {
                let same = Some(cfg.num) == known;
                *self.config() = Some(cfg);
                if same {
                    madsim::time::sleep(MOVE_PAUSE).await;
                }
            }
            Err(e) => {
                debug!(topic = "client", error = %e, "no configuration yet");
                madsim::time::sleep(MOVE_PAUSE).await;
            }
        }
    }
}

/// `call`'s result, or `None` if it takes longer than [`RECHECK`] (the call is then dropped).
async fn within_recheck<T>(call: impl Future<Output = T>) -> Option<T> {
    match select(pin!(call), pin!(madsim::time::sleep(RECHECK))).await {
        Either::Left((result, _)) => Some(result),
        Either::Right(_) => None,
    }
}

impl<C: ShardCtrler> VersionedClerk for Clerk<C> {
    async fn get(&self, key: &str) -> KvResult<(String, Version)> {
        loop {
            let route = self.route(key).await;
            match within_recheck(route.group.get(key)).await {
                Some(Err(KvError::WrongGroup)) | None => self.refresh(Some(route.num)).await,
                Some(reply) => return reply,
            }
        }
    }

    async fn put(&self, key: &str, value: &str, version: Version) -> KvResult<()> {
        // Whether a copy of this put, at any group, may have taken effect.
        let mut sent = false;
        loop {
            let route = self.route(key).await;
            let call = route.group.put_tracked(key, value, version, &mut sent);
            match within_recheck(call).await {
                Some(Err(KvError::WrongGroup)) | None => self.refresh(Some(route.num)).await,
                Some(reply) => return reply,
            }
        }
    }
}

impl<C: ShardCtrler> ShardKvClerk for Clerk<C> {
    type Ctrler = C;

    fn make(clnt: Clnt, sck: C) -> Self {
        Clerk {
            sck,
            groups: GroupClerks::new(clnt),
            config: Mutex::new(None),
        }
    }

    fn group_leader(&self, gid: Gid) -> Option<usize> {
        self.groups.leader(gid)
    }
}
