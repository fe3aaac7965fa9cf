//! A client end and the life of one call through the fault model (docs/lab-tests-2023.md §1).

use crate::codec;
use crate::error::{Result, RpcError};
use crate::faults;
use crate::knobs::{Delivery, DeliveryHook};
use crate::network::Network;
use crate::server::Server;
use madsim::time::timeout;
use serde::{Serialize, de::DeserializeOwned};
use std::sync::Arc;
use std::time::Duration;

/// How often a waiting call checks whether its server is gone.
const DEAD_CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// A client's end of a connection to one server.
#[derive(Clone)]
pub struct ClientEnd {
    name: Arc<str>,
    net: Network,
}

impl ClientEnd {
    pub(crate) fn new(name: &str, net: Network) -> Self {
        ClientEnd {
            name: Arc::from(name),
            net,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Calls `svc_meth` ("Service.Method") with `args`. The arguments are encoded at once (a deep copy)
    /// and counted even when the end is disabled; the reply is decoded as `R`.
    pub async fn call<A: Serialize, R: DeserializeOwned>(
        &self,
        svc_meth: &str,
        args: &A,
    ) -> Result<R> {
        let reply = self.call_bytes(svc_meth, codec::encode(args)).await?;
        codec::decode(&reply)
    }

    /// The untyped call: encoded arguments in, encoded reply out.
    async fn call_bytes(&self, svc_meth: &str, args: Result<Vec<u8>>) -> Result<Vec<u8>> {
        let arg_len = args.as_ref().map_or(0, Vec::len);
        let setup = self.net.begin_call(&self.name, arg_len);
        // Counted like the lab counts it, but an unencodable argument goes nowhere.
        let args = args?;
        let server_name = setup.server_name.as_deref().unwrap_or("");

        let Some((server_name, server)) = setup.target else {
            // (b): disabled, unconnected or no such server; fail after a while.
            let delay = faults::unreachable_delay(setup.long_delays);
            tracing::debug!(topic = "net", end = %self.name, server = server_name, method = svc_meth,
                delay_ms = delay.as_millis() as u64, "unreachable");
            faults::pause(delay).await;
            return Err(RpcError::Unreachable);
        };

        if let Some(knobs) = &setup.knobs {
            faults::pause(knobs.request_delay()).await;
            if knobs.drop_request() {
                tracing::debug!(topic = "net", end = %self.name, server = %server_name, method = svc_meth,
                    "request dropped");
                return Err(RpcError::Dropped);
            }
        } else if !setup.reliable {
            faults::pause(faults::request_delay()).await;
            if faults::lost() {
                tracing::debug!(topic = "net", end = %self.name, server = %server_name, method = svc_meth,
                    "request dropped");
                return Err(RpcError::Dropped);
            }
        }

        let duplicate = setup.knobs.filter(|k| k.duplicate_permille > 0);
        let copy = duplicate.map(|_| args.clone());
        let reply = self
            .await_reply(svc_meth, &server_name, &server, args)
            .await;
        self.delivered(setup.delivery_hook.as_ref(), svc_meth, &server_name);
        let mut reply = reply?;
        if let (Some(knobs), Some(copy)) = (duplicate, copy)
            && knobs.duplicate()
        {
            // The request arrives again; its handler runs again and either reply may win.
            faults::pause(knobs.request_delay()).await;
            tracing::debug!(topic = "net", end = %self.name, server = %server_name, method = svc_meth,
                "request duplicated");
            let second = self
                .await_reply(svc_meth, &server_name, &server, copy)
                .await;
            self.delivered(setup.delivery_hook.as_ref(), svc_meth, &server_name);
            if madsim::rand::random::<bool>() {
                reply = second?;
            }
        }

        let lost = match &setup.knobs {
            Some(knobs) => knobs.drop_reply(),
            None => !setup.reliable && faults::lost(),
        };
        if lost {
            tracing::debug!(topic = "net", end = %self.name, server = %server_name, method = svc_meth,
                "reply dropped");
            return Err(RpcError::Dropped);
        }
        if setup.long_reordering
            && let Some(delay) = faults::reorder_delay()
        {
            tracing::debug!(topic = "net", end = %self.name, server = %server_name, method = svc_meth,
                delay_ms = delay.as_millis() as u64, "reply delayed");
            faults::pause(delay).await;
        }
        tracing::trace!(topic = "net", end = %self.name, server = %server_name, method = svc_meth,
            bytes = reply.len(), "reply delivered");
        self.net
            .reply_delivered(&self.name, &server_name, reply.len());
        Ok(reply)
    }

    /// Tells the delivery hook, if any, that a request reached `server_name`'s handler.
    fn delivered(&self, hook: Option<&DeliveryHook>, svc_meth: &str, server_name: &str) {
        if let Some(hook) = hook {
            hook(&Delivery {
                end: &self.name,
                server: server_name,
                method: svc_meth,
            });
        }
    }

    /// Runs the handler on the server's node and waits for it, checking every 100 ms (and once more
    /// at the end) whether the call died; a dead call's late result is discarded.
    async fn await_reply(
        &self,
        svc_meth: &str,
        server_name: &str,
        server: &Arc<Server>,
        args: Vec<u8>,
    ) -> Result<Vec<u8>> {
        let mut handle = server.dispatch(svc_meth, args);
        let outcome = loop {
            match timeout(DEAD_CHECK_INTERVAL, &mut handle).await {
                Ok(outcome) => break outcome,
                Err(_) if self.net.is_dead(&self.name, server_name, server) => {
                    // Dropping the handle detaches the handler: it runs on, its reply goes nowhere.
                    return Err(self.dead(svc_meth, server_name, "server gone while waiting"));
                }
                Err(_) => {}
            }
        };
        if self.net.is_dead(&self.name, server_name, server) {
            return Err(self.dead(svc_meth, server_name, "server gone before the reply"));
        }
        match outcome {
            Ok(result) => {
                if let Err(e) = &result {
                    tracing::debug!(topic = "net", end = %self.name, server = server_name, method = svc_meth,
                        error = %e, "call rejected");
                }
                result
            }
            // The handler's task vanished: its node was killed.
            Err(_) => Err(self.dead(svc_meth, server_name, "server node killed")),
        }
    }

    fn dead(&self, svc_meth: &str, server_name: &str, why: &'static str) -> RpcError {
        tracing::debug!(topic = "net", end = %self.name, server = server_name, method = svc_meth, why,
            "dead call");
        RpcError::ServerGone
    }
}
