//! Your replicated-state-machine layer (Lab 4A of the current course): any state machine,
//! replicated with any Raft of the contract.
//!
//! A service gives [`Rsm`] its state machine and submits ops; your rsm runs each op through the
//! Raft log and executes every committed op on every replica, in log order, exactly once per
//! replica. Every method that says `unimplemented!` is yours to write; the message names the
//! method and its part of the lab. The contract is `raftapi::Rsm` and `raftapi::StateMachine`.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

mod replica;

pub use replica::Rsm;
