//! `acdsim sweep` end to end: the bundled experiment's tidy CSV (its shape, one line per
//! variant x row x metric), byte-identical outputs at 1 and 2 threads, the paired differences on
//! common random numbers, and bad experiment files failing with exit code 2, the file, the
//! variant and the JSON path.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn acdsim() -> Command {
    let mut c = Command::cargo_bin("acdsim").unwrap();
    c.current_dir(ROOT);
    c
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// An experiment on scenarios/mmc-5.json (one channel, one group), short.
fn mmc_experiment(dir: &Path, grid: &str) -> String {
    let text = format!(
        r#"{{"scenario": "{ROOT}/scenarios/mmc-5.json", "replications": 24, "seed": 7,
            "grid": {grid}}}"#
    );
    write(dir, "exp.json", &text)
}

fn run_sweep(exp: &str, threads: &str, out: &Path) -> (String, String) {
    let csv = out.join(format!("s{threads}.csv"));
    let json = out.join(format!("s{threads}.json"));
    acdsim()
        .args(["sweep", exp, "-q", "--threads", threads, "--csv"])
        .arg(&csv)
        .arg("--json")
        .arg(&json)
        .assert()
        .success();
    (
        fs::read_to_string(csv).unwrap(),
        fs::read_to_string(json).unwrap(),
    )
}

#[test]
fn bundled_experiment_gives_a_tidy_csv_the_same_at_one_and_two_threads() {
    let d = TempDir::new().unwrap();
    let exp = format!("{ROOT}/experiments/default-strategies.json");
    // Few replications: the shape and the determinism are under test here.
    let run = |threads: &str| {
        let csv = d.path().join(format!("t{threads}.csv"));
        let json = d.path().join(format!("t{threads}.json"));
        let plots = d.path().join(format!("p{threads}"));
        acdsim()
            .args(["sweep", &exp, "-n", "8", "-q", "--threads", threads])
            .arg("--csv")
            .arg(&csv)
            .arg("--json")
            .arg(&json)
            .arg("--plots")
            .arg(&plots)
            .assert()
            .success()
            .stdout("");
        let png = fs::read(plots.join("phone.service_level_vs_staff_generalists.png")).unwrap();
        (
            fs::read_to_string(csv).unwrap(),
            fs::read_to_string(json).unwrap(),
            png,
        )
    };
    let (c1, j1, p1) = run("1");
    let (c2, j2, p2) = run("2");
    assert_eq!(c1, c2, "CSV differs between 1 and 2 threads");
    assert_eq!(j1, j2, "JSON differs between 1 and 2 threads");
    assert_eq!(p1, p2, "plot differs between 1 and 2 threads");
    assert_eq!(&p1[1..4], b"PNG");

    let mut rdr = csv::Reader::from_reader(c1.as_bytes());
    let head: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        head,
        [
            "variant",
            "strategy",
            "staff:generalists",
            "kind",
            "row",
            "metric",
            "mean",
            "lo",
            "hi",
            "half_width",
            "replications",
            "diff_mean",
            "diff_lo",
            "diff_hi"
        ]
    );
    let recs: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    // Every variant has the same rows x metrics, in the same order.
    let per_variant = recs.iter().filter(|r| &r[0] == "1").count();
    assert_eq!(recs.len(), 12 * per_variant);
    let keys = |v: &str| -> Vec<String> {
        recs.iter()
            .filter(|r| &r[0] == v)
            .map(|r| format!("{}|{}|{}", &r[3], &r[4], &r[5]))
            .collect()
    };
    assert_eq!(keys("1"), keys("12"));
    assert!(keys("1").contains(&"channel|phone|service_level".to_string()));
    assert!(keys("1").contains(&"segment|elderly|goal_service_level".to_string()));
    assert!(keys("1").contains(&"group|generalists|occupancy".to_string()));
    // Parameters as columns; numbers parse; the baseline has no difference, the others do.
    let find = |v: &str, row: &str, metric: &str| {
        recs.iter()
            .find(|r| &r[0] == v && &r[4] == row && &r[5] == metric)
            .unwrap()
            .clone()
    };
    let b = find("1", "phone", "service_level");
    assert_eq!((&b[1], &b[2]), ("skill-first", "0"));
    assert_eq!(&b[10], "8");
    assert!(b[11].is_empty());
    let v = find("12", "phone", "service_level");
    assert_eq!((&v[1], &v[2]), ("elderly-priority", "12"));
    let num = |s: &str| s.parse::<f64>().unwrap();
    let (mean, lo, hi, hw) = (num(&v[6]), num(&v[7]), num(&v[8]), num(&v[9]));
    assert!(lo <= mean && mean <= hi && (hi - lo - 2.0 * hw).abs() < 1e-9);
    // Twelve more generalists raise the phone service level, and the paired interval says so.
    assert!(num(&v[11]) > 0.0 && num(&v[12]) > 0.0, "{v:?}");

    let doc: serde_json::Value = serde_json::from_str(&j1).unwrap();
    assert_eq!(doc["schema"], "acdsim.sweep");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["variants"].as_array().unwrap().len(), 12);
    assert_eq!(doc["variants"][4]["parameters"]["strategy"], "idle-first");
}

#[test]
fn paired_differences_are_narrower_than_the_estimates_they_compare() {
    // More agents on the same contacts (common random numbers): the difference's interval is
    // narrower than the one of two independent runs.
    let d = TempDir::new().unwrap();
    let exp = mmc_experiment(d.path(), r#"{"$.agent_groups[0].headcount": [5, 6]}"#);
    let (csv, _) = run_sweep(&exp, "2", d.path());
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let recs: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let asa = |v: &str| {
        recs.iter()
            .find(|r| &r[0] == v && &r[2] == "overall" && &r[4] == "asa_s")
            .unwrap()
            .clone()
    };
    let (r1, r) = (asa("1"), asa("2"));
    let hw = |r: &csv::StringRecord| r[8].parse::<f64>().unwrap();
    let (dlo, dhi): (f64, f64) = (r[11].parse().unwrap(), r[12].parse().unwrap());
    assert!(dhi < 0.0, "a sixth agent must cut the ASA: {r:?}");
    // Independent runs would give about sqrt(hw1^2 + hw2^2).
    let independent = (hw(&r1).powi(2) + hw(&r).powi(2)).sqrt();
    assert!(
        (dhi - dlo) / 2.0 < 0.9 * independent,
        "paired half-width not narrower: {r1:?} {r:?}"
    );
    // The offered contacts are the same in both variants, replication by replication.
    let off = recs
        .iter()
        .find(|r| &r[0] == "2" && &r[2] == "overall" && &r[4] == "offered")
        .unwrap();
    assert_eq!((&off[10], &off[11], &off[12]), ("0", "0", "0"), "{off:?}");
}

#[test]
fn surge_and_explicit_variants_run_in_order() {
    let d = TempDir::new().unwrap();
    let text = format!(
        r#"{{"scenario": "{ROOT}/scenarios/mmc-5.json", "replications": 16,
            "variants": [{{"name": "calm", "set": {{"surge": 0.8}}}}],
            "grid": {{"surge": [1.0, 1.1]}}}}"#
    );
    let exp = write(d.path(), "e.json", &text);
    let out = acdsim()
        .args(["sweep", &exp, "--threads", "2"])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].contains("3 variants"), "{stdout}");
    assert!(lines[2].starts_with("1  0.8"), "{stdout}");
    assert!(lines[4].starts_with("3  1.1"), "{stdout}");
}

fn fails_with(exp: &str, needles: &[&str]) {
    let out = acdsim().args(["sweep", exp, "-q"]).assert().code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    for n in needles {
        assert!(err.contains(n), "`{n}` not in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_experiment_files_exit_2_with_file_variant_and_path() {
    let d = TempDir::new().unwrap();
    // A variant that makes the scenario invalid: validation names the variant and the path.
    let exp = mmc_experiment(d.path(), r#"{"$.agent_groups[0].headcount": [5, -1]}"#);
    fails_with(
        &exp,
        &[
            "exp.json",
            "variant 2 `$.agent_groups[0].headcount=-1`",
            "mmc-5.json: $.agent_groups[0].headcount",
        ],
    );
    // A path that is not in the scenario.
    let exp = mmc_experiment(d.path(), r#"{"$.agent_groups[3].headcount": [5]}"#);
    fails_with(
        &exp,
        &["exp.json", "variant 1", "$.agent_groups[3] does not exist"],
    );
    // A group that does not exist; an unknown strategy; an unknown parameter.
    let exp = mmc_experiment(d.path(), r#"{"staff:nobody": [1]}"#);
    fails_with(&exp, &["exp.json", "variant 1", "no agent group `nobody`"]);
    let exp = mmc_experiment(d.path(), r#"{"strategy": ["fastest"]}"#);
    fails_with(&exp, &["exp.json", "variant 1", "$.routing.strategy"]);
    let exp = mmc_experiment(d.path(), r#"{"colour": ["red"]}"#);
    fails_with(&exp, &["exp.json", "$.grid", "unknown parameter `colour`"]);
    let exp = mmc_experiment(d.path(), r#"{"surge": []}"#);
    fails_with(&exp, &["exp.json", "$.grid[\"surge\"]", "non-empty list"]);
    // Unknown fields and a missing scenario.
    let exp = write(d.path(), "u.json", r#"{"scenario": "x.json", "grdi": {}}"#);
    fails_with(&exp, &["u.json", "grdi"]);
    let exp = write(
        d.path(),
        "m.json",
        r#"{"scenario": "x.json", "grid": {"surge": [1]}}"#,
    );
    fails_with(&exp, &["m.json", "$.scenario", "cannot read scenario file"]);
    // A plot of an unknown metric, or against a parameter that is not swept.
    let text = format!(
        r#"{{"scenario": "{ROOT}/scenarios/mmc-5.json", "grid": {{"surge": [1, 1.1]}},
            "plots": [{{"metric": "phone.speed", "x": "surge"}}]}}"#
    );
    fails_with(
        &write(d.path(), "p.json", &text),
        &["p.json", "$.plots[0].metric", "unknown metric `speed`"],
    );
    let text = format!(
        r#"{{"scenario": "{ROOT}/scenarios/mmc-5.json", "grid": {{"surge": [1, 1.1]}},
            "plots": [{{"metric": "phone.service_level", "x": "strategy"}}]}}"#
    );
    fails_with(
        &write(d.path(), "q.json", &text),
        &["q.json", "$.plots[0].x"],
    );
}

/// An Erlang C queue (4 Erlangs: 60 calls an hour of 240 s on average) over a short day, with
/// 5, 6 or 7 agents: the more agents, the higher the daily service level (waits fall pathwise
/// with the agents under FCFS on the same contacts), so the truth is known: 7 agents.
fn erlang_c_experiment(dir: &Path) -> String {
    let scenario = r#"{"name": "mmc-short", "day": {"open": "08:00", "interval_minutes": 60,
        "intervals": 2, "closing": "drain"}, "seed": 1, "replications": 10,
        "channels": [{"id": "phone", "goal": {"threshold_s": 20, "target": 0.8}, "volume": 60,
          "types": [{"id": "call", "share": 1, "skills": ["phone"],
                     "handle_time": {"type": "exponential", "mean": 240}}],
          "segments": [{"id": "regular", "share": 1, "patience": {"type": "never"}}]}],
        "agent_groups": [{"id": "agents", "skills": {"phone": 3}, "headcount": 5}]}"#;
    write(dir, "mmc-short.json", scenario);
    write(
        dir,
        "select.json",
        r#"{"scenario": "mmc-short.json", "grid": {"$.agent_groups[0].headcount": [5, 6, 7]},
            "select": {"metric": "phone.service_level", "delta": 0.01, "alpha": 0.05, "n0": 10}}"#,
    )
}

#[test]
fn kn_selects_the_best_staffing_with_its_guarantee_and_fewer_replications_than_fixed_size() {
    use acdsim::analysis::select::{observe, select, Problem};
    let d = TempDir::new().unwrap();
    let path = erlang_c_experiment(d.path());
    let exp = acdsim::input::experiment::load_experiment(Path::new(&path)).unwrap();
    let m = acdsim::analysis::sweep::metric_ref(&exp, "phone.service_level").unwrap();
    let models: Vec<&acdsim::model::Model> = exp.variants.iter().map(|v| &v.model).collect();
    let (delta, alpha, k) = (0.01, 0.05, models.len());
    // The truth, and the pairwise variances under CRN, from a long pilot on other seeds.
    let pilot = observe(&models, &[m.slot], 999_999, 0..4000);
    let mean = |v: usize| pilot.iter().map(|o| o[v][0]).sum::<f64>() / pilot.len() as f64;
    let truth: Vec<f64> = (0..k).map(mean).collect();
    assert!(truth[0] < truth[1] && truth[1] < truth[2], "{truth:?}");
    let best = truth[2];
    let mut max_var: f64 = 0.0;
    for i in 0..k {
        for l in 0..k {
            if i != l {
                let d: Vec<f64> = pilot.iter().map(|o| o[i][0] - o[l][0]).collect();
                let dm = d.iter().sum::<f64>() / d.len() as f64;
                let var = d.iter().map(|x| (x - dm).powi(2)).sum::<f64>() / (d.len() - 1) as f64;
                max_var = max_var.max(var);
            }
        }
    }
    // A fixed-size design with the same guarantee (Bonferroni over the k - 1 comparisons with
    // the best, known variances: the most favourable fixed-size n): z^2 sigma^2 / delta^2.
    let z = normal_quantile(1.0 - alpha / (k - 1) as f64);
    let fixed_n = (z * z * max_var / (delta * delta)).ceil() as u64;
    let fixed_total = fixed_n * k as u64;
    let p = Problem {
        metric: "phone.service_level".into(),
        slot: m.slot,
        maximize: true,
        delta,
        alpha,
        n0: 10,
        constraints: Vec::new(),
        tolerance: delta,
    };
    let macro_reps = 100;
    let (mut correct, mut total) = (0, 0u64);
    for seed in 0..macro_reps {
        let s = select(&models, &p, 1000 + seed).unwrap();
        let chosen = s.selected.unwrap();
        if truth[chosen] >= best - delta {
            correct += 1;
        }
        total += s.total_replications;
    }
    let mean_total = total as f64 / macro_reps as f64;
    assert!(
        correct as f64 >= (1.0 - alpha) * macro_reps as f64,
        "correct selections {correct} of {macro_reps} (truth {truth:?})"
    );
    assert!(
        mean_total < fixed_total as f64,
        "KN used {mean_total} replications on average, the fixed-size design {fixed_total}"
    );
    eprintln!(
        "KN: {correct}/{macro_reps} correct, {mean_total:.1} replications on average; fixed-size {fixed_n} x {k} = {fixed_total}; truth {truth:?}"
    );
}

#[test]
fn constrained_selection_finds_the_fewest_agents_that_meet_the_target() {
    // Minimise the daily service level subject to service level >= 0.75: the variant that
    // meets the target with the least to spare, i.e. the fewest agents. Truth (pilot): 5 agents
    // are far below 0.75, 6 above by 0.04 (> the tolerance 0.01), 7 above by more: 6 agents.
    use acdsim::analysis::select::{observe, select, Constraint, Problem};
    let d = TempDir::new().unwrap();
    let path = erlang_c_experiment(d.path());
    let exp = acdsim::input::experiment::load_experiment(Path::new(&path)).unwrap();
    let m = acdsim::analysis::sweep::metric_ref(&exp, "phone.service_level").unwrap();
    let models: Vec<&acdsim::model::Model> = exp.variants.iter().map(|v| &v.model).collect();
    let pilot = observe(&models, &[m.slot], 999_999, 0..4000);
    let truth: Vec<f64> = (0..3)
        .map(|v| pilot.iter().map(|o| o[v][0]).sum::<f64>() / pilot.len() as f64)
        .collect();
    let limit = 0.75;
    assert!(
        truth[0] < limit - 0.1 && truth[1] > limit + 0.02,
        "{truth:?}"
    );
    let p = Problem {
        metric: "phone.service_level".into(),
        slot: m.slot,
        maximize: false,
        delta: 0.01,
        alpha: 0.05,
        n0: 10,
        constraints: vec![Constraint {
            expression: "phone.service_level >= 0.75".into(),
            slot: m.slot,
            at_least: true,
            limit,
        }],
        tolerance: 0.01,
    };
    let (mut correct, mut five_out) = (0, 0);
    for seed in 0..100 {
        let s = select(&models, &p, 5000 + seed).unwrap();
        if s.selected == Some(1) {
            correct += 1;
        }
        if s.variants[0].feasible == Some(false) {
            five_out += 1;
        }
    }
    assert!(
        correct >= 95,
        "correct selections {correct} of 100 (truth {truth:?})"
    );
    assert!(
        five_out >= 95,
        "5 agents declared infeasible {five_out} times of 100"
    );
    // The same decisions at any thread count.
    let at = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| select(&models, &p, 42).unwrap())
    };
    let (a, b) = (at(1), at(2));
    assert_eq!(a.selected, b.selected);
    assert_eq!(a.total_replications, b.total_replications);
    let bits = |s: &acdsim::analysis::select::Selection| -> Vec<u64> {
        s.variants.iter().map(|o| o.mean.to_bits()).collect()
    };
    assert_eq!(bits(&a), bits(&b));
}

/// The standard normal quantile.
fn normal_quantile(p: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::new(0.0, 1.0).unwrap().inverse_cdf(p)
}

#[test]
fn select_on_the_bundled_experiment_honours_the_constraint() {
    let d = TempDir::new().unwrap();
    let json = d.path().join("sel.json");
    let exp = format!("{ROOT}/experiments/default-strategies.json");
    let out = acdsim()
        .args([
            "select",
            &exp,
            "--threads",
            "2",
            "--delta",
            "0.02",
            "--n0",
            "10",
            "--json",
        ])
        .arg(&json)
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("selected: variant"), "{text}");
    let doc: serde_json::Value = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["schema"], "acdsim.select");
    let sel = doc["selected"].as_u64().unwrap() as usize;
    let v = &doc["variants"][sel - 1];
    assert_eq!(v["outcome"]["feasible"], true, "{v}");
    // Phone SL >= 85% needs extra generalists under every strategy (the sweep's table).
    assert_ne!(v["parameters"]["staff:generalists"], 0, "{v}");
    let used: u64 = doc["selection"]["total_replications"].as_u64().unwrap();
    assert!(used > 0);
    // A bad constraint: exit 2 with the file and the path.
    let out = acdsim()
        .args(["select", &exp, "--constraint", "phone.speed >= 1"])
        .assert()
        .code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("default-strategies.json: $.select.constraints[0]"),
        "{err}"
    );
}

/// A priced scenario: each variant's day's staffing cost is in the CSV (kind `staffing`) and the
/// JSON, exact, with the paired difference to the baseline. mmc-5's 5 agents over 8 hours at 20
/// per hour cost 800; 2 more in every interval cost 16 paid hours, 320, more.
#[test]
fn a_priced_sweep_gives_each_variants_staffing_cost() {
    let d = TempDir::new().unwrap();
    let mut v: serde_json::Value =
        serde_json::from_slice(&fs::read(format!("{ROOT}/scenarios/mmc-5.json")).unwrap()).unwrap();
    v["agent_groups"][0]["cost_per_hour"] = 20.into();
    let scenario = write(d.path(), "priced.json", &v.to_string());
    let exp = write(
        d.path(),
        "exp.json",
        &format!(
            r#"{{"scenario": "{scenario}", "replications": 8, "seed": 7, "grid": {{"staff:agents": [0, 2]}}}}"#
        ),
    );
    let (csv, json) = run_sweep(&exp, "2", d.path());
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let cost: Vec<Vec<String>> = rdr
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[2] == "staffing" && &r[3] == "all" && &r[4] == "cost")
        .map(|r| r.iter().map(String::from).collect())
        .collect();
    assert_eq!(cost.len(), 2, "{csv}");
    // variant, staff:agents, kind, row, metric, mean, lo, hi, half_width, replications, diff...
    assert_eq!(&cost[0][5..9], ["800", "800", "800", "0"]);
    assert_eq!(cost[0][10], "");
    assert_eq!(&cost[1][5..8], ["1120", "1120", "1120"]);
    assert_eq!(&cost[1][10..13], ["320", "320", "320"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["variants"][1]["staffing_cost"]["paid_hours"], 56.0);
    assert_eq!(json["variants"][1]["staffing_cost"]["cost"], 1120.0);
    // An unpriced scenario has no staffing lines.
    let exp = mmc_experiment(d.path(), r#"{"staff:agents": [0, 1]}"#);
    let (csv, json) = run_sweep(&exp, "1", d.path());
    assert!(!csv.contains(",staffing,"));
    assert!(!json.contains("staffing_cost"));
}
