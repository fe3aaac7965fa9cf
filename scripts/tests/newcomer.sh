#!/usr/bin/env bash
# The seed tools as a newcomer meets them (issue 21), from fresh clones:
#
#   scripts/tests/newcomer.sh [REV]
#
# Clones REV (default HEAD) of this repository twice into a temporary directory, changes clone b's
# self-test so that it always fails with a message of its own, builds both into ONE shared target
# directory, and uses the tools from a third directory. Each check prints `ok` or `FAILED` with what it
# saw; the last line is `newcomer: N passed, M failed`, and the exit status is 1 if any check failed.
# Run it on an old REV to see the defects it was written for.
#
# The shared target directory is $NEWCOMER_TARGET_DIR, by default target/newcomer in this checkout:
# kept between runs so the dependencies build once, and never this checkout's own target/debug,
# whose artifacts the clones' builds would replace. `cargo doc` warnings are checked by .ci/run.

# Checks read `A && B || { why=...; false; }`: the block runs exactly when A or B fails.
# shellcheck disable=SC2015
set -u

repo="$(cd "$(dirname "$0")/../.." && pwd)"
rev="${1:-HEAD}"
export CARGO_TARGET_DIR="${NEWCOMER_TARGET_DIR:-$repo/target/newcomer}"
# Nothing of the caller's environment may steer the tools.
unset RAFT_LAB_ROOT RAFT_LAB_CWD RAFT_LAB_TRACE RAFT_LAB_DUMP_HISTORY RAFT_LAB_SELFTEST_FAIL \
  MADSIM_TEST_SEED MADSIM_TEST_NUM MADSIM_TEST_JOBS MADSIM_TEST_CHECK_DETERMINISM RUST_LOG
tmp="$(mktemp -d "${TMPDIR:-/tmp}/raft-lab-newcomer.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
a="$tmp/a" b="$tmp/b" elsewhere="$tmp/elsewhere"
selftest=selftest_fails_on_purpose

passed=0 failed=0 why=""
ok() { passed=$((passed + 1)); echo "newcomer: ok      $1"; }
bad() {
  failed=$((failed + 1))
  echo "newcomer: FAILED  $1"
  shift
  for detail in "$@"; do printf '%s\n' "$detail" | sed 's/^/    | /' | tail -n 40; done
}
# check NAME COMMAND...: the command's success is the check's.
check() {
  local name=$1
  shift
  if "$@"; then ok "$name"; else bad "$name" "${why:-}"; fi
  why=""
}
# run OUT COMMAND...: runs the command, its stdout and stderr in OUT, and returns its status.
run() {
  local out=$1
  shift
  "$@" >"$out" 2>&1
}

echo "newcomer: clones of $rev in $tmp, shared target $CARGO_TARGET_DIR"
for clone in "$a" "$b"; do
  git clone -q "$repo" "$clone" && git -C "$clone" checkout -q "$rev" || exit 3
done
# Clone b's self-test fails on every seed, saying whose it is.
sed -i -e 's/if asked && seed % 2 == 1 {/if true {/' \
  -e 's/selftest failing on purpose with odd seed/selftest of clone b, seed/' \
  "$b/tests/tests/harness_selftest.rs"
grep -q "selftest of clone b" "$b/tests/tests/harness_selftest.rs" || exit 3
mkdir -p "$elsewhere"
cd "$elsewhere" || exit 3

# --- A shared target directory: each checkout runs its own tests. -------------------------------
sweep() { # sweep CLONE: repeat-test one seed of the self-test, run from elsewhere
  run "$tmp/sweep-$(basename "$1").out" "$1/scripts/repeat-test" -n 1 harness_selftest
}
own_sweep_a() {
  sweep "$a" && grep -q "^1 passed, 0 failed" "$tmp/sweep-a.out" &&
    ! grep -q "clone b" "$tmp/sweep-a.out" || { why="$(cat "$tmp/sweep-a.out")"; false; }
}
own_sweep_b() {
  ! sweep "$b" && grep -q "selftest of clone b, seed 1" "$tmp/sweep-b.out" &&
    grep -q "^0 passed, 1 failed" "$tmp/sweep-b.out" || { why="$(cat "$tmp/sweep-b.out")"; false; }
}
logs_in_own_checkout() {
  grep -q "clone b" "$b/target/repeat-test/$selftest/1.log" &&
    ! grep -q "clone b" "$a/target/repeat-test/$selftest/1.log" ||
    { why="logs: $(find "$a/target/repeat-test" "$b/target/repeat-test" 2>&1 | head -20)"; false; }
}
plain_cargo_test() { # plain_cargo_test CLONE: cargo's own freshness, keyed to the checkout
  (cd "$1" && run "$tmp/plain.out" cargo test -q --test harness_selftest)
}
own_plain_b() {
  ! plain_cargo_test "$b" && grep -q "selftest of clone b" "$tmp/plain.out" ||
    { why="$(tail -20 "$tmp/plain.out")"; false; }
}
own_plain_a() {
  plain_cargo_test "$a" || { why="$(tail -20 "$tmp/plain.out")"; false; }
}
# Each switch of checkout rebuilds the workspace's crates: a, b, a is three builds.
check "repeat-test in clone a runs clone a's self-test" own_sweep_a
check "repeat-test in clone b, same target dir, runs clone b's changed self-test" own_sweep_b
check "plain cargo test in clone b runs b's test too" own_plain_b
check "repeat-test in clone a again runs clone a's self-test, not b's" own_sweep_a
check "plain cargo test in clone a runs a's test, not b's" own_plain_a
check "each clone keeps its own logs in its target/, whatever CARGO_TARGET_DIR says" logs_in_own_checkout

# --- Relative paths mean the user's directory; traces land where the README says. --------------
printf '%s\n' '{"run":"made_up_2a","seed":5}' \
  '{"t_ns":150000000,"node":"raft-1","level":"DEBUG","target":"raft","msg":"asks for votes","topic":"vote","term":2}' \
  >"$elsewhere/mine.jsonl"
relative_view() {
  run "$tmp/view.out" "$a/scripts/view-trace" mine.jsonl --width 100 &&
    grep -q "T2 VOTE asks for votes" "$tmp/view.out" || { why="$(cat "$tmp/view.out")"; false; }
}
check "view-trace FILE takes a relative FILE from the user's directory" relative_view
readme_trace_workflow() {
  (cd "$a" && RAFT_LAB_TRACE=trace.jsonl run "$tmp/trace.out" cargo test -q --test harness_selftest &&
    run "$tmp/trace-view.out" scripts/view-trace trace.jsonl --topics timer --width 100) &&
    [ -s "$a/trace.jsonl" ] && [ ! -e "$a/tests/trace.jsonl" ] &&
    grep -q "raft-lab: writing the trace to $a/trace.jsonl" "$tmp/trace.out" &&
    grep -q "== run $selftest seed 1 ==" "$tmp/trace-view.out" && grep -q "TIMER tick" "$tmp/trace-view.out" ||
    { why="$(cat "$tmp/trace.out" "$tmp/trace-view.out" 2>&1; ls "$a" "$a/tests")"; false; }
}
check "RAFT_LAB_TRACE=trace.jsonl cargo test from the root writes ./trace.jsonl, says so, and view-trace shows it" \
  readme_trace_workflow

# --- The toolchain the README names is the one the manifest declares. ---------------------------
rust_version() {
  local versions
  versions="$(cd "$a" && cargo metadata --no-deps --format-version 1 |
    grep -o '"rust_version":"[^"]*"' | sort -u)"
  [ "$versions" = '"rust_version":"1.88"' ] && grep -q "Rust toolchain of 1.88 or later" "$a/README.md" ||
    { why="rust_version of the packages: ${versions:-none}"; false; }
}
check "every package declares rust-version 1.88, as the README says" rust_version
keyed_crates() { # a crate that does not read RAFT_LAB_CHECKOUT can be handed another checkout's build
  local lib unkeyed=""
  for lib in $(cd "$a" && cargo metadata --no-deps --format-version 1 |
    grep -o '"src_path":"[^"]*/src/lib\.rs"' | cut -d'"' -f4 | sort -u); do
    grep -rq 'option_env!("RAFT_LAB_CHECKOUT")' "$(dirname "$lib")" || unkeyed="$unkeyed $lib"
  done
  [ -z "$unkeyed" ] || { why="no option_env!(\"RAFT_LAB_CHECKOUT\") in:$unkeyed"; false; }
}
check "every crate of the workspace keys its build to the checkout" keyed_crates

# --- Bad arguments and bad files are errors, not panics or silence. ----------------------------
huge_timeout() {
  run "$tmp/timeout.out" "$a/scripts/repeat-test" --timeout=1e30 harness_selftest
  local status=$?
  [ "$status" -eq 2 ] && grep -q "timeout" "$tmp/timeout.out" && ! grep -q "panicked" "$tmp/timeout.out" ||
    { why="exit $status: $(cat "$tmp/timeout.out")"; false; }
}
check "repeat-test --timeout=1e30 is a usage error (exit 2), not a panic" huge_timeout
: >"$elsewhere/empty.jsonl"
printf 'not a trace\n' >"$elsewhere/junk.txt"
view_fails() { # view_fails PATTERN ARGS...: view-trace exits 2 saying PATTERN
  local pattern=$1
  shift
  run "$tmp/viewbad.out" "$a/scripts/view-trace" "$@"
  local status=$?
  [ "$status" -eq 2 ] && grep -q -- "$pattern" "$tmp/viewbad.out" ||
    { why="exit $status: $(cat "$tmp/viewbad.out")"; false; }
}
check "view-trace on an empty file exits 2 and says so" view_fails "is empty" empty.jsonl
check "view-trace on a file that is no trace exits 2 and says so" view_fails "not a raft-lab trace" junk.txt
check "view-trace --topics with no known topic exits 2 and lists the topics" \
  view_fails "no topic named votes; the topics are" mine.jsonl --topics votes

# The live bar, on a terminal (script gives the sweep one): every frame's done count is the sum of
# its passed and failed counts.
live_bar() {
  RAFT_LAB_SELFTEST_FAIL=1 script -qec "$a/scripts/repeat-test -n 6 -j 1 --seed 60 harness_selftest" \
    "$tmp/bar.typescript" >/dev/null 2>&1
  local frames
  frames="$(tr '\r' '\n' <"$tmp/bar.typescript" | grep -o '[0-9]*/6  [0-9]* passed, [0-9]* failed' | sort -u)"
  [ -n "$frames" ] || { why="no bar drawn: $(tail -5 "$tmp/bar.typescript")"; return 1; }
  local lagging
  lagging="$(printf '%s\n' "$frames" | awk '{ split($1, d, "/"); if (d[1] != $2 + $4) print }')"
  [ -z "$lagging" ] || { why="frames whose count lags: $lagging"; false; }
}
check "the live bar's done count matches its passed and failed counts" live_bar

# --- The demo's story is the trace's. -----------------------------------------------------------
demo_story() {
  (cd "$a" && RAFT_LAB_TRACE="$tmp/demo.jsonl" run "$tmp/demo.out" \
    cargo run -q -p raft-lab-tests --bin demo -- --seed 143) || { why="$(cat "$tmp/demo.out")"; return 1; }
  local missing="" peer term line
  # Every leader the trace elected, and the term every step-down saw, is in the story.
  while read -r line; do
    peer="$(printf '%s' "$line" | grep -o '"peer":[0-9]*' | cut -d: -f2)"
    term="$(printf '%s' "$line" | grep -o '"term":[0-9]*' | cut -d: -f2)"
    case "$line" in
    *'"became leader"'*) grep -Eq "(peer $peer is elected|elects peer $peer) leader of term $term\$" "$tmp/demo.out" ||
      missing="$missing; leader $peer of term $term" ;;
    *'"leader steps down'*) grep -q "peer $peer\b.* sees term $term and steps down" "$tmp/demo.out" ||
      missing="$missing; peer $peer stepping down on term $term" ;;
    esac
  done < <(grep -E '"msg":"(became leader|leader steps down[^"]*)"' "$tmp/demo.jsonl")
  [ -z "$missing" ] || { why="the story misses$missing: $(cat "$tmp/demo.out")"; false; }
}
check "demo --seed 143 names every leader and every step-down's term as traced" demo_story

# --- Documents the tools cite exist. ------------------------------------------------------------
cited_files() {
  local missing=""
  for f in $(grep -ho 'see [a-z/_.-]*\.md' "$a"/scripts/* 2>/dev/null | cut -d' ' -f2 | sort -u) \
    $(grep -o 'scripts/README\.md' "$a/README.md" | sort -u); do
    [ -f "$a/$f" ] || missing="$missing $f"
  done
  [ -f "$a/scripts/README.md" ] && [ -z "$missing" ] || { why="missing:${missing:- scripts/README.md}"; false; }
}
check "scripts/README.md, which the wrappers and the README cite, exists" cited_files

echo "newcomer: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
