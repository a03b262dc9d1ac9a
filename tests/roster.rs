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

// ---- the bundled roster scenario, the repair and the cost objective ----

#[test]
fn the_bundled_shift_scenario_is_the_default_day_staffed_by_a_roster() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    // Both validate.
    let _ = scenario("default.json");
    let rostered = scenario("shifts-default.json");
    let w = rostered.workforce.as_ref().expect("a workforce");
    assert!(w.has_shifts() && w.has_prices() && w.absence > 0.0);
    // Apart from the staffing (headcounts or shifts, prices, the workforce) and the name and
    // description, the two files are the same scenario, as parsed (defaults written out).
    let raw = |name: &str| -> serde_json::Value {
        let p = root.join(name);
        let bytes = std::fs::read(&p).unwrap();
        let f = acdsim::input::scenario::parse(&p.display().to_string(), &bytes).unwrap();
        let mut v = serde_json::to_value(&f).unwrap();
        let o = v.as_object_mut().unwrap();
        for k in ["name", "description", "workforce"] {
            o.remove(k);
        }
        for g in o.get_mut("agent_groups").unwrap().as_array_mut().unwrap() {
            let g = g.as_object_mut().unwrap();
            for k in ["headcount", "shifts", "cost_per_hour"] {
                g.remove(k);
            }
        }
        v
    };
    let (base, shifts) = (raw("default.json"), raw("shifts-default.json"));
    for (k, v) in base.as_object().unwrap() {
        assert_eq!(
            Some(v),
            shifts.get(k),
            "scenarios/shifts-default.json differs from default.json in `{k}`: regenerate it \
             (README \"Rosters\")"
        );
    }
    assert_eq!(base, shifts);
}

#[test]
fn the_repair_adds_the_shift_with_the_least_cost_per_failing_cell() {
    use acdsim::analysis::roster::repair::{cheapest_per_cell, Cell};
    let col = |cost: f64, cover: [f64; 4]| mip::Column {
        pattern: 0,
        start_s: 0.0,
        cost,
        paid_hours: cost,
        cover: cover.to_vec(),
        present: cover.to_vec(),
    };
    let cell = |groups: Vec<usize>, interval: usize| Cell {
        groups,
        interval,
        goal: format!("channel phone {interval}"),
    };
    let cells = [cell(vec![0], 0), cell(vec![0], 3)];
    // A long shift covering both failing intervals at 10 (5 per cell) loses to a short one at
    // 3 covering one; then the other short one covers the rest: 6 in all instead of 10.
    let columns = vec![vec![
        col(10.0, [1.0; 4]),
        col(3.0, [1.0, 0.0, 0.0, 0.0]),
        col(3.0, [0.0, 0.0, 0.0, 1.0]),
    ]];
    assert_eq!(cheapest_per_cell(&columns, &cells), Some((0, 1)));
    assert_eq!(cheapest_per_cell(&columns, &cells[1..]), Some((0, 2)));
    // Equal cost per cell: the one covering more.
    let columns = vec![vec![col(3.0, [1.0, 0.0, 0.0, 0.0]), col(6.0, [1.0; 4])]];
    assert_eq!(cheapest_per_cell(&columns, &cells), Some((0, 1)));
    // Half an interval on the phones is half a cell: 4 for half of each cell is 4 per cell,
    // dearer than 3 for one whole cell.
    let columns = vec![vec![
        col(4.0, [0.5, 0.0, 0.0, 0.5]),
        col(3.0, [0.0, 0.0, 0.0, 1.0]),
    ]];
    assert_eq!(cheapest_per_cell(&columns, &cells), Some((0, 1)));
    // Only the groups that serve a cell's channels count; a cheap shift of another group, or
    // one not on the phones in the interval, covers nothing.
    let columns = vec![
        vec![col(1.0, [1.0; 4])],
        vec![col(5.0, [1.0, 0.0, 0.0, 0.0])],
    ];
    assert_eq!(
        cheapest_per_cell(&columns, &[cell(vec![1], 0)]),
        Some((1, 0))
    );
    assert_eq!(cheapest_per_cell(&columns, &[cell(vec![1], 2)]), None);
}

/// mmc-5 without its warm-up: 4 Erlangs of phone work, 08:00-16:00 in hours.
fn mmc5_cold(dir: &std::path::Path) -> PathBuf {
    let base = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/mmc-5.json"),
    )
    .unwrap();
    let cold = base.replace("\"warmup_minutes\": 600", "\"warmup_minutes\": 0");
    assert_ne!(cold, base);
    write(dir, "cold.json", &cold)
}

#[test]
fn a_requirement_too_low_is_repaired_until_every_goal_is_met() {
    let dir = tempfile::tempdir().unwrap();
    let sc = mmc5_cold(dir.path());
    let shifts = write(
        dir.path(),
        "shifts.json",
        r#"{"absence": 0, "cost_per_hour": {"agents": 20},
            "patterns": [{"id": "4h", "minutes": 240, "earliest_start": "08:00", "latest_start": "12:00",
                          "every_minutes": 240}]}"#,
    );
    // 2 agents for 4 Erlangs: the queue is unstable, every interval fails its goal.
    let req: String = std::iter::once("group,interval_start,agents".to_string())
        .chain((8..16).map(|h| format!("agents,{h:02}:00,2")))
        .collect::<Vec<_>>()
        .join("\n");
    let req = write(dir.path(), "req.csv", &req);
    let json = dir.path().join("roster.json");
    let run = |max_repairs: &str| {
        Command::cargo_bin("acdsim")
            .unwrap()
            .args(["roster", sc.to_str().unwrap(), "--shifts"])
            .args([
                shifts.to_str().unwrap(),
                "--requirement",
                req.to_str().unwrap(),
            ])
            .args(["-n", "40", "-q", "--json", json.to_str().unwrap()])
            .args(["--max-repairs", max_repairs])
            .output()
            .unwrap()
    };
    let out = run("40");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let repairs = v["repairs"].as_array().unwrap();
    assert!(repairs.len() >= 2, "{repairs:?}");
    assert!(v["checks"].as_u64().unwrap() >= 2);
    assert_eq!(v["all_goals_met"], serde_json::Value::Bool(true));
    let goals = v["goals"].as_array().unwrap();
    assert!(
        goals.len() >= 8 && goals.iter().all(|g| g["met"] == true),
        "{goals:?}"
    );
    // Both 4 h shifts (08:00 and 12:00) are needed: the repairs add to both halves of the day.
    for start in ["08:00", "12:00"] {
        assert!(repairs.iter().any(|r| r["start"] == start), "{repairs:?}");
    }
    // Without repairs the same roster exits 1 naming the failing goals.
    let out = run("0");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("still fail after 0 repair(s) (--max-repairs 0)"),
        "{err}"
    );
    assert!(
        err.contains("channel phone 09:00") && err.contains("channel phone 15:00"),
        "{err}"
    );
}

#[test]
fn staff_objective_cost_gives_a_cheaper_plan_with_fewer_seniors() {
    let dir = tempfile::tempdir().unwrap();
    // Seniors serve faster (level 4) but cost twice as much per hour as generalists.
    let sc = write(
        dir.path(),
        "priced.json",
        r#"{"name": "priced", "seed": 7, "replications": 40,
            "day": {"open": "08:00", "interval_minutes": 60, "intervals": 4, "closing": "drain"},
            "channels": [{"id": "phone", "goal": {"threshold_s": 20, "target": 0.8}, "volume": 60,
              "types": [{"id": "call", "share": 1, "skills": ["general"],
                         "handle_time": {"type": "exponential", "mean": 240}}],
              "segments": [{"id": "regular", "share": 1,
                            "patience": {"type": "exponential", "mean": 120}}]}],
            "agent_groups": [
              {"id": "generalists", "skills": {"general": 3}, "headcount": 4, "cost_per_hour": 20,
               "min": 0, "max": 20},
              {"id": "seniors", "skills": {"general": 4}, "headcount": 4, "cost_per_hour": 40,
               "min": 0, "max": 20}]}"#,
    );
    let plan = |objective: &str| -> (f64, u64) {
        let json = dir.path().join(format!("{objective}.json"));
        let out = Command::cargo_bin("acdsim")
            .unwrap()
            .args(["staff", sc.to_str().unwrap(), "-n", "40", "-q"])
            .args(["--objective", objective, "--json", json.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{objective}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        let goals = v["base"]["goals"].as_array().unwrap();
        assert!(
            !goals.is_empty() && goals.iter().all(|g| g["met"] == true),
            "{objective}: {goals:?}"
        );
        let agents = |g: usize| -> u64 {
            v["groups"][g]["base"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .sum()
        };
        // One-hour intervals: agent-intervals are paid hours.
        let cost = 20.0 * agents(0) as f64 + 40.0 * agents(1) as f64;
        // The JSON gives the same day's cost, and which objective the search minimised.
        let reported = &v["staffing_cost"];
        assert_eq!(reported["objective"], objective);
        assert!(
            (reported["base"].as_f64().unwrap() - cost).abs() < 1e-6,
            "{reported}"
        );
        assert_eq!(
            reported["base_paid_hours"].as_f64().unwrap(),
            (agents(0) + agents(1)) as f64
        );
        (cost, agents(1))
    };
    let (agents_cost, agents_seniors) = plan("agents");
    let (cost_cost, cost_seniors) = plan("cost");
    assert!(
        cost_cost < agents_cost,
        "cost objective {cost_cost} vs agents objective {agents_cost}"
    );
    assert!(
        cost_seniors < agents_seniors,
        "senior agent-hours: cost objective {cost_seniors}, agents objective {agents_seniors}"
    );
}

/// Five groups of one agent each on the mmc-5 load (4 Erlangs), 08:00-16:00 in 15-minute
/// intervals; agent `i` has a 15-minute break at 09:00 + 15i minutes and a 30-minute one at
/// 12:00 + 30i minutes, on interval boundaries. The scenario and each agent's break intervals.
fn one_agent_groups(mode: &str) -> (Model, Vec<Vec<usize>>) {
    let mut groups = Vec::new();
    let mut in_break = Vec::new();
    for i in 0..5 {
        let (b1, b2) = (60 + 15 * i, 240 + 30 * i); // minutes after 08:00
        groups.push(format!(
            r#"{{"id": "a{i}", "skills": {{"phone": 3}}, "shifts": [{{"start": "08:00",
                 "minutes": 480, "agents": 1, "breaks": [
                 {{"start": "{:02}:{:02}", "minutes": 15}},
                 {{"start": "{:02}:{:02}", "minutes": 30}}]}}]}}"#,
            8 + b1 / 60,
            b1 % 60,
            8 + b2 / 60,
            b2 % 60
        ));
        in_break.push(vec![b1 / 15, b2 / 15, b2 / 15 + 1]);
    }
    let text = format!(
        r#"{{"name": "one-agent-groups", "seed": 11, "replications": 10,
            "day": {{"open": "08:00", "interval_minutes": 15, "intervals": 32, "closing": "drain"}},
            "channels": [{{"id": "phone", "goal": {{"threshold_s": 15, "target": 0.85}}, "volume": 15,
              "types": [{{"id": "call", "share": 1, "skills": ["phone"],
                          "handle_time": {{"type": "exponential", "mean": 240}}}}],
              "segments": [{{"id": "regular", "share": 1, "patience": {{"type": "never"}}}}]}}],
            "agent_groups": [{}],
            "workforce": {{"absence": 0, "break_mode": "{mode}"}}}}"#,
        groups.join(",")
    );
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "one-agent-groups.json", &text);
    (input::load(&p).unwrap(), in_break)
}

#[test]
fn no_break_overlaps_a_contact_in_progress_tolerance_zero_per_break() {
    // `shorten`: within each break, the agent is on duty only while finishing the contact it had
    // when the break was due (busy = on duty): no contact is cut, none is started on a break.
    let (m, in_break) = one_agent_groups("shorten");
    let n = m.n_intervals;
    let mut engine = Engine::new(&m);
    let (mut overrun, mut breaks) = (0.0, 0);
    for rep in 0..200 {
        let st = engine.run(&m, 5, rep);
        for (g, ks) in in_break.iter().enumerate() {
            for &k in ks {
                let (on, busy) = (st.staffed[g * n + k], st.busy[g * n + k]);
                assert!(
                    (on - busy).abs() < 1e-6,
                    "rep {rep} agent {g} break interval {k}: on duty {on} s, busy {busy} s"
                );
                overrun += on;
            }
            breaks += 2;
        }
    }
    // At 80% occupancy the agent is often busy when its break is due: the check has cases.
    let per_break = overrun / breaks as f64;
    assert!(per_break > 30.0 && per_break < 900.0, "{per_break}");
    // `shift`: every agent takes both its breaks in full: on duty exactly its 435 minutes.
    let (m, _) = one_agent_groups("shift");
    let mut engine = Engine::new(&m);
    for rep in 0..200 {
        let st = engine.run(&m, 5, rep);
        for g in 0..5 {
            let on: f64 = st.staffed[g * n..(g + 1) * n].iter().sum();
            assert!(
                (on - 435.0 * 60.0).abs() < 1e-6,
                "rep {rep} agent {g}: {on}"
            );
            for k in 0..n {
                assert!(st.busy[g * n + k] <= st.staffed[g * n + k] + 1e-6);
            }
        }
    }
}
