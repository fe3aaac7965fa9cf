//! The mutation report: merges what `scripts/mutants` wrote for each shard (one cargo-mutants
//! `outcomes.json` per stage) with the allow-list of equivalent mutants into one Markdown page.
//!
//! A mutant is **caught** by the first stage whose tests fail on it (or time out: a hang is seen
//! too), **unviable** when it does not build, **equivalent** when it survives every stage and the
//! allow-list says why no behaviour can tell it apart, and **missed** otherwise: a gap to close.
//! Allow-list lines read `FILE: DESCRIPTION # why`, where `FILE: DESCRIPTION` is the mutant's
//! cargo-mutants name without its line and column, so an entry outlives edits elsewhere in the file;
//! where one function has two such mutants, `FILE:LINE: DESCRIPTION` names one of them.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The stages `scripts/mutants` runs, in order: each tests what the earlier ones missed.
pub const STAGES: [&str; 4] = ["units", "raft", "kv", "fuzz"];

/// What became of one mutant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// The named stage's tests failed (or timed out, when `timeout`).
    Caught {
        stage: String,
        timeout: bool,
    },
    Unviable,
    /// Survived every stage; equivalent if the allow-list gives this reason.
    Survived {
        equivalent: Option<String>,
    },
    /// Some stage has not run on it yet.
    Untested,
}

/// One mutant and its fate.
#[derive(Clone, Debug)]
pub struct Mutant {
    /// cargo-mutants' name: `FILE:LINE:COL: DESCRIPTION`.
    pub name: String,
    pub fate: Fate,
}

impl Mutant {
    /// The name without line and column: the allow-list's key.
    pub fn key(&self) -> String {
        key_of(&self.name)
    }
}

/// `FILE:LINE:COL: DESCRIPTION` split into file, line and `: DESCRIPTION`; `None` for a name
/// without a position.
fn split_name(name: &str) -> Option<(&str, &str, &str)> {
    let mut parts = name.splitn(4, ':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(file), Some(line), Some(col), Some(rest))
            if line.parse::<u32>().is_ok() && col.parse::<u32>().is_ok() =>
        {
            Some((file, line, rest))
        }
        _ => None,
    }
}

/// `FILE:LINE:COL: DESCRIPTION` → `FILE:LINE: DESCRIPTION`.
pub fn line_key_of(name: &str) -> String {
    split_name(name).map_or_else(
        || name.to_string(),
        |(file, line, rest)| format!("{file}:{line}:{rest}"),
    )
}

/// `FILE:LINE:COL: DESCRIPTION` → `FILE: DESCRIPTION`.
pub fn key_of(name: &str) -> String {
    split_name(name).map_or_else(
        || name.to_string(),
        |(file, _, rest)| format!("{file}:{rest}"),
    )
}

/// The allow-list: key → why the mutant is equivalent. Blank lines and `#` lines are comments.
pub fn parse_allow_list(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut allowed = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, why)) = line.split_once(" # ") else {
            return Err(format!(
                "line {}: want `FILE: DESCRIPTION # why`, got {line:?}",
                n + 1
            ));
        };
        allowed.insert(key.trim().to_string(), why.trim().to_string());
    }
    Ok(allowed)
}

/// The mutants' summaries in one stage's `outcomes.json`: name → cargo-mutants' summary word.
pub fn parse_outcomes(json: &str) -> Result<BTreeMap<String, String>, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let outcomes = v["outcomes"]
        .as_array()
        .ok_or("no `outcomes` array: not a cargo-mutants outcomes.json")?;
    let mut out = BTreeMap::new();
    for o in outcomes {
        let Some(name) = o["scenario"]["Mutant"]["name"].as_str() else {
            continue; // the baseline
        };
        let summary = o["summary"].as_str().unwrap_or("Unknown");
        out.insert(name.to_string(), summary.to_string());
    }
    Ok(out)
}

/// One shard's mutants, from its stages' outcomes in order (`None`: the stage has not run).
pub fn shard_fates(
    stages: &[(&str, Option<BTreeMap<String, String>>)],
    allowed: &BTreeMap<String, String>,
) -> Vec<Mutant> {
    let mut fates: BTreeMap<String, Fate> = BTreeMap::new();
    let mut complete = true;
    for (stage, outcomes) in stages {
        let Some(outcomes) = outcomes else {
            complete = false;
            continue;
        };
        for (name, summary) in outcomes {
            let fate = match summary.as_str() {
                "CaughtMutant" => Fate::Caught {
                    stage: stage.to_string(),
                    timeout: false,
                },
                "Timeout" => Fate::Caught {
                    stage: stage.to_string(),
                    timeout: true,
                },
                "Unviable" => Fate::Unviable,
                _ => Fate::Untested, // missed here; decided below
            };
            let settled = matches!(fates.get(name), Some(Fate::Caught { .. } | Fate::Unviable));
            if !settled {
                fates.insert(name.clone(), fate);
            }
        }
    }
    fates
        .into_iter()
        .map(|(name, fate)| {
            let fate = match fate {
                Fate::Untested if complete => Fate::Survived {
                    equivalent: allowed
                        .get(&line_key_of(&name))
                        .or_else(|| allowed.get(&key_of(&name)))
                        .cloned(),
                },
                other => other,
            };
            Mutant { name, fate }
        })
        .collect()
}

/// What the shards run so far found.
#[derive(Debug, Default)]
pub struct Shards {
    /// The shards' directory names (`shard-K-of-N`).
    pub names: Vec<String>,
    /// Per shard (same order as `names`), the fingerprint of the list of mutants it was cut from
    /// (its `source` file), if it recorded one.
    pub sources: Vec<Option<String>>,
    /// N: how many shards a complete run has.
    pub of: Option<u32>,
    pub mutants: Vec<Mutant>,
}

impl Shards {
    /// The shards cut from another list of mutants than `current` (or that recorded none), with
    /// the list they were cut from.
    pub fn stale(&self, current: &str) -> Vec<(&str, Option<&str>)> {
        let runs = self.names.iter().zip(&self.sources);
        runs.filter(|(_, source)| source.as_deref() != Some(current))
            .map(|(name, source)| (name.as_str(), source.as_deref()))
            .collect()
    }
}

/// Every shard under `dir` (`shard-K-of-N` directories) that has run a stage, read with `allowed`.
pub fn read_shards(dir: &Path, allowed: &BTreeMap<String, String>) -> Result<Shards, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut shards: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("shard-"))
        })
        .collect();
    shards.sort();
    let mut names = Vec::new();
    let mut sources = Vec::new();
    let mut of = None;
    let mut mutants = Vec::new();
    for shard in &shards {
        let name = shard.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        if let Some((_, n)) = name.rsplit_once("-of-") {
            of = n.parse().ok().or(of);
        }
        let mut stages = Vec::new();
        for stage in STAGES {
            let path = shard.join(format!("{stage}.json"));
            let outcomes = match std::fs::read_to_string(&path) {
                Ok(text) => {
                    Some(parse_outcomes(&text).map_err(|e| format!("{}: {e}", path.display()))?)
                }
                Err(_) => None,
            };
            stages.push((stage, outcomes));
        }
        if stages.iter().all(|(_, o)| o.is_none()) {
            continue;
        }
        names.push(name.to_string());
        let source = std::fs::read_to_string(shard.join("source")).ok();
        sources.push(
            source
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        );
        mutants.extend(shard_fates(&stages, allowed));
    }
    Ok(Shards {
        names,
        sources,
        of,
        mutants,
    })
}

/// Counts by fate.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: usize,
    /// Caught per stage, in [`STAGES`] order.
    pub caught: [usize; 4],
    pub timeouts: usize,
    pub unviable: usize,
    pub equivalent: usize,
    pub missed: usize,
    pub untested: usize,
}

pub fn tally(mutants: &[Mutant]) -> Tally {
    let mut t = Tally {
        total: mutants.len(),
        ..Tally::default()
    };
    for m in mutants {
        match &m.fate {
            Fate::Caught { stage, timeout } => {
                if let Some(i) = STAGES.iter().position(|s| s == stage) {
                    t.caught[i] += 1;
                }
                t.timeouts += usize::from(*timeout);
            }
            Fate::Unviable => t.unviable += 1,
            Fate::Survived {
                equivalent: Some(_),
            } => t.equivalent += 1,
            Fate::Survived { equivalent: None } => t.missed += 1,
            Fate::Untested => t.untested += 1,
        }
    }
    t
}

/// The one-line summary the README quotes.
pub fn summary_line(t: &Tally) -> String {
    format!(
        "{} mutants: {} caught ({} by the crates' unit tests, {} by the Raft suites, {} by the KV \
         suites, {} by the fuzzers; {} of them by a timeout), {} unviable, {} equivalent, {} missed, \
         {} not yet tested",
        t.total,
        t.caught.iter().sum::<usize>(),
        t.caught[0],
        t.caught[1],
        t.caught[2],
        t.caught[3],
        t.timeouts,
        t.unviable,
        t.equivalent,
        t.missed,
        t.untested
    )
}

/// The report page, for today's list of mutants, fingerprinted `current`.
pub fn render(run: &Shards, current: &str, allowed: &BTreeMap<String, String>) -> String {
    let (shards, of, mutants) = (&run.names, run.of, &run.mutants[..]);
    let t = tally(mutants);
    let mut md = String::new();
    let _ = writeln!(md, "# Mutation report: raft/ and kvraft/\n");
    let _ = writeln!(
        md,
        "Written by `scripts/mutants --report` from the shards `scripts/mutants --shard K/N` ran \
         (cargo-mutants; stages, each on what the ones before it missed: units = the raft and \
         kvraft crates' own tests, raft = the Raft suites 2A-2D, kv = the KV suites 3A-3B and \
         4B-4C, fuzz = fuzz_raft and fuzz_kv at their default budget). Do not edit by hand.\n"
    );
    let ran = match of {
        Some(n) => format!("{} of {n}", shards.len()),
        None => shards.len().to_string(),
    };
    let _ = writeln!(md, "Shards included: {ran} ({}).\n", shards.join(", "));
    let stale = run.stale(current);
    if stale.is_empty() {
        let _ = writeln!(
            md,
            "Every shard was cut from today's list of mutants (fingerprint `{current}`).\n"
        );
    } else {
        let _ = writeln!(
            md,
            "**Stale:** today's list of mutants (fingerprint `{current}`) is not the one these \
             shards were cut from, so their mutants, and where the shards split, may differ from \
             today's: rerun them (`scripts/mutants --shard K/N`) before trusting the numbers.\n"
        );
        for (name, source) in stale {
            let source = source.map_or("an unrecorded list".into(), |s| format!("`{s}`"));
            let _ = writeln!(md, "- {name}: {source}");
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md, "**{}.**\n", summary_line(&t));
    let _ = writeln!(md, "| fate | mutants |\n|---|---|");
    for (i, stage) in STAGES.iter().enumerate() {
        let _ = writeln!(md, "| caught in stage {stage} | {} |", t.caught[i]);
    }
    let _ = writeln!(md, "| unviable (does not build) | {} |", t.unviable);
    let _ = writeln!(md, "| equivalent (allow-listed) | {} |", t.equivalent);
    let _ = writeln!(md, "| **missed** | {} |", t.missed);
    let _ = writeln!(md, "| not yet tested by every stage | {} |\n", t.untested);

    let _ = writeln!(md, "## Missed: gaps to close\n");
    let missed: Vec<&Mutant> = mutants
        .iter()
        .filter(|m| m.fate == Fate::Survived { equivalent: None })
        .collect();
    if missed.is_empty() {
        let _ = writeln!(md, "None.");
    }
    for m in missed {
        let _ = writeln!(md, "- `{}`", m.name);
    }
    let _ = writeln!(md, "\n## Equivalent: no observable behaviour changes\n");
    let mut any = false;
    for m in mutants {
        if let Fate::Survived {
            equivalent: Some(why),
        } = &m.fate
        {
            any = true;
            let _ = writeln!(md, "- `{}`: {why}", m.name);
        }
    }
    if !any {
        let _ = writeln!(md, "None.");
    }
    let untested: Vec<&Mutant> = mutants
        .iter()
        .filter(|m| m.fate == Fate::Untested)
        .collect();
    if !untested.is_empty() {
        let _ = writeln!(
            md,
            "\n## Not yet through every stage (an interrupted shard: `scripts/mutants --resume`)\n"
        );
        for m in untested {
            let _ = writeln!(md, "- `{}`", m.name);
        }
    }
    let seen: std::collections::BTreeSet<String> = mutants
        .iter()
        .flat_map(|m| [m.key(), line_key_of(&m.name)])
        .collect();
    let unmatched: Vec<&String> = allowed.keys().filter(|k| !seen.contains(*k)).collect();
    if !unmatched.is_empty() && of.is_some_and(|n| shards.len() as u32 == n) {
        let _ = writeln!(
            md,
            "\n## Allow-list entries that match no mutant (remove them)\n"
        );
        for k in unmatched {
            let _ = writeln!(md, "- `{k}`");
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
        Some(
            pairs
                .iter()
                .map(|(n, s)| (n.to_string(), s.to_string()))
                .collect(),
        )
    }

    #[test]
    fn the_key_drops_line_and_column_only() {
        assert_eq!(
            key_of("raft/src/log.rs:12:9: replace + with - in Log::len"),
            "raft/src/log.rs: replace + with - in Log::len"
        );
        assert_eq!(key_of("no position here"), "no position here");
        assert_eq!(
            line_key_of("raft/src/log.rs:12:9: replace + with - in Log::len"),
            "raft/src/log.rs:12: replace + with - in Log::len"
        );
    }

    #[test]
    fn a_mutant_is_caught_by_the_first_stage_that_fails_on_it() {
        let allowed = BTreeMap::new();
        let stages = [
            (
                "units",
                outcomes(&[("a:1:1: x", "MissedMutant"), ("b:1:1: y", "CaughtMutant")]),
            ),
            ("raft", outcomes(&[("a:1:1: x", "Timeout")])),
            ("kv", outcomes(&[])),
            ("fuzz", outcomes(&[])),
        ];
        let fates = shard_fates(&stages, &allowed);
        assert_eq!(
            fates[0].fate,
            Fate::Caught {
                stage: "raft".into(),
                timeout: true
            }
        );
        assert_eq!(
            fates[1].fate,
            Fate::Caught {
                stage: "units".into(),
                timeout: false
            }
        );
    }

    #[test]
    fn a_survivor_is_equivalent_only_if_allow_listed_and_untested_until_every_stage_ran() {
        let allowed =
            parse_allow_list("# comment\n\na: x # returns the same value\na:9: z # not this one\n")
                .unwrap();
        let all = [
            (
                "units",
                outcomes(&[("a:3:4: x", "MissedMutant"), ("a:5:6: z", "MissedMutant")]),
            ),
            (
                "raft",
                outcomes(&[("a:3:4: x", "MissedMutant"), ("a:5:6: z", "MissedMutant")]),
            ),
            (
                "kv",
                outcomes(&[("a:3:4: x", "MissedMutant"), ("a:5:6: z", "MissedMutant")]),
            ),
            ("fuzz", outcomes(&[])),
        ];
        let fates = shard_fates(&all, &allowed);
        assert_eq!(
            fates[0].fate,
            Fate::Survived {
                equivalent: Some("returns the same value".into())
            }
        );
        assert_eq!(fates[1].fate, Fate::Survived { equivalent: None });
        let partial = [all[0].clone(), ("raft", None), ("kv", None), ("fuzz", None)];
        assert_eq!(shard_fates(&partial, &allowed)[1].fate, Fate::Untested);
        let t = tally(&shard_fates(&all, &allowed));
        assert_eq!((t.total, t.equivalent, t.missed), (2, 1, 1));
    }

    #[test]
    fn a_malformed_allow_list_line_is_an_error_naming_it() {
        let err = parse_allow_list("a: x without a reason\n").unwrap_err();
        assert!(err.starts_with("line 1:"), "{err}");
    }

    #[test]
    fn outcomes_json_skips_the_baseline_and_rejects_other_json() {
        let json = r#"{"outcomes": [
            {"scenario": "Baseline", "summary": "Success"},
            {"scenario": {"Mutant": {"name": "f:1:2: m"}}, "summary": "Unviable"}
        ]}"#;
        assert_eq!(
            parse_outcomes(json).unwrap(),
            outcomes(&[("f:1:2: m", "Unviable")]).unwrap()
        );
        assert!(parse_outcomes("{}").is_err());
        assert!(parse_outcomes("not json").is_err());
    }

    #[test]
    fn the_report_lists_the_gaps_and_the_reasons() {
        let allowed = parse_allow_list("a: x # same value\n").unwrap();
        let mutants = vec![
            Mutant {
                name: "a:1:1: x".into(),
                fate: Fate::Survived {
                    equivalent: Some("same value".into()),
                },
            },
            Mutant {
                name: "b:2:2: y".into(),
                fate: Fate::Survived { equivalent: None },
            },
        ];
        let run = Shards {
            names: vec!["shard-1-of-2".into()],
            sources: vec![Some("f00d".into())],
            of: Some(2),
            mutants,
        };
        let md = render(&run, "f00d", &allowed);
        assert!(md.contains("Shards included: 1 of 2"), "{md}");
        assert!(md.contains("Every shard was cut from today's list"), "{md}");
        assert!(md.contains("- `b:2:2: y`"), "{md}");
        assert!(md.contains("- `a:1:1: x`: same value"), "{md}");
        assert!(md.contains("1 missed"), "{md}");
    }

    #[test]
    fn shards_cut_from_another_list_are_named_stale() {
        let run = Shards {
            names: vec![
                "shard-1-of-3".into(),
                "shard-2-of-3".into(),
                "shard-3-of-3".into(),
            ],
            sources: vec![Some("old".into()), None, Some("new".into())],
            of: Some(3),
            mutants: Vec::new(),
        };
        assert_eq!(
            run.stale("new"),
            [("shard-1-of-3", Some("old")), ("shard-2-of-3", None)]
        );
        let md = render(&run, "new", &BTreeMap::new());
        assert!(md.contains("**Stale:**"), "{md}");
        assert!(md.contains("- shard-1-of-3: `old`"), "{md}");
        assert!(md.contains("- shard-2-of-3: an unrecorded list"), "{md}");
        assert!(!md.contains("shard-3-of-3:"), "{md}");
    }
}
