//! A shard group: its servers replicate a [`ShardStore`] on your rsm and serve the shards the
//! store holds; its [`Clerk`] finds the group's leader.

mod clerk;
mod server;
mod store;

pub use clerk::Clerk;
pub use server::ShardGrp;
pub use store::{Op, Reply, ShardStore};
