//! Function bodies of Rust source, found with a small lexer (strings, chars, lifetimes and comments
//! are skipped, so their braces do not count), and compared whitespace- and comment-blind: what
//! the skeleton check needs to tell whether a reference body was copied.

/// A function's name and its body (the text between its braces), normalized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    pub name: String,
    pub text: String,
}

/// Bodies shorter than this (normalized) are idioms any code may share (`self.n`, a lock helper).
pub const MIN_BODY_CHARS: usize = 100;

/// Every function body in `source` at least [`MIN_BODY_CHARS`] long after normalizing.
pub fn bodies(source: &str) -> Vec<Body> {
    let code = strip_comments(source);
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(at) = find_fn(&code, i) {
        let name: String = code[at + 3..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The body opens at the first `{` outside parentheses and angle-free of `;` (a trait
        // method without a body ends at `;`).
        let mut j = at + 3;
        let mut parens = 0i32;
        let open = loop {
            match bytes.get(j) {
                None => break None,
                Some(b'(') => parens += 1,
                Some(b')') => parens -= 1,
                Some(b';') if parens == 0 => break None,
                Some(b'{') if parens == 0 => break Some(j),
                _ => {}
            }
            j += 1;
        };
        let Some(open) = open else {
            i = at + 3;
            continue;
        };
        let Some(close) = matching_brace(bytes, open) else {
            break;
        };
        let text = normalize(&code[open + 1..close]);
        if text.len() >= MIN_BODY_CHARS {
            out.push(Body { name, text });
        }
        // Nested functions are part of their parent's body and are found inside it too.
        i = open + 1;
    }
    out
}

/// `text` with comments removed and every run of whitespace made one space (none at the ends).
pub fn normalize(text: &str) -> String {
    strip_comments(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The next `fn` keyword at or after `from` (a whole word).
fn find_fn(code: &str, from: usize) -> Option<usize> {
    let bytes = code.as_bytes();
    let mut start = from;
    while let Some(off) = code.get(start..)?.find("fn") {
        let at = start + off;
        let before = at.checked_sub(1).map(|k| bytes[k]);
        let after = bytes.get(at + 2).copied();
        let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !word(before) && after.is_some_and(|b| b.is_ascii_whitespace()) {
            return Some(at);
        }
        start = at + 2;
    }
    None
}

/// The index of the `}` closing the `{` at `open`, skipping string and char literals.
fn matching_brace(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut k = open;
    while k < bytes.len() {
        match bytes[k] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            b'"' => k = skip_string(bytes, k),
            b'\'' => k = skip_char(bytes, k),
            _ => {}
        }
        k += 1;
    }
    None
}

/// From an opening `"`, the index of its closing `"`.
fn skip_string(bytes: &[u8], open: usize) -> usize {
    let mut k = open + 1;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 1,
            b'"' => return k,
            _ => {}
        }
        k += 1;
    }
    k
}

/// From a `'`, past a char literal (`'{'`, `'\''`); a lifetime (`'a`) is left as it is.
fn skip_char(bytes: &[u8], open: usize) -> usize {
    match (
        bytes.get(open + 1),
        bytes.get(open + 2),
        bytes.get(open + 3),
    ) {
        (Some(b'\\'), _, _) => {
            let mut k = open + 2;
            while k < bytes.len() && bytes[k] != b'\'' {
                k += 1;
            }
            k
        }
        (Some(_), Some(b'\''), _) => open + 2,
        _ => open,
    }
}

/// `source` with `//` and `/* */` comments blanked out (string contents are kept).
fn strip_comments(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut k = 0;
    while k < bytes.len() {
        match (bytes[k], bytes.get(k + 1)) {
            (b'/', Some(b'/')) => {
                while k < bytes.len() && bytes[k] != b'\n' {
                    k += 1;
                }
                continue;
            }
            (b'/', Some(b'*')) => {
                k += 2;
                while k + 1 < bytes.len() && !(bytes[k] == b'*' && bytes[k + 1] == b'/') {
                    k += 1;
                }
                k += 2;
                out.push(b' ');
                continue;
            }
            (b'"', _) => {
                let end = skip_string(bytes, k).min(bytes.len() - 1);
                out.extend_from_slice(&bytes[k..=end]);
                k = end + 1;
                continue;
            }
            (b, _) => out.push(b),
        }
        k += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"
impl Thing {
    /// Docs { with a brace
    pub fn long_one(&self, x: u64) -> Option<(u64, u64)> {
        // a comment with a } brace
        let s = "a string with } and { braces";
        let c = '}';
        let total = self.items.iter().map(|i| i.weight * x).sum::<u64>() + s.len() as u64;
        Some((total, c as u64))
    }

    fn short(&self) -> u64 { self.n }

    fn declared_only(&self) -> u64;
}
"#;

    #[test]
    fn finds_long_bodies_and_skips_short_ones_and_declarations() {
        let found = bodies(SOURCE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].name, "long_one");
        assert!(
            found[0]
                .text
                .starts_with("let s = \"a string with } and { braces\";")
        );
        assert!(found[0].text.ends_with("Some((total, c as u64))"));
    }

    #[test]
    fn a_body_is_found_in_code_that_differs_only_in_layout_and_comments() {
        let body = &bodies(SOURCE)[0];
        let reformatted = SOURCE
            .replace("        ", "\t")
            .replace("// a comment with a } brace", "/* another */");
        assert!(normalize(&reformatted).contains(&body.text));
        let changed = SOURCE.replace("i.weight * x", "i.weight + x");
        assert!(!normalize(&changed).contains(&body.text));
    }
}
