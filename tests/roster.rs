//! Shifts, breaks and absenteeism in the engine (README "Rosters"): a roster without breaks or
//! absence is the headcount plan bit for bit; absence removes its share of the agents on
//! average; breaks take agents off the phones without ever cutting a contact.

use std::path::PathBuf;

use acdsim::input;
use acdsim::model::roster::{Break, BreakMode, Shift, Workforce};
use acdsim::model::Model;
use acdsim::report::{json::to_json, RunReport};
use acdsim::sim::engine::Engine;
use acdsim::sim::simulate::{self, RunOptions};

fn scenario(name: &str) -> Model {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    input::load(&p).unwrap()
}

fn shift(start_s: f64, end_s: f64, breaks: Vec<Break>, agents: u32) -> Shift {
    Shift {
        label: String::new(),
        start_s,
        end_s,
        breaks,
        agents,
        premium_per_hour: 0.0,
    }
}

/// A headcount per interval as shifts: one shift per run of intervals where the headcount is at
/// least `level`, for every level (a staircase of nested shifts).
fn staircase(h: &[u32], interval_s: f64) -> Vec<Shift> {
    let mut out = Vec::new();
    let top = h.iter().copied().max().unwrap_or(0);
    for level in 1..=top {
        let mut k = 0;
        while k < h.len() {
            if h[k] >= level {
                let start = k;
                while k < h.len() && h[k] >= level {
                    k += 1;
                }
                out.push(shift(
                    start as f64 * interval_s,
                    k as f64 * interval_s,
                    vec![],
                    1,
                ));
            } else {
                k += 1;
            }
        }
    }
    out
}

fn with_shifts(
    model: &Model,
    shifts: Vec<Option<Vec<Shift>>>,
    absence: f64,
    mode: BreakMode,
) -> Model {
    let mut m = model.clone();
    let n = m.groups.len();
    m.workforce = Some(Workforce {
        absence,
        break_mode: mode,
        shifts,
        cost_per_hour: vec![None; n],
        objective_cost: false,
    });
    m
}

#[test]
fn a_roster_without_breaks_or_absence_is_the_headcount_plan_bit_for_bit() {
    let model = scenario("default.json");
    let shifts = model
        .groups
        .iter()
        .map(|g| Some(staircase(&g.headcount, model.interval_s)))
        .collect();
    let rostered = with_shifts(&model, shifts, 0.0, BreakMode::Shorten);
    for g in 0..model.groups.len() {
        assert_eq!(rostered.groups[g].headcount, model.groups[g].headcount);
    }
    let opts = RunOptions {
        replications: 24,
        seed: 11,
    };
    let a = simulate::run(&model, opts, |_| {});
    let b = simulate::run(&rostered, opts, |_| {});
    let ja = to_json(&RunReport::new(&model, &a, 0.95));
    let jb = to_json(&RunReport::new(&rostered, &b, 0.95));
    assert_eq!(ja, jb);
    // And some groups by shifts, others by headcount.
    let mixed = with_shifts(
        &model,
        vec![
            None,
            Some(staircase(&model.groups[1].headcount, model.interval_s)),
            None,
        ],
        0.0,
        BreakMode::Shift,
    );
    let c = simulate::run(&mixed, opts, |_| {});
    assert_eq!(ja, to_json(&RunReport::new(&mixed, &c, 0.95)));
}

/// Staffed agent-seconds of group `g` in replication `rep`.
fn staffed(engine: &mut Engine, model: &Model, rep: u64, g: usize) -> f64 {
    let n = model.n_intervals;
    let st = engine.run(model, 3, rep);
    st.staffed[g * n..(g + 1) * n].iter().sum()
}

#[test]
fn absence_lowers_the_agents_on_duty_by_its_share_on_average() {
    let model = scenario("mmc-5.json");
    let day = model.close_time() - model.warmup_s;
    // 40 agents on four overlapping shifts (more than the load needs; only duty is measured).
    let shifts = vec![
        shift(0.0, day, vec![], 10),
        shift(0.0, day / 2.0, vec![], 10),
        shift(day / 4.0, day, vec![], 10),
        shift(day / 2.0, day, vec![], 10),
    ];
    let full: f64 = shifts
        .iter()
        .map(|s| (s.end_s - s.start_s) * s.agents as f64)
        .sum();
    for absence in [0.08, 0.25] {
        let m = with_shifts(
            &model,
            vec![Some(shifts.clone())],
            absence,
            BreakMode::Shorten,
        );
        let mut engine = Engine::new(&m);
        let reps = 2000;
        let xs: Vec<f64> = (0..reps)
            .map(|r| staffed(&mut engine, &m, r, 0) / full)
            .collect();
        let mean = xs.iter().sum::<f64>() / reps as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (reps - 1) as f64;
        let half = 3.29 * (var / reps as f64).sqrt();
        let expected = 1.0 - absence;
        assert!(
            (mean - expected).abs() <= half,
            "absence {absence}: on duty {mean:.4} of rostered, expected {expected} +- {half:.4}"
        );
        assert!(half < 0.01, "interval too wide to catch a bias: {half}");
        // Absence is drawn per day: days differ.
        assert!(var > 0.0);
    }
}

#[test]
fn breaks_take_agents_off_the_phones_and_never_cut_a_contact() {
    let model = scenario("mmc-5.json");
    let day = model.close_time() - model.warmup_s;
    let n = model.n_intervals;
    let brk = |at: f64, len: f64| Break {
        start_s: at,
        length_s: len,
        paid: true,
    };
    // 5 agents all day, each with a 15-minute and a 30-minute break, at uneven times.
    let shifts: Vec<Shift> = (0..5)
        .map(|i| {
            let a = 3600.0 + 700.0 * i as f64;
            shift(0.0, day, vec![brk(a, 900.0), brk(a + 7200.0, 1800.0)], 1)
        })
        .collect();
    let scheduled = 5.0 * (day - 2700.0);
    for mode in [BreakMode::Shorten, BreakMode::Shift] {
        let m = with_shifts(&model, vec![Some(shifts.clone())], 0.0, mode);
        let mut engine = Engine::new(&m);
        let mut overrun = 0.0;
        for rep in 0..200 {
            let st = engine.run(&m, 5, rep);
            let on: f64 = st.staffed[..n].iter().sum();
            // An agent busy at the break's start finishes first, so it is on duty at least its
            // scheduled time; never is a contact served by an agent on a break: the busy time
            // never exceeds the time on duty, interval by interval.
            for k in 0..n {
                assert!(
                    st.busy[k] <= st.staffed[k] + 1e-6,
                    "{mode:?} rep {rep} interval {k}"
                );
            }
            match mode {
                // The break is taken in full once free: on duty exactly as scheduled.
                BreakMode::Shift => assert!(
                    (on - scheduled).abs() < 1e-6,
                    "rep {rep}: on duty {on}, scheduled {scheduled}"
                ),
                // The break ends on time: shortened by the overrun of the contact in hand.
                BreakMode::Shorten => {
                    assert!(on >= scheduled - 1e-6, "rep {rep}: {on} < {scheduled}");
                    overrun += on - scheduled;
                }
            }
        }
        if mode == BreakMode::Shorten {
            // At 80% occupancy most agents are busy when a break starts: breaks are shortened
            // by some minutes on average (mean handle 240 s), less than the breaks themselves.
            let per_break = overrun / 200.0 / 10.0;
            assert!(per_break > 30.0 && per_break < 600.0, "{per_break}");
        }
    }
}

// ---- acdsim roster: the integer program, its outputs and its errors ----

use acdsim::analysis::roster::{breaks, mip};
use acdsim::input::shiftset::{self, ShiftSetFile};
use assert_cmd::Command;

fn shift_set(model: &Model, json: &str) -> acdsim::model::roster::ShiftSet {
    let raw: ShiftSetFile = serde_json::from_str(json).unwrap();
    shiftset::resolve("test-shifts.json", &raw, model).unwrap()
}

#[test]
fn a_requirement_one_pattern_covers_exactly_gives_that_pattern_and_no_over_coverage() {
    let model = scenario("mmc-5.json"); // 08:00-16:00 in hours
    let set = shift_set(
        &model,
        r#"{"patterns": [
            {"id": "8h", "minutes": 480, "earliest_start": "08:00", "latest_start": "08:00"},
            {"id": "4h", "minutes": 240, "earliest_start": "08:00", "latest_start": "12:00", "premium_per_hour": 0.5},
            {"id": "2h", "minutes": 120, "earliest_start": "08:00", "latest_start": "14:00", "premium_per_hour": 0.5}
        ]}"#,
    );
    let cols = mip::columns(&model, &set, 20.0);
    let need = vec![5.0; model.n_intervals];
    let cover = mip::solve(&cols, &need).unwrap();
    let used: Vec<(usize, u32)> = cover
        .counts
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(j, &n)| (j, n))
        .collect();
    assert_eq!(used.len(), 1, "{used:?}");
    let (j, n) = used[0];
    assert_eq!((set.patterns[cols[j].pattern].id.as_str(), n), ("8h", 5));
    assert!(
        (cover.cost - cover.lp_bound).abs() < 1e-6,
        "no gap on an exact cover"
    );
    let mut profile = breaks::Profile::new(&model, &need);
    let shifts = breaks::place(&set, &cols, &cover.counts, &mut profile);
    for (k, &nk) in need.iter().enumerate() {
        let (a, b) = (k as f64 * 3600.0, (k + 1) as f64 * 3600.0);
        let on: f64 = shifts
            .iter()
            .map(|s| s.agents as f64 * s.on_phones_between(a, b) / 3600.0)
            .sum();
        assert!(
            (on - nk).abs() < 1e-9,
            "interval {k}: over-coverage {}",
            on - nk
        );
    }
}

#[test]
fn breaks_are_placed_within_their_windows_and_spread_over_the_grid() {
    let model = scenario("default.json");
    let set = shift_set(
        &model,
        r#"{"patterns": [{"id": "8h", "minutes": 480, "earliest_start": "08:00", "latest_start": "08:00",
            "breaks": [{"minutes": 15, "from_minutes": 90, "to_minutes": 150},
                       {"minutes": 30, "from_minutes": 210, "to_minutes": 270, "paid": false}]}]}"#,
    );
    let cols = mip::columns(&model, &set, 1.0);
    let mut counts = vec![0; cols.len()];
    counts[0] = 12;
    let mut profile = breaks::Profile::new(&model, &vec![8.0; model.n_intervals]);
    let shifts = breaks::place(&set, &cols, &counts, &mut profile);
    assert_eq!(shifts.iter().map(|s| s.agents).sum::<u32>(), 12);
    let mut firsts = Vec::new();
    for s in &shifts {
        assert_eq!(s.breaks.len(), 2);
        let b0 = s.breaks[0].start_s - s.start_s;
        let b1 = s.breaks[1].start_s - s.start_s;
        assert!((5400.0..=9000.0).contains(&b0) && (12600.0..=16200.0).contains(&b1));
        assert!(!s.breaks[1].paid && (s.paid_hours() - 7.5).abs() < 1e-9);
        firsts.extend(std::iter::repeat_n(b0, s.agents as usize));
    }
    // Evened out: the 12 first breaks use every one of the 5 starts of the window.
    firsts.sort_by(f64::total_cmp);
    firsts.dedup();
    assert_eq!(firsts.len(), 5, "{firsts:?}");
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn an_interval_no_shift_covers_exits_1_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/mmc-5.json"),
    )
    .unwrap();
    // The same queue from 14:00 to 22:00.
    let late = base.replace("\"open\": \"08:00\"", "\"open\": \"14:00\"");
    assert_ne!(late, base);
    let sc = write(dir.path(), "late.json", &late);
    let shifts = write(
        dir.path(),
        "shifts.json",
        r#"{"patterns": [{"id": "6h", "minutes": 360, "earliest_start": "14:00", "latest_start": "14:00"}]}"#,
    );
    let req: String = std::iter::once("group,interval_start,agents".to_string())
        .chain((14..22).map(|h| format!("agents,{h}:00,5")))
        .collect::<Vec<_>>()
        .join("\n");
    let req = write(dir.path(), "req.csv", &req);
    let out = Command::cargo_bin("acdsim")
        .unwrap()
        .args([
            "roster",
            sc.to_str().unwrap(),
            "--shifts",
            shifts.to_str().unwrap(),
        ])
        .args(["--requirement", req.to_str().unwrap(), "-n", "20", "-q"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("no allowed shift covers 20:00, 21:00"),
        "{err}"
    );
    assert!(err.contains("shifts.json"), "{err}");
}

#[test]
fn bad_shift_files_exit_2_naming_file_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let sc = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/mmc-5.json");
    for (text, path) in [
        (
            r#"{"patterns": [{"id": "a", "minutes": "long", "earliest_start": "08:00", "latest_start": "09:00"}]}"#,
            "$.patterns[0].minutes",
        ),
        (
            r#"{"patterns": [{"id": "a", "minutes": 240, "earliest_start": "10:00", "latest_start": "09:00"}]}"#,
            "$.patterns[0].latest_start",
        ),
        (
            r#"{"patterns": [{"id": "a", "minutes": 240, "earliest_start": "08:00", "latest_start": "09:00",
                "breaks": [{"minutes": 30, "from_minutes": 200, "to_minutes": 230}]}]}"#,
            "$.patterns[0].breaks[0]",
        ),
        (
            r#"{"patterns": [{"id": "a", "minutes": 240, "earliest_start": "08:00", "latest_start": "09:00"}],
                "cost_per_hour": {"nobody": 3}}"#,
            "$.cost_per_hour.nobody",
        ),
        (r#"{"patterns": [], "absence": 0.1}"#, "$.patterns"),
        (r#"{"patterns": [{"id": "a"}], "typo": 1}"#, "$"),
    ] {
        let f = write(dir.path(), "bad-shifts.json", text);
        let out = Command::cargo_bin("acdsim")
            .unwrap()
            .args([
                "roster",
                sc.to_str().unwrap(),
                "--shifts",
                f.to_str().unwrap(),
                "-q",
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(
            err.contains(&format!("{}: {path}", f.display())),
            "{text}: wanted {path} in {err}"
        );
    }
}

#[test]
fn roster_writes_its_table_csv_json_plots_and_a_scenario_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shifts = write(
        dir.path(),
        "shifts.json",
        r#"{"absence": 0.1, "cost_per_hour": {"agents": 20},
            "patterns": [{"id": "4h", "minutes": 240, "earliest_start": "08:00", "latest_start": "12:00",
                          "breaks": [{"minutes": 15, "from_minutes": 60, "to_minutes": 150}]}]}"#,
    );
    let req: String = std::iter::once("group,interval_start,agents".to_string())
        .chain((8..16).map(|h| format!("agents,{h:02}:00,6")))
        .collect::<Vec<_>>()
        .join("\n");
    let req = write(dir.path(), "req.csv", &req);
    let (csv, plots, json, scen) = (
        dir.path().join("csv"),
        dir.path().join("plots"),
        dir.path().join("roster.json"),
        dir.path().join("rostered.json"),
    );
    let out = Command::cargo_bin("acdsim")
        .unwrap()
        .args([
            "roster",
            root.join("scenarios/mmc-5.json").to_str().unwrap(),
        ])
        .args([
            "--shifts",
            shifts.to_str().unwrap(),
            "--requirement",
            req.to_str().unwrap(),
        ])
        .args([
            "-n",
            "40",
            "--csv",
            csv.to_str().unwrap(),
            "--plots",
            plots.to_str().unwrap(),
        ])
        .args([
            "--json",
            json.to_str().unwrap(),
            "--write-scenario",
            scen.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("optimality gap") && text.contains("Goals:"),
        "{text}"
    );
    let roster_csv = std::fs::read_to_string(csv.join("roster.csv")).unwrap();
    assert!(roster_csv.starts_with("group,shift,start,end,agents,paid_hours,break1_start"));
    assert!(csv.join("coverage.csv").exists() && plots.join("roster_agents.png").exists());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert!(v["optimality_gap"].as_f64().unwrap() >= 0.0);
    // The written scenario runs and reports the day's cost.
    let run = Command::cargo_bin("acdsim")
        .unwrap()
        .args(["run", scen.to_str().unwrap(), "-n", "10"])
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(t.contains("Staffing cost of the day"), "{t}");
}
