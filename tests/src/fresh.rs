//! What the lab's testers give a (re)started server or a new clerk: a fresh client end to every server,
//! each under a new random 20-character name (docs/lab-tests-2023.md §1), and for a server a copy of
//! what its previous incarnation persisted.

use labrpc::{ClientEnd, Network};
use raftapi::Persister;

/// `n` new ends, end j connected to the server named `server_name(j)` (not yet enabled), with their
/// names. The names are drawn from the seed before any end is made.
pub fn ends(
    net: &Network,
    n: usize,
    server_name: impl Fn(usize) -> String,
) -> (Vec<String>, Vec<ClientEnd>) {
    ends_to(net, n, &server_name)
}

/// [`ends`], with the server names given by any function (a tester's own naming).
pub fn ends_to(
    net: &Network,
    n: usize,
    server_name: &dyn Fn(usize) -> String,
) -> (Vec<String>, Vec<ClientEnd>) {
    let names: Vec<String> = (0..n).map(|_| sim::rng::random_name(20)).collect();
    let ends = names
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let end = net.make_end(name);
            net.connect(name, &server_name(j));
            end
        })
        .collect();
    (names, ends)
}

/// The persister for a server starting now: a copy of `saved` (or a new one), which also becomes
/// `saved`, so a late write from an old incarnation can never reach the new one.
pub fn persister(saved: &mut Option<Persister>) -> Persister {
    let persister = saved.as_ref().map_or_else(Persister::new, Persister::copy);
    *saved = Some(persister.clone());
    persister
}
