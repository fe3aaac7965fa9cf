//! The versioned model as the per-key search runs it ([`crate::search::run`]: the same event
//! list, memo keys, budget and verbose record as the 2023 model), with reductions that hold for
//! this model:
//! - a get that reads the current state's value is taken at once, as the node's only child (it
//!   changes nothing, and every op still in the list returns after it was called); so is a put
//!   that is legal now and can never change the state: an ErrVersion put whose version is not the
//!   current one, or an ErrMaybe put whose version is already past;
//! - a node is dead if the op whose return comes first can no longer be linearized: a get whose
//!   value is neither the current one nor that of a put that may still apply before it, or an OK
//!   put whose version is already past (versions never go back).

use super::model::{Move, States};
use crate::history::{KvErr, Operation, Versioned};
use crate::model::StateId;
use crate::search::{EventList, KeySearch, NIL, Outlook, SearchModel, run};

/// Looks at the candidates (calls before the first return) and at the first return, at most
/// `limit` entries; looking less only prunes less.
fn look_ahead(
    list: &EventList,
    moves: &[Move],
    states: &States,
    state: StateId,
    limit: u64,
) -> Outlook {
    let mut out = Outlook {
        dead: false,
        forced: None,
        looked: 0,
    };
    let (value, version) = (states.value_of(state), states.version_of(state));
    // Whether a put called so far may apply and write the value the first-returning get read.
    let mut puts = Vec::new();
    let mut e = list.first();
    while e != NIL && out.looked < limit {
        out.looked += 1;
        let mv = moves[list.op[e as usize] as usize];
        if list.is_call[e as usize] {
            match mv {
                Move::Get(read) if read == value && out.forced.is_none() => out.forced = Some(e),
                Move::Put(_, put) if out.forced.is_none() && is_noop_now(put, version) => {
                    out.forced = Some(e)
                }
                Move::Put(written, put) if matches!(put.err, KvErr::Ok | KvErr::Maybe) => {
                    puts.push(written);
                }
                _ => {}
            }
        } else {
            out.dead = match mv {
                Move::Get(read) => read != value && !puts.contains(&read),
                Move::Put(_, put) => put.err == KvErr::Ok && put.version < version,
                Move::Never => true,
            };
            break;
        }
        e = list.next[e as usize];
    }
    out
}

/// Whether `put`, in a state at `version`, is legal now and can only ever leave the state as it
/// is: then placing it now is as good as anywhere later. That holds for an ErrVersion put whose
/// version is not the current one, and for an ErrMaybe put whose version is already past (versions
/// never go back, so it can no longer apply).
fn is_noop_now(put: Versioned, version: u64) -> bool {
    match put.err {
        KvErr::Version => put.version != version,
        KvErr::Maybe => put.version < version,
        _ => false,
    }
}

/// The versioned model with its reductions.
struct VersionedModel {
    states: States,
    moves: Vec<Move>,
}

impl SearchModel for VersionedModel {
    fn apply(&mut self, state: StateId, op: u32) -> Option<StateId> {
        self.states.apply(state, self.moves[op as usize])
    }

    fn look_ahead(&self, list: &EventList, state: StateId, limit: u64) -> Outlook {
        look_ahead(list, &self.moves, &self.states, state, limit)
    }
}

/// Searches for a linearization of one key's ops, which must be sorted by call time, under the
/// versioned model.
pub(crate) fn search(ops: &[&Operation], max_steps: u64, verbose: bool) -> KeySearch {
    let mut states = States::new();
    let moves = ops.iter().map(|o| states.prepare(o)).collect();
    run(ops, VersionedModel { states, moves }, max_steps, verbose)
}
