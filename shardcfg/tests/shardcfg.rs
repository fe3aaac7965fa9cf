//! The course's shardcfg unit test (TestBasic) and the configuration's refusals.

use shardcfg::{ConfigError, Gid, ShardConfig};
use std::collections::BTreeMap;

fn servers(gid: Gid, names: &[&str]) -> BTreeMap<Gid, Vec<String>> {
    BTreeMap::from([(gid, names.iter().map(|n| n.to_string()).collect())])
}

/// TestBasic: the empty configuration is valid; joining 1 then 2, and leaving 1 then 2, each gives
/// a valid configuration, and a group's servers keep their order.
#[test]
fn basic() {
    let mut cfg = ShardConfig::new();
    cfg.check(&[]).unwrap();

    cfg.join_balance(servers(1, &["x", "y", "z"])).unwrap();
    cfg.check(&[1]).unwrap();
    cfg.join_balance(servers(2, &["a", "b", "c"])).unwrap();
    cfg.check(&[1, 2]).unwrap();
    assert_eq!(cfg.groups[&1], ["x", "y", "z"]);
    assert_eq!(cfg.groups[&2], ["a", "b", "c"]);

    cfg.leave_balance(&[1]).unwrap();
    cfg.check(&[2]).unwrap();
    cfg.leave_balance(&[2]).unwrap();
    cfg.check(&[]).unwrap();
    assert_eq!(cfg.num, 4);
}

#[test]
fn a_refused_change_changes_nothing() {
    let mut cfg = ShardConfig::new();
    cfg.join_balance(servers(1, &["x"])).unwrap();
    let before = cfg.clone();

    assert_eq!(
        cfg.join_balance(servers(1, &["w"])),
        Err(ConfigError::AlreadyJoined(1))
    );
    let mut two = servers(2, &["a"]);
    two.insert(3, vec!["x".into()]);
    assert_eq!(
        cfg.join_balance(two),
        Err(ConfigError::ServerInTwoGroups {
            server: "x".into(),
            gids: (1, 3)
        })
    );
    assert_eq!(
        cfg.join_balance(BTreeMap::from([
            (2, vec!["s".into()]),
            (3, vec!["s".into()])
        ])),
        Err(ConfigError::ServerInTwoGroups {
            server: "s".into(),
            gids: (2, 3)
        })
    );
    assert_eq!(cfg.leave_balance(&[1, 7]), Err(ConfigError::NotPresent(7)));
    assert_eq!(cfg.leave_balance(&[]), Err(ConfigError::NoChange));
    assert_eq!(
        cfg.join_balance(BTreeMap::new()),
        Err(ConfigError::NoChange)
    );
    assert_eq!(cfg, before);
}

#[test]
fn a_configuration_round_trips_through_its_json_and_bad_json_is_an_error() {
    let mut cfg = ShardConfig::new();
    cfg.join_balance(servers(1, &["server-1-0", "server-1-1"]))
        .unwrap();
    cfg.join_balance(servers(2, &["server-2-0"])).unwrap();
    let text = cfg.to_json();
    assert!(
        text.starts_with("{\"Num\":2,\"Shards\":[2,2,2,2,2,2,1,1,1,1,1,1],\"Groups\":"),
        "{text}"
    );
    assert_eq!(ShardConfig::from_json(&text), Ok(cfg));
    assert!(matches!(
        ShardConfig::from_json("{\"Num\":1}"),
        Err(ConfigError::Malformed(_))
    ));
}

#[test]
fn check_finds_missing_groups_unassigned_shards_and_imbalance() {
    let mut cfg = ShardConfig::new();
    cfg.join_balance(servers(1, &["x"])).unwrap();
    cfg.join_balance(servers(2, &["y"])).unwrap();
    assert!(cfg.check(&[1]).is_err(), "wrong number of groups");
    assert!(cfg.check(&[1, 3]).is_err(), "missing group");
    let mut skewed = cfg.clone();
    skewed.shards = [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2];
    assert_eq!(
        skewed.check(&[1, 2]),
        Err(ConfigError::Check(
            "max 8 too much larger than min 4".into()
        ))
    );
    let mut orphan = cfg.clone();
    orphan.shards[3] = 9;
    assert_eq!(
        orphan.check(&[1, 2]),
        Err(ConfigError::Check("shard 3 -> invalid group 9".into()))
    );
    assert_eq!(cfg.gid_servers(0), (2, Some(&["y".to_string()][..])));
    assert!(cfg.is_member(1) && !cfg.is_member(3));
}
