//! A replica: the "KVServer" service, whose Get and Put go through the rsm.

use super::machine::{KvMachine, KvOp, KvReply};
use labrpc::{ClientEnd, Service};
use raftapi::versioned::{GetArgs, GetReply, KV_SERVICE, PutArgs, PutReply};
use raftapi::{KvError, Persister, Raft, RaftError, Rsm};
use std::sync::Arc;

/// A replica of the versioned key/value service on the rsm `M`. Cloning shares it.
pub struct KvServer<M> {
    rsm: Arc<M>,
}

impl<M> Clone for KvServer<M> {
    fn clone(&self) -> Self {
        KvServer {
            rsm: self.rsm.clone(),
        }
    }
}

impl<M: Rsm<Sm = KvMachine>> raftapi::KvServer for KvServer<M> {
    fn start(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Persister,
        maxraftstate: i64,
    ) -> Result<Self, RaftError> {
        let rsm = M::make(servers, me, persister, maxraftstate, KvMachine::default())?;
        Ok(KvServer { rsm: Arc::new(rsm) })
    }

    /// "KVServer" (Get, Put) and the rsm's Raft.
    fn services(&self) -> Vec<Service> {
        let (get, put) = (self.clone(), self.clone());
        let kv = Service::new(KV_SERVICE)
            .method("Get", move |args: GetArgs| {
                let server = get.clone();
                async move { server.get(args).await }
            })
            .method("Put", move |args: PutArgs| {
                let server = put.clone();
                async move { server.put(args).await }
            });
        vec![kv, self.rsm.raft().service()]
    }

    fn raft(&self) -> &dyn Raft {
        self.rsm.raft()
    }

    fn kill(&self) {
        self.rsm.raft().kill();
    }
}

impl<M: Rsm<Sm = KvMachine>> KvServer<M> {
    async fn get(&self, args: GetArgs) -> GetReply {
        match self.submit(KvOp::Get(args)).await {
            Ok(KvReply::Get(reply)) => reply,
            Ok(KvReply::Put(_)) => unreachable!("a get is answered with a get's reply"),
            Err(e) => Err(e),
        }
    }

    async fn put(&self, args: PutArgs) -> PutReply {
        match self.submit(KvOp::Put(args)).await {
            Ok(KvReply::Put(reply)) => reply,
            Ok(KvReply::Get(_)) => unreachable!("a put is answered with a put's reply"),
            Err(e) => Err(e),
        }
    }

    /// The op's reply, or `WrongLeader` if this replica did not commit it as leader. No timeout:
    /// answering `WrongLeader` while the op may still commit would make the clerk send it again,
    /// and a put it then finds applied can only be reported as ErrMaybe. A leader cut off from
    /// the majority keeps its clerk waiting until it hears of a newer term.
    async fn submit(&self, op: KvOp) -> Result<KvReply, KvError> {
        self.rsm.submit(op).await.map_err(|_| KvError::WrongLeader)
    }
}
