//! A shard group: its servers replicate a [`ShardStore`] of all twelve shards on an rsm, and
//! serve the shards the store says they serve; its [`Clerk`] finds the group's leader.

mod clerk;
mod server;
mod shard;
mod store;

pub use clerk::Clerk;
pub use server::ShardGrp;
pub use shard::{Holding, Keys};
pub use store::{Op, Reply, ShardStore};
