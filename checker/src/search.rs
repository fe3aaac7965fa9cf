//! The per-key search for a linearization (Wing & Gong's algorithm with Lowe's memoization, as
//! porcupine runs it).
//!
//! Every operation becomes a call event and a return event, sorted by time with calls first at
//! equal times (so touching intervals are concurrent), in a doubly linked list. Walking the list
//! from the front, the search tries to linearize each call it meets: if the model allows it and
//! the pair (set of linearized ops, state) is new, the op is "lifted" out of the list and the walk
//! restarts. Meeting a return means that op should already have been linearized, so the search
//! backtracks the most recent choice. An empty list is a linearization; backtracking with nothing
//! to undo proves there is none.
//!
//! Plain porcupine blows up on one key with many concurrent clients: a wrong early append is only
//! refuted after every order of the appends that follow it has been tried. Three reductions that
//! hold for the KV model keep such histories cheap, and are checked against an exhaustive oracle
//! in the tests:
//! - a get that reads the current state is taken at once, as the node's only child;
//! - a node is dead if the next get to return can no longer read its output (see `look_ahead`);
//! - states no pending get can read are merged into one (`PendingReads`).
//!
//! Verbose mode records, for each op, the longest linearizable prefix found that contains it.
//! Pruning can hide a slightly longer prefix beyond a dead node, so this is the longest found,
//! not always the longest that exists.
//!
//! One step is one visit of a list entry (looking ahead counts too), and work that grows with the
//! history is charged as steps too, so that the budget bounds time and memory for real: a memo key
//! costs a step per 4 words beyond the first (a long-running op widens every key, and the memo
//! keeps them), and a model
//! charges its text work (see `SearchModel::work`). The budget counts steps, not time, so results
//! are the same on every machine and inside the simulation. The verbose record's bookkeeping is
//! bounded separately (by the same number), so a verbose rerun takes exactly the same path.

use super::history::{OpKind, Operation};
use super::model::{FastBuild, Move, PendingReads, StateId, States, UNOBSERVABLE};
use std::collections::HashSet;

pub(crate) const NIL: u32 = u32::MAX;

/// How the search of one key ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyVerdict {
    Linearizable,
    NotLinearizable,
    /// The step budget ran out first.
    Unknown,
}

/// Partial linearizations found by a verbose search, stored as a tree of prefixes: node `i` is
/// the prefix ending with `nodes[i].1` after the prefix `nodes[i].0` (or after nothing if NIL).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Partials {
    pub nodes: Vec<(u32, u32)>,
    /// The length of each node's prefix.
    pub depth: Vec<u32>,
    /// Per op (local index): the node ending its longest linearizable prefix, or NIL.
    pub longest: Vec<u32>,
}

impl Partials {
    /// The ops (local indices) of the prefix ending at `node`, in linearization order.
    pub fn path(&self, mut node: u32) -> Vec<u32> {
        let mut ops = Vec::new();
        while node != NIL {
            let (parent, op) = self.nodes[node as usize];
            ops.push(op);
            node = parent;
        }
        ops.reverse();
        ops
    }

    /// The node ending the longest prefix found overall ([`Partials::NONE`] if none).
    pub fn deepest(&self) -> u32 {
        let mut best = (0, NIL);
        for &node in &self.longest {
            if node != NIL && self.depth[node as usize] > best.0 {
                best = (self.depth[node as usize], node);
            }
        }
        best.1
    }

    pub const NONE: u32 = NIL;
}

pub(crate) struct KeySearch {
    pub verdict: KeyVerdict,
    pub steps: u64,
    /// Present when the search ran verbose.
    pub partials: Option<Partials>,
}

/// The event list: entry 0 is the head sentinel; entries 1.. are events in time order.
pub(crate) struct EventList {
    pub(crate) next: Vec<u32>,
    prev: Vec<u32>,
    /// For each entry: its op, and whether it is the op's call.
    pub(crate) op: Vec<u32>,
    pub(crate) is_call: Vec<bool>,
    /// For a call entry, the entry of its return.
    matching: Vec<u32>,
}

impl EventList {
    pub(crate) fn new(ops: &[&Operation]) -> Self {
        // (time, 0 = call / 1 = return, op): calls sort before returns at the same time. A return
        // before its call (never in a validated history) is treated as returning at the call.
        let mut events: Vec<(u64, u8, u32)> = Vec::with_capacity(2 * ops.len());
        for (i, o) in ops.iter().enumerate() {
            events.push((o.call, 0, i as u32));
            events.push((o.ret.max(o.call), 1, i as u32));
        }
        events.sort_unstable();
        let len = events.len() + 1;
        let mut list = EventList {
            next: (1..=len as u32).collect(),
            prev: (0..len as u32).map(|i| i.wrapping_sub(1)).collect(),
            op: vec![NIL; len],
            is_call: vec![false; len],
            matching: vec![NIL; len],
        };
        list.next[len - 1] = NIL;
        let mut call_entry = vec![NIL; ops.len()];
        for (i, &(_, kind, op)) in events.iter().enumerate() {
            let entry = i + 1;
            list.op[entry] = op;
            list.is_call[entry] = kind == 0;
            if kind == 0 {
                call_entry[op as usize] = entry as u32;
            } else {
                list.matching[call_entry[op as usize] as usize] = entry as u32;
            }
        }
        list
    }

    pub(crate) fn first(&self) -> u32 {
        self.next[0]
    }

    fn unlink(&mut self, e: u32) {
        let (p, n) = (self.prev[e as usize], self.next[e as usize]);
        self.next[p as usize] = n;
        if n != NIL {
            self.prev[n as usize] = p;
        }
    }

    fn relink(&mut self, e: u32) {
        let (p, n) = (self.prev[e as usize], self.next[e as usize]);
        self.next[p as usize] = e;
        if n != NIL {
            self.prev[n as usize] = e;
        }
    }

    /// Removes a call entry and its return (exactly undone by `unlift`, in reverse order).
    pub(crate) fn lift(&mut self, call: u32) {
        self.unlink(call);
        self.unlink(self.matching[call as usize]);
    }

    pub(crate) fn unlift(&mut self, call: u32) {
        self.relink(self.matching[call as usize]);
        self.relink(call);
    }
}

/// The set of linearized ops, which also yields a compact exact memo key.
///
/// Ops are indexed in call order. If op k is the first not linearized, every linearized op was
/// called no later than k returned (it was linearized before k's return was reached), so the set
/// is: all ops before k, plus some ops in `k+1..=window_end[k]`. The words covering that window,
/// with k, identify the set exactly, and are far shorter than the whole bitset.
pub(crate) struct Linearized {
    words: Vec<u64>,
    /// No word before this one has a zero bit.
    low: usize,
    window_end: Vec<usize>,
    n: usize,
}

impl Linearized {
    pub(crate) fn new(ops: &[&Operation]) -> Self {
        let window_end = ops
            .iter()
            .map(|o| {
                let ret = o.ret.max(o.call);
                ops.partition_point(|p| p.call <= ret) - 1
            })
            .collect();
        Linearized {
            words: vec![0; ops.len().div_ceil(64)],
            low: 0,
            window_end,
            n: ops.len(),
        }
    }

    pub(crate) fn set(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
        while self.low < self.words.len() && self.words[self.low] == u64::MAX {
            self.low += 1;
        }
    }

    pub(crate) fn clear(&mut self, i: usize) {
        self.words[i / 64] &= !(1 << (i % 64));
        self.low = self.low.min(i / 64);
    }

    /// Writes the memo key of (this set, `state`) into `key`.
    pub(crate) fn key(&self, state: StateId, key: &mut Vec<u64>) {
        key.clear();
        let k = if self.low == self.words.len() {
            self.n
        } else {
            self.low * 64 + self.words[self.low].trailing_ones() as usize
        };
        key.push(k as u64 | (u64::from(state) << 32));
        if k < self.n {
            key.extend_from_slice(&self.words[k / 64..=self.window_end[k] / 64]);
        }
    }
}

/// One linearized op on the search stack.
pub(crate) struct Frame {
    /// Its call entry.
    pub(crate) entry: u32,
    /// The state before it.
    pub(crate) state_before: StateId,
    /// It was the node's forced get, so undoing it also undoes the choice before it.
    pub(crate) forced: bool,
    /// Verbose only: its prefix-tree node once recorded, and the minimum best-prefix length of the
    /// ops up to and including this frame.
    pub(crate) node: u32,
    pub(crate) min_best: u32,
}

/// Verbose bookkeeping: for each op, the longest linearizable prefix containing it.
pub(crate) struct Recorder {
    pub(crate) partials: Partials,
    best_len: Vec<u32>,
    /// Frames visited by `peak` so far, and the most it may visit before it stops recording.
    work: u64,
    limit: u64,
}

impl Recorder {
    pub(crate) fn new(n: usize, limit: u64) -> Self {
        Recorder {
            partials: Partials {
                nodes: Vec::new(),
                depth: Vec::new(),
                longest: vec![NIL; n],
            },
            best_len: vec![0; n],
            work: 0,
            limit,
        }
    }

    pub(crate) fn pushed(&self, stack: &mut [Frame], op: u32) {
        let below = stack
            .len()
            .checked_sub(2)
            .map_or(u32::MAX, |i| stack[i].min_best);
        if let Some(top) = stack.last_mut() {
            top.min_best = below.min(self.best_len[op as usize]);
        }
    }

    /// Called when the stack is at a local maximum (about to shrink, or final): any op on it whose
    /// longest known prefix is shorter than the stack now gets the stack as its prefix.
    pub(crate) fn peak(&mut self, stack: &mut [Frame], list: &EventList) {
        let depth = stack.len() as u32;
        if depth == 0 || stack[stack.len() - 1].min_best >= depth || self.work >= self.limit {
            return;
        }
        // min_best never increases up the stack, so the frames needing work are a suffix.
        let from = stack.partition_point(|f| f.min_best >= depth);
        let mut i = stack.len();
        while i > 0 && stack[i - 1].node == NIL {
            i -= 1;
        }
        for j in i..stack.len() {
            let parent = if j == 0 { NIL } else { stack[j - 1].node };
            stack[j].node = self.partials.nodes.len() as u32;
            self.partials
                .nodes
                .push((parent, list.op[stack[j].entry as usize]));
            self.partials.depth.push(j as u32 + 1);
        }
        self.work += (stack.len() - from.min(i)) as u64;
        let leaf = stack[stack.len() - 1].node;
        for j in from..stack.len() {
            let op = list.op[stack[j].entry as usize] as usize;
            if self.best_len[op] < depth {
                self.best_len[op] = depth;
                self.partials.longest[op] = leaf;
            }
            let below = if j == 0 {
                u32::MAX
            } else {
                stack[j - 1].min_best
            };
            stack[j].min_best = below.min(self.best_len[op]);
        }
    }
}

/// How far a model's look-ahead walks along the event list.
pub(crate) const LOOKAHEAD: u64 = 32;

/// What a model's look-ahead learned about the node the search just reached.
pub(crate) struct Outlook {
    /// No extension of the current prefix can be a linearization.
    pub(crate) dead: bool,
    /// A get the node may take as its only child (its call entry).
    pub(crate) forced: Option<u32>,
    /// List entries looked at (counted as search steps).
    pub(crate) looked: u64,
}

/// A model as the search runs it: on interned states, state 0 being the initial one, and on ops
/// by their index in the key's call order.
pub(crate) trait SearchModel {
    /// The state after op `op` in `state`, or `None` if the model does not allow it there.
    fn apply(&mut self, state: StateId, op: u32) -> Option<StateId>;

    /// Op `op` was linearized (for models that track what is left).
    fn take(&mut self, _op: u32) {}

    /// Op `op` was un-linearized.
    fn restore(&mut self, _op: u32) {}

    /// The state the memo records for `state`: states with the same future may share one.
    fn canonical(&self, state: StateId) -> StateId {
        state
    }

    /// What the node with `state` may skip or must take, from at most `limit` entries at the
    /// front of `list` (the rest of the budget may be smaller than [`LOOKAHEAD`]); looking less
    /// only prunes less.
    fn look_ahead(&self, list: &EventList, state: StateId, limit: u64) -> Outlook;

    /// Work done since the last call that is not one step per call (comparing long texts, say),
    /// in steps; the search charges it to the budget.
    fn work(&mut self) -> u64 {
        0
    }
}

/// The 2023 KV model with its reductions.
struct KvModel<'a> {
    ops: &'a [&'a Operation],
    states: States,
    moves: Vec<Move>,
    pending: PendingReads,
}

impl SearchModel for KvModel<'_> {
    fn apply(&mut self, state: StateId, op: u32) -> Option<StateId> {
        let value = &self.ops[op as usize].input.value;
        self.states.apply(state, self.moves[op as usize], op, value)
    }

    fn take(&mut self, op: u32) {
        self.pending.take(op as usize);
    }

    fn restore(&mut self, op: u32) {
        self.pending.restore(op as usize);
    }

    fn canonical(&self, state: StateId) -> StateId {
        self.pending.canonical(state, &self.states)
    }

    fn look_ahead(&self, list: &EventList, state: StateId, limit: u64) -> Outlook {
        look_ahead(list, &self.moves, &self.states, state, limit)
    }

    fn work(&mut self) -> u64 {
        self.states.take_work()
    }
}

/// Two reductions specific to the KV model, which porcupine does not make.
///
/// Forced gets. The candidates of a node are the calls before the first return in the list. If a
/// candidate get reads the current state, taking it first loses nothing: in any linearization
/// that takes it later, it can move up to here (it was called before every remaining op returned,
/// and it does not change the state). So that get is the node's only child.
///
/// Dead ends. States only grow (appends) or are replaced (puts). Before the first get whose
/// return is still in the list can be linearized, the state is the current state or the value of
/// a put called before that return, followed by appends; if the get's output starts with neither,
/// the node is dead. Without this, a wrongly early append is refuted only after trying every order
/// of the concurrent appends that follow.
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
    let mut puts: Vec<StateId> = Vec::new();
    let mut candidates = true;
    let mut e = list.first();
    while e != NIL && out.looked < limit {
        out.looked += 1;
        let mv = moves[list.op[e as usize] as usize];
        if list.is_call[e as usize] {
            match mv {
                Move::Put(value) => puts.push(value),
                Move::Get(read) if candidates && read == state && out.forced.is_none() => {
                    out.forced = Some(e);
                }
                _ => {}
            }
        } else {
            candidates = false;
            if let Move::Get(read) = mv {
                let reachable = std::iter::once(state)
                    .filter(|&s| s != UNOBSERVABLE)
                    .chain(puts.iter().copied())
                    .any(|from| states.starts_with(read, from));
                out.dead = !reachable;
                break;
            }
        }
        e = list.next[e as usize];
    }
    out
}

/// Searches for a linearization of one key's ops, which must be sorted by call time, under the
/// 2023 KV model.
pub(crate) fn search(ops: &[&Operation], max_steps: u64, verbose: bool) -> KeySearch {
    let mut states = States::new();
    let reads: Vec<&str> = ops
        .iter()
        .filter(|o| o.input.op == OpKind::Get)
        .map(|o| o.output.as_str())
        .collect();
    let mut read_states = states.intern_reads(&reads).into_iter();
    let moves: Vec<Move> = ops
        .iter()
        .map(|o| match o.input.op {
            OpKind::Get => Move::Get(read_states.next().expect("one state per get")),
            _ => states.prepare(&o.input, &o.output),
        })
        .collect();
    let pending = PendingReads::new(&moves, &states);
    let model = KvModel {
        ops,
        states,
        moves,
        pending,
    };
    run(ops, model, max_steps, verbose)
}

/// Searches for a linearization of one key's ops, which must be sorted by call time, under
/// `model`.
pub(crate) fn run<M: SearchModel>(
    ops: &[&Operation],
    mut model: M,
    max_steps: u64,
    verbose: bool,
) -> KeySearch {
    let mut list = EventList::new(ops);
    let mut linearized = Linearized::new(ops);
    // Memo of visited (linearized set, state) keys. A HashSet is fine: it is only queried, never
    // iterated, so its order cannot affect results; its hasher is fixed, not randomly seeded.
    let mut memo: HashSet<Box<[u64]>, FastBuild> = HashSet::default();
    let mut key = Vec::new();
    let mut recorder = verbose.then(|| Recorder::new(ops.len(), max_steps));

    let mut stack: Vec<Frame> = Vec::new();
    let mut state: StateId = 0;
    let mut cur = list.first();
    let mut steps = 0u64;
    let mut just_pushed = false;
    // `cur` is a get the current node must take (see `look_ahead`); if it cannot, the node is dead.
    let mut forcing = false;
    let mut backtrack = false;
    let root = model.look_ahead(&list, state, LOOKAHEAD.min(max_steps));
    steps += root.looked + model.work();
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
                let op = list.op[frame.entry as usize];
                model.restore(op);
                linearized.clear(op as usize);
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
        let next = match model.apply(state, op) {
            Some(next) => {
                model.take(op);
                linearized.set(op as usize);
                let next = model.canonical(next);
                linearized.key(next, &mut key);
                steps += key.len().saturating_sub(1) as u64 / 4;
                let new = memo.insert(key.as_slice().into());
                if !new {
                    model.restore(op);
                    linearized.clear(op as usize);
                }
                Some((next, new))
            }
            None => None,
        };
        steps += model.work();
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
                let limit = LOOKAHEAD.min(max_steps.saturating_sub(steps));
                let outlook = model.look_ahead(&list, state, limit);
                steps += outlook.looked + model.work();
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
