//! The demo tells the true story: run with a trace for many seeds, every election, campaign, step-down
//! and commit it tells is the one the peers traced, at the virtual time they traced it, and it leaves
//! none out.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const DEMO: &str = env!("CARGO_BIN_EXE_demo");
const SEEDS: std::ops::RangeInclusive<u64> = 1..=300;

/// `[   1.234s] text` -> (milliseconds, text).
fn story_line(line: &str) -> Option<(u64, &str)> {
    let (stamp, text) = line.strip_prefix('[')?.split_once("s] ")?;
    let ms = (stamp.trim().parse::<f64>().ok()? * 1000.0).round() as u64;
    Some((ms, text))
}

/// Virtual nanoseconds as the story prints them: milliseconds, rounded.
fn ms(t_ns: u64) -> u64 {
    (t_ns as f64 / 1e6).round() as u64
}

/// What a seed's story must say, read from its trace: (milliseconds, text) in trace order, the
/// leaders in the order elected, and when each index was applied by k peers.
struct Expected {
    told: Vec<(u64, String)>,
    leaders: Vec<(u64, u64)>,
    applied: Vec<Vec<(u64, u64)>>,
}

fn expected(trace: &str) -> Result<Expected, String> {
    let mut told = Vec::new();
    let mut leaders = Vec::new();
    let mut led = std::collections::BTreeMap::new();
    // Per peer: (upto, time) each time its applied index grew.
    let mut applied: Vec<Vec<(u64, u64)>> = Vec::new();
    for line in trace.lines() {
        let e: Value =
            serde_json::from_str(line).map_err(|e| format!("a bad trace line {line:?}: {e}"))?;
        let (Some(peer), Some(term), Some(t)) =
            (e["peer"].as_u64(), e["term"].as_u64(), e["t_ns"].as_u64())
        else {
            continue;
        };
        match e["msg"].as_str().unwrap_or_default() {
            "election timeout: campaigning" => told.push((
                ms(t),
                format!("peer {peer} times out and campaigns for term {term}"),
            )),
            "became leader" => {
                leaders.push((peer, term));
                led.insert(peer, term);
                told.push((
                    ms(t),
                    format!("peer {peer} is elected leader of term {term}"),
                ));
            }
            "leader steps down: saw a higher term" => told.push((
                ms(t),
                format!(
                    "peer {peer}, leader of term {}, sees term {term} and steps down to follower",
                    led.get(&peer).copied().unwrap_or_default()
                ),
            )),
            "applying" => {
                let upto = e["upto"].as_u64().ok_or("an apply event without upto")?;
                let p = peer as usize;
                if applied.len() <= p {
                    applied.resize(p + 1, Vec::new());
                }
                applied[p].push((upto, t));
            }
            _ => {}
        }
    }
    Ok(Expected {
        told,
        leaders,
        applied,
    })
}

impl Expected {
    /// When the count-th peer applied `index`.
    fn applied_by(&self, index: u64, count: usize) -> Option<u64> {
        let mut times: Vec<u64> = self
            .applied
            .iter()
            .filter_map(|steps| {
                steps
                    .iter()
                    .find(|(upto, _)| *upto >= index)
                    .map(|(_, t)| *t)
            })
            .collect();
        times.sort_unstable();
        times.get(count - 1).map(|t| ms(*t))
    }
}

/// Checks one seed's story against its trace; `Err` says what is wrong.
fn check_seed(seed: u64, dir: &std::path::Path) -> Result<(), String> {
    let trace_path = dir.join(format!("demo-{seed}.jsonl"));
    let out = Command::new(DEMO)
        .args(["--seed", &seed.to_string()])
        .env("RAFT_LAB_TRACE", &trace_path)
        .env_remove("RUST_LOG")
        .output()
        .map_err(|e| format!("cannot run the demo: {e}"))?;
    let story = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "the demo failed:\n{story}{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let trace = std::fs::read_to_string(&trace_path).map_err(|e| format!("no trace: {e}"))?;
    let want = expected(&trace)?;
    let lines: Vec<(u64, &str)> = story.lines().filter_map(story_line).collect();

    if !lines.windows(2).all(|w| w[0].0 <= w[1].0) {
        return Err(format!("the story is not in time order:\n{story}"));
    }
    // Every election, campaign and step-down, in order and at its time, and nothing else of the kind.
    let told: Vec<(u64, String)> = lines
        .iter()
        .filter(|(_, text)| {
            text.contains(" campaigns for term ")
                || text.contains(" is elected leader of term ")
                || text.contains(" steps down to follower")
        })
        .map(|(t, text)| (*t, text.to_string()))
        .collect();
    if told != want.told {
        return Err(format!(
            "the story tells\n{told:#?}\nthe trace says\n{:#?}\n{story}",
            want.told
        ));
    }
    // Each commit at the moment the peers it names had applied it.
    for (t, text) in &lines {
        let Some((_, rest)) = text.split_once(" committed at index ") else {
            continue;
        };
        let (index, on) = rest.split_once(' ').ok_or("a commit line without peers")?;
        let index: u64 = index
            .parse()
            .map_err(|_| format!("bad index in {text:?}"))?;
        let count: usize = match on.strip_prefix("on all ") {
            Some(n) => n.split(' ').next(),
            None => on.strip_prefix("on ").and_then(|n| n.split(' ').next()),
        }
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no peer count in {text:?}"))?;
        if want.applied_by(index, count) != Some(*t) {
            return Err(format!(
                "{text:?} told at {t} ms, but {count} peers had applied index {index} at {:?} ms\n{story}",
                want.applied_by(index, count)
            ));
        }
    }
    let leaders: Vec<String> = want
        .leaders
        .iter()
        .map(|(p, t)| format!("{p} (term {t})"))
        .collect();
    let summary = format!("leaders {},", leaders.join(" then "));
    if !story
        .lines()
        .any(|l| l.starts_with("ok: ") && l.contains(&summary))
    {
        return Err(format!("the summary does not name {summary:?}:\n{story}"));
    }
    Ok(())
}

#[test]
fn the_demo_story_matches_the_trace_on_every_seed() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("demo_story");
    std::fs::create_dir_all(&dir).unwrap();
    let seeds: Vec<u64> = SEEDS.collect();
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = seeds
            .chunks(seeds.len().div_ceil(jobs))
            .map(|chunk| {
                let dir = &dir;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|&seed| {
                            check_seed(seed, dir)
                                .err()
                                .map(|e| format!("seed {seed}: {e}"))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} seeds tell a wrong story; the first:\n{}",
        failures.len(),
        seeds.len(),
        failures[0]
    );
}
