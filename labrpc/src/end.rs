//! A client's end of a connection to one server.

use crate::error::{Result, RpcError};
use crate::network::Network;
use serde::{Serialize, de::DeserializeOwned};

#[derive(Clone)]
pub struct ClientEnd {
    name: String,
    net: Network,
}

impl ClientEnd {
    pub(crate) fn new(name: String, net: Network) -> Self {
        ClientEnd { name, net }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Calls "Service.Method" with `args`. Arguments are encoded now (a deep copy); the reply is
    /// decoded as `R`. Any failure along the way is an `Err`.
    pub async fn call<A: Serialize, R: DeserializeOwned>(
        &self,
        svc_meth: &str,
        args: &A,
    ) -> Result<R> {
        let args =
            bincode::serialize(args).map_err(|e| RpcError::Codec(format!("arguments: {e}")))?;
        let reply = self.net.deliver(&self.name, svc_meth, args).await?;
        bincode::deserialize(&reply).map_err(|e| RpcError::Codec(format!("reply: {e}")))
    }
}
