//! The text and Markdown tables of `acdsim check` ([`CheckReport`]): the thresholds, the
//! regressions against the baseline, and the decision.

use crate::analysis::check::{CheckReport, RegressionResult, RequirementResult};
use crate::analysis::compare::{is_share, unit};
use crate::report::table::{fmt_value, format_table};
use crate::stats::{m, Estimate};

/// Plain-text tables and the decision.
pub fn to_table(r: &CheckReport) -> String {
    render(r, false)
}

/// GitHub-flavoured Markdown tables and the decision (for a CI job summary).
pub fn to_markdown(r: &CheckReport) -> String {
    render(r, true)
}

fn render(r: &CheckReport, md: bool) -> String {
    let mut out = String::new();
    let pct = (r.confidence * 100.0).round();
    let against = match &r.baseline {
        Some(b) => format!(" against baseline {}", b.file),
        None => String::new(),
    };
    if md {
        out.push_str(&format!(
            "### acdsim check: {}{against}\n\n",
            r.scenario.file
        ));
    } else {
        out.push_str(&format!("acdsim check: {}{against}\n", r.scenario.file));
    }
    out.push_str(&format!(
        "{} replications, seed {}, service level = {}; judged on the {pct}% confidence bound.\n\n",
        r.replications, r.seed, r.service_level.definition
    ));
    if !r.requirements.is_empty() {
        out.push_str(&requirements_table(&r.requirements, pct, md));
        out.push('\n');
    }
    if !r.regressions.is_empty() {
        out.push_str(&regressions_table(&r.regressions, pct, md));
        out.push('\n');
    }
    out.push_str(&verdict(r, md));
    out
}

fn header(cells: [&str; 5]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

/// One line per threshold: its estimate, interval, the bound judged against the threshold.
fn requirements_table(reqs: &[RequirementResult], pct: f64, md: bool) -> String {
    let ci = format!("{pct}% CI");
    let header = header(["requirement", "estimate", &ci, "bound", "result"]);
    let lines: Vec<Vec<String>> = reqs
        .iter()
        .map(|q| {
            let mi = q.metric_index;
            let bound = if q.bound.is_nan() {
                "-".into()
            } else {
                let b = Estimate {
                    mean: q.bound,
                    ..q.estimate
                };
                format!(
                    "{} vs {}",
                    fmt_value(mi, &b),
                    fmt_threshold(mi, q.threshold)
                )
            };
            vec![
                q.expression.clone(),
                fmt_value(mi, &q.estimate),
                fmt_ci(mi, &q.estimate),
                bound,
                if q.pass { "pass" } else { "FAIL" }.into(),
            ]
        })
        .collect();
    format_table(&header, &lines, md, 1)
}

/// One line per goal metric: baseline, candidate, their paired difference, the verdict.
fn regressions_table(regs: &[RegressionResult], pct: f64, md: bool) -> String {
    let delta = format!("Δ ({pct}% CI)");
    let header = header(["goal metric", "baseline", "candidate", &delta, "result"]);
    let lines: Vec<Vec<String>> = regs
        .iter()
        .map(|g| {
            let d = &g.difference;
            let delta = if d.mean.is_nan() {
                "-".into()
            } else {
                format!(
                    "{:+.2} pp [{:+.2}, {:+.2}]",
                    d.mean * 100.0,
                    d.lo * 100.0,
                    d.hi * 100.0
                )
            };
            vec![
                g.goal.clone(),
                fmt_value(m::GOAL_SL, &g.baseline),
                fmt_value(m::GOAL_SL, &g.candidate),
                delta,
                if g.regression {
                    format!("REGRESSION (> {:.2} pp worse)", g.tolerance * 100.0)
                } else {
                    "ok".into()
                },
            ]
        })
        .collect();
    format_table(&header, &lines, md, 1)
}

/// The decision line: PASS or FAIL with what held or failed.
fn verdict(r: &CheckReport, md: bool) -> String {
    let failed = r.requirements.iter().filter(|q| !q.pass).count();
    let regressed = r.regressions.iter().filter(|g| g.regression).count();
    let verdict = match (r.passed, md) {
        (true, false) => "PASS",
        (false, false) => "FAIL",
        (true, true) => "**PASS**",
        (false, true) => "**FAIL**",
    };
    if r.passed {
        format!(
            "{verdict}: {} requirement(s) hold, {} goal metric(s) without regression\n",
            r.requirements.len(),
            r.regressions.len()
        )
    } else {
        format!("{verdict}: {failed} requirement(s) breached, {regressed} regression(s)\n")
    }
}

fn fmt_threshold(metric: usize, t: f64) -> String {
    if is_share(metric) {
        format!("{:.1}%", t * 100.0)
    } else {
        format!("{t}{}", unit(metric))
    }
}

fn fmt_ci(metric: usize, e: &Estimate) -> String {
    if e.half_width.is_nan() {
        return "-".into();
    }
    let lo = Estimate { mean: e.lo, ..*e };
    let hi = Estimate { mean: e.hi, ..*e };
    format!("[{}, {}]", fmt_value(metric, &lo), fmt_value(metric, &hi))
}
