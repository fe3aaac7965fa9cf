//! TEST selectors: a test name, a target name (`raft_2b`) or a part (`2A`..`3B`, any case); none means
//! every lab test, i.e. every test whose name ends in a part suffix (`_2a`..`_3b`).

use crate::targets::{self, TargetSource, TestTarget};
use std::collections::BTreeSet;

/// The lab's parts, as the suffixes their tests' names end with.
pub const PARTS: [&str; 6] = ["2a", "2b", "2c", "2d", "3a", "3b"];

/// One test to run: the target holding it and its name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TestId {
    pub target: String,
    pub name: String,
}

/// The part `arg` names (`2A` → `2a`), if it names one.
pub fn as_part(arg: &str) -> Option<&'static str> {
    PARTS.iter().copied().find(|p| p.eq_ignore_ascii_case(arg))
}

/// The part a test belongs to, from its name's suffix (`initial_election_2a` → `2a`).
pub fn part_of(test: &str) -> Option<&'static str> {
    let (_, suffix) = test.rsplit_once('_')?;
    PARTS.iter().copied().find(|p| *p == suffix)
}

/// Which targets must be built to resolve `selectors`: a target names itself, a test name the targets
/// whose source defines it, a part the targets whose source mentions its suffix (`_2a`); no selector,
/// or one we cannot place, needs them all. Building less keeps a sweep of one part independent of
/// work in progress elsewhere in the suite.
pub fn targets_to_build(sources: &[TargetSource], selectors: &[String]) -> Vec<String> {
    let all = || sources.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    let mut needed = BTreeSet::new();
    if selectors.is_empty() {
        return all();
    }
    for sel in selectors {
        if sources.iter().any(|s| s.name == *sel) {
            needed.insert(sel.clone());
            continue;
        }
        let guess = match as_part(sel) {
            Some(part) => targets::mentioning(sources, &format!("_{part}")),
            None => targets::likely_targets(sources, sel),
        };
        if guess.is_empty() {
            return all();
        }
        needed.extend(guess);
    }
    needed.into_iter().collect()
}

/// Expands `selectors` against the built targets into the tests to run, in a stable order and without
/// duplicates. An unknown selector is an error listing what exists.
pub fn expand(targets: &[TestTarget], selectors: &[String]) -> Result<Vec<TestId>, String> {
    let mut chosen: Vec<TestId> = Vec::new();
    let mut push = |id: TestId| {
        if !chosen.contains(&id) {
            chosen.push(id);
        }
    };
    if selectors.is_empty() {
        let lab = lab_tests(targets, None);
        if lab.is_empty() {
            return Err(format!(
                "no lab tests yet (tests ending in _2a.._3b)\n{}",
                inventory(targets)
            ));
        }
        lab.into_iter().for_each(&mut push);
    }
    for sel in selectors {
        if let Some(part) = as_part(sel) {
            let tests = lab_tests(targets, Some(part));
            if tests.is_empty() {
                return Err(format!(
                    "part {} has no tests yet (tests ending in _{part})\n{}",
                    part.to_uppercase(),
                    inventory(targets)
                ));
            }
            tests.into_iter().for_each(&mut push);
        } else if let Some(t) = targets.iter().find(|t| t.name == *sel) {
            if t.tests.is_empty() {
                return Err(format!("target {sel} has no tests\n{}", inventory(targets)));
            }
            for name in &t.tests {
                push(TestId {
                    target: t.name.clone(),
                    name: name.clone(),
                });
            }
        } else {
            let matches: Vec<TestId> = targets
                .iter()
                .flat_map(|t| {
                    t.tests
                        .iter()
                        .filter(|n| *n == sel || n.rsplit("::").next() == Some(sel.as_str()))
                        .map(|n| TestId {
                            target: t.name.clone(),
                            name: n.clone(),
                        })
                })
                .collect();
            if matches.is_empty() {
                return Err(format!(
                    "unknown test selector `{sel}`: give a test name, a target or a part\n{}",
                    inventory(targets)
                ));
            }
            matches.into_iter().for_each(&mut push);
        }
    }
    Ok(chosen)
}

/// Lab tests (of one part, or of all), ordered by part, then target, then name.
fn lab_tests(targets: &[TestTarget], part: Option<&str>) -> Vec<TestId> {
    let mut found: Vec<(usize, TestId)> = targets
        .iter()
        .flat_map(|t| {
            t.tests.iter().filter_map(move |n| {
                let p = part_of(n)?;
                if part.is_some_and(|want| want != p) {
                    return None;
                }
                let rank = PARTS.iter().position(|x| *x == p).unwrap_or(0);
                Some((
                    rank,
                    TestId {
                        target: t.name.clone(),
                        name: n.clone(),
                    },
                ))
            })
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, id)| id).collect()
}

/// What exists, for error messages: parts, targets and tests.
pub fn inventory(targets: &[TestTarget]) -> String {
    let parts: Vec<String> = PARTS
        .iter()
        .map(|p| {
            format!(
                "{} ({})",
                p.to_uppercase(),
                lab_tests(targets, Some(p)).len()
            )
        })
        .collect();
    let target_list: Vec<String> = targets
        .iter()
        .map(|t| format!("{} ({})", t.name, t.tests.len()))
        .collect();
    let mut out = format!(
        "  parts:   {}\n  targets: {}\n  tests:",
        parts.join(", "),
        if target_list.is_empty() {
            "(none)".into()
        } else {
            target_list.join(", ")
        }
    );
    for t in targets {
        for n in &t.tests {
            out.push_str(&format!("\n    {n} ({})", t.name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn target(name: &str, tests: &[&str]) -> TestTarget {
        TestTarget {
            name: name.into(),
            exe: PathBuf::from(name),
            tests: tests.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn catalog() -> Vec<TestTarget> {
        vec![
            target("harness_selftest", &["selftest_fails_on_purpose"]),
            target("kv_3a", &["basic_3a", "concurrent_3a"]),
            target(
                "raft_2a",
                &["initial_election_2a", "many_elections_2a", "reelection_2a"],
            ),
            target("raft_2b", &["basic_agree_2b"]),
        ]
    }

    fn names(ids: &[TestId]) -> Vec<&str> {
        ids.iter().map(|i| i.name.as_str()).collect()
    }

    fn sel(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_part_selects_exactly_its_tests_in_any_case() {
        let ids = expand(&catalog(), &sel(&["2A"])).unwrap();
        assert_eq!(
            names(&ids),
            ["initial_election_2a", "many_elections_2a", "reelection_2a"]
        );
        assert_eq!(expand(&catalog(), &sel(&["2a"])).unwrap(), ids);
        assert!(ids.iter().all(|i| i.target == "raft_2a"));
    }

    #[test]
    fn no_selector_means_every_lab_test_in_part_order() {
        let ids = expand(&catalog(), &[]).unwrap();
        assert_eq!(
            names(&ids),
            [
                "initial_election_2a",
                "many_elections_2a",
                "reelection_2a",
                "basic_agree_2b",
                "basic_3a",
                "concurrent_3a"
            ]
        );
    }

    #[test]
    fn targets_and_test_names_select_without_duplicates() {
        let ids = expand(
            &catalog(),
            &sel(&["kv_3a", "basic_3a", "selftest_fails_on_purpose"]),
        )
        .unwrap();
        assert_eq!(
            names(&ids),
            ["basic_3a", "concurrent_3a", "selftest_fails_on_purpose"]
        );
        assert_eq!(ids[2].target, "harness_selftest");
    }

    #[test]
    fn unknown_selectors_list_what_exists() {
        let err = expand(&catalog(), &sel(&["nope"])).unwrap_err();
        assert!(err.contains("unknown test selector `nope`"), "{err}");
        assert!(err.contains("raft_2a (3)"), "{err}");
        assert!(err.contains("2A (3)"), "{err}");
        assert!(err.contains("initial_election_2a (raft_2a)"), "{err}");
        let err = expand(&catalog(), &sel(&["3B"])).unwrap_err();
        assert!(err.contains("part 3B has no tests yet"), "{err}");
    }

    #[test]
    fn parts_come_from_name_suffixes() {
        assert_eq!(part_of("initial_election_2a"), Some("2a"));
        assert_eq!(part_of("snapshot_size_3b"), Some("3b"));
        assert_eq!(part_of("selftest_fails_on_purpose"), None);
        assert_eq!(part_of("x_2e"), None);
        assert_eq!(as_part("3B"), Some("3b"));
        assert_eq!(as_part("raft_2a"), None);
    }

    #[test]
    fn building_is_narrowed_to_named_targets() {
        let sources = vec![
            TargetSource {
                name: "raft_2a".into(),
                src_path: "/nonexistent/a.rs".into(),
            },
            TargetSource {
                name: "raft_2b".into(),
                src_path: "/nonexistent/b.rs".into(),
            },
        ];
        assert_eq!(targets_to_build(&sources, &sel(&["raft_2b"])), ["raft_2b"]);
        // Sources we cannot read mention nothing: look everywhere.
        assert_eq!(targets_to_build(&sources, &sel(&["2A"])).len(), 2);
        assert_eq!(targets_to_build(&sources, &[]).len(), 2);
        // A test whose source we cannot find: build everything and look.
        assert_eq!(targets_to_build(&sources, &sel(&["mystery_2a"])).len(), 2);
    }
}
