//! The clerk: resends each request until the server answers. A put resent after a lost reply may
//! find its own earlier copy applied; the server then answers `ErrVersion`, which the clerk can
//! only report as `ErrMaybe`.

use labrpc::{ClientEnd, RpcError};
use raftapi::versioned::{GET_METHOD, GetArgs, GetReply, PUT_METHOD, PutArgs, PutReply};
use raftapi::{KvError, KvResult, KvSrvClerk, Version, VersionedClerk};
use std::time::Duration;
use tracing::debug;

/// Pause before resending after a failure other than a lost message (the server unreachable or
/// gone), so a clerk waiting for a server does not spin. A lost message is resent at once: the
/// network has already charged its delay.
const RETRY_PAUSE: Duration = Duration::from_millis(10);

/// A client of one kvsrv.
pub struct Clerk {
    server: ClientEnd,
}

impl KvSrvClerk for Clerk {
    fn make(server: ClientEnd) -> Clerk {
        Clerk { server }
    }
}

impl VersionedClerk for Clerk {
    async fn get(&self, key: &str) -> KvResult<(String, Version)> {
        let args = GetArgs { key: key.into() };
        loop {
            match self.server.call::<_, GetReply>(GET_METHOD, &args).await {
                Ok(reply) => return reply,
                Err(e) => self.failed("get", &e).await,
            }
        }
    }

    async fn put(&self, key: &str, value: &str, version: Version) -> KvResult<()> {
        let args = PutArgs {
            key: key.into(),
            value: value.into(),
            version,
        };
        let mut resent = false;
        loop {
            match self.server.call::<_, PutReply>(PUT_METHOD, &args).await {
                // An earlier copy may have taken effect and moved the version on.
                Ok(Err(KvError::Version)) if resent => return Err(KvError::Maybe),
                Ok(reply) => return reply,
                Err(e) => self.failed("put", &e).await,
            }
            resent = true;
        }
    }
}

impl Clerk {
    async fn failed(&self, op: &'static str, e: &RpcError) {
        debug!(topic = "client", end = self.server.name(), op, error = %e, "resending");
        if *e != RpcError::Dropped {
            madsim::time::sleep(RETRY_PAUSE).await;
        }
    }
}
