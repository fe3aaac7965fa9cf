//! The lab's limit of 120 s of virtual time per test, counted from the making of the config: the
//! KV testers check it at End and cleanup, and a watchdog enforces it while the test runs, so a
//! hung test fails at its limit.

use madsim::time::sleep;
use std::time::Duration;

/// Each test must finish within this much virtual time after its config is made.
pub const TEST_TIME_LIMIT: Duration = Duration::from_secs(120);

/// The failure message if more than the limit has passed since `created` (virtual time).
pub fn overrun(created: Duration) -> Option<String> {
    let elapsed = sim::node::now() - created;
    (elapsed > TEST_TIME_LIMIT).then(|| {
        format!(
            "test took longer than {} seconds of virtual time ({:.1} s)",
            TEST_TIME_LIMIT.as_secs(),
            elapsed.as_secs_f64()
        )
    })
}

/// Calls `expired` with the failure message once the limit has passed from now; `expired` decides
/// whether the test is still running. The task dies with the simulation when the test body returns,
/// so `expired` should hold only weak handles on the test's state.
pub fn watch(expired: impl FnOnce(&str) + Send + 'static) {
    madsim::task::spawn(async move {
        sleep(TEST_TIME_LIMIT).await;
        expired(&format!(
            "test still running after {} seconds of virtual time (the lab's limit)",
            TEST_TIME_LIMIT.as_secs()
        ));
    });
}
