//! Command-line and bad-input tests: every bad scenario, forecast or flag must end with exit
//! status 2 and one message on stderr naming the file, where in it (JSON path, CSV line or
//! flag) and the problem; never a panic, never a half-written output file.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use proptest::prelude::*;
use serde_json::{json, Value};
use tempfile::TempDir;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

/// The valid two-channel scenario, as JSON.
fn valid() -> Value {
    serde_json::from_slice(&fs::read(fixture("valid.json")).unwrap()).unwrap()
}

fn acdsim() -> Command {
    let mut c = Command::cargo_bin("acdsim").unwrap();
    c.env("RAYON_NUM_THREADS", "2");
    c
}

/// Writes `v` as `name` in `dir` and returns the path.
fn write_json(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p
}

/// Runs `acdsim <args>` and checks: exit status 2, no panic, and stderr holds each of `parts`.
/// Returns stderr.
fn fails_with(args: &[&str], parts: &[&str]) -> String {
    let out = acdsim().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(2),
        "args {args:?}: expected exit 2\nstderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "panic for {args:?}: {stderr}");
    for p in parts {
        assert!(
            stderr.contains(p),
            "args {args:?}: stderr lacks {p:?}\nstderr: {stderr}"
        );
    }
    stderr
}

/// Validates `v` (a mutated scenario written to a temp dir) and checks that it fails with one
/// `error:` line naming the file, the JSON path `loc` and containing `problem`.
fn bad_scenario(v: &Value, loc: &str, problem: &str) {
    let dir = TempDir::new().unwrap();
    let p = write_json(dir.path(), "bad.json", v);
    let file = p.display().to_string();
    let stderr = fails_with(&["validate", &file], &[&file, loc, problem]);
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "expected one message line, got: {stderr}"
    );
    assert!(
        stderr.starts_with(&format!("error: {file}: {loc}")),
        "message should read `error: FILE: PATH: problem`: {stderr}"
    );
    // `run` refuses the same file the same way, before simulating.
    fails_with(&["run", &file, "-n", "2", "-q"], &[&file, loc, problem]);
}

fn mutated(f: impl FnOnce(&mut Value)) -> Value {
    let mut v = valid();
    f(&mut v);
    v
}

#[test]
fn malformed_json() {
    let dir = TempDir::new().unwrap();
    let p = dir.path().join("broken.json");
    fs::write(
        &p,
        "{\n  \"name\": \"x\",\n  \"day\": { \"open\": \"08:00\", }\n}\n",
    )
    .unwrap();
    let file = p.display().to_string();
    fails_with(&["validate", &file], &[&file, "malformed JSON", "line 3"]);
    // Truncated file.
    fs::write(&p, "{\"name\": \"x\", \"channels\": [").unwrap();
    fails_with(&["validate", &file], &[&file, "malformed JSON"]);
}

#[test]
fn unknown_field() {
    let v = mutated(|v| v["channels"][0]["colour"] = json!("red"));
    bad_scenario(&v, "$.channels[0]", "unknown field `colour`");
    let v = mutated(|v| v["day"]["lenght"] = json!(3));
    bad_scenario(&v, "$.day", "unknown field `lenght`");
}

#[test]
fn missing_field() {
    let v = mutated(|v| {
        v.as_object_mut().unwrap().remove("day");
    });
    bad_scenario(&v, "$", "missing field `day`");
    let v = mutated(|v| {
        v["channels"][1]["goal"]
            .as_object_mut()
            .unwrap()
            .remove("target");
    });
    bad_scenario(&v, "$.channels[1].goal", "missing field `target`");
}

#[test]
fn zero_or_negative_rates_and_times() {
    let v = mutated(|v| v["channels"][1]["volume"] = json!(-5));
    bad_scenario(
        &v,
        "$.channels[1].volume: = -5: volumes must be finite numbers >= 0",
        "-5",
    );
    let v = mutated(|v| v["channels"][0]["volume"][2] = json!(1e7));
    bad_scenario(
        &v,
        "$.channels[0].volume[2]",
        "1e7 contacts in interval 09:00, more than the 1e6",
    );
    // Finite volume times a finite multiplier can overflow to an infinite rate.
    let v = mutated(|v| {
        v["volume_multiplier"] = json!(1e300);
        v["channels"][1]["volume"] = json!(1e10);
    });
    // Both channels are refused, each on its own line.
    let dir = TempDir::new().unwrap();
    let file = write_json(dir.path(), "bad.json", &v).display().to_string();
    let stderr = fails_with(&["validate", &file], &[]);
    let lines: Vec<&str> = stderr.trim_end().lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with(&format!(
            "error: {file}: $.channels[0].volume[0]: = 40: with volume_multiplier 1e300"
        )),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with(&format!("error: {file}: $.channels[1].volume: = 1e10:")),
        "{stderr}"
    );
    assert!(lines[1].contains("inf contacts"), "{stderr}");
    let v = mutated(|v| v["channels"][0]["volume"][2] = json!(-5));
    bad_scenario(&v, "$.channels[0].volume[2]", "must be finite numbers >= 0");
    let v = mutated(|v| v["channels"][1]["volume"] = json!(0));
    bad_scenario(&v, "$.channels[1].volume", "zero in every interval");
    let v = mutated(|v| {
        v["channels"][0]["types"][0]["handle_time"] = json!({"type": "exponential", "mean": 0})
    });
    bad_scenario(
        &v,
        "$.channels[0].types[0].handle_time.mean",
        "must be a finite number > 0",
    );
    let v = mutated(|v| v["channels"][0]["goal"]["threshold_s"] = json!(-3));
    bad_scenario(
        &v,
        "$.channels[0].goal.threshold_s",
        "= -3: must be a finite number > 0",
    );
    let v = mutated(|v| v["segments"][0]["goal"]["threshold_s"] = json!(0));
    bad_scenario(
        &v,
        "$.segments[0].goal.threshold_s",
        "must be a finite number > 0",
    );
    let v = mutated(|v| v["day"]["warmup_minutes"] = json!(-1));
    bad_scenario(&v, "$.day.warmup_minutes", "must be >= 0");
}

#[test]
fn shares_must_sum_to_one() {
    let v = mutated(|v| v["channels"][0]["types"][1]["share"] = json!(0.3));
    bad_scenario(&v, "$.channels[0].types", "shares sum to 0.9");
    let v = mutated(|v| v["channels"][0]["segments"][0]["share"] = json!(0.9));
    bad_scenario(&v, "$.channels[0].segments", "they must sum to 1");
    let v = mutated(|v| v["channels"][0]["segments"][1]["share"] = json!(1.5));
    bad_scenario(
        &v,
        "$.channels[0].segments[1].share",
        "must be a share between 0 and 1",
    );
}

#[test]
fn skill_no_group_has() {
    let v = mutated(|v| v["channels"][0]["types"][1]["skills"] = json!(["tech", "french"]));
    bad_scenario(
        &v,
        "$.channels[0].types[1].skills[1]",
        "skill `french` is held by no agent group",
    );
}

#[test]
fn no_intervals() {
    let v = mutated(|v| v["day"]["intervals"] = json!(0));
    bad_scenario(&v, "$.day.intervals", "at least one interval");
    let v = mutated(|v| v["day"]["intervals"] = json!(-2));
    bad_scenario(&v, "$.day.intervals", "invalid value: integer `-2`");
}

#[test]
fn distribution_parameters_out_of_range() {
    let v = mutated(|v| v["channels"][0]["types"][0]["handle_time"]["cv"] = json!(-1));
    bad_scenario(
        &v,
        "$.channels[0].types[0].handle_time.cv",
        "= -1: must be a finite number > 0",
    );
    // A tiny cv would overflow the gamma shape parameter.
    let v = mutated(|v| v["channels"][0]["types"][1]["handle_time"]["cv"] = json!(1e-300));
    bad_scenario(
        &v,
        "$.channels[0].types[1].handle_time.cv",
        "= 1e-300: must be between 1e-6 and 100",
    );
    let v = mutated(|v| {
        v["channels"][0]["segments"][1]["patience"] =
            json!({"type": "uniform", "min": 300, "max": 60})
    });
    bad_scenario(
        &v,
        "$.channels[0].segments[1].patience.max",
        "must be >= min (300)",
    );
    let v = mutated(|v| v["channels"][1]["types"][0]["handle_time"]["weights"] = json!([1, 2]));
    bad_scenario(
        &v,
        "$.channels[1].types[0].handle_time.weights",
        "has 2 entries but values has 3",
    );
    let v = mutated(|v| {
        v["channels"][0]["types"][0]["handle_time"] = json!({"type": "weibull", "mean": 3})
    });
    bad_scenario(
        &v,
        "$.channels[0].types[0].handle_time",
        "unknown variant `weibull`",
    );
    let v = mutated(|v| v["channels"][0]["types"][0]["handle_time"] = json!({"type": "never"}));
    bad_scenario(
        &v,
        "$.channels[0].types[0].handle_time",
        "must have a finite mean > 0",
    );
}

#[test]
fn missing_scenario_file() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("nope.json").display().to_string();
    let stderr = fails_with(&["validate", &file], &[&file, "cannot read scenario file"]);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    fails_with(&["run", &file], &[&file, "cannot read scenario file"]);
}

/// A copy of the forecast fixtures in a temp dir, with the CSV replaced by `csv` (None: absent).
fn forecast_setup(csv: Option<&str>) -> (TempDir, String) {
    let dir = TempDir::new().unwrap();
    let scen = dir.path().join("forecast.json");
    fs::copy(fixture("forecast.json"), &scen).unwrap();
    if let Some(text) = csv {
        fs::write(dir.path().join("forecast.csv"), text).unwrap();
    }
    let s = scen.display().to_string();
    (dir, s)
}

#[test]
fn forecast_file_good_and_missing() {
    acdsim()
        .args(["validate", fixture("forecast.json").to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok"));
    let (dir, scen) = forecast_setup(None);
    let csv = dir.path().join("forecast.csv").display().to_string();
    fails_with(
        &["validate", &scen],
        &[&scen, "$.forecast_csv", &csv, "cannot read forecast file"],
    );
    // A directory where the CSV should be: unreadable.
    fs::create_dir(dir.path().join("forecast.csv")).unwrap();
    fails_with(
        &["validate", &scen],
        &[&scen, "$.forecast_csv", &csv, "cannot read forecast file"],
    );
}

#[test]
fn forecast_bad_lines() {
    let head = "channel,interval_start,offered\n";
    let cases = [
        (
            "phone,08:00,30\nfax,08:30,3\n",
            "line 3",
            "channel `fax` is not defined",
        ),
        (
            "phone,8h00,30\nphone,08:30,3\n",
            "line 2",
            "interval_start `8h00` is not a time of day",
        ),
        (
            "phone,08:00,30\nphone,08:30,-4\n",
            "line 3",
            "offered = -4: must be a finite number >= 0",
        ),
        (
            "phone,08:00,30\nphone,08:30,many\n",
            "line 3",
            "offered `many` is not a number",
        ),
        (
            "phone,08:00,30\nphone,08:45,3\n",
            "line 3",
            "no row for channel `phone` interval 08:15 up to the end of the file: the forecast must give every channel and interval (the file's rows are 15 min long",
        ),
        (
            "phone,08:00,30\nphone,08:40,3\n",
            "line 3",
            "is not the start of one of the day's 2 intervals of 30 min, nor of a 15- or 30-minute part of one",
        ),
    ];
    for (body, line, problem) in cases {
        let (dir, scen) = forecast_setup(Some(&format!("{head}{body}")));
        let csv = dir.path().join("forecast.csv").display().to_string();
        let stderr = fails_with(&["validate", &scen], &[&csv, line, problem]);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
    let (dir, scen) = forecast_setup(Some(&format!("{head}phone,08:00,30\n")));
    let csv = dir.path().join("forecast.csv").display().to_string();
    fails_with(
        &["validate", &scen],
        &[&csv, "no row for channel `phone` interval 08:30"],
    );
}

#[test]
fn bad_cli_values_name_the_flag() {
    let scen = fixture("valid.json");
    let s = scen.to_str().unwrap();
    fails_with(
        &["run", s, "--surge", "0"],
        &["--surge", "`0`", "volume factor > 0"],
    );
    fails_with(
        &["run", s, "--surge", "-1.2"],
        &["--surge", "`-1.2`", "volume factor > 0"],
    );
    fails_with(
        &["run", s, "--surge", "1e300"],
        &["--surge", "`1e300`", "<= 1000"],
    );
    fails_with(&["run", s, "--surge", "NaN"], &["--surge", "`NaN`"]);
    fails_with(
        &["run", s, "--strategy", "nope"],
        &["--strategy", "unknown strategy `nope`", "skill-first"],
    );
    fails_with(
        &["run", s, "--confidence", "2"],
        &["--confidence", "`2`", "between 0 and 1"],
    );
    fails_with(
        &["run", s, "--confidence", "-0.5"],
        &["--confidence", "`-0.5`", "between 0 and 1"],
    );
    fails_with(
        &["run", s, "--sl-formula", "magic"],
        &["--sl-formula", "unknown formula `magic`"],
    );
    fails_with(
        &["run", s, "-n", "0", "-q"],
        &[s, "--replications", "at least 1"],
    );
    fails_with(&["run", s, "--seed", "abc"], &["--seed", "abc"]);
    fails_with(&["frobnicate"], &["frobnicate"]);
}

#[test]
fn json_into_missing_directory_leaves_nothing() {
    let dir = TempDir::new().unwrap();
    let target = dir.path().join("no-such-dir").join("out.json");
    let t = target.display().to_string();
    let scen = fixture("valid.json");
    fails_with(
        &["run", scen.to_str().unwrap(), "-n", "2", "-q", "--json", &t],
        &[&t, "cannot write", "does not exist"],
    );
    assert!(!target.exists());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// Output destinations are checked before simulating: 10 million replications of the default
/// scenario would take hours, so this test only finishes if the run stops at the check.
#[test]
fn bad_outputs_fail_before_simulating() {
    let dir = TempDir::new().unwrap();
    let scen = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/default.json");
    let target = dir.path().join("no-such-dir").join("out.json");
    let t = target.display().to_string();
    let big = ["run", scen, "-n", "1000000", "-q"];
    fails_with(
        &[&big[..], &["--json", &t]].concat(),
        &[&t, "does not exist"],
    );
    let file = dir.path().join("a-file");
    fs::write(&file, b"x").unwrap();
    let f = file.display().to_string();
    fails_with(&[&big[..], &["--csv", &f]].concat(), &[&f, "not a folder"]);
    fails_with(
        &[&big[..], &["--plots", &f]].concat(),
        &[&f, "not a folder"],
    );
    fails_with(
        &[&big[..], &["--json", dir.path().to_str().unwrap()]].concat(),
        &["is a folder"],
    );
}

/// Runs `scenario` with 50 replications into a fresh temp dir and checks the JSON report and
/// that the directory holds exactly `out.json` afterwards.
fn run_to_json(scenario: &Path, expected_name: &str) -> Value {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.json");
    acdsim()
        .args([
            "run",
            scenario.to_str().unwrap(),
            "-n",
            "50",
            "-q",
            "--json",
            out.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("panicked").not());
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["out.json".to_string()], "stray files left");
    let v: Value = serde_json::from_slice(&fs::read(&out).unwrap()).expect("valid JSON");
    assert!(
        v["schema_version"].as_u64().is_some_and(|n| n >= 1),
        "{}",
        v["schema_version"]
    );
    assert_eq!(v["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["scenario"]["name"], expected_name);
    assert!(v["seed"].is_u64());
    assert_eq!(v["replications"], 50);
    assert!(v["service_level"]["formula"].is_string());
    v
}

#[test]
fn successful_json_output() {
    let v = run_to_json(&fixture("valid.json"), "two-channel");
    assert_eq!(v["seed"], 7);
    assert_eq!(v["service_level"]["formula"], "answered_and_abandoned");
    let v = run_to_json(&fixture("forecast.json"), "forecast-driven");
    assert_eq!(v["seed"], 1);
}

#[test]
fn readme_run_command_works() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let v = run_to_json(&root.join("scenarios/mmc-5.json"), "mmc-5");
    assert_eq!(v["seed"], 5);
    let default = root.join("scenarios/default.json");
    if default.exists() {
        let raw: Value = serde_json::from_slice(&fs::read(&default).unwrap()).unwrap();
        run_to_json(&default, raw["name"].as_str().unwrap());
    }
}

#[test]
fn validate_good_scenario() {
    let scen = fixture("valid.json");
    acdsim()
        .args(["validate", scen.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok"))
        .stderr(predicate::str::is_empty());
}

#[test]
fn validate_warns_about_overloaded_interval() {
    // 200 phone calls in the 09:00 interval: about 31 agents of load against 13 on duty.
    let v = mutated(|v| v["channels"][0]["volume"] = json!([40, 50, 200, 40]));
    let dir = TempDir::new().unwrap();
    let p = write_json(dir.path(), "overloaded.json", &v);
    let out = acdsim()
        .args(["validate", p.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok"));
    assert!(stderr.contains("warning"), "{stderr}");
    assert!(stderr.contains("interval 09:00"), "{stderr}");
    assert!(stderr.contains("exceeds"), "{stderr}");
    for other in ["08:00", "08:30", "09:30"] {
        assert!(
            !stderr.contains(&format!("interval {other}")),
            "only 09:00 is overloaded: {stderr}"
        );
    }
}

// ----- surge playbook

/// The two-channel scenario with a surge playbook (tests/fixtures/playbook.json).
fn with_playbook(f: impl FnOnce(&mut Value)) -> Value {
    let mut v: Value =
        serde_json::from_slice(&fs::read(fixture("playbook.json")).unwrap()).unwrap();
    f(&mut v);
    v
}

#[test]
fn bad_playbook_inputs_name_the_json_path() {
    let pb = "$.surge_playbook";
    let v = with_playbook(|v| v["surge_playbook"]["divert"][0]["type"] = json!("refund"));
    bad_scenario(
        &v,
        &format!("{pb}.divert[0].type"),
        "contact type `refund` is not defined (types: billing, tech)",
    );
    for share in [json!(-0.1), json!(1.5)] {
        let v = with_playbook(|v| v["surge_playbook"]["divert"][0]["share"] = share.clone());
        bad_scenario(
            &v,
            &format!("{pb}.divert[0].share"),
            "must be a share between 0 and 1",
        );
    }
    let v = with_playbook(|v| v["surge_playbook"]["divert"][0]["channels"] = json!(["chat"]));
    bad_scenario(
        &v,
        &format!("{pb}.divert[0].channels[0]"),
        "channel `chat` has no `tech` contacts",
    );
    let v = with_playbook(|v| v["surge_playbook"]["announcement"]["callback_share"] = json!(2));
    bad_scenario(
        &v,
        &format!("{pb}.announcement.callback_share"),
        "= 2: must be a share between 0 and 1",
    );
    let v = with_playbook(|v| {
        v["surge_playbook"]["announcement"]["callback_share"] = json!(0.7);
        v["surge_playbook"]["announcement"]["hangup_share"] = json!(0.4);
    });
    bad_scenario(
        &v,
        &format!("{pb}.announcement.hangup_share"),
        "with callback_share 0.7 the shares sum to 1.1, more than 1",
    );
    let v = with_playbook(|v| v["surge_playbook"]["announcement"]["limit_s"] = json!(-5));
    bad_scenario(&v, &format!("{pb}.announcement.limit_s"), "= -5: must be");
    let v = with_playbook(|v| v["surge_playbook"]["announcement"]["channels"] = json!(["fax"]));
    bad_scenario(
        &v,
        &format!("{pb}.announcement.channels[0]"),
        "channel `fax` is not defined (channels: phone, chat)",
    );
    let v = with_playbook(|v| v["surge_playbook"]["activation_delay_minutes"] = json!(-10));
    bad_scenario(
        &v,
        &format!("{pb}.activation_delay_minutes"),
        "= -10: must be a number of minutes >= 0",
    );
    let v = with_playbook(|v| v["surge_playbook"]["trigger"]["load_ratio"] = json!(0));
    bad_scenario(
        &v,
        &format!("{pb}.trigger.load_ratio"),
        "= 0: must be a finite number > 0",
    );
    let v = with_playbook(|v| v["surge_playbook"]["reserve"][0]["skills"] = json!({"spanish": 3}));
    bad_scenario(
        &v,
        &format!("{pb}.reserve[0].skills.spanish"),
        "skill `spanish` is unknown: no agent group has it (skills: billing, tech)",
    );
    let v = with_playbook(|v| v["surge_playbook"]["reserve"][0]["skills"] = json!({"billing": 7}));
    bad_scenario(
        &v,
        &format!("{pb}.reserve[0].skills.billing"),
        "= 7: proficiency levels run from 1 to 5",
    );
    let v = with_playbook(|v| v["surge_playbook"]["reserve"][0]["id"] = json!("chatters"));
    bad_scenario(
        &v,
        &format!("{pb}.reserve[0].id"),
        "`chatters` is already an agent group or reserve",
    );
    let v = with_playbook(|v| v["surge_playbook"]["reserve"][0]["count"] = json!(0));
    bad_scenario(
        &v,
        &format!("{pb}.reserve[0].count"),
        "= 0: must be between 1 and 100000",
    );
    let v = with_playbook(|v| v["surge_playbook"]["reserve"][0]["channels"] = json!({"fax": 1}));
    bad_scenario(
        &v,
        &format!("{pb}.reserve[0].channels.fax"),
        "channel `fax` is not defined",
    );
    let v = with_playbook(|v| v["surge_playbook"]["divert"][0]["portion"] = json!(0.2));
    bad_scenario(&v, &format!("{pb}.divert[0]"), "unknown field `portion`");
}

/// `acdsim run` on a scenario with a playbook: the table shows both sides, the JSON holds the
/// playbook section, its paired effect and the whole day without the playbook.
#[test]
fn run_reports_with_and_without_the_playbook() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.json");
    let scen = fixture("playbook.json");
    let assert = acdsim()
        .args([
            "run",
            scen.to_str().unwrap(),
            "-n",
            "40",
            "--surge",
            "1.3",
            "--json",
            out.to_str().unwrap(),
        ])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(stdout.contains("Surge playbook"), "{stdout}");
    assert!(
        stdout.contains("SL without") && stdout.contains("SL with"),
        "{stdout}"
    );
    assert!(stdout.contains("elderly"), "{stdout}");
    let v: Value = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["schema_version"], 2);
    let p = &v["playbook"];
    assert!(p["activated"]["mean"].as_f64().unwrap() > 0.0, "{p}");
    let phone = p["effect"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "phone")
        .expect("phone effect");
    assert!(phone["service_level"]["mean"].is_number());
    let m = &v["channels"][0]["metrics"];
    for k in acdsim::stats::PLAYBOOK_METRICS {
        assert!(m[k]["mean"].is_number() || m[k]["mean"].is_null(), "{k}");
    }
    let w = &v["without_playbook"];
    assert_eq!(w["channels"][0]["metrics"]["diverted"]["mean"], 0.0);
    assert_eq!(
        w["channels"][0]["metrics"]["offered"],
        v["channels"][0]["metrics"]["offered"]
    );
    assert!(w.get("playbook").is_none());
    // The reserve is reported as an agent group.
    assert!(v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["id"] == "reserve"));
}

// ----- property test: arbitrary mutations never panic and every error names the file

/// Every JSON path (as a list of keys / indices) in `v`.
fn all_paths(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                prefix.push(Step::Key(k.clone()));
                all_paths(x, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                prefix.push(Step::Index(i));
                all_paths(x, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn at_mut<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Put this value at any path.
    Replace(Value),
    /// Delete any key or array element.
    Delete,
    /// Put this number where a number is: keeps the file parseable, so it reaches `resolve`.
    Number(Value),
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-10i64..10).prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|x| json!(x)),
        Just(json!(0)),
        Just(json!(0.5)),
        Just(json!(1e-300)),
        Just(json!(1e308)),
        Just(json!(u32::MAX)),
    ]
}

fn replacement() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => number().prop_map(Mutation::Number),
        2 => any_replacement(),
    ]
}

fn any_replacement() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<i64>().prop_map(|n| Mutation::Replace(json!(n))),
        (-1000i64..1000).prop_map(|n| Mutation::Replace(json!(n))),
        any::<f64>()
            .prop_filter("JSON has no NaN/inf", |x| x.is_finite())
            .prop_map(|x| Mutation::Replace(json!(x))),
        Just(Mutation::Replace(json!(0))),
        Just(Mutation::Replace(json!(-1))),
        Just(Mutation::Replace(json!(1e308))),
        Just(Mutation::Replace(json!(4294967296u64))),
        prop_oneof![
            Just("NaN"),
            Just("inf"),
            Just("-Infinity"),
            Just(""),
            Just("08:00"),
            Just("99:99")
        ]
        .prop_map(|s| Mutation::Replace(json!(s))),
        Just(Mutation::Replace(json!([]))),
        Just(Mutation::Replace(json!({}))),
        Just(Mutation::Replace(Value::Null)),
        Just(Mutation::Replace(json!(true))),
        Just(Mutation::Replace(json!([1, -2, 3.5]))),
        Just(Mutation::Delete),
    ]
}

fn apply(v: &mut Value, path: &[Step], m: &Mutation) {
    match (m, path.split_last()) {
        (Mutation::Delete, Some((last, parent))) => match (at_mut(v, parent), last) {
            (Value::Object(o), Step::Key(k)) => {
                o.shift_remove(k);
            }
            (Value::Array(a), Step::Index(i)) => {
                a.remove(*i);
            }
            _ => {}
        },
        (Mutation::Delete, None) => *v = json!({}),
        (Mutation::Replace(x) | Mutation::Number(x), _) => *at_mut(v, path) = x.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn mutated_scenarios_never_panic(
        picks in proptest::collection::vec((any::<prop::sample::Index>(), replacement()), 1..4),
        base in 0..3u8,
    ) {
        // The valid scenario, the forecast-driven one, or the one with a surge playbook.
        let name = ["valid.json", "forecast.json", "playbook.json"][base as usize];
        let mut v: Value = serde_json::from_slice(&fs::read(fixture(name)).unwrap()).unwrap();
        let dir = PathBuf::from(FIXTURES);
        for (idx, m) in &picks {
            let mut paths = Vec::new();
            all_paths(&v, &mut Vec::new(), &mut paths);
            if matches!(m, Mutation::Number(_)) {
                paths.retain(|p| at_mut(&mut v, p).is_number());
                if paths.is_empty() {
                    continue;
                }
            }
            let path = &paths[idx.index(paths.len())];
            apply(&mut v, path, m);
        }
        let file = "mutant.json";
        let bytes = serde_json::to_vec(&v).unwrap();
        match acdsim::input::parse(file, &bytes) {
            Err(e) => prop_assert!(e.to_string().starts_with(file), "{e}"),
            Ok(raw) => {
                if let Err(e) = acdsim::input::resolve(file, &bytes, &raw, &dir) {
                    let msg = e.to_string();
                    // Forecast errors name the forecast CSV, which lives next to the scenario.
                    prop_assert!(
                        msg.starts_with(file) || msg.starts_with(&dir.display().to_string()),
                        "{msg}"
                    );
                    prop_assert!(!e.message.is_empty());
                    // A clear message: no 309-digit renderings of 1e308 (validation reports
                    // every error it finds, one line each: each line is held to the bound).
                    for line in msg.lines() {
                        prop_assert!(line.len() < 300, "{msg}");
                    }
                }
            }
        }
    }
}

/// Validation reports the problems of independent sections and elements together, one
/// `error:` line each, the first as it would read alone.
#[test]
fn independent_errors_are_all_reported() {
    let v = mutated(|v| {
        v["channels"][0]["types"][0]["handle_time"]["mean"] = json!(-5);
        v["agent_groups"][1]["headcount"] = json!(200_000);
        v["requirements"] = json!(["phone.service_level >= 0.5", " "]);
    });
    let dir = TempDir::new().unwrap();
    let file = write_json(dir.path(), "bad.json", &v).display().to_string();
    let paths = [
        "$.channels[0].types[0].handle_time.mean",
        "$.agent_groups[1].headcount",
        "$.requirements[1]",
    ];
    let stderr = fails_with(&["validate", &file], &[]);
    let lines: Vec<&str> = stderr.trim_end().lines().collect();
    assert_eq!(lines.len(), 3, "expected 3 error lines: {stderr}");
    for (line, path) in lines.iter().zip(paths) {
        assert!(
            line.starts_with(&format!("error: {file}: {path}")),
            "line should read `error: {file}: {path}: ...`: {stderr}"
        );
    }
    // A valid scenario still validates.
    let ok = write_json(dir.path(), "ok.json", &valid());
    acdsim()
        .args(["validate", &ok.display().to_string()])
        .assert()
        .success();
}

/// At most 20 problems are listed, then how many more there are.
#[test]
fn many_errors_are_capped() {
    let v = mutated(|v| v["requirements"] = json!(vec![""; 50]));
    let dir = TempDir::new().unwrap();
    let file = write_json(dir.path(), "bad.json", &v).display().to_string();
    let stderr = fails_with(&["validate", &file], &[]);
    let lines: Vec<&str> = stderr.trim_end().lines().collect();
    assert_eq!(lines.len(), 21, "expected 20 errors and a count: {stderr}");
    for (i, line) in lines[..20].iter().enumerate() {
        assert_eq!(
            *line,
            format!("error: {file}: $.requirements[{i}]: is empty")
        );
    }
    assert_eq!(lines[20], "error: ... and 30 more errors");
}
