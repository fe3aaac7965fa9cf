//! The operations' part of the picture: per key, its client lanes and its checker detail (each
//! op's longest partial linearization, and what could not come next), and the ops to highlight.

use super::text::{abbreviate, label};
use crate::check::{CheckResult, KeyDetail};
use crate::history::Operation;
use crate::model::step;
use crate::search::{KeyVerdict, Partials};
use crate::versioned;
use serde::Serialize;
use std::collections::BTreeMap;

/// Longest text kept in a label or a tooltip before it is abbreviated.
const TOOLTIP_CHARS: usize = 400;

/// What the script needs about one operation (its slot in `ops` is its `data-op`).
#[derive(Serialize)]
pub(super) struct OpData {
    /// Index in the checked history.
    index: usize,
    /// Its key's slot in `keys`, and its lane in that key (by client).
    key: usize,
    lane: usize,
    client: u64,
    call: u64,
    ret: u64,
    kind: &'static str,
    /// Full, so the script can replay states.
    value: String,
    /// Versioned ops: a put's version argument or a get's returned version, and the err.
    version: Option<u64>,
    err: Option<&'static str>,
    label: String,
    output: String,
    meta: Option<crate::OpMeta>,
}

/// One key: its name, verdict, client lanes, and its partial linearizations in `ops` slots.
#[derive(Serialize)]
pub(super) struct KeyData {
    name: String,
    verdict: String,
    /// The client of each lane, in lane order.
    clients: Vec<u64>,
    /// Whether the checker kept partial linearizations for this key.
    partials: bool,
    /// [parent node or -1, op slot].
    nodes: Vec<(i64, usize)>,
    /// Per op slot of the key: the node ending its longest prefix, or -1.
    longest: BTreeMap<usize, i64>,
    /// For each prefix end (node id, "-1" for the empty prefix): the op slots that could come
    /// next in real time but are illegal in the state the prefix leaves.
    illegal_next: BTreeMap<i64, Vec<usize>>,
}

/// Where the linearization fails: the key, the end of its longest prefix, the ops that cannot
/// come next (highlighted), and the instant by which one of them had to be linearized.
#[derive(Serialize)]
pub(super) struct FirstError {
    key: usize,
    /// The node ending the key's longest linearizable prefix (-1: the empty prefix).
    node: i64,
    ops: Vec<usize>,
    time: u64,
}

/// The operations, grouped by key (sorted), each key's lanes by client.
pub(super) struct OpsPart {
    pub ops: Vec<OpData>,
    pub keys: Vec<KeyData>,
    pub first_error: Option<FirstError>,
}

pub(super) fn ops_part(ops: &[Operation], result: Option<&CheckResult>) -> OpsPart {
    let details: &[KeyDetail] = match result {
        Some(CheckResult::Illegal { keys, .. }) => keys,
        _ => &[],
    };
    let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        by_key.entry(op.input.key.as_str()).or_default().push(i);
    }
    let mut part = OpsPart {
        ops: Vec::with_capacity(ops.len()),
        keys: Vec::new(),
        first_error: None,
    };
    let mut slot = vec![usize::MAX; ops.len()];
    for (ki, (key, indices)) in by_key.iter().enumerate() {
        let mut clients: Vec<u64> = indices.iter().map(|&i| ops[i].client).collect();
        clients.sort_unstable();
        clients.dedup();
        for &i in indices {
            slot[i] = part.ops.len();
            let lane = clients.partition_point(|&c| c < ops[i].client);
            part.ops.push(op_data(&ops[i], i, ki, lane));
        }
        // Use the checker's detail when it matches these ops; otherwise show boxes only.
        let detail = details
            .iter()
            .find(|d| d.key == *key && d.ops.iter().all(|&o| o < ops.len()));
        let mut data = match detail {
            Some(d) => KeyData::from_detail(ops, d, &slot),
            None => KeyData::empty(),
        };
        data.name = key.to_string();
        data.verdict = key_verdict(result, key, detail);
        data.clients = clients;
        if let (Some(CheckResult::Illegal { key: bad, .. }), Some(d)) = (result, detail)
            && bad == key
        {
            part.first_error = Some(first_error(ops, d, ki, &data, &slot));
        }
        part.keys.push(data);
    }
    part
}

fn op_data(op: &Operation, index: usize, key: usize, lane: usize) -> OpData {
    OpData {
        index,
        key,
        lane,
        client: op.client,
        call: op.call,
        ret: op.ret.max(op.call),
        kind: op.input.op.name(),
        value: op.input.value.clone(),
        version: op.versioned.map(|v| v.version),
        err: op.versioned.map(|v| v.err.name()),
        label: label(op, TOOLTIP_CHARS),
        output: abbreviate(&op.output, TOOLTIP_CHARS),
        meta: op.meta.as_deref().cloned(),
    }
}

fn key_verdict(result: Option<&CheckResult>, key: &str, detail: Option<&KeyDetail>) -> String {
    if let Some(d) = detail {
        return match d.verdict {
            KeyVerdict::Linearizable => "linearizable".into(),
            KeyVerdict::NotLinearizable => "NOT linearizable".into(),
            KeyVerdict::Unknown => "unknown (budget exhausted)".into(),
        };
    }
    match result {
        Some(CheckResult::Ok { .. }) => "linearizable".into(),
        Some(CheckResult::Unknown { key: k, .. }) if k == key => {
            "unknown (budget exhausted)".into()
        }
        Some(_) => "not decided".into(),
        None => "not checked".into(),
    }
}

/// The failing key's deepest prefix, the ops that cannot follow it (or, if none is illegal in
/// itself, the op that had to come next by its return), and that op's deadline.
fn first_error(
    ops: &[Operation],
    d: &KeyDetail,
    ki: usize,
    data: &KeyData,
    slot: &[usize],
) -> FirstError {
    let node = d.partials.deepest();
    let node_id = node_id(node);
    let prefix: Vec<usize> = if node == Partials::NONE {
        Vec::new()
    } else {
        d.partials
            .path(node)
            .into_iter()
            .map(|l| d.ops[l as usize])
            .collect()
    };
    // The first op left to return: the prefix cannot be extended past its return.
    let stuck = d
        .ops
        .iter()
        .copied()
        .filter(|g| !prefix.contains(g))
        .min_by_key(|&g| (ops[g].ret.max(ops[g].call), g));
    let mut highlighted = data.illegal_next.get(&node_id).cloned().unwrap_or_default();
    if highlighted.is_empty()
        && let Some(g) = stuck
    {
        highlighted.push(slot[g]);
    }
    FirstError {
        key: ki,
        node: node_id,
        ops: highlighted,
        time: stuck.map_or(0, |g| ops[g].ret.max(ops[g].call)),
    }
}

fn node_id(node: u32) -> i64 {
    if node == Partials::NONE {
        -1
    } else {
        i64::from(node)
    }
}

impl KeyData {
    fn empty() -> Self {
        KeyData {
            name: String::new(),
            verdict: String::new(),
            clients: Vec::new(),
            partials: false,
            nodes: Vec::new(),
            longest: BTreeMap::new(),
            illegal_next: BTreeMap::new(),
        }
    }

    fn from_detail(ops: &[Operation], d: &KeyDetail, slot: &[usize]) -> Self {
        let p = &d.partials;
        let nodes = p
            .nodes
            .iter()
            .map(|&(parent, op)| (node_id(parent), slot[d.ops[op as usize]]))
            .collect();
        let mut longest = BTreeMap::new();
        let mut ends: Vec<u32> = vec![Partials::NONE];
        for (local, &node) in p.longest.iter().enumerate() {
            longest.insert(slot[d.ops[local]], node_id(node));
            if node != Partials::NONE {
                ends.push(node);
            }
        }
        ends.push(p.deepest());
        ends.sort_unstable();
        ends.dedup();
        let illegal_next = ends
            .into_iter()
            .map(|end| {
                let prefix = if end == Partials::NONE {
                    Vec::new()
                } else {
                    p.path(end)
                };
                let next = illegal_next(ops, d, &prefix);
                (node_id(end), next.into_iter().map(|g| slot[g]).collect())
            })
            .collect();
        KeyData {
            partials: true,
            nodes,
            longest,
            illegal_next,
            ..KeyData::empty()
        }
    }
}

/// The ops of key `d` (history indices) that real time allows right after `prefix` (local
/// indices) but that the model rejects in the state it leaves.
fn illegal_next(ops: &[Operation], d: &KeyDetail, prefix: &[u32]) -> Vec<usize> {
    if d.ops.iter().any(|&g| ops[g].versioned.is_some()) {
        illegal_next_in(ops, d, prefix, versioned::step)
    } else {
        illegal_next_in(ops, d, prefix, |state: &String, op: &Operation| {
            step(state, &op.input, &op.output)
        })
    }
}

/// [`illegal_next`] under the model whose step is `step`, from its default state.
fn illegal_next_in<S: Default>(
    ops: &[Operation],
    d: &KeyDetail,
    prefix: &[u32],
    step: impl Fn(&S, &Operation) -> Option<S>,
) -> Vec<usize> {
    let mut state = S::default();
    let mut taken = vec![false; d.ops.len()];
    for &local in prefix {
        let op = &ops[d.ops[local as usize]];
        state = step(&state, op).unwrap_or_default();
        taken[local as usize] = true;
    }
    let remaining = || {
        (0..d.ops.len())
            .filter(|&l| !taken[l])
            .map(|l| &ops[d.ops[l]])
    };
    let Some(first_return) = remaining().map(|o| o.ret.max(o.call)).min() else {
        return Vec::new();
    };
    (0..d.ops.len())
        .filter(|&l| !taken[l])
        .map(|l| d.ops[l])
        .filter(|&g| ops[g].call <= first_return)
        .filter(|&g| step(&state, &ops[g]).is_none())
        .collect()
}
