//! `acdsim sweep`: every variant of an experiment ([`crate::input::experiment`]) run on common
//! random numbers, and its estimates per report row and metric.
//!
//! Replication `i` of every variant uses the same seed and replication number, so every
//! variant sees the same contacts ([`crate::sim::paired`]); besides each variant's estimate, the
//! paired difference to the first variant (the baseline) is kept, whose interval is much
//! narrower than the one of two independent runs. Variants run in blocks of [`BLOCK`] (each
//! block with the baseline again, whose replications are the same bits every time), so memory
//! depends neither on the replications nor on the number of variants; the result is the same
//! bit for bit at any thread count.

use serde_json::Value;

use crate::error::InputError;
use crate::input::experiment::{value_number, Experiment, ExperimentVariant};
use crate::model::Model;
use crate::sim::paired::{self, Variant};
use crate::stats::{Estimate, Layout, RowKey, GROUP_METRICS};

/// Variants per paired run (besides the baseline).
pub const BLOCK: usize = 16;

/// A report row listed in a sweep's output: overall, channels, segments, types, channel-segment
/// and channel-type pairs (not the intervals), then the agent groups.
#[derive(Debug, Clone)]
pub struct SweepRow {
    /// `overall`, `channel`, `segment`, `type`, `channel_segment`, `channel_type` or `group`.
    pub kind: &'static str,
    /// `overall`, the id, or `channel/segment`, `channel/type`.
    pub id: String,
    /// The row's metrics: `(name, slot)`.
    pub metrics: Vec<(&'static str, usize)>,
}

/// One variant's parameters and estimates.
#[derive(Debug, Clone)]
pub struct SweepVariant {
    pub id: usize,
    pub name: String,
    /// The value of each of the experiment's parameters (`None`: not set by this variant).
    pub values: Vec<Option<Value>>,
    /// Estimate of every metric slot.
    pub estimates: Vec<Estimate>,
    /// Paired difference to the baseline of every slot (empty for the baseline).
    pub differences: Vec<Estimate>,
}

/// The result of a sweep.
#[derive(Debug, Clone)]
pub struct SweepResult {
    pub parameters: Vec<String>,
    pub rows: Vec<SweepRow>,
    pub variants: Vec<SweepVariant>,
    pub replications: u64,
    pub seed: u64,
    pub confidence: f64,
    /// The baseline's layout (every variant has the same rows).
    pub layout: Layout,
}

/// The rows a sweep lists, with their metric slots.
pub fn sweep_rows(model: &Model, layout: &Layout) -> Vec<SweepRow> {
    let names: Vec<&'static str> = (0..layout.n_metrics)
        .map(crate::stats::metric_name)
        .collect();
    let mut out = Vec::new();
    for (r, row) in layout.rows.iter().enumerate() {
        let ch = |c: usize| model.channels[c].id.clone();
        let (kind, id) = match row.key {
            RowKey::Overall => ("overall", "overall".to_string()),
            RowKey::Channel { channel } => ("channel", ch(channel)),
            RowKey::Segment { segment } => ("segment", model.segments[segment].id.clone()),
            RowKey::Type { type_ } => ("type", model.types[type_].clone()),
            RowKey::ChannelSegment { channel, segment } => (
                "channel_segment",
                format!("{}/{}", ch(channel), model.segments[segment].id),
            ),
            RowKey::ChannelType { channel, type_ } => (
                "channel_type",
                format!("{}/{}", ch(channel), model.types[type_]),
            ),
            RowKey::Interval { .. } | RowKey::ChannelInterval { .. } => continue,
        };
        let metrics = names
            .iter()
            .enumerate()
            .map(|(m, n)| (*n, layout.slot(r, m)))
            .collect();
        out.push(SweepRow { kind, id, metrics });
    }
    for (g, group) in model.groups.iter().enumerate() {
        let Some(r) = layout.group_row(g, None) else {
            continue;
        };
        let metrics = GROUP_METRICS
            .iter()
            .enumerate()
            .map(|(m, n)| (*n, layout.group_slot(r, m)))
            .collect();
        out.push(SweepRow {
            kind: "group",
            id: group.id.clone(),
            metrics,
        });
    }
    out
}

/// The paired variant of an experiment's variant.
fn variant(v: &ExperimentVariant) -> Variant {
    Variant {
        name: v.name.clone(),
        model: v.model.clone(),
    }
}

/// Runs every variant of `exp` for `replications` with `seed` on common random numbers.
/// `progress(done, total)` counts replications of blocks. Fails when a variant's structure
/// differs from the baseline's (the message names the variant).
pub fn run(
    exp: &Experiment,
    replications: u64,
    seed: u64,
    confidence: f64,
    progress: impl Fn(u64, u64),
) -> Result<SweepResult, String> {
    let vs = &exp.variants;
    let base = variant(&vs[0]);
    let blocks: Vec<&[ExperimentVariant]> = if vs.len() == 1 {
        vec![&vs[..1]]
    } else {
        vs[1..].chunks(BLOCK).collect()
    };
    let total = replications * blocks.len() as u64;
    let mut out: Vec<SweepVariant> = Vec::with_capacity(vs.len());
    let mut layout = None;
    for (b, block) in blocks.iter().enumerate() {
        let mut run_vs = vec![base.clone()];
        if vs.len() > 1 {
            run_vs.extend(block.iter().map(variant));
        }
        let done = b as u64 * replications;
        let c = paired::run(&run_vs, replications, seed, |d| progress(done + d, total))
            .map_err(|e| format!("variant {e}"))?;
        let n_slots = c.layouts[0].n_slots();
        let est = |v: usize| -> Vec<Estimate> {
            (0..n_slots).map(|s| c.estimate(v, s, confidence)).collect()
        };
        if b == 0 {
            out.push(values_of(exp, &vs[0], est(0), Vec::new()));
        }
        for (j, ev) in block.iter().enumerate().filter(|_| vs.len() > 1) {
            let diffs = (0..n_slots)
                .map(|s| c.difference(j + 1, s, confidence))
                .collect();
            out.push(values_of(exp, ev, est(j + 1), diffs));
        }
        layout.get_or_insert_with(|| c.layouts[0].clone());
    }
    let layout = layout.expect("at least one block");
    Ok(SweepResult {
        parameters: exp.parameters.clone(),
        rows: sweep_rows(&exp.variants[0].model, &layout),
        variants: out,
        replications,
        seed,
        confidence,
        layout,
    })
}

fn values_of(
    exp: &Experiment,
    v: &ExperimentVariant,
    estimates: Vec<Estimate>,
    differences: Vec<Estimate>,
) -> SweepVariant {
    let values = exp
        .parameters
        .iter()
        .map(|p| {
            v.params
                .iter()
                .find(|(k, _)| k == p)
                .map(|(_, x)| x.clone())
        })
        .collect();
    SweepVariant {
        id: v.id,
        name: v.name.clone(),
        values,
        estimates,
        differences,
    }
}

/// A metric the sweep reports on stdout or plots: its name as written, slot and metric index.
#[derive(Debug, Clone)]
pub struct MetricRef {
    pub name: String,
    pub slot: usize,
    pub metric: usize,
}

/// A plot of a metric against a parameter (index into the experiment's parameters).
#[derive(Debug, Clone)]
pub struct PlotSpec {
    pub metric: MetricRef,
    pub x: usize,
}

/// `<row>.<metric>` resolved against the experiment's baseline.
pub fn metric_ref(exp: &Experiment, name: &str) -> Result<MetricRef, String> {
    let model = &exp.variants[0].model;
    let layout = Layout::new(model);
    let (slot, metric) = crate::analysis::check::parse_metric_ref(name, model, &layout)?;
    Ok(MetricRef {
        name: name.to_string(),
        slot,
        metric,
    })
}

/// The metrics of the table on stdout: the experiment's `metrics`, by default the overall
/// service level, ASA and abandonment rate.
pub fn table_metrics(exp: &Experiment) -> Result<Vec<MetricRef>, InputError> {
    let names: Vec<String> = if exp.raw.metrics.is_empty() {
        [
            "overall.service_level",
            "overall.asa_s",
            "overall.abandon_rate",
        ]
        .map(String::from)
        .to_vec()
    } else {
        exp.raw.metrics.clone()
    };
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            metric_ref(exp, n).map_err(|m| InputError::new(&exp.file, format!("$.metrics[{i}]"), m))
        })
        .collect()
}

/// Whether every variant that sets parameter `p` sets it to a number (and at least two differ).
fn numeric(exp: &Experiment, p: &str) -> bool {
    let xs: Vec<Option<f64>> = exp
        .variants
        .iter()
        .filter_map(|v| v.params.iter().find(|(k, _)| k == p))
        .map(|(_, x)| value_number(x))
        .collect();
    xs.iter().all(Option::is_some) && {
        let mut v: Vec<f64> = xs.into_iter().flatten().collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v.len() >= 2
    }
}

/// The plots of `--plots`: the experiment's `plots`, by default the first table metric against
/// every numeric parameter.
pub fn plot_specs(exp: &Experiment, table: &[MetricRef]) -> Result<Vec<PlotSpec>, InputError> {
    if exp.raw.plots.is_empty() {
        return Ok(exp
            .parameters
            .iter()
            .enumerate()
            .filter(|(_, p)| numeric(exp, p))
            .map(|(x, _)| PlotSpec {
                metric: table[0].clone(),
                x,
            })
            .collect());
    }
    let mut out = Vec::new();
    for (i, p) in exp.raw.plots.iter().enumerate() {
        let err =
            |field: &str, m: String| InputError::new(&exp.file, format!("$.plots[{i}].{field}"), m);
        let metric = metric_ref(exp, &p.metric).map_err(|m| err("metric", m))?;
        let Some(x) = exp.parameters.iter().position(|q| *q == p.x) else {
            return Err(err(
                "x",
                format!(
                    "`{}` is not a parameter of this experiment: its parameters are {}",
                    p.x,
                    exp.parameters.join(", ")
                ),
            ));
        };
        if !numeric(exp, &p.x) {
            return Err(err(
                "x",
                format!(
                    "`{}` takes values that are not numbers (or only one): a plot needs a numeric parameter",
                    p.x
                ),
            ));
        }
        out.push(PlotSpec { metric, x });
    }
    Ok(out)
}
