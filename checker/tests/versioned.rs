//! The versioned KV model (the current course's porcupine model) on hand-analysed histories, and
//! its search against an exhaustive oracle.
//!
//! Notation in the analyses: times are [call, return]; the state of a key is (value, version),
//! starting at ("", 0). A put(x, v) applies only where the version is v; an ErrMaybe put applies
//! or not depending on where it is linearized.

use checker::KvErr::{Maybe, NoKey, Ok as OK, Version};
use checker::versioned::{VersionedState, step};
use checker::{Budget, CheckResult, KvErr, Operation, check_ops};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn put(client: u64, (call, ret): (u64, u64), value: &str, version: u64, err: KvErr) -> Operation {
    Operation::versioned_put(client, call, ret, "k", (value, version), err)
}

fn get(client: u64, (call, ret): (u64, u64), value: &str, version: u64, err: KvErr) -> Operation {
    Operation::versioned_get(client, call, ret, "k", (value, version, err))
}

fn linearizable(ops: &[Operation]) -> bool {
    match check_ops(ops, Budget::DEFAULT) {
        CheckResult::Ok { .. } => true,
        CheckResult::Illegal { .. } => false,
        unknown => panic!("tiny histories are decided: {unknown}"),
    }
}

#[test]
fn err_maybe_taken() {
    // A: put(x, 0) [0, 10] ErrMaybe.  B: get [20, 30] -> ("x", 1, OK).
    // Nothing overlaps A, so A sits at version 0 whichever point is chosen: it must apply,
    // giving (x, 1), and B reads x. Linearizable: A (applied), B.
    let ops = [put(1, (0, 10), "x", 0, Maybe), get(2, (20, 30), "x", 1, OK)];
    assert!(linearizable(&ops));
    // The same put cannot have missed: a get of "" afterwards has no linearization.
    let missed = [
        put(1, (0, 10), "x", 0, Maybe),
        get(2, (20, 30), "", 0, NoKey),
    ];
    assert!(!linearizable(&missed));
}

#[test]
fn err_maybe_not_taken() {
    // A: put(a, 0) [0, 10] OK.  B: put(b, 0) [5, 30] ErrMaybe.  C: get [40, 50] -> ("a", 1, OK).
    // Orders real time allows: A B C, B A C. B before A: B applies (version 0) giving (b, 1),
    // then A's OK put at version 0 is illegal. A before B: (a, 1); B at version 1 ≠ 0 is a legal
    // ErrMaybe that changes nothing; C reads "a". Linearizable, with B not taken.
    let ops = [
        put(1, (0, 10), "a", 0, OK),
        put(2, (5, 30), "b", 0, Maybe),
        get(3, (40, 50), "a", 1, OK),
    ];
    assert!(linearizable(&ops));
    // Had C read "b", B would have to apply after A: impossible at version 1. Not linearizable.
    let b_read = [
        put(1, (0, 10), "a", 0, OK),
        put(2, (5, 30), "b", 0, Maybe),
        get(3, (40, 50), "b", 2, OK),
    ];
    assert!(!linearizable(&b_read));
}

#[test]
fn err_version() {
    // A: put(a, 0) [0, 10] OK -> (a, 1).  B: put(b, 0) [20, 30] ErrVersion: version 1 ≠ 0, legal,
    // unchanged.  C: get [40, 50] -> ("a", 1, OK). Linearizable.
    let ops = [
        put(1, (0, 10), "a", 0, OK),
        put(2, (20, 30), "b", 0, Version),
        get(3, (40, 50), "a", 1, OK),
    ];
    assert!(linearizable(&ops));
    // On a fresh key the version is 0, so a put(b, 0) answering ErrVersion is illegal: only OK or
    // ErrMaybe may answer a put at the current version.
    let fresh = [put(2, (0, 10), "b", 0, Version)];
    assert!(!linearizable(&fresh));
    // Concurrent with A, B may come after it: linearizable (A, B).
    let racing = [put(1, (0, 10), "a", 0, OK), put(2, (5, 8), "b", 0, Version)];
    assert!(linearizable(&racing));
}

#[test]
fn err_no_key_on_a_put_is_illegal() {
    // A: put(a, 1) [0, 10] ErrNoKey on a key never written. The server table answers exactly
    // that, but the model allows a put only OK/ErrMaybe at the current version (0 ≠ 1) or
    // ErrVersion/ErrMaybe elsewhere: ErrNoKey is never legal, so no logged put may return it.
    let ops = [put(1, (0, 10), "a", 1, NoKey)];
    assert!(!linearizable(&ops));
    // Nor at the current version.
    let at_zero = [put(1, (0, 10), "a", 0, NoKey)];
    assert!(!linearizable(&at_zero));
    // A get answering ErrNoKey ("", 0) on a fresh key is fine.
    let get_fresh = [get(1, (0, 10), "", 0, NoKey)];
    assert!(linearizable(&get_fresh));
}

#[test]
fn stale_read() {
    // A: put(a, 0) [0, 10] OK -> (a, 1).  B: put(b, 1) [20, 30] OK -> (b, 2).
    // C: get [40, 50] -> ("a", 1, OK). Real time fixes A, B, C; at C the value is "b". Not
    // linearizable.
    let ops = [
        put(1, (0, 10), "a", 0, OK),
        put(2, (20, 30), "b", 1, OK),
        get(3, (40, 50), "a", 1, OK),
    ];
    assert!(!linearizable(&ops));
    // Had C overlapped B, it could have come before it: linearizable (A, C, B).
    let overlapping = [
        put(1, (0, 10), "a", 0, OK),
        put(2, (20, 45), "b", 1, OK),
        get(3, (40, 50), "a", 1, OK),
    ];
    assert!(linearizable(&overlapping));
}

#[test]
fn only_the_value_of_a_get_is_compared() {
    // As in the course's model: a get's version and err are not checked. A: put(a, 0) OK.
    // B: get -> ("a", 7, OK), a wrong version, is still legal.
    let ops = [put(1, (0, 10), "a", 0, OK), get(2, (20, 30), "a", 7, OK)];
    assert!(linearizable(&ops));
}

#[test]
fn an_unversioned_op_in_a_versioned_history_is_never_legal() {
    let ops = [
        put(1, (0, 10), "a", 0, OK),
        Operation::put(2, 20, 30, "k", "b"),
    ];
    assert!(!linearizable(&ops));
}

#[test]
fn many_racing_clients_on_one_key_are_checked_quickly() {
    // The shape of put_concurrent_reliable: clients loop put(me, v) then get, each put at the
    // version last read; only one put per version succeeds, the rest answer ErrVersion.
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let ops = racing_history(&mut rng, 10, 2000);
    let result = check_ops(&ops, Budget::DEFAULT);
    assert!(result.is_ok(), "{result}");
    let CheckResult::Ok { steps } = result else {
        unreachable!()
    };
    assert!(
        steps < 20 * ops.len() as u64,
        "{steps} steps for {} ops",
        ops.len()
    );
}

/// A legal history of `clients` clients alternating put and get on key "k" against one atomic
/// store, `ops` operations in all: each op takes effect at a point after the previous op's point
/// and inside its own interval; intervals overlap, and some puts answer ErrMaybe.
fn racing_history(rng: &mut ChaCha8Rng, clients: usize, ops: usize) -> Vec<Operation> {
    let mut state = VersionedState::default();
    let mut out = Vec::new();
    // Per client: the version it puts at next, whether its next op is a get, when it is free.
    let mut version = vec![0u64; clients];
    let mut getting = vec![false; clients];
    let mut free = vec![0u64; clients];
    let mut point = 0u64;
    while out.len() < ops {
        let c = rng.gen_range(0..clients);
        point = point.max(free[c]) + rng.gen_range(1..3);
        let call = free[c].max(point.saturating_sub(rng.gen_range(0..6)));
        let ret = point + rng.gen_range(0..6);
        free[c] = ret + 1;
        let client = c as u64;
        if getting[c] {
            out.push(get(client, (call, ret), &state.value, state.version, OK));
            version[c] = state.version;
        } else {
            let value = format!("{c}.{}", out.len());
            let v = version[c];
            let err = if state.version == v {
                state = VersionedState {
                    value: value.clone(),
                    version: v + 1,
                };
                if rng.gen_bool(0.1) { Maybe } else { OK }
            } else if rng.gen_bool(0.1) {
                Maybe
            } else {
                Version
            };
            out.push(put(client, (call, ret), &value, v, err));
        }
        getting[c] = !getting[c];
    }
    out
}

/// Every order of `ops` that real time allows, tried in the model.
fn brute_force(ops: &[Operation]) -> bool {
    fn go(ops: &[Operation], done: &mut Vec<bool>, state: VersionedState) -> bool {
        if done.iter().all(|&d| d) {
            return true;
        }
        for i in 0..ops.len() {
            let blocked = (0..ops.len()).any(|j| !done[j] && j != i && ops[j].ret < ops[i].call);
            if done[i] || blocked {
                continue;
            }
            if let Some(next) = step(&state, &ops[i]) {
                done[i] = true;
                if go(ops, done, next) {
                    return true;
                }
                done[i] = false;
            }
        }
        false
    }
    go(ops, &mut vec![false; ops.len()], VersionedState::default())
}

/// Whether `prefix` (indices into `ops`) is legal in the model from ("", 0), in an order real
/// time allows, and closed under "returned before it was called".
fn valid_prefix(ops: &[Operation], prefix: &[usize]) -> bool {
    let mut state = VersionedState::default();
    for (i, &p) in prefix.iter().enumerate() {
        match step(&state, &ops[p]) {
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
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let errs = [OK, OK, Version, Maybe, NoKey];
    let values = ["", "a", "b"];
    let (mut legal, mut illegal) = (0, 0);
    for round in 0..6000 {
        let ops: Vec<Operation> = match round % 3 {
            // Legal by construction, and the same with one op damaged.
            0 | 1 => {
                let (clients, n) = (rng.gen_range(1..=3), rng.gen_range(1..=7));
                let mut ops = racing_history(&mut rng, clients, n);
                if round % 3 == 1 {
                    let i = rng.gen_range(0..ops.len());
                    let v = ops[i].versioned.as_mut().unwrap();
                    match rng.gen_range(0..3) {
                        0 => v.err = errs[rng.gen_range(0..errs.len())],
                        1 => v.version = rng.gen_range(0..3),
                        _ if ops[i].input.op == checker::OpKind::Get => {
                            ops[i].output = values[rng.gen_range(0..values.len())].into()
                        }
                        _ => ops[i].input.value = values[rng.gen_range(0..values.len())].into(),
                    }
                }
                ops
            }
            // Anything at all.
            _ => (0..rng.gen_range(1..=7))
                .map(|i| {
                    let call = rng.gen_range(0..8);
                    let span = (call, call + rng.gen_range(0..4));
                    let value = values[rng.gen_range(0..values.len())];
                    let version = rng.gen_range(0..3);
                    if rng.gen_bool(0.6) {
                        put(i, span, value, version, errs[rng.gen_range(0..errs.len())])
                    } else {
                        get(i, span, value, version, OK)
                    }
                })
                .collect(),
        };
        let expected = brute_force(&ops);
        assert_eq!(linearizable(&ops), expected, "{ops:#?}");
        if expected {
            legal += 1;
        } else {
            illegal += 1;
            // The reported prefix (what the HTML page shows) is a real linearizable prefix.
            let CheckResult::Illegal { longest_prefix, .. } = check_ops(&ops, Budget::DEFAULT)
            else {
                unreachable!()
            };
            assert!(
                valid_prefix(&ops, &longest_prefix),
                "{ops:#?}\n{longest_prefix:?}"
            );
        }
    }
    println!("{legal} linearizable, {illegal} not");
    assert!(legal > 1500 && illegal > 1500, "too one-sided to compare");
}
