//! labrpc: the MIT 6.5840 lab network, simulated on madsim.
//!
//! A [`Network`] holds named [`ClientEnd`]s and named [`Server`]s. An end is enabled or disabled and
//! connected to a server name; a server hosts [`Service`]s with typed methods whose handlers run as
//! tasks on the server's madsim node. Arguments and replies travel bincode-encoded, so bytes are
//! counted and a bad payload is a [`RpcError::Codec`]. Delays, drops and reordering follow the lab's
//! fault model (docs/lab-tests-2023.md §1) exactly, with every random draw from the simulation's seed.
//!
//! Traces: each fault (request or reply dropped, reply delayed, dead call, unreachable) is a `debug`
//! event with `topic = "net"`, `end`, `server` and `method`; successful deliveries are `trace` only.
//!
//! Per end, the network counts calls and remembers the last delivered reply ([`EndStats`]), so a
//! tester can say of any clerk's operation how many calls it took and which server answered.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

mod codec;
mod end;
mod error;
mod faults;
mod knobs;
mod network;
mod server;
mod service;

pub use end::ClientEnd;
pub use error::{Result, RpcError};
pub use knobs::{Delivery, DeliveryHook, FaultKnobs, KnobError};
pub use network::{EndStats, LastReply, Network, Unanswered};
pub use server::Server;
pub use service::Service;
