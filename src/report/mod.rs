//! Reports: the structured [`RunReport`] of a run (also its JSON, see [`json`]), and one file per
//! format: text tables ([`table`]), CSV files ([`csv`]), plots ([`plots`]), the HTML report
//! ([`html`]), JUnit XML of a check ([`junit`]); the text and Markdown of the other commands'
//! results in [`compare`], [`check`] and [`staff`]; the partial results of shards, merged into any
//! of these ([`partial`]). Every metric is the mean over replications with its confidence
//! interval.

pub mod check;
pub mod compare;
pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod output;
pub mod partial;
pub mod plots;
pub mod realism;
pub mod roster;
pub mod staff;
pub mod sweep;
pub mod table;

pub use crate::model::cost::{GroupCostReport, StaffingCost};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::model::{Closing, Goal, Model, ScenarioInfo, ServiceLevelInfo};
use crate::sim::paired::Comparison;
use crate::sim::simulate::Outcome;
use crate::stats::{m, metric_index, metric_name, Aggregate, Estimate, Layout, RowKey};

/// Version of the JSON report format; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 2;

/// The 23 contact metrics of a row (see [`crate::stats::CONTACT_METRICS`]), followed by the
/// [`crate::stats::PLAYBOOK_METRICS`] when the scenario has a surge playbook, serialised as a map
/// by name.
/// The values are indexed by metric id ([`crate::stats::REAL_FIRST`]); the ids the row has
/// are listed in the second field (the [`crate::stats::REAL_METRICS`] follow when the scenario
/// uses a realism feature, the slots of absent playbook metrics then hold no estimate).
#[derive(Debug, Clone)]
pub struct Metrics(pub Vec<Estimate>, pub Vec<usize>);

impl Metrics {
    /// A metric by its name ([`metric_index`]; a playbook or realism metric only if the report
    /// has them).
    pub fn get(&self, name: &str) -> Option<&Estimate> {
        metric_index(name)
            .filter(|i| self.1.contains(i))
            .and_then(|i| self.0.get(i))
    }
    pub fn at(&self, i: usize) -> &Estimate {
        &self.0[i]
    }
    pub fn service_level(&self) -> &Estimate {
        &self.0[m::SERVICE_LEVEL]
    }
}

impl Serialize for Metrics {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.1.len()))?;
        for &i in &self.1 {
            map.serialize_entry(metric_name(i), &self.0[i])?;
        }
        map.end()
    }
}

/// One report row.
#[derive(Debug, Clone, Serialize)]
pub struct RowReport {
    /// Channel, segment or type id, or the interval's `HH:MM` start.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal: Option<Goal>,
    pub metrics: Metrics,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChannelReport {
    pub id: String,
    pub goal: Goal,
    pub metrics: Metrics,
    pub segments: Vec<RowReport>,
    pub types: Vec<RowReport>,
    pub intervals: Vec<RowReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupIntervalReport {
    pub id: String,
    pub occupancy: Estimate,
    pub agent_hours: Estimate,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    pub id: String,
    pub occupancy: Estimate,
    pub agent_hours: Estimate,
    pub intervals: Vec<GroupIntervalReport>,
}

/// When the surge playbook was activated, and its paired effect per row.
#[derive(Debug, Clone, Serialize)]
pub struct PlaybookReport {
    /// Share of the days (replications) in which the playbook was activated.
    pub activated: Estimate,
    /// Minutes after opening of the activation (days in which it was activated).
    pub activation_minutes: Estimate,
    /// Minutes after opening at which the reserve joined (days in which it joined).
    pub reserve_join_minutes: Estimate,
    /// Paired differences with the playbook minus without it (filled by a paired run).
    pub effect: Vec<EffectRow>,
}

/// The playbook's effect on one row: per-replication differences, with minus without.
#[derive(Debug, Clone, Serialize)]
pub struct EffectRow {
    /// `overall`, `channel` or `segment`.
    pub kind: String,
    pub id: String,
    pub service_level: Estimate,
    /// Segments with a goal: the goal service level (own threshold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_service_level: Option<Estimate>,
    pub asa_s: Estimate,
    pub abandon_rate: Estimate,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayInfo {
    pub open: String,
    pub interval_minutes: f64,
    pub intervals: usize,
    pub warmup_minutes: f64,
    pub closing: Closing,
}

/// Everything a run reports. Serialised as the JSON report (schema in the README).
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub schema: &'static str,
    pub schema_version: u32,
    pub tool_version: &'static str,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    pub replications: u64,
    pub surge: f64,
    pub strategy: &'static str,
    pub confidence: f64,
    pub service_level: ServiceLevelInfo,
    pub day: DayInfo,
    pub overall: Metrics,
    pub channels: Vec<ChannelReport>,
    pub segments: Vec<RowReport>,
    pub types: Vec<RowReport>,
    pub intervals: Vec<RowReport>,
    pub groups: Vec<GroupReport>,
    pub warnings: Vec<String>,
    /// The surge playbook's activation and its effect (scenarios with a `surge_playbook`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub playbook: Option<PlaybookReport>,
    /// The same day without the playbook, on common random numbers (scenarios with a
    /// `surge_playbook`, from `acdsim run`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub without_playbook: Option<Box<RunReport>>,
    /// The day's staffing cost (scenarios that give a `cost_per_hour`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staffing_cost: Option<StaffingCost>,
    /// Pooled wait-time histograms (not serialised): (row id, counts) for overall, channels,
    /// segments, types, in that order.
    #[serde(skip)]
    pub pooled: Vec<(String, Vec<u64>)>,
    /// Agents on duty per interval (not serialised; for `intervals.csv`): for each channel the
    /// agents of the groups that can serve it, then all agents.
    #[serde(skip)]
    pub on_duty: Vec<Vec<u32>>,
}

impl RunReport {
    /// Builds the report of `outcome` with confidence intervals at `confidence`.
    pub fn new(model: &Model, outcome: &Outcome, confidence: f64) -> RunReport {
        let (lay, agg) = (&outcome.layout, &outcome.aggregate);
        let est = Estimates {
            model,
            lay,
            agg,
            confidence,
        };
        RunReport {
            schema: "acdsim.run",
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION"),
            scenario: ScenarioInfo::of(model),
            seed: outcome.options.seed,
            replications: agg.replications,
            surge: model.surge,
            strategy: model.routing.strategy_name(),
            confidence,
            service_level: ServiceLevelInfo::of(model),
            day: DayInfo {
                open: model.interval_label(0),
                interval_minutes: model.interval_s / 60.0,
                intervals: model.n_intervals,
                warmup_minutes: model.warmup_s / 60.0,
                closing: model.closing,
            },
            overall: est.metrics(lay.row(RowKey::Overall).expect("overall row")),
            channels: (0..model.channels.len()).map(|c| est.channel(c)).collect(),
            segments: (0..model.segments.len())
                .filter_map(|s| {
                    est.row(RowKey::Segment { segment: s }, model.segments[s].id.clone())
                })
                .collect(),
            types: (0..model.types.len())
                .filter_map(|t| est.row(RowKey::Type { type_: t }, model.types[t].clone()))
                .collect(),
            intervals: (0..model.n_intervals)
                .filter_map(|k| est.row(RowKey::Interval { interval: k }, model.interval_label(k)))
                .collect(),
            groups: (0..model.groups.len()).map(|g| est.group(g)).collect(),
            warnings: Vec::new(),
            playbook: model
                .playbook
                .as_ref()
                .filter(|p| p.enabled)
                .map(|_| PlaybookReport {
                    activated: est.slot(lay.playbook_slot(0)),
                    activation_minutes: est.slot(lay.playbook_slot(1)),
                    reserve_join_minutes: est.slot(lay.playbook_slot(2)),
                    effect: Vec::new(),
                }),
            without_playbook: None,
            staffing_cost: StaffingCost::of(model),
            pooled: est.pooled(),
            on_duty: on_duty(model),
        }
    }

    /// The report of a paired run with and without the surge playbook
    /// ([`crate::sim::simulate::run_playbook_pair`]): the day with the playbook, its effect (paired
    /// differences, with - without) and the day without it (`without_playbook`).
    pub fn with_playbook_pair(model: &Model, c: &Comparison, confidence: f64) -> RunReport {
        let mut rep = RunReport::new(model, &c.outcome(1), confidence);
        let without = RunReport::new(&model.without_playbook(), &c.outcome(0), confidence);
        let lay = &c.layouts[1];
        let mut keys = vec![("overall", "overall".to_string(), RowKey::Overall)];
        for (i, ch) in model.channels.iter().enumerate() {
            keys.push(("channel", ch.id.clone(), RowKey::Channel { channel: i }));
        }
        for (i, s) in model.segments.iter().enumerate() {
            keys.push(("segment", s.id.clone(), RowKey::Segment { segment: i }));
        }
        let effect = keys
            .into_iter()
            .filter_map(|(kind, id, key)| {
                let r = lay.row(key)?;
                let d = |metric: usize| c.difference(1, lay.slot(r, metric), confidence);
                Some(EffectRow {
                    kind: kind.to_string(),
                    id,
                    service_level: d(m::SERVICE_LEVEL),
                    goal_service_level: (kind == "segment" && lay.rows[r].goal.is_some())
                        .then(|| d(m::GOAL_SL)),
                    asa_s: d(m::ASA),
                    abandon_rate: d(m::ABANDON_RATE),
                })
            })
            .collect();
        if let Some(p) = &mut rep.playbook {
            p.effect = effect;
        }
        rep.without_playbook = Some(Box::new(without));
        rep
    }

    /// Warnings when the intervals are too wide to judge the goals, with the replications that
    /// would do.
    pub fn precision_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.channels {
            let sl = c.metrics.service_level();
            if sl.half_width.is_nan() {
                out.push(format!(
                    "{}: one replication gives no confidence interval: use --replications 100 or more",
                    c.id
                ));
            } else if sl.half_width > 0.01 {
                let need =
                    (self.replications as f64 * (sl.half_width / 0.005).powi(2)).ceil() as u64;
                out.push(format!(
                    "{}: {} replications give a service-level half-width of {:.1} pp: try --replications {} for ±0.5 pp",
                    c.id,
                    self.replications,
                    sl.half_width * 100.0,
                    need
                ));
            }
        }
        out
    }

    /// A channel's report by id.
    pub fn channel(&self, id: &str) -> Option<&ChannelReport> {
        self.channels.iter().find(|c| c.id == id)
    }

    /// A segment's report by id.
    pub fn segment(&self, id: &str) -> Option<&RowReport> {
        self.segments.iter().find(|c| c.id == id)
    }
}

/// Agents on duty per interval: for each channel those of the groups that serve it, then all.
fn on_duty(model: &Model) -> Vec<Vec<u32>> {
    let sum = |serves: &dyn Fn(&crate::model::Group) -> bool| -> Vec<u32> {
        (0..model.n_intervals)
            .map(|k| {
                let on = model.groups.iter().filter(|g| serves(g));
                on.map(|g| g.headcount.get(k).copied().unwrap_or(0)).sum()
            })
            .collect()
    };
    let mut out: Vec<Vec<u32>> = (0..model.channels.len())
        .map(|c| sum(&|g| g.units.get(c).is_some_and(|&u| u > 0)))
        .collect();
    out.push(sum(&|_| true));
    out
}

/// The estimates of one run's aggregate, row by row, for [`RunReport::new`].
struct Estimates<'a> {
    model: &'a Model,
    lay: &'a Layout,
    agg: &'a Aggregate,
    confidence: f64,
}

impl Estimates<'_> {
    /// The estimate of one metric slot.
    fn slot(&self, slot: usize) -> Estimate {
        self.agg.estimate(self.lay, slot, self.confidence)
    }

    /// Every contact metric of layout row `row`.
    fn metrics(&self, row: usize) -> Metrics {
        let ids: Vec<usize> = self.lay.metric_ids().collect();
        let absent = Estimate {
            mean: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
            half_width: f64::NAN,
            n: 0,
        };
        let mut values = vec![absent; ids.last().map_or(0, |l| l + 1)];
        for &i in &ids {
            values[i] = self.slot(self.lay.slot(row, i));
        }
        Metrics(values, ids)
    }

    /// The row `key` named `id`, if the layout has it (a channel offers that segment, ...).
    fn row(&self, key: RowKey, id: String) -> Option<RowReport> {
        self.lay.row(key).map(|r| RowReport {
            id,
            goal: self.lay.rows[r].goal,
            metrics: self.metrics(r),
        })
    }

    /// Channel `c`, with its segments, types and intervals.
    fn channel(&self, c: usize) -> ChannelReport {
        let (model, ch) = (self.model, &self.model.channels[c]);
        let row = self.lay.row(RowKey::Channel { channel: c });
        ChannelReport {
            id: ch.id.clone(),
            goal: ch.goal,
            metrics: self.metrics(row.expect("channel row")),
            segments: (0..model.segments.len())
                .filter_map(|s| {
                    let key = RowKey::ChannelSegment {
                        channel: c,
                        segment: s,
                    };
                    self.row(key, model.segments[s].id.clone())
                })
                .collect(),
            types: (0..model.types.len())
                .filter_map(|t| {
                    let key = RowKey::ChannelType {
                        channel: c,
                        type_: t,
                    };
                    self.row(key, model.types[t].clone())
                })
                .collect(),
            intervals: (0..model.n_intervals)
                .filter_map(|k| {
                    let key = RowKey::ChannelInterval {
                        channel: c,
                        interval: k,
                    };
                    self.row(key, model.interval_label(k))
                })
                .collect(),
        }
    }

    /// Agent group `g`: occupancy and agent hours over the day and per interval.
    fn group(&self, g: usize) -> GroupReport {
        let lay = self.lay;
        let est = |k: Option<usize>, i: usize| {
            self.slot(lay.group_slot(lay.group_row(g, k).expect("group row"), i))
        };
        GroupReport {
            id: self.model.groups[g].id.clone(),
            occupancy: est(None, 0),
            agent_hours: est(None, 1),
            intervals: (0..self.model.n_intervals)
                .map(|k| GroupIntervalReport {
                    id: self.model.interval_label(k),
                    occupancy: est(Some(k), 0),
                    agent_hours: est(Some(k), 1),
                })
                .collect(),
        }
    }

    /// The pooled wait-time histograms: (row id, counts) for overall, channels, segments, types.
    fn pooled(&self) -> Vec<(String, Vec<u64>)> {
        let model = self.model;
        self.lay
            .pooled_rows
            .iter()
            .map(|&r| {
                let id = match self.lay.rows[r].key {
                    RowKey::Overall => "overall".to_string(),
                    RowKey::Channel { channel } => model.channels[channel].id.clone(),
                    RowKey::Segment { segment } => model.segments[segment].id.clone(),
                    RowKey::Type { type_ } => model.types[type_].clone(),
                    _ => String::new(),
                };
                (id, self.agg.pooled_counts(r))
            })
            .collect()
    }
}

/// Writes `bytes` to `path` atomically, as every output is written ([`output::write`]): a
/// temporary file in the same folder, then a rename, so a reader never sees a half-written file
/// (in place for a device or FIFO, staged in an open [`output::Transaction`]).
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    output::write(path, bytes)
}
