//! rsm: the replicated-state-machine layer of the current course (Lab 4A), on any Raft of the
//! contract and for any [`raftapi::StateMachine`].
//!
//! - [`Rsm`]: a replica. `submit` tags each op with an id no other submission shares, hands it to
//!   Raft, and answers once the entry at the op's index is applied: with `do_op`'s reply if that
//!   entry is this very op, `WrongLeader` if it is another, if a later term's no-op is applied
//!   first (the op's entry can then never apply), or once Raft is killed.
//! - One task per replica reads the apply channel and runs every committed op through the state
//!   machine, in log order, and snapshots once the persisted Raft state exceeds `maxraftstate`.
//! - Another starts a no-op as the first entry of every term the replica leads, so inherited
//!   entries commit without waiting for a client.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

mod apply;
mod entry;
mod lead;
mod pending;
mod replica;
mod snapshot;

pub use replica::Rsm;
