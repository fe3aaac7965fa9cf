//! checkClntAppends (docs/lab-tests-2023.md §4, step 6): each "x clnt j y" for j < count appears in a
//! value exactly once, and in increasing order of j.
//!
//! The Go tester searches the value twice per element (first and last index), which is quadratic in
//! the number of appends; a client of a five-second round appends thousands. This finds every
//! element in one scan and reports the same first failure the Go check would.

/// Why `v` fails checkClntAppends for client `clnt` and `count` appends, or `None` if it passes.
pub fn clnt_appends_error(clnt: usize, v: &str, count: usize) -> Option<String> {
    // Every element starts with `prefix`. 'x' occurs in it only at its start, so two of its
    // matches cannot overlap, and one left-to-right scan finds them all.
    let prefix = format!("x {clnt} ");
    let mut first: Vec<Option<usize>> = vec![None; count];
    let mut seen = vec![0u32; count];
    for (at, _) in v.match_indices(&prefix) {
        if let Some(j) = element_at(&v[at + prefix.len()..]).filter(|&j| j < count) {
            first[j].get_or_insert(at);
            seen[j] += 1;
        }
    }
    first_failure(clnt, v, count, |j| (first[j], seen[j] > 1))
}

/// The Go check's verdict, given for each element j its first offset in `v` (if any) and whether
/// it occurs again.
fn first_failure(
    clnt: usize,
    v: &str,
    count: usize,
    occurrences: impl Fn(usize) -> (Option<usize>, bool),
) -> Option<String> {
    let mut last_off = None;
    for j in 0..count {
        let wanted = format!("x {clnt} {j} y");
        let (first, repeated) = occurrences(j);
        let Some(off) = first else {
            return Some(format!(
                "{clnt} missing element {wanted:?} in Append result {v:?}"
            ));
        };
        if repeated {
            return Some(format!("duplicate element {wanted:?} in Append result"));
        }
        if last_off.is_some_and(|last| off <= last) {
            return Some(format!(
                "wrong order for element {wanted:?} in Append result"
            ));
        }
        last_off = Some(off);
    }
    None
}

/// `j` if `rest` starts with "j y" written as `format!("{j}")` would (no sign, no leading zeros).
fn element_at(rest: &str) -> Option<usize> {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let number = &rest[..digits];
    let canonical = digits == 1 || (digits > 1 && !number.starts_with('0'));
    if !canonical || !rest[digits..].starts_with(" y") {
        return None;
    }
    number.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The Go tester's check as written: first and last index of each element, searched anew.
    fn go_check(clnt: usize, v: &str, count: usize) -> Option<String> {
        first_failure(clnt, v, count, |j| {
            let wanted = format!("x {clnt} {j} y");
            let first = v.find(&wanted);
            (first, first.is_some() && v.rfind(&wanted) != first)
        })
    }

    #[test]
    fn a_clean_value_passes_and_each_fault_is_named() {
        let v: String = (0..12).map(|j| format!("x 3 {j} y")).collect();
        assert_eq!(clnt_appends_error(3, &v, 12), None);
        assert!(clnt_appends_error(3, &v, 13).unwrap().contains("missing"));
        let dup = format!("{v}x 3 4 y");
        assert!(
            clnt_appends_error(3, &dup, 12)
                .unwrap()
                .contains("duplicate")
        );
        let swapped = "x 3 1 yx 3 0 y";
        assert!(clnt_appends_error(3, swapped, 2).unwrap().contains("order"));
        assert!(
            clnt_appends_error(3, "x 3 01 y", 2)
                .unwrap()
                .contains("missing"),
            "01 is not element 1"
        );
    }

    proptest! {
        #[test]
        fn agrees_with_the_go_check(
            clnt in 0usize..3,
            count in 0usize..5,
            v in "[x y0123]{0,40}",
        ) {
            prop_assert_eq!(clnt_appends_error(clnt, &v, count), go_check(clnt, &v, count));
        }

        #[test]
        fn agrees_with_the_go_check_on_near_valid_values(
            clnt in 0usize..3,
            count in 0usize..13,
            order in proptest::collection::vec((0usize..14, 0usize..3), 0..16),
        ) {
            // Elements of this and other clients, some repeated, missing or out of order.
            let v: String = order.iter().map(|&(j, c)| format!("x {c} {j} y")).collect();
            prop_assert_eq!(clnt_appends_error(clnt, &v, count), go_check(clnt, &v, count));
        }
    }
}
