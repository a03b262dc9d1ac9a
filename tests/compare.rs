//! `acdsim compare` and `acdsim check`: common random numbers really pair the runs, the gate's
//! decisions and exit codes.

use std::path::{Path, PathBuf};

use acdsim::model::{Model, StrategyKind};
use acdsim::sim::engine::Engine;
use acdsim::sim::paired::{self, rep_value, Variant};
use acdsim::stats::{m, Layout, Moments, RepSummary, RowKey};
use assert_cmd::Command;

const ELDERLY: &str = "tests/data/elderly.json";

fn load(p: &str) -> Model {
    acdsim::input::load(Path::new(p)).expect("scenario loads")
}

fn acdsim() -> Command {
    Command::cargo_bin("acdsim").unwrap()
}

/// `acdsim compare ELDERLY --strategies skill-first,elderly-priority`, more arguments to add.
fn compare_priority() -> Command {
    let mut c = acdsim();
    c.args([
        "compare",
        ELDERLY,
        "--strategies",
        "skill-first,elderly-priority",
    ]);
    c
}

/// Writes a copy of the elderly scenario with `edit` applied, into `dir`.
fn variant_file(dir: &Path, name: &str, edit: impl Fn(&mut serde_json::Value)) -> PathBuf {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ELDERLY).unwrap()).unwrap();
    edit(&mut v);
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    p
}

#[test]
fn identical_variants_differ_by_exactly_zero() {
    let model = load(ELDERLY);
    let variants = vec![
        Variant {
            name: "a".into(),
            model: model.clone(),
        },
        Variant {
            name: "b".into(),
            model: model.with_strategy(model.routing.strategy),
        },
    ];
    let c = paired::run(&variants, 24, 3, |_| {}).unwrap();
    let mut defined = 0;
    for d in &c.paired.diffs[0] {
        if d.n > 0 {
            defined += 1;
            assert_eq!(d.mean(), 0.0);
            assert_eq!(d.m2(), 0.0);
        }
    }
    assert!(defined > 100, "only {defined} slots defined");
    let layout = &c.layouts[0];
    let phone = layout.row(RowKey::Channel { channel: 0 }).unwrap();
    let e = c.difference(1, layout.slot(phone, m::SERVICE_LEVEL), 0.95);
    assert_eq!((e.mean, e.half_width, e.n), (0.0, 0.0, 24));
    // The variants' own aggregates are identical too.
    assert_eq!(
        c.paired.aggregates[0].moments,
        c.paired.aggregates[1].moments
    );
}

/// Two close routing policies (skill-first vs idle-first on the two-channel scenario): the
/// paired interval of the difference is much narrower than the one of two independent runs
/// (the candidate on another seed). Measured with 200 replications: see the printed factors
/// (reported in the README section); asserted >= x3.
#[test]
fn common_random_numbers_narrow_the_interval() {
    let base = load(ELDERLY);
    let cand = base.with_strategy(StrategyKind::IdleFirst);
    let reps = 200;
    let variants = vec![
        Variant {
            name: "skill-first".into(),
            model: base.clone(),
        },
        Variant {
            name: "idle-first".into(),
            model: cand.clone(),
        },
    ];
    let c = paired::run(&variants, reps, 21, |_| {}).unwrap();
    let layout = Layout::new(&base);
    let row = layout.row(RowKey::Channel { channel: 0 }).unwrap();
    let results: Vec<(usize, &str)> = vec![(m::SERVICE_LEVEL, "service level"), (m::ASA, "ASA")];
    // Independent streams: baseline on seed 21, candidate on seed 22, replication by replication.
    let mut indep = vec![Moments::default(); results.len()];
    let mut engine = Engine::new(&base);
    let (mut sa, mut sb) = (RepSummary::default(), RepSummary::default());
    for rep in 0..reps {
        layout.summarize(engine.run(&base, 21, rep), &mut sa);
        layout.summarize(engine.run(&cand, 22, rep), &mut sb);
        for (k, (mi, _)) in results.iter().enumerate() {
            let s = layout.slot(row, *mi);
            indep[k].push(rep_value(&sb, s) - rep_value(&sa, s));
        }
    }
    for (k, (mi, name)) in results.iter().enumerate() {
        let paired = c.difference(1, layout.slot(row, *mi), 0.95);
        let ind = indep[k].interval(0.95);
        let factor = ind.half_width / paired.half_width;
        eprintln!(
            "{name}: paired diff {:.4} ± {:.4}, independent {:.4} ± {:.4}: half-width reduction x{factor:.1}",
            paired.mean, paired.half_width, ind.mean, ind.half_width
        );
        assert!(paired.half_width > 0.0);
        assert!(factor >= 3.0, "{name}: reduction only x{factor:.2}");
    }
}

#[test]
fn gate_fails_on_fewer_agents_and_passes_on_an_equivalent_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let worse = variant_file(dir.path(), "worse.json", |v| {
        v["agent_groups"][0]["headcount"] = 5.into();
    });
    let same = variant_file(dir.path(), "same.json", |v| {
        v["description"] = "the same center, reworded".into();
    });
    let out = acdsim()
        .args(["check", worse.to_str().unwrap(), "--baseline", ELDERLY])
        .args(["--max-regression", "0.01", "-n", "40"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("REGRESSION") && stdout.contains("phone.service_level"));
    assert!(stdout.contains("elderly.goal_service_level"), "{stdout}");
    let out = acdsim()
        .args(["check", same.to_str().unwrap(), "--baseline", ELDERLY])
        .args(["--max-regression", "0.01", "-n", "40"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("PASS"));
}

#[test]
fn thresholds_are_judged_on_the_confidence_bound() {
    // The scenario's own requirement (phone.abandon_rate <= 0.5) holds; service level is ~45%.
    let run = |req: &str| {
        acdsim()
            .args(["check", ELDERLY, "-n", "30", "--require", req])
            .output()
            .unwrap()
    };
    assert_eq!(run("phone.service_level >= 0.3").status.code(), Some(0));
    assert_eq!(run("phone.service_level >= 0.9").status.code(), Some(1));
    assert_eq!(
        run("phone/elderly.p90_wait_s > 1000").status.code(),
        Some(1)
    );
}

#[test]
fn playbook_metrics_can_be_gated_and_counts_show_no_unit() {
    // Phone at 130% of the forecast in the forecast itself, and a trigger at 80% of it: the
    // playbook activates every day and the announcement offers callbacks.
    let dir = tempfile::tempdir().unwrap();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("scenarios/surge-playbook.json").unwrap())
            .unwrap();
    v["surge_playbook"]["trigger"]["load_ratio"] = 0.8.into();
    let phone = &mut v["channels"][0];
    assert_eq!(phone["id"], "phone");
    for x in phone["volume"].as_array_mut().unwrap() {
        *x = (x.as_f64().unwrap() * 1.3).into();
    }
    let scen = dir.path().join("busy-playbook.json");
    std::fs::write(&scen, v.to_string()).unwrap();
    let out = acdsim()
        .arg("check")
        .arg(&scen)
        .args(["-n", "40"])
        .args(["--require", "phone.callback_completed >= 1"])
        .args(["--require", "phone.callback_delay_s <= 100000"])
        .args(["--require", "phone.offered >= 1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = |expr: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(expr))
            .unwrap_or_else(|| panic!("no line for {expr}: {stdout}"))
            .to_string()
    };
    for expr in [
        "phone.callback_completed >= 1",
        "phone.callback_delay_s <= 100000",
    ] {
        assert!(line(expr).ends_with("pass"), "{}", line(expr));
    }
    // A count is a plain number; a time is in seconds.
    assert!(!line("phone.offered >= 1").contains(" s"), "{stdout}");
    assert!(line("phone.callback_delay_s").contains(" s "), "{stdout}");
}

#[test]
fn bad_threshold_expressions_exit_2_with_a_clear_message() {
    let cases = [
        (
            "phone.sl >= 0.8",
            "unknown metric `sl`: valid metrics are offered",
        ),
        (
            "fax.service_level >= 0.8",
            "unknown row `fax`: valid rows are overall, channels (phone, chat)",
        ),
        (
            "phone.service_level == 0.8",
            "operator `==` is not supported",
        ),
        ("phone.service_level 0.8", "no comparison operator"),
        (
            "phone.service_level >= high",
            "`high` after `>=` is not a number",
        ),
        ("phone.service_level >= 85", "write 0.85 rather than 85"),
        ("service_level >= 0.8", "names no metric"),
        (
            "phone.callback_unserved <= 5",
            "`callback_unserved` is a surge-playbook metric, and this scenario has no enabled `playbook`",
        ),
    ];
    for (expr, msg) in cases {
        let out = acdsim()
            .args(["check", ELDERLY, "-n", "5", "--require", expr])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{expr}: {stderr}");
        assert!(stderr.contains(expr), "{expr}: {stderr}");
        assert!(stderr.contains(msg), "{expr}: {stderr}");
    }
}

#[test]
fn same_seed_same_decision_and_identical_json_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let worse = variant_file(dir.path(), "worse.json", |v| {
        v["agent_groups"][1]["headcount"] = 3.into();
    });
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let json = dir.path().join(format!("check-{threads}.json"));
        let out = acdsim()
            .args([
                "check",
                worse.to_str().unwrap(),
                "--baseline",
                ELDERLY,
                "-n",
                "20",
            ])
            .args(["--seed", "9", "--threads", threads, "--quiet", "--json"])
            .arg(&json)
            .output()
            .unwrap();
        outs.push((out.status.code(), std::fs::read(&json).unwrap()));
        let cjson = dir.path().join(format!("compare-{threads}.json"));
        compare_priority()
            .args(["-n", "20", "--threads", threads, "--quiet", "--json"])
            .arg(&cjson)
            .assert()
            .success();
        outs.push((Some(0), std::fs::read(&cjson).unwrap()));
    }
    assert_eq!(outs[0], outs[2]);
    assert_eq!(outs[1], outs[3]);
}

#[test]
fn elderly_priority_gain_and_cost_in_one_command() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("c.json");
    let md = dir.path().join("c.md");
    let out = compare_priority()
        .args(["-n", "60", "--json"])
        .arg(&json)
        .arg("--markdown")
        .arg(&md)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Segments") && stdout.contains("Δ elderly-priority"));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["schema"], "acdsim.compare");
    assert_eq!(v["scenarios"][0]["file"], ELDERLY);
    assert_eq!(v["scenarios"][0]["hash"].as_str().unwrap().len(), 16);
    assert_eq!(v["service_level"]["formula"], "answered_and_abandoned");
    let rows = v["comparisons"][0]["rows"].as_array().unwrap();
    let elderly = rows.iter().find(|r| r["id"] == "elderly").unwrap();
    assert_eq!(elderly["goal"]["threshold_s"], 45.0);
    let metric = |id: &str, name: &str| {
        rows.iter()
            .find(|r| r["kind"] == "segment" && r["id"] == id)
            .unwrap()["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["metric"] == name)
            .unwrap()["variants"][0]
            .clone()
    };
    // Elderly callers gain, regular callers pay, both significantly.
    let gain = metric("elderly", "goal_service_level");
    assert!(
        gain["significant"] == true && gain["better"] == true,
        "{gain}"
    );
    let cost = metric("regular", "asa_s");
    assert!(
        cost["significant"] == true && cost["better"] == false,
        "{cost}"
    );
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(
        md.contains("| Segments | metric | skill-first | elderly-priority | Δ elderly-priority |")
    );
}

#[test]
fn compare_rejects_scenarios_of_another_structure() {
    let dir = tempfile::tempdir().unwrap();
    let other = variant_file(dir.path(), "other.json", |v| {
        v["channels"][1]["id"] = "email".into();
    });
    let out = acdsim()
        .args(["compare", ELDERLY, other.to_str().unwrap(), "-n", "5"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("other.json") && stderr.contains("channels [phone, email] differ"),
        "{stderr}"
    );
    // Surge factors of one strategy are variants too.
    acdsim()
        .args([
            "compare", ELDERLY, "--surge", "1.0,1.2", "-n", "10", "--quiet",
        ])
        .assert()
        .success();
}

fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.len() > 1000,
        "{}: {} bytes",
        path.display(),
        bytes.len()
    );
    assert_eq!(
        bytes[..8],
        [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a],
        "{} is not a PNG",
        path.display()
    );
}

/// The files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn compare_plots_the_wait_distributions_of_every_variant() {
    let dir = tempfile::tempdir().unwrap();
    let plots = dir.path().join("plots/new");
    compare_priority()
        .args(["-n", "10", "--quiet", "--plots"])
        .arg(&plots)
        .assert()
        .success();
    let files = listing(&plots);
    assert_eq!(
        files,
        [
            "compare_wait_cdf_chat.png",
            "compare_wait_cdf_phone.png",
            "compare_wait_cdf_segment_elderly.png",
            "compare_wait_cdf_segment_regular.png",
        ]
    );
    for f in &files {
        assert_png(&plots.join(f));
    }
    // Several volume factors compared in turn: one set of charts per factor.
    let surge = dir.path().join("surge");
    acdsim()
        .args(["compare", ELDERLY, "--strategies", "skill-first,idle-first"])
        .args(["--surge", "1.0,1.2", "-n", "5", "--quiet", "--plots"])
        .arg(&surge)
        .assert()
        .success();
    let files = listing(&surge);
    assert_eq!(files.len(), 8, "{files:?}");
    for f in [
        "compare_wait_cdf_phone_x1.png",
        "compare_wait_cdf_phone_x1.2.png",
        "compare_wait_cdf_segment_elderly_x1.2.png",
    ] {
        assert_png(&surge.join(f));
    }
}

#[test]
fn compare_refuses_an_unusable_plot_folder_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("taken");
    std::fs::write(&file, "not a folder").unwrap();
    let json = dir.path().join("c.json");
    for bad in [file.clone(), file.join("sub")] {
        let out = compare_priority()
            .args(["-n", "5", "--json"])
            .arg(&json)
            .arg("--plots")
            .arg(&bad)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("{}: cannot create the plot folder", bad.display())),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
    // Nothing was simulated, nothing written.
    assert!(!json.exists());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
}

#[test]
fn contradictory_or_useless_options_exit_2() {
    let cases: [(&[&str], &str); 3] = [
        (
            &["check", ELDERLY, "-n", "1"],
            "check judges on confidence bounds, which need 2 replications or more",
        ),
        (
            &["check", ELDERLY, "-n", "5", "--max-regression", "0.01"],
            "--baseline <BASELINE>",
        ),
        (
            &[
                "compare",
                ELDERLY,
                "--strategies",
                "skill-first,idle-first",
                "--strategy",
                "elderly-priority",
            ],
            "give one of them",
        ),
    ];
    for (args, msg) in cases {
        let out = acdsim().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(msg), "{args:?}: {stderr}");
    }
}

#[test]
fn compare_shows_goals_group_occupancy_and_intervals_per_variant() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("c.json");
    let out = Command::cargo_bin("acdsim")
        .unwrap()
        .args([
            "compare",
            concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/default.json"),
        ])
        .args([
            "--strategies",
            "skill-first,idle-first",
            "-n",
            "30",
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let c = &v["comparisons"][0];
    // Idle-first loads the phone-only generalists more: significantly, and shown per variant.
    let groups = c["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 3);
    let gen = &groups[0]["occupancy"];
    assert_eq!(groups[0]["id"], "generalists");
    assert!(gen["variants"][0]["difference"]["lo"].as_f64().unwrap() > 0.0);
    assert_eq!(
        gen["variants"][0]["better"], false,
        "occupancy is neither better nor worse"
    );
    assert_eq!(c["intervals"].as_array().unwrap().len(), 4 * 24);
    assert_eq!(c["intervals"][0]["interval_start"], "08:00");
    assert!(text.contains("Goals per variant"));
    assert!(text.contains("goals met"));
    assert!(text.contains("Agent group occupancy"));
    assert!(text.contains("Service level by interval"));
    // Idle-first makes the phone goal worse, significantly: FAIL and ▼.
    let phone = text
        .lines()
        .find(|l| l.starts_with("channel phone"))
        .unwrap();
    assert!(phone.ends_with("FAIL ▼"), "{phone}");
}

#[test]
fn wait_metrics_can_be_gated_and_quantiles_are_differenced_pooled() {
    // `check` names the mean wait of all contacts and both kinds of quantile.
    let run = |req: &str| {
        acdsim()
            .args(["check", ELDERLY, "-n", "30", "--require", req])
            .output()
            .unwrap()
    };
    for req in [
        "phone.mean_wait_s >= 0",
        "phone.p90_wait_day_s >= 0",
        "phone/elderly.p99_wait_s >= 0",
    ] {
        let out = run(req);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{req}: {stdout}");
    }
    assert_eq!(run("phone.mean_wait_s > 100000").status.code(), Some(1));
    assert_eq!(run("phone.p50_wait_day_s > 100000").status.code(), Some(1));
    // `compare` reports the mean wait of all contacts beside the ASA.
    let out = compare_priority().args(["-n", "20"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l.contains("mean_wait_s")),
        "{stdout}"
    );
    // A pooled quantile's paired difference is the difference of the pooled quantiles, with a
    // sectioning interval; against an identical variant it is exactly 0 with no spread.
    let base = load(ELDERLY);
    let mut prio = base.clone();
    prio.routing.strategy = StrategyKind::ElderlyPriority;
    let variants = [
        Variant {
            name: "base".into(),
            model: base.clone(),
        },
        Variant {
            name: "prio".into(),
            model: prio,
        },
        Variant {
            name: "same".into(),
            model: base,
        },
    ];
    let c = paired::run(&variants, 60, 7, |_| {}).unwrap();
    let layout = &c.layouts[0];
    let row = layout.row(RowKey::Overall).unwrap();
    for q in m::P50..=m::P99 {
        let slot = layout.slot(row, q);
        let d = c.difference(1, slot, 0.95);
        let diff = c.estimate(1, slot, 0.95).mean - c.estimate(0, slot, 0.95).mean;
        assert_eq!(d.mean.to_bits(), diff.to_bits(), "metric {q}: {d:?}");
        assert!(d.half_width.is_finite() && d.half_width > 0.0, "{d:?}");
        assert_eq!(d.n, 60);
        let same = c.difference(2, slot, 0.95);
        assert_eq!((same.mean, same.half_width), (0.0, 0.0), "{same:?}");
    }
}

#[test]
fn select_refuses_a_pooled_quantile() {
    let exp = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/experiments/default-strategies.json"
    );
    let out = acdsim()
        .args(["select", exp, "--metric", "phone.p90_wait_s", "--minimize"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("$.select.metric") && err.contains("p90_wait_day_s"),
        "{err}"
    );
}

/// Two priced scenario files: the JSON gives each one's day's staffing cost (4 hours of 10
/// agents at 20 per hour: 800; one more phone agent: 880), the table says it; unpriced files
/// have none.
#[test]
fn priced_files_give_their_staffing_costs() {
    let dir = tempfile::tempdir().unwrap();
    let price = |v: &mut serde_json::Value, extra: u64| {
        for g in v["agent_groups"].as_array_mut().unwrap() {
            g["cost_per_hour"] = 20.into();
        }
        let h = v["agent_groups"][0]["headcount"].as_u64().unwrap();
        v["agent_groups"][0]["headcount"] = (h + extra).into();
    };
    let base = variant_file(dir.path(), "base.json", |v| price(v, 0));
    let cand = variant_file(dir.path(), "cand.json", |v| price(v, 1));
    let json = dir.path().join("c.json");
    acdsim()
        .arg("compare")
        .args([&base, &cand])
        .args(["-n", "20", "--json"])
        .arg(&json)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "Staffing cost of the day (elderly-small): 880.00 for 44.0 paid hours",
        ));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["staffing_costs"][0]["cost"], 800.0);
    assert_eq!(v["staffing_costs"][1]["cost"], 880.0);
    assert_eq!(v["staffing_costs"][1]["paid_hours"], 44.0);
    let plain = dir.path().join("p.json");
    compare_priority()
        .args(["-n", "10", "-q", "--json"])
        .arg(&plain)
        .assert()
        .success();
    let p = std::fs::read_to_string(&plain).unwrap();
    assert!(!p.contains("staffing_costs"), "{p}");
}
