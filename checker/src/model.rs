//! The KV model of docs/lab-tests-2023.md §5, per key: the state is the key's value, starting at "".
//! - a get is legal only when its output equals the state, and leaves it unchanged;
//! - a put is always legal and sets the state to its value;
//! - an append is always legal and sets the state to state + value.
//!
//! [`step`] is the model as written. The search uses `States`, the same model over interned
//! states, so that comparing and memoizing states costs an integer instead of a string.

use super::history::{KvInput, OpKind};
use std::cell::Cell;
use std::cmp::{Ordering, Reverse};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The state after applying `input` (which returned `output`) to `state`, or `None` if illegal.
pub fn step(state: &str, input: &KvInput, output: &str) -> Option<String> {
    match input.op {
        OpKind::Get => (output == state).then(|| state.to_string()),
        OpKind::Put => Some(input.value.clone()),
        OpKind::Append => Some(format!("{state}{}", input.value)),
    }
}

/// A small, fixed (unseeded, hence deterministic) multiplicative hasher for the search's tables.
/// The tables are only looked up, never iterated, so their order cannot leak into results.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        // Final avalanche so low bits (used by the table) depend on all input bits.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.write_u64(u64::from(b) | 0x100);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

pub(crate) type FastBuild = BuildHasherDefault<FastHasher>;

/// Index of an interned state.
pub(crate) type StateId = u32;

/// Interned states of one key, and the model's transitions between them.
///
/// A state's text is a prefix of one of a few shared `bases`, so the states an append-only key goes
/// through (each one the previous plus a value) share one string instead of each holding a copy:
/// memory grows with the key's value, not with its square. States are interned by length and a
/// polynomial hash of their text that an append updates without reading the text; texts are
/// compared only when the hash says two states may be equal.
pub(crate) struct States {
    bases: Vec<String>,
    /// Per state: its base, its length, and the hash of its text.
    states: Vec<(usize, usize, u64)>,
    /// (length, hash) → the states with that length and hash.
    ids: HashMap<(usize, u64), Vec<StateId>, FastBuild>,
    /// (state, op) -> state after an append; backtracking revisits these often.
    appended: HashMap<(StateId, u32), StateId, FastBuild>,
    /// Text work since `take_work`, in steps of [`BYTES_PER_STEP`] bytes (a `Cell`: comparing is
    /// a read of the table).
    work: Cell<u64>,
}

/// How many bytes of text compared or copied cost one search step.
const BYTES_PER_STEP: usize = 256;

/// The polynomial hash's base (odd, so multiplication is invertible modulo 2^64).
const HASH_BASE: u64 = 0x100_0000_01b3;

/// `h(s) = Σ s[i]·B^(n-1-i)` (mod 2^64), so that `h(s + v) = h(s)·B^|v| + h(v)`.
fn text_hash(text: &str) -> u64 {
    text.bytes().fold(0, |h, b| {
        h.wrapping_mul(HASH_BASE).wrapping_add(u64::from(b))
    })
}

/// `h(s + v)` from `h(s)`, reading only `v`.
fn extended_hash(hash: u64, value: &str) -> u64 {
    value.bytes().fold(hash, |h, b| {
        h.wrapping_mul(HASH_BASE).wrapping_add(u64::from(b))
    })
}

/// One operation in the form the search applies it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Move {
    /// A get that read this state.
    Get(StateId),
    /// A put of this state.
    Put(StateId),
    /// An append; the value is looked up by the op's index.
    Append,
}

impl States {
    /// A table holding the initial state "" as id 0.
    pub(crate) fn new() -> Self {
        let mut s = States {
            bases: Vec::new(),
            states: Vec::new(),
            ids: HashMap::default(),
            appended: HashMap::default(),
            work: Cell::new(0),
        };
        s.intern("");
        s
    }

    pub(crate) const INITIAL: StateId = 0;

    /// The text work done since the last call, in search steps.
    pub(crate) fn take_work(&self) -> u64 {
        self.work.replace(0)
    }

    fn charge(&self, bytes: usize) {
        self.work
            .set(self.work.get() + (bytes / BYTES_PER_STEP) as u64);
    }

    pub(crate) fn intern(&mut self, text: &str) -> StateId {
        let key = (text.len(), text_hash(text));
        if let Some(&id) = self
            .candidates(key)
            .iter()
            .find(|&&id| self.get(id) == text)
        {
            return id;
        }
        self.bases.push(text.to_string());
        self.add(self.bases.len() - 1, key)
    }

    /// Interns the outputs of gets before the search and returns their states, in the order given.
    ///
    /// Longest first, so that an output that is a prefix of a longer one (every read of an
    /// append-only key is) shares its text; then the hashes are taken in increasing length along
    /// each shared text, so each of its bytes is hashed once rather than once per read.
    pub(crate) fn intern_reads(&mut self, outputs: &[&str]) -> Vec<StateId> {
        let mut longest_first: Vec<usize> = (0..outputs.len()).collect();
        longest_first.sort_by_key(|&i| (Reverse(outputs[i].len()), i));
        // (base, length, output index) per output.
        let mut members = Vec::with_capacity(outputs.len());
        let mut last_base: Option<usize> = None;
        for i in longest_first {
            let text = outputs[i];
            let base = match last_base {
                Some(base) if self.bases[base].starts_with(text) => base,
                _ => {
                    self.bases.push(text.to_string());
                    self.bases.len() - 1
                }
            };
            last_base = Some(base);
            members.push((base, text.len(), i));
        }
        members.sort_unstable();
        let mut ids = vec![States::INITIAL; outputs.len()];
        let mut prev: Option<(usize, usize, u64)> = None;
        for (base, len, i) in members {
            let hash = match prev {
                Some((b, l, h)) if b == base => extended_hash(h, &self.bases[base][l..len]),
                _ => text_hash(&self.bases[base][..len]),
            };
            prev = Some((base, len, hash));
            ids[i] = self.intern_prefix(base, len, hash);
        }
        ids
    }

    /// The state whose text is the first `len` bytes of `bases[base]` (with hash `hash`).
    fn intern_prefix(&mut self, base: usize, len: usize, hash: u64) -> StateId {
        let key = (len, hash);
        let text = &self.bases[base][..len];
        if let Some(&id) = self.candidates(key).iter().find(|&&id| {
            let (b, l, _) = self.states[id as usize];
            (b, l) == (base, len) || self.get(id) == text
        }) {
            return id;
        }
        self.add(base, key)
    }

    /// Whether the text of `a` starts with the text of `b`; free when they share a base.
    pub(crate) fn starts_with(&self, a: StateId, b: StateId) -> bool {
        let ((base_a, len_a, _), (base_b, len_b, _)) =
            (self.states[a as usize], self.states[b as usize]);
        if base_a == base_b {
            return len_a >= len_b;
        }
        self.charge(len_a.min(len_b));
        self.get(a).starts_with(self.get(b))
    }

    /// The order of the texts of `a` and `b`; free when they share a base (one is a prefix of the
    /// other, so the shorter is less).
    pub(crate) fn cmp(&self, a: StateId, b: StateId) -> Ordering {
        let ((base_a, len_a, _), (base_b, len_b, _)) =
            (self.states[a as usize], self.states[b as usize]);
        if base_a == base_b {
            return len_a.cmp(&len_b);
        }
        self.charge(len_a.min(len_b));
        self.get(a).cmp(self.get(b))
    }

    /// The text of an interned state ([`UNOBSERVABLE`] is not one).
    pub(crate) fn get(&self, id: StateId) -> &str {
        let (base, len, _) = self.states[id as usize];
        &self.bases[base][..len]
    }

    fn candidates(&self, key: (usize, u64)) -> &[StateId] {
        self.ids.get(&key).map_or(&[], Vec::as_slice)
    }

    fn add(&mut self, base: usize, (len, hash): (usize, u64)) -> StateId {
        let id = self.states.len() as StateId;
        self.states.push((base, len, hash));
        self.ids.entry((len, hash)).or_default().push(id);
        id
    }

    /// The state `state + value`, sharing `state`'s base where it can.
    fn intern_append(&mut self, state: StateId, value: &str) -> StateId {
        let (base, len, hash) = self.states[state as usize];
        let key = (len + value.len(), extended_hash(hash, value));
        let prefix_len = len;
        let prefix = &self.bases[base].as_bytes()[..prefix_len];
        // Hashing the value, and comparing against candidates (rarely more than one).
        self.charge(value.len() + self.candidates(key).len() * key.0);
        if let Some(&id) = self.candidates(key).iter().find(|&&id| {
            let (head, rest) = self.get(id).as_bytes().split_at(prefix_len);
            head == prefix && rest == value.as_bytes()
        }) {
            return id;
        }
        let tail = &self.bases[base][len..];
        if tail.is_empty() {
            // `state` ends its base: grow the base in place (shorter states see only their prefix).
            self.bases[base].push_str(value);
            self.add(base, key)
        } else if tail.starts_with(value) {
            self.add(base, key)
        } else {
            self.charge(len + value.len());
            let text = format!("{}{value}", &self.bases[base][..len]);
            self.bases.push(text);
            self.add(self.bases.len() - 1, key)
        }
    }

    /// The move for an operation: gets and puts resolve to a state once, up front.
    pub(crate) fn prepare(&mut self, input: &KvInput, output: &str) -> Move {
        match input.op {
            OpKind::Get => Move::Get(self.intern(output)),
            OpKind::Put => Move::Put(self.intern(&input.value)),
            OpKind::Append => Move::Append,
        }
    }

    /// The model's step on interned states (`op` and `value` identify an append). From
    /// [`UNOBSERVABLE`], appends stay unobservable and no get is legal.
    pub(crate) fn apply(
        &mut self,
        state: StateId,
        mv: Move,
        op: u32,
        value: &str,
    ) -> Option<StateId> {
        match mv {
            Move::Get(_) | Move::Append if state == UNOBSERVABLE => {
                matches!(mv, Move::Append).then_some(UNOBSERVABLE)
            }
            Move::Get(read) => (read == state).then_some(state),
            Move::Put(new) => Some(new),
            Move::Append => {
                if let Some(&next) = self.appended.get(&(state, op)) {
                    return Some(next);
                }
                let next = self.intern_append(state, value);
                self.appended.insert((state, op), next);
                Some(next)
            }
        }
    }
}

/// The outputs of the gets not yet linearized, answering "could any of them still read a state
/// that starts with `s`?". If not, `s` is unobservable: every remaining get must come after some
/// put replaces it, so all unobservable states have the same future and the search may merge them
/// into one ([`UNOBSERVABLE`]). This turns the factorial number of orders in which appends nobody
/// reads can be applied into one state.
pub(crate) struct PendingReads {
    /// Distinct get outputs, sorted; strings with a common prefix form a contiguous range.
    outputs: Vec<StateId>,
    /// A Fenwick tree of how many unlinearized gets read each output.
    counts: Vec<i64>,
    /// For each op: the rank of its output if it is a get.
    rank: Vec<Option<usize>>,
}

/// The state the search uses for any state no remaining get can observe.
pub(crate) const UNOBSERVABLE: StateId = StateId::MAX;

impl PendingReads {
    pub(crate) fn new(moves: &[Move], states: &States) -> Self {
        let mut outputs: Vec<StateId> = moves
            .iter()
            .filter_map(|m| match m {
                Move::Get(read) => Some(*read),
                _ => None,
            })
            .collect();
        outputs.sort_by(|&a, &b| states.cmp(a, b));
        outputs.dedup();
        let rank: Vec<Option<usize>> = moves
            .iter()
            .map(|m| match m {
                Move::Get(read) => {
                    Some(outputs.partition_point(|&o| states.cmp(o, *read) == Ordering::Less))
                }
                _ => None,
            })
            .collect();
        let mut pending = PendingReads {
            counts: vec![0; outputs.len() + 1],
            outputs,
            rank,
        };
        for op in 0..moves.len() {
            pending.restore(op);
        }
        pending
    }

    fn add(&mut self, rank: usize, delta: i64) {
        let mut i = rank + 1;
        while i < self.counts.len() {
            self.counts[i] += delta;
            i += i & i.wrapping_neg();
        }
    }

    /// How many pending gets read outputs of rank < `end`.
    fn below(&self, end: usize) -> i64 {
        let (mut i, mut sum) = (end, 0);
        while i > 0 {
            sum += self.counts[i];
            i &= i - 1;
        }
        sum
    }

    /// Op `op` was linearized (no effect unless it is a get).
    pub(crate) fn take(&mut self, op: usize) {
        if let Some(r) = self.rank[op] {
            self.add(r, -1);
        }
    }

    /// Op `op` was un-linearized.
    pub(crate) fn restore(&mut self, op: usize) {
        if let Some(r) = self.rank[op] {
            self.add(r, 1);
        }
    }

    /// `state`, or [`UNOBSERVABLE`] if no pending get reads a string starting with it.
    pub(crate) fn canonical(&self, state: StateId, states: &States) -> StateId {
        if state == UNOBSERVABLE {
            return state;
        }
        let lo = self
            .outputs
            .partition_point(|&o| states.cmp(o, state) == Ordering::Less);
        let hi = lo + self.outputs[lo..].partition_point(|&o| states.starts_with(o, state));
        if self.below(hi) - self.below(lo) > 0 {
            state
        } else {
            UNOBSERVABLE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;

    #[test]
    fn equal_texts_are_one_state_however_they_are_reached() {
        let mut st = States::new();
        let reads = st.intern_reads(&["abc", "ab", "xy", "ab"]);
        assert_eq!(reads[1], reads[3], "equal reads are one state");
        assert_eq!(st.get(reads[0]), "abc");
        assert_eq!(st.get(reads[2]), "xy");
        let a = st.intern_append(States::INITIAL, "a");
        let ab = st.intern_append(a, "b");
        assert_eq!(st.get(ab), "ab");
        assert_eq!(
            ab,
            st.intern("ab"),
            "an append chain meets the interned read"
        );
        let abc = st.intern_append(ab, "c");
        assert_eq!(abc, st.intern("abc"));
        assert_eq!(st.get(abc), "abc");
        let abd = st.intern_append(ab, "d");
        assert_eq!(st.get(abd), "abd");
        assert_eq!(st.get(abc), "abc", "a branch does not disturb its sibling");
        let put = st.intern("abd");
        assert_eq!(put, abd);
        assert_ne!(st.intern("xy"), st.intern("x"));
    }

    #[test]
    fn an_append_only_chain_shares_one_text() {
        let mut st = States::new();
        let mut state = States::INITIAL;
        for i in 0..1000 {
            state = st.intern_append(state, &format!("x {i} y;"));
        }
        let expected: String = (0..1000).map(|i| format!("x {i} y;")).collect();
        assert_eq!(st.get(state), expected);
        assert_eq!(
            st.bases.len(),
            1,
            "every state of the chain is a prefix of one text"
        );
    }

    #[test]
    fn step_follows_the_kv_model() {
        let get = |out: &str| Operation::get(0, 0, 1, "k", out);
        assert_eq!(step("", &get("").input, ""), Some(String::new()));
        assert_eq!(step("a", &get("b").input, "b"), None);
        let put = Operation::put(0, 0, 1, "k", "v");
        assert_eq!(step("old", &put.input, ""), Some("v".into()));
        let app = Operation::append(0, 0, 1, "k", "w");
        assert_eq!(step("v", &app.input, ""), Some("vw".into()));
    }

    #[test]
    fn interned_states_agree_with_step() {
        let mut st = States::new();
        let app = Operation::append(0, 0, 1, "k", "x");
        let mv = st.prepare(&app.input, "");
        let a = st.apply(States::INITIAL, mv, 0, "x").unwrap();
        assert_eq!(st.get(a), "x");
        assert_eq!(st.apply(States::INITIAL, mv, 0, "x"), Some(a));
        let get = Operation::get(0, 0, 1, "k", "x");
        let g = st.prepare(&get.input, &get.output);
        assert_eq!(st.apply(a, g, 1, ""), Some(a));
        assert_eq!(st.apply(States::INITIAL, g, 1, ""), None);
        let put = st.prepare(&Operation::put(0, 0, 1, "k", "").input, "");
        assert_eq!(st.apply(a, put, 2, ""), Some(States::INITIAL));
        assert_eq!(st.apply(UNOBSERVABLE, mv, 0, "x"), Some(UNOBSERVABLE));
        assert_eq!(st.apply(UNOBSERVABLE, g, 1, ""), None);
        assert_eq!(st.apply(UNOBSERVABLE, put, 2, ""), Some(States::INITIAL));
    }

    #[test]
    fn pending_reads_find_observers_by_prefix() {
        let ops = [
            Operation::get(0, 0, 1, "k", "ab"),
            Operation::get(0, 0, 1, "k", "b"),
            Operation::append(0, 0, 1, "k", "a"),
            Operation::get(0, 0, 1, "k", "abc"),
        ];
        let mut st = States::new();
        let moves: Vec<Move> = ops
            .iter()
            .map(|o| st.prepare(&o.input, &o.output))
            .collect();
        let mut pending = PendingReads::new(&moves, &st);
        let a = st.intern("a");
        let abc = st.intern("abc");
        let c = st.intern("c");
        assert_eq!(pending.canonical(a, &st), a);
        assert_eq!(pending.canonical(c, &st), UNOBSERVABLE);
        assert_eq!(pending.canonical(States::INITIAL, &st), States::INITIAL);
        pending.take(3);
        assert_eq!(pending.canonical(abc, &st), UNOBSERVABLE);
        assert_eq!(
            pending.canonical(a, &st),
            a,
            "still read by the get of \"ab\""
        );
        pending.take(0);
        assert_eq!(pending.canonical(a, &st), UNOBSERVABLE);
        pending.take(2); // not a get: no effect
        pending.restore(0);
        assert_eq!(pending.canonical(a, &st), a);
    }
}
