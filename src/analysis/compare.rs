//! What `acdsim compare` reports of a paired run ([`crate::sim::paired`]): per row (overall,
//! channels, segments) and compared metric, the baseline's estimate and every variant's value
//! with its paired difference to the baseline, and whether that difference is significant and
//! better. Also which metrics are shares and their units, for `acdsim check` and the reports.

use serde::Serialize;

use crate::model::cost::StaffingCost;
use crate::model::{Goal, Model, ScenarioInfo, ServiceLevelInfo};
use crate::sim::paired::{Comparison, Variant};
use crate::stats::{m, metric_name, Estimate, RowKey};

/// The metrics `acdsim compare` reports, with whether higher is better.
pub const COMPARED_METRICS: [(usize, &str, bool); 6] = [
    (m::SERVICE_LEVEL, "service_level", true),
    (m::ASA, "asa_s", false),
    (m::MEAN_WAIT, "mean_wait_s", false),
    (m::P90, "p90_wait_s", false),
    (m::ABANDON_RATE, "abandon_rate", false),
    (m::LONG_WAIT_SHARE, "long_wait_share", false),
];

/// The realism metrics `acdsim compare` reports when every variant uses a realism feature
/// (ids after [`crate::stats::REAL_FIRST`]), with whether higher is better.
pub const COMPARED_REAL_METRICS: [(usize, &str, bool); 6] = {
    use crate::stats::realism::r;
    use crate::stats::REAL_FIRST as F;
    [
        (F + r::FCR, "fcr", true),
        (F + r::UNIQUE_ANSWERED, "unique_answered_share", true),
        (F + r::UNIQUE_LOST, "unique_lost_share", false),
        (F + r::END_TO_END, "end_to_end_s", false),
        (F + r::TRANSFER_WAIT, "transfer_wait_s", false),
        (F + r::OUTAGE_SL, "outage_service_level", true),
    ]
};

/// Whether a metric is a share (shown in percent, differences in percentage points).
pub fn is_share(metric: usize) -> bool {
    matches!(
        metric,
        m::SERVICE_LEVEL | m::ABANDON_RATE | m::LONG_WAIT_SHARE | m::GOAL_SL | m::GOAL_MET
    ) || metric
        .checked_sub(crate::stats::REAL_FIRST)
        .is_some_and(crate::stats::realism::is_share)
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
    /// The day's staffing cost of each of `scenarios` (`null` for one without prices); absent
    /// when none has prices.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub staffing_costs: Vec<Option<StaffingCost>>,
}

impl CompareDocument {
    /// `models`: the scenario files compared (baseline first).
    pub fn new(models: &[&Model], comparisons: Vec<CompareReport>) -> CompareDocument {
        CompareDocument {
            schema: "acdsim.compare",
            schema_version: 2,
            tool_version: env!("CARGO_PKG_VERSION"),
            scenarios: models.iter().map(|m| ScenarioInfo::of(m)).collect(),
            service_level: ServiceLevelInfo::of(models[0]),
            comparisons,
            staffing_costs: {
                let costs: Vec<_> = models.iter().map(|m| StaffingCost::of(m)).collect();
                if costs.iter().any(Option::is_some) {
                    costs
                } else {
                    Vec::new()
                }
            },
        }
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
    /// Each agent group's occupancy over the day, per variant (a share; `better` is never set:
    /// a busier group is neither better nor worse in itself).
    pub groups: Vec<GroupComparison>,
    /// Each channel's service level per interval, per variant.
    pub intervals: Vec<IntervalComparison>,
}

/// One agent group's occupancy in every variant.
#[derive(Debug, Clone, Serialize)]
pub struct GroupComparison {
    pub id: String,
    pub occupancy: MetricComparison,
}

/// One channel's service level in one interval, in every variant.
#[derive(Debug, Clone, Serialize)]
pub struct IntervalComparison {
    pub channel: String,
    /// The interval's `HH:MM` start.
    pub interval_start: String,
    /// The channel's target in the baseline.
    pub target: f64,
    pub service_level: MetricComparison,
}

/// The comparison of one metric slot of `c`: the baseline's estimate and each variant's value
/// and paired difference. `higher`: higher is better (`None`: neither, `better` stays false).
fn compare_slot(
    c: &Comparison,
    slot: usize,
    (index, name, higher): (usize, &str, Option<bool>),
    conf: f64,
) -> MetricComparison {
    let variants = (1..c.names.len())
        .map(|v| {
            let d = c.difference(v, slot, conf);
            let significant = d.lo > 0.0 || d.hi < 0.0;
            VariantValue {
                variant: c.names[v].clone(),
                value: c.estimate(v, slot, conf),
                difference: d,
                significant,
                better: significant && higher.is_some_and(|h| (d.mean > 0.0) == h),
            }
        })
        .collect();
    MetricComparison {
        metric: name.to_string(),
        index,
        higher_is_better: higher.unwrap_or(false),
        baseline: c.estimate(0, slot, conf),
        variants,
    }
}

/// Group occupancy per variant, and each channel's service level per interval.
fn groups_and_intervals(
    model: &Model,
    c: &Comparison,
    conf: f64,
) -> (Vec<GroupComparison>, Vec<IntervalComparison>) {
    let layout = &c.layouts[0];
    let groups = (0..model.groups.len())
        .filter_map(|g| {
            let slot = layout.group_slot(layout.group_row(g, None)?, 0);
            // Formatted as a share, like a service level.
            let what = (m::SERVICE_LEVEL, "occupancy", None);
            Some(GroupComparison {
                id: model.groups[g].id.clone(),
                occupancy: compare_slot(c, slot, what, conf),
            })
        })
        .collect();
    let mut intervals = Vec::new();
    for (ch, channel) in model.channels.iter().enumerate() {
        for k in 0..model.n_intervals {
            let key = RowKey::ChannelInterval {
                channel: ch,
                interval: k,
            };
            let Some(r) = layout.row(key) else { continue };
            let slot = layout.slot(r, m::SERVICE_LEVEL);
            let what = (m::SERVICE_LEVEL, "service_level", Some(true));
            intervals.push(IntervalComparison {
                channel: channel.id.clone(),
                interval_start: model.interval_label(k),
                target: channel.goal.target,
                service_level: compare_slot(c, slot, what, conf),
            });
        }
    }
    (groups, intervals)
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
        // Realism metrics when every variant has them in the same slots.
        let real = c
            .layouts
            .iter()
            .all(|l| l.real && l.playbook == layout.playbook);
        let real_metrics = if real {
            &COMPARED_REAL_METRICS[..]
        } else {
            &[]
        };
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
                    .chain(real_metrics.iter().copied())
                    .map(|(mi, name, higher)| {
                        compare_slot(c, layout.slot(r, mi), (mi, name, Some(higher)), conf)
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
                let waits = (0..c.names.len()).map(|v| c.pooled_waits(v, r)).collect();
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
        let (groups, intervals) = groups_and_intervals(model, c, conf);
        CompareReport {
            title: title.to_string(),
            baseline: c.names[0].clone(),
            variants: c.names[1..].to_vec(),
            replications: c.replications,
            seed: c.seed,
            confidence: conf,
            rows,
            groups,
            intervals,
        }
    }
}

/// Formats a volume factor for a variant name: `x1.2`.
pub fn factor_name(f: f64) -> String {
    format!("x{f}")
}

/// The comparisons `acdsim compare` runs, each a title and its variants (baseline first), from
/// the alternatives (strategies or scenario files, each a name and its model before the surge)
/// and the volume factors. One alternative: its factors are compared with each other. Several:
/// they are compared with each other at each factor in turn. `base_name` is the baseline
/// scenario's name, for the titles.
pub fn variant_groups(
    base_name: &str,
    alts: &[(String, Model)],
    surges: &[f64],
) -> Vec<(String, Vec<Variant>)> {
    if let [(name, m)] = alts {
        let variants = surges
            .iter()
            .map(|f| Variant {
                name: factor_name(*f),
                model: m.with_surge(*f),
            })
            .collect();
        return vec![(format!("{base_name} ({name}) at volume factors"), variants)];
    }
    surges
        .iter()
        .map(|f| {
            let title = if surges.len() > 1 || *f != 1.0 {
                format!("{base_name} at volume {}", factor_name(*f))
            } else {
                base_name.to_string()
            };
            let variants = alts
                .iter()
                .map(|(n, m)| Variant {
                    name: n.clone(),
                    model: m.with_surge(*f),
                })
                .collect();
            (title, variants)
        })
        .collect()
}
