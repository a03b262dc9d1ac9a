//! Paired comparison of variants of one scenario on common random numbers (CRN).
//!
//! Variants are models of the same structure (channels, segments, types, agent groups and
//! contact classes): another routing strategy, another staffing, another load factor, or a
//! second scenario file. Replication `i` of every variant runs with the same seed and
//! replication number, so it sees the same arrivals, contact attributes, handle times and
//! patience draws (each random quantity has its own stream, see [`crate::sim::rng`]): the
//! per-replication differences between variants carry only the effect of the change, and
//! their confidence interval is much narrower than the one of two independent runs.
//!
//! For every variant the usual [`Aggregate`] is kept, and for every variant after the first
//! (the baseline) the moments of the per-replication differences `variant - baseline` of every
//! metric slot. Ratio metrics (service level, ASA, abandonment rate, ...) are differenced as
//! per-replication ratios (`value / den`, undefined when `den == 0`): the reported difference
//! is the mean over replications of the per-replication difference, with its Student-t
//! interval. Memory does not depend on the number of replications, and the result is the same
//! bit for bit at any thread count (only the deterministic [`replicate`] runner is used).

use serde::Serialize;

use crate::model::{Goal, Model};
use crate::report::{ScenarioInfo, ServiceLevelInfo};
use crate::sim::engine::Engine;
use crate::sim::replicate::{self, Accumulator};
use crate::stats::histogram::BINS;
use crate::stats::{m, metric_name, Aggregate, Estimate, Layout, Moments, RepSummary, RowKey};

/// One variant: a display name and its model.
#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub model: Model,
}

/// Checks that `other` has the structure of `base` (same channels, segments, types, agent
/// groups, contact classes and intervals, in the same order), so one engine runs both and
/// their report rows match. The error says what differs.
pub fn check_same_structure(base: &Model, other: &Model) -> Result<(), String> {
    fn ids<T>(v: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
        v.iter().map(|x| f(x).to_string()).collect()
    }
    let pairs: [(&str, Vec<String>, Vec<String>); 4] = [
        (
            "channels",
            ids(&base.channels, |c| &c.id),
            ids(&other.channels, |c| &c.id),
        ),
        (
            "segments",
            ids(&base.segments, |s| &s.id),
            ids(&other.segments, |s| &s.id),
        ),
        ("types", base.types.clone(), other.types.clone()),
        (
            "agent groups",
            ids(&base.groups, |g| &g.id),
            ids(&other.groups, |g| &g.id),
        ),
    ];
    for (what, a, b) in pairs {
        if a != b {
            return Err(format!(
                "{what} [{}] differ from the baseline's [{}]: variants must have the same channels, segments, types and agent groups, in the same order",
                b.join(", "),
                a.join(", ")
            ));
        }
    }
    if base.playbook.is_some() != other.playbook.is_some() {
        return Err(format!(
            "{} a surge_playbook and the baseline {}: variants must both have one or both lack it",
            if other.playbook.is_some() {
                "has"
            } else {
                "lacks"
            },
            if base.playbook.is_some() {
                "has one"
            } else {
                "has none"
            }
        ));
    }
    let classes = |m: &Model| -> Vec<(usize, usize, usize)> {
        m.classes
            .iter()
            .map(|c| (c.channel, c.type_, c.segment))
            .collect()
    };
    if classes(base) != classes(other) {
        return Err(
            "the (channel, type, segment) combinations differ from the baseline's: every channel must offer the same types and segments".into(),
        );
    }
    if base.n_intervals != other.n_intervals {
        return Err(format!(
            "{} intervals, the baseline has {}: variants must cover the same day",
            other.n_intervals, base.n_intervals
        ));
    }
    Ok(())
}

/// A slot's value in one replication: the ratio `value / den` for ratio metrics (NaN when
/// `den == 0`), the value itself otherwise.
#[inline]
pub fn rep_value(s: &RepSummary, slot: usize) -> f64 {
    let (v, d) = (s.values[slot], s.dens[slot]);
    if d == 1.0 {
        v
    } else if d == 0.0 {
        f64::NAN
    } else {
        v / d
    }
}

/// Per-variant aggregates and per-(non-baseline) variant moments of paired differences.
#[derive(Debug, Clone)]
pub struct Paired {
    pub aggregates: Vec<Aggregate>,
    /// `diffs[v - 1][slot]`: moments of `variant v - baseline` per replication.
    pub diffs: Vec<Vec<Moments>>,
}

impl Accumulator for Paired {
    type Item = Vec<RepSummary>;
    fn fresh(&self) -> Self {
        Paired {
            aggregates: self.aggregates.iter().map(|a| a.fresh()).collect(),
            diffs: self
                .diffs
                .iter()
                .map(|d| vec![Moments::default(); d.len()])
                .collect(),
        }
    }
    fn push(&mut self, item: &Vec<RepSummary>) {
        for (a, s) in self.aggregates.iter_mut().zip(item) {
            a.push(s);
        }
        let base = &item[0];
        for (d, s) in self.diffs.iter_mut().zip(&item[1..]) {
            for (slot, mo) in d.iter_mut().enumerate() {
                // NaN (undefined in either variant) is skipped by `Moments::push`.
                mo.push(rep_value(s, slot) - rep_value(base, slot));
            }
        }
    }
    fn merge(&mut self, o: &Self) {
        for (a, b) in self.aggregates.iter_mut().zip(&o.aggregates) {
            a.merge(b);
        }
        for (d, e) in self.diffs.iter_mut().zip(&o.diffs) {
            for (x, y) in d.iter_mut().zip(e) {
                x.merge(y);
            }
        }
    }
}

/// The result of a paired run.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub names: Vec<String>,
    /// One layout per variant (same rows; goals may differ between scenario files).
    pub layouts: Vec<Layout>,
    pub paired: Paired,
    pub replications: u64,
    pub seed: u64,
}

/// Runs `replications` replications of every variant with `seed` on common random numbers;
/// the first variant is the baseline. Fails when a variant's structure differs from the
/// baseline's (message prefixed by the variant's name).
pub fn run(
    variants: &[Variant],
    replications: u64,
    seed: u64,
    progress: impl Fn(u64),
) -> Result<Comparison, String> {
    let base = &variants
        .first()
        .ok_or_else(|| "nothing to compare: no variant".to_string())?
        .model;
    for v in &variants[1..] {
        check_same_structure(base, &v.model).map_err(|e| format!("{}: {e}", v.name))?;
    }
    let layouts: Vec<Layout> = variants.iter().map(|v| Layout::new(&v.model)).collect();
    let n_slots = layouts[0].n_slots();
    let proto = Paired {
        aggregates: layouts.iter().map(Aggregate::new).collect(),
        diffs: vec![vec![Moments::default(); n_slots]; variants.len() - 1],
    };
    let paired = replicate::run(
        replications,
        &proto,
        || Engine::new(base),
        |engine, rep, item: &mut Vec<RepSummary>| {
            item.resize_with(variants.len(), RepSummary::default);
            for ((v, layout), out) in variants.iter().zip(&layouts).zip(item.iter_mut()) {
                let stats = engine.run(&v.model, seed, rep);
                layout.summarize(stats, out);
            }
        },
        progress,
    );
    Ok(Comparison {
        names: variants.iter().map(|v| v.name.clone()).collect(),
        layouts,
        paired,
        replications,
        seed,
    })
}

impl Comparison {
    /// Estimate of a slot for variant `v` (ratio estimator over replications).
    pub fn estimate(&self, v: usize, slot: usize, conf: f64) -> Estimate {
        self.paired.aggregates[v].moments[slot].interval(conf)
    }

    /// Paired difference `variant v - baseline` of a slot (`v >= 1`).
    pub fn difference(&self, v: usize, slot: usize, conf: f64) -> Estimate {
        self.paired.diffs[v - 1][slot].interval(conf)
    }

    /// Wait-time counts of variant `v` over all replications for row `row` of the layout
    /// (bins per [`crate::stats::histogram::bin_range`]); `None` unless the row is pooled
    /// (overall, channels, segments, types).
    pub fn pooled_waits(&self, v: usize, row: usize) -> Option<&[u64]> {
        let i = self.layouts[0].pooled_rows.iter().position(|&r| r == row)?;
        Some(&self.paired.aggregates[v].pooled[i * BINS..(i + 1) * BINS])
    }
}

/// The metrics `acdsim compare` reports, with whether higher is better.
pub const COMPARED_METRICS: [(usize, &str, bool); 5] = [
    (m::SERVICE_LEVEL, "service_level", true),
    (m::ASA, "asa_s", false),
    (m::P90, "p90_wait_s", false),
    (m::ABANDON_RATE, "abandon_rate", false),
    (m::LONG_WAIT_SHARE, "long_wait_share", false),
];

/// Whether a metric is a share (shown in percent, differences in percentage points).
pub fn is_share(metric: usize) -> bool {
    matches!(
        metric,
        m::SERVICE_LEVEL | m::ABANDON_RATE | m::LONG_WAIT_SHARE | m::GOAL_SL | m::GOAL_MET
    )
}

/// The unit a metric is shown in: `%` for shares, ` s` for times (the names ending in `_s`),
/// nothing for counts (offered, abandoned, callbacks, ...).
pub fn unit(metric: usize) -> &'static str {
    if is_share(metric) {
        "%"
    } else if metric_name(metric).ends_with("_s") {
        " s"
    } else {
        ""
    }
}

/// One variant's value of a metric and its paired difference to the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct VariantValue {
    pub variant: String,
    pub value: Estimate,
    pub difference: Estimate,
    /// The difference's confidence interval excludes 0.
    pub significant: bool,
    /// Significant and in the better direction for the metric.
    pub better: bool,
}

/// One metric of one row.
#[derive(Debug, Clone, Serialize)]
pub struct MetricComparison {
    pub metric: String,
    /// Its index (`crate::stats::m`), for formatting.
    #[serde(skip)]
    pub index: usize,
    pub higher_is_better: bool,
    pub baseline: Estimate,
    pub variants: Vec<VariantValue>,
}

/// One row (overall, a channel or a segment).
#[derive(Debug, Clone, Serialize)]
pub struct RowComparison {
    /// `overall`, `channel` or `segment`.
    pub kind: String,
    pub id: String,
    /// The row's goal in the baseline: the channel's, or the segment's own (if any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal: Option<Goal>,
    pub metrics: Vec<MetricComparison>,
    /// Segment rows: the channels whose contacts the row counts (not serialised).
    #[serde(skip)]
    pub channels: Vec<String>,
    /// Wait-time counts over all replications, one histogram per variant, baseline first (not
    /// serialised; for the plots).
    #[serde(skip)]
    pub waits: Vec<Vec<u64>>,
}

/// The JSON document of `acdsim compare` (schema `acdsim.compare`, documented in the README).
#[derive(Debug, Clone, Serialize)]
pub struct CompareDocument {
    pub schema: &'static str,
    pub schema_version: u32,
    pub tool_version: &'static str,
    /// The scenario file, or the baseline and candidate files, in that order.
    pub scenarios: Vec<ScenarioInfo>,
    /// The baseline's service-level definition.
    pub service_level: ServiceLevelInfo,
    /// One comparison per volume factor (or one comparing the factors).
    pub comparisons: Vec<CompareReport>,
}

impl CompareDocument {
    /// `models`: the scenario files compared (baseline first).
    pub fn new(models: &[&Model], comparisons: Vec<CompareReport>) -> CompareDocument {
        CompareDocument {
            schema: "acdsim.compare",
            schema_version: 1,
            tool_version: env!("CARGO_PKG_VERSION"),
            scenarios: models.iter().map(|m| ScenarioInfo::of(m)).collect(),
            service_level: ServiceLevelInfo::of(models[0]),
            comparisons,
        }
    }

    /// Pretty-printed, newline-terminated.
    pub fn to_json(&self) -> String {
        crate::report::json::to_json(self)
    }
}

/// A comparison as a serialisable report (one entry of the JSON of `acdsim compare`).
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    pub title: String,
    pub baseline: String,
    pub variants: Vec<String>,
    pub replications: u64,
    pub seed: u64,
    pub confidence: f64,
    pub rows: Vec<RowComparison>,
}

impl CompareReport {
    /// Rows overall, per channel and per segment; `model` is the baseline model (for ids).
    pub fn new(title: &str, model: &Model, c: &Comparison, conf: f64) -> CompareReport {
        let mut keys = vec![("overall", "overall".to_string(), RowKey::Overall)];
        for (i, ch) in model.channels.iter().enumerate() {
            keys.push(("channel", ch.id.clone(), RowKey::Channel { channel: i }));
        }
        for (i, s) in model.segments.iter().enumerate() {
            keys.push(("segment", s.id.clone(), RowKey::Segment { segment: i }));
        }
        let layout = &c.layouts[0];
        let rows = keys
            .into_iter()
            .filter_map(|(kind, id, key)| {
                let r = layout.row(key)?;
                // Segments with a goal: also their goal service level (own threshold).
                let extra = (kind == "segment" && layout.rows[r].goal.is_some()).then_some((
                    m::GOAL_SL,
                    "goal_service_level",
                    true,
                ));
                let metrics = COMPARED_METRICS
                    .iter()
                    .copied()
                    .chain(extra)
                    .map(|(mi, name, higher)| {
                        let slot = layout.slot(r, mi);
                        let variants = (1..c.names.len())
                            .map(|v| {
                                let d = c.difference(v, slot, conf);
                                let significant = d.lo > 0.0 || d.hi < 0.0;
                                VariantValue {
                                    variant: c.names[v].clone(),
                                    value: c.estimate(v, slot, conf),
                                    difference: d,
                                    significant,
                                    better: significant && ((d.mean > 0.0) == higher),
                                }
                            })
                            .collect();
                        MetricComparison {
                            metric: name.to_string(),
                            index: mi,
                            higher_is_better: higher,
                            baseline: c.estimate(0, slot, conf),
                            variants,
                        }
                    })
                    .collect();
                let channels = match key {
                    RowKey::Segment { segment } => model
                        .channels
                        .iter()
                        .enumerate()
                        .filter(|&(ch, _)| {
                            model
                                .classes
                                .iter()
                                .any(|cl| cl.channel == ch && cl.segment == segment)
                        })
                        .map(|(_, ch)| ch.id.clone())
                        .collect(),
                    _ => Vec::new(),
                };
                let waits = (0..c.names.len())
                    .map(|v| {
                        c.pooled_waits(v, r)
                            .map(<[u64]>::to_vec)
                            .unwrap_or_default()
                    })
                    .collect();
                Some(RowComparison {
                    kind: kind.to_string(),
                    id,
                    goal: layout.rows[r].goal,
                    metrics,
                    channels,
                    waits,
                })
            })
            .collect();
        CompareReport {
            title: title.to_string(),
            baseline: c.names[0].clone(),
            variants: c.names[1..].to_vec(),
            replications: c.replications,
            seed: c.seed,
            confidence: conf,
            rows,
        }
    }

    /// Plain-text tables, one per row kind (channels, segments, overall).
    pub fn to_table(&self) -> String {
        self.render(false)
    }

    /// GitHub-flavoured Markdown tables (for a CI job summary).
    pub fn to_markdown(&self) -> String {
        self.render(true)
    }

    fn render(&self, md: bool) -> String {
        let mut out = String::new();
        if md {
            out.push_str(&format!("### {}\n\n", self.title));
        } else {
            out.push_str(&format!("{}\n", self.title));
        }
        out.push_str(&format!(
            "{} replications, seed {}, common random numbers; baseline: {}. Difference = variant - baseline (paired, {:.0}% CI); * = significant (CI excludes 0).\n\n",
            self.replications,
            self.seed,
            self.baseline,
            self.confidence * 100.0
        ));
        for (kind, heading) in [
            ("channel", "Channels"),
            ("segment", "Segments"),
            ("overall", "Overall"),
        ] {
            let rows: Vec<&RowComparison> = self.rows.iter().filter(|r| r.kind == kind).collect();
            if rows.is_empty() {
                continue;
            }
            let mut header = vec![heading.to_string(), "metric".into(), self.baseline.clone()];
            for v in &self.variants {
                header.push(v.clone());
                header.push(format!("Δ {v}"));
            }
            let mut lines = Vec::new();
            for r in rows {
                for mc in &r.metrics {
                    let mi = mc.index;
                    let mut line =
                        vec![r.id.clone(), mc.metric.clone(), fmt_value(mi, &mc.baseline)];
                    for vv in &mc.variants {
                        line.push(fmt_value(mi, &vv.value));
                        line.push(fmt_diff(mi, vv));
                    }
                    lines.push(line);
                }
            }
            out.push_str(&format_table(&header, &lines, md, 2));
            out.push('\n');
        }
        out
    }
}

/// A value in its [`unit`]: percent for shares, seconds for times, a plain number for counts.
pub fn fmt_value(metric: usize, e: &Estimate) -> String {
    if e.mean.is_nan() {
        "-".into()
    } else if is_share(metric) {
        format!("{:.1}%", e.mean * 100.0)
    } else {
        format!("{:.1}{}", e.mean, unit(metric))
    }
}

fn fmt_diff(metric: usize, v: &VariantValue) -> String {
    let d = &v.difference;
    if d.mean.is_nan() {
        return "-".into();
    }
    let (scale, unit) = if is_share(metric) {
        (100.0, " pp")
    } else {
        (1.0, unit(metric))
    };
    let hw = d.half_width * scale;
    // One decimal, or as many (up to 6) as it takes for the half-width not to round to zero:
    // a significant difference of 0.03 s is not written `-0.0 ±0.0 s *`.
    let dec = if hw > 0.0 {
        (1..=6)
            .find(|&k| hw * 10f64.powi(k as i32) >= 0.5)
            .unwrap_or(6)
    } else {
        1
    };
    let hw = if hw.is_nan() {
        "?".to_string()
    } else {
        format!("{hw:.dec$}")
    };
    format!(
        "{:+.dec$} ±{hw}{unit}{}",
        d.mean * scale,
        if v.significant { " *" } else { "" }
    )
}

/// Aligned text table, or a Markdown table: the first `left` columns (labels) aligned left, the
/// others (figures) right.
pub fn format_table(header: &[String], lines: &[Vec<String>], md: bool, left: usize) -> String {
    let mut out = String::new();
    if md {
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        out.push_str(&format!(
            "|{}\n",
            header
                .iter()
                .enumerate()
                .map(|(i, _)| if i < left { " --- |" } else { " ---: |" })
                .collect::<String>()
        ));
        for l in lines {
            out.push_str(&format!("| {} |\n", l.join(" | ")));
        }
        return out;
    }
    let n = header.len();
    let mut w = vec![0usize; n];
    for l in std::iter::once(header).chain(lines.iter().map(|l| l.as_slice())) {
        for (i, c) in l.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let fmt_line = |l: &[String]| -> String {
        let cells: Vec<String> = l
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = w[i] - c.chars().count();
                if i < left {
                    format!("{c}{}", " ".repeat(pad))
                } else {
                    format!("{}{c}", " ".repeat(pad))
                }
            })
            .collect();
        format!("{}\n", cells.join("  ").trim_end())
    };
    out.push_str(&fmt_line(header));
    out.push_str(&format!(
        "{}\n",
        "-".repeat(w.iter().sum::<usize>() + 2 * (n - 1))
    ));
    for l in lines {
        out.push_str(&fmt_line(l));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rep_value_handles_ratios_and_zero_denominators() {
        let mut s = RepSummary::default();
        s.values = vec![3.0, 4.0, 5.0];
        s.dens = vec![1.0, 8.0, 0.0];
        assert_eq!(rep_value(&s, 0), 3.0);
        assert_eq!(rep_value(&s, 1), 0.5);
        assert!(rep_value(&s, 2).is_nan());
    }

    #[test]
    fn differences_show_as_many_decimals_as_their_half_width_needs() {
        let diff = |mean: f64, half_width: f64| VariantValue {
            variant: "b".into(),
            value: Estimate {
                mean: 0.0,
                lo: 0.0,
                hi: 0.0,
                half_width: 0.0,
                n: 10,
            },
            difference: Estimate {
                mean,
                lo: mean - half_width,
                hi: mean + half_width,
                half_width,
                n: 10,
            },
            significant: (mean - half_width) * (mean + half_width) > 0.0,
            better: false,
        };
        assert_eq!(fmt_diff(m::ASA, &diff(7.04, 0.21)), "+7.0 ±0.2 s *");
        assert_eq!(fmt_diff(m::ASA, &diff(-0.034, 0.02)), "-0.03 ±0.02 s *");
        assert_eq!(fmt_diff(m::P90, &diff(0.0041, 0.002)), "+0.004 ±0.002 s *");
        assert_eq!(fmt_diff(m::ASA, &diff(0.0, 0.0)), "+0.0 ±0.0 s");
        assert_eq!(fmt_diff(m::P90, &diff(0.095, 0.095)), "+0.1 ±0.1 s");
        assert_eq!(
            fmt_diff(m::P90, &diff(-0.0002, 0.0001)),
            "-0.0002 ±0.0001 s *"
        );
        assert_eq!(
            fmt_diff(m::SERVICE_LEVEL, &diff(-0.187, 0.005)),
            "-18.7 ±0.5 pp *"
        );
        assert_eq!(fmt_diff(m::ASA, &diff(1.0, f64::NAN)), "+1.0 ±? s");
    }

    #[test]
    fn markdown_table_has_separator_row() {
        let t = format_table(
            &["a".into(), "b".into(), "c".into()],
            &[vec!["x".into(), "y".into(), "1".into()]],
            true,
            2,
        );
        assert_eq!(t, "| a | b | c |\n| --- | --- | ---: |\n| x | y | 1 |\n");
    }
}
