//! A self-contained HTML page showing a checked history (docs/lab-tests-2023.md §5, "Visualization").
//!
//! One section per key, one lane per client, each operation a box from its call to its return.
//! Time is compressed: every distinct call or return instant of a key is one column, so short
//! operations stay visible. The boxes are static SVG; a little inline script adds, on hover or
//! click, the longest partial linearization through an operation (grey marks, the state after each
//! step in their tooltips) and the operations that could come next but would be illegal (red).
//! No external resources; every string from the history is escaped (HTML text, or JSON read by
//! the script and inserted as text).

use super::check::{CheckResult, KeyDetail};
use super::history::{History, Operation};
use super::model::step;
use super::search::Partials;
use super::versioned;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

/// Width of one time column, lane height and box height, in pixels.
const COLUMN: u64 = 18;
const LANE: u64 = 28;
const BOX: u64 = 20;
const MARGIN: u64 = 8;
/// Longest text shown in a box label and in tooltips before it is abbreviated.
const LABEL_CHARS: usize = 48;
const TOOLTIP_CHARS: usize = 400;

/// Writes the visualization of `result` (a check of `history`'s current operations) to `path`.
pub fn write_html(history: &History, result: &CheckResult, path: &Path) -> io::Result<()> {
    std::fs::write(path, history.with_ops(|ops| render_html(ops, result)))
}

/// `<temp dir>/raft-lab-<label>.html`, with the label reduced to `[A-Za-z0-9_-]`.
pub fn html_path(label: &str) -> PathBuf {
    let safe: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    std::env::temp_dir().join(format!("raft-lab-{safe}.html"))
}

/// Writes the visualization to [`html_path`]`(label)` and returns that path.
pub fn write_html_temp(
    history: &History,
    result: &CheckResult,
    label: &str,
) -> io::Result<PathBuf> {
    let path = html_path(label);
    write_html(history, result, &path)?;
    Ok(path)
}

/// The page for `result`, a check of exactly `ops` (its indices refer to them).
pub fn render_html(ops: &[Operation], result: &CheckResult) -> String {
    let details: &[KeyDetail] = match result {
        CheckResult::Illegal { keys, .. } => keys,
        _ => &[],
    };
    let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        by_key.entry(op.input.key.as_str()).or_default().push(i);
    }
    let mut page = String::new();
    let mut data = PageData {
        versioned: ops.iter().any(|o| o.versioned.is_some()),
        ops: Vec::new(),
        keys: Vec::new(),
        first_error: None,
    };
    let mut op_slot = vec![usize::MAX; ops.len()];
    let mut sections = String::new();
    for (ki, (key, indices)) in by_key.iter().enumerate() {
        // Use the checker's detail when it matches these ops; otherwise draw boxes only.
        let detail = details
            .iter()
            .find(|d| d.key == *key && d.ops.iter().all(|&o| o < ops.len()));
        let layout = Layout::new(ops, indices);
        for &i in indices {
            op_slot[i] = data.ops.len();
            data.ops.push(layout.op_data(ops, i, ki));
        }
        let verdict = key_verdict(result, key, detail);
        let key_data =
            detail.map_or_else(KeyData::empty, |d| KeyData::from_detail(ops, d, &op_slot));
        if let (CheckResult::Illegal { key: bad, .. }, Some(d)) = (result, detail)
            && bad == key
        {
            data.first_error = Some(FirstError {
                key: ki,
                node: node_id(d.partials.deepest()),
            });
        }
        data.keys.push(key_data);
        section(
            &mut sections,
            ki,
            key,
            &verdict,
            ops,
            indices,
            &layout,
            &op_slot,
        );
    }

    let summary = escape(&result.to_string());
    let title = match result {
        CheckResult::Ok { .. } => "linearizable",
        CheckResult::Illegal { .. } => "NOT linearizable",
        CheckResult::Unknown { .. } => "unknown (budget exhausted)",
    };
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>raft-lab history: {title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>raft-lab history: {title}</h1>\n<p class=\"summary\">{summary}</p>\n"
    );
    if data.first_error.is_some() {
        page.push_str("<p><a href=\"#\" id=\"jump\">Jump to first error</a></p>\n");
    }
    let _ = writeln!(
        page,
        "<p class=\"help\">{} operations on {} keys. One lane per client; each box runs from an \
         operation's call to its return, with time compressed so that every distinct call or \
         return instant is one column (touching boxes overlap in time). Hover over an operation \
         to see the longest partial linearization through it; click to keep it. Grey marks: \
         valid linearization points, in order, with the state after each step in their tooltip. \
         Red marks: operations that could come next but would be illegal.</p>",
        ops.len(),
        by_key.len()
    );
    page.push_str(&sections);
    page.push_str("<script type=\"application/json\" id=\"lin-data\">");
    page.push_str(&json_for_script(&data));
    page.push_str("</script>\n<script>");
    page.push_str(SCRIPT);
    page.push_str("</script>\n</body>\n</html>\n");
    page
}

fn key_verdict(result: &CheckResult, key: &str, detail: Option<&KeyDetail>) -> String {
    use super::search::KeyVerdict;
    if let Some(d) = detail {
        return match d.verdict {
            KeyVerdict::Linearizable => "linearizable".into(),
            KeyVerdict::NotLinearizable => "NOT linearizable".into(),
            KeyVerdict::Unknown => "unknown (budget exhausted)".into(),
        };
    }
    match result {
        CheckResult::Ok { .. } => "linearizable".into(),
        CheckResult::Unknown { key: k, .. } if k == key => "unknown (budget exhausted)".into(),
        _ => "not decided".into(),
    }
}

/// Horizontal and vertical placement of one key's operations.
struct Layout {
    /// Distinct call/return instants, sorted.
    times: Vec<u64>,
    /// Client ids with a lane, sorted.
    clients: Vec<u64>,
}

impl Layout {
    fn new(ops: &[Operation], indices: &[usize]) -> Self {
        let mut times: Vec<u64> = indices
            .iter()
            .flat_map(|&i| [ops[i].call, ops[i].ret.max(ops[i].call)])
            .collect();
        times.sort_unstable();
        times.dedup();
        let mut clients: Vec<u64> = indices.iter().map(|&i| ops[i].client).collect();
        clients.sort_unstable();
        clients.dedup();
        Layout { times, clients }
    }

    fn x(&self, t: u64) -> u64 {
        MARGIN + self.times.partition_point(|&u| u < t) as u64 * COLUMN
    }

    fn lane(&self, client: u64) -> u64 {
        self.clients.partition_point(|&c| c < client) as u64
    }

    fn width(&self) -> u64 {
        2 * MARGIN + self.times.len() as u64 * COLUMN
    }

    fn height(&self) -> u64 {
        self.clients.len() as u64 * LANE + 2 * MARGIN
    }

    /// The box of op `i`: x from, x to, y top.
    fn place(&self, op: &Operation) -> (u64, u64, u64) {
        let x0 = self.x(op.call);
        let x1 = self.x(op.ret.max(op.call)) + COLUMN / 2;
        let y = MARGIN + self.lane(op.client) * LANE + (LANE - BOX) / 2;
        (x0, x1, y)
    }

    fn op_data(&self, ops: &[Operation], i: usize, key: usize) -> OpData {
        let op = &ops[i];
        let (x0, x1, y) = self.place(op);
        OpData {
            index: i,
            key,
            kind: op.input.op.name(),
            value: op.input.value.clone(),
            version: op.versioned.map(|v| v.version),
            err: op.versioned.map(|v| v.err.name()),
            label: label(op, TOOLTIP_CHARS),
            output: abbreviate(&op.output, TOOLTIP_CHARS),
            x0,
            x1,
            y,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn section(
    out: &mut String,
    ki: usize,
    key: &str,
    verdict: &str,
    ops: &[Operation],
    indices: &[usize],
    layout: &Layout,
    op_slot: &[usize],
) {
    let _ = write!(
        out,
        "<section id=\"key-{ki}\" class=\"key\">\n<h2>key '{}' — {} ({} operations)</h2>\n\
         <div class=\"lanes\">\n<svg class=\"clients\" width=\"90\" height=\"{h}\">",
        escape(&abbreviate(key, LABEL_CHARS)),
        escape(verdict),
        indices.len(),
        h = layout.height(),
    );
    for (lane, client) in layout.clients.iter().enumerate() {
        let y = MARGIN + lane as u64 * LANE + LANE / 2 + 4;
        let _ = write!(out, "<text x=\"4\" y=\"{y}\">client {client}</text>");
    }
    let _ = write!(
        out,
        "</svg>\n<div class=\"scroll\"><svg class=\"timeline\" width=\"{}\" height=\"{}\">",
        layout.width(),
        layout.height()
    );
    for lane in 0..layout.clients.len() as u64 {
        let y = MARGIN + lane * LANE + LANE / 2;
        let _ = write!(
            out,
            "<line class=\"lane\" x1=\"0\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/>",
            layout.width()
        );
    }
    for &i in indices {
        let op = &ops[i];
        let (x0, x1, y) = layout.place(op);
        let w = (x1 - x0).saturating_sub(2).max(4);
        let _ = write!(
            out,
            "<g class=\"op\" data-op=\"{slot}\"><title>{tip}\nclient {c}, call {call} ns, return \
             {ret} ns</title><rect x=\"{rx}\" y=\"{y}\" width=\"{w}\" height=\"{BOX}\" rx=\"3\"/>\
             <svg x=\"{rx}\" y=\"{y}\" width=\"{w}\" height=\"{BOX}\"><text x=\"3\" y=\"14\">{text}\
             </text></svg></g>",
            slot = op_slot[i],
            tip = escape(&label(op, TOOLTIP_CHARS)),
            c = op.client,
            call = op.call,
            ret = op.ret,
            rx = x0 + 1,
            text = escape(&label(op, LABEL_CHARS)),
        );
    }
    let _ = write!(
        out,
        "<g class=\"marks\" id=\"marks-{ki}\"></g></svg></div>\n</div>\n\
         <div class=\"info\" id=\"info-{ki}\"></div>\n</section>\n"
    );
}

/// [`Operation::describe`], long strings abbreviated.
fn label(op: &Operation, max: usize) -> String {
    op.describe_with(|s| abbreviate(s, max))
}

/// `s`, or its start and end around a note of how long it is.
fn abbreviate(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max / 4).collect();
    let tail: String = s.chars().skip(n - (max - max / 4)).collect();
    format!("{head}…[{n} chars]…{tail}")
}

/// Text for HTML element content and double- or single-quoted attributes.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// JSON that is safe inside a `<script>` element: `<`, `>` and `&` only occur inside JSON
/// strings, where their \u escapes mean the same.
fn json_for_script<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn node_id(node: u32) -> i64 {
    if node == Partials::NONE {
        -1
    } else {
        i64::from(node)
    }
}

#[derive(Serialize)]
struct PageData {
    /// States are (value, version) pairs (the versioned model), not strings.
    versioned: bool,
    ops: Vec<OpData>,
    keys: Vec<KeyData>,
    first_error: Option<FirstError>,
}

#[derive(Serialize)]
struct FirstError {
    key: usize,
    /// The node ending the key's longest linearizable prefix (-1: the empty prefix).
    node: i64,
}

/// What the script needs about one operation (`ops` slot = `data-op` of its box).
#[derive(Serialize)]
struct OpData {
    /// Index in the checked history.
    index: usize,
    key: usize,
    kind: &'static str,
    /// Full, so the script can replay states.
    value: String,
    /// Versioned ops: a put's version argument or a get's returned version, and the err.
    version: Option<u64>,
    err: Option<&'static str>,
    label: String,
    output: String,
    x0: u64,
    x1: u64,
    y: u64,
}

/// One key's partial linearizations, as a tree of prefixes, in `ops` slots.
#[derive(Serialize)]
struct KeyData {
    /// Whether the checker kept partial linearizations for this key.
    partials: bool,
    /// [parent node or -1, op slot].
    nodes: Vec<(i64, usize)>,
    /// Per op of the key, in key order: the node ending its longest prefix, or -1.
    longest: BTreeMap<usize, i64>,
    /// For each prefix end (node id, "-1" for the empty prefix): the op slots that could come
    /// next in real time but are illegal in the state the prefix leaves.
    illegal_next: BTreeMap<i64, Vec<usize>>,
}

impl KeyData {
    fn empty() -> Self {
        KeyData {
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

const STYLE: &str = r#"
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin: 1.2em 0 .3em; }
.summary { font-weight: bold; } .help { color: #555; max-width: 60em; }
.lanes { display: flex; border: 1px solid #ccc; }
.clients { flex: none; background: #f6f6f6; font-size: 12px; }
.scroll { overflow-x: auto; flex: auto; }
.lane { stroke: #eee; }
.op rect { fill: #dbe6f5; stroke: #5b7fb5; stroke-width: 1; cursor: pointer; }
.op text { font: 11px monospace; pointer-events: none; }
.op.in-lp rect { fill: #d6d6d6; stroke: #777; }
.op.illegal rect { fill: #f7d4d4; stroke: #c22; }
.op.selected rect { stroke: #000; stroke-width: 2.5; }
.lp line { stroke: #555; stroke-width: 2; } .lp circle { fill: #555; }
.lp text, .bad text { font: bold 9px sans-serif; fill: #fff; pointer-events: none; }
.bad line { stroke: #c22; stroke-width: 2; } .bad circle { fill: #c22; }
.info { font: 12px monospace; white-space: pre-wrap; margin: .4em 0; max-height: 16em;
        overflow-y: auto; background: #fafafa; border: 1px solid #eee; padding: .3em; }
.info:empty { display: none; }
"#;

const SCRIPT: &str = r#"
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('lin-data').textContent);
  const NS = 'http://www.w3.org/2000/svg';
  const boxes = new Map();
  document.querySelectorAll('g.op').forEach(function (g) {
    boxes.set(Number(g.dataset.op), g);
  });
  let pinned = null;

  function abbrev(s, max) {
    const chars = Array.from(s);
    if (chars.length <= max) return s;
    const head = Math.floor(max / 4);
    return chars.slice(0, head).join('') + '…[' + chars.length + ' chars]…' +
      chars.slice(chars.length - (max - head)).join('');
  }
  // A versioned state is {value, version}; a put applies where the versions match (only legal
  // steps are replayed, so an OK or ErrMaybe put there took effect).
  function initial() { return data.versioned ? { value: '', version: 0 } : ''; }
  function apply(state, op) {
    if (data.versioned) {
      if (op.kind === 'put' && op.version === state.version) {
        return { value: op.value, version: state.version + 1 };
      }
      return state;
    }
    if (op.kind === 'put') return op.value;
    if (op.kind === 'append') return state + op.value;
    return state;
  }
  function describe(state, max) {
    if (data.versioned) return '(\'' + abbrev(state.value, max) + '\', ' + state.version + ')';
    return '\'' + abbrev(state, max) + '\'';
  }
  function path(key, node) {
    const out = [];
    while (node >= 0) { out.push(key.nodes[node][1]); node = key.nodes[node][0]; }
    return out.reverse();
  }
  function mark(layer, cls, x, op, text, tip) {
    const g = document.createElementNS(NS, 'g');
    g.setAttribute('class', cls);
    const line = document.createElementNS(NS, 'line');
    line.setAttribute('x1', x); line.setAttribute('x2', x);
    line.setAttribute('y1', op.y - 3); line.setAttribute('y2', op.y + 23);
    const dot = document.createElementNS(NS, 'circle');
    dot.setAttribute('cx', x); dot.setAttribute('cy', op.y - 4); dot.setAttribute('r', 6);
    const label = document.createElementNS(NS, 'text');
    label.setAttribute('x', x); label.setAttribute('y', op.y - 1);
    label.setAttribute('text-anchor', 'middle');
    label.textContent = text;
    const title = document.createElementNS(NS, 'title');
    title.textContent = tip;
    g.append(title, line, dot, label);
    layer.appendChild(g);
    return g;
  }
  function clear() {
    document.querySelectorAll('g.marks').forEach(function (l) { l.replaceChildren(); });
    document.querySelectorAll('.info').forEach(function (i) { i.textContent = ''; });
    boxes.forEach(function (g) { g.classList.remove('in-lp', 'illegal', 'selected'); });
  }
  // Shows the prefix ending at `node` of key `ki` (-1: empty), selecting op slot `sel`.
  function show(ki, node, sel) {
    clear();
    const key = data.keys[ki];
    const info = document.getElementById('info-' + ki);
    const layer = document.getElementById('marks-' + ki);
    const lines = [];
    if (sel !== null) {
      boxes.get(sel).classList.add('selected');
      lines.push('Selected: ' + data.ops[sel].label);
    }
    if (!key.partials) {
      lines.push('The checker kept no partial linearizations for this key.');
      info.textContent = lines.join('\n');
      return null;
    }
    if (node === null) {
      lines.push('No linearizable prefix found contains this operation.');
      info.textContent = lines.join('\n');
      return null;
    }
    const ops = path(key, node);
    lines.push('Longest linearizable prefix found through it: ' + ops.length + ' operations.');
    let state = initial();
    let x = -Infinity;
    let first = null;
    ops.forEach(function (slot, i) {
      const op = data.ops[slot];
      state = apply(state, op);
      x = Math.min(Math.max(x + 3, op.x0 + 4), op.x1 - 2);
      const tip = 'step ' + (i + 1) + ': ' + op.label + '\nstate after: ' + describe(state, 400);
      const m = mark(layer, 'lp', x, op, String(i + 1), tip);
      if (first === null) first = m;
      boxes.get(slot).classList.add('in-lp');
      lines.push((i + 1) + '. ' + op.label + '  =>  ' + describe(state, 120));
    });
    const bad = key.illegal_next[String(node)] || [];
    let firstBad = null;
    bad.forEach(function (slot) {
      const op = data.ops[slot];
      const bx = Math.min(Math.max(x + 3, op.x0 + 4), op.x1 - 2);
      const tip = 'cannot come next: ' + op.label + '\nthe state is ' + describe(state, 400);
      const m = mark(layer, 'bad', bx, op, '✗', tip);
      if (firstBad === null) firstBad = m;
      boxes.get(slot).classList.add('illegal');
      lines.push('✗ could come next but is illegal: ' + op.label);
    });
    info.textContent = lines.join('\n');
    return firstBad || first;
  }
  function showOp(slot) {
    const op = data.ops[slot];
    const node = data.keys[op.key].longest[String(slot)];
    show(op.key, node === undefined || node < 0 ? null : node, slot);
  }
  function restore() {
    if (pinned === null) clear(); else showOp(pinned);
  }
  boxes.forEach(function (g, slot) {
    g.addEventListener('mouseenter', function () { showOp(slot); });
    g.addEventListener('mouseleave', restore);
    g.addEventListener('click', function () {
      pinned = pinned === slot ? null : slot;
      restore();
    });
  });
  const jump = document.getElementById('jump');
  if (jump && data.first_error) {
    jump.addEventListener('click', function (e) {
      e.preventDefault();
      const fe = data.first_error;
      const key = data.keys[fe.key];
      const sel = fe.node >= 0 ? key.nodes[fe.node][1] : null;
      pinned = sel;
      const target = show(fe.key, fe.node, sel);
      const section = document.getElementById('key-' + fe.key);
      (target || section).scrollIntoView({ block: 'center', inline: 'center' });
    });
  }
})();
"#;
