//! `acdsim erlang` and `acdsim staff` from the command line.

use assert_cmd::Command;
use predicates::str::contains;

fn acdsim() -> Command {
    Command::cargo_bin("acdsim").unwrap()
}

#[test]
fn erlang_classic_example() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("erlang.json");
    acdsim()
        .args([
            "erlang",
            "--contacts",
            "100",
            "--interval-minutes",
            "30",
            "--aht-s",
            "180",
            "--sl",
            "0.8",
            "--threshold-s",
            "20",
            "--shrinkage",
            "0.3",
        ])
        .arg("--json")
        .arg(&json)
        .assert()
        .success()
        .stdout(contains("Traffic: 10.000 Erlangs"))
        .stdout(contains(
            "Agents needed: 14 (scheduled after 30% shrinkage: 20)",
        ))
        .stdout(contains("88.8%"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(v["agents_needed"], 14);
    assert_eq!(v["scheduled_needed"], 20);
    let row = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["agents"] == 14)
        .unwrap();
    assert!((row["service_level"].as_f64().unwrap() - 0.8883).abs() < 5e-4);
}

#[test]
fn erlang_bad_inputs_exit_2_naming_the_flag() {
    let base = ["erlang", "--contacts", "100", "--aht-s", "180"];
    for (extra, flag) in [
        (vec!["--sl", "0.8", "--shrinkage", "1"], "--shrinkage"),
        (vec!["--sl", "0.8", "--shrinkage", "-0.1"], "--shrinkage"),
        (vec![], "no target"),
        (vec!["--sl", "1.5"], "--sl"),
        (vec!["--asa-s", "-3"], "--asa-s"),
        (vec!["--sl", "0.8", "--patience-s", "0"], "--patience-s"),
    ] {
        acdsim()
            .args(base)
            .args(&extra)
            .assert()
            .code(2)
            .stderr(contains(flag));
    }
    acdsim()
        .args([
            "erlang",
            "--contacts",
            "-5",
            "--aht-s",
            "180",
            "--sl",
            "0.8",
        ])
        .assert()
        .code(2)
        .stderr(contains("--contacts"));
}

/// A single M/M/c queue: 60 calls per hour, exponential AHT 240 s (4 Erlangs), goal 85% in
/// 15 s, no abandonment. Erlang C: 6 agents give 74.8%, 7 give 89.2%: the answer is 7 in
/// every interval (88.8%), and the 3.8 pp margin is well above the confidence half-width.
const MMC: &str = r#"{
  "name": "mmc-staff",
  "day": { "open": "08:00", "interval_minutes": 60, "intervals": 3, "warmup_minutes": 120, "closing": "drain" },
  "seed": 11,
  "replications": 120,
  "channels": [
    {
      "id": "phone",
      "goal": { "threshold_s": 15, "target": 0.85 },
      "volume": 60,
      "types": [ { "id": "call", "share": 1, "skills": ["phone"], "handle_time": { "type": "exponential", "mean": 240 } } ],
      "segments": [ { "id": "regular", "share": 1, "patience": { "type": "never" } } ]
    }
  ],
  "agent_groups": [ { "id": "agents", "skills": { "phone": 3 }, "headcount": 5 } ]
}"#;

#[test]
fn staff_matches_erlang_c_and_surge_needs_more() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("mmc.json");
    std::fs::write(&scen, MMC).unwrap();
    let json = dir.path().join("staff.json");
    let csv = dir.path().join("csv");
    acdsim()
        .arg("staff")
        .arg(&scen)
        .args(["--surge", "1.2", "--quiet", "--curve-span", "1"])
        .arg("--json")
        .arg(&json)
        .arg("--csv")
        .arg(&csv)
        .assert()
        .success()
        .stdout(contains("7 / "));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    let g = &v["groups"][0];
    let base: Vec<u64> = g["base"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    let surge: Vec<u64> = g["surge"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    // Erlang C answer at base load.
    assert_eq!(base, vec![7, 7, 7], "{v:#}");
    assert_eq!(v["base"]["analytic"][0], serde_json::json!([7, 7, 7]));
    // 4.8 Erlangs: Erlang C needs 8 (7 give 75.7%, 8 give 88.6%).
    assert_eq!(v["surge"]["analytic"][0], serde_json::json!([8, 8, 8]));
    for (b, s) in base.iter().zip(&surge) {
        assert!(s >= b, "surge {surge:?} below base {base:?}");
    }
    assert!(surge.iter().sum::<u64>() > base.iter().sum::<u64>());
    assert!(v["base"]["feasible"].as_bool().unwrap());
    let staffing = std::fs::read_to_string(csv.join("staffing.csv")).unwrap();
    assert!(staffing.starts_with("group,interval,base,surge,reserve,analytic_base"));
    let curve = std::fs::read_to_string(csv.join("peak_curve.csv")).unwrap();
    assert_eq!(curve.lines().count(), 1 + 3 + 3);
}

#[test]
fn staff_bad_inputs_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("mmc.json");
    std::fs::write(&scen, MMC).unwrap();
    acdsim()
        .arg("staff")
        .arg(&scen)
        .args(["--surge", "0"])
        .assert()
        .code(2)
        .stderr(contains("--surge"));
    acdsim()
        .arg("staff")
        .arg(&scen)
        .args(["--replications", "1"])
        .assert()
        .code(2)
        .stderr(contains("--replications"));
    acdsim()
        .arg("staff")
        .arg(dir.path().join("missing.json"))
        .assert()
        .code(2)
        .stderr(contains("missing.json"));
    acdsim()
        .arg("staff")
        .arg(&scen)
        .args(["--confidence", "1.5"])
        .assert()
        .code(2)
        .stderr(contains("confidence"));
}
