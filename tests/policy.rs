//! Score-based routing (issue 15): the presets reproduce the built-in strategies bit for bit on
//! every bundled scenario (run through both code paths, reports compared byte for byte); a
//! scenario's own score policy runs and changes the outcome as its weights say (base
//! priorities, the transfer bonus, the occupancy weight); bad policy definitions exit 2 naming
//! the file and the JSON path.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Value};
use tempfile::TempDir;

mod common;

const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");

fn acdsim() -> Command {
    let mut c = Command::cargo_bin("acdsim").unwrap();
    c.env("RAYON_NUM_THREADS", "2");
    c
}

/// Runs `scenario` with `strategy` and returns its JSON and CSV reports.
fn report(dir: &Path, scenario: &Path, strategy: &str, n: &str) -> (Vec<u8>, Vec<u8>) {
    let json = dir.join(format!("{strategy}.json"));
    let csv = dir.join(format!("{strategy}.csv"));
    acdsim()
        .arg("run")
        .arg(scenario)
        .args(["-n", n, "--quiet", "--strategy", strategy, "--json"])
        .arg(&json)
        .arg("--csv")
        .arg(&csv)
        .assert()
        .success();
    // `--csv` writes a folder of tables: their names and contents, in name order.
    let mut tables: Vec<PathBuf> = fs::read_dir(&csv)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    tables.sort();
    let mut all = Vec::new();
    for t in tables {
        all.extend(t.file_name().unwrap().as_encoded_bytes());
        all.extend(fs::read(&t).unwrap());
    }
    fs::remove_dir_all(&csv).unwrap();
    (fs::read(json).unwrap(), all)
}

#[test]
fn presets_reproduce_the_builtin_strategies_bit_for_bit_on_every_bundled_scenario() {
    let dir = TempDir::new().unwrap();
    let scenarios = common::bundled_scenarios();
    assert!(scenarios.len() >= 8, "bundled scenarios: {scenarios:?}");
    for sc in &scenarios {
        // The benchmark is large: fewer replications (the paths meet every event anyway).
        let n = if sc.ends_with("bench-w.json") {
            "2"
        } else {
            "30"
        };
        for s in ["skill-first", "idle-first", "elderly-priority"] {
            let builtin = report(dir.path(), sc, s, n);
            let preset = report(dir.path(), sc, &format!("score-{s}"), n);
            // The reports name the strategy run: the preset's name is the only difference
            // allowed.
            let named = |b: Vec<u8>| {
                String::from_utf8(b)
                    .unwrap()
                    .replace(&format!("\"score-{s}\""), &format!("\"{s}\""))
                    .into_bytes()
            };
            let preset = (named(preset.0), preset.1);
            assert!(
                builtin.0 == preset.0 && builtin.1 == preset.1,
                "{}: score-{s} differs from {s}",
                sc.display()
            );
        }
    }
}

/// The two-class priority scenario with a score policy in `routing`.
fn with_policy(policy: Value) -> Value {
    let mut v: Value = serde_json::from_slice(
        &fs::read(Path::new(SCENARIOS).join("priority-2class.json")).unwrap(),
    )
    .unwrap();
    v["routing"] = json!({"strategy": "score", "policy": policy});
    v
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p
}

/// The mean wait of a segment in a run's JSON report.
fn segment_asa(json: &[u8], segment: &str) -> f64 {
    let v: Value = serde_json::from_slice(json).unwrap();
    let rows = v["segments"].as_array().expect("segments");
    let row = rows
        .iter()
        .find(|r| r["id"] == segment)
        .unwrap_or_else(|| panic!("segment {segment} in {rows:?}"));
    row["metrics"]["asa_s"]["mean"].as_f64().unwrap()
}

#[test]
fn a_scenario_policy_runs_and_its_base_priority_reorders_the_segments() {
    let dir = TempDir::new().unwrap();
    let base = |seg: &str| json!({"base": [{"segment": seg, "value": 10.0}], "aging_per_s": 0.001});
    let regular_first = write(dir.path(), "r.json", &with_policy(base("regular")));
    let elderly_first = write(dir.path(), "e.json", &with_policy(base("elderly")));
    let (r, _) = report(dir.path(), &regular_first, "score", "40");
    let (e, _) = report(dir.path(), &elderly_first, "score", "40");
    // Whichever segment has the higher base waits less, by a wide margin.
    assert!(segment_asa(&r, "regular") < 0.7 * segment_asa(&r, "elderly"));
    assert!(segment_asa(&e, "elderly") < 0.7 * segment_asa(&e, "regular"));
}

/// Runs the scenario and checks exit 2 with the file and each of `parts` on stderr.
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
fn bad_policy_definitions_exit_2_naming_the_json_path() {
    refused(
        &with_policy(json!({"base": [{"segment": "nobody", "value": 1}]})),
        &["$.routing.policy.base[0].segment", "`nobody`"],
    );
    refused(
        &with_policy(json!({"base": [{"channel": "fax", "value": 1}]})),
        &["$.routing.policy.base[0].channel"],
    );
    refused(
        &with_policy(json!({"promote_after_s": -5, "promote_to": 1})),
        &["$.routing.policy.promote_after_s", ">= 0"],
    );
    refused(
        &with_policy(json!({"aging_per_s": 1e300})),
        &["$.routing.policy.aging_per_s", "finite"],
    );
    refused(
        &with_policy(json!({"agent": {"idle_per_s": -1}})),
        &["$.routing.policy.agent.idle_per_s"],
    );
    let mut no_policy = with_policy(json!({}));
    no_policy["routing"] = json!({"strategy": "score"});
    refused(&no_policy, &["$.routing.strategy", "routing.policy"]);
}

#[test]
fn strategy_score_on_a_scenario_without_policy_exits_2() {
    let out = acdsim()
        .arg("run")
        .arg(Path::new(SCENARIOS).join("mmc-5.json"))
        .args(["-n", "2", "--strategy", "score"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--strategy"));
}

/// The default scenario routed by score policy `policy`.
fn default_with_policy(policy: Value) -> Value {
    let mut v: Value =
        serde_json::from_slice(&fs::read(Path::new(SCENARIOS).join("default.json")).unwrap())
            .unwrap();
    v["routing"] = json!({"strategy": "score", "policy": policy});
    v
}

/// A metric's mean in a channel row of a run's JSON report.
fn channel_metric(json: &[u8], channel: &str, metric: &str) -> f64 {
    let v: Value = serde_json::from_slice(json).unwrap();
    let row = v["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == channel)
        .unwrap_or_else(|| panic!("channel {channel}"));
    row["metrics"][metric]["mean"]
        .as_f64()
        .unwrap_or_else(|| panic!("{channel}.{metric} in {row}"))
}

#[test]
fn a_transfer_bonus_shortens_the_second_wait_of_transferred_contacts() {
    let dir = TempDir::new().unwrap();
    // Longest waiting first (aging), agents by level; the default day's phone complaints are
    // passed on to the seniors (complaint-senior), who also serve phone and chat queues.
    let policy = |bonus: f64| {
        json!({"aging_per_s": 1, "transfer_bonus": bonus,
               "agent": {"level": 1e9, "load": 1e6, "idle_per_s": 1}})
    };
    let plain = write(dir.path(), "plain.json", &default_with_policy(policy(0.0)));
    let bonus = write(
        dir.path(),
        "bonus.json",
        &default_with_policy(policy(600.0)),
    );
    let (p, _) = report(dir.path(), &plain, "score", "40");
    let (b, _) = report(dir.path(), &bonus, "score", "40");
    let (wait_p, wait_b) = (
        channel_metric(&p, "phone", "transfer_wait_s"),
        channel_metric(&b, "phone", "transfer_wait_s"),
    );
    // Ten minutes' worth of priority puts a transferred contact ahead of nearly every other
    // head a freed senior sees; it still waits for a senior to be freed (they are over 90%
    // busy), so the wait falls by about 40% (34.7 -> 20.8 s), not to 0.
    assert!(
        wait_b < 0.75 * wait_p,
        "transfer wait {wait_b} s with the bonus, {wait_p} s without"
    );
    // The seniors' time goes to the transferred contacts first: the fresh phone contacts wait
    // longer (the bonus reorders the queues, it adds no capacity).
    assert!(channel_metric(&b, "phone", "asa_s") > channel_metric(&p, "phone", "asa_s"));
}

/// One phone queue (4 Erlangs) served by two groups of 4 agents each, group A first in the
/// class's group order, routed by a score policy with agent weights `agent`.
fn two_groups(agent: Value) -> Value {
    json!({
        "name": "two-groups",
        "day": {"open": "08:00", "interval_minutes": 60, "intervals": 8, "warmup_minutes": 60, "closing": "drain"},
        "seed": 5,
        "routing": {"strategy": "score", "policy": {"aging_per_s": 1, "agent": agent}},
        "channels": [{
            "id": "phone",
            "goal": {"threshold_s": 20, "target": 0.8},
            "volume": 60,
            "types": [{"id": "call", "share": 1, "skills": ["phone"],
                       "handle_time": {"type": "exponential", "mean": 240}}],
            "segments": [{"id": "regular", "share": 1, "patience": {"type": "exponential", "mean": 300}}]
        }],
        "agent_groups": [
            {"id": "A", "skills": {"phone": 3}, "headcount": 4},
            {"id": "B", "skills": {"phone": 3}, "headcount": 4}
        ]
    })
}

/// The occupancy of every agent group in a run's JSON report.
fn group_occupancy(json: &[u8]) -> Vec<f64> {
    let v: Value = serde_json::from_slice(json).unwrap();
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["occupancy"]["mean"].as_f64().unwrap())
        .collect()
}

#[test]
fn an_occupancy_weight_evens_out_the_agents_occupancy() {
    let dir = TempDir::new().unwrap();
    // Group A first whenever one of its agents is idle: A is far busier than B.
    let ordered = json!({"order": 1e6, "idle_per_s": 1});
    let p = write(dir.path(), "ordered.json", &two_groups(ordered));
    // The same, but the agent least busy so far first (the occupancy weight dominates).
    let even = json!({"order": 1e6, "idle_per_s": 1, "occupancy": 1e9});
    let e = write(dir.path(), "even.json", &two_groups(even));
    let (p, _) = report(dir.path(), &p, "score", "30");
    let (e, _) = report(dir.path(), &e, "score", "30");
    let (op, oe) = (group_occupancy(&p), group_occupancy(&e));
    assert!(op[0] > op[1] + 0.2, "group order: occupancy {op:?}");
    assert!(
        (oe[0] - oe[1]).abs() < 0.02,
        "occupancy weight: occupancy {oe:?} (group order: {op:?})"
    );
    // The same contacts are served: the total work does not move.
    let (sp, se) = (op[0] + op[1], oe[0] + oe[1]);
    assert!((sp - se).abs() < 0.02, "{sp} vs {se}");
}
