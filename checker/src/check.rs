//! Checking a whole history: split by key, search each key, combine the verdicts.

use super::history::{History, Operation};
use super::search::{KeyVerdict, Partials, search};
use super::versioned;
use std::collections::BTreeMap;
use std::fmt;

/// How much search the checker may do: at most `max_steps` steps for the whole history, its keys
/// searched in order. A step's work is bounded (see the search), so this bounds the check's time
/// and memory; counting steps instead of measuring time keeps the checker deterministic, inside
/// the simulation or not. Drawing the picture of a failure reruns the searched keys with what
/// they used, so a failing check costs at most about twice its budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub max_steps: u64,
}

impl Budget {
    /// Far above what correct histories of the KV lab tests need: 6000 operations of 15
    /// concurrent clients on 15 keys take about 50 000 steps; even 3000 operations of 15 clients
    /// that all hit one key without pause take about 3 million. Running out costs a few seconds
    /// of CPU and well under a gigabyte of memo.
    pub const DEFAULT: Budget = Budget {
        max_steps: 10_000_000,
    };
}

impl Default for Budget {
    fn default() -> Self {
        Budget::DEFAULT
    }
}

/// The verdict on a history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckResult {
    /// Every key is linearizable; `steps` is the total search effort.
    Ok { steps: u64 },
    /// `key` (the first such key in sorted order) has no linearization. `longest_prefix` is the
    /// longest linearizable prefix the search found on it, as indices into the checked operations;
    /// `keys` holds, for every key, each op's longest partial linearization (for the HTML view).
    Illegal {
        key: String,
        longest_prefix: Vec<usize>,
        steps: u64,
        keys: Vec<KeyDetail>,
    },
    /// No key was proven non-linearizable, but `key` ran out of budget after `steps` steps. This is
    /// not a pass: the history was not checked.
    Unknown { key: String, steps: u64 },
}

impl CheckResult {
    pub fn is_ok(&self) -> bool {
        matches!(self, CheckResult::Ok { .. })
    }
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckResult::Ok { steps } => write!(f, "linearizable ({steps} search steps)"),
            CheckResult::Illegal {
                key,
                longest_prefix,
                keys,
                ..
            } => {
                let total = keys
                    .iter()
                    .find(|d| &d.key == key)
                    .map_or(0, |d| d.ops.len());
                write!(
                    f,
                    "not linearizable: key {key:?} has no linearization; its longest linearizable \
                     prefix covers {} of its {total} operations",
                    longest_prefix.len()
                )
            }
            CheckResult::Unknown { key, steps } => write!(
                f,
                "linearizability unknown: the search budget ran out on key {key:?} after {steps} \
                 steps (not a pass; raise the budget to decide)"
            ),
        }
    }
}

/// The verbose result for one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyDetail {
    pub key: String,
    pub verdict: KeyVerdict,
    pub steps: u64,
    /// The key's operations (indices into the checked operations), in call order.
    pub ops: Vec<usize>,
    pub(crate) partials: Partials,
}

impl KeyDetail {
    /// The longest linearizable prefix found that contains operation `op` (an index into the
    /// checked operations), in linearization order; `None` if no prefix contains it.
    pub fn longest_through(&self, op: usize) -> Option<Vec<usize>> {
        let local = self.ops.iter().position(|&o| o == op)?;
        let node = self.partials.longest[local];
        (node != Partials::NONE).then(|| self.global(self.partials.path(node)))
    }

    fn global(&self, local: Vec<u32>) -> Vec<usize> {
        local.into_iter().map(|l| self.ops[l as usize]).collect()
    }
}

/// Checks the operations recorded so far in `history`.
pub fn check(history: &History, budget: Budget) -> CheckResult {
    history.with_ops(|ops| check_ops(ops, budget))
}

/// Checks a list of operations; result indices refer to positions in `ops`.
///
/// A history with any versioned operation is checked by the versioned model
/// ([`crate::versioned`]), in which an operation that is not versioned is never legal; any other
/// history by the 2023 KV model ([`crate::model`]).
pub fn check_ops(ops: &[Operation], budget: Budget) -> CheckResult {
    let search = if ops.iter().any(|o| o.versioned.is_some()) {
        versioned::search::search
    } else {
        search
    };
    let keys = split_by_key(ops);
    let mut steps = 0;
    let mut first_unknown = None;
    let mut first_illegal = None;
    // Per key, the steps it took, or None if the budget was gone before it.
    let mut spent: BTreeMap<&str, u64> = BTreeMap::new();
    // Smallest keys first: one hot key that exhausts the budget leaves the others checked.
    let mut order: Vec<(&&str, &Vec<usize>)> = keys.iter().collect();
    order.sort_by_key(|(key, indices)| (indices.len(), **key));
    for (key, indices) in order {
        let left = budget.max_steps.saturating_sub(steps);
        if left == 0 && first_unknown.is_some() {
            break;
        }
        let local: Vec<&Operation> = indices.iter().map(|&i| &ops[i]).collect();
        let found = search(&local, left, false);
        steps += found.steps;
        spent.insert(key, found.steps);
        match found.verdict {
            KeyVerdict::Linearizable => {}
            KeyVerdict::NotLinearizable => {
                first_illegal = Some(first_illegal.map_or(*key, |k: &str| k.min(*key)));
            }
            KeyVerdict::Unknown => {
                first_unknown.get_or_insert((*key, found.steps));
            }
        }
    }
    if let Some(bad) = first_illegal {
        // Run every searched key again, keeping partial linearizations for the report and the
        // picture. The search is deterministic, so with the steps it took each rerun reaches the
        // same verdict in the same steps.
        let details: Vec<KeyDetail> = keys
            .iter()
            .filter_map(|(key, indices)| Some((key, indices, *spent.get(key)?)))
            .map(|(key, indices, used)| {
                let local: Vec<&Operation> = indices.iter().map(|&i| &ops[i]).collect();
                let found = search(&local, used, true);
                KeyDetail {
                    key: key.to_string(),
                    verdict: found.verdict,
                    steps: found.steps,
                    ops: indices.clone(),
                    partials: found.partials.unwrap_or_default(),
                }
            })
            .collect();
        let detail = details.iter().find(|d| d.key == bad);
        let longest_prefix = detail.map_or_else(Vec::new, |d| {
            d.global(d.partials.path(d.partials.deepest()))
        });
        return CheckResult::Illegal {
            key: bad.to_string(),
            longest_prefix,
            steps,
            keys: details,
        };
    }
    if let Some((key, steps)) = first_unknown {
        return CheckResult::Unknown {
            key: key.to_string(),
            steps,
        };
    }
    CheckResult::Ok { steps }
}

/// Each key's operations, keys sorted, ops in call order (ties kept in recording order).
pub(crate) fn split_by_key(ops: &[Operation]) -> BTreeMap<&str, Vec<usize>> {
    let mut keys: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        keys.entry(op.input.key.as_str()).or_default().push(i);
    }
    for indices in keys.values_mut() {
        indices.sort_by_key(|&i| (ops[i].call, i));
    }
    keys
}
