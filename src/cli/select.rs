//! `acdsim select EXPERIMENT.json`: the best variant of an experiment with a guarantee
//! (ranking and selection on common random numbers, [`acdsim::analysis::select`]), optionally
//! subject to constraints. Exit code 0 when a variant is selected, 1 when none is feasible.

use std::path::PathBuf;

use clap::Args;

use super::args::{parse_threads, OutputHelp, Outputs};
use super::common::{usage, with_threads, CmdResult, Failure};
use super::sweep::{load, title, ExperimentArgs};
use acdsim::analysis::check::{parse_metric_ref, parse_requirement, Op};
use acdsim::analysis::select::{select as run_select, Constraint, Problem};
use acdsim::input::experiment::Experiment;
use acdsim::model::Model;
use acdsim::report;
use acdsim::stats::Layout;

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Experiment file (JSON) with its variants and, optionally, a `select` section.
    pub experiment: PathBuf,
    /// Metric to optimise, `<row>.<metric>` (default: the experiment's `select.metric`).
    #[arg(long)]
    pub metric: Option<String>,
    /// Minimise the metric (default: the experiment's `select.goal`, else maximise).
    #[arg(long)]
    pub minimize: bool,
    /// Indifference zone: a difference smaller than this does not matter.
    #[arg(long)]
    pub delta: Option<f64>,
    /// Error probability: P(correct selection) >= 1 - alpha (default 0.05).
    #[arg(long)]
    pub alpha: Option<f64>,
    /// First-stage replications of every variant (default 20).
    #[arg(long)]
    pub n0: Option<u64>,
    /// A constraint `<row>.<metric> >= <number>` (or `<=`); repeatable; replaces the file's.
    #[arg(long = "constraint")]
    pub constraints: Vec<String>,
    /// Seed of the common random numbers (default: the experiment's, else the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads; the result does not depend on it.
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub out: Outputs<SelectOutputs>,
}

/// `acdsim select`'s output flags.
#[derive(Debug)]
pub struct SelectOutputs;

impl OutputHelp for SelectOutputs {
    const JSON: &'static str =
        "Write the selection (variant, guarantee, replications per variant) as JSON to this file";
}

/// Ranking and selection needs one value per replication: a pooled wait quantile has none.
fn per_replication(layout: &Layout, slot: usize, expr: &str) -> Result<(), String> {
    match layout.quantile_slot(slot) {
        Some((_, q)) => Err(format!(
            "`{expr}`: the p{0:.0}_wait_s is the quantile of all replications' waits pooled, and ranking and selection needs one value per replication: use p{0:.0}_wait_day_s (the typical day's)",
            q * 100.0
        )),
        None => Ok(()),
    }
}

/// The problem from the file's `select` section and the command line.
pub fn problem(exp: &Experiment, a: &SelectArgs) -> Result<Problem, Failure> {
    let f = exp.raw.select.clone();
    let at = |field: &str, m: String| usage(format!("{}: $.select.{field}: {m}", exp.file));
    let metric = a
        .metric
        .clone()
        .or(f.as_ref().map(|s| s.metric.clone()))
        .ok_or_else(|| {
            usage(format!(
                "{}: no metric to select on: give --metric or a `select` section",
                exp.file
            ))
        })?;
    let model: &Model = &exp.variants[0].model;
    let layout = Layout::new(model);
    let (slot, _) = parse_metric_ref(&metric, model, &layout).map_err(|m| at("metric", m))?;
    per_replication(&layout, slot, &metric).map_err(|m| at("metric", m))?;
    let maximize = !a.minimize
        && match f.as_ref().and_then(|s| s.goal.as_deref()) {
            None | Some("maximize") => true,
            Some("minimize") => false,
            Some(g) => return Err(at("goal", format!("`{g}`: write maximize or minimize"))),
        };
    let delta = a
        .delta
        .or(f.as_ref().map(|s| s.delta))
        .ok_or_else(|| at("delta", "missing: give --delta".into()))?;
    if !(delta.is_finite() && delta > 0.0) {
        return Err(at("delta", format!("= {delta}: must be > 0")));
    }
    let alpha = a.alpha.or(f.as_ref().and_then(|s| s.alpha)).unwrap_or(0.05);
    if !(alpha > 0.0 && alpha < 0.5) {
        return Err(at("alpha", format!("= {alpha}: must be between 0 and 0.5")));
    }
    let n0 = a.n0.or(f.as_ref().and_then(|s| s.n0)).unwrap_or(20);
    if !(2..=100_000).contains(&n0) {
        return Err(at("n0", format!("= {n0}: must be from 2 to 100000")));
    }
    let exprs = if a.constraints.is_empty() {
        f.as_ref()
            .map(|s| s.constraints.clone())
            .unwrap_or_default()
    } else {
        a.constraints.clone()
    };
    let mut constraints = Vec::new();
    for (i, e) in exprs.iter().enumerate() {
        let r = parse_requirement(e, model, &layout)
            .map_err(|m| at(&format!("constraints[{i}]"), m))?;
        let slot = layout.slot(r.row, r.metric);
        per_replication(&layout, slot, e).map_err(|m| at(&format!("constraints[{i}]"), m))?;
        constraints.push(Constraint {
            expression: e.clone(),
            slot,
            at_least: matches!(r.op, Op::Ge | Op::Gt),
            limit: r.threshold,
        });
    }
    let tolerance = f.as_ref().and_then(|s| s.tolerance).unwrap_or(delta);
    if !(tolerance.is_finite() && tolerance > 0.0) {
        return Err(at("tolerance", format!("= {tolerance}: must be > 0")));
    }
    Ok(Problem {
        metric,
        slot,
        maximize,
        delta,
        alpha,
        n0,
        constraints,
        tolerance,
    })
}

pub fn select(a: SelectArgs) -> CmdResult {
    let ea = ExperimentArgs {
        experiment: a.experiment.clone(),
        replications: None,
        seed: a.seed,
        threads: a.threads,
    };
    let exp = load(&ea)?;
    let p = problem(&exp, &a)?;
    a.out.check()?;
    let seed = exp.base.seed;
    let models: Vec<&Model> = exp.variants.iter().map(|v| &v.model).collect();
    if let Some(i) = (1..models.len())
        .find(|&i| acdsim::sim::paired::check_same_structure(models[0], models[i]).is_err())
    {
        let e = acdsim::sim::paired::check_same_structure(models[0], models[i]).unwrap_err();
        return Err(usage(format!(
            "{}: variant {} `{}`: {e}",
            exp.file,
            i + 1,
            exp.variants[i].name
        )));
    }
    let s = with_threads(a.threads, || run_select(&models, &p, seed))?
        .map_err(|e| usage(format!("{}: {e}", exp.file)))?;
    let written = a.out.begin();
    a.out
        .write_json(&report::sweep::select_document(&exp, &p, &s, seed))?;
    written.commit()?;
    if !a.out.quiet {
        print!(
            "{}",
            report::sweep::select_table(&exp, &p, &s, &title(&exp))
        );
    }
    Ok(if s.selected.is_some() { 0 } else { 1 })
}
