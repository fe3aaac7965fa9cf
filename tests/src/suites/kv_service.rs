//! The current course's KV service tests, 4B and 4C (docs/lab-tests-2026.md §7–§8), on the
//! replicated versioned KV under test. Most are GenericTest with one tuple; the others are here.

use crate::TestedKv4 as K;
use crate::kv4::{GenericTest, Kv4Test, Setup, generic_test_speed};
use crate::server_group::make_partition;
use madsim::time::{sleep, timeout};
use raftapi::ReplicatedClerk;
use std::time::Duration;

/// The course's sleep unit.
const ELECTION_TIMEOUT: Duration = Duration::from_secs(1);
/// maxraftstate of the 4C tests.
const MAXRAFTSTATE: i64 = 1000;
/// 4C: the persisted Raft state may be at most this large where the tests look.
const MAX_LOG_SIZE: usize = 8 * MAXRAFTSTATE as usize;

/// GenericTest(clients, servers, …) of part 4B.
fn g4b(nclients: usize, nservers: usize) -> GenericTest {
    GenericTest::new("4B", nclients, nservers)
}

/// GenericTest(clients, servers, …) of part 4C: with snapshots.
fn g4c(nclients: usize, nservers: usize) -> GenericTest {
    GenericTest::new("4C", nclients, nservers).maxraftstate(MAXRAFTSTATE)
}

pub async fn basic_4b() {
    g4b(1, 5).run::<K>().await;
}

pub async fn speed_4b() {
    generic_test_speed::<K>("4B", -1).await;
}

pub async fn concurrent_4b() {
    g4b(5, 5).run::<K>().await;
}

pub async fn unreliable_4b() {
    g4b(5, 5).unreliable().run::<K>().await;
}

pub async fn many_partitions_one_client_4b() {
    g4b(1, 5).partitions().run::<K>().await;
}

pub async fn many_partitions_many_clients_4b() {
    g4b(5, 5).partitions().run::<K>().await;
}

pub async fn persist_one_client_4b() {
    g4b(1, 5).crash().run::<K>().await;
}

pub async fn persist_concurrent_4b() {
    g4b(5, 5).crash().run::<K>().await;
}

pub async fn persist_concurrent_unreliable_4b() {
    g4b(5, 5).unreliable().crash().run::<K>().await;
}

pub async fn persist_partition_4b() {
    g4b(5, 5).crash().partitions().run::<K>().await;
}

pub async fn persist_partition_unreliable_4b() {
    g4b(5, 5).unreliable().crash().partitions().run::<K>().await;
}

pub async fn persist_partition_unreliable_linearizable_4b() {
    g4b(15, 7)
        .unreliable()
        .crash()
        .partitions()
        .random_keys()
        .run::<K>()
        .await;
}

/// OnePartition: progress in the majority, none in the minority, and completion after healing
/// (three Passed lines), on an unreliable network.
pub async fn one_partition_4b() {
    let nservers = 5;
    let setup = Setup {
        nservers,
        reliable: false,
        crash: false,
        partitions: false,
        maxraftstate: -1,
    };
    let ts = Kv4Test::<K>::new(setup).await;
    let wl = ts.workload();
    let ck = ts.make_clerk();

    ts.begin("Test: one client (4B progress in majority)");
    let ver0 = wl.put_at_least_once(&ck, "1", "13", 0, 0).await;
    let Some(leader) = ck.clerk().leader() else {
        wl.fail("the clerk knows no leader after a put answered");
    };
    let (p1, p2) = make_partition(nservers, leader);
    ts.group().partition(&p1, &p2);
    let ckp1 = ts.make_clerk_to(&p1);
    let ckp2a = ts.make_clerk_to(&p2);
    let ckp2b = ts.make_clerk_to(&p2);
    let ver1 = wl.put_at_least_once(&ckp1, "1", "14", ver0, 1).await;
    wl.check_get(&ckp1, "1", "14", ver1).await;
    ts.end();

    ts.begin("Test: no progress in minority (4B)");
    let put = {
        let (wl, ck) = (wl.clone(), ckp2a.clone());
        madsim::task::spawn(async move { wl.put_at_least_once(&ck, "1", "15", ver1, 2).await })
    };
    let get = {
        let (wl, ck) = (wl.clone(), ckp2b.clone());
        madsim::task::spawn(async move { wl.get(&ck, "1", 3).await })
    };
    sleep(ELECTION_TIMEOUT).await;
    if put.is_finished() {
        wl.fail("Put in minority completed");
    }
    if get.is_finished() {
        wl.fail("Get in minority completed");
    }
    wl.check_get(&ckp1, "1", "14", ver1).await;
    let ver2 = wl.put_at_least_once(&ckp1, "1", "16", ver1, 1).await;
    wl.check_get(&ckp1, "1", "16", ver2).await;
    ts.end();

    ts.begin("Test: completion after heal (4B)");
    ts.group().connect_all();
    ts.connect_clerk_to(&ckp2a, &(0..nservers).collect::<Vec<_>>());
    ts.connect_clerk_to(&ckp2b, &(0..nservers).collect::<Vec<_>>());
    sleep(ELECTION_TIMEOUT).await;
    let ver15 = match timeout(3 * ELECTION_TIMEOUT, put).await {
        Ok(Ok(version)) => version,
        Ok(Err(e)) => wl.fail(&format!("the minority Put's task failed: {e:?}")),
        Err(_) => wl.fail("Put did not complete"),
    };
    // The Get is not required to have finished (the course does not wait for it either).
    drop(get);
    wl.check_get(&ck, "1", "15", ver15).await;
    ts.end();
    ts.cleanup();
}

/// SnapshotRPC: a server cut off while the others snapshot catches up by InstallSnapshot.
pub async fn snapshot_rpc_4c() {
    let setup = Setup {
        nservers: 3,
        reliable: true,
        crash: false,
        partitions: false,
        maxraftstate: MAXRAFTSTATE,
    };
    let ts = Kv4Test::<K>::new(setup).await;
    ts.begin(&crate::kv4::generic::title(
        "4C SnapshotsRPC",
        1,
        setup,
        false,
    ));
    let wl = ts.workload();
    let ck = ts.make_clerk();
    ts.begin("Test: InstallSnapshot RPC (4C)");

    let ver = wl.put_at_least_once(&ck, "a", "A", 0, 0).await;
    wl.check_get(&ck, "a", "A", ver).await;

    // A bunch of puts into the majority partition.
    ts.group().partition(&[0, 1], &[2]);
    {
        let ck1 = ts.make_clerk_to(&[0, 1]);
        for i in 0..50 {
            let k = i.to_string();
            wl.put_at_least_once(&ck1, &k, &k, 0, 1).await;
        }
        sleep(ELECTION_TIMEOUT).await;
        wl.put_at_least_once(&ck1, "b", "B", 0, 1).await;
    }

    // Check that the majority partition has thrown away most of its log entries.
    let size = ts.log_size();
    if size > MAX_LOG_SIZE {
        wl.fail(&format!("logs were not trimmed ({size} > {MAX_LOG_SIZE})"));
    }

    // Now make a group that requires participation of the lagging server, so it has to catch up
    // by InstallSnapshot.
    ts.group().partition(&[0, 2], &[1]);
    {
        let ck1 = ts.make_clerk_to(&[0, 2]);
        wl.put_at_least_once(&ck1, "c", "C", 0, 1).await;
        wl.put_at_least_once(&ck1, "d", "D", 0, 1).await;
        wl.check_get(&ck1, "a", "A", 1).await;
        wl.check_get(&ck1, "b", "B", 1).await;
        wl.check_get(&ck1, "1", "1", 1).await;
        wl.check_get(&ck1, "49", "49", 1).await;
    }

    // Now everybody.
    ts.group().partition(&[0, 1, 2], &[]);
    wl.put_at_least_once(&ck, "e", "E", 0, 0).await;
    wl.check_get(&ck, "c", "C", 1).await;
    wl.check_get(&ck, "e", "E", 1).await;
    wl.check_get(&ck, "1", "1", 1).await;
    ts.end();
    ts.cleanup();
}

/// SnapshotSize: snapshots stay small when the state is small (a server must not snapshot, say,
/// its whole dedup history or log).
pub async fn snapshot_size_4c() {
    let setup = Setup {
        nservers: 3,
        reliable: true,
        crash: false,
        partitions: false,
        maxraftstate: MAXRAFTSTATE,
    };
    let max_snapshot_state = 500;
    let ts = Kv4Test::<K>::new(setup).await;
    ts.begin(&crate::kv4::generic::title("4C", 1, setup, false));
    let wl = ts.workload();
    let ck = ts.make_clerk();
    let mut ver = 0;
    for _ in 0..200 {
        ver = wl.put_at_least_once(&ck, "x", "0", ver, 0).await;
        wl.check_get(&ck, "x", "0", ver).await;
        ver = wl.put_at_least_once(&ck, "x", "1", ver, 0).await;
        wl.check_get(&ck, "x", "1", ver).await;
    }
    // Check that the servers have thrown away most of their log entries.
    let size = ts.log_size();
    if size > MAX_LOG_SIZE {
        wl.fail(&format!("logs were not trimmed ({size} > {MAX_LOG_SIZE})"));
    }
    // Check that the snapshots are not unreasonably large.
    let snapshot = ts.snapshot_size();
    if snapshot > max_snapshot_state {
        wl.fail(&format!(
            "snapshot too large ({snapshot} > {max_snapshot_state})"
        ));
    }
    ts.end();
    ts.cleanup();
}

pub async fn speed_4c() {
    generic_test_speed::<K>("4C", MAXRAFTSTATE).await;
}

pub async fn snapshot_recover_4c() {
    g4c(1, 5).crash().run::<K>().await;
}

pub async fn snapshot_recover_many_clients_4c() {
    g4c(20, 5).crash().run::<K>().await;
}

pub async fn snapshot_unreliable_4c() {
    g4c(5, 5).unreliable().run::<K>().await;
}

pub async fn snapshot_unreliable_recover_4c() {
    g4c(5, 5).unreliable().crash().run::<K>().await;
}

pub async fn snapshot_unreliable_recover_concurrent_partition_4c() {
    g4c(5, 5).unreliable().crash().partitions().run::<K>().await;
}

pub async fn snapshot_unreliable_recover_concurrent_partition_linearizable_4c() {
    g4c(15, 7)
        .unreliable()
        .crash()
        .partitions()
        .random_keys()
        .run::<K>()
        .await;
}
