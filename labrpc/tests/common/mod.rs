//! Helpers shared by the labrpc integration tests: a small "Math" service whose handlers count
//! how often they ran, and ends wired to it. Tests run under `sim::run`, so `MADSIM_TEST_SEED` and
//! `MADSIM_TEST_NUM` choose their seeds.
#![allow(dead_code)] // each test file uses a different subset

use labrpc::{ClientEnd, Network, Server, Service};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub a: u64,
    pub b: u64,
}

/// How many times the handlers of one server ran (started, and finished).
#[derive(Clone, Default)]
pub struct Runs {
    pub started: Arc<AtomicU64>,
    pub finished: Arc<AtomicU64>,
}

impl Runs {
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::SeqCst)
    }
    pub fn finished(&self) -> u64 {
        self.finished.load(Ordering::SeqCst)
    }
}

/// A "Math" service: `Add` returns a + b at once; `SlowAdd` sleeps `a` ms first.
pub fn math_service(runs: &Runs) -> Service {
    let (s1, f1) = (runs.started.clone(), runs.finished.clone());
    let (s2, f2) = (runs.started.clone(), runs.finished.clone());
    Service::new("Math")
        .method("Add", move |p: Pair| {
            s1.fetch_add(1, Ordering::SeqCst);
            f1.fetch_add(1, Ordering::SeqCst);
            async move { p.a + p.b }
        })
        .method("SlowAdd", move |p: Pair| {
            s2.fetch_add(1, Ordering::SeqCst);
            let f2 = f2.clone();
            async move {
                madsim::time::sleep(Duration::from_millis(p.a)).await;
                f2.fetch_add(1, Ordering::SeqCst);
                p.a + p.b
            }
        })
}

/// Registers a fresh Math server named `name` on a new node, and returns its run counters.
pub fn add_math_server(net: &Network, name: &str) -> (Runs, madsim::runtime::NodeHandle) {
    let runs = Runs::default();
    let node = sim::node::create(name);
    let mut server = Server::new(node.clone());
    server.add_service(math_service(&runs));
    net.add_server(name, server);
    (runs, node)
}

/// A new end named `end`, connected to `server` and enabled.
pub fn live_end(net: &Network, end: &str, server: &str) -> ClientEnd {
    let e = net.make_end(end);
    net.connect(end, server);
    net.enable(end, true);
    e
}

pub fn now() -> madsim::time::Instant {
    madsim::time::Instant::now()
}
