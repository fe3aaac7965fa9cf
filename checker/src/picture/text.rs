//! Text for the page: abbreviated labels, and escaping for HTML and for JSON inside a script.

use crate::history::Operation;
use serde::Serialize;

/// [`Operation::describe`], long strings abbreviated.
pub(super) fn label(op: &Operation, max: usize) -> String {
    op.describe_with(|s| abbreviate(s, max))
}

/// `s`, or its start and end around a note of how long it is.
pub(super) fn abbreviate(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max / 4).collect();
    let tail: String = s.chars().skip(n - (max - max / 4)).collect();
    format!("{head}…[{n} chars]…{tail}")
}

/// Text for HTML element content and double- or single-quoted attributes.
pub(super) fn escape(s: &str) -> String {
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
pub(super) fn json_for_script<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}
