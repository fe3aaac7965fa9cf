//! labrpc: the MIT 6.5840 lab network, simulated on madsim.
//!
//! A [`Network`] holds named client ends and named servers. An end is connected to one server and
//! enabled or disabled; a [`Server`] hosts [`Service`]s whose handlers run as tasks on the server's
//! madsim node. Arguments and replies are bincode-encoded on the way, so a deep copy is made, bytes
//! are counted, and a bad payload is an error. The fault model (drops, delays, long reordering, long
//! delays, calls abandoned when a server dies) is the Go labrpc's, with every random choice drawn
//! from the simulation's seed.

mod end;
mod error;
mod network;
mod server;
mod service;

pub use end::ClientEnd;
pub use error::{Result, RpcError};
pub use network::Network;
pub use server::Server;
pub use service::Service;
