//! Statistics: per-replication counters ([`RepStats`]), the layout of reported rows and
//! metrics ([`Layout`]), one replication's metric values ([`RepSummary`]) and their aggregate
//! over replications ([`Aggregate`]: mean and confidence interval of each metric, pooled
//! wait-time histograms). Memory does not depend on the number of replications.
//!
//! Ratios (service level, ASA, abandonment rate, long-wait share, occupancy) are estimated as
//! ratios of sums over replications ([`RatioMoments`]): the long-run share queueing theory
//! predicts, not the mean of per-replication shares, which is biased when busy days carry more
//! contacts. Counts, the typical day's wait quantiles and "goal met" are plain means over
//! replications. The wait quantiles are those of all replications' waits pooled ([`sections`]).
//!
//! Every contact is counted in three base cells: (channel, segment), (channel, type) and
//! (channel, arrival interval). Report rows (overall, per channel, segment, type, interval, ...)
//! are sums of base cells. Warm-up arrivals are simulated but never counted.

pub mod exact;
pub mod histogram;
pub mod moments;
pub mod realism;
pub mod sections;

use serde::{Deserialize, Serialize};

use crate::model::{Goal, Model, ServiceLevelDef, SlFormula};
use histogram::BINS;
pub use moments::{Estimate, Moments, RatioMoments};
pub use realism::{RealCell, REAL_METRICS};
pub use sections::{section_of, WaitSections, SECTIONS};

/// Counters of one base cell in one replication.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cell {
    pub offered: u32,
    pub answered: u32,
    pub abandoned: u32,
    /// Answered with wait <= the channel's threshold.
    pub answered_in_goal: u32,
    /// Answered with wait <= the segment goal's threshold (segments with a goal).
    pub answered_in_segment_goal: u32,
    /// Abandoned with wait <= `short_abandon_s`.
    pub short_abandons: u32,
    /// Answered or abandoned after waiting more than `long_wait_s`.
    pub over_long_wait: u32,
    /// Still waiting when the simulation ended (never answered nor abandoned).
    pub unresolved: u32,
    /// Waiting at closing time.
    pub waiting_at_close: u32,
    pub sum_wait_answered: f64,
    /// Sum of the abandoned contacts' waits (their time in queue).
    pub sum_wait_abandoned: f64,
    /// Answered or abandoned with a wait of exactly zero.
    pub zero_waits: u32,
    pub max_wait: f64,
    /// One past the highest histogram bin used.
    pub top: u32,
    // Surge playbook outcomes (see `crate::sim::playbook`); zero without a playbook.
    /// Sent to self-service.
    pub diverted: u32,
    /// Hung up after the estimated-wait announcement.
    pub hung_up: u32,
    pub callback_requested: u32,
    /// Callbacks an agent made.
    pub callback_completed: u32,
    /// Callbacks still waiting at the end of the day.
    pub callback_unserved: u32,
    /// Sum of the delays (request to call-back) of the callbacks made.
    pub sum_callback_delay: f64,
}

impl Cell {
    /// Adds the counts of `x` (a row's cells summed; `max_wait` and `top` take the maximum).
    fn add(&mut self, x: &Cell) {
        self.offered += x.offered;
        self.answered += x.answered;
        self.abandoned += x.abandoned;
        self.answered_in_goal += x.answered_in_goal;
        self.answered_in_segment_goal += x.answered_in_segment_goal;
        self.short_abandons += x.short_abandons;
        self.over_long_wait += x.over_long_wait;
        self.unresolved += x.unresolved;
        self.waiting_at_close += x.waiting_at_close;
        self.sum_wait_answered += x.sum_wait_answered;
        self.sum_wait_abandoned += x.sum_wait_abandoned;
        self.zero_waits += x.zero_waits;
        self.max_wait = self.max_wait.max(x.max_wait);
        self.top = self.top.max(x.top);
        self.diverted += x.diverted;
        self.hung_up += x.hung_up;
        self.callback_requested += x.callback_requested;
        self.callback_completed += x.callback_completed;
        self.callback_unserved += x.callback_unserved;
        self.sum_callback_delay += x.sum_callback_delay;
    }
}

/// One replication's counters, reused across replications.
#[derive(Debug, Clone)]
pub struct RepStats {
    pub cells: Vec<Cell>,
    /// `cells.len() * BINS` wait-time counts (answered and abandoned contacts).
    pub hist: Vec<u32>,
    /// Busy agent-seconds per (group, interval), concurrency-weighted.
    pub busy: Vec<f64>,
    /// On-duty agent-seconds per (group, interval).
    pub staffed: Vec<f64>,
    /// Simulation time the surge playbook was activated (NaN: not activated).
    pub activated_at: f64,
    /// Simulation time its reserve agents joined (NaN: not joined).
    pub reserve_joined_at: f64,
    /// Realism counters per cell ([`realism`]); empty unless the model uses a realism feature.
    pub real: Vec<RealCell>,
}

impl RepStats {
    pub fn new(layout: &Layout) -> RepStats {
        let n = layout.n_cells;
        let gi = layout.n_groups * layout.n_intervals;
        RepStats {
            cells: vec![Cell::default(); n],
            hist: vec![0; n * BINS],
            busy: vec![0.0; gi],
            staffed: vec![0.0; gi],
            activated_at: f64::NAN,
            reserve_joined_at: f64::NAN,
            real: if layout.real {
                vec![RealCell::default(); n]
            } else {
                Vec::new()
            },
        }
    }

    pub fn reset(&mut self) {
        for (i, c) in self.cells.iter_mut().enumerate() {
            let top = c.top as usize;
            self.hist[i * BINS..i * BINS + top].fill(0);
            *c = Cell::default();
        }
        self.busy.fill(0.0);
        self.staffed.fill(0.0);
        self.activated_at = f64::NAN;
        self.reserve_joined_at = f64::NAN;
        self.real.fill(RealCell::default());
    }

    #[inline]
    fn add_wait(&mut self, cell: usize, wait: f64, b: usize) {
        self.hist[cell * BINS + b] += 1;
        let c = &mut self.cells[cell];
        if b as u32 >= c.top {
            c.top = b as u32 + 1;
        }
        if wait > c.max_wait {
            c.max_wait = wait;
        }
    }

    /// Counts the contacts offered in each cell, once every contact of the replication has its
    /// outcome: each counted arrival has exactly one of answered, abandoned, unresolved,
    /// diverted, hung up or callback requested (a callback made later is not counted again).
    /// Counting them here instead of at each arrival saves three cell updates per contact.
    pub fn count_offered(&mut self) {
        for x in &mut self.cells {
            x.offered = x.answered
                + x.abandoned
                + x.unresolved
                + x.diverted
                + x.hung_up
                + x.callback_requested;
        }
        // Realism: the contacts an outage sent away are offered too.
        for (x, r) in self.cells.iter_mut().zip(&self.real) {
            x.offered += r.outage_redirected + r.outage_call_later + r.outage_self_service;
        }
    }

    /// Counts an answered contact that waited `wait` seconds.
    #[inline]
    pub fn answered(&mut self, cells: [u32; 3], wait: f64, t: &Thresholds) {
        let b = histogram::bin(wait);
        let in_goal = (wait <= t.goal_s) as u32;
        let in_seg = (wait <= t.segment_goal_s) as u32;
        let long = (wait > t.long_wait_s) as u32;
        let zero = (wait <= 0.0) as u32;
        for c in cells {
            let c = c as usize;
            let x = &mut self.cells[c];
            x.answered += 1;
            x.zero_waits += zero;
            x.answered_in_goal += in_goal;
            x.answered_in_segment_goal += in_seg;
            x.over_long_wait += long;
            x.sum_wait_answered += wait;
            self.add_wait(c, wait, b);
        }
    }

    /// [`RepStats::answered`] for a contact answered as it arrived (a wait of exactly 0): the
    /// same counts (its zero wait included) without the wait's arithmetic. Its bin is 0, and
    /// adding 0 to the cells' wait sums and maxima changes neither (both start at 0 and no wait
    /// is negative).
    #[inline]
    pub fn answered_at_once(&mut self, cells: [u32; 3], t: &Thresholds) {
        let in_goal = (0.0 <= t.goal_s) as u32;
        let in_seg = (0.0 <= t.segment_goal_s) as u32;
        let long = (0.0 > t.long_wait_s) as u32;
        for c in cells {
            let c = c as usize;
            let x = &mut self.cells[c];
            x.answered += 1;
            x.zero_waits += 1;
            x.answered_in_goal += in_goal;
            x.answered_in_segment_goal += in_seg;
            x.over_long_wait += long;
            x.top = x.top.max(1);
            self.hist[c * BINS] += 1;
        }
    }

    /// Counts a contact that abandoned after `wait` seconds.
    #[inline]
    pub fn abandoned(&mut self, cells: [u32; 3], wait: f64, t: &Thresholds) {
        let b = histogram::bin(wait);
        let short = (wait <= t.short_abandon_s) as u32;
        let long = (wait > t.long_wait_s) as u32;
        let zero = (wait <= 0.0) as u32;
        for c in cells {
            let c = c as usize;
            let x = &mut self.cells[c];
            x.abandoned += 1;
            x.zero_waits += zero;
            x.sum_wait_abandoned += wait;
            x.short_abandons += short;
            x.over_long_wait += long;
            self.add_wait(c, wait, b);
        }
    }

    /// Counts a contact left waiting at the end of the simulation.
    #[inline]
    pub fn unresolved(&mut self, cells: [u32; 3]) {
        self.each(cells, |x| x.unresolved += 1);
    }

    /// Counts a contact waiting at closing time.
    #[inline]
    pub fn waiting_at_close(&mut self, cells: [u32; 3]) {
        self.each(cells, |x| x.waiting_at_close += 1);
    }

    /// Applies `f` to the contact's three base cells.
    #[inline]
    fn each(&mut self, cells: [u32; 3], f: impl Fn(&mut Cell)) {
        for c in cells {
            f(&mut self.cells[c as usize]);
        }
    }

    /// Counts a contact diverted to self-service by the surge playbook.
    pub fn diverted(&mut self, cells: [u32; 3]) {
        self.each(cells, |x| x.diverted += 1);
    }

    /// Counts a contact that hung up after the estimated-wait announcement.
    pub fn hung_up(&mut self, cells: [u32; 3]) {
        self.each(cells, |x| x.hung_up += 1);
    }

    /// Counts a callback request.
    pub fn callback_requested(&mut self, cells: [u32; 3]) {
        self.each(cells, |x| x.callback_requested += 1);
    }

    /// Counts a callback made `delay` seconds after the request.
    pub fn callback_completed(&mut self, cells: [u32; 3], delay: f64) {
        self.each(cells, |x| {
            x.callback_completed += 1;
            x.sum_callback_delay += delay;
        });
    }

    /// Counts a callback never made.
    pub fn callback_unserved(&mut self, cells: [u32; 3]) {
        self.each(cells, |x| x.callback_unserved += 1);
    }
}

/// The thresholds that apply to one contact class.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub goal_s: f64,
    /// The segment goal's threshold; -1 when the segment has no goal (no wait is <= -1).
    pub segment_goal_s: f64,
    pub long_wait_s: f64,
    pub short_abandon_s: f64,
}

/// What a report row aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RowKey {
    Overall,
    Channel { channel: usize },
    Segment { segment: usize },
    Type { type_: usize },
    ChannelSegment { channel: usize, segment: usize },
    ChannelType { channel: usize, type_: usize },
    Interval { interval: usize },
    ChannelInterval { channel: usize, interval: usize },
}

/// A contact report row: which base cells it sums and which goal it is judged against.
#[derive(Debug, Clone)]
pub struct Row {
    pub key: RowKey,
    pub cells: Vec<u32>,
    pub goal: Option<Goal>,
    /// The goal is a segment goal (judged on `answered_in_segment_goal`).
    pub segment_goal: bool,
}

/// Metrics of a contact row, in slot order.
pub const CONTACT_METRICS: [&str; 23] = [
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_s",
    "abandon_rate",
    "p50_wait_s",
    "p80_wait_s",
    "p90_wait_s",
    "p95_wait_s",
    "p99_wait_s",
    "max_wait_s",
    "long_wait_share",
    "goal_service_level",
    "goal_met",
    "unresolved",
    "waiting_at_close",
    "mean_wait_s",
    "p50_wait_day_s",
    "p80_wait_day_s",
    "p90_wait_day_s",
    "p95_wait_day_s",
    "p99_wait_day_s",
];

/// Further metrics of a contact row when the model has a surge playbook, after
/// [`CONTACT_METRICS`] (slots `m::DIVERTED..`).
pub const PLAYBOOK_METRICS: [&str; 6] = [
    "diverted",
    "hung_up",
    "callback_requested",
    "callback_completed",
    "callback_unserved",
    "callback_delay_s",
];

/// Metrics of the whole day when the model has a surge playbook, after the group slots.
pub const PLAYBOOK_DAY_METRICS: [&str; 3] =
    ["activated", "activation_minutes", "reserve_join_minutes"];

/// The id of the first [`REAL_METRICS`] entry: metric ids are [`CONTACT_METRICS`], then
/// [`PLAYBOOK_METRICS`], then [`REAL_METRICS`], whichever a layout has.
pub const REAL_FIRST: usize = CONTACT_METRICS.len() + PLAYBOOK_METRICS.len();

/// The name of contact metric `i` (a [`CONTACT_METRICS`], [`PLAYBOOK_METRICS`] or
/// [`REAL_METRICS`] entry).
pub fn metric_name(i: usize) -> &'static str {
    CONTACT_METRICS
        .iter()
        .chain(&PLAYBOOK_METRICS)
        .chain(&REAL_METRICS)
        .nth(i)
        .copied()
        .unwrap_or("?")
}

/// The index of a metric by name: `CONTACT_METRICS` first, then `PLAYBOOK_METRICS` (the inverse
/// of [`metric_name`]).
pub fn metric_index(name: &str) -> Option<usize> {
    CONTACT_METRICS
        .iter()
        .chain(&PLAYBOOK_METRICS)
        .chain(&REAL_METRICS)
        .position(|x| *x == name)
}

/// Index of each contact metric.
pub mod m {
    pub const OFFERED: usize = 0;
    pub const ANSWERED: usize = 1;
    pub const ABANDONED: usize = 2;
    pub const SERVICE_LEVEL: usize = 3;
    pub const ASA: usize = 4;
    pub const ABANDON_RATE: usize = 5;
    pub const P50: usize = 6;
    pub const P80: usize = 7;
    pub const P90: usize = 8;
    pub const P95: usize = 9;
    pub const P99: usize = 10;
    pub const MAX: usize = 11;
    pub const LONG_WAIT_SHARE: usize = 12;
    pub const GOAL_SL: usize = 13;
    pub const GOAL_MET: usize = 14;
    pub const UNRESOLVED: usize = 15;
    pub const WAITING_AT_CLOSE: usize = 16;
    /// Mean wait of the answered and abandoned contacts.
    pub const MEAN_WAIT: usize = 17;
    /// The typical day's quantiles (each replication's own, averaged): `P50_DAY..=P99_DAY`.
    pub const P50_DAY: usize = 18;
    pub const P99_DAY: usize = 22;
    pub const DIVERTED: usize = 23;
    pub const HUNG_UP: usize = 24;
    pub const CALLBACK_REQUESTED: usize = 25;
    pub const CALLBACK_COMPLETED: usize = 26;
    pub const CALLBACK_UNSERVED: usize = 27;
    pub const CALLBACK_DELAY: usize = 28;
    pub const QUANTILES: [f64; 5] = [0.5, 0.8, 0.9, 0.95, 0.99];
}

/// Metrics of an agent-group row.
pub const GROUP_METRICS: [&str; 2] = ["occupancy", "agent_hours"];

/// A group row: whole day (`interval` None) or one interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GroupRow {
    pub group: usize,
    pub interval: Option<usize>,
}

/// Rows, metrics and base cells of a model's report.
#[derive(Debug, Clone)]
pub struct Layout {
    pub rows: Vec<Row>,
    pub group_rows: Vec<GroupRow>,
    pub n_cells: usize,
    pub n_groups: usize,
    pub n_intervals: usize,
    /// Base cells (channel-segment, channel-type) of each class.
    pub class_cells: Vec<[u32; 2]>,
    /// First (channel, interval) cell; cell = base + channel * n_intervals + interval.
    pub interval_base: u32,
    /// Rows whose wait histograms are pooled over replications (for plots): overall, channels, segments, types.
    pub pooled_rows: Vec<usize>,
    pub sl: ServiceLevelDef,
    /// Metrics per contact row: [`CONTACT_METRICS`], then [`PLAYBOOK_METRICS`] when the model
    /// has a surge playbook.
    pub n_metrics: usize,
    /// The model has a surge playbook: playbook metrics per row and [`PLAYBOOK_DAY_METRICS`].
    pub playbook: bool,
    /// Start of the simulated day (end of the warm-up), seconds.
    pub open_t: f64,
    /// The model uses a realism feature: [`REAL_METRICS`] per row, after the playbook's.
    pub real: bool,
}

/// How a model's statistics cells are numbered: the (channel, segment) cells first, then the
/// (channel, type) cells, then the (channel, interval) cells; and which of the first two kinds
/// exist (some class has that channel and segment, or channel and type).
struct CellIndex {
    nc: usize,
    ns: usize,
    nt: usize,
    ni: usize,
    has_cs: Vec<bool>,
    has_ct: Vec<bool>,
}

impl CellIndex {
    fn new(model: &Model) -> CellIndex {
        let (nc, ns, nt) = (
            model.channels.len(),
            model.segments.len(),
            model.types.len(),
        );
        let mut has_cs = vec![false; nc * ns];
        let mut has_ct = vec![false; nc * nt];
        for cl in &model.classes {
            has_cs[cl.channel * ns + cl.segment] = true;
            has_ct[cl.channel * nt + cl.type_] = true;
        }
        CellIndex {
            nc,
            ns,
            nt,
            ni: model.n_intervals,
            has_cs,
            has_ct,
        }
    }

    /// The (channel, segment) cell, if any class has them.
    fn cs(&self, c: usize, s: usize) -> Option<u32> {
        self.has_cs[c * self.ns + s].then_some((c * self.ns + s) as u32)
    }

    /// The (channel, type) cell, if any class has them.
    fn ct(&self, c: usize, t: usize) -> Option<u32> {
        self.has_ct[c * self.nt + t].then_some((self.nc * self.ns + c * self.nt + t) as u32)
    }

    /// The first (channel, interval) cell.
    fn interval_base(&self) -> u32 {
        (self.nc * self.ns + self.nc * self.nt) as u32
    }

    /// The (channel, interval) cell.
    fn ci(&self, c: usize, k: usize) -> u32 {
        self.interval_base() + (c * self.ni + k) as u32
    }

    fn n_cells(&self) -> usize {
        self.nc * self.ns + self.nc * self.nt + self.nc * self.ni
    }
}

fn row(key: RowKey, cells: Vec<u32>, goal: Option<Goal>, segment_goal: bool) -> Row {
    Row {
        key,
        cells,
        goal,
        segment_goal,
    }
}

/// The rows whose wait histograms are pooled (for plots), in order: overall, each channel, each
/// segment, each type.
fn pooled_rows(model: &Model, ix: &CellIndex) -> Vec<Row> {
    let (nc, ns, nt) = (ix.nc, ix.ns, ix.nt);
    let all_cs = (0..nc)
        .flat_map(|c| (0..ns).filter_map(move |s| ix.cs(c, s)))
        .collect();
    let mut rows = vec![row(RowKey::Overall, all_cs, None, false)];
    for (c, ch) in model.channels.iter().enumerate() {
        let cells = (0..ns).filter_map(|s| ix.cs(c, s)).collect();
        rows.push(row(
            RowKey::Channel { channel: c },
            cells,
            Some(ch.goal),
            false,
        ));
    }
    for (s, seg) in model.segments.iter().enumerate() {
        let cells = (0..nc).filter_map(|c| ix.cs(c, s)).collect();
        rows.push(row(
            RowKey::Segment { segment: s },
            cells,
            seg.goal,
            seg.goal.is_some(),
        ));
    }
    for t in 0..nt {
        let cells = (0..nc).filter_map(|c| ix.ct(c, t)).collect();
        rows.push(row(RowKey::Type { type_: t }, cells, None, false));
    }
    rows
}

/// One row per (channel, segment) cell, then one per (channel, type) cell.
fn pair_rows(model: &Model, ix: &CellIndex, rows: &mut Vec<Row>) {
    for c in 0..ix.nc {
        for (s, seg) in model.segments.iter().enumerate() {
            if let Some(cell) = ix.cs(c, s) {
                let key = RowKey::ChannelSegment {
                    channel: c,
                    segment: s,
                };
                rows.push(row(key, vec![cell], seg.goal, seg.goal.is_some()));
            }
        }
    }
    for c in 0..ix.nc {
        for t in 0..ix.nt {
            if let Some(cell) = ix.ct(c, t) {
                let key = RowKey::ChannelType {
                    channel: c,
                    type_: t,
                };
                rows.push(row(key, vec![cell], None, false));
            }
        }
    }
}

/// One row per interval (all channels), then one per (channel, interval).
fn interval_rows(model: &Model, ix: &CellIndex, rows: &mut Vec<Row>) {
    for k in 0..ix.ni {
        let cells = (0..ix.nc).map(|c| ix.ci(c, k)).collect();
        rows.push(row(RowKey::Interval { interval: k }, cells, None, false));
    }
    for (c, ch) in model.channels.iter().enumerate() {
        for k in 0..ix.ni {
            let key = RowKey::ChannelInterval {
                channel: c,
                interval: k,
            };
            rows.push(row(key, vec![ix.ci(c, k)], Some(ch.goal), false));
        }
    }
}

/// Each group's whole-day row, then its interval rows.
fn group_rows(model: &Model) -> Vec<GroupRow> {
    let mut group_rows = Vec::new();
    for g in 0..model.groups.len() {
        group_rows.push(GroupRow {
            group: g,
            interval: None,
        });
        for k in 0..model.n_intervals {
            group_rows.push(GroupRow {
                group: g,
                interval: Some(k),
            });
        }
    }
    group_rows
}

impl Layout {
    /// The rows of `model`'s report, in the order reports list them: overall, channels,
    /// segments, types (the pooled rows), channel-segment and channel-type pairs, intervals,
    /// channel-intervals; then the group rows.
    pub fn new(model: &Model) -> Layout {
        let ix = CellIndex::new(model);
        let mut rows = pooled_rows(model, &ix);
        let pooled_rows = (0..rows.len()).collect();
        pair_rows(model, &ix, &mut rows);
        interval_rows(model, &ix, &mut rows);
        let class_cells = model
            .classes
            .iter()
            .map(|cl| {
                [
                    ix.cs(cl.channel, cl.segment).expect("the class's own pair"),
                    ix.ct(cl.channel, cl.type_).expect("the class's own pair"),
                ]
            })
            .collect();
        Layout {
            rows,
            group_rows: group_rows(model),
            n_cells: ix.n_cells(),
            n_groups: model.groups.len(),
            n_intervals: ix.ni,
            class_cells,
            interval_base: ix.interval_base(),
            pooled_rows,
            sl: model.sl,
            n_metrics: CONTACT_METRICS.len()
                + if model.playbook.is_some() {
                    PLAYBOOK_METRICS.len()
                } else {
                    0
                },
            playbook: model.playbook.is_some(),
            open_t: model.warmup_s,
            real: model.realism.is_used(),
        }
        .with_real_metrics()
    }

    /// Adds the realism metrics to `n_metrics` when the model uses them.
    fn with_real_metrics(mut self) -> Layout {
        if self.real {
            self.n_metrics += REAL_METRICS.len();
        }
        self
    }

    /// The metric ids a row of this layout has, in order (see [`REAL_FIRST`]).
    pub fn metric_ids(&self) -> impl Iterator<Item = usize> + '_ {
        let base = if self.playbook {
            REAL_FIRST
        } else {
            CONTACT_METRICS.len()
        };
        (0..base).chain((REAL_FIRST..REAL_FIRST + REAL_METRICS.len()).filter(|_| self.real))
    }

    /// Whether rows of this layout have metric `id`.
    pub fn has_metric(&self, id: usize) -> bool {
        id < CONTACT_METRICS.len()
            || (id < REAL_FIRST && self.playbook)
            || (id >= REAL_FIRST && id < REAL_FIRST + REAL_METRICS.len() && self.real)
    }

    /// The position of metric `id` among a row's slots.
    #[inline]
    fn local(&self, id: usize) -> usize {
        if id < REAL_FIRST || self.playbook {
            id
        } else {
            id - PLAYBOOK_METRICS.len()
        }
    }

    /// Number of metric slots in a [`RepSummary`].
    pub fn n_slots(&self) -> usize {
        self.rows.len() * self.n_metrics
            + self.group_rows.len() * GROUP_METRICS.len()
            + if self.playbook {
                PLAYBOOK_DAY_METRICS.len()
            } else {
                0
            }
    }

    /// Slot of contact metric `metric` of row `row`.
    #[inline]
    pub fn slot(&self, row: usize, metric: usize) -> usize {
        row * self.n_metrics + self.local(metric)
    }

    /// Slot of group metric `metric` of group row `row`.
    #[inline]
    pub fn group_slot(&self, row: usize, metric: usize) -> usize {
        self.rows.len() * self.n_metrics + row * GROUP_METRICS.len() + metric
    }

    /// Slot of [`PLAYBOOK_DAY_METRICS`] entry `metric` (models with a playbook).
    pub fn playbook_slot(&self, metric: usize) -> usize {
        debug_assert!(self.playbook);
        self.rows.len() * self.n_metrics + self.group_rows.len() * GROUP_METRICS.len() + metric
    }

    /// The row and level of a slot that holds a pooled wait quantile (`p50_wait_s` ..
    /// `p99_wait_s`), `None` for any other slot.
    pub fn quantile_slot(&self, slot: usize) -> Option<(usize, f64)> {
        let (row, local) = (slot / self.n_metrics, slot % self.n_metrics);
        (row < self.rows.len() && (m::P50..=m::P99).contains(&local))
            .then(|| (row, m::QUANTILES[local - m::P50]))
    }

    /// Index of the row with this key.
    pub fn row(&self, key: RowKey) -> Option<usize> {
        self.rows.iter().position(|r| r.key == key)
    }

    /// Index of a group row.
    pub fn group_row(&self, group: usize, interval: Option<usize>) -> Option<usize> {
        self.group_rows
            .iter()
            .position(|r| r.group == group && r.interval == interval)
    }

    /// Computes one replication's metrics into `out`, with every row's wait histogram (in
    /// section 0 of the pooled quantiles: for a look at one replication; runs that aggregate
    /// use [`Layout::summarize_in`]).
    pub fn summarize(&self, rep: &RepStats, out: &mut RepSummary) {
        self.summarize_in(rep, 0, out)
    }

    /// [`Layout::summarize`] for a replication in section `section` ([`section_of`]) of the
    /// pooled quantiles.
    pub fn summarize_in(&self, rep: &RepStats, section: usize, out: &mut RepSummary) {
        out.values.resize(self.n_slots(), f64::NAN);
        out.dens.resize(self.n_slots(), 1.0);
        out.section = section;
        out.hists.clear();
        out.hist_ends.clear();
        out.zeros.clear();
        let mut scratch = std::mem::take(&mut out.scratch);
        scratch.resize(BINS, 0);
        let nm = self.n_metrics;
        for (r, row) in self.rows.iter().enumerate() {
            let mut sum = Cell::default();
            for &c in &row.cells {
                sum.add(&rep.cells[c as usize]);
            }
            let top = sum.top as usize;
            let h: &[u32] = if row.cells.len() == 1 {
                let c = row.cells[0] as usize;
                &rep.hist[c * BINS..c * BINS + top]
            } else {
                scratch[..top].fill(0);
                for &c in &row.cells {
                    let c = c as usize;
                    let t = rep.cells[c].top as usize;
                    for (d, s) in scratch[..t]
                        .iter_mut()
                        .zip(&rep.hist[c * BINS..c * BINS + t])
                    {
                        *d += s;
                    }
                }
                &scratch[..top]
            };
            let v = &mut out.values[r * nm..(r + 1) * nm];
            let d = &mut out.dens[r * nm..(r + 1) * nm];
            cell_metrics(&sum, h, row, &self.sl, v, d);
            if self.real {
                let mut x = RealCell::default();
                for &c in &row.cells {
                    x.add(&rep.real[c as usize]);
                }
                let j = self.local(REAL_FIRST);
                realism::real_metrics(&sum, &x, &mut v[j..], &mut d[j..]);
            }
            out.hists.extend_from_slice(h);
            out.hist_ends.push(out.hists.len() as u32);
            out.zeros.push(sum.zero_waits);
        }
        let ni = self.n_intervals;
        for (r, gr) in self.group_rows.iter().enumerate() {
            let base = gr.group * ni;
            let (busy, staffed) = match gr.interval {
                Some(k) => (rep.busy[base + k], rep.staffed[base + k]),
                None => (
                    rep.busy[base..base + ni].iter().sum(),
                    rep.staffed[base..base + ni].iter().sum(),
                ),
            };
            let s = self.group_slot(r, 0);
            out.values[s] = busy;
            out.dens[s] = staffed;
            out.values[s + 1] = staffed / 3600.0;
            out.dens[s + 1] = 1.0;
        }
        if self.playbook {
            let s = self.playbook_slot(0);
            let minutes = |t: f64| (t - self.open_t) / 60.0;
            out.values[s] = (!rep.activated_at.is_nan()) as u8 as f64;
            out.values[s + 1] = minutes(rep.activated_at);
            out.values[s + 2] = minutes(rep.reserve_joined_at);
            out.dens[s..s + 3].fill(1.0);
        }
        out.scratch = scratch;
    }
}

/// Denominator of the service level under `formula`.
pub fn sl_denominator(formula: SlFormula, c: &Cell) -> u32 {
    match formula {
        SlFormula::AnsweredAndAbandoned => c.answered + c.abandoned,
        SlFormula::Answered => c.answered,
        SlFormula::Offered => c.offered,
        SlFormula::ExcludeShortAbandons => c.answered + c.abandoned - c.short_abandons,
    }
}

/// Service level under `formula` from counts: `within` answered within the threshold.
pub fn service_level(formula: SlFormula, within: u32, c: &Cell) -> f64 {
    let den = sl_denominator(formula, c);
    if den == 0 {
        f64::NAN
    } else {
        within as f64 / den as f64
    }
}

/// Fills one row's metrics: ratios as (numerator, denominator) pairs, which the aggregate turns
/// into ratio estimates over replications; other metrics with denominator 1.
fn cell_metrics(
    c: &Cell,
    h: &[u32],
    row: &Row,
    sl: &ServiceLevelDef,
    v: &mut [f64],
    d: &mut [f64],
) {
    let resolved = (c.answered + c.abandoned) as f64;
    d.fill(1.0);
    v[m::OFFERED] = c.offered as f64;
    v[m::ANSWERED] = c.answered as f64;
    v[m::ABANDONED] = c.abandoned as f64;
    let sl_den = sl_denominator(sl.formula, c) as f64;
    v[m::SERVICE_LEVEL] = c.answered_in_goal as f64;
    d[m::SERVICE_LEVEL] = sl_den;
    v[m::ASA] = c.sum_wait_answered;
    d[m::ASA] = c.answered as f64;
    v[m::ABANDON_RATE] = c.abandoned as f64;
    d[m::ABANDON_RATE] = c.offered as f64;
    v[m::MEAN_WAIT] = c.sum_wait_answered + c.sum_wait_abandoned;
    d[m::MEAN_WAIT] = resolved;
    // Every answered or abandoned contact, and no other, has its wait in the histogram. The
    // day's own quantiles give the typical day; the quantiles of all days pooled are read from
    // the aggregate's histograms ([`Aggregate::estimate`]), so their slots hold nothing here.
    let total = c.answered as u64 + c.abandoned as u64;
    histogram::quantiles_with_total(h, total, &m::QUANTILES, &mut v[m::P50_DAY..=m::P99_DAY]);
    v[m::P50..=m::P99].fill(f64::NAN);
    v[m::MAX] = if resolved > 0.0 { c.max_wait } else { f64::NAN };
    v[m::LONG_WAIT_SHARE] = c.over_long_wait as f64;
    d[m::LONG_WAIT_SHARE] = resolved;
    match row.goal {
        None => {
            v[m::GOAL_SL] = f64::NAN;
            v[m::GOAL_MET] = f64::NAN;
        }
        Some(g) => {
            let within = if row.segment_goal {
                c.answered_in_segment_goal
            } else {
                c.answered_in_goal
            };
            v[m::GOAL_SL] = within as f64;
            d[m::GOAL_SL] = sl_den;
            // Whether this replication met the goal: its own service level against the target.
            let x = service_level(sl.formula, within, c);
            v[m::GOAL_MET] = if x.is_nan() {
                f64::NAN
            } else {
                (x >= g.target) as u8 as f64
            };
        }
    }
    v[m::UNRESOLVED] = c.unresolved as f64;
    v[m::WAITING_AT_CLOSE] = c.waiting_at_close as f64;
    if v.len() > m::DIVERTED {
        v[m::DIVERTED] = c.diverted as f64;
        v[m::HUNG_UP] = c.hung_up as f64;
        v[m::CALLBACK_REQUESTED] = c.callback_requested as f64;
        v[m::CALLBACK_COMPLETED] = c.callback_completed as f64;
        v[m::CALLBACK_UNSERVED] = c.callback_unserved as f64;
        v[m::CALLBACK_DELAY] = c.sum_callback_delay;
        d[m::CALLBACK_DELAY] = c.callback_completed as f64;
    }
}

/// One replication's metric values (NaN = undefined in this replication) with their
/// denominators (1 for metrics that are not ratios), and every row's wait histogram.
#[derive(Debug, Clone, Default)]
pub struct RepSummary {
    pub values: Vec<f64>,
    pub dens: Vec<f64>,
    /// The section of the pooled quantiles the replication falls in ([`section_of`]).
    pub section: usize,
    /// The rows' wait histograms one after the other, each up to its last bin used: row `r`'s
    /// is `hists[hist_ends[r - 1]..hist_ends[r]]`.
    pub hists: Vec<u32>,
    pub hist_ends: Vec<u32>,
    /// Each row's waits of exactly zero.
    pub zeros: Vec<u32>,
    scratch: Vec<u32>,
}

impl RepSummary {
    /// Row `r`'s wait histogram (up to its last bin used).
    pub fn hist(&self, r: usize) -> &[u32] {
        let start = if r == 0 { 0 } else { self.hist_ends[r - 1] };
        &self.hists[start as usize..self.hist_ends[r] as usize]
    }
}

/// Metrics aggregated over replications (exactly: see [`exact`]). Serialisable, for the
/// partial results of shards.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Aggregate {
    pub replications: u64,
    pub moments: Vec<RatioMoments>,
    /// Every row's wait-time counts over all replications, per section ([`sections`]).
    pub waits: Vec<WaitSections>,
}

impl Aggregate {
    pub fn new(layout: &Layout) -> Aggregate {
        Aggregate {
            replications: 0,
            moments: vec![RatioMoments::default(); layout.n_slots()],
            waits: vec![WaitSections::default(); layout.rows.len()],
        }
    }

    /// An empty aggregate of the same shape.
    pub fn fresh(&self) -> Aggregate {
        Aggregate {
            replications: 0,
            moments: vec![RatioMoments::default(); self.moments.len()],
            waits: vec![WaitSections::default(); self.waits.len()],
        }
    }

    /// Whether this aggregate (a decoded partial result) fits `layout`.
    pub fn fits(&self, layout: &Layout) -> bool {
        self.moments.len() == layout.n_slots()
            && self.waits.len() == layout.rows.len()
            && self.waits.iter().all(WaitSections::is_valid)
    }

    /// Empties the aggregate in place (its layout kept).
    pub fn reset(&mut self) {
        self.replications = 0;
        self.moments.iter_mut().for_each(RatioMoments::clear);
        self.waits.iter_mut().for_each(WaitSections::clear);
    }

    pub fn push(&mut self, s: &RepSummary) {
        self.replications += 1;
        for ((m, v), d) in self.moments.iter_mut().zip(&s.values).zip(&s.dens) {
            m.push(*v, *d);
        }
        for (r, w) in self.waits.iter_mut().enumerate() {
            w.push(s.section, s.hist(r), s.zeros[r]);
        }
    }

    pub fn merge(&mut self, o: &Aggregate) {
        self.replications += o.replications;
        for (m, x) in self.moments.iter_mut().zip(&o.moments) {
            m.merge(x);
        }
        for (w, x) in self.waits.iter_mut().zip(&o.waits) {
            w.merge(x);
        }
    }

    /// The estimate of slot `slot` of `layout` at confidence `level`: a wait quantile from the
    /// pooled histograms with its sectioning interval, any other metric from its moments.
    pub fn estimate(&self, layout: &Layout, slot: usize, level: f64) -> Estimate {
        match layout.quantile_slot(slot) {
            Some((row, q)) => self.waits[row].estimate(q, level),
            None => self.moments[slot].interval(level),
        }
    }

    /// The wait counts of row `row` over all replications, [`BINS`] of them.
    pub fn pooled_counts(&self, row: usize) -> Vec<u64> {
        self.waits[row].pooled_counts()
    }
}
