//! What the controller keeps in the kvsrv: the current configuration under [`CURRENT`], and the
//! configuration a change is moving to under [`NEXT`]. A change first claims its number by a
//! versioned put of [`NEXT`] (only one controller can win a version), moves the shards, then makes
//! its configuration current by a versioned put of [`CURRENT`]. A [`NEXT`] numbered above
//! [`CURRENT`] is a change under way, or one a controller abandoned, which the next controller's
//! InitController finishes.

use raftapi::{KvError, KvSrvClerk, Version};
use shardapi::{CtrlerError, ShardConfig};

pub const CURRENT: &str = "shardctrler-config";
pub const NEXT: &str = "shardctrler-next";

/// A configuration read from the kvsrv with the version of its key (0: the key does not exist).
pub struct Stored {
    pub cfg: Option<ShardConfig>,
    pub version: Version,
}

pub async fn read<K: KvSrvClerk>(kv: &K, key: &str) -> Result<Stored, CtrlerError> {
    match kv.get(key).await {
        Ok((text, version)) => {
            let cfg = ShardConfig::from_json(&text)
                .map_err(|e| CtrlerError::Malformed(format!("{key}: {e}")))?;
            Ok(Stored {
                cfg: Some(cfg),
                version,
            })
        }
        Err(KvError::NoKey) => Ok(Stored {
            cfg: None,
            version: 0,
        }),
        Err(e) => Err(CtrlerError::Store(e)),
    }
}

/// The current configuration, which must exist.
pub async fn current<K: KvSrvClerk>(kv: &K) -> Result<(ShardConfig, Version), CtrlerError> {
    let stored = read(kv, CURRENT).await?;
    match stored.cfg {
        Some(cfg) => Ok((cfg, stored.version)),
        None => Err(CtrlerError::NoConfig),
    }
}

/// Puts `cfg` under `key` if the key is still at `version`: `Ok(true)` if this put took effect,
/// `Ok(false)` if another one took that version first. An `ErrMaybe` is settled by reading back.
pub async fn put_if<K: KvSrvClerk>(
    kv: &K,
    key: &str,
    cfg: &ShardConfig,
    version: Version,
) -> Result<bool, CtrlerError> {
    match kv.put(key, &cfg.to_json(), version).await {
        Ok(()) => Ok(true),
        Err(KvError::Version) => Ok(false),
        Err(KvError::Maybe) => {
            let now = read(kv, key).await?;
            Ok(now.version == version + 1 && now.cfg.as_ref() == Some(cfg))
        }
        Err(e) => Err(CtrlerError::Store(e)),
    }
}
