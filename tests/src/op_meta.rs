//! How a clerk served one operation, learned without knowing the clerk: the tester reads the
//! network's stats of the clerk's ends before and after the operation (labrpc counts calls per
//! end and remembers each end's last delivered reply). Calls beyond the first are retries; the
//! newest reply delivered meanwhile came from the server that answered; that server's term at
//! return is asked of the tester, which knows the servers.

use checker::OpMeta;
use labrpc::Network;

/// A clerk's ends, before an operation.
#[derive(Clone, Copy, Debug)]
pub struct Before {
    calls: u64,
    /// The newest reply any of the ends had had.
    seq: u64,
}

/// Reads the ends named `ends` (end j leads to server j).
pub fn before(net: &Network, ends: &[String]) -> Before {
    let mut b = Before { calls: 0, seq: 0 };
    for end in ends {
        if let Some(stats) = net.end_stats(end) {
            b.calls += stats.calls;
            b.seq = b.seq.max(stats.last_reply.map_or(0, |r| r.seq));
        }
    }
    b
}

/// What the ends did since `before`: the retries, the server whose reply came last (by name) and
/// its term, as `term_of(j)` says for server j.
pub fn after(
    net: &Network,
    ends: &[String],
    before: Before,
    term_of: impl Fn(usize) -> Option<u64>,
) -> OpMeta {
    let mut calls = 0;
    let mut newest: Option<(u64, usize, std::sync::Arc<str>)> = None;
    for (j, end) in ends.iter().enumerate() {
        let Some(stats) = net.end_stats(end) else {
            continue;
        };
        calls += stats.calls;
        if let Some(reply) = stats.last_reply
            && reply.seq > before.seq
            && newest.as_ref().is_none_or(|n| reply.seq > n.0)
        {
            newest = Some((reply.seq, j, reply.server));
        }
    }
    let made = calls.saturating_sub(before.calls);
    OpMeta {
        term: newest.as_ref().and_then(|n| term_of(n.1)),
        server: newest.map(|n| n.2.to_string()),
        retries: (made > 0).then(|| made - 1),
    }
}
