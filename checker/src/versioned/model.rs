//! The versioned KV model, per key: the state is (value, version), starting at ("", 0).
//!
//! - A get is legal iff the value it returned is the state's value; like the course's model, its
//!   version and err are not compared. It leaves the state unchanged.
//! - A put(x, v) that returned err:
//!   - if the state's version is v: legal iff err is OK or ErrMaybe, and the state becomes
//!     (x, v + 1);
//!   - otherwise: legal iff err is ErrVersion or ErrMaybe, and the state is unchanged.
//!
//!   So a put that returned ErrNoKey (or ErrWrongLeader, ErrWrongGroup) is never legal.
//! - An operation that is not versioned, or an append, is never legal here.
//!
//! The model is deterministic. An ErrMaybe put took effect or not according to where the search
//! places it: where the versions match it applies, elsewhere it changes nothing. The choice of
//! linearization points inside each put's interval supplies the nondeterminism, as in porcupine.
//!
//! [`step`] is the model as written; the search runs the same model on interned states.

use crate::history::{KvErr, OpKind, Operation, Versioned};
use crate::model::{FastBuild, StateId};
use std::collections::HashMap;

/// One key's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VersionedState {
    pub value: String,
    pub version: u64,
}

/// The state after `op` in `state`, or `None` if the model does not allow `op` there.
pub fn step(state: &VersionedState, op: &Operation) -> Option<VersionedState> {
    let v = op.versioned?;
    match op.input.op {
        OpKind::Get => (op.output == state.value).then(|| state.clone()),
        OpKind::Put => match put_outcome(state.version, v)? {
            PutOutcome::Applied(version) => Some(VersionedState {
                value: op.input.value.clone(),
                version,
            }),
            PutOutcome::Unchanged => Some(state.clone()),
        },
        OpKind::Append => None,
    }
}

/// What a legal put does.
enum PutOutcome {
    /// It took effect; the key's new version.
    Applied(u64),
    Unchanged,
}

/// The rule for a put conditional on `put.version` that returned `put.err`, in a state at
/// `version`; `None` if illegal.
fn put_outcome(version: u64, put: Versioned) -> Option<PutOutcome> {
    if version == put.version {
        // The last version cannot be put over: the next one does not exist.
        let next = version.checked_add(1)?;
        matches!(put.err, KvErr::Ok | KvErr::Maybe).then_some(PutOutcome::Applied(next))
    } else {
        matches!(put.err, KvErr::Version | KvErr::Maybe).then_some(PutOutcome::Unchanged)
    }
}

/// Index of an interned value.
type ValueId = u32;

/// One operation in the form the search applies it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Move {
    /// A get that returned this value.
    Get(ValueId),
    /// A put of this value, with its version and err.
    Put(ValueId, Versioned),
    /// An op the model never allows.
    Never,
}

/// Interned values and states of one key: comparing and memoizing a state costs an integer.
pub(crate) struct States {
    values: HashMap<String, ValueId, FastBuild>,
    /// Per state: (value, version).
    states: Vec<(ValueId, u64)>,
    ids: HashMap<(ValueId, u64), StateId, FastBuild>,
}

impl States {
    /// A table holding the initial state ("", 0) as id 0.
    pub(crate) fn new() -> Self {
        let mut s = States {
            values: HashMap::default(),
            states: Vec::new(),
            ids: HashMap::default(),
        };
        let empty = s.value("");
        s.state(empty, 0);
        s
    }

    fn value(&mut self, text: &str) -> ValueId {
        if let Some(&id) = self.values.get(text) {
            return id;
        }
        let id = self.values.len() as ValueId;
        self.values.insert(text.to_string(), id);
        id
    }

    fn state(&mut self, value: ValueId, version: u64) -> StateId {
        let states = &mut self.states;
        *self.ids.entry((value, version)).or_insert_with(|| {
            states.push((value, version));
            (states.len() - 1) as StateId
        })
    }

    /// The move for an operation, its values interned once, up front.
    pub(crate) fn prepare(&mut self, op: &Operation) -> Move {
        match (op.input.op, op.versioned) {
            (OpKind::Get, Some(_)) => Move::Get(self.value(&op.output)),
            (OpKind::Put, Some(v)) => Move::Put(self.value(&op.input.value), v),
            _ => Move::Never,
        }
    }

    /// The model's step on interned states.
    pub(crate) fn apply(&mut self, state: StateId, mv: Move) -> Option<StateId> {
        let (value, version) = self.states[state as usize];
        match mv {
            Move::Get(read) => (read == value).then_some(state),
            Move::Put(new, put) => match put_outcome(version, put)? {
                PutOutcome::Applied(next) => Some(self.state(new, next)),
                PutOutcome::Unchanged => Some(state),
            },
            Move::Never => None,
        }
    }

    /// The value of an interned state.
    pub(crate) fn value_of(&self, state: StateId) -> ValueId {
        self.states[state as usize].0
    }

    /// The version of an interned state.
    pub(crate) fn version_of(&self, state: StateId) -> u64 {
        self.states[state as usize].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(value: &str, version: u64) -> VersionedState {
        VersionedState {
            value: value.into(),
            version,
        }
    }

    fn put(value: &str, version: u64, err: KvErr) -> Operation {
        Operation::versioned_put(0, 0, 1, "k", (value, version), err)
    }

    fn get(value: &str, version: u64, err: KvErr) -> Operation {
        Operation::versioned_get(0, 0, 1, "k", (value, version, err))
    }

    #[test]
    fn a_put_at_the_current_version_applies_if_ok_or_maybe() {
        let s = state("a", 3);
        assert_eq!(step(&s, &put("b", 3, KvErr::Ok)), Some(state("b", 4)));
        assert_eq!(step(&s, &put("b", 3, KvErr::Maybe)), Some(state("b", 4)));
        assert_eq!(step(&s, &put("b", 3, KvErr::Version)), None);
        assert_eq!(step(&s, &put("b", 3, KvErr::NoKey)), None);
    }

    #[test]
    fn a_put_at_another_version_changes_nothing_if_version_or_maybe() {
        let s = state("a", 3);
        for other in [0, 2, 4] {
            assert_eq!(step(&s, &put("b", other, KvErr::Version)), Some(s.clone()));
            assert_eq!(step(&s, &put("b", other, KvErr::Maybe)), Some(s.clone()));
            assert_eq!(step(&s, &put("b", other, KvErr::Ok)), None);
            assert_eq!(step(&s, &put("b", other, KvErr::NoKey)), None);
        }
    }

    #[test]
    fn a_get_compares_the_value_only() {
        let s = state("a", 3);
        assert_eq!(step(&s, &get("a", 3, KvErr::Ok)), Some(s.clone()));
        assert_eq!(step(&s, &get("a", 9, KvErr::Ok)), Some(s.clone()));
        assert_eq!(step(&s, &get("b", 3, KvErr::Ok)), None);
        let fresh = VersionedState::default();
        assert_eq!(step(&fresh, &get("", 0, KvErr::NoKey)), Some(fresh.clone()));
    }

    #[test]
    fn unversioned_ops_are_never_legal() {
        let fresh = VersionedState::default();
        assert_eq!(step(&fresh, &Operation::put(0, 0, 1, "k", "a")), None);
        assert_eq!(step(&fresh, &Operation::get(0, 0, 1, "k", "")), None);
        assert_eq!(
            step(&state("a", u64::MAX), &put("b", u64::MAX, KvErr::Ok)),
            None
        );
    }

    #[test]
    fn interned_states_agree_with_step() {
        let mut st = States::new();
        let ops = [
            put("a", 0, KvErr::Ok),
            put("b", 0, KvErr::Maybe),
            get("a", 1, KvErr::Ok),
            put("c", 1, KvErr::Maybe),
            put("d", 5, KvErr::Version),
            put("e", 2, KvErr::NoKey),
        ];
        let moves: Vec<Move> = ops.iter().map(|o| st.prepare(o)).collect();
        let mut plain = VersionedState::default();
        // ("", 0) is state 0.
        let mut interned = 0;
        for (op, mv) in ops.iter().zip(moves) {
            match (step(&plain, op), st.apply(interned, mv)) {
                (Some(next), Some(id)) => {
                    assert_eq!(st.version_of(id), next.version);
                    assert_eq!(st.value_of(id), st.value(&next.value));
                    (plain, interned) = (next, id);
                }
                (None, None) => {}
                (a, b) => panic!("{}: step says {a:?}, interned says {b:?}", op.describe()),
            }
        }
        assert_eq!(plain, state("c", 2));
    }
}
