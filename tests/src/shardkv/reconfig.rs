//! Setting the service up and changing its groups (the course's setupKVService, join,
//! joinGroups, leave, leaveGroups, checkMember; LAB-TESTS-2025 §9.2). The course puts no bound on a
//! join or a leave; here each change of one group must finish within [`CHANGE_LIMIT`] unless the
//! test expects it to hang (a controller cut off on purpose).

use super::tester::{ShardKvImpl, ShardKvTest};
use crate::workload::Tester;
use madsim::time::sleep;
use shardapi::{GID1, Gid, ShardConfig, ShardCtrler};
use std::collections::BTreeMap;
use std::time::Duration;

/// INTERGRPDELAY: the pause after each group joins or leaves.
pub const INTERGRPDELAY: Duration = Duration::from_millis(200);
/// How long the change of one group (ChangeConfigTo and the query after it) may take.
pub const CHANGE_LIMIT: Duration = Duration::from_secs(20);

/// Whether a join or leave is bounded by [`CHANGE_LIMIT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    Limited,
    /// The caller expects it may never finish (its controller is cut off).
    Unbounded,
}

impl<K: ShardKvImpl> ShardKvTest<K> {
    /// setupKVService: the test's controller, group 1 started, and the first configuration (every
    /// shard on group 1) stored through InitConfig. Returns group 1's gid.
    pub async fn setup_kv_service(&self) -> Gid {
        let sck = self.set_shard_ctrler(self.make_shard_ctrler());
        self.make_group_start(GID1).await;
        let mut cfg = ShardConfig::new();
        if let Err(e) = cfg.join_balance(BTreeMap::from([(GID1, self.srv_names(GID1))])) {
            self.fail(&format!("setup: {e}"));
        }
        let init = self.within(CHANGE_LIMIT, "InitConfig", sck.init_config(cfg));
        if let Err(e) = init.await {
            self.fail(&format!("InitConfig: {e}"));
        }
        GID1
    }

    /// Query through `sck`; a controller that cannot answer fails the test.
    pub async fn query(&self, sck: &K::Ctrler) -> ShardConfig {
        match sck.query().await {
            Ok(cfg) => cfg,
            Err(e) => self.fail(&format!("Query: {e}")),
        }
    }

    /// checkMember: whether `gid` serves a shard in `sck`'s current configuration.
    pub async fn check_member(&self, sck: &K::Ctrler, gid: Gid) -> bool {
        self.query(sck).await.is_member(gid)
    }

    /// join: the current configuration plus group `gid` of `servers`, rebalanced, through
    /// ChangeConfigTo (whose result the course ignores: the caller checks membership).
    pub async fn join(&self, sck: &K::Ctrler, gid: Gid, servers: Vec<String>) {
        let mut cfg = self.query(sck).await;
        if let Err(e) = cfg.join_balance(BTreeMap::from([(gid, servers)])) {
            self.fail(&format!("join: {e}"));
        }
        let changed = sck.change_config_to(cfg).await;
        tracing::info!(topic = "test", gid, ?changed, "join");
    }

    /// leave: the current configuration without group `gid`, rebalanced, through ChangeConfigTo.
    pub async fn leave(&self, sck: &K::Ctrler, gid: Gid) {
        let mut cfg = self.query(sck).await;
        if let Err(e) = cfg.leave_balance(&[gid]) {
            self.fail(&format!("leave: {e}"));
        }
        let changed = sck.change_config_to(cfg).await;
        tracing::info!(topic = "test", gid, ?changed, "leave");
    }

    /// joinGroups: for each gid, start the group, join it, and stop with `false` if it is not a
    /// member then; pause [`INTERGRPDELAY`] after each.
    pub async fn join_groups(&self, sck: &K::Ctrler, gids: &[Gid], bound: Bound) -> bool {
        for &gid in gids {
            self.make_group_start(gid).await;
            let servers = self.srv_names(gid);
            let joined = async {
                self.join(sck, gid, servers).await;
                self.check_member(sck, gid).await
            };
            let member = match bound {
                Bound::Limited => {
                    let what = format!("the join of group {gid}");
                    self.within(CHANGE_LIMIT, &what, joined).await
                }
                Bound::Unbounded => joined.await,
            };
            if !member {
                return false;
            }
            sleep(INTERGRPDELAY).await;
        }
        true
    }

    /// leaveGroups: for each gid, leave it, and stop with `false` if it is still a member then;
    /// otherwise exit the group (shut it down for good) and pause [`INTERGRPDELAY`].
    pub async fn leave_groups(&self, sck: &K::Ctrler, gids: &[Gid], bound: Bound) -> bool {
        for &gid in gids {
            let left = async {
                self.leave(sck, gid).await;
                !self.check_member(sck, gid).await
            };
            let gone = match bound {
                Bound::Limited => {
                    let what = format!("the leave of group {gid}");
                    self.within(CHANGE_LIMIT, &what, left).await
                }
                Bound::Unbounded => left.await,
            };
            if !gone {
                return false;
            }
            self.exit_group(gid);
            sleep(INTERGRPDELAY).await;
        }
        true
    }
}
