//! Overflow by delay and trunk reservation (issue 15) against theory and an independent
//! simulation:
//!
//! - trunk reservation in a two-class loss system (Erlang loss with a reserve for one class,
//!   different service rates) against the exact CTMC, solved here by Gaussian elimination;
//! - overflow with a delay on an N-model (class a: group A at once, group B after 20 s; class b:
//!   group B only) against an independent event simulation written here, which also shows that
//!   checking the overflow only at B's completions (not at arrival + delay) is told apart;
//! - rules that never bind leave the outcome bit for bit as without them;
//! - bad definitions exit 2 naming the file and the JSON path.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Value};
use tempfile::TempDir;

fn acdsim() -> Command {
    let mut c = Command::cargo_bin("acdsim").unwrap();
    c.env("RAYON_NUM_THREADS", "2");
    c
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p
}

/// Runs `scenario` with `n` replications and returns its JSON report.
fn run(dir: &Path, scenario: &Value, n: u32) -> Value {
    let p = write(dir, "s.json", scenario);
    let out = dir.join("out.json");
    acdsim()
        .arg("run")
        .arg(&p)
        .args(["-n", &n.to_string(), "--quiet", "--json"])
        .arg(&out)
        .assert()
        .success();
    serde_json::from_slice(&fs::read(out).unwrap()).unwrap()
}

/// (mean, standard error) of a segment's metric in a run report (the standard error from the
/// 95% half-width).
fn segment(report: &Value, id: &str, metric: &str) -> (f64, f64) {
    let row = report["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("segment {id}"));
    let m = &row["metrics"][metric];
    (
        m["mean"].as_f64().unwrap(),
        m["half_width"].as_f64().unwrap() / 1.96,
    )
}

// ---------------------------------------------------------------------------------------------
// Trunk reservation in a loss system: exact CTMC.

const N: usize = 6;
const KEEP: usize = 2;
/// Arrivals per hour of the protected (vip) and the other (std) contacts.
const LAMBDA: [f64; 2] = [48.0, 96.0];
/// Mean handle times (s): vip 240, std 120 (a segment handle-time factor of 0.5).
const MEAN_S: [f64; 2] = [240.0, 120.0];

/// Blocking probabilities (vip, std) of the loss system: N servers, vip contacts taken while a
/// server is free, std contacts only while more than KEEP are free. States (n1, n2) with
/// n1 + n2 <= N; the stationary distribution solves pi Q = 0, sum pi = 1.
fn reservation_ctmc(keep: usize) -> (f64, f64) {
    let states: Vec<(usize, usize)> = (0..=N)
        .flat_map(|a| (0..=N - a).map(move |b| (a, b)))
        .collect();
    let idx = |a: usize, b: usize| states.iter().position(|&s| s == (a, b)).unwrap();
    let n = states.len();
    let (l1, l2) = (LAMBDA[0] / 3600.0, LAMBDA[1] / 3600.0);
    let (m1, m2) = (1.0 / MEAN_S[0], 1.0 / MEAN_S[1]);
    // Generator Q[i][j]: rate from state i to state j.
    let mut q = vec![vec![0.0; n]; n];
    for (i, &(a, b)) in states.iter().enumerate() {
        let free = N - a - b;
        let mut go = |j: usize, r: f64| {
            q[i][j] += r;
            q[i][i] -= r;
        };
        if free > 0 {
            go(idx(a + 1, b), l1);
        }
        if free > keep {
            go(idx(a, b + 1), l2);
        }
        if a > 0 {
            go(idx(a - 1, b), a as f64 * m1);
        }
        if b > 0 {
            go(idx(a, b - 1), b as f64 * m2);
        }
    }
    // pi Q = 0 as Q^T pi = 0, the last equation replaced by sum pi = 1.
    let mut m: Vec<Vec<f64>> = (0..n).map(|r| (0..n).map(|c| q[c][r]).collect()).collect();
    let mut rhs = vec![0.0; n];
    m[n - 1] = vec![1.0; n];
    rhs[n - 1] = 1.0;
    let pi = solve(m, rhs);
    let (mut b1, mut b2) = (0.0, 0.0);
    for (i, &(a, b)) in states.iter().enumerate() {
        let free = N - a - b;
        if free == 0 {
            b1 += pi[i];
        }
        if free <= keep {
            b2 += pi[i];
        }
    }
    (b1, b2)
}

/// Gaussian elimination with partial pivoting: a dense direct solve, exact up to rounding
/// (28 states here, so no iterative method and no convergence question).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let p = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap();
        a.swap(col, p);
        b.swap(col, p);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot = &top[col];
        for (i, row) in rest.iter_mut().enumerate() {
            let f = row[col] / pivot[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot[col..]) {
                *x -= f * p;
            }
            b[col + 1 + i] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    x
}

/// The loss system as a scenario: no patience (a contact that finds no agent it may take is
/// lost at once), one group of N agents keeping KEEP for the vip segment.
fn loss_scenario(keep: Option<usize>) -> Value {
    let total = LAMBDA[0] + LAMBDA[1];
    let mut routing = json!({"strategy": "skill-first"});
    if let Some(k) = keep {
        routing["reservation"] = json!([{"group": "agents", "agents": k, "segments": ["vip"]}]);
    }
    json!({
        "name": "reservation-loss",
        "day": {"open": "08:00", "interval_minutes": 60, "intervals": 8, "warmup_minutes": 60, "closing": "cut"},
        "seed": 11,
        "routing": routing,
        "channels": [{
            "id": "phone",
            "goal": {"threshold_s": 20, "target": 0.8},
            "volume": total,
            "types": [{"id": "call", "share": 1, "skills": ["phone"],
                       "handle_time": {"type": "exponential", "mean": MEAN_S[0]}}],
            "segments": [
                {"id": "vip", "share": LAMBDA[0] / total, "patience": {"type": "deterministic", "value": 0}},
                {"id": "std", "share": LAMBDA[1] / total, "handle_time_factor": MEAN_S[1] / MEAN_S[0],
                 "patience": {"type": "deterministic", "value": 0}}
            ]
        }],
        "agent_groups": [{"id": "agents", "skills": {"phone": 3}, "headcount": N}]
    })
}

#[test]
fn reservation_in_a_two_class_loss_system_matches_the_exact_ctmc() {
    let dir = TempDir::new().unwrap();
    let (b1, b2) = reservation_ctmc(KEEP);
    let (free1, free2) = reservation_ctmc(N);
    // Without reservation (keep = 0 in the chain) both classes see the same blocking.
    let (e1, e2) = reservation_ctmc(0);
    assert!(
        (e1 - e2).abs() < 1e-12 && b2 > 2.0 * e2 && b1 < 0.5 * e1,
        "{b1} {b2} {e1}"
    );
    assert!(free2 > 0.999 && free1 < b1);
    let report = run(dir.path(), &loss_scenario(Some(KEEP)), 400);
    for (seg, exact, other) in [("vip", b1, e1), ("std", b2, e2)] {
        let (mean, se) = segment(&report, seg, "abandon_rate");
        let z = (mean - exact) / se;
        eprintln!("{seg}: blocking simulated {mean:.5} ± {se:.5}, exact {exact:.5}, without reservation {other:.5}");
        assert!(
            z.abs() < 4.0,
            "{seg}: simulated blocking {mean:.5} (se {se:.5}) against exact {exact:.5}: z = {z:.2}"
        );
        // The test can fail: the blocking without reservation is many standard errors away.
        assert!(
            ((mean - other) / se).abs() > 20.0,
            "{seg}: {mean} vs {other}"
        );
    }
    // Without the reservation the scenario is the Erlang loss system.
    let plain = run(dir.path(), &loss_scenario(None), 200);
    let (mean, se) = segment(&plain, "std", "abandon_rate");
    assert!(((mean - e2) / se).abs() < 4.0, "{mean} vs {e2}");
}

// ---------------------------------------------------------------------------------------------
// Overflow by delay on an N-model: an independent simulation.

const A_AGENTS: usize = 4;
const B_AGENTS: usize = 3;
/// Arrivals per hour of classes a and b.
const RATE: [f64; 2] = [70.0, 30.0];
const HANDLE_S: f64 = 180.0;
const PATIENCE_S: f64 = 300.0;
const DELAY_S: f64 = 20.0;
const WARMUP_S: f64 = 3600.0;
const OPEN_S: f64 = 8.0 * 3600.0;

fn n_model(overflow: Value) -> Value {
    json!({
        "name": "n-model",
        "day": {"open": "08:00", "interval_minutes": 60, "intervals": 8, "warmup_minutes": 60, "closing": "drain"},
        "seed": 21,
        "routing": {"strategy": "idle-first", "overflow": overflow},
        "channels": [{
            "id": "phone",
            "goal": {"threshold_s": 20, "target": 0.8},
            "volume": RATE[0] + RATE[1],
            "types": [{"id": "call", "share": 1, "skills": ["phone"],
                       "handle_time": {"type": "exponential", "mean": HANDLE_S}}],
            "segments": [
                {"id": "a", "share": RATE[0] / (RATE[0] + RATE[1]), "patience": {"type": "exponential", "mean": PATIENCE_S}},
                {"id": "b", "share": RATE[1] / (RATE[0] + RATE[1]), "patience": {"type": "exponential", "mean": PATIENCE_S}}
            ]
        }],
        "agent_groups": [
            {"id": "A", "skills": {"phone": 3}, "headcount": A_AGENTS},
            {"id": "B", "skills": {"phone": 3}, "headcount": B_AGENTS}
        ]
    })
}

fn n_model_rules() -> Value {
    json!([
        {"segment": "a", "groups": [{"group": "A", "after_s": 0}, {"group": "B", "after_s": DELAY_S}]},
        {"segment": "b", "groups": [{"group": "B"}]}
    ])
}

/// A small portable generator for the independent simulation (SplitMix64).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn exp(&mut self, mean: f64) -> f64 {
        -mean * self.next().ln()
    }
}

/// Totals of the counted contacts of one class: answered, abandoned, waits of the answered.
#[derive(Default, Clone, Copy)]
struct Tally {
    answered: f64,
    abandoned: f64,
    wait: f64,
}

/// The N-model by itself: Poisson arrivals, exponential handle times and patience, FIFO per
/// class; a class-a contact may go to group B once it has waited DELAY_S. A freed B agent takes
/// the visible head waiting longest (idle-first). With `exact`, a waiting class-a contact is
/// offered to a free B agent at arrival + DELAY_S; without, only when a B agent is freed.
fn n_model_sim(seed: u64, exact: bool) -> [Tally; 2] {
    #[derive(Clone, Copy)]
    struct W {
        arrival: f64,
        deadline: f64,
        counted: bool,
    }
    let mut rng = Mix(seed);
    let lam = RATE[0] / 3600.0 + RATE[1] / 3600.0;
    let close = WARMUP_S + OPEN_S;
    let mut tally = [Tally::default(); 2];
    let mut queues: [std::collections::VecDeque<W>; 2] = Default::default();
    let (mut free_a, mut free_b) = (A_AGENTS, B_AGENTS);
    // Pending completions (time, group 0 = A, 1 = B) and overflow checks (time).
    let mut done: Vec<(f64, usize)> = Vec::new();
    let mut checks: Vec<f64> = Vec::new();
    let mut next_arrival = rng.exp(1.0 / lam);
    let serve = |tally: &mut [Tally; 2],
                 k: usize,
                 w: W,
                 now: f64,
                 done: &mut Vec<(f64, usize)>,
                 g,
                 rng: &mut Mix| {
        if w.counted {
            tally[k].answered += 1.0;
            tally[k].wait += now - w.arrival;
        }
        done.push((now + rng.exp(HANDLE_S), g));
    };
    // The live head of a queue (abandoned contacts ahead counted).
    fn head(q: &mut std::collections::VecDeque<W>, t: &mut Tally, now: f64) -> Option<W> {
        while let Some(w) = q.front().copied() {
            if w.deadline > now {
                return Some(w);
            }
            q.pop_front();
            if w.counted {
                t.abandoned += 1.0;
            }
        }
        None
    }
    loop {
        let (ci, tc) = done
            .iter()
            .enumerate()
            .min_by(|x, y| x.1 .0.total_cmp(&y.1 .0))
            .map_or((usize::MAX, f64::INFINITY), |(i, d)| (i, d.0));
        let (xi, tx) = checks
            .iter()
            .enumerate()
            .min_by(|x, y| x.1.total_cmp(y.1))
            .map_or((usize::MAX, f64::INFINITY), |(i, t)| (i, *t));
        let ta = if next_arrival < close {
            next_arrival
        } else {
            f64::INFINITY
        };
        let now = ta.min(tc).min(tx);
        if now == f64::INFINITY {
            break;
        }
        if now == tx {
            checks.swap_remove(xi);
            // A class-a contact reaches its delay: a free B agent takes the head if visible.
            let [ta_, _] = &mut tally;
            if free_b > 0 {
                if let Some(w) = head(&mut queues[0], ta_, now) {
                    if now - w.arrival >= DELAY_S {
                        queues[0].pop_front();
                        free_b -= 1;
                        serve(&mut tally, 0, w, now, &mut done, 1, &mut rng);
                    }
                }
            }
        } else if now == tc {
            let (_, g) = done.swap_remove(ci);
            if g == 0 {
                let [t0, _] = &mut tally;
                match head(&mut queues[0], t0, now) {
                    Some(w) => {
                        queues[0].pop_front();
                        serve(&mut tally, 0, w, now, &mut done, 0, &mut rng);
                    }
                    None => free_a += 1,
                }
            } else {
                let [t0, t1] = &mut tally;
                let ha = head(&mut queues[0], t0, now).filter(|w| now - w.arrival >= DELAY_S);
                let hb = head(&mut queues[1], t1, now);
                let pick = match (ha, hb) {
                    (Some(a), Some(b)) => Some(if a.arrival <= b.arrival { 0 } else { 1 }),
                    (Some(_), None) => Some(0),
                    (None, Some(_)) => Some(1),
                    (None, None) => None,
                };
                match pick {
                    Some(k) => {
                        let w = queues[k].pop_front().unwrap();
                        serve(&mut tally, k, w, now, &mut done, 1, &mut rng);
                    }
                    None => free_b += 1,
                }
            }
        } else {
            next_arrival = now + rng.exp(1.0 / lam);
            let k = if rng.next() < RATE[0] / (RATE[0] + RATE[1]) {
                0
            } else {
                1
            };
            let w = W {
                arrival: now,
                deadline: now + rng.exp(PATIENCE_S),
                counted: now >= WARMUP_S,
            };
            let free = if k == 0 { &mut free_a } else { &mut free_b };
            if *free > 0 {
                *free -= 1;
                serve(&mut tally, k, w, now, &mut done, k, &mut rng);
            } else {
                queues[k].push_back(w);
                if k == 0 && exact {
                    checks.push(now + DELAY_S);
                }
            }
        }
    }
    // Drain: every queue empties by answer or abandonment before the loop ends.
    tally
}

/// (mean, standard error) of class `k`'s pooled ASA and abandonment share over `reps` days of
/// the independent simulation (ratio estimators, delta-method standard errors).
fn n_model_estimates(reps: u64, exact: bool) -> [[(f64, f64); 2]; 2] {
    let days: Vec<[Tally; 2]> = (0..reps).map(|r| n_model_sim(7_000 + r, exact)).collect();
    let ratio = |num: &dyn Fn(&Tally) -> f64, den: &dyn Fn(&Tally) -> f64, k: usize| {
        let n = days.len() as f64;
        let (sx, sy): (f64, f64) = days
            .iter()
            .map(|d| (num(&d[k]), den(&d[k])))
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        let r = sx / sy;
        let ybar = sy / n;
        let var: f64 = days
            .iter()
            .map(|d| (num(&d[k]) - r * den(&d[k])).powi(2))
            .sum::<f64>()
            / (n - 1.0);
        (r, (var / n).sqrt() / ybar)
    };
    let asa = |k| ratio(&|t| t.wait, &|t| t.answered, k);
    let aband = |k| ratio(&|t| t.abandoned, &|t| t.answered + t.abandoned, k);
    [[asa(0), aband(0)], [asa(1), aband(1)]]
}

#[test]
fn overflow_by_delay_on_an_n_model_matches_an_independent_simulation() {
    let dir = TempDir::new().unwrap();
    let report = run(dir.path(), &n_model(n_model_rules()), 3000);
    let exact = n_model_estimates(8000, true);
    let lazy = n_model_estimates(1500, false);
    let mut told_apart = 0;
    for (k, seg) in ["a", "b"].into_iter().enumerate() {
        for (m, metric) in ["asa_s", "abandon_rate"].into_iter().enumerate() {
            let (sim, se) = segment(&report, seg, metric);
            let (indep, se2) = exact[k][m];
            let z = (sim - indep) / (se * se + se2 * se2).sqrt();
            eprintln!(
                "{seg}.{metric}: acdsim {sim:.4} ± {se:.4}, independent {indep:.4} ± {se2:.4}, lazy {:.4}",
                lazy[k][m].0
            );
            assert!(
                z.abs() < 4.0,
                "{seg}.{metric}: acdsim {sim:.4} (se {se:.4}), independent {indep:.4} (se {se2:.4}): z = {z:.2}"
            );
            let (l, lse) = lazy[k][m];
            if ((sim - l) / (se * se + lse * lse).sqrt()).abs() > 6.0 {
                told_apart += 1;
            }
        }
    }
    // Checking the overflow only at completions is a real bias the comparison catches.
    assert!(told_apart >= 2, "the lazy variant is not told apart");
}

#[test]
fn overflow_that_never_binds_changes_nothing() {
    let dir = TempDir::new().unwrap();
    let metrics =
        |r: &Value| json!([r["overall"], r["segments"], r["channels"], r["groups"]]).to_string();
    // Every group at once for every class, and a reservation of agents that is never needed
    // (all contacts protected): the preset's path, bit for bit the built-in strategy.
    let mut s = n_model(json!([{"groups": [{"group": "A"}, {"group": "*"}]}]));
    s["routing"]["reservation"] = json!([{"group": "B", "agents": 1, "segments": ["a", "b"]}]);
    let with = run(dir.path(), &s, 40);
    let mut plain = n_model(json!([]));
    plain["routing"] = json!({"strategy": "idle-first"});
    let without = run(dir.path(), &plain, 40);
    assert_eq!(metrics(&with), metrics(&without));
    // And a binding rule does change the outcome.
    let bound = run(dir.path(), &n_model(n_model_rules()), 40);
    assert_ne!(metrics(&bound), metrics(&without));
}

// ---------------------------------------------------------------------------------------------
// Bad definitions.

fn refused(v: &Value, parts: &[&str]) {
    let dir = TempDir::new().unwrap();
    let p = write(dir.path(), "bad.json", v);
    let out = acdsim()
        .arg("run")
        .arg(&p)
        .args(["-n", "2"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("bad.json"), "{err}");
    for part in parts {
        assert!(err.contains(part), "{part} not in {err}");
    }
}

#[test]
fn bad_overflow_and_reservation_definitions_exit_2_naming_the_json_path() {
    let step = |g: &str, d: f64| json!([{"segment": "a", "groups": [{"group": "A"}, {"group": g, "after_s": d}]}]);
    refused(
        &n_model(step("C", 20.0)),
        &["$.routing.overflow[0].groups[1].group", "`C`"],
    );
    refused(
        &n_model(step("B", -5.0)),
        &["$.routing.overflow[0].groups[1].after_s", ">= 0"],
    );
    refused(
        &n_model(json!([{"segment": "z", "groups": [{"group": "A"}]}])),
        &["$.routing.overflow[0].segment", "`z`"],
    );
    refused(
        &n_model(
            json!([{"segment": "a", "groups": [{"group": "A"}, {"group": "A", "after_s": 3}]}]),
        ),
        &["$.routing.overflow[0].groups[1].group", "twice"],
    );
    refused(
        &n_model(json!([{"segment": "a", "groups": []}])),
        &["$.routing.overflow[0].groups", "empty"],
    );
    let reserve = |r: Value| {
        let mut s = n_model(json!([]));
        s["routing"]["reservation"] = r;
        s
    };
    refused(
        &reserve(json!([{"group": "B", "agents": 4, "segments": ["b"]}])),
        &["$.routing.reservation[0].agents", "at most 3"],
    );
    refused(
        &reserve(json!([{"group": "X", "agents": 1, "segments": ["b"]}])),
        &["$.routing.reservation[0].group", "`X`"],
    );
    refused(
        &reserve(json!([{"group": "B", "agents": 1, "segments": ["q"]}])),
        &["$.routing.reservation[0].segments[0]", "`q`"],
    );
    refused(
        &reserve(json!([{"group": "B", "agents": 1}])),
        &["$.routing.reservation[0]", "segments"],
    );
    // Weights that are not finite numbers (too large to be ordered).
    let mut s = n_model(json!([]));
    s["routing"]["strategy"] = json!("score");
    s["routing"]["policy"] = json!({"transfer_bonus": 1e300});
    refused(&s, &["$.routing.policy.transfer_bonus", "finite"]);
    s["routing"]["policy"] = json!({"agent": {"occupancy": -1e20}});
    refused(&s, &["$.routing.policy.agent.occupancy", "finite"]);
}
