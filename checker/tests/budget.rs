//! The step budget bounds a check's time and memory, not only its count of list visits: work that
//! grows with the history (wide memo keys, long texts) is charged as steps. The case below is a
//! history built so that one step of the search would do work and keep memory in proportion to
//! the history; with a budget of 200,000 steps the check must end (as "unknown") within the steps
//! it was given, holding a bounded amount of memory and allocating a bounded amount per step
//! (counted, so the test does not depend on how fast the machine is). `cargo test -p checker
//! --test budget -- --nocapture` prints what each check cost, wall time included.

use checker::{Budget, CheckResult, History, Operation, check};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
// Real time only for the printed report (the checker is plain code, outside any simulation); the
// assertions count steps and bytes.
use std::time::Instant;

const BUDGET: Budget = Budget { max_steps: 200_000 };

/// Counts the bytes live on the heap, the most that were at once since the last reset, and every
/// byte ever allocated.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs a check and prints what it cost; returns its result, the bytes it allocated per step, and
/// the most heap it held beyond what was live before.
fn measure(name: &str, ops: Vec<Operation>) -> (CheckResult, f64, usize) {
    let n = ops.len();
    let history = History::from_ops(ops);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let allocated_before = ALLOCATED.load(Ordering::Relaxed);
    let start = Instant::now();
    let result = check(&history, BUDGET);
    let wall = start.elapsed();
    let allocated = ALLOCATED.load(Ordering::Relaxed) - allocated_before;
    let held = PEAK.load(Ordering::Relaxed) - before;
    let steps = match &result {
        CheckResult::Ok { steps }
        | CheckResult::Unknown { steps, .. }
        | CheckResult::Illegal { steps, .. } => *steps,
    };
    let per_step = allocated as f64 / steps.max(1) as f64;
    println!(
        "{name}: {n} ops, {} after {steps} steps, {:.3} s, {per_step:.0} bytes allocated/step, \
         {:.1} MB held",
        match result {
            CheckResult::Ok { .. } => "linearizable",
            CheckResult::Illegal { .. } => "not linearizable",
            CheckResult::Unknown { .. } => "unknown",
        },
        wall.as_secs_f64(),
        held as f64 / 1e6
    );
    (result, per_step, held)
}

/// A get that runs the whole history and reads more than its appends can write, over `n`
/// concurrent appends: the get can never be linearized, so every memo key spans its window of
/// `n` ops (n/64 words), and every subset of the appends is a state to try.
fn wide_window(n: u64) -> Vec<Operation> {
    let mut ops = vec![Operation::get(
        0,
        0,
        u64::MAX / 2,
        "k",
        &"a".repeat(n as usize + 1),
    )];
    for i in 0..n {
        ops.push(Operation::append(1 + i, 10 + i, 10_000_000 + i, "k", "a"));
    }
    ops
}

#[test]
fn what_a_budget_buys_does_not_grow_with_the_history() {
    let (small, small_bytes, small_held) = measure("wide window of 500", wide_window(500));
    let (large, large_bytes, large_held) = measure("wide window of 32,000", wide_window(32_000));
    for result in [small, large] {
        assert!(
            matches!(result, CheckResult::Unknown { steps, .. } if steps <= BUDGET.max_steps + 400),
            "{result:?}"
        );
    }
    // Uncharged, each memo key of the large case holds 500 words, and the memo grows with them.
    assert!(
        large_held < 12_000_000,
        "{} MB held for 200,000 steps on the large history ({} MB on the small one)",
        large_held / 1_000_000,
        small_held / 1_000_000
    );
    // Uncharged, each step of the large case builds a memo key 64 times the small case's.
    assert!(
        large_bytes < 2.0 * small_bytes + 48.0,
        "{large_bytes:.0} bytes allocated per step on the large history, {small_bytes:.0} on the \
         small one"
    );
}
