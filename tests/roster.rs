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
