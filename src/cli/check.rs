//! `acdsim check`: a CI gate. Thresholds (`phone.service_level >= 0.85`) are judged on the
//! confidence bound, not the mean, so simulation noise does not fail a build; with
//! `--baseline`, the candidate is run paired with the baseline on common random numbers and
//! fails when it is significantly worse on a goal metric by more than the tolerance.

use std::fmt;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::{load_model, progress_bar, usage, with_threads, write_output, CmdResult, SimArgs};
use crate::analysis::compare::{is_share, unit};
use crate::model::Model;
use crate::model::{ScenarioInfo, ServiceLevelInfo};
use crate::report::table::{fmt_value, format_table};
use crate::sim::paired::{self, Variant};
use crate::stats::{
    m, metric_index, metric_name, Estimate, Layout, RowKey, CONTACT_METRICS, PLAYBOOK_METRICS,
};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario file (JSON); its `requirements` are checked too.
    pub scenario: PathBuf,
    /// A threshold `<row>.<metric> <op> <number>`, e.g. 'phone.service_level >= 0.85'
    /// (row: channel, segment or type id, `overall`, or `channel/segment`; op: >=, <=, >, <).
    #[arg(long = "require")]
    pub require: Vec<String>,
    /// Baseline scenario: fail when the candidate is significantly worse on a goal metric.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Tolerated worsening of a goal service level against --baseline (0.01 = 1 percentage
    /// point).
    #[arg(long, default_value_t = 0.0, value_parser = parse_tolerance, requires = "baseline")]
    pub max_regression: f64,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Write the decision and every judged value as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the pass/fail tables as Markdown (e.g. to $GITHUB_STEP_SUMMARY).
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Print no table on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_tolerance(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..1.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` is not a tolerance between 0 and 1 (0.01 = 1 percentage point)"
        )),
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<")]
    Lt,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Ge => ">=",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Lt => "<",
        })
    }
}

/// A parsed threshold.
#[derive(Debug, Clone)]
pub struct Requirement {
    pub expression: String,
    pub row: usize,
    pub metric: usize,
    pub op: Op,
    pub threshold: f64,
}

const SYNTAX: &str =
    "write `<row>.<metric> <op> <number>`, e.g. `phone.service_level >= 0.85`, with <op> one of >=, <=, >, <";

/// Parses `<row>.<metric> <op> <number>` against the rows of `model`.
pub fn parse_requirement(
    expr: &str,
    model: &Model,
    layout: &Layout,
) -> Result<Requirement, String> {
    let bad = |what: String| Err(format!("`{expr}`: {what}"));
    let Some(pos) = expr.find(['<', '>', '=', '!']) else {
        return bad(format!("no comparison operator: {SYNTAX}"));
    };
    let rest = &expr[pos..];
    let (op, len) = if rest.starts_with(">=") {
        (Op::Ge, 2)
    } else if rest.starts_with("<=") {
        (Op::Le, 2)
    } else if rest.starts_with('>') {
        (Op::Gt, 1)
    } else if rest.starts_with('<') {
        (Op::Lt, 1)
    } else {
        let op: String = rest.chars().take_while(|c| "<>=!".contains(*c)).collect();
        return bad(format!(
            "operator `{op}` is not supported: use >=, <=, > or <"
        ));
    };
    let lhs = expr[..pos].trim();
    let rhs = rest[len..].trim();
    let threshold = match rhs.parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => return bad(format!("`{rhs}` after `{op}` is not a number: {SYNTAX}")),
    };
    let Some((row_name, metric_name)) = lhs.rsplit_once('.') else {
        return bad(format!("`{lhs}` names no metric: {SYNTAX}"));
    };
    let (row_name, metric_name) = (row_name.trim(), metric_name.trim());
    let Some(metric) = metric_index(metric_name) else {
        return bad(format!(
            "unknown metric `{metric_name}`: valid metrics are {}, and with a surge playbook {}",
            CONTACT_METRICS.join(", "),
            PLAYBOOK_METRICS.join(", ")
        ));
    };
    if metric >= CONTACT_METRICS.len() && !layout.playbook {
        return bad(format!(
            "`{metric_name}` is a surge-playbook metric, and this scenario has no enabled `playbook`"
        ));
    }
    if is_share(metric) && !(0.0..=1.0).contains(&threshold) {
        return bad(format!(
            "{metric_name} is a share between 0 and 1: write {} rather than {threshold}",
            threshold / 100.0
        ));
    }
    let key = row_key(row_name, model).ok_or_else(|| {
        let ids = |v: Vec<&str>| v.join(", ");
        format!(
            "`{expr}`: unknown row `{row_name}`: valid rows are overall, channels ({}), segments ({}), types ({}), or channel/segment such as {}/{}",
            ids(model.channels.iter().map(|c| c.id.as_str()).collect()),
            ids(model.segments.iter().map(|s| s.id.as_str()).collect()),
            ids(model.types.iter().map(|t| t.as_str()).collect()),
            model.channels[0].id,
            model.segments[0].id
        )
    })?;
    let Some(row) = layout.row(key) else {
        return bad(format!(
            "row `{row_name}` has no contacts in this scenario (that channel offers no such segment)"
        ));
    };
    Ok(Requirement {
        expression: expr.to_string(),
        row,
        metric,
        op,
        threshold,
    })
}

/// A row name: `overall`, `channel/segment`, or a channel, segment or type id (looked up in
/// that order).
fn row_key(name: &str, model: &Model) -> Option<RowKey> {
    let ch = |id: &str| model.channels.iter().position(|c| c.id == id);
    let seg = |id: &str| model.segments.iter().position(|s| s.id == id);
    if name == "overall" {
        return Some(RowKey::Overall);
    }
    if let Some((c, s)) = name.split_once('/') {
        return Some(RowKey::ChannelSegment {
            channel: ch(c.trim())?,
            segment: seg(s.trim())?,
        });
    }
    if let Some(c) = ch(name) {
        return Some(RowKey::Channel { channel: c });
    }
    if let Some(s) = seg(name) {
        return Some(RowKey::Segment { segment: s });
    }
    model
        .types
        .iter()
        .position(|t| t == name)
        .map(|t| RowKey::Type { type_: t })
}

/// The outcome of one threshold.
#[derive(Debug, Clone, Serialize)]
pub struct RequirementResult {
    pub expression: String,
    /// `command line` or `scenario`.
    pub source: String,
    pub metric: String,
    /// Its index (`crate::stats::m`), for formatting.
    #[serde(skip)]
    pub metric_index: usize,
    pub op: Op,
    pub threshold: f64,
    pub estimate: Estimate,
    /// The confidence bound judged: the lower bound for >= and >, the upper one for <= and <.
    pub bound: f64,
    pub pass: bool,
}

/// The outcome of one goal metric against the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct RegressionResult {
    /// `phone.service_level` or `elderly.goal_service_level`.
    pub goal: String,
    pub baseline: Estimate,
    pub candidate: Estimate,
    /// Paired difference candidate - baseline (higher is better).
    pub difference: Estimate,
    pub tolerance: f64,
    /// The whole interval of the difference lies below `-tolerance`.
    pub regression: bool,
}

/// The decision of `acdsim check`, serialised as its JSON (schema `acdsim.check`).
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub schema: &'static str,
    pub schema_version: u32,
    pub tool_version: &'static str,
    pub scenario: ScenarioInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<ScenarioInfo>,
    pub service_level: ServiceLevelInfo,
    pub replications: u64,
    pub seed: u64,
    pub confidence: f64,
    pub passed: bool,
    pub requirements: Vec<RequirementResult>,
    pub regressions: Vec<RegressionResult>,
}

fn judge(op: Op, e: &Estimate, t: f64) -> (f64, bool) {
    let bound = match op {
        Op::Ge | Op::Gt => e.lo,
        Op::Le | Op::Lt => e.hi,
    };
    // NaN (metric undefined, or one replication: no interval) never passes.
    let pass = match op {
        Op::Ge => bound >= t,
        Op::Gt => bound > t,
        Op::Le => bound <= t,
        Op::Lt => bound < t,
    };
    (bound, pass)
}

pub fn check(a: CheckArgs) -> CmdResult {
    let model = load_model(&a.scenario, &a.sim)?;
    if model.replications < 2 {
        return Err(usage(format!(
            "{}: {} replication: check judges on confidence bounds, which need 2 replications or more (use --replications 100 or more)",
            a.scenario.display(),
            model.replications
        )));
    }
    let layout = Layout::new(&model);
    let mut reqs = Vec::new();
    for (i, e) in model.requirements.iter().enumerate() {
        let r = parse_requirement(e, &model, &layout).map_err(|msg| {
            usage(format!(
                "{}: $.requirements[{i}]: {msg}",
                a.scenario.display()
            ))
        })?;
        reqs.push((r, "scenario"));
    }
    for e in &a.require {
        let r = parse_requirement(e, &model, &layout)
            .map_err(|msg| usage(format!("--require {msg}")))?;
        reqs.push((r, "command line"));
    }
    if reqs.is_empty() && a.baseline.is_none() {
        return Err(usage(format!(
            "nothing to check: {} declares no `requirements`; give --require '<row>.<metric> <op> <number>' or --baseline BASE.json",
            a.scenario.display()
        )));
    }
    let mut variants = Vec::new();
    let mut baseline_info = None;
    if let Some(b) = &a.baseline {
        let base = load_model(b, &a.sim)?;
        paired::check_same_structure(&base, &model).map_err(|e| {
            usage(format!(
                "{}: {e} (baseline {})",
                a.scenario.display(),
                b.display()
            ))
        })?;
        baseline_info = Some(ScenarioInfo::of(&base));
        variants.push(Variant {
            name: "baseline".into(),
            model: base,
        });
    }
    variants.push(Variant {
        name: "candidate".into(),
        model: model.clone(),
    });
    let cand = variants.len() - 1;
    let (reps, seed, conf) = (model.replications, model.seed, a.sim.confidence);
    let pb = progress_bar(reps, "checking");
    let c = with_threads(a.sim.threads, || {
        paired::run(&variants, reps, seed, |d| pb.set_position(d))
    })?
    .map_err(usage)?;
    pb.finish_and_clear();

    let requirements: Vec<RequirementResult> = reqs
        .iter()
        .map(|(r, source)| {
            let est = c.estimate(cand, layout.slot(r.row, r.metric), conf);
            let (bound, pass) = judge(r.op, &est, r.threshold);
            RequirementResult {
                expression: r.expression.clone(),
                source: source.to_string(),
                metric: metric_name(r.metric).to_string(),
                metric_index: r.metric,
                op: r.op,
                threshold: r.threshold,
                estimate: est,
                bound,
                pass,
            }
        })
        .collect();
    let mut regressions = Vec::new();
    if a.baseline.is_some() {
        let rows = (0..model.channels.len())
            .map(|ch| {
                (
                    RowKey::Channel { channel: ch },
                    &model.channels[ch].id,
                    "service_level",
                )
            })
            .chain(
                model
                    .segments
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.goal.is_some())
                    .map(|(s, seg)| {
                        (
                            RowKey::Segment { segment: s },
                            &seg.id,
                            "goal_service_level",
                        )
                    }),
            );
        for (key, id, name) in rows {
            let Some(r) = layout.row(key) else { continue };
            let slot = layout.slot(r, m::GOAL_SL);
            let d = c.difference(cand, slot, conf);
            regressions.push(RegressionResult {
                goal: format!("{id}.{name}"),
                baseline: c.estimate(0, slot, conf),
                candidate: c.estimate(cand, slot, conf),
                difference: d,
                tolerance: a.max_regression,
                regression: d.hi < -a.max_regression,
            });
        }
    }
    let passed = requirements.iter().all(|r| r.pass) && !regressions.iter().any(|r| r.regression);
    let report = CheckReport {
        schema: "acdsim.check",
        schema_version: 1,
        tool_version: env!("CARGO_PKG_VERSION"),
        scenario: ScenarioInfo::of(&model),
        baseline: baseline_info,
        service_level: ServiceLevelInfo::of(&model),
        replications: reps,
        seed,
        confidence: conf,
        passed,
        requirements,
        regressions,
    };
    if let Some(p) = &a.json {
        write_output(p, crate::report::json::to_json(&report).as_bytes())?;
    }
    if let Some(p) = &a.markdown {
        write_output(p, render(&report, true).as_bytes())?;
    }
    if !a.quiet {
        print!("{}", render(&report, false));
    }
    Ok(if passed { 0 } else { 1 })
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

/// The pass/fail tables and the decision.
pub fn render(r: &CheckReport, md: bool) -> String {
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
        let header: Vec<String> = [
            "requirement",
            "estimate",
            &format!("{pct}% CI"),
            "bound",
            "result",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let lines: Vec<Vec<String>> = r
            .requirements
            .iter()
            .map(|q| {
                let mi = q.metric_index;
                vec![
                    q.expression.clone(),
                    fmt_value(mi, &q.estimate),
                    fmt_ci(mi, &q.estimate),
                    if q.bound.is_nan() {
                        "-".into()
                    } else {
                        format!(
                            "{} vs {}",
                            fmt_value(
                                mi,
                                &Estimate {
                                    mean: q.bound,
                                    ..q.estimate
                                }
                            ),
                            fmt_threshold(mi, q.threshold)
                        )
                    },
                    if q.pass { "pass" } else { "FAIL" }.into(),
                ]
            })
            .collect();
        out.push_str(&format_table(&header, &lines, md, 1));
        out.push('\n');
    }
    if !r.regressions.is_empty() {
        let header: Vec<String> = [
            "goal metric",
            "baseline",
            "candidate",
            &format!("Δ ({pct}% CI)"),
            "result",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let lines: Vec<Vec<String>> = r
            .regressions
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
        out.push_str(&format_table(&header, &lines, md, 1));
        out.push('\n');
    }
    let failed = r.requirements.iter().filter(|q| !q.pass).count();
    let regressed = r.regressions.iter().filter(|g| g.regression).count();
    let verdict = match (r.passed, md) {
        (true, false) => "PASS",
        (false, false) => "FAIL",
        (true, true) => "**PASS**",
        (false, true) => "**FAIL**",
    };
    out.push_str(&if r.passed {
        format!(
            "{verdict}: {} requirement(s) hold, {} goal metric(s) without regression\n",
            r.requirements.len(),
            r.regressions.len()
        )
    } else {
        format!("{verdict}: {failed} requirement(s) breached, {regressed} regression(s)\n")
    });
    out
}
