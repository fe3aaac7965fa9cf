//! A killed peer closes its apply channel at once: the signal a service on top (an rsm) waits for
//! to answer its pending submissions, whatever else happens on the network.

use futures::StreamExt;
use raftapi::{ApplyMsg, Persister, Raft as _};
use std::time::Duration;

/// Far longer than a lone peer needs to elect itself and apply a command, in virtual time: a peer
/// that never does fails the test here instead of hanging it.
const LONE_PEER: Duration = Duration::from_secs(10);

#[test]
fn kill_closes_the_apply_channel_without_waiting_for_another_event() {
    let rt = madsim::runtime::Runtime::with_seed_and_config(1, madsim::Config::default());
    rt.block_on(async {
        let net = labrpc::Network::new();
        let (tx, mut applied) = futures::channel::mpsc::channel(8);
        let peer = raft::Raft::make(vec![net.make_end("self")], 0, Persister::new(), tx)
            .expect("a fresh persister holds no state to reject");
        // A lone peer elects itself, then commits and applies on its own, well within LONE_PEER.
        let first = madsim::time::timeout(LONE_PEER, async {
            while !peer.state().1 {
                madsim::time::sleep(Duration::from_millis(10)).await;
            }
            peer.start(b"x".to_vec())
                .expect("the leader accepts a command");
            applied.next().await
        })
        .await
        .expect("a lone peer elects itself and applies its first command");
        assert!(
            matches!(first, Some(ApplyMsg::Command { index: 1, .. })),
            "{first:?}"
        );

        peer.kill();
        let next = madsim::time::timeout(Duration::from_millis(1), applied.next()).await;
        assert!(
            matches!(next, Ok(None)),
            "the apply channel must close within 1 ms of kill, got {next:?}"
        );
    });
}
