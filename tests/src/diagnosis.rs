//! What a failing test adds to its message about the implementation under test.

use labrpc::Network;
use std::time::Duration;

/// A handler still running this long after its call arrived is named in failure messages. The
/// reference services answer at once (Raft) or within half a second (a KV request waiting for its
/// commit).
pub const UNANSWERED_AFTER: Duration = Duration::from_secs(1);

/// The handlers on `net` that have not replied for [`UNANSWERED_AFTER`], as lines to append to a
/// failure message; empty when there are none.
pub fn unanswered_note(net: &Network) -> String {
    let stuck = net.unanswered(UNANSWERED_AFTER);
    if stuck.is_empty() {
        return String::new();
    }
    let lines: Vec<String> = stuck.iter().map(|u| format!("\n    {u}")).collect();
    format!(
        "\n  handlers that have not replied (an RPC handler must return: one that waits forever \
         leaves its caller waiting or retrying):{}",
        lines.concat()
    )
}
