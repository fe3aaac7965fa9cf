//! TEST selectors: a test name, a target name (`raft_2b`) or a part (`2A`, `4C`, any case) read
//! within an edition (see [`crate::edition`]); none means every lab test of the edition.
//!
//! A part name only one edition has (`2C`, `4B`) is that edition's whatever the default; one both
//! have (`3A`, `3B`) is the asked-for edition's, the current one unless `--edition` says otherwise.

use crate::edition::{self, Edition, EditionChoice, Part};
use crate::targets::{self, TargetSource, TestTarget};
use std::collections::BTreeSet;

/// One test to run: the target holding it and its name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TestId {
    pub target: String,
    pub name: String,
}

/// The edition asked for, if any, with the selectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    pub edition: Option<Edition>,
    /// No selector means every lab test of both editions, not of one (`--edition all`).
    pub every_edition: bool,
}

impl Scope {
    /// The scope `--edition` asks for: an edition, `all`, or (none given) the current one.
    pub fn from_choice(choice: Option<EditionChoice>) -> Scope {
        match choice {
            Some(EditionChoice::One(e)) => Scope {
                edition: Some(e),
                every_edition: false,
            },
            Some(EditionChoice::All) => Scope {
                edition: None,
                every_edition: true,
            },
            None => Scope {
                edition: None,
                every_edition: false,
            },
        }
    }

    /// The editions "every lab test" covers.
    fn editions(self) -> Vec<Edition> {
        if self.every_edition {
            Edition::ALL.to_vec()
        } else {
            vec![self.edition()]
        }
    }

    /// The edition a selection without parts (or with no selector at all) is read in.
    pub fn edition(self) -> Edition {
        self.edition.unwrap_or(edition::CURRENT)
    }

    /// The part `arg` names, with its edition; `Ok(None)` when `arg` names no part, an error when it
    /// names a part only of an edition other than the one asked for.
    pub fn part(self, arg: &str) -> Result<Option<(Edition, &'static Part)>, String> {
        let wanted = self.edition();
        if let Some(p) = wanted.part(arg) {
            return Ok(Some((wanted, p)));
        }
        let Some(&other) = wanted.others_with(arg).first() else {
            return Ok(None);
        };
        match self.edition {
            None => Ok(other.part(arg).map(|p| (other, p))),
            Some(asked) => Err(format!(
                "part {} is not in the {asked} edition; it is in {other} (--edition {other})",
                arg.to_uppercase()
            )),
        }
    }

    /// What each part selector means here, for the user to read before the runs start: `3A` means
    /// a different lab in each edition, so say which one this is.
    pub fn describe(self, selectors: &[String]) -> Vec<String> {
        let mut lines = Vec::new();
        if selectors.is_empty() && self.every_edition {
            lines.push("every lab test of both editions".to_string());
        } else if selectors.is_empty() {
            lines.push(format!("every lab test of the {} edition", self.edition()));
        }
        for sel in selectors {
            if let Ok(Some((ed, p))) = self.part(sel) {
                let mut line = format!("{} = {} ({ed} edition)", p.name, p.about);
                for other in ed.others_with(sel) {
                    if let Some(o) = other.part(sel) {
                        line.push_str(&format!("; for {other}'s {}: --edition {other}", o.about));
                    }
                }
                lines.push(line);
            }
        }
        lines
    }
}

/// Which targets must be built to resolve `selectors`: a target names itself, a test name the targets
/// whose source defines it, a part its targets; no selector means the edition's targets; one we
/// cannot place needs them all. Building less keeps a sweep of one part independent of work in
/// progress elsewhere in the suite.
pub fn targets_to_build(
    sources: &[TargetSource],
    selectors: &[String],
    scope: Scope,
) -> Vec<String> {
    let all = || sources.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    let existing = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .filter(|n| sources.iter().any(|s| s.name == **n))
            .map(|n| n.to_string())
            .collect()
    };
    let mut needed = BTreeSet::new();
    if selectors.is_empty() {
        let names: Vec<&str> = scope
            .editions()
            .into_iter()
            .flat_map(Edition::targets)
            .collect();
        let mut found = existing(&names);
        found.dedup();
        return if found.is_empty() { all() } else { found };
    }
    for sel in selectors {
        if sources.iter().any(|s| s.name == *sel) {
            needed.insert(sel.clone());
            continue;
        }
        let guess = match scope.part(sel) {
            Ok(Some((_, part))) => existing(part.targets),
            _ => targets::likely_targets(sources, sel),
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
pub fn expand(
    targets: &[TestTarget],
    selectors: &[String],
    scope: Scope,
) -> Result<Vec<TestId>, String> {
    let mut chosen: Vec<TestId> = Vec::new();
    let mut push = |id: TestId| {
        if !chosen.contains(&id) {
            chosen.push(id);
        }
    };
    let every = if selectors.is_empty() {
        scope.editions()
    } else {
        Vec::new()
    };
    for edition in every {
        let lab = edition_tests(targets, edition, None);
        if lab.is_empty() {
            return Err(format!(
                "no lab tests of the {edition} edition yet\n{}",
                inventory(targets, edition)
            ));
        }
        lab.into_iter().for_each(&mut push);
    }
    for sel in selectors {
        if let Some((edition, part)) = scope.part(sel)? {
            let tests = edition_tests(targets, edition, Some(part));
            if tests.is_empty() {
                return Err(format!(
                    "part {} of the {edition} edition has no tests yet (in {})\n{}",
                    part.name,
                    part.targets.join(", "),
                    inventory(targets, edition)
                ));
            }
            tests.into_iter().for_each(&mut push);
        } else if let Some(t) = targets.iter().find(|t| t.name == *sel) {
            if t.tests.is_empty() {
                return Err(format!(
                    "target {sel} has no tests\n{}",
                    inventory(targets, scope.edition())
                ));
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
                    inventory(targets, scope.edition())
                ));
            }
            matches.into_iter().for_each(&mut push);
        }
    }
    Ok(chosen)
}

/// The course tests of an edition (of one part, or of all), in part order, then target, then name.
fn edition_tests(targets: &[TestTarget], edition: Edition, only: Option<&Part>) -> Vec<TestId> {
    let mut found = Vec::new();
    for part in edition.parts() {
        if only.is_some_and(|o| o != part) {
            continue;
        }
        let mut ids: Vec<TestId> = targets
            .iter()
            .flat_map(|t| {
                t.tests
                    .iter()
                    .filter(|n| part.holds(&t.name, n))
                    .map(|n| TestId {
                        target: t.name.clone(),
                        name: n.clone(),
                    })
            })
            .collect();
        ids.sort();
        for id in ids {
            if !found.contains(&id) {
                found.push(id);
            }
        }
    }
    found
}

/// What exists, for error messages: the edition's parts, the targets and their tests.
pub fn inventory(targets: &[TestTarget], edition: Edition) -> String {
    let parts: Vec<String> = edition
        .parts()
        .iter()
        .map(|p| {
            format!(
                "{} ({})",
                p.name,
                edition_tests(targets, edition, Some(p)).len()
            )
        })
        .collect();
    let target_list: Vec<String> = targets
        .iter()
        .map(|t| format!("{} ({})", t.name, t.tests.len()))
        .collect();
    let mut out = format!(
        "  parts ({edition} edition): {}\n  targets: {}\n  tests:",
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
            target("raft_3a", &["initial_election_3a", "re_election_3a"]),
            target("rsm_4a", &["basic_4a", "snapshot_4c"]),
            target("kv_4c", &["snapshot_rpc_4c"]),
        ]
    }

    fn names(ids: &[TestId]) -> Vec<&str> {
        ids.iter().map(|i| i.name.as_str()).collect()
    }

    fn sel(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    const DEFAULT: Scope = Scope {
        edition: None,
        every_edition: false,
    };
    const OLD: Scope = Scope {
        edition: Some(Edition::Y2023),
        every_edition: false,
    };
    const NEW: Scope = Scope {
        edition: Some(Edition::Y2026),
        every_edition: false,
    };
    const ALL: Scope = Scope {
        edition: None,
        every_edition: true,
    };

    #[test]
    fn all_means_every_lab_test_of_both_editions_once() {
        let ids = expand(&catalog(), &[], ALL).unwrap();
        assert_eq!(ids.len(), 11);
        assert_eq!(ids[0].name, "initial_election_2a");
        assert_eq!(ids.last().unwrap().name, "snapshot_4c");
        assert_eq!(Scope::from_choice(Some("all".parse().unwrap())), ALL);
        assert_eq!(Scope::from_choice(None), DEFAULT);
        // Parts are read as without --edition: 3A is the current course's.
        assert_eq!(
            expand(&catalog(), &sel(&["3A"]), ALL).unwrap(),
            expand(&catalog(), &sel(&["3A"]), DEFAULT).unwrap()
        );
    }

    #[test]
    fn a_part_selects_exactly_its_tests_in_any_case() {
        let ids = expand(&catalog(), &sel(&["2A"]), DEFAULT).unwrap();
        assert_eq!(
            names(&ids),
            ["initial_election_2a", "many_elections_2a", "reelection_2a"]
        );
        assert_eq!(expand(&catalog(), &sel(&["2a"]), DEFAULT).unwrap(), ids);
        assert!(ids.iter().all(|i| i.target == "raft_2a"));
    }

    #[test]
    fn three_a_is_read_in_the_asked_for_edition_and_the_current_one_by_default() {
        let new = expand(&catalog(), &sel(&["3A"]), NEW).unwrap();
        assert_eq!(names(&new), ["initial_election_3a", "re_election_3a"]);
        assert_eq!(expand(&catalog(), &sel(&["3A"]), DEFAULT).unwrap(), new);
        let old = expand(&catalog(), &sel(&["3A"]), OLD).unwrap();
        assert_eq!(names(&old), ["basic_3a", "concurrent_3a"]);
        assert!(old.iter().all(|i| i.target == "kv_3a"));
    }

    #[test]
    fn a_part_of_the_other_edition_only_is_an_error_when_an_edition_is_asked_for() {
        let err = expand(&catalog(), &sel(&["2B"]), NEW).unwrap_err();
        assert!(err.contains("not in the 2026 edition"), "{err}");
        assert!(err.contains("--edition 2023"), "{err}");
        let ids = expand(&catalog(), &sel(&["2B"]), DEFAULT).unwrap();
        assert_eq!(names(&ids), ["basic_agree_2b"]);
    }

    #[test]
    fn a_part_spans_targets_by_suffix() {
        let ids = expand(&catalog(), &sel(&["4C"]), DEFAULT).unwrap();
        assert_eq!(names(&ids), ["snapshot_rpc_4c", "snapshot_4c"]);
        let ids = expand(&catalog(), &sel(&["4A"]), DEFAULT).unwrap();
        assert_eq!(names(&ids), ["basic_4a"]);
    }

    #[test]
    fn no_selector_means_every_lab_test_of_the_edition_in_part_order() {
        let ids = expand(&catalog(), &[], OLD).unwrap();
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
        let ids = expand(&catalog(), &[], DEFAULT).unwrap();
        assert_eq!(
            names(&ids),
            [
                "initial_election_3a",
                "re_election_3a",
                "basic_4a",
                "snapshot_rpc_4c",
                "snapshot_4c"
            ]
        );
    }

    #[test]
    fn targets_and_test_names_select_without_duplicates() {
        let ids = expand(
            &catalog(),
            &sel(&["kv_3a", "basic_3a", "selftest_fails_on_purpose"]),
            DEFAULT,
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
        let err = expand(&catalog(), &sel(&["nope"]), OLD).unwrap_err();
        assert!(err.contains("unknown test selector `nope`"), "{err}");
        assert!(err.contains("raft_2a (3)"), "{err}");
        assert!(err.contains("2A (3)"), "{err}");
        assert!(err.contains("initial_election_2a (raft_2a)"), "{err}");
        let err = expand(&catalog(), &sel(&["3B"]), OLD).unwrap_err();
        assert!(
            err.contains("part 3B of the 2023 edition has no tests yet"),
            "{err}"
        );
    }

    #[test]
    fn descriptions_say_which_lab_a_shared_part_name_means() {
        let lines = DEFAULT.describe(&sel(&["3A", "raft_2a"]));
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with("3A = Raft leader election (2026 edition)"));
        assert!(lines[0].contains("--edition 2023"), "{}", lines[0]);
        assert_eq!(OLD.describe(&[]), ["every lab test of the 2023 edition"]);
    }

    #[test]
    fn building_is_narrowed_to_named_targets() {
        let source = |name: &str| TargetSource {
            name: name.into(),
            src_path: format!("/nonexistent/{name}.rs").into(),
        };
        let sources = vec![source("raft_2a"), source("raft_2b"), source("raft_3a")];
        let build = |s: &[&str], scope| targets_to_build(&sources, &sel(s), scope);
        assert_eq!(build(&["raft_2b"], DEFAULT), ["raft_2b"]);
        assert_eq!(build(&["2A"], DEFAULT), ["raft_2a"]);
        assert_eq!(build(&["3A"], DEFAULT), ["raft_3a"]);
        assert_eq!(build(&[], OLD), ["raft_2a", "raft_2b"]);
        // A test whose source we cannot find: build everything and look.
        assert_eq!(build(&["mystery_2a"], DEFAULT).len(), 3);
    }
}
