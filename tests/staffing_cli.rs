//! `acdsim erlang` and `acdsim staff` from the command line.

use assert_cmd::Command;
use predicates::prelude::*;
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
        .args(["--surge", "1.2", "--curve-span", "1"])
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
    assert!(staffing.starts_with("group,interval_start,base,surge,reserve,analytic_base"));
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

/// Runs `acdsim staff` on `scenario` (JSON text) with `args`, expecting exit 0, and returns the
/// JSON report and the stdout table.
fn staff_json(scenario: &str, args: &[&str]) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("scenario.json");
    std::fs::write(&scen, scenario).unwrap();
    let json = dir.path().join("staff.json");
    let out = acdsim()
        .arg("staff")
        .arg(&scen)
        .args(["--curve-span", "1"])
        .args(args)
        .arg("--json")
        .arg(&json)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    (v, String::from_utf8(out).unwrap())
}

/// `v` as a vector of integers (a JSON array of numbers).
fn ints(v: &serde_json::Value) -> Vec<u64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

/// A single M/M/c+M queue (Erlang A): 120 calls per hour, exponential AHT 180 s (6 Erlangs),
/// exponential patience with mean 120 s, goal 80% answered within 20 s (over answered +
/// abandoned, which is Erlang A's "answered within t" share of all arrivals), two hours of
/// warm-up so that every reported interval is in steady state.
const MMC_M: &str = r#"{
  "name": "erlang-a-staff",
  "day": { "open": "08:00", "interval_minutes": 60, "intervals": 3, "warmup_minutes": 120, "closing": "drain" },
  "seed": 5,
  "channels": [
    {
      "id": "phone",
      "goal": { "threshold_s": 20, "target": 0.8 },
      "volume": 120,
      "types": [ { "id": "call", "share": 1, "skills": ["phone"], "handle_time": { "type": "exponential", "mean": 180 } } ],
      "segments": [ { "id": "regular", "share": 1, "patience": { "type": "exponential", "mean": 120 } } ]
    }
  ],
  "agent_groups": [ { "id": "agents", "skills": { "phone": 3 }, "headcount": 5 } ]
}"#;

/// What the search must answer for an Erlang A queue with `rate` calls per second, given the
/// simulated service level at the answer (mean and its confidence half-width `hw`).
///
/// The search keeps the smallest staffing whose simulated *lower* confidence bound reaches the
/// target. When the exact Erlang A service level of the Erlang A answer `n` clears the target by
/// more than 3 half-widths and that of `n - 1` misses it by more than 3 half-widths, the search
/// cannot land anywhere but `n`: the answer must equal `n`. When the margin at `n` is thinner, the
/// lower bound may miss the target although the mean does not: then `n + 1` is also correct.
/// Returns the set of correct answers.
fn erlang_a_answers(rate: f64, hw: f64) -> Vec<u64> {
    use acdsim::analysis::queueing::{required_servers, ErlangA, StaffingTarget};
    let target = StaffingTarget {
        service_level: Some((0.8, 20.0)),
        max_asa_s: None,
        max_occupancy: None,
    };
    let n = required_servers(rate, 180.0, 120.0, target);
    let sl = |c: u32| {
        ErlangA {
            servers: c,
            arrival_rate: rate,
            mean_service_s: 180.0,
            mean_patience_s: 120.0,
        }
        .service_level(20.0)
    };
    assert!(sl(n) >= 0.8 && sl(n - 1) < 0.8);
    assert!(
        0.8 - sl(n - 1) > 3.0 * hw,
        "n - 1 = {} agents give {:.4}: too close to the target for the test to decide",
        n - 1,
        sl(n - 1)
    );
    if sl(n) - 0.8 > 3.0 * hw {
        vec![u64::from(n)]
    } else {
        vec![u64::from(n), u64::from(n) + 1]
    }
}

#[test]
fn staff_matches_erlang_a_with_exponential_patience() {
    use acdsim::analysis::queueing::{required_servers, ErlangA, StaffingTarget};
    let (v, _) = staff_json(MMC_M, &["--surge", "1.2", "--replications", "500"]);
    let rate = 120.0 / 3600.0;
    // The analytic start is the Erlang A answer (8 agents: 83.8%; 7 give 73.3%), not the
    // Erlang C one (9): patience is taken into account.
    let sl_only = StaffingTarget {
        service_level: Some((0.8, 20.0)),
        max_asa_s: None,
        max_occupancy: None,
    };
    let n = u64::from(required_servers(rate, 180.0, 120.0, sl_only));
    let n_c = u64::from(required_servers(rate, 180.0, f64::INFINITY, sl_only));
    assert!(n < n_c, "Erlang A {n} vs Erlang C {n_c}");
    assert_eq!(ints(&v["base"]["analytic"][0]), vec![n; 3]);
    for (load, factor) in [("base", 1.0), ("surge", 1.2)] {
        let answer = ints(&v["groups"][0][load]);
        let goals = v[load]["goals"].as_array().unwrap();
        assert_eq!(goals.len(), 3, "{v:#}");
        let hw = goals
            .iter()
            .map(|g| g["hi"].as_f64().unwrap() - g["mean"].as_f64().unwrap())
            .fold(0.0, f64::max);
        let ok = erlang_a_answers(rate * factor, hw);
        if load == "base" {
            // 8 agents clear the target by 3.8 pp, more than 3 half-widths (about 1 pp at 500
            // replications): the answer must be exactly Erlang A's.
            assert_eq!(ok, vec![n], "half-width {hw:.4}");
        }
        for (k, a) in answer.iter().enumerate() {
            assert!(
                ok.contains(a),
                "{load} interval {k}: {a} agents, Erlang A allows {ok:?} (half-width {hw:.4})"
            );
        }
        // At the answer the simulated service level agrees with Erlang A within 3 half-widths
        // and its lower bound reaches the target.
        for (g, &a) in goals.iter().zip(&answer) {
            let exact = ErlangA {
                servers: a as u32,
                arrival_rate: rate * factor,
                mean_service_s: 180.0,
                mean_patience_s: 120.0,
            }
            .service_level(20.0);
            let mean = g["mean"].as_f64().unwrap();
            let hw = g["hi"].as_f64().unwrap() - mean;
            assert!(
                (mean - exact).abs() <= 3.0 * hw,
                "{load} {}: simulated {mean:.4} ± {hw:.4}, Erlang A {exact:.4}",
                g["interval"]
            );
            assert!(g["lo"].as_f64().unwrap() >= 0.8 && g["met"].as_bool().unwrap());
        }
    }
}

/// Two groups on one phone queue whose volume varies over the day; the seniors are few, so the
/// juniors take the overflow.
const TWO_GROUPS: &str = r#"{
  "name": "two-groups",
  "day": { "open": "09:00", "interval_minutes": 60, "intervals": 3, "closing": "drain" },
  "seed": 3,
  "replications": 80,
  "channels": [
    {
      "id": "phone",
      "goal": { "threshold_s": 20, "target": 0.8 },
      "volume": [40, 80, 60],
      "types": [ { "id": "call", "share": 1, "skills": ["phone"], "handle_time": { "type": "exponential", "mean": 240 } } ],
      "segments": [ { "id": "regular", "share": 1, "patience": { "type": "exponential", "mean": 300 } } ]
    }
  ],
  "agent_groups": [
    { "id": "seniors", "skills": { "phone": 4 }, "headcount": 3, "max": 4 },
    { "id": "juniors", "skills": { "phone": 2 }, "headcount": 3 }
  ]
}"#;

/// Agents per interval over all groups of a staff report's `load` (`base` or `surge`).
fn totals(v: &serde_json::Value, load: &str) -> Vec<u64> {
    let groups = v["groups"].as_array().unwrap();
    let per: Vec<Vec<u64>> = groups.iter().map(|g| ints(&g[load])).collect();
    (0..per[0].len())
        .map(|k| per.iter().map(|g| g[k]).sum())
        .collect()
}

#[test]
fn staff_requirement_never_decreases_with_the_surge_factor() {
    let runs: Vec<serde_json::Value> = ["1.0", "1.2", "1.5"]
        .iter()
        .map(|f| staff_json(TWO_GROUPS, &["--surge", f]).0)
        .collect();
    // The base search does not depend on the surge factor; at factor 1 the surge is the base.
    let base = totals(&runs[0], "base");
    for v in &runs {
        assert_eq!(totals(v, "base"), base);
        assert!(v["surge"]["feasible"].as_bool().unwrap(), "{v:#}");
    }
    assert_eq!(totals(&runs[0], "surge"), base);
    // Each surge answer is its own search (raised to at least the base answer), so these
    // comparisons between factors are not guaranteed by construction.
    let s12 = totals(&runs[1], "surge");
    let s15 = totals(&runs[2], "surge");
    for k in 0..base.len() {
        assert!(
            base[k] <= s12[k] && s12[k] <= s15[k],
            "interval {k}: 1.0 {base:?}, 1.2 {s12:?}, 1.5 {s15:?}"
        );
    }
    assert!(s15.iter().sum::<u64>() > base.iter().sum::<u64>());
    // The seniors are capped at 4: the juniors carry the rest.
    for v in &runs {
        assert!(ints(&v["groups"][0]["surge"]).iter().all(|&n| n <= 4));
    }
    // The analytic starting points (Erlang A per interval) grow with the load as well.
    let analytic = |v: &serde_json::Value| -> Vec<u64> {
        let a: Vec<Vec<u64>> = v["surge"]["analytic"]
            .as_array()
            .unwrap()
            .iter()
            .map(ints)
            .collect();
        (0..a[0].len())
            .map(|k| a.iter().map(|g| g[k]).sum())
            .collect()
    };
    let (a10, a12, a15) = (analytic(&runs[0]), analytic(&runs[1]), analytic(&runs[2]));
    for k in 0..a10.len() {
        assert!(a10[k] <= a12[k] && a12[k] <= a15[k]);
    }
}

#[test]
fn staff_shrinkage_converts_required_to_scheduled() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("csv");
    let (v, table) = staff_json(MMC, &["--shrinkage", "0.3", "--csv", csv.to_str().unwrap()]);
    assert_eq!(v["shrinkage"], 0.3);
    // 7 / 0.7 is 10 (not 11 from floating-point noise), 8 / 0.7 = 11.43 gives 12.
    let ceil_over_07 = |n: u64| (n * 10).div_ceil(7);
    let g = &v["groups"][0];
    for load in ["base", "surge"] {
        let required = ints(&g[load]);
        let scheduled = ints(&g[format!("scheduled_{load}").as_str()]);
        let want: Vec<u64> = required.iter().map(|&n| ceil_over_07(n)).collect();
        assert_eq!(scheduled, want, "{load}");
    }
    assert_eq!(ints(&g["base"]), vec![7, 7, 7]);
    assert_eq!(ints(&g["scheduled_base"]), vec![10, 10, 10]);
    assert_eq!(ints(&g["current"]), vec![5, 5, 5]);
    assert!(
        table.contains("Scheduled agents after 30% shrinkage"),
        "{table}"
    );
    assert!(table.contains("10 / "), "{table}");
    let staffing = std::fs::read_to_string(csv.join("staffing.csv")).unwrap();
    let mut lines = staffing.lines();
    assert_eq!(
        lines.next().unwrap(),
        "group,interval_start,base,surge,reserve,analytic_base,scheduled_base,scheduled_surge,scheduled_reserve,current"
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let surge: u64 = row[3].parse().unwrap();
    assert_eq!(row[6], "10");
    assert_eq!(row[7], ceil_over_07(surge).to_string());
    assert_eq!(row[9], "5");
    // Without shrinkage, scheduled = required.
    let (v, table) = staff_json(MMC, &[]);
    assert_eq!(v["groups"][0]["scheduled_base"], v["groups"][0]["base"]);
    assert!(
        table.contains("Scheduled agents = required agents"),
        "{table}"
    );
}

#[test]
fn staff_occupancy_cap_raises_the_requirement() {
    // 4 Erlangs: 7 agents are 57.1% busy, 8 agents 50%. With a 55% cap the answer is 8 (the
    // service-level goal alone needs 7, see `staff_matches_erlang_c_and_surge_needs_more`).
    let (v, table) = staff_json(MMC, &["--max-occupancy", "0.55"]);
    assert_eq!(v["max_occupancy"], 0.55);
    assert_eq!(ints(&v["groups"][0]["base"]), vec![8, 8, 8], "{v:#}");
    let occupancy: Vec<&serde_json::Value> = v["base"]["goals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == "occupancy")
        .collect();
    assert_eq!(occupancy.len(), 3);
    for g in occupancy {
        assert!(g["hi"].as_f64().unwrap() <= 0.55 && g["met"].as_bool().unwrap());
        assert!((g["mean"].as_f64().unwrap() - 0.5).abs() < 0.03, "{g}");
    }
    assert!(table.contains("Occupancy cap 55%"), "{table}");
}

#[test]
fn staff_plots_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("scenario.json");
    std::fs::write(&scen, TWO_GROUPS).unwrap();
    let plots = dir.path().join("plots");
    acdsim()
        .arg("staff")
        .arg(&scen)
        .args(["--curve-span", "2", "--shrinkage", "0.25"])
        .arg("--plots")
        .arg(&plots)
        .assert()
        .success();
    for f in [
        "peak_sl_vs_agents.png",
        "staffing_total.png",
        "staffing_group_seniors.png",
        "staffing_group_juniors.png",
    ] {
        let bytes = std::fs::read(plots.join(f)).unwrap();
        assert!(bytes.len() > 1000, "{f}: {} bytes", bytes.len());
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{f}");
    }
    for e in std::fs::read_dir(&plots).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp"), "left behind: {name}");
    }
    // A file where the folder should be, or a JSON file in a missing folder: exit 2 before
    // any search (nothing on stdout), naming the path.
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, "x").unwrap();
    acdsim()
        .arg("staff")
        .arg(&scen)
        .args(["--curve-span", "0"])
        .arg("--plots")
        .arg(&blocked)
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("blocked").and(contains("not a folder")));
    acdsim()
        .arg("staff")
        .arg(&scen)
        .arg("--json")
        .arg(dir.path().join("missing/staff.json"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("missing"));
}

#[test]
fn staff_bad_shrinkage_and_occupancy_exit_2_naming_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("mmc.json");
    std::fs::write(&scen, MMC).unwrap();
    for (flag, value, why) in [
        ("--shrinkage", "1.0", "[0, 1)"),
        ("--shrinkage", "1", "[0, 1)"),
        ("--shrinkage", "-0.1", "[0, 1)"),
        ("--shrinkage", "NaN", "[0, 1)"),
        ("--shrinkage", "thirty", "not a number"),
        ("--max-occupancy", "0", "(0, 1]"),
        ("--max-occupancy", "1.5", "(0, 1]"),
        ("--max-occupancy", "-0.8", "(0, 1]"),
    ] {
        acdsim()
            .arg("staff")
            .arg(&scen)
            .args([flag, value])
            .assert()
            .code(2)
            .stderr(contains(flag))
            .stderr(contains(why));
    }
}

#[test]
fn erlang_thousands_of_agents() {
    // 40,000 calls per 30 min at AHT 90 s = 2000 Erlangs, 80% in 20 s. Independently computed
    // (log-space Erlang C in Python): 2007 agents give 82.72%, 2006 give 77.78%.
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("erlang.json");
    let base = [
        "erlang",
        "--contacts",
        "40000",
        "--aht-s",
        "90",
        "--sl",
        "0.8",
        "--threshold-s",
        "20",
    ];
    acdsim()
        .args(base)
        .arg("--json")
        .arg(&json)
        .assert()
        .success()
        .stdout(contains("Agents needed: 2007"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let sl = |n: u64| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["agents"] == n)
            .unwrap()["service_level"]
            .as_f64()
            .unwrap()
    };
    assert!((sl(2007) - 0.827_235).abs() < 1e-6);
    assert!((sl(2006) - 0.777_836).abs() < 1e-6);
    // Erlang A, mean patience 120 s: far fewer agents (1743, overloaded but within goal, as
    // callers abandon); at 1743 agents 12.85% abandon (birth-death chain summed directly).
    acdsim()
        .args(base)
        .args(["--patience-s", "120"])
        .arg("--json")
        .arg(&json)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let n = v["agents_needed"].as_u64().unwrap();
    assert!(n > 1000 && n < 2007, "{n}");
    let row = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["agents"] == 1743)
        .unwrap_or_else(|| panic!("no 1743-agent row: {v:#}"));
    assert!((row["abandonment"].as_f64().unwrap() - 0.128_5).abs() < 1e-7);
}

#[test]
fn staff_occupancy_cap_on_a_group_at_its_max() {
    // The seniors are capped at 4 agents. Under idle-first routing, juniors take work from
    // them: the search adds juniors until the seniors' occupancy is under the cap as well.
    let (plain, _) = staff_json(TWO_GROUPS, &["--strategy", "idle-first"]);
    let (capped, _) = staff_json(
        TWO_GROUPS,
        &["--strategy", "idle-first", "--max-occupancy", "0.55"],
    );
    assert!(capped["base"]["feasible"].as_bool().unwrap(), "{capped:#}");
    assert_eq!(ints(&capped["groups"][0]["base"]), vec![4, 4, 4]);
    let occupancy: Vec<&serde_json::Value> = capped["base"]["goals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == "occupancy")
        .collect();
    assert_eq!(occupancy.len(), 6, "{capped:#}");
    assert!(occupancy
        .iter()
        .all(|g| g["hi"].as_f64().unwrap() <= 0.55 && g["met"].as_bool().unwrap()));
    let (p, c) = (totals(&plain, "base"), totals(&capped, "base"));
    assert!(
        c.iter().zip(&p).all(|(c, p)| c >= p) && c.iter().sum::<u64>() > p.iter().sum::<u64>(),
        "capped {c:?}, plain {p:?}"
    );
    // Under skill-first routing a free senior always gets the call first: more juniors do not
    // lower the seniors' occupancy, and the search says so instead of adding juniors forever.
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("scenario.json");
    std::fs::write(&scen, TWO_GROUPS).unwrap();
    let json = dir.path().join("staff.json");
    acdsim()
        .arg("staff")
        .arg(&scen)
        .args(["--curve-span", "0", "--max-occupancy", "0.7"])
        .arg("--json")
        .arg(&json)
        .assert()
        .code(1)
        .stdout(contains("NOT FEASIBLE (group seniors at 10:00"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert!(!v["base"]["feasible"].as_bool().unwrap());
    assert!(v["base"]["infeasible"]
        .as_str()
        .unwrap()
        .contains("do not lower it"));
    assert!(v["base"]["evaluations"].as_u64().unwrap() < 50);
}

/// The analytic starting staffing gives each channel's Erlang requirement to the best regular
/// group serving it: a surge-playbook reserve (no agents until the playbook calls them) that
/// outranks every regular group must not take it, or the requirement is lost (the reserve
/// holds no scheduled agents) and the search has to add every agent one at a time.
#[test]
fn analytic_staffing_ignores_playbook_reserves() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let load = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("surge-playbook.json")).unwrap())
                .unwrap();
        edit(&mut v);
        let bytes = serde_json::to_vec(&v).unwrap();
        let raw = acdsim::input::parse("variant", &bytes).unwrap();
        acdsim::input::resolve("variant", &bytes, &raw, &dir).unwrap()
    };
    let as_bundled = load(&|_| {});
    let expert_reserve = load(&|v| {
        v["surge_playbook"]["reserve"][0]["skills"] =
            serde_json::json!({ "general": 5, "complaints": 5 });
    });
    let staffing = acdsim::analysis::staffing::search::analytic_staffing;
    assert_eq!(
        staffing(&expert_reserve, None),
        staffing(&as_bundled, None),
        "the reserve's skills changed the regular groups' analytic staffing"
    );
}

/// The staffing search on the default scenario (issue 12): base and surge together in at most
/// 30 full-day evaluations of 100 replications (the issue asks for 60; the search takes about
/// 15), with an answer at least as good as the one-agent-per-evaluation search it replaced
/// (786 base and 923 surge agent-intervals, plus 1%), every goal met on the confidence bound.
/// On the default day as it was then, before its realism (issue 13: wrap-up, redials and
/// escalations need more agents), kept as a fixture.
#[test]
fn staff_default_scenario_in_few_full_day_evaluations() {
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/default-without-realism.json");
    let (v, table) = staff_json(
        &std::fs::read_to_string(scenario).unwrap(),
        &["--replications", "100"],
    );
    let mut evaluations = 0;
    for (load, most) in [("base", 786 * 101 / 100), ("surge", 923 * 101 / 100)] {
        let r = &v[load];
        assert!(
            r["feasible"].as_bool().unwrap(),
            "{load}: {}",
            r["infeasible"]
        );
        let n = r["evaluations"].as_u64().unwrap();
        assert_eq!(r["replication_days"].as_u64().unwrap(), n * 100, "{load}");
        assert!(
            table.contains(&format!(
                "{load}: every goal met after {n} evaluations ({} replication-days)",
                n * 100
            )),
            "{table}"
        );
        evaluations += n;
        let total: u64 = totals(&v, load).iter().sum();
        assert!(
            total <= most,
            "{load}: {total} agent-intervals, at most {most} wanted"
        );
        for g in r["goals"].as_array().unwrap() {
            let (lo, target) = (g["lo"].as_f64().unwrap(), g["target"].as_f64().unwrap());
            assert!(g["met"].as_bool().unwrap() && lo >= target, "{load}: {g}");
        }
    }
    assert!(evaluations <= 30, "{evaluations} evaluations");
}

/// Issue 13's bug: seniors who serve the phone only through a share-0 escalation type (the
/// target of 30% of complaints) were the phone's "best" group for their level there, so the
/// search gave them the phone's whole requirement, then piled agents onto them (4000 per
/// interval) until its budget ran out: NOT FEASIBLE. Now the generalists take the phone's
/// goal and the seniors are held at the Erlang agents for their transferred calls (120 calls an
/// hour x 20% complaints x 30% = 7.2 an hour of 300 s, 80% in 20 s, patience 300 s), at base
/// and at the surge.
#[test]
fn staff_with_seniors_serving_only_escalations_is_feasible() {
    use acdsim::analysis::queueing::{required_servers, StaffingTarget};
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("staff.json");
    let scenario =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/escalation-only.json");
    acdsim()
        .arg("staff")
        .arg(&scenario)
        .args(["-n", "40", "--max-evaluations", "40", "--threads", "2"])
        .arg("--json")
        .arg(&json)
        .assert()
        .success()
        .stdout(contains("base: every goal met"))
        .stdout(contains("surge: every goal met"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    let target = StaffingTarget {
        service_level: Some((0.8, 20.0)),
        max_asa_s: None,
        max_occupancy: None,
    };
    for (side, surge) in [("base", 1.0), ("surge", 1.2)] {
        assert_eq!(v[side]["feasible"], true, "{side}");
        let seniors = required_servers(surge * 7.2 / 3600.0, 300.0, 300.0, target);
        assert!(seniors >= 1);
        let h = &v[side]["headcount"];
        for k in 0..4 {
            assert_eq!(h[1][k], seniors, "{side} seniors at interval {k}");
            // Erlang A for 120 (144) calls an hour of 204 s is about 10 (12) agents.
            let g = h[0][k].as_u64().unwrap();
            assert!(
                (6..=16).contains(&g),
                "{side} generalists {g} at interval {k}"
            );
        }
    }
}
