//! What `acdsim sweep` writes of a [`SweepResult`]: the tidy long-format CSV (one line per
//! variant, report row and metric), the JSON document (schema `acdsim.sweep`), the table on
//! stdout, and the plots of a metric against a swept parameter with its confidence band.
//!
//! The CSV's columns are `variant`, one column per swept parameter (empty where a variant does
//! not set it), `kind`, `row`, `metric`, `mean`, `lo`, `hi`, `half_width`, `replications` (those
//! in which the metric was defined), and `diff_mean`, `diff_lo`, `diff_hi`: the paired
//! difference to variant 1 on common random numbers (empty for variant 1). Figures are written
//! at full precision (Rust's shortest round-trip form), undefined ones empty, so that
//! `pandas.read_csv` or R's `read.csv` load them as numbers and missing values. A variant whose
//! scenario gives prices (`cost_per_hour`) also has its day's staffing cost: kind `staffing`,
//! row `all` and each priced group, metrics `cost` and `paid_hours`, exact (lo = hi = mean);
//! the JSON has it as the variant's `staffing_cost`.

use std::io;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::plots::{band_chart, file_safe, ChartSpec, Series};
use crate::analysis::compare::{is_share, unit};
use crate::analysis::select::{Problem, Selection};
use crate::analysis::sweep::{MetricRef, PlotSpec, SweepResult};
use crate::input::experiment::{value_number, value_text, Experiment};
use crate::model::{ScenarioInfo, ServiceLevelInfo};
use crate::report::StaffingCost;
use crate::stats::Estimate;

/// A figure at full precision; NaN empty.
fn full(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

/// The staffing cost of each variant's scenario (`exp.variants` and `r.variants` are in the
/// same order), if it gives prices.
fn variant_costs(exp: &Experiment) -> Vec<Option<StaffingCost>> {
    exp.variants
        .iter()
        .map(|v| StaffingCost::of(&v.model))
        .collect()
}

/// The CSV lines of a priced variant's staffing cost: kind `staffing`, row `all` then each
/// priced group, metrics `cost` and `paid_hours`, exact (interval of width 0), the difference
/// to the baseline's exact too.
fn cost_records(
    lead: &[String],
    cost: &StaffingCost,
    base: Option<&StaffingCost>,
    replications: u64,
) -> Vec<Vec<String>> {
    let mut rows = vec![("all".to_string(), cost.cost, cost.paid_hours)];
    rows.extend(
        cost.groups
            .iter()
            .map(|g| (g.group.clone(), g.cost, g.paid_hours)),
    );
    let of_base = |id: &str| -> Option<(f64, f64)> {
        let b = base?;
        if id == "all" {
            return Some((b.cost, b.paid_hours));
        }
        b.groups
            .iter()
            .find(|g| g.group == id)
            .map(|g| (g.cost, g.paid_hours))
    };
    let mut out = Vec::new();
    for (id, c, h) in rows {
        let b = of_base(&id);
        for (metric, x, bx) in [
            ("cost", c, b.map(|b| b.0)),
            ("paid_hours", h, b.map(|b| b.1)),
        ] {
            let mut rec = lead.to_vec();
            rec.extend(["staffing".to_string(), id.clone(), metric.to_string()]);
            rec.extend([
                full(x),
                full(x),
                full(x),
                full(0.0),
                replications.to_string(),
            ]);
            let d = bx.map_or(String::new(), |bx| full(x - bx));
            rec.extend([d.clone(), d.clone(), d]);
            out.push(rec);
        }
    }
    out
}

/// The tidy CSV; a variant whose scenario gives prices has its staffing cost too (kind
/// `staffing`).
pub fn to_csv(exp: &Experiment, r: &SweepResult) -> io::Result<Vec<u8>> {
    let costs = variant_costs(exp);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["variant".to_string()];
    head.extend(r.parameters.iter().cloned());
    head.extend(
        [
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
            "diff_hi",
        ]
        .map(String::from),
    );
    w.write_record(&head)?;
    for (i, v) in r.variants.iter().enumerate() {
        let mut lead = vec![v.id.to_string()];
        lead.extend(
            v.values
                .iter()
                .map(|x| x.as_ref().map(value_text).unwrap_or_default()),
        );
        for row in &r.rows {
            for &(metric, slot) in &row.metrics {
                let e = &v.estimates[slot];
                let mut rec = lead.clone();
                rec.extend([row.kind.to_string(), row.id.clone(), metric.to_string()]);
                rec.extend([full(e.mean), full(e.lo), full(e.hi), full(e.half_width)]);
                rec.push(e.n.to_string());
                match v.differences.get(slot) {
                    Some(d) => rec.extend([full(d.mean), full(d.lo), full(d.hi)]),
                    None => rec.extend([String::new(), String::new(), String::new()]),
                }
                w.write_record(&rec)?;
            }
        }
        if let Some(Some(cost)) = costs.get(i) {
            // The baseline's difference is empty, as for the estimates.
            let base = costs.first().and_then(Option::as_ref).filter(|_| i > 0);
            for rec in cost_records(&lead, cost, base, r.replications) {
                w.write_record(&rec)?;
            }
        }
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

fn estimate_json(e: &Estimate) -> Value {
    json!({"mean": e.mean, "lo": e.lo, "hi": e.hi, "half_width": e.half_width, "n": e.n})
}

/// The JSON document (schema `acdsim.sweep`, version 1).
pub fn to_document(exp: &Experiment, r: &SweepResult) -> Value {
    let costs = variant_costs(exp);
    let variants: Vec<Value> = r
        .variants
        .iter()
        .zip(&costs)
        .map(|(v, cost)| {
            let mut params = Map::new();
            for (p, x) in r.parameters.iter().zip(&v.values) {
                if let Some(x) = x {
                    params.insert(p.clone(), x.clone());
                }
            }
            let rows: Vec<Value> = r
                .rows
                .iter()
                .map(|row| {
                    let mut metrics = Map::new();
                    for &(name, slot) in &row.metrics {
                        let mut e = estimate_json(&v.estimates[slot]);
                        if let Some(d) = v.differences.get(slot) {
                            e["difference"] = estimate_json(d);
                        }
                        metrics.insert(name.to_string(), e);
                    }
                    json!({"kind": row.kind, "row": row.id, "metrics": metrics})
                })
                .collect();
            let mut doc = json!({"id": v.id, "name": v.name, "parameters": params, "rows": rows});
            if let Some(c) = cost {
                doc["staffing_cost"] = json!(c);
            }
            doc
        })
        .collect();
    let base = &exp.base;
    json!({
        "schema": "acdsim.sweep",
        "schema_version": 1,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "experiment": {
            "file": exp.file,
            "name": exp.raw.name.clone().unwrap_or_default(),
            "description": exp.raw.description,
        },
        "scenario": ScenarioInfo::of(base),
        "service_level": ServiceLevelInfo::of(base),
        "replications": r.replications,
        "seed": r.seed,
        "confidence": r.confidence,
        "baseline": r.variants[0].id,
        "parameters": r.parameters,
        "variants": variants,
    })
}

/// A metric's value for the table: shares in percent, times in seconds.
fn shown(e: &Estimate, metric: usize) -> String {
    if e.mean.is_nan() {
        return "-".into();
    }
    let (k, d) = if is_share(metric) {
        (100.0, 1)
    } else {
        (1.0, 1)
    };
    let u = unit(metric);
    if e.half_width.is_finite() {
        format!("{:.d$} ± {:.d$}{u}", e.mean * k, e.half_width * k)
    } else {
        format!("{:.d$}{u}", e.mean * k)
    }
}

/// The table on stdout: one line per variant with its parameters and `metrics`.
pub fn to_table(r: &SweepResult, metrics: &[MetricRef], title: &str) -> String {
    let mut head = vec!["#".to_string()];
    head.extend(r.parameters.iter().cloned());
    head.extend(metrics.iter().map(|m| m.name.clone()));
    let mut lines = vec![head];
    for v in &r.variants {
        let mut l = vec![v.id.to_string()];
        l.extend(
            v.values
                .iter()
                .map(|x| x.as_ref().map(value_text).unwrap_or_else(|| "-".into())),
        );
        l.extend(
            metrics
                .iter()
                .map(|m| shown(&v.estimates[m.slot], m.metric)),
        );
        lines.push(l);
    }
    let widths: Vec<usize> = (0..lines[0].len())
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!(
        "{title}: {} variants, {} replications each on common random numbers, {}% intervals\n",
        r.variants.len(),
        r.replications,
        r.confidence * 100.0
    );
    for l in &lines {
        let cells: Vec<String> = l
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The file stem of a plot: `<metric>_vs_<parameter>`.
pub fn plot_name(p: &PlotSpec, r: &SweepResult) -> String {
    file_safe(&format!("{}_vs_{}", p.metric.name, r.parameters[p.x]))
}

/// Draws the plots into `dir`; returns the files written.
pub fn write_plots(
    r: &SweepResult,
    plots: &[PlotSpec],
    dir: &Path,
    title: &str,
) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for p in plots {
        let (series, bands) = plot_series(r, p);
        let k = if is_share(p.metric.metric) {
            100.0
        } else {
            1.0
        };
        let y_unit = if k == 100.0 { " (%)" } else { "" };
        let conf = r.confidence * 100.0;
        let spec = ChartSpec {
            title: format!(
                "{} vs {} ({title}, {conf}% band)",
                p.metric.name, r.parameters[p.x]
            ),
            x_label: r.parameters[p.x].clone(),
            y_label: format!("{}{y_unit}", p.metric.name),
            series,
            ..ChartSpec::default()
        };
        let path = dir.join(format!("{}.png", plot_name(p, r)));
        band_chart(&path, &spec, bands)?;
        written.push(path);
    }
    Ok(written)
}

type Band = Vec<(f64, f64, f64)>;

/// One series per combination of the other parameters' values, its points sorted by x.
fn plot_series(r: &SweepResult, p: &PlotSpec) -> (Vec<Series>, Vec<Band>) {
    let k = if is_share(p.metric.metric) {
        100.0
    } else {
        1.0
    };
    let mut keys: Vec<String> = Vec::new();
    let mut points: Vec<Vec<(f64, Estimate)>> = Vec::new();
    for v in &r.variants {
        let Some(x) = v.values[p.x].as_ref().and_then(value_number) else {
            continue;
        };
        let others: Vec<String> = r
            .parameters
            .iter()
            .zip(&v.values)
            .enumerate()
            .filter(|(i, (_, val))| *i != p.x && val.is_some())
            .map(|(_, (n, val))| format!("{n}={}", value_text(val.as_ref().expect("set"))))
            .collect();
        let key = others.join(" ");
        let i = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
            keys.push(key);
            points.push(Vec::new());
            keys.len() - 1
        });
        points[i].push((x, v.estimates[p.metric.slot]));
    }
    let mut series = Vec::new();
    let mut bands = Vec::new();
    for (name, mut pts) in keys.into_iter().zip(points) {
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        series.push(Series {
            name: if name.is_empty() {
                p.metric.name.clone()
            } else {
                name
            },
            points: pts.iter().map(|(x, e)| (*x, e.mean * k)).collect(),
        });
        bands.push(pts.iter().map(|(x, e)| (*x, e.lo * k, e.hi * k)).collect());
    }
    (series, bands)
}

/// The text of `acdsim select`: the problem, each variant's decision, replications and mean, the
/// selected variant, the guarantee and the replications against a fixed-size design.
pub fn select_table(exp: &Experiment, p: &Problem, s: &Selection, title: &str) -> String {
    let goal = if p.maximize { "maximize" } else { "minimize" };
    let mut out = format!(
        "select {title}: {goal} {}, indifference zone delta = {}, confidence 1 - alpha = {} (KN, fully sequential, common random numbers, n0 = {})\n",
        p.metric,
        p.delta,
        1.0 - p.alpha,
        p.n0
    );
    for c in &p.constraints {
        out.push_str(&format!(
            "  subject to {} (tolerance {}, sequential feasibility check)\n",
            c.expression, p.tolerance
        ));
    }
    let w = exp
        .variants
        .iter()
        .map(|v| v.name.chars().count())
        .max()
        .unwrap_or(0);
    for (v, o) in exp.variants.iter().zip(&s.variants) {
        let feas = match o.feasible {
            None => String::new(),
            Some(true) => " feasible".into(),
            Some(false) => " infeasible".into(),
        };
        let mark = if s.selected == Some(v.id - 1) {
            "*"
        } else {
            " "
        };
        let mean = if o.mean.is_nan() {
            "-".to_string()
        } else {
            format!("{:.4}", o.mean)
        };
        out.push_str(&format!(
            "{mark} {:>3}  {:<w$}  {mean:>8}  {:>6} replications{feas}\n",
            v.id,
            v.name,
            o.feasibility_replications + o.selection_replications
        ));
    }
    match s.selected {
        Some(i) => out.push_str(&format!(
            "selected: variant {} `{}`\nguarantee: P(correct selection) >= {} if the normal-theory assumptions hold: the best {}variant is selected when it is at least {} better than every other, else one within {} of it\n",
            i + 1,
            exp.variants[i].name,
            1.0 - p.alpha,
            if p.constraints.is_empty() { "" } else { "feasible " },
            p.delta,
            p.delta
        )),
        None => out.push_str("selected: none: no variant was declared feasible\n"),
    }
    let feasibility: u64 = s.variants.iter().map(|o| o.feasibility_replications).sum();
    let selection: u64 = s.variants.iter().map(|o| o.selection_replications).sum();
    out.push_str(&format!(
        "replications: {} in total ({feasibility} for the feasibility check, {selection} for the selection)",
        s.total_replications
    ));
    if s.fixed_total > 0 {
        out.push_str(&format!(
            "; a fixed-size design with the same guarantee for the selection: {} x {} = {}",
            s.variants.iter().filter(|o| !o.mean.is_nan()).count(),
            s.fixed_per_variant,
            s.fixed_total
        ));
    }
    out.push('\n');
    if s.capped {
        out.push_str(
            "warning: stopped at the replication cap: the guarantee does not hold; widen delta\n",
        );
    }
    out
}

/// The JSON of `acdsim select` (schema `acdsim.select`, version 1).
pub fn select_document(exp: &Experiment, p: &Problem, s: &Selection, seed: u64) -> Value {
    let variants: Vec<Value> = exp
        .variants
        .iter()
        .zip(&s.variants)
        .map(|(v, o)| {
            let params: Map<String, Value> = v.params.iter().cloned().collect();
            json!({"id": v.id, "name": v.name, "parameters": params, "outcome": o})
        })
        .collect();
    json!({
        "schema": "acdsim.select",
        "schema_version": 1,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "experiment": {"file": exp.file, "name": exp.raw.name.clone().unwrap_or_default()},
        "scenario": ScenarioInfo::of(&exp.base),
        "seed": seed,
        "procedure": "KN (Kim and Nelson 2001) with common random numbers; constraints: sequential feasibility check (Andradottir and Kim 2010), alpha split in halves",
        "problem": p,
        "selected": s.selected.map(|i| exp.variants[i].id),
        "probability_correct_selection_at_least": 1.0 - p.alpha,
        "selection": s,
        "variants": variants,
    })
}
