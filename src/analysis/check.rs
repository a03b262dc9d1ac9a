//! The CI gate's judgement (`acdsim check`): thresholds (`phone.service_level >= 0.85`) are
//! judged on the confidence bound, not the mean, so simulation noise does not fail a build; with
//! a baseline, the candidate is run paired with it on common random numbers and fails when it is
//! significantly worse on a goal metric by more than the tolerance.

use std::fmt;

use serde::Serialize;

use crate::analysis::compare::is_share;
use crate::model::{Model, ScenarioInfo, ServiceLevelInfo};
use crate::sim::paired::{self, Comparison, Variant};
use crate::stats::{
    m, metric_index, metric_name, Estimate, Layout, RowKey, CONTACT_METRICS, PLAYBOOK_METRICS,
    REAL_FIRST, REAL_METRICS,
};

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
    let metric = parse_metric(metric_name, layout).map_err(|e| format!("`{expr}`: {e}"))?;
    if is_share(metric) && !(0.0..=1.0).contains(&threshold) {
        return bad(format!(
            "{metric_name} is a share between 0 and 1: write {} rather than {threshold}",
            threshold / 100.0
        ));
    }
    let row = parse_row(expr, row_name, model, layout)?;
    Ok(Requirement {
        expression: expr.to_string(),
        row,
        metric,
        op,
        threshold,
    })
}

/// A contact metric by name (`service_level`), checked against `layout` (the surge-playbook
/// metrics need a playbook).
pub fn parse_metric(metric_name: &str, layout: &Layout) -> Result<usize, String> {
    let Some(metric) = metric_index(metric_name) else {
        return Err(format!(
            "unknown metric `{metric_name}`: valid metrics are {}, with a surge playbook {}, and with wrap-up, transfers, redials or outages {}",
            CONTACT_METRICS.join(", "),
            PLAYBOOK_METRICS.join(", "),
            REAL_METRICS.join(", ")
        ));
    };
    if metric >= REAL_FIRST && !layout.has_metric(metric) {
        return Err(format!(
            "`{metric_name}` is a realism metric, and this scenario uses no wrap-up, transfer, redial or outage"
        ));
    }
    if metric >= CONTACT_METRICS.len() && !layout.has_metric(metric) {
        return Err(format!(
            "`{metric_name}` is a surge-playbook metric, and this scenario has no enabled `playbook`"
        ));
    }
    Ok(metric)
}

/// A report row by name (`overall`, a channel, segment or type id, `channel/segment`), as its
/// index in `layout`; errors start with `` `expr`: ``.
pub fn parse_row(
    expr: &str,
    row_name: &str,
    model: &Model,
    layout: &Layout,
) -> Result<usize, String> {
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
    layout.row(key).ok_or_else(|| {
        format!(
            "`{expr}`: row `{row_name}` has no contacts in this scenario (that channel offers no such segment)"
        )
    })
}

/// `<row>.<metric>` (`phone.service_level`) as its metric slot in `layout` and the metric's
/// index.
pub fn parse_metric_ref(
    name: &str,
    model: &Model,
    layout: &Layout,
) -> Result<(usize, usize), String> {
    let Some((row_name, metric_name)) = name.rsplit_once('.') else {
        return Err(format!(
            "`{name}` names no metric: write `<row>.<metric>`, e.g. `phone.service_level`"
        ));
    };
    let metric = parse_metric(metric_name.trim(), layout).map_err(|e| format!("`{name}`: {e}"))?;
    let row = parse_row(name, row_name.trim(), model, layout)?;
    Ok((layout.slot(row, metric), metric))
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

/// A threshold to judge and where it was declared: `scenario` or `command line`.
pub type Threshold = (Requirement, &'static str);

/// Runs the candidate `model` (paired with `baseline` first, when given) and judges it: every
/// threshold of `thresholds` on its confidence bound and, with a baseline, every goal metric for a
/// regression beyond `max_regression`. Fails when the variants cannot be run together.
pub fn run(
    model: &Model,
    baseline: Option<&Model>,
    thresholds: &[Threshold],
    max_regression: f64,
    confidence: f64,
    progress: impl Fn(u64),
) -> Result<CheckReport, String> {
    let mut variants = Vec::new();
    if let Some(base) = baseline {
        variants.push(Variant {
            name: "baseline".into(),
            model: base.clone(),
        });
    }
    variants.push(Variant {
        name: "candidate".into(),
        model: model.clone(),
    });
    let (reps, seed) = (model.replications, model.seed);
    let c = paired::run(&variants, reps, seed, progress)?;
    let layout = Layout::new(model);
    let cand = variants.len() - 1;
    let requirements = thresholds
        .iter()
        .map(|(r, source)| {
            let est = c.estimate(cand, layout.slot(r.row, r.metric), confidence);
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
        .collect::<Vec<_>>();
    let regressions = match baseline {
        None => Vec::new(),
        Some(_) => regressions(model, &layout, &c, max_regression, confidence),
    };
    let passed = requirements.iter().all(|r| r.pass) && !regressions.iter().any(|r| r.regression);
    Ok(CheckReport {
        schema: "acdsim.check",
        schema_version: 1,
        tool_version: env!("CARGO_PKG_VERSION"),
        scenario: ScenarioInfo::of(model),
        baseline: baseline.map(ScenarioInfo::of),
        service_level: ServiceLevelInfo::of(model),
        replications: reps,
        seed,
        confidence,
        passed,
        requirements,
        regressions,
    })
}

/// The goal metrics of the candidate (variant 1 of `c`) against the baseline (variant 0): every
/// channel's service level, and the goal service level of every segment with a goal.
fn regressions(
    model: &Model,
    layout: &Layout,
    c: &Comparison,
    tolerance: f64,
    conf: f64,
) -> Vec<RegressionResult> {
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
    let mut out = Vec::new();
    for (key, id, name) in rows {
        let Some(r) = layout.row(key) else { continue };
        let slot = layout.slot(r, m::GOAL_SL);
        let d = c.difference(1, slot, conf);
        out.push(RegressionResult {
            goal: format!("{id}.{name}"),
            baseline: c.estimate(0, slot, conf),
            candidate: c.estimate(1, slot, conf),
            difference: d,
            tolerance,
            regression: d.hi < -tolerance,
        });
    }
    out
}
