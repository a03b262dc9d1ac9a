//! `acdsim staff`: minimum headcount per agent group and interval at base load and at a surge.
//! The method is documented in [`crate::analysis::staffing::search`]. *Required* agents are the search's
//! answer (on the phones, meeting every goal and the occupancy cap); *scheduled* agents add
//! shrinkage: `ceil(required / (1 - shrinkage))` per group and interval.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::{
    check_output_dir, check_output_file, load_model, parse_factor, parse_max_occupancy,
    parse_shrinkage, with_threads, write_output, CmdResult, SimArgs,
};
use crate::analysis::staffing::erlang::scheduled_agents;
use crate::analysis::staffing::search::{self, CurvePoint, SearchOptions, SearchResult};
use crate::model::Model;
use crate::report::plots::{self, GroupStaffing, StaffPlotData};

/// Replications per candidate when neither `--replications` nor a smaller scenario value is given.
pub const DEFAULT_REPLICATIONS: u64 = 200;

#[derive(Debug, Args)]
pub struct StaffArgs {
    /// Scenario file (JSON).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Surge volume factor (1.2 = 120% of the forecast).
    #[arg(long, default_value_t = 1.2, value_parser = parse_factor)]
    pub surge: f64,
    /// Most candidate staffings simulated per search (base and surge each).
    #[arg(long, default_value_t = 400)]
    pub max_evaluations: u32,
    /// Points either side of the answer on the peak-interval service-level curve.
    #[arg(long, default_value_t = 3)]
    pub curve_span: u32,
    /// Shrinkage: share of paid time not on contacts (breaks, training, absence), in [0, 1);
    /// scheduled agents = ceil(required / (1 - shrinkage)).
    #[arg(long, default_value_t = 0.0, value_parser = parse_shrinkage, allow_hyphen_values = true)]
    pub shrinkage: f64,
    /// Occupancy cap in (0, 1]: required agents are raised until every group's simulated
    /// occupancy in every interval (upper confidence bound) is at most this.
    #[arg(long, value_parser = parse_max_occupancy, allow_hyphen_values = true)]
    pub max_occupancy: Option<f64>,
    /// Write the result as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write staffing.csv and peak_curve.csv into this folder.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Write plots (PNG) into this folder: peak_sl_vs_agents.png, staffing_total.png and
    /// staffing_group_<group>.png.
    #[arg(long)]
    pub plots: Option<PathBuf>,
    /// Print only the table (no progress lines on stderr).
    #[arg(long, short)]
    pub quiet: bool,
}

/// One group's plan per interval: required agents (`base`, `surge`, `reserve` = surge - base),
/// the same after shrinkage (`scheduled_*`), and the scenario's own headcount (`current`).
#[derive(Debug, Serialize)]
struct GroupPlan {
    group: String,
    min: u32,
    max: u32,
    base: Vec<u32>,
    surge: Vec<u32>,
    reserve: Vec<i64>,
    scheduled_base: Vec<u64>,
    scheduled_surge: Vec<u64>,
    scheduled_reserve: Vec<i64>,
    current: Vec<u32>,
}

#[derive(Debug, Serialize)]
struct StaffReport {
    scenario: String,
    surge_factor: f64,
    shrinkage: f64,
    max_occupancy: Option<f64>,
    confidence: f64,
    replications: u64,
    seed: u64,
    intervals: Vec<String>,
    groups: Vec<GroupPlan>,
    base: SearchResult,
    surge: SearchResult,
    peak_interval: String,
    #[serde(skip)]
    peak_index: usize,
    peak_curve_base: Vec<CurvePoint>,
    peak_curve_surge: Vec<CurvePoint>,
}

pub fn staff(a: StaffArgs) -> CmdResult {
    let mut model = load_model(&a.scenario, &a.sim)?;
    if a.sim.replications.is_none() {
        model.replications = model.replications.min(DEFAULT_REPLICATIONS);
    }
    if model.replications < 2 {
        return Err(anyhow::anyhow!(
            "{}: --replications = {}: the confidence interval needs at least 2",
            a.scenario.display(),
            model.replications
        )
        .into());
    }
    if a.max_evaluations == 0 {
        return Err(anyhow::anyhow!("--max-evaluations = 0: must be at least 1").into());
    }
    // Output destinations are checked before the search, not after minutes of work.
    // Folders first, so that --json may name a file inside --csv or --plots.
    for d in [&a.csv, &a.plots].into_iter().flatten() {
        check_output_dir(d)?;
    }
    if let Some(p) = &a.json {
        check_output_file(p)?;
    }
    let opts = SearchOptions {
        replications: model.replications,
        seed: model.seed,
        confidence: a.sim.confidence,
        max_evaluations: a.max_evaluations,
        max_occupancy: a.max_occupancy,
    };
    let quiet = a.quiet;
    let report = with_threads(a.sim.threads, || build(&model, &a, &opts, quiet))?;
    if let Some(p) = &a.json {
        write_output(p, crate::report::json::to_json(&report).as_bytes())?;
    }
    if let Some(d) = &a.csv {
        write_csv(&report, d)
            .with_context(|| format!("{}: cannot write CSV files", d.display()))?;
    }
    if let Some(d) = &a.plots {
        plots::write_staff_plots(&plot_data(&model, &report), d)
            .with_context(|| format!("{}: cannot write plots", d.display()))?;
    }
    print!("{}", to_table(&report));
    Ok(if report.base.feasible && report.surge.feasible {
        0
    } else {
        1
    })
}

fn build(model: &Model, a: &StaffArgs, opts: &SearchOptions, quiet: bool) -> StaffReport {
    fn say(stage: &'static str, quiet: bool) -> impl Fn(&str) {
        move |msg: &str| {
            if !quiet {
                eprintln!("[{stage}] {msg}");
            }
        }
    }
    let base = search::search(model, None, opts, &say("base", quiet));
    let surged = model.with_surge(a.surge);
    let surge = search::search(&surged, Some(&base.headcount), opts, &say("surge", quiet));
    let k = search::peak_interval(&surged);
    let peak_curve_base = search::curve(model, &base, k, a.curve_span, opts);
    let peak_curve_surge = search::curve(&surged, &surge, k, a.curve_span, opts);
    let scheduled = |v: &[u32]| -> Vec<u64> {
        v.iter()
            .map(|&n| scheduled_agents(n, a.shrinkage))
            .collect()
    };
    let groups = model
        .groups
        .iter()
        .enumerate()
        .map(|(g, gr)| {
            let (scheduled_base, scheduled_surge) = (
                scheduled(&base.headcount[g]),
                scheduled(&surge.headcount[g]),
            );
            GroupPlan {
                group: gr.id.clone(),
                min: gr.min,
                max: gr.max,
                base: base.headcount[g].clone(),
                surge: surge.headcount[g].clone(),
                reserve: base.headcount[g]
                    .iter()
                    .zip(&surge.headcount[g])
                    .map(|(&b, &s)| i64::from(s) - i64::from(b))
                    .collect(),
                scheduled_reserve: scheduled_base
                    .iter()
                    .zip(&scheduled_surge)
                    .map(|(&b, &s)| s as i64 - b as i64)
                    .collect(),
                scheduled_base,
                scheduled_surge,
                current: gr.headcount.clone(),
            }
        })
        .collect();
    StaffReport {
        scenario: model.name.clone(),
        surge_factor: a.surge,
        shrinkage: a.shrinkage,
        max_occupancy: a.max_occupancy,
        confidence: opts.confidence,
        replications: opts.replications,
        seed: opts.seed,
        intervals: (0..model.n_intervals)
            .map(|k| model.interval_label(k))
            .collect(),
        groups,
        base,
        surge,
        peak_interval: model.interval_label(k),
        peak_index: k,
        peak_curve_base,
        peak_curve_surge,
    }
}

fn to_table(r: &StaffReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Staffing for {} (goals judged on the lower end of the {:.0}% CI, {} replications, seed {})",
        r.scenario,
        r.confidence * 100.0,
        r.replications,
        r.seed
    );
    if let Some(cap) = r.max_occupancy {
        let _ = writeln!(
            s,
            "Occupancy cap {:.0}%: every group's occupancy in every interval at most the cap (upper end of the CI)",
            cap * 100.0
        );
    }
    let req = |g: &GroupPlan, k: usize| (u64::from(g.base[k]), u64::from(g.surge[k]), g.reserve[k]);
    let _ = writeln!(
        s,
        "\nRequired agents (on the phones): base / surge x{} / reserve needed (surge - base)\n",
        r.surge_factor
    );
    block(&mut s, r, req);
    if r.shrinkage > 0.0 {
        let _ = writeln!(
            s,
            "\nScheduled agents after {:.0}% shrinkage, ceil(required / {}): base / surge x{} / reserve\n",
            r.shrinkage * 100.0,
            1.0 - r.shrinkage,
            r.surge_factor
        );
        block(&mut s, r, |g, k| {
            (
                g.scheduled_base[k],
                g.scheduled_surge[k],
                g.scheduled_reserve[k],
            )
        });
    } else {
        let _ = writeln!(
            s,
            "\nScheduled agents = required agents (no shrinkage; e.g. --shrinkage 0.3 for 30%)"
        );
    }
    let sum = |f: &dyn Fn(&GroupPlan, usize) -> u64, k: Option<usize>| -> u64 {
        r.groups
            .iter()
            .flat_map(|g| (0..r.intervals.len()).map(move |i| (g, i)))
            .filter(|&(_, i)| k.is_none_or(|k| k == i))
            .map(|(g, i)| f(g, i))
            .sum()
    };
    let base = |g: &GroupPlan, k: usize| u64::from(g.base[k]);
    let surge = |g: &GroupPlan, k: usize| u64::from(g.surge[k]);
    let current = |g: &GroupPlan, k: usize| u64::from(g.current[k]);
    let k = r.peak_index;
    let _ = writeln!(
        s,
        "\nPeak interval {}: required base {}, surge x{} {}, reserve needed +{} (scenario's current headcount {})",
        r.peak_interval,
        sum(&base, Some(k)),
        r.surge_factor,
        sum(&surge, Some(k)),
        sum(&surge, Some(k)) - sum(&base, Some(k)),
        sum(&current, Some(k)),
    );
    let _ = write!(
        s,
        "Agent-intervals: required base {}, surge {}, reserve {}",
        sum(&base, None),
        sum(&surge, None),
        sum(&surge, None) - sum(&base, None)
    );
    if r.shrinkage > 0.0 {
        let sb = sum(&|g: &GroupPlan, k: usize| g.scheduled_base[k], None);
        let ss = sum(&|g: &GroupPlan, k: usize| g.scheduled_surge[k], None);
        let _ = write!(s, "; scheduled base {sb}, surge {ss}, reserve {}", ss - sb);
    }
    let _ = writeln!(s, "; scenario's current {}", sum(&current, None));
    for (name, res) in [("base", &r.base), ("surge", &r.surge)] {
        let worst = search::worst(&res.goals);
        let verdict = match &res.infeasible {
            None => "every goal met".to_string(),
            Some(why) => format!("NOT FEASIBLE ({why})"),
        };
        let _ = write!(s, "{name}: {verdict} after {} evaluations", res.evaluations);
        if let Some(w) = worst {
            let at = w
                .interval
                .as_ref()
                .map(|i| format!(" at {i}"))
                .unwrap_or_default();
            let (bound, value, what) = if w.kind == "occupancy" {
                ("upper", w.hi, "cap")
            } else {
                ("lower", w.lo, "target")
            };
            let _ = write!(
                s,
                "; tightest goal {} {}{at}: mean {:.1}%, {bound} bound {:.1}% vs {what} {:.1}%",
                w.kind,
                w.id,
                w.mean * 100.0,
                value * 100.0,
                w.target * 100.0
            );
        }
        let _ = writeln!(s);
    }
    s
}

/// One table of cells `base / surge / +reserve` per group and interval, with the total over
/// groups and the scenario's current headcount.
fn block(s: &mut String, r: &StaffReport, cell: impl Fn(&GroupPlan, usize) -> (u64, u64, i64)) {
    let fmt = |(b, su, res): (u64, u64, i64)| format!("{b} / {su} / {res:+}");
    let header: Vec<&str> = ["interval"]
        .into_iter()
        .chain(r.groups.iter().map(|g| g.group.as_str()))
        .chain(["all groups", "current"])
        .collect();
    // One row per interval: a cell per group, the total over groups, the current headcount.
    let rows: Vec<Vec<String>> = r
        .intervals
        .iter()
        .enumerate()
        .map(|(k, label)| {
            let total = r.groups.iter().fold((0, 0, 0), |acc, g| {
                let (b, su, res) = cell(g, k);
                (acc.0 + b, acc.1 + su, acc.2 + res)
            });
            let current: u32 = r.groups.iter().map(|g| g.current[k]).sum();
            [label.clone()]
                .into_iter()
                .chain(r.groups.iter().map(|g| fmt(cell(g, k))))
                .chain([fmt(total), current.to_string()])
                .collect()
        })
        .collect();
    crate::report::table::render(s, &header, &rows);
}

fn write_csv(r: &StaffReport, dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "group",
        "interval",
        "base",
        "surge",
        "reserve",
        "analytic_base",
        "scheduled_base",
        "scheduled_surge",
        "scheduled_reserve",
        "current",
    ])?;
    for (g, plan) in r.groups.iter().enumerate() {
        for (k, label) in r.intervals.iter().enumerate() {
            w.write_record([
                plan.group.clone(),
                label.clone(),
                plan.base[k].to_string(),
                plan.surge[k].to_string(),
                plan.reserve[k].to_string(),
                r.base.analytic[g][k].to_string(),
                plan.scheduled_base[k].to_string(),
                plan.scheduled_surge[k].to_string(),
                plan.scheduled_reserve[k].to_string(),
                plan.current[k].to_string(),
            ])?;
        }
    }
    write_output(&dir.join("staffing.csv"), &w.into_inner()?)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "load",
        "interval",
        "agents",
        "service_level",
        "service_level_lo",
        "service_level_hi",
        "target",
    ])?;
    for (load, pts) in [("base", &r.peak_curve_base), ("surge", &r.peak_curve_surge)] {
        for p in pts {
            w.write_record([
                load.to_string(),
                r.peak_interval.clone(),
                p.agents.to_string(),
                format!("{:.6}", p.service_level),
                format!("{:.6}", p.lo),
                format!("{:.6}", p.hi),
                format!("{:.6}", p.target),
            ])?;
        }
    }
    write_output(&dir.join("peak_curve.csv"), &w.into_inner()?)?;
    Ok(())
}

/// The plots' view of the report.
fn plot_data(model: &Model, r: &StaffReport) -> StaffPlotData {
    StaffPlotData {
        scenario: r.scenario.clone(),
        replications: r.replications,
        confidence: r.confidence,
        open_h: model.open_s / 3600.0,
        interval_h: model.interval_s / 3600.0,
        surge_factor: r.surge_factor,
        shrinkage: r.shrinkage,
        peak: r.peak_index,
        peak_label: r.peak_interval.clone(),
        peak_curve_base: r.peak_curve_base.clone(),
        peak_curve_surge: r.peak_curve_surge.clone(),
        groups: r
            .groups
            .iter()
            .map(|g| GroupStaffing {
                id: g.group.clone(),
                current: g.current.clone(),
                base: g.base.clone(),
                surge: g.surge.clone(),
                scheduled_base: g.scheduled_base.clone(),
                scheduled_surge: g.scheduled_surge.clone(),
            })
            .collect(),
    }
}
