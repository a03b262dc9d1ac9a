//! Property test over generated *valid* scenarios (issue 18): random channels, contact types,
//! segments, agent groups, distributions, closing rules, strategies and surge playbooks, each
//! validated and simulated, checking that
//! * validation accepts it (the generator makes only valid scenarios),
//! * contacts are conserved in every row (offered = answered + abandoned + unresolved +
//!   diverted + hung up + callbacks requested),
//! * no figure is negative or non-finite (NaN is `null` in JSON; the playbook's effects, which
//!   are differences, may be negative),
//! * the report is byte-identical on 1 and on 2 threads,
//! * each case ends within its time budget.
//!
//! proptest draws a seed per case and the scenario is built from it with a seeded generator
//! (shrinking a seed means little, but a failing case prints its scenario).

use std::time::{Duration, Instant};

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{json, Value};

use acdsim::report::RunReport;
use acdsim::sim::simulate::{self, RunOptions};

const SKILLS: [&str; 3] = ["s0", "s1", "s2"];
const SEGMENTS: [&str; 3] = ["regular", "elderly", "vip"];
/// The most one case (validation, two runs, checks) may take.
const BUDGET: Duration = Duration::from_secs(10);

/// `k` shares summing to 1.
fn shares(r: &mut Xoshiro256PlusPlus, k: usize) -> Vec<f64> {
    let w: Vec<f64> = (0..k).map(|_| r.random_range(0.1..1.0)).collect();
    let t: f64 = w.iter().sum();
    let mut s: Vec<f64> = w.iter().map(|x| x / t).collect();
    let head: f64 = s[..k - 1].iter().sum();
    s[k - 1] = 1.0 - head;
    s
}

fn dist(r: &mut Xoshiro256PlusPlus, patience: bool) -> Value {
    let mean = r.random_range(5.0..400.0);
    match r.random_range(0..if patience { 7 } else { 6 }) {
        0 => json!({"type": "exponential", "mean": mean}),
        1 => json!({"type": "lognormal", "mean": mean, "cv": r.random_range(0.1..3.0)}),
        2 => json!({"type": "gamma", "mean": mean, "cv": r.random_range(0.1..3.0)}),
        3 => json!({"type": "deterministic", "value": mean}),
        4 => json!({"type": "uniform", "min": mean / 2.0, "max": mean * 1.5}),
        5 => {
            let n = r.random_range(1..12);
            let values: Vec<f64> = (0..n).map(|_| r.random_range(1.0..400.0)).collect();
            if r.random_bool(0.5) {
                let weights: Vec<f64> = (0..n).map(|_| r.random_range(0.0..3.0) + 0.01).collect();
                json!({"type": "empirical", "values": values, "weights": weights})
            } else {
                json!({"type": "empirical", "values": values})
            }
        }
        _ => json!({"type": "never"}),
    }
}

/// Distinct picks of `k` out of `pool`.
fn pick<'a>(r: &mut Xoshiro256PlusPlus, pool: &[&'a str], k: usize) -> Vec<&'a str> {
    let mut v: Vec<&str> = pool.to_vec();
    for i in (1..v.len()).rev() {
        v.swap(i, r.random_range(0..=i));
    }
    v.truncate(k);
    v
}

fn per_interval_or_constant(r: &mut Xoshiro256PlusPlus, n: usize, lo: u32, hi: u32) -> Value {
    if r.random_bool(0.5) {
        json!(r.random_range(lo..=hi))
    } else {
        json!((0..n).map(|_| r.random_range(lo..=hi)).collect::<Vec<_>>())
    }
}

fn scenario(seed: u64) -> Value {
    let r = &mut Xoshiro256PlusPlus::seed_from_u64(seed);
    let n = r.random_range(1..=4usize);
    let nc = r.random_range(1..=3usize);
    let mut channels = Vec::new();
    let mut type_ids = Vec::new();
    for c in 0..nc {
        let nt = r.random_range(1..=3usize);
        let ts = shares(r, nt);
        let types: Vec<Value> = (0..nt)
            .map(|t| {
                let id = format!("t{}", r.random_range(0..2) * 3 + t);
                type_ids.push(id.clone());
                let k = r.random_range(1..=2);
                json!({
                    "id": id, "share": ts[t], "skills": pick(r, &SKILLS, k),
                    "difficulty": if r.random_bool(0.3) { "hard" } else { "normal" },
                    "handle_time": dist(r, false),
                })
            })
            .collect();
        let ns = r.random_range(1..=2usize);
        let ss = shares(r, ns);
        let segments: Vec<Value> = pick(r, &SEGMENTS, ns)
            .into_iter()
            .zip(ss)
            .map(|(id, share)| {
                json!({"id": id, "share": share, "patience": dist(r, true),
                       "handle_time_factor": r.random_range(0.5..2.0)})
            })
            .collect();
        let mut volume = per_interval_or_constant(r, n, 0, 150);
        if volume == json!(0) || volume.as_array().is_some_and(|v| v.iter().all(|x| x == 0)) {
            volume = json!(5);
        }
        channels.push(json!({
            "id": format!("c{c}"),
            "goal": {"threshold_s": r.random_range(5.0..60.0), "target": r.random_range(0.5..0.95)},
            "concurrency": r.random_range(1..=3),
            "volume": volume, "types": types, "segments": segments,
        }));
    }
    // Group 0 holds every skill on every channel, so that every type can be answered.
    let ng = r.random_range(1..=3usize);
    let groups: Vec<Value> = (0..ng)
        .map(|g| {
            let k = if g == 0 { 3 } else { r.random_range(1..=3) };
            let skills: serde_json::Map<String, Value> = pick(r, &SKILLS, k)
                .into_iter()
                .map(|s| (s.to_string(), json!(r.random_range(1..=5))))
                .collect();
            let mut grp = json!({"id": format!("g{g}"), "skills": skills,
                                 "headcount": per_interval_or_constant(r, n, 0, 12)});
            if g > 0 && r.random_bool(0.4) {
                grp["channels"] = json!({"c0": r.random_range(1..=3)});
            }
            grp
        })
        .collect();
    let strategies = ["skill-first", "idle-first", "elderly-priority"];
    let minutes = [15, 30, 60][r.random_range(0..3)];
    let warmup = [0.0, 10.0, 30.0][r.random_range(0..3)];
    let mut v = json!({
        "name": format!("generated-{seed}"),
        "day": {"open": "08:00", "interval_minutes": minutes,
                "intervals": n, "warmup_minutes": warmup,
                "closing": if r.random_bool(0.5) { "drain" } else { "cut" }},
        "seed": r.random::<u32>(),
        "replications": r.random_range(2..=6),
        "channels": channels,
        "agent_groups": groups,
        "routing": {"strategy": strategies[r.random_range(0..3)]},
        "proficiency": {"normal": (0..5).map(|_| r.random_range(0.8..1.5)).collect::<Vec<_>>()},
    });
    v["routing"]["priority_segments"] = json!([v["channels"][0]["segments"][0]["id"]]);
    if r.random_bool(0.5) {
        v["routing"]["aging_s"] = json!(r.random_range(5.0..120.0));
    }
    if r.random_bool(0.3) {
        let callback = r.random_range(0.0..0.5);
        v["surge_playbook"] = json!({
            "trigger": {"load_ratio": r.random_range(0.5..1.5)},
            "activation_delay_minutes": r.random_range(0.0..20.0),
            "reserve": [{"id": "reserve", "skills": {"s0": 3, "s1": 3, "s2": 3}, "count": r.random_range(1..=5)}],
            "divert": [{"type": type_ids[0], "share": r.random_range(0.0..0.5)}],
            "announcement": {"channels": ["c0"], "limit_s": r.random_range(10.0..300.0),
                             "callback_share": callback, "hangup_share": r.random_range(0.0..(1.0 - callback))},
        });
    }
    v
}

/// The run's JSON report on `threads` worker threads.
fn report(model: &acdsim::model::Model, threads: usize) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let opts = RunOptions::from_model(model);
        let rep = if model.playbook.is_some() {
            let pair = simulate::run_playbook_pair(model, opts, |_| {});
            RunReport::with_playbook_pair(model, &pair, 0.95)
        } else {
            RunReport::new(model, &simulate::run(model, opts, |_| {}), 0.95)
        };
        acdsim::report::json::to_json(&rep)
    })
}

/// Checks every metrics object under `v` (conservation) and every mean (no negative figure).
fn check_figures(v: &Value, path: &str) -> Result<(), String> {
    match v {
        Value::Object(m) => {
            if let Some(off) = m.get("offered").and_then(|o| o["mean"].as_f64()) {
                let mean = |k: &str| m.get(k).and_then(|x| x["mean"].as_f64()).unwrap_or(0.0);
                let out: f64 = [
                    "answered",
                    "abandoned",
                    "unresolved",
                    "diverted",
                    "hung_up",
                    "callback_requested",
                ]
                .iter()
                .map(|k| mean(k))
                .sum();
                if (off - out).abs() > 1e-9 * off.max(1.0) {
                    return Err(format!("{path}: offered {off} but accounted {out}"));
                }
            }
            for (k, x) in m {
                if k == "effect" {
                    continue; // differences with and without the playbook
                }
                if k == "mean" {
                    if let Some(f) = x.as_f64() {
                        if !f.is_finite() || f < 0.0 {
                            return Err(format!("{path}.mean = {f}"));
                        }
                    }
                }
                check_figures(x, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| check_figures(x, &format!("{path}[{i}]"))),
        _ => Ok(()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_valid_scenarios_simulate_soundly(seed in any::<u64>()) {
        let t0 = Instant::now();
        let v = scenario(seed);
        let bytes = serde_json::to_vec(&v).unwrap();
        let raw = acdsim::input::parse("generated.json", &bytes)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{v:#}")))?;
        let model = acdsim::input::resolve("generated.json", &bytes, &raw, std::path::Path::new("."))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{v:#}")))?;
        let one = report(&model, 1);
        let two = report(&model, 2);
        prop_assert!(one == two, "1 and 2 threads differ for\n{v:#}");
        let json: Value = serde_json::from_str(&one).unwrap();
        check_figures(&json, "$").map_err(|e| TestCaseError::fail(format!("{e}\n{v:#}")))?;
        prop_assert!(t0.elapsed() < BUDGET, "took {:?} for\n{v:#}", t0.elapsed());
    }
}
