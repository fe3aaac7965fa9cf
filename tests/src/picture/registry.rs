//! What the testers of the running test register for its picture: the history its clients record
//! and, once checked, its verdict. Kept per thread, which is per run: each seed runs on a thread of
//! its own, and the end hook runs on it.

use checker::{Budget, CheckResult, History, Operation};
use std::cell::RefCell;

/// A check of a history the test did not check itself (it failed first) may take this much; the
/// picture shows "not decided" beyond it.
pub const LATE_CHECK: Budget = Budget {
    max_steps: 1_000_000,
};

#[derive(Default)]
pub struct Registered {
    history: Option<History>,
    /// The verdict of the last check of `history`, and how many operations it covered.
    verdict: Option<(CheckResult, usize)>,
}

thread_local! {
    static REGISTERED: RefCell<Registered> = RefCell::new(Registered::default());
}

/// The test's history: what its picture shows as operations.
pub fn history(history: &History) {
    REGISTERED.with(|r| r.borrow_mut().history = Some(history.clone()));
}

/// The verdict of a check of the first `ops` operations of the registered history.
pub fn verdict(result: &CheckResult, ops: usize) {
    REGISTERED.with(|r| r.borrow_mut().verdict = Some((result.clone(), ops)));
}

/// What was registered during this thread's run; the next run starts empty.
pub fn take() -> Registered {
    REGISTERED.with(|r| std::mem::take(&mut *r.borrow_mut()))
}

impl Registered {
    /// The operations, and a check of exactly them: the test's own if it covered them all, else
    /// one made now within [`LATE_CHECK`].
    pub fn ops_and_check(&self) -> (Vec<Operation>, Option<CheckResult>) {
        let Some(history) = &self.history else {
            return (Vec::new(), None);
        };
        let ops = history.snapshot();
        if ops.is_empty() {
            return (ops, None);
        }
        let check = match &self.verdict {
            Some((result, n)) if *n == ops.len() => result.clone(),
            _ => checker::check_ops(&ops, LATE_CHECK),
        };
        (ops, Some(check))
    }
}
