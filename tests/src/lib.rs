//! raft-lab's testers: the helpers the lab suites in `tests/` are written in.
//!
//! The testers speak only to the contract (`raftapi`); the suites run them on the implementations
//! the `under-test` crate names, through the aliases here ([`Config`], [`KvConfig`], [`RsmTest`]).
//!
//! - [`run()`]: runs a test for the seeds asked for and prints the replay command of a failure.
//! - [`commands`]: the tester's commands (ints and strings) and the bytes Raft carries.
//! - [`raft_applier`]: what every peer applied, the apply checks, and the snapshot applier.
//! - [`raft_config`]: the Raft tester config of docs/lab-tests-2023.md §2.
//! - [`server_group`]: a group of replicated servers of any type, for every tester of a service on
//!   Raft; [`kv_cluster`]: the 2023 KV service's replicas on it, for every 2023 KV tester.
//! - [`kv_config`], [`kv_generic`], [`kv_partitioner`], [`kv_history`], [`kv_appends`]: the KV tester
//!   of docs/lab-tests-2023.md §4.
//! - [`kv4`]: the KV tester of the current course (Lab 4B–4C).
//! - [`rsm`]: the rsm tester of the current course (Lab 4A and the 4C rsm snapshot test).
//! - [`fuzz`]: the fault-schedule fuzzers.
//! - [`suites`]: the bodies of the lab tests; each test target runs them for its [`Edition`].
//! - [`workload`]: the current course's workload library on any versioned KV (Labs 2, 4, 5).
//! - [`kvsrv_config`]: the Lab 2 tester (one kvsrv); [`heap`]: counting a server's memory.
//! - [`shardkv`]: the Lab 5 tester (shard groups, controllers, the controllers' kvsrv).
//! - [`time_limit`]: the 120 s of virtual time a KV test may take.
//! - [`picture`]: the picture of a run (faults, peers' roles, operations, the failure), drawn at
//!   the end of every failing run; [`op_meta`]: how a clerk served an operation.
//! - [`demo_story`]: the demo's story, told from the peers' own events in virtual time.

/// The checkout this crate was built from (`.cargo/config.toml`). Reading it makes cargo rebuild the
/// crate when another checkout sharing the target directory builds it, instead of trusting file times.
const _BUILT_FROM: Option<&str> = option_env!("RAFT_LAB_CHECKOUT");

pub mod commands;
pub mod demo_story;
pub mod diagnosis;
mod edition;
pub mod fresh;
pub mod fuzz;
pub mod heap;
pub mod kv4;
pub mod kv_appends;
pub mod kv_cluster;
pub mod kv_config;
pub mod kv_generic;
pub mod kv_history;
pub mod kv_partitioner;
pub mod kvsrv_config;
pub mod op_meta;
pub mod picture;
pub mod raft_applier;
pub mod raft_config;
pub mod rsm;
mod run;
pub mod server_group;
pub mod shardkv;
pub mod suites;
pub mod test_run;
pub mod time_limit;
pub mod workload;

pub use commands::{Cmd, rand_int, rand_int31, rand_string};
pub use edition::Edition;
pub use raft_config::{ELECTION_TIMEOUT, MAX_LOG_SIZE};
pub use run::{replay_command, run, test_target};

/// The Raft under test.
pub type TestedRaft = under_test::Raft;
/// The 2023 key/value service under test: its replica and its clerk.
pub type TestedKv = (under_test::KvServer, under_test::KvClerk);

/// The current course's replicated KV service under test (Lab 4B–4C): its replica and its clerk.
pub type TestedKv4 = (under_test::VersionedKvServer, under_test::VersionedKvClerk);

/// The rsm layer under test, replicating the state machine `SM`.
pub type TestedRsm<SM> = under_test::Rsm<SM>;

/// The Raft tester on the Raft under test.
pub type Config = raft_config::Config<TestedRaft>;
/// The KV tester on the service under test.
pub type KvConfig = kv_config::KvConfig<TestedKv>;

/// Lab 2's kvsrv under test: its server and its clerk.
pub type TestedKvSrv = (under_test::KvSrvServer, under_test::KvSrvClerk);
/// A tester's clerk of the kvsrv under test.
pub type TestedKvSrvClerk = workload::TestClerk<under_test::KvSrvClerk>;
/// The lock under test, on the tester's clerks of the kvsrv under test.
pub type TestedLock = under_test::Lock<TestedKvSrvClerk>;

/// The Lab 2 tester on the kvsrv under test.
pub type KvSrvConfig = kvsrv_config::KvSrvConfig<TestedKvSrv>;

/// The rsm tester on the rsm under test.
pub type RsmTest = rsm::RsmTest<TestedRsm<rsm::Counter>>;

/// Lab 5's sharded KV under test: the controllers' kvsrv, the shard group server, the controller
/// and the sharded clerk.
pub type TestedShardKv = (
    under_test::KvSrvServer,
    under_test::ShardGrpServer,
    under_test::ShardCtrler,
    under_test::ShardKvClerk,
);

/// The controller under test.
pub type TestedShardCtrler = under_test::ShardCtrler;

/// The Lab 5 tester on the sharded KV under test.
pub type ShardKvTest = shardkv::ShardKvTest<TestedShardKv>;
