//! `acdsim staff`: minimum headcount per agent group and interval at base load and at a surge.
//! The method is documented in [`crate::staffing::search`].

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::{load_model, parse_factor, with_threads, write_output, CmdResult, SimArgs};
use crate::model::Model;
use crate::staffing::search::{self, CurvePoint, SearchOptions, SearchResult};

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
    /// Write the result as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write staffing.csv and peak_curve.csv into this folder.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Print only the table (no progress lines on stderr).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Serialize)]
struct GroupPlan {
    group: String,
    min: u32,
    max: u32,
    base: Vec<u32>,
    surge: Vec<u32>,
    reserve: Vec<i64>,
}

#[derive(Debug, Serialize)]
struct StaffReport {
    scenario: String,
    surge_factor: f64,
    confidence: f64,
    replications: u64,
    seed: u64,
    intervals: Vec<String>,
    groups: Vec<GroupPlan>,
    base: SearchResult,
    surge: SearchResult,
    peak_interval: String,
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
    let opts = SearchOptions {
        replications: model.replications,
        seed: model.seed,
        confidence: a.sim.confidence,
        max_evaluations: a.max_evaluations,
    };
    let quiet = a.quiet;
    let report = with_threads(a.sim.threads, || build(&model, &a, &opts, quiet))?;
    if let Some(p) = &a.json {
        let mut text = serde_json::to_string_pretty(&report)
            .map_err(|e| anyhow::anyhow!("cannot encode JSON: {e}"))?;
        text.push('\n');
        write_output(p, text.as_bytes())?;
    }
    if let Some(d) = &a.csv {
        write_csv(&report, d)
            .with_context(|| format!("{}: cannot write CSV files", d.display()))?;
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
    let peak_curve_base = search::curve(model, &base.headcount, k, a.curve_span, opts);
    let peak_curve_surge = search::curve(&surged, &surge.headcount, k, a.curve_span, opts);
    let groups = model
        .groups
        .iter()
        .enumerate()
        .map(|(g, gr)| GroupPlan {
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
        })
        .collect();
    StaffReport {
        scenario: model.name.clone(),
        surge_factor: a.surge,
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
    let _ = writeln!(
        s,
        "Cells: base / surge x{} / reserve needed (surge - base)\n",
        r.surge_factor
    );
    let _ = write!(s, "{:<8}", "interval");
    for g in &r.groups {
        let _ = write!(s, " {:>18}", g.group);
    }
    let _ = writeln!(s);
    for (k, label) in r.intervals.iter().enumerate() {
        let _ = write!(s, "{label:<8}");
        for g in &r.groups {
            let cell = format!("{} / {} / +{}", g.base[k], g.surge[k], g.reserve[k]);
            let _ = write!(s, " {cell:>18}");
        }
        let _ = writeln!(s);
    }
    let total =
        |f: fn(&GroupPlan) -> &Vec<u32>| -> u32 { r.groups.iter().flat_map(|g| f(g).iter()).sum() };
    let _ = writeln!(
        s,
        "\nAgent-intervals: base {}, surge {}, reserve {}",
        total(|g| &g.base),
        total(|g| &g.surge),
        total(|g| &g.surge) - total(|g| &g.base)
    );
    for (name, res) in [("base", &r.base), ("surge", &r.surge)] {
        let worst = res
            .goals
            .iter()
            .min_by(|a, b| (a.lo - a.target).total_cmp(&(b.lo - b.target)));
        let _ = write!(
            s,
            "{name}: {} after {} evaluations",
            if res.feasible {
                "every goal met"
            } else {
                "NOT FEASIBLE (a group at its max, or --max-evaluations reached)"
            },
            res.evaluations
        );
        if let Some(w) = worst {
            let _ = write!(
                s,
                "; tightest goal {} {}{}: mean {:.1}%, lower bound {:.1}% vs target {:.1}%",
                w.kind,
                w.id,
                w.interval
                    .as_ref()
                    .map(|i| format!(" at {i}"))
                    .unwrap_or_default(),
                w.mean * 100.0,
                w.lo * 100.0,
                w.target * 100.0
            );
        }
        let _ = writeln!(s);
    }
    s
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
    ])?;
    for (load, pts) in [("base", &r.peak_curve_base), ("surge", &r.peak_curve_surge)] {
        for p in pts {
            w.write_record([
                load.to_string(),
                r.peak_interval.clone(),
                p.agents.to_string(),
                format!("{:.6}", p.service_level),
                format!("{:.6}", p.lo),
            ])?;
        }
    }
    write_output(&dir.join("peak_curve.csv"), &w.into_inner()?)?;
    Ok(())
}
