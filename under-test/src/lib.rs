//! The implementations under test: the one place that names them.
//!
//! Every tester, suite, fuzzer, the demo and the benchmarks run the types named here, through the
//! contract of the `raftapi` crate, and nothing else in the testers names an implementation. To test
//! another Raft, point `Raft` at its type (it implements `raftapi::Raft`) and add its crate to this
//! crate's `Cargo.toml`; the reference KV service then runs on top of it too. The README's
//! "Testing your own Raft" walks through it.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

/// The Raft peer.
pub type Raft = raft::Raft;

/// The 2023 key/value service's replica, on [`Rsm`], and its clerk.
pub type KvServer = kvraft::KvServer<Rsm<kvraft::KvMachine>>;
pub type KvClerk = kvraft::Clerk;

/// Lab 2 of the current course: the versioned key/value server, its clerk, and the lock on any
/// versioned clerk `C`.
pub type KvSrvServer = kvsrv::KvServer;
pub type KvSrvClerk = kvsrv::Clerk;
pub type Lock<C> = kvsrv::Lock<C>;

/// The rsm layer (the current course's Lab 4A), on [`Raft`], replicating any state machine `SM`.
pub type Rsm<SM> = rsm::Rsm<Raft, SM>;

/// The current course's replicated key/value service (Lab 4B–4C), on [`Rsm`], and its clerk.
pub type VersionedKvServer = kvraft::versioned::KvServer<Rsm<kvraft::versioned::KvMachine>>;
pub type VersionedKvClerk = kvraft::versioned::Clerk;

/// Lab 5 of the current course (sharded KV): a shard group's server on [`Rsm`], its clerk, the
/// controller (keeping its configuration through a [`KvSrvClerk`]), and the sharded clerk.
pub type ShardGrpServer = shardkv::ShardGrp<Rsm<shardkv::ShardStore>>;
pub type ShardGrpClerk = shardkv::shardgrp::Clerk;
pub type ShardCtrler = shardkv::ShardCtrler<KvSrvClerk>;
pub type ShardKvClerk = shardkv::Clerk<ShardCtrler>;
