//! The per-key search for a linearization under the versioned model: the Wing & Gong / Lowe
//! search of [`crate::search`] (same event list, memo keys, budget and verbose record), with
//! reductions that hold for this model:
//! - a get that reads the current state's value is taken at once, as the node's only child (it
//!   changes nothing, and every op still in the list returns after it was called);
//! - a node is dead if the op whose return comes first can no longer be linearized: a get whose
//!   value is neither the current one nor that of a put that may still apply before it, or an OK
//!   put whose version is already past (versions never go back).

use super::model::{Move, States};
use crate::history::{KvErr, Operation};
use crate::model::{FastBuild, StateId};
use crate::search::{EventList, Frame, KeySearch, KeyVerdict, Linearized, NIL, Recorder};
use std::collections::HashSet;

/// How far [`look_ahead`] walks along the event list.
const LOOKAHEAD: u64 = 32;

/// What [`look_ahead`] learned about the node the search just reached.
struct Outlook {
    dead: bool,
    /// A get the node may take as its only child (its call entry).
    forced: Option<u32>,
    /// List entries looked at (counted as search steps).
    looked: u64,
}

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

/// Searches for a linearization of one key's ops, which must be sorted by call time.
pub(crate) fn search(ops: &[&Operation], max_steps: u64, verbose: bool) -> KeySearch {
    let mut list = EventList::new(ops);
    let mut linearized = Linearized::new(ops);
    let mut states = States::new();
    let moves: Vec<Move> = ops.iter().map(|o| states.prepare(o)).collect();
    // Only queried, never iterated, with a fixed hasher: its order cannot affect results.
    let mut memo: HashSet<Box<[u64]>, FastBuild> = HashSet::default();
    let mut key = Vec::new();
    let mut recorder = verbose.then(|| Recorder::new(ops.len()));

    let mut stack: Vec<Frame> = Vec::new();
    let mut state = States::INITIAL;
    let mut cur = list.first();
    let mut steps = 0u64;
    let mut just_pushed = false;
    // `cur` is a get the current node must take; if it cannot, the node is dead.
    let mut forcing = false;
    let mut backtrack = false;
    let root = look_ahead(&list, &moves, &states, state, LOOKAHEAD.min(max_steps));
    steps += root.looked;
    if root.dead {
        backtrack = true;
    } else if let Some(get) = root.forced {
        (cur, forcing) = (get, true);
    }
    let verdict = loop {
        if backtrack {
            backtrack = false;
            if just_pushed && let Some(r) = &mut recorder {
                r.peak(&mut stack, &list);
            }
            just_pushed = false;
            // Undo the last choice; a node whose forced get failed is dead too, so keep undoing.
            let mut gave_up = true;
            while let Some(frame) = stack.pop() {
                linearized.clear(list.op[frame.entry as usize] as usize);
                state = frame.state_before;
                list.unlift(frame.entry);
                cur = list.next[frame.entry as usize];
                if !frame.forced {
                    gave_up = false;
                    break;
                }
            }
            if gave_up {
                break KeyVerdict::NotLinearizable;
            }
        }
        if list.first() == NIL {
            break KeyVerdict::Linearizable;
        }
        if steps >= max_steps {
            break KeyVerdict::Unknown;
        }
        steps += 1;
        let entry = cur as usize;
        if !list.is_call[entry] {
            // This op had to be linearized before anything later could be.
            backtrack = true;
            continue;
        }
        let op = list.op[entry];
        let next = states.apply(state, moves[op as usize]).map(|next| {
            linearized.set(op as usize);
            linearized.key(next, &mut key);
            let new = memo.insert(key.as_slice().into());
            if !new {
                linearized.clear(op as usize);
            }
            (next, new)
        });
        match next {
            Some((next, true)) => {
                stack.push(Frame {
                    entry: cur,
                    state_before: state,
                    forced: forcing,
                    node: NIL,
                    min_best: 0,
                });
                if let Some(r) = &recorder {
                    r.pushed(&mut stack, op);
                }
                just_pushed = true;
                state = next;
                list.lift(cur);
                cur = list.first();
                forcing = false;
                let limit = LOOKAHEAD.min(max_steps - steps);
                let outlook = look_ahead(&list, &moves, &states, state, limit);
                steps += outlook.looked;
                if outlook.dead {
                    backtrack = true;
                } else if let Some(get) = outlook.forced {
                    (cur, forcing) = (get, true);
                }
            }
            // A forced get already explored from here (memo hit) failed, so this node fails.
            _ if forcing => {
                forcing = false;
                backtrack = true;
            }
            _ => cur = list.next[entry],
        }
    };
    if just_pushed && let Some(r) = &mut recorder {
        r.peak(&mut stack, &list);
    }
    KeySearch {
        verdict,
        steps,
        partials: recorder.map(|r| r.partials),
    }
}
