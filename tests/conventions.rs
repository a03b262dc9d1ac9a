//! Command-line conventions: `-q/--quiet` means the same in every subcommand (no table, no
//! progress; warnings still on stderr), warnings go to stderr, `NO_COLOR` and a non-terminal get
//! no escape codes, `--version`, `acdsim completions SHELL` and `acdsim man`, and the JSON of
//! `staff` and `erlang` carries its schema, the tool version and the inputs.

use std::fs;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn acdsim() -> Command {
    let mut c = Command::cargo_bin("acdsim").unwrap();
    c.env("RAYON_NUM_THREADS", "2");
    c
}

fn scenario(name: &str) -> String {
    format!("{ROOT}/scenarios/{name}")
}

#[test]
fn quiet_prints_nothing_on_stdout_in_every_subcommand() {
    let mmc = scenario("mmc-5.json");
    let cases: Vec<Vec<&str>> = vec![
        vec!["run", &mmc, "-n", "20", "-q"],
        vec!["validate", &mmc, "-q"],
        vec!["compare", &mmc, "--surge", "1.0,1.1", "-n", "10", "--quiet"],
        vec![
            "check",
            &mmc,
            "--require",
            "overall.service_level >= 0.1",
            "-n",
            "10",
            "-q",
        ],
        vec!["staff", &mmc, "-n", "10", "--max-evaluations", "5", "-q"],
        vec![
            "erlang",
            "--contacts",
            "100",
            "--aht-s",
            "180",
            "--sl",
            "0.8",
            "-q",
        ],
    ];
    for args in cases {
        let out = acdsim().args(&args).output().unwrap();
        assert!(out.status.code().unwrap() <= 1, "{args:?}: {out:?}");
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed {}",
            String::from_utf8_lossy(&out.stdout)
        );
        // Staff's progress lines are progress: gone with -q.
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("[base]"),
            "{args:?}"
        );
    }
}

#[test]
fn warnings_go_to_stderr_with_or_without_the_table() {
    // 20 replications of M/M/5: too few for a ±0.5 pp service level, which run warns about.
    for quiet in [false, true] {
        let mut cmd = acdsim();
        cmd.args(["run", &scenario("mmc-5.json"), "-n", "20"]);
        if quiet {
            cmd.arg("-q");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        let (stdout, stderr) = (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        );
        assert!(!stdout.contains("warning"), "{stdout}");
        assert!(
            stderr.contains("warning: phone: 20 replications give a service-level half-width"),
            "{stderr}"
        );
        assert_eq!(stdout.is_empty(), quiet);
    }
}

#[test]
fn no_escape_codes_with_no_color_or_off_a_terminal() {
    for no_color in [false, true] {
        let mut cmd = acdsim();
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd.args(["run", "--no-such-flag"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(
            !out.stderr.contains(&0x1b),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = cmd_help(no_color);
        assert!(!out.contains('\u{1b}'));
    }
}

fn cmd_help(no_color: bool) -> String {
    let mut cmd = acdsim();
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    String::from_utf8(cmd.args(["run", "--help"]).output().unwrap().stdout).unwrap()
}

#[test]
fn version_completions_and_man_page() {
    acdsim()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("acdsim {}\n", env!("CARGO_PKG_VERSION")));
    for (shell, mark) in [
        ("bash", "complete -F _acdsim"),
        ("zsh", "#compdef acdsim"),
        ("fish", "complete -c acdsim"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[acdsim]"),
    ] {
        let out = acdsim().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(mark),
            "{shell}: {}",
            &text[..200.min(text.len())]
        );
        // Every subcommand and a flag of each are completed.
        for word in [
            "run", "compare", "check", "staff", "erlang", "html", "junit",
        ] {
            assert!(text.contains(word), "{shell} completion lacks {word}");
        }
    }
    acdsim().args(["completions", "tcsh"]).assert().code(2);
    let out = acdsim().arg("man").output().unwrap();
    assert!(out.status.success());
    let man = String::from_utf8(out.stdout).unwrap();
    assert!(
        man.starts_with(".ie") || man.starts_with(".TH"),
        "{}",
        &man[..100]
    );
    assert!(man.contains(".TH acdsim 1"));
    for sub in ["RUN", "VALIDATE", "ERLANG", "STAFF", "COMPARE", "CHECK"] {
        assert!(
            man.contains(&format!(".SH \"ACDSIM {sub}\"")),
            "man lacks {sub}"
        );
    }
    assert!(man.contains("\\-\\-regressions\\-only"));
}

#[test]
fn staff_and_erlang_json_carry_schema_tool_version_and_inputs() {
    let dir = TempDir::new().unwrap();
    let (staff, erlang) = (dir.path().join("s.json"), dir.path().join("e.json"));
    acdsim()
        .args([
            "staff",
            &scenario("mmc-5.json"),
            "-n",
            "10",
            "--shrinkage",
            "0.25",
            "-q",
            "--json",
        ])
        .arg(&staff)
        .assert()
        .success();
    let s: Value = serde_json::from_slice(&fs::read(&staff).unwrap()).unwrap();
    assert_eq!(s["schema"], "acdsim.staff");
    assert_eq!(s["schema_version"], 1);
    assert_eq!(s["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(s["scenario_file"]["name"], "mmc-5");
    assert_eq!(s["scenario_file"]["hash"].as_str().unwrap().len(), 16);
    assert_eq!(s["inputs"]["shrinkage"], 0.25);
    assert_eq!(s["inputs"]["replications"], 10);
    assert_eq!(s["inputs"]["surge"], 1.2);
    assert_eq!(s["inputs"]["max_evaluations"], 400);
    // The plan's own fields stay where they were.
    assert!(s["base"]["headcount"].is_array());
    acdsim()
        .args([
            "erlang",
            "--contacts",
            "100",
            "--aht-s",
            "180",
            "--sl",
            "0.8",
            "--patience-s",
            "120",
            "-q",
            "--json",
        ])
        .arg(&erlang)
        .assert()
        .success();
    let e: Value = serde_json::from_slice(&fs::read(&erlang).unwrap()).unwrap();
    assert_eq!(e["schema"], "acdsim.erlang");
    assert_eq!(e["schema_version"], 1);
    assert_eq!(e["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(e["inputs"]["contacts"], 100.0);
    assert_eq!(e["inputs"]["aht_s"], 180.0);
    assert_eq!(e["inputs"]["patience_s"], 120.0);
    assert_eq!(e["inputs"]["interval_s"], 1800.0);
    assert_eq!(e["model"], "erlang_a");
    assert!(e["agents_needed"].as_u64().unwrap() > 0);
}

#[test]
fn intervals_csv_has_agents_on_duty_target_and_pass_and_rounded_figures() {
    let dir = TempDir::new().unwrap();
    let csv = dir.path().join("csv");
    acdsim()
        .args(["run", &scenario("default.json"), "-n", "30", "-q", "--csv"])
        .arg(&csv)
        .assert()
        .success();
    let text = fs::read_to_string(csv.join("intervals.csv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &head[..9],
        [
            "channel",
            "interval_start",
            "agents_on_duty",
            "target",
            "threshold_s",
            "status",
            "pass",
            "offered",
            "offered_lo"
        ]
    );
    let sl = head.iter().position(|h| *h == "service_level").unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 5 * 24, "4 channels and `all`, 24 intervals");
    // phone at 08:00: generalists 10 + seniors 8 serve phone (digital does not).
    let phone = &rows[0];
    assert_eq!(&phone[..5], ["phone", "08:00", "18", "0.85", "15"]);
    // The first `all` row: every agent on duty at 08:00, 10 + 8 + 5.
    let all = rows.iter().find(|r| r[0] == "all").unwrap();
    assert_eq!(&all[..7], ["all", "08:00", "23", "", "", "", ""]);
    for r in rows.iter().filter(|r| r[0] != "all") {
        let (mean, target): (f64, f64) = (r[sl].parse().unwrap(), r[3].parse().unwrap());
        assert_eq!(r[6], if mean >= target { "1" } else { "0" }, "{r:?}");
        assert!(["PASS", "FAIL", "pass?", "fail?"].contains(&r[5]));
        // Rounded: no float noise such as 4431.866999999998.
        for cell in &r[7..] {
            let decimals = cell.split('.').nth(1).map_or(0, str::len);
            assert!(decimals <= 6, "{cell} in {r:?}");
        }
    }
    for f in ["groups.csv", "summary.csv"] {
        let t = fs::read_to_string(csv.join(f)).unwrap();
        assert!(
            !t.lines().skip(1).any(|l| l
                .split(',')
                .any(|c| c.split('.').nth(1).is_some_and(|d| d.len() > 6))),
            "{f}"
        );
    }
    assert!(fs::read_to_string(csv.join("groups.csv"))
        .unwrap()
        .starts_with("group,interval_start,"));
}

#[test]
fn shares_sum_to_one_within_a_thousandth() {
    let dir = TempDir::new().unwrap();
    let base: Value =
        serde_json::from_slice(&fs::read(format!("{ROOT}/tests/fixtures/valid.json")).unwrap())
            .unwrap();
    let with_shares = |shares: [f64; 3]| {
        let mut v = base.clone();
        let patience = serde_json::json!({"type": "exponential", "mean": 120});
        v["channels"][0]["segments"] = shares
            .iter()
            .zip(["regular", "elderly", "vip"])
            .map(|(s, id)| serde_json::json!({"id": id, "share": s, "patience": patience}))
            .collect();
        let p = dir.path().join(format!("s{}.json", shares[0]));
        fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
        p
    };
    // Three shares of 0.3333 (sum 0.9999) are what people write for a third each.
    let third = with_shares([0.3333, 0.3333, 0.3333]);
    acdsim().arg("validate").arg(&third).assert().success();
    acdsim()
        .arg("run")
        .arg(&third)
        .args(["-n", "3", "-q"])
        .assert()
        .success();
    // 0.99 is a mistake, not rounding.
    let out = acdsim()
        .arg("validate")
        .arg(with_shares([0.33, 0.33, 0.33]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "$.channels[0].segments: shares sum to 0.99: they must sum to 1 (within 0.001)"
        ),
        "{err}"
    );
}

#[test]
fn erlang_forecast_gives_the_whole_day_and_agrees_with_one_interval() {
    let dir = TempDir::new().unwrap();
    let (json, csv) = (dir.path().join("sheet.json"), dir.path().join("sheet.csv"));
    let targets = [
        "--aht-s",
        "240",
        "--sl",
        "0.8",
        "--threshold-s",
        "20",
        "--shrinkage",
        "0.3",
        "--max-occupancy",
        "0.85",
    ];
    let out = acdsim()
        .args([
            "erlang",
            "--forecast",
            &format!("{ROOT}/tests/fixtures/forecast.csv"),
        ])
        .args(targets)
        .args(["--surge", "1.2", "--json"])
        .arg(&json)
        .arg("--csv")
        .arg(&csv)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let table = String::from_utf8(out.stdout).unwrap();
    let v: Value = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["schema"], "acdsim.erlang_sheet");
    assert_eq!(v["surge"], 1.2);
    assert_eq!(v["inputs"]["aht_s"], 240.0);
    assert_eq!(v["inputs"]["shrinkage"], 0.3);
    assert!(v["forecast"].as_str().unwrap().ends_with("forecast.csv"));
    let rows = v["intervals"].as_array().unwrap();
    let forecast = fs::read_to_string(format!("{ROOT}/tests/fixtures/forecast.csv")).unwrap();
    assert_eq!(
        rows.len(),
        forecast.lines().count() - 1,
        "one entry per forecast row"
    );
    assert_eq!(
        fs::read_to_string(&csv).unwrap().lines().count(),
        rows.len() + 1
    );
    // Each interval is what the one-interval calculator says for its surged contacts.
    for r in rows {
        let contacts = r["contacts"].as_f64().unwrap();
        assert!((contacts - 1.2 * r["offered"].as_f64().unwrap()).abs() < 1e-9);
        let one = dir.path().join("one.json");
        acdsim()
            .args(["erlang", "--contacts", &contacts.to_string()])
            .args(targets)
            .args(["-q", "--json"])
            .arg(&one)
            .assert()
            .success();
        let o: Value = serde_json::from_slice(&fs::read(&one).unwrap()).unwrap();
        assert_eq!(r["agents_needed"], o["agents_needed"], "{r}");
        assert_eq!(r["scheduled_needed"], o["scheduled_needed"], "{r}");
    }
    assert!(table.contains("agent-intervals needed"));
    // --contacts and --forecast exclude each other; a broken forecast names its line.
    acdsim()
        .args([
            "erlang",
            "--contacts",
            "10",
            "--forecast",
            "x.csv",
            "--aht-s",
            "100",
            "--sl",
            "0.8",
        ])
        .assert()
        .code(2);
    let bad = dir.path().join("bad.csv");
    fs::write(&bad, "channel,interval_start,offered\nphone,08:00,-3\n").unwrap();
    let out = acdsim()
        .arg("erlang")
        .arg("--forecast")
        .arg(&bad)
        .args(["--aht-s", "100", "--sl", "0.8"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2: offered = -3"));
}

#[test]
fn type_errors_in_plain_words_and_a_schema_reference_allowed() {
    let dir = TempDir::new().unwrap();
    let base: Value =
        serde_json::from_slice(&fs::read(format!("{ROOT}/tests/fixtures/valid.json")).unwrap())
            .unwrap();
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        ("/agent_groups/0/headcount", serde_json::json!("ten"), "$.agent_groups[0].headcount", "expected a headcount: a whole number of agents >= 0, or a list of them with one per interval"),
        ("/channels/0/volume", serde_json::json!("x"), "$.channels[0].volume", "expected a volume: a number of contacts >= 0, or a list of them with one per interval"),
        ("/channels/0/segments/0/patience", serde_json::json!(5), "$.channels[0].segments[0].patience", "expected a distribution: an object with type (exponential, lognormal, gamma, deterministic, uniform, empirical or never) and its parameters"),
        ("/seed", serde_json::json!("x"), "$.seed", "expected a whole number from 0 to 18446744073709551615"),
        ("/day", serde_json::json!(3), "$.day", "expected the day: an object with open, interval_minutes and intervals"),
    ];
    for (ptr, value, path, want) in cases {
        let mut v = base.clone();
        *v.pointer_mut(ptr).unwrap() = value;
        let p = dir.path().join("bad.json");
        fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
        let out = acdsim().arg("validate").arg(&p).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains(&format!("{path}: ")) && err.contains(want),
            "{err}"
        );
        for rust in [
            "HeadcountFile",
            "VolumeFile",
            "DistSpec",
            "DayFile",
            "u64",
            "untagged",
            "tagged enum",
        ] {
            assert!(!err.contains(rust), "{err}");
        }
    }
    // "$schema" is for editors: accepted and ignored.
    let mut v = base.clone();
    v["$schema"] = serde_json::json!("../schemas/scenario.schema.json");
    let p = dir.path().join("with-schema.json");
    fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    acdsim().arg("validate").arg(&p).assert().success();
}
