//! The linearizability checker on hand-made and generated histories.

use checker::{Budget, CheckResult, History, KeyVerdict, Operation, check, check_ops};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn verdict(ops: Vec<Operation>) -> CheckResult {
    check(&History::from_ops(ops), Budget::DEFAULT)
}

fn illegal_key(result: &CheckResult) -> &str {
    match result {
        CheckResult::Illegal { key, .. } => key,
        other => panic!("expected Illegal, got {other:?}"),
    }
}

#[test]
fn empty_history_is_linearizable() {
    assert_eq!(verdict(vec![]), CheckResult::Ok { steps: 0 });
}

#[test]
fn sequential_history_is_linearizable() {
    let ops = vec![
        Operation::get(0, 0, 10, "k", ""),
        Operation::put(0, 20, 30, "k", "a"),
        Operation::append(0, 40, 50, "k", "b"),
        Operation::get(0, 60, 70, "k", "ab"),
        Operation::put(0, 80, 90, "k", ""),
        Operation::get(0, 100, 110, "k", ""),
    ];
    assert!(verdict(ops).is_ok());
}

#[test]
fn sequential_wrong_read_is_illegal() {
    let ops = vec![
        Operation::put(0, 0, 10, "k", "a"),
        Operation::get(0, 20, 30, "k", "b"),
    ];
    assert_eq!(illegal_key(&verdict(ops)), "k");
}

#[test]
fn concurrent_ops_linearizable_in_only_one_order() {
    // Three overlapping appends; the reads fix their order as b, c, a (the reverse of call order
    // for a), which the search must find.
    let ops = vec![
        Operation::append(1, 0, 100, "k", "a"),
        Operation::append(2, 10, 100, "k", "b"),
        Operation::append(3, 20, 100, "k", "c"),
        Operation::get(4, 30, 40, "k", "b"),
        Operation::get(4, 50, 60, "k", "bc"),
        Operation::get(4, 110, 120, "k", "bca"),
    ];
    assert!(verdict(ops.clone()).is_ok());
    // Any read contradicting that order is caught.
    let mut bad = ops;
    bad[5] = Operation::get(4, 110, 120, "k", "bac");
    assert_eq!(illegal_key(&verdict(bad)), "k");
}

#[test]
fn stale_read_after_completed_put_is_illegal() {
    let ops = vec![
        Operation::put(1, 0, 10, "x", "1"),
        Operation::put(2, 20, 30, "x", "2"),
        Operation::get(3, 40, 50, "x", "1"),
    ];
    let result = verdict(ops);
    let CheckResult::Illegal {
        key,
        longest_prefix,
        keys,
        ..
    } = &result
    else {
        panic!("expected Illegal, got {result:?}");
    };
    assert_eq!(key, "x");
    assert_eq!(longest_prefix, &vec![0, 1]);
    let detail = &keys[0];
    assert_eq!(detail.verdict, KeyVerdict::NotLinearizable);
    assert_eq!(detail.longest_through(0), Some(vec![0, 1]));
    assert_eq!(
        detail.longest_through(2),
        None,
        "the stale get fits no prefix"
    );
    assert!(
        result.to_string().contains("covers 2 of its 3 operations"),
        "{result}"
    );
}

#[test]
fn read_overlapping_a_put_may_see_either_value() {
    for seen in ["1", "2"] {
        let ops = vec![
            Operation::put(1, 0, 10, "x", "1"),
            Operation::put(2, 20, 50, "x", "2"),
            Operation::get(3, 30, 40, "x", seen),
        ];
        assert!(verdict(ops).is_ok(), "read {seen}");
    }
    // ...but not flip back once it has seen the new value.
    let ops = vec![
        Operation::put(1, 0, 10, "x", "1"),
        Operation::put(2, 20, 90, "x", "2"),
        Operation::get(3, 30, 40, "x", "2"),
        Operation::get(3, 50, 60, "x", "1"),
    ];
    assert!(!verdict(ops).is_ok());
}

#[test]
fn put_append_get_mix() {
    let ops = vec![
        Operation::put(1, 0, 10, "k", "p"),
        Operation::append(1, 20, 60, "k", "1"),
        Operation::append(2, 25, 35, "k", "2"),
        Operation::get(3, 30, 70, "k", "p21"),
        Operation::put(2, 80, 90, "k", "q"),
        Operation::append(1, 85, 95, "k", "3"),
        Operation::get(3, 100, 110, "k", "q3"),
    ];
    assert!(verdict(ops.clone()).is_ok());
    // The last append may come before or after the concurrent put...
    let mut overwritten = ops.clone();
    overwritten[6] = Operation::get(3, 100, 110, "k", "q");
    assert!(verdict(overwritten).is_ok());
    // ...but the put, which returned before the get was called, cannot be missing.
    let mut lost_put = ops;
    lost_put[6] = Operation::get(3, 100, 110, "k", "p213");
    assert!(!verdict(lost_put).is_ok());
}

#[test]
fn only_the_bad_key_is_named() {
    let ops = vec![
        Operation::put(1, 0, 10, "a", "1"),
        Operation::put(1, 0, 10, "b", "1"),
        Operation::put(1, 0, 10, "c", "1"),
        Operation::get(2, 20, 30, "a", "1"),
        Operation::get(2, 20, 30, "b", ""),
        Operation::get(2, 20, 30, "c", "1"),
    ];
    let result = verdict(ops);
    assert_eq!(illegal_key(&result), "b");
    let CheckResult::Illegal { keys, .. } = &result else {
        unreachable!()
    };
    let verdicts: Vec<_> = keys.iter().map(|d| (d.key.as_str(), d.verdict)).collect();
    assert_eq!(
        verdicts,
        [
            ("a", KeyVerdict::Linearizable),
            ("b", KeyVerdict::NotLinearizable),
            ("c", KeyVerdict::Linearizable)
        ]
    );
    // A linearizable key's ops all sit in its full linearization.
    assert_eq!(keys[0].longest_through(3), Some(vec![0, 3]));
}

#[test]
fn touching_intervals_are_concurrent() {
    // The get is called at the instant the put returns, so it may take effect before the put.
    let ops = vec![
        Operation::put(1, 0, 10, "k", "v"),
        Operation::get(2, 10, 20, "k", ""),
    ];
    assert!(verdict(ops).is_ok());
    let ops = vec![
        Operation::put(1, 0, 10, "k", "v"),
        Operation::get(2, 11, 20, "k", ""),
    ];
    assert!(!verdict(ops).is_ok());
}

/// `n` mutually concurrent appends of "a", and a read of one "a" more than they can produce: every
/// subset of the appends is a distinct search state, so refuting it takes about n·2^n steps.
fn hopeless(n: u64, key: &str) -> Vec<Operation> {
    let mut ops: Vec<Operation> = (0..n)
        .map(|c| Operation::append(c, c, 1000, key, "a"))
        .collect();
    ops.push(Operation::get(
        n,
        500,
        2000,
        key,
        &"a".repeat(n as usize + 1),
    ));
    ops
}

#[test]
fn exhausted_budget_is_unknown() {
    let history = History::from_ops(hopeless(12, "k"));
    let result = check(&history, Budget { max_steps: 1000 });
    assert_eq!(
        result,
        CheckResult::Unknown {
            key: "k".into(),
            steps: 1000
        }
    );
    assert!(result.to_string().contains("not a pass"));
    let zero = check(&history, Budget { max_steps: 0 });
    assert_eq!(
        zero,
        CheckResult::Unknown {
            key: "k".into(),
            steps: 0
        }
    );
    // With enough budget the same history is proven illegal.
    assert_eq!(illegal_key(&check(&history, Budget::DEFAULT)), "k");
}

#[test]
fn illegal_key_outranks_an_unknown_one() {
    let mut ops = hopeless(12, "a");
    ops.push(Operation::put(1, 3000, 3001, "b", "1"));
    ops.push(Operation::get(1, 3002, 3003, "b", "2"));
    let result = check(&History::from_ops(ops), Budget { max_steps: 1000 });
    assert_eq!(illegal_key(&result), "b");
}

#[test]
fn history_records_through_clones() {
    let history = History::new();
    let handle = history.clone();
    handle.record(Operation::put(1, 0, 10, "k", "v"));
    history.record(Operation::get(2, 20, 30, "k", "v"));
    assert_eq!(history.len(), 2);
    assert!(check(&handle, Budget::DEFAULT).is_ok());
}

/// Builds a linearizable history: each client runs operations one after another; each takes
/// effect on a real register at a random instant inside its interval. Some operations are very
/// long, like a client stuck behind a partition.
/// Values are unique unless `alphabet` is given, in which case they are drawn from it.
fn random_history(
    rng: &mut ChaCha8Rng,
    clients: u64,
    keys: u64,
    per_client: u64,
    alphabet: &[&str],
) -> Vec<Operation> {
    struct Planned {
        client: u64,
        call: u64,
        effect: u64,
        ret: u64,
        kind: u8,
        key: String,
        value: String,
    }
    let mut planned = Vec::new();
    for client in 0..clients {
        let mut t = rng.gen_range(0..1000);
        for j in 0..per_client {
            let stretch = if rng.gen_bool(0.02) { 50 } else { 1 };
            let call = t;
            let effect = call + rng.gen_range(0..=1000) * stretch;
            let ret = effect + rng.gen_range(0..=1000) * stretch;
            planned.push(Planned {
                client,
                call,
                effect,
                ret,
                kind: rng.gen_range(0..10),
                key: rng.gen_range(0..keys).to_string(),
                value: if alphabet.is_empty() {
                    format!("x {client} {j} y")
                } else {
                    alphabet[rng.gen_range(0..alphabet.len())].to_string()
                },
            });
            t = ret + rng.gen_range(0..=200); // 0 gives touching intervals
        }
    }
    planned.sort_by_key(|p| p.effect);
    let mut register = std::collections::BTreeMap::<String, String>::new();
    let mut ops: Vec<Operation> = planned
        .into_iter()
        .map(|p| {
            let state = register.entry(p.key.clone()).or_default();
            match p.kind {
                0..=3 => Operation::get(p.client, p.call, p.ret, &p.key, state),
                4 => {
                    *state = p.value.clone();
                    Operation::put(p.client, p.call, p.ret, &p.key, &p.value)
                }
                _ => {
                    state.push_str(&p.value);
                    Operation::append(p.client, p.call, p.ret, &p.key, &p.value)
                }
            }
        })
        .collect();
    // Record in return order, like tests do.
    ops.sort_by_key(|o| o.ret);
    ops
}

#[test]
fn large_random_linearizable_histories_check_within_default_budget() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    for (clients, keys, per_client) in [(15, 15, 400), (15, 1, 200), (5, 5, 1000), (1, 1, 5000)] {
        let ops = random_history(&mut rng, clients, keys, per_client, &[]);
        let n = ops.len();
        match check_ops(&ops, Budget::DEFAULT) {
            CheckResult::Ok { steps } => println!(
                "{clients} clients, {keys} keys, {n} ops: linearizable in {steps} steps \
                 ({:.2} per op)",
                steps as f64 / n as f64
            ),
            other => panic!("{clients} clients, {keys} keys: {other}"),
        }
    }
}

#[test]
fn corrupted_random_history_is_illegal() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut ops = random_history(&mut rng, 15, 1, 100, &[]);
    let victim = ops
        .iter()
        .rposition(|o| o.input.op == checker::OpKind::Get && !o.output.is_empty())
        .unwrap();
    ops[victim].output.push('!');
    assert_eq!(illegal_key(&check_ops(&ops, Budget::DEFAULT)), "0");
}

/// An exhaustive oracle for tiny single-key histories: tries every order that respects real time.
fn brute_force(ops: &[Operation]) -> bool {
    fn go(ops: &[Operation], done: &mut Vec<bool>, state: String) -> bool {
        if done.iter().all(|&d| d) {
            return true;
        }
        for i in 0..ops.len() {
            if done[i] {
                continue;
            }
            let blocked = (0..ops.len()).any(|j| !done[j] && j != i && ops[j].ret < ops[i].call);
            if blocked {
                continue;
            }
            if let Some(next) = checker::model::step(&state, &ops[i].input, &ops[i].output) {
                done[i] = true;
                if go(ops, done, next) {
                    return true;
                }
                done[i] = false;
            }
        }
        false
    }
    go(ops, &mut vec![false; ops.len()], String::new())
}

/// Whether `prefix` (indices into `ops`) is a linearizable prefix: legal in the model from "", in
/// an order real time allows, and closed under "returned before it was called".
fn valid_prefix(ops: &[Operation], prefix: &[usize]) -> bool {
    let mut state = String::new();
    for (i, &p) in prefix.iter().enumerate() {
        match checker::model::step(&state, &ops[p].input, &ops[p].output) {
            Some(next) => state = next,
            None => return false,
        }
        if prefix[i + 1..].iter().any(|&q| ops[q].ret < ops[p].call) {
            return false;
        }
    }
    (0..ops.len())
        .filter(|o| !prefix.contains(o))
        .all(|o| prefix.iter().all(|&p| ops[o].ret >= ops[p].call))
}

#[test]
fn agrees_with_brute_force_on_small_histories() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let (mut legal, mut illegal) = (0, 0);
    for round in 0..4000 {
        let clients = rng.gen_range(1..=4);
        let per_client = rng.gen_range(1..=3);
        // Half the histories reuse a few values, so different orders can reach equal states.
        let alphabet: &[&str] = if round % 2 == 0 { &[] } else { &["a", "b", ""] };
        let mut ops = random_history(&mut rng, clients, 1, per_client, alphabet);
        // Coarsen times so ties and touching intervals are common.
        for o in &mut ops {
            o.call /= 500;
            o.ret /= 500;
        }
        if rng.gen_bool(0.8) {
            let gets: Vec<usize> = (0..ops.len())
                .filter(|&i| ops[i].input.op == checker::OpKind::Get)
                .collect();
            if !gets.is_empty() {
                let g = gets[rng.gen_range(0..gets.len())];
                let writes: Vec<String> = ops.iter().map(|o| o.input.value.clone()).collect();
                let pick = &writes[rng.gen_range(0..writes.len())];
                ops[g].output = if rng.gen_bool(0.5) {
                    pick.clone()
                } else {
                    format!("{}{pick}", ops[g].output)
                };
            }
        }
        let expected = brute_force(&ops);
        let got = check_ops(&ops, Budget::DEFAULT);
        assert_eq!(got.is_ok(), expected, "{ops:#?}\n{got:?}");
        if expected {
            legal += 1;
        } else {
            illegal += 1;
            // Every recorded partial linearization is a real linearizable prefix through its op.
            let CheckResult::Illegal {
                longest_prefix,
                keys,
                ..
            } = &got
            else {
                panic!("expected Illegal, got {got:?}");
            };
            assert!(
                valid_prefix(&ops, longest_prefix),
                "{ops:#?}\n{longest_prefix:?}"
            );
            for op in 0..ops.len() {
                if let Some(prefix) = keys[0].longest_through(op) {
                    assert!(prefix.contains(&op));
                    assert!(prefix.len() <= longest_prefix.len());
                    assert!(valid_prefix(&ops, &prefix), "{ops:#?}\n{prefix:?}");
                }
            }
        }
    }
    println!("{legal} linearizable, {illegal} not");
    assert!(legal > 500 && illegal > 400, "too one-sided to compare");
}

#[test]
fn json_reader_never_panics_on_damaged_input() {
    let good = History::from_ops(vec![
        Operation::put(1, 0, 10, "k", "v"),
        Operation::get(2, 5, 15, "k", "v"),
        Operation::append(3, 7, 9, "k", "w"),
    ])
    .to_json();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut parsed = 0;
    let mut damaged: Vec<String> = (0..good.len()).map(|n| good[..n].to_string()).collect();
    for _ in 0..3000 {
        let mut bytes = good.clone().into_bytes();
        for _ in 0..rng.gen_range(1..=3) {
            let at = rng.gen_range(0..bytes.len());
            let alphabet = b"{}[]\",:0123456789-eE.x ";
            bytes[at] = alphabet[rng.gen_range(0..alphabet.len())];
        }
        damaged.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    for text in &damaged {
        if let Ok(history) = History::from_json(text) {
            parsed += 1;
            let _ = check(&history, Budget::DEFAULT);
        }
    }
    assert!(parsed > 0 && parsed < damaged.len());
}
