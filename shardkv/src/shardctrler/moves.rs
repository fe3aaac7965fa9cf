//! Moving shards from one configuration to the next: for each shard whose group changes, FreezeShard
//! at the old group, InstallShard at the new one, DeleteShard at the old one, all under the new
//! configuration's number. Shards move concurrently and independently, so the groups keep serving
//! every shard that is not moving. Each step is safe to repeat, so a second controller can finish
//! a move the first one started.

use crate::group_clerks::GroupClerks;
use shardapi::shardrpc::ShardError;
use shardapi::{CtrlerError, N_SHARDS, Shard, ShardConfig, ShardGrpClerk};

/// Moves every shard whose group differs between `from` and `to`, under `to`'s number. Fails on
/// the first refusal: a stale number means another controller has moved on.
pub async fn move_shards(
    groups: &GroupClerks,
    from: &ShardConfig,
    to: &ShardConfig,
) -> Result<(), CtrlerError> {
    let moving = (0..N_SHARDS)
        .filter(|&s| from.shards[s] != to.shards[s])
        .map(|s| move_shard(groups, from, to, s));
    futures::future::try_join_all(moving).await.map(|_| ())
}

async fn move_shard(
    groups: &GroupClerks,
    from: &ShardConfig,
    to: &ShardConfig,
    shard: Shard,
) -> Result<(), CtrlerError> {
    let num = to.num;
    let refused = |error: ShardError| match error {
        ShardError::Stale { seen, .. } => CtrlerError::Superseded { current: seen },
        error => CtrlerError::Move { shard, error },
    };
    let source = match from.gid_servers(shard) {
        (gid, Some(servers)) => Some(groups.clerk(gid, servers)),
        _ => None,
    };
    // A shard no group held starts out empty.
    let state = match &source {
        Some(src) => src.freeze_shard(shard, num).await.map_err(refused)?,
        None => Vec::new(),
    };
    let (gid, Some(servers)) = to.gid_servers(shard) else {
        // No group is to hold it: it stays frozen where it was, with its keys.
        return Ok(());
    };
    let dst = groups.clerk(gid, servers);
    dst.install_shard(shard, state, num)
        .await
        .map_err(refused)?;
    if let Some(src) = &source {
        src.delete_shard(shard, num).await.map_err(refused)?;
    }
    Ok(())
}
