//! Running a lab test: every seed the environment asks for (see `sim::runner`), and on a failure
//! the one-line command that replays exactly that run, and the path of its picture
//! ([`crate::picture`]).

use std::future::Future;

/// Runs a lab test's body for every seed asked for; a failing seed prints its replay command and
/// fails the test. Call it from a plain `#[test]`: `raft_lab_tests::run(|| async { ... })`.
pub fn run<Fut>(body: fn() -> Fut)
where
    Fut: Future<Output = ()> + 'static,
{
    let (target, name) = (test_target(), sim::runner::test_name());
    sim::runner::run_with_end(
        body,
        move |seed| replay_command(&target, &name, seed),
        crate::picture::at_end,
    );
}

/// The one-line command that replays `name` in test target `target` with `seed`.
pub fn replay_command(target: &str, name: &str, seed: u64) -> String {
    format!("MADSIM_TEST_SEED={seed} cargo test --test {target} {name} -- --exact")
}

/// The test target of the running test binary, from its file name (`raft_2a-0123abcd` → `raft_2a`).
pub fn test_target() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|stem| match stem.rsplit_once('-') {
            Some((t, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => t.to_string(),
            _ => stem,
        })
        .unwrap_or_else(|| "<target>".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_command_names_seed_target_and_test() {
        assert_eq!(
            replay_command("raft_2a", "initial_election_2a", 42),
            "MADSIM_TEST_SEED=42 cargo test --test raft_2a initial_election_2a -- --exact"
        );
    }
}
