//! The simulation staffing search behind `acdsim staff`.
//!
//! # What is searched
//!
//! A *staffing* is the headcount of every agent group in every interval (`Group::headcount`).
//! It *meets the goals* when, for every channel and interval, the lower end of the confidence
//! interval of the channel's goal service level (row `ChannelInterval`, metric `goal_service_level`)
//! is at least the channel's target, and, for every segment with a goal, the lower end of the
//! whole-day segment service level (row `Segment`) is at least the segment's target. (The engine
//! reports segment service levels per day, not per interval.) A goal with a `days_share` (the
//! share of days that must meet it, for a scenario with forecast uncertainty) also needs the
//! lower end of the confidence interval of the channel's `goal_met` (row `Channel`: the share of
//! replications whose whole-day goal service level meets the target) to be at least the share
//! (kind `days`); a segment goal with one is judged on its `goal_met` instead of its service
//! level (kind `segment-days`). With an occupancy cap
//! ([`SearchOptions::max_occupancy`]) it must also keep, for every group and interval with agents
//! on duty, the *upper* end of the confidence interval of the group's simulated occupancy (busy
//! agent-time over on-duty agent-time, as `acdsim run` reports it) at or below the cap. The answer
//! is the smallest such staffing the search finds, within each group's `min`/`max`.
//!
//! # Method
//!
//! Every candidate staffing is judged on full simulated days (`simulate::run`, every
//! replication): intervals interact through queues carried over from one to the next. Every
//! candidate uses the same seed, and the engine's random streams are per (seed, replication,
//! purpose, channel) and never shift with staffing, so two candidates differ by the effect of
//! the staffing, not by noise (common random numbers). A simulation is the expensive step, so
//! each one is made to move every cell that needs it, guided by the formulas:
//!
//! 1. **Analytic start.** For every channel and interval, Erlang C (or Erlang A when every
//!    segment of the channel has a finite mean patience; the share-weighted mean is used) gives
//!    the servers needed for the channel's goal at its arrival rate and mean handle time; servers
//!    are converted to agents with the channel's concurrency (with an occupancy cap, also at least
//!    the Erlang occupancy `load / cap`). Each channel's requirement goes to the group that
//!    serves it best: the highest proficiency level for the channel, then the group serving the
//!    fewest channels (a specialist does not take work from other channels), then file order;
//!    clamped to the group's bounds. For a single group serving a single Poisson/exponential
//!    channel this is exactly the Erlang answer. Only classes that receive fresh contacts count
//!    here (a share-0 type that only takes transfers, such as `complaint-senior`, does not make
//!    its group the channel's best). A group that serves no fresh contact at all, only
//!    transferred ones, is held at the Erlang agents for its transferred rate and second-leg
//!    handle time at the channel's goal (`transfer_agents`): no channel goal counts those
//!    contacts, so the simulation could neither ask for them nor judge a cut.
//! 2. **Read the simulation off the curves.** The same formula, as a function of the servers,
//!    is each channel's and interval's service-level curve (`Curves`). The simulation need not
//!    lie on it (other distributions, routing, carried-over queues, the confidence bound), but
//!    it moves along it: where the simulated lower bound sits on the curve, and how far the
//!    target is from there, says how many servers the channel lacks or has to spare. Servers
//!    are turned into agents of a group by its share of its *home* channels' load (`Shares`).
//! 3. **Fill.** While some goal fails, one evaluation adds, in every cell at once, what the
//!    failing goals lack: a channel goal the agents its curve asks for, in its interval, from the
//!    groups serving it best that have room (`max`); a segment goal one agent in the interval
//!    where its channels do worst; a share-of-days goal one agent in every interval of its
//!    channel whose own share of days meeting the goal is below the target; a group over the occupancy cap the agents that bring its busy
//!    agents (upper bound) under the cap, or, when it is at its `max`, agents of the group
//!    serving best the busiest channel it shares with it (which then takes part of its work):
//!    one, then as many as close the gap at the rate the last ones lowered it, until relief
//!    stops working (`MIN_RELIEF`: under `skill-first` routing a senior group keeps getting
//!    work first, and more juniors may not help). If a goal has no group with room, or relief
//!    stops working, or `max_evaluations` is reached before any staffing met every goal, the
//!    search stops and reports the staffing as infeasible, saying why.
//! 4. **Cut.** From a staffing that meets every goal, one evaluation tries fewer agents in every
//!    cell whose home channels the curves say have servers to spare (less a safety margin), and
//!    no fewer than the occupancy cap allows. If every goal still holds, the cuts are kept. If
//!    some fail, each failing goal blames the cuts in its interval (or, with none there, in the
//!    interval before, whose longer queue carries over; a segment goal: every cut in a group
//!    serving its channels); those are undone and remembered as failing, the other cuts are
//!    kept. A cell is never tried again at or below what failed, and a cell that failed comes
//!    back at most halfway towards it. When the curves see nothing left to spare, the
//!    *near-miss probe* tries one agent less in every cell whose curve puts the cut at most
//!    half a server short of the target (`PROBE_SERVERS`), judged and blamed the same way. When
//!    no cell has anything left to cut, a staffing pieced together from partly failed trials is
//!    simulated as it is; if a goal fails there, the fill adds to it again (and what failed is
//!    remembered the same way, so the search cannot cycle).
//!
//! The answer is the last staffing simulated as it is that met every goal, with its goals. It
//! is not proven minimal cell by cell (a cut the curves say would break a goal is not tried),
//! but the curves are steep where the goals bind: one agent less moves a phone interval's
//! service level by several confidence half-widths.
//!
//! The surge search starts from the base answer plus the analytic increase from base to surge
//! load in every cell (the base search has already found how far the simulation sits from the
//! formulas), and never goes below the base answer: a higher load cannot need fewer agents, so
//! the reserve (surge minus base) is never negative.
//!
//! Because the goals are judged on the lower confidence bound, an analytic staffing whose exact
//! service level lies within the confidence half-width of the target may be judged failing (one
//! agent more than Erlang), or the simulated day's service level may differ slightly from the
//! steady-state formula; the report gives the lower bounds so the reader sees the margin.
//!
//! # In the code
//!
//! [`search`] runs a `Search`: `start_staffing` is the analytic or the surge start, then
//! `Search::run` alternates fill steps (`fill`, with `Fill::channel`, `Fill::segment`,
//! `Fill::occupancy` and `Fill::relieve` for the relief of a group at its `max`) and cut steps
//! (`Search::cut`: `Search::trial` builds the trial with `cuts`, or the near-miss probe, and
//! `Search::try_trial` keeps what holds and undoes what the failing goals `blame`), and
//! `Search::result` gives the answer. `Curves` and `Shares` hold the formulas both steps read.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::queueing::{required_servers, ErlangA, StaffingTarget};
use crate::model::Model;
use crate::sim::simulate::{self, Outcome, RunOptions};
use crate::stats::{m, RowKey};

/// Relief of a group at its `max` over the occupancy cap by agents of other groups *works* while
/// each relief agent lowers its mean occupancy by at least this (0.1 percentage point), or the
/// rate seen closes the remaining gap with at most [`RELIEF_CLOSE`] more agents; two fill steps
/// in a row where it does not work end the search.
const MIN_RELIEF: f64 = 0.001;

/// See [`MIN_RELIEF`].
const RELIEF_CLOSE: f64 = 2.0;

/// Servers kept in hand when cutting: a cut the curve puts exactly on the target fails about
/// half the time, and each failed trial costs a full evaluation.
const CUT_SAFETY_SERVERS: f64 = 0.25;

/// When the curves see nothing left to spare, one more trial takes one agent from every cell
/// whose curve puts the cut no more than this many servers short of the target: the curves are
/// an approximation and the bound is noisy, and such near misses often hold. (On the bundled
/// scenarios this finds the last agent-interval or two for a trial or two more.)
const PROBE_SERVERS: f64 = 0.5;

/// Search settings.
#[derive(Debug, Clone, Copy)]
pub struct SearchOptions {
    pub replications: u64,
    pub seed: u64,
    /// Confidence level of the intervals the goals are judged on.
    pub confidence: f64,
    /// Most candidate staffings evaluated per search.
    pub max_evaluations: u32,
    /// Occupancy cap in `(0, 1]`: every group's occupancy in every interval must stay at or
    /// below it (judged on the upper confidence bound). `None`: no cap.
    pub max_occupancy: Option<f64>,
}

/// A goal and how a staffing does against it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalCheck {
    /// `channel` or `segment` (a service level, met when `lo >= target`), or `occupancy` (a
    /// group's occupancy cap, met when `hi <= target`).
    pub kind: &'static str,
    /// Channel, segment or group id.
    pub id: String,
    /// Interval label (`null` for whole-day segment goals).
    pub interval: Option<String>,
    /// Service-level target, or occupancy cap.
    pub target: f64,
    pub mean: f64,
    /// Lower end of the confidence interval.
    pub lo: f64,
    /// Upper end of the confidence interval.
    pub hi: f64,
    pub met: bool,
    #[serde(skip)]
    interval_index: Option<usize>,
    #[serde(skip)]
    channels: Vec<usize>,
    /// The group of an occupancy goal.
    #[serde(skip)]
    group: Option<usize>,
    /// A share-of-days goal (`days`): the intervals of its channel whose own share of days
    /// meeting the goal is below the target, worst first (where its bad days are lost).
    #[serde(skip)]
    weak: Vec<usize>,
}

impl GoalCheck {
    /// How far the judged confidence bound is on the wrong side of the target (negative: the
    /// margin by which the goal is met): `target - lo` for a service level, `hi - target` for an
    /// occupancy cap.
    pub fn shortfall(&self) -> f64 {
        if self.kind == "occupancy" {
            self.hi - self.target
        } else {
            self.target - self.lo
        }
    }

    /// The goal's interval (`None`: a whole-day segment goal).
    pub fn interval_index(&self) -> Option<usize> {
        self.interval_index
    }

    /// The channels a service-level goal is about.
    pub fn channel_indices(&self) -> &[usize] {
        &self.channels
    }

    /// The group of an occupancy goal.
    pub fn group_index(&self) -> Option<usize> {
        self.group
    }

    /// Whether this is a service-level goal of a channel in an interval.
    fn is_channel(&self) -> bool {
        self.kind == "channel"
    }
}

/// The result of one search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    /// `headcount[group][interval]`.
    pub headcount: Vec<Vec<u32>>,
    /// The analytic starting point, same shape.
    pub analytic: Vec<Vec<u32>>,
    /// Whether every goal is met (false: some group hit its `max`, or the evaluation budget ran out).
    pub feasible: bool,
    /// Why the search stopped short of meeting every goal (`null` when feasible).
    pub infeasible: Option<String>,
    /// Candidate staffings simulated.
    pub evaluations: u32,
    /// Days simulated over all evaluations: each evaluation simulates every replication, so this
    /// is `evaluations` times the replications, and the evaluations are full-day evaluations.
    pub replication_days: u64,
    /// Every goal at the answer.
    pub goals: Vec<GoalCheck>,
}

/// `model` with `headcount[group][interval]`.
pub fn with_headcount(model: &Model, headcount: &[Vec<u32>]) -> Model {
    model.with_headcount(headcount)
}

/// Whether group `g` serves channel `c` (its contacts take some load units there).
fn serves(model: &Model, g: usize, c: usize) -> bool {
    model.groups[g].units[c] > 0
}

/// Whether class `k` receives fresh contacts (its type and segment shares are positive); a
/// class of a share-0 type (e.g. a `complaint-senior` transfer target) receives only
/// transferred ones, which no channel goal counts.
fn takes_fresh(model: &Model, k: usize) -> bool {
    let cl = &model.classes[k];
    let ch = &model.channels[cl.channel];
    ch.types[cl.local_type].share > 0.0 && ch.segments[cl.local_segment].share > 0.0
}

/// Whether group `g` serves fresh contacts of channel `c` (a class that [`takes_fresh`]).
fn serves_fresh(model: &Model, g: usize, c: usize) -> bool {
    model.groups[g]
        .classes
        .iter()
        .any(|&(k, _)| model.classes[k].channel == c && takes_fresh(model, k))
}

/// Best proficiency level of group `g` over the classes of channel `c` that receive fresh
/// contacts (a high level for a transfer target only does not make a group serve the channel's
/// goal well).
fn level_for(model: &Model, g: usize, c: usize) -> u8 {
    model.groups[g]
        .classes
        .iter()
        .filter(|&&(cl, _)| model.classes[cl].channel == c && takes_fresh(model, cl))
        .map(|(_, l)| *l)
        .max()
        .unwrap_or(0)
}

/// Agents group `g` needs in interval `k` for the transferred contacts it is first in line for
/// (best level, then file order, among the groups serving the target class) that no channel
/// goal sees: those into a target class that takes no fresh contacts (an escalation type such
/// as `complaint-senior`), and, when `g` serves no fresh contact of any channel (a senior group
/// that only takes escalations), every transfer it is first for. The search neither adds nor
/// cuts for them (without this bound a cost objective would cut an expensive senior group that
/// also serves fresh contacts to 0, and the escalations would wait unanswered), so they are
/// staffed by Erlang C / Erlang A at the channel's goal, for the transferred rate (the
/// transferring classes' arrival rate times their transfer share) and the second leg's mean
/// handle time with its wrap-up. 0 for every other group.
fn transfer_agents(model: &Model, g: usize, k: usize) -> u32 {
    if !model.realism.has_transfers() || g >= model.regular_groups() {
        return 0;
    }
    let only_transfers = !(0..model.channels.len()).any(|c| serves_fresh(model, g, c));
    let r = &model.realism;
    let mut agents = 0u32;
    for (c, ch) in model.channels.iter().enumerate() {
        // Transferred rate and its work (rate x handle) into the classes `g` is first for.
        let (mut rate, mut work) = (0.0, 0.0);
        for (from, cl) in model
            .classes
            .iter()
            .enumerate()
            .filter(|x| x.1.channel == c)
        {
            let Some(Some(tr)) = r.transfer.get(from) else {
                continue;
            };
            let first_in_line = model.classes[tr.to_class].eligible.first().map(|e| e.0) == Some(g);
            let unseen = only_transfers || !takes_fresh(model, tr.to_class);
            if !(first_in_line && unseen) {
                continue;
            }
            let seg = &ch.segments[cl.local_segment];
            let lambda = ch.rates[k] * ch.types[cl.local_type].share * seg.share * tr.share;
            let wrap = r
                .wrap_up
                .get(tr.to_class)
                .and_then(Option::as_ref)
                .map_or(0.0, |d| d.mean());
            rate += lambda;
            work += lambda * (tr.handle.mean() * seg.handle_factor + wrap);
        }
        if rate <= 0.0 {
            continue;
        }
        let target = StaffingTarget {
            service_level: Some((ch.goal.target, ch.goal.threshold_s)),
            max_asa_s: None,
            max_occupancy: None,
        };
        let servers = required_servers(rate, work / rate, mean_patience_s(model, c), target);
        agents = agents.saturating_add(servers.div_ceil(ch.concurrency.max(1)));
    }
    agents
}

/// The group that serves channel `c` best among those with room (`ok(g)`): highest level,
/// then fewest channels served, then file order. Under `staff --objective cost`
/// ([`crate::model::roster::Workforce::objective_cost`]) the least cost per contact first: the
/// price of a paid hour times the handle-time factor at the group's level (a faster senior
/// may be worth its price), then as before.
fn best_group(model: &Model, c: usize, ok: impl Fn(usize) -> bool) -> Option<usize> {
    let n_channels = |g: usize| {
        (0..model.channels.len())
            .filter(|&x| serves(model, g, x))
            .count()
    };
    let key = |g: usize| (std::cmp::Reverse(level_for(model, g, c)), n_channels(g), g);
    let cost = |g: usize| -> f64 {
        model
            .workforce
            .as_ref()
            .filter(|w| w.objective_cost)
            .map_or(0.0, |w| {
                let level = level_for(model, g, c).clamp(1, 5) as usize;
                w.cost_per_hour.get(g).copied().flatten().unwrap_or(0.0)
                    * model.proficiency[0][level - 1]
            })
    };
    (0..model.groups.len())
        .filter(|&g| serves_fresh(model, g, c) && ok(g))
        .min_by(|&a, &b| cost(a).total_cmp(&cost(b)).then(key(a).cmp(&key(b))))
}

/// Where to add an agent when group `g` is over the occupancy cap in interval `k`: `g` itself
/// while it has room (`ok`), else the group serving best (see [`best_group`]) the channel of `g`
/// with the most offered load in `k` for which some other group has room, so that it takes part
/// of `g`'s work.
fn relief_group(model: &Model, g: usize, k: usize, ok: impl Fn(usize) -> bool) -> Option<usize> {
    if ok(g) {
        return Some(g);
    }
    let mut channels: Vec<usize> = (0..model.channels.len())
        .filter(|&c| serves(model, g, c))
        .collect();
    channels.sort_by(|&a, &b| {
        model
            .load_agents(b, k)
            .total_cmp(&model.load_agents(a, k))
            .then(a.cmp(&b))
    });
    channels
        .into_iter()
        .find_map(|c| best_group(model, c, |x| x != g && ok(x)))
}

/// Agents channel `c` needs in interval `k` by Erlang C / Erlang A (occupancy at most
/// `max_occupancy` when given).
pub fn analytic_agents(model: &Model, c: usize, k: usize, max_occupancy: Option<f64>) -> u32 {
    let ch = &model.channels[c];
    let rate = ch.rates[k];
    if rate <= 0.0 {
        return 0;
    }
    let patience = mean_patience_s(model, c);
    let target = StaffingTarget {
        service_level: Some((ch.goal.target, ch.goal.threshold_s)),
        max_asa_s: None,
        max_occupancy,
    };
    let servers = required_servers(rate, model.mean_handle_s(c), patience, target);
    if servers == u32::MAX {
        return u32::MAX;
    }
    servers.div_ceil(ch.concurrency.max(1))
}

/// The analytic staffing: each channel's Erlang requirement given to its best regular group (a
/// surge-playbook reserve has no scheduled agents to take it).
pub fn analytic_staffing(model: &Model, max_occupancy: Option<f64>) -> Vec<Vec<u32>> {
    let mut h: Vec<Vec<u32>> = model
        .groups
        .iter()
        .map(|g| vec![g.min; model.n_intervals])
        .collect();
    let mut assigned = vec![vec![0u32; model.n_intervals]; model.groups.len()];
    for c in 0..model.channels.len() {
        if let Some(g) = best_group(model, c, |g| g < model.regular_groups()) {
            for (k, cell) in assigned[g].iter_mut().enumerate() {
                *cell = cell.saturating_add(analytic_agents(model, c, k, max_occupancy));
            }
        }
    }
    for ((row, need), group) in h.iter_mut().zip(&assigned).zip(&model.groups) {
        for (cell, n) in row.iter_mut().zip(need) {
            *cell = (*n).clamp(group.min, group.max);
        }
    }
    h
}

/// Every goal of `model` judged on `outcome`, with the occupancy cap `max_occupancy` on every
/// group and interval with agents on duty.
pub fn check_goals(
    model: &Model,
    outcome: &Outcome,
    confidence: f64,
    max_occupancy: Option<f64>,
) -> Vec<GoalCheck> {
    let layout = &outcome.layout;
    let est =
        |row: usize| outcome.aggregate.moments[layout.slot(row, m::GOAL_SL)].interval(confidence);
    let mut out = Vec::new();
    for (c, ch) in model.channels.iter().enumerate() {
        for k in 0..model.n_intervals {
            let Some(row) = layout.row(RowKey::ChannelInterval {
                channel: c,
                interval: k,
            }) else {
                continue;
            };
            let e = est(row);
            if e.mean.is_nan() {
                continue; // no contacts in this interval
            }
            let (lo, hi) = bounds(&e);
            out.push(GoalCheck {
                kind: "channel",
                id: ch.id.clone(),
                interval: Some(model.interval_label(k)),
                target: ch.goal.target,
                mean: e.mean,
                lo,
                hi,
                met: lo >= ch.goal.target,
                interval_index: Some(k),
                channels: vec![c],
                group: None,
                weak: Vec::new(),
            });
        }
    }
    for (s, seg) in model.segments.iter().enumerate() {
        let Some(goal) = seg.goal else { continue };
        let Some(row) = layout.row(RowKey::Segment { segment: s }) else {
            continue;
        };
        // With a share of days, the segment's days meeting its goal are judged instead.
        let e = match goal.days_share {
            Some(_) => {
                outcome.aggregate.moments[layout.slot(row, m::GOAL_MET)].interval(confidence)
            }
            None => est(row),
        };
        if e.mean.is_nan() {
            continue;
        }
        let (lo, hi) = bounds(&e);
        let target = goal.days_share.unwrap_or(goal.target);
        let channels = model
            .classes
            .iter()
            .filter(|cl| cl.segment == s)
            .map(|cl| cl.channel)
            .collect();
        out.push(GoalCheck {
            kind: if goal.days_share.is_some() {
                "segment-days"
            } else {
                "segment"
            },
            id: seg.id.clone(),
            interval: None,
            target,
            mean: e.mean,
            lo,
            hi,
            met: lo >= target,
            interval_index: None,
            channels,
            group: None,
            weak: Vec::new(),
        });
    }
    out.extend(days_checks(model, outcome, confidence));
    if let Some(cap) = max_occupancy {
        for (g, group) in model.groups.iter().enumerate() {
            for k in 0..model.n_intervals {
                let Some(row) = layout.group_row(g, Some(k)) else {
                    continue;
                };
                let e = outcome.aggregate.moments[layout.group_slot(row, 0)].interval(confidence);
                // No agents on duty: no occupancy to cap.
                if group.headcount[k] == 0 || !e.mean.is_finite() {
                    continue;
                }
                let (lo, hi) = bounds(&e);
                out.push(GoalCheck {
                    kind: "occupancy",
                    id: group.id.clone(),
                    interval: Some(model.interval_label(k)),
                    target: cap,
                    mean: e.mean,
                    lo,
                    hi,
                    met: hi <= cap,
                    interval_index: Some(k),
                    channels: Vec::new(),
                    group: Some(g),
                    weak: Vec::new(),
                });
            }
        }
    }
    out
}

/// The share-of-days goal of every channel whose goal has a `days_share`: the lower bound of
/// the channel's `goal_met` (the share of days whose service level meets the target) against
/// it, with the channel's intervals whose own share of days is below it, worst first.
fn days_checks(model: &Model, outcome: &Outcome, confidence: f64) -> Vec<GoalCheck> {
    let layout = &outcome.layout;
    let met = |key: RowKey| {
        layout.row(key).map(|row| {
            outcome.aggregate.moments[layout.slot(row, m::GOAL_MET)].interval(confidence)
        })
    };
    let mut out = Vec::new();
    for (c, ch) in model.channels.iter().enumerate() {
        let Some(share) = ch.goal.days_share else {
            continue;
        };
        let Some(e) = met(RowKey::Channel { channel: c }).filter(|e| !e.mean.is_nan()) else {
            continue;
        };
        let mut weak: Vec<(usize, f64)> = (0..model.n_intervals)
            .filter_map(|k| {
                let e = met(RowKey::ChannelInterval {
                    channel: c,
                    interval: k,
                })?;
                (e.mean < share).then_some((k, e.mean))
            })
            .collect();
        weak.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let (lo, hi) = bounds(&e);
        out.push(GoalCheck {
            kind: "days",
            id: ch.id.clone(),
            interval: None,
            target: share,
            mean: e.mean,
            lo,
            hi,
            met: lo >= share,
            interval_index: None,
            channels: vec![c],
            group: None,
            weak: weak.into_iter().map(|(k, _)| k).collect(),
        });
    }
    out
}

/// The confidence bounds of an estimate; one replication gives no interval: judge on the mean.
fn bounds(e: &crate::stats::Estimate) -> (f64, f64) {
    if e.lo.is_nan() || e.hi.is_nan() {
        (e.mean, e.mean)
    } else {
        (e.lo, e.hi)
    }
}

/// Simulates `model` with `headcount` and judges its goals.
pub fn evaluate(model: &Model, headcount: &[Vec<u32>], opts: &SearchOptions) -> Vec<GoalCheck> {
    let candidate = with_headcount(model, headcount);
    let outcome = simulate::run(
        &candidate,
        RunOptions {
            replications: opts.replications,
            seed: opts.seed,
        },
        |_| {},
    );
    check_goals(&candidate, &outcome, opts.confidence, opts.max_occupancy)
}

/// The goal furthest on the wrong side of its target, or least on the right side (the greatest
/// [`GoalCheck::shortfall`]; the last of equals), among `goals`.
pub fn worst<'a>(goals: impl IntoIterator<Item = &'a GoalCheck>) -> Option<&'a GoalCheck> {
    goals
        .into_iter()
        .max_by(|a, b| a.shortfall().total_cmp(&b.shortfall()))
}

/// The worst of the channel service-level goals in interval `k`.
fn worst_channel_in(goals: &[GoalCheck], k: usize) -> Option<&GoalCheck> {
    worst(
        goals
            .iter()
            .filter(|x| x.is_channel() && x.interval_index == Some(k)),
    )
}

/// Where to add an agent for a failing goal: (channel, interval).
fn target_cell(goals: &[GoalCheck], worst: &GoalCheck) -> (usize, usize) {
    if let Some(k) = worst.interval_index {
        return (worst.channels[0], k);
    }
    // Segment goal: the interval where its channels do worst.
    self::worst(
        goals
            .iter()
            .filter(|g| g.is_channel() && worst.channels.contains(&g.channels[0])),
    )
    .map(|g| (g.channels[0], g.interval_index.unwrap_or(0)))
    .unwrap_or((worst.channels.first().copied().unwrap_or(0), 0))
}

/// The analytic service-level curve of every channel and interval, `F(s)`: the goal service
/// level that Erlang A (Erlang C when some segment never abandons) gives the channel's arrival
/// rate, mean handle time and mean patience with `s` servers, read between whole numbers of
/// servers by linear interpolation. Solved on demand and kept: a search reads the same few
/// points many times.
struct Curves<'m> {
    model: &'m Model,
    patience: Vec<f64>,
    solved: RefCell<BTreeMap<(usize, usize, u32), f64>>,
}

impl<'m> Curves<'m> {
    fn new(model: &'m Model) -> Self {
        Curves {
            model,
            patience: (0..model.channels.len())
                .map(|c| mean_patience_s(model, c))
                .collect(),
            solved: RefCell::default(),
        }
    }

    /// `F(n)` at a whole number of servers.
    fn at(&self, c: usize, k: usize, n: u32) -> f64 {
        *self
            .solved
            .borrow_mut()
            .entry((c, k, n))
            .or_insert_with(|| {
                let ch = &self.model.channels[c];
                ErlangA {
                    servers: n,
                    arrival_rate: ch.rates[k],
                    mean_service_s: self.model.mean_handle_s(c),
                    mean_patience_s: self.patience[c],
                }
                .service_level(ch.goal.threshold_s)
            })
    }

    /// The fewest servers `s` (a real number) with `F(s) >= y`: `0` when no server is needed,
    /// and a bound beyond any sensible staffing when `F` never reaches `y`.
    fn servers_for(&self, c: usize, k: usize, y: f64) -> f64 {
        let traffic = self.model.channels[c].rates[k] * self.model.mean_handle_s(c);
        let limit = (4.0 * traffic).ceil() as u32 + 64;
        let y = y.clamp(0.0, 1.0);
        let mut n = (traffic.ceil() as u32).min(limit);
        if self.at(c, k, n) >= y {
            while n > 0 && self.at(c, k, n - 1) >= y {
                n -= 1;
            }
        } else {
            while self.at(c, k, n) < y {
                if n == limit {
                    return f64::from(limit);
                }
                n += 1;
            }
        }
        if n == 0 {
            return 0.0;
        }
        let (below, above) = (self.at(c, k, n - 1), self.at(c, k, n));
        f64::from(n - 1) + ((y - below) / (above - below)).clamp(0.0, 1.0)
    }

    /// The servers channel `c` lacks in interval `k` (negative: has to spare) for its target,
    /// when its simulated lower bound is `lo`: the distance along the curve from `lo` to the
    /// target. The simulation may sit off the curve (other handle-time and patience
    /// distributions, routing, queues carried over, the confidence bound); it is assumed to
    /// move along it.
    fn lacking(&self, c: usize, k: usize, lo: f64) -> f64 {
        let target = self.model.channels[c].goal.target;
        self.servers_for(c, k, target) - self.servers_for(c, k, lo)
    }
}

/// Share-weighted mean patience of channel `c`'s segments (infinite when some segment never
/// abandons).
fn mean_patience_s(model: &Model, c: usize) -> f64 {
    let ch = &model.channels[c];
    if ch.segments.iter().all(|s| s.patience.mean().is_finite()) {
        ch.segments
            .iter()
            .map(|s| s.share * s.patience.mean())
            .sum::<f64>()
    } else {
        f64::INFINITY
    }
}

/// How the search turns agents into servers. Each group's *home* channels are those it serves
/// best ([`best_group`] among the regular groups), or every channel it serves when it is best at
/// none (a group that only takes overflow). An agent splits its time over its home channels in
/// proportion to their offered load; an agent added to a channel outside its home (its best
/// groups are at their `max`) serves that channel only.
struct Shares {
    home: Vec<Vec<usize>>,
}

impl Shares {
    fn new(model: &Model) -> Self {
        let mut home = vec![Vec::new(); model.groups.len()];
        for c in 0..model.channels.len() {
            if let Some(g) = best_group(model, c, |g| g < model.regular_groups()) {
                home[g].push(c);
            }
        }
        for (g, h) in home.iter_mut().enumerate() {
            if h.is_empty() {
                h.extend((0..model.channels.len()).filter(|&c| serves(model, g, c)));
            }
        }
        Shares { home }
    }

    /// Servers of channel `c` in interval `k` that one agent of group `g` stands for.
    fn servers_per_agent(&self, model: &Model, g: usize, c: usize, k: usize) -> f64 {
        if !serves(model, g, c) {
            return 0.0;
        }
        let concurrency = f64::from(model.channels[c].concurrency.max(1));
        let home = &self.home[g];
        if !home.contains(&c) {
            return concurrency;
        }
        let total: f64 = home.iter().map(|&x| model.load_agents(x, k)).sum();
        if total > 0.0 {
            concurrency * model.load_agents(c, k) / total
        } else {
            concurrency / home.len() as f64
        }
    }
}

/// Per (group, interval) at its `max` and over the occupancy cap that the last fill step
/// relieved with agents of other groups: its mean occupancy then, the relief agents it has, and
/// how many steps in a row relief did not work (see [`MIN_RELIEF`]).
type Relief = BTreeMap<(usize, usize), (f64, u32, u32)>;

/// The minimum staffing meeting every goal of `model` (see the module doc).
///
/// `base` is the answer at base load when this is the surge search: the answer never goes below
/// its headcount, and the search starts from it. `progress(message)` is called after each
/// evaluation.
pub fn search(
    model: &Model,
    base: Option<&SearchResult>,
    opts: &SearchOptions,
    progress: &dyn Fn(&str),
) -> SearchResult {
    let analytic = analytic_staffing(model, opts.max_occupancy);
    let mut search = Search::start(model, base, opts, progress, &analytic);
    let stopped = search.run();
    search.result(analytic, stopped)
}

/// Why a search stopped that ran out of evaluations before a staffing met every goal.
fn budget_reached(opts: &SearchOptions) -> String {
    format!(
        "--max-evaluations {} reached with goals still failing",
        opts.max_evaluations
    )
}

/// The fewest agents group `g` may have in interval `k`: its `min`, the agents for the
/// transferred contacts it alone takes ([`transfer_agents`]), and in the surge search the base
/// answer (within the group's `max`).
fn lower_bound(model: &Model, base: Option<&SearchResult>, g: usize, k: usize) -> u32 {
    base.map_or(0, |b| b.headcount[g][k])
        .max(model.groups[g].min)
        .max(transfer_agents(model, g, k))
        .min(model.groups[g].max)
}

/// Where a search starts: the analytic staffing, or for a surge the base answer plus the
/// analytic increase from base to surge load (the base search has found how far the simulation
/// is from the formulas, interval by interval); within the groups' bounds and never below
/// [`lower_bound`].
fn start_staffing(
    model: &Model,
    base: Option<&SearchResult>,
    analytic: &[Vec<u32>],
) -> Vec<Vec<u32>> {
    (0..model.groups.len())
        .map(|g| {
            (0..model.n_intervals)
                .map(|k| {
                    let n = match base {
                        Some(b) => (i64::from(b.headcount[g][k]) + i64::from(analytic[g][k])
                            - i64::from(b.analytic[g][k]))
                        .clamp(0, i64::from(u32::MAX)) as u32,
                        None => analytic[g][k],
                    };
                    n.min(model.groups[g].max)
                        .max(lower_bound(model, base, g, k))
                })
                .collect()
        })
        .collect()
}

/// Simulates the candidate staffings of a search, counts them and reports each to `progress`.
struct Evaluator<'a> {
    model: &'a Model,
    opts: &'a SearchOptions,
    progress: &'a dyn Fn(&str),
    count: u32,
}

impl Evaluator<'_> {
    /// Simulates `h` and judges its goals; `what` says why, in the progress message.
    fn eval(&mut self, h: &[Vec<u32>], what: &str) -> Vec<GoalCheck> {
        self.count += 1;
        let goals = evaluate(self.model, h, self.opts);
        let failing = goals.iter().filter(|g| !g.met).count();
        let total: u32 = h.iter().flatten().sum();
        (self.progress)(&format!(
            "evaluation {}: {what}: {total} agent-intervals, {failing} goals failing",
            self.count
        ));
        goals
    }

    /// Whether `max_evaluations` leaves room for another evaluation.
    fn budget_left(&self) -> bool {
        self.count < self.opts.max_evaluations
    }
}

/// One search in progress (see the module doc): fill steps while a goal fails, cut steps while
/// every goal holds, one evaluation each.
struct Search<'a> {
    model: &'a Model,
    base: Option<&'a SearchResult>,
    opts: &'a SearchOptions,
    curves: Curves<'a>,
    shares: Shares,
    evals: Evaluator<'a>,
    /// The staffing the search stands on.
    h: Vec<Vec<u32>>,
    /// The goals of `h` when `h` itself was simulated; `None` when it holds cuts kept from a
    /// trial that failed.
    h_goals: Option<Vec<GoalCheck>>,
    /// The staffing last simulated (where the curves are read), and its goals.
    seen_h: Vec<Vec<u32>>,
    seen: Vec<GoalCheck>,
    /// The last staffing simulated that met every goal, with its goals.
    best: Option<(Vec<Vec<u32>>, Vec<GoalCheck>)>,
    /// Per cell, the most agents known to fail (in the staffing they were tried in); -1: none.
    failed: Vec<Vec<i64>>,
    relieved: Relief,
}

impl<'a> Search<'a> {
    /// Simulates the start ([`start_staffing`]).
    fn start(
        model: &'a Model,
        base: Option<&'a SearchResult>,
        opts: &'a SearchOptions,
        progress: &'a dyn Fn(&str),
        analytic: &[Vec<u32>],
    ) -> Self {
        let h = start_staffing(model, base, analytic);
        let mut evals = Evaluator {
            model,
            opts,
            progress,
            count: 0,
        };
        let start = match base {
            Some(_) => "start (base answer + analytic increase)",
            None => "analytic start",
        };
        let seen = evals.eval(&h, start);
        Search {
            model,
            base,
            opts,
            curves: Curves::new(model),
            shares: Shares::new(model),
            evals,
            seen_h: h.clone(),
            h_goals: Some(seen.clone()),
            seen,
            failed: vec![vec![-1; model.n_intervals]; model.groups.len()],
            h,
            best: None,
            relieved: Relief::new(),
        }
    }

    /// Fills and cuts until no cell has anything left to cut or the budget is spent (`None`),
    /// or until some goal cannot be met (`Some(why)`).
    fn run(&mut self) -> Option<String> {
        loop {
            if let Some(goals) = &self.h_goals {
                if goals.iter().all(|x| x.met) {
                    self.best = Some((self.h.clone(), goals.clone()));
                } else {
                    if !self.evals.budget_left() {
                        return Some(budget_reached(self.opts));
                    }
                    let adds = fill(
                        self.model,
                        &self.curves,
                        &self.shares,
                        &self.h,
                        goals,
                        self.opts.max_occupancy,
                        &mut self.relieved,
                    );
                    match adds {
                        Ok(adds) => self.add(&adds),
                        Err(why) => return Some(why),
                    }
                    continue;
                }
            }
            if !self.cut() {
                return None;
            }
        }
    }

    /// The fill step: `h` plus `adds`, simulated as it is. After a staffing met every goal, what
    /// fails again is known to fail: the cuts cannot go back to it, and the search cannot cycle.
    fn add(&mut self, adds: &[Vec<u32>]) {
        let (mut agents, mut cells) = (0, 0);
        for (g, row) in adds.iter().enumerate() {
            for (k, &n) in row.iter().enumerate().filter(|(_, &n)| n > 0) {
                if self.best.is_some() {
                    self.failed[g][k] = self.failed[g][k].max(i64::from(self.h[g][k]));
                }
                self.h[g][k] += n;
                agents += n;
                cells += 1;
            }
        }
        self.simulate_h(&format!("add {agents} agents in {cells} cells"));
    }

    /// Simulates `h` as it is: it becomes the staffing last seen, and its goals are known.
    fn simulate_h(&mut self, what: &str) {
        self.seen = self.evals.eval(&self.h, what);
        self.seen_h.clone_from(&self.h);
        self.h_goals = Some(self.seen.clone());
    }

    /// The cut step: simulates the next [`Search::trial`], or, when it cuts nothing and `h`
    /// holds cuts kept from trials that failed, `h` as it is. False when the search is done:
    /// nothing left to cut from a staffing simulated as it is, or no evaluation left.
    fn cut(&mut self) -> bool {
        let t = self.trial();
        if !self.evals.budget_left() {
            return false;
        }
        if t == self.h {
            if self.h_goals.is_some() {
                return false;
            }
            // The cuts kept were judged on trials that also held cuts given up since.
            self.simulate_h("confirm the cuts kept");
        } else {
            self.try_trial(t);
        }
        true
    }

    /// The next trial ([`cuts`]): fewer agents wherever the curves see agents to spare (less
    /// [`CUT_SAFETY_SERVERS`]); when they see none, the near-miss probe, one agent less in
    /// every cell the curves put at most [`PROBE_SERVERS`] short. `h` when neither cuts a cell.
    fn trial(&self) -> Vec<Vec<u32>> {
        let trial = |margin: f64, most: u32| {
            cuts(
                self.model,
                &self.curves,
                &self.shares,
                &self.h,
                &self.seen_h,
                &self.seen,
                self.opts.max_occupancy,
                |g, k| self.floor(g, k),
                margin,
                most,
            )
        };
        let t = trial(CUT_SAFETY_SERVERS, u32::MAX);
        if t == self.h {
            // Nothing to spare by the curves: try one agent less where they call it a near miss.
            trial(-PROBE_SERVERS, 1)
        } else {
            t
        }
    }

    /// The fewest agents a trial may leave in group `g` in interval `k`: its [`lower_bound`],
    /// above what is known to fail there, and halfway back to it at most.
    fn floor(&self, g: usize, k: usize) -> u32 {
        let known = match self.failed[g][k] {
            f if f < 0 => 0,
            f => (f as u32 + 1 + self.h[g][k]) / 2,
        };
        lower_bound(self.model, self.base, g, k).max(known)
    }

    /// Simulates the trial `t`. If every goal holds, `h` takes all of its cuts. If not, the
    /// cuts that the failing goals [`blame`] are undone and remembered as failing, and the
    /// others are kept.
    fn try_trial(&mut self, t: Vec<Vec<u32>>) {
        let (agents, cells) = self
            .h
            .iter()
            .flatten()
            .zip(t.iter().flatten())
            .filter(|(a, b)| b < a)
            .fold((0, 0), |(n, c), (a, b)| (n + a - b, c + 1));
        let goals = self
            .evals
            .eval(&t, &format!("try {agents} fewer in {cells} cells"));
        if goals.iter().all(|x| x.met) {
            self.h.clone_from(&t);
            self.h_goals = Some(goals.clone());
        } else {
            let blamed = blame(self.model, &self.h, &t, &goals);
            let mut kept = false;
            for (g, row) in blamed.iter().enumerate() {
                for (k, &is_blamed) in row.iter().enumerate() {
                    if is_blamed {
                        self.failed[g][k] = self.failed[g][k].max(i64::from(t[g][k]));
                    } else if t[g][k] < self.h[g][k] {
                        self.h[g][k] = t[g][k];
                        kept = true;
                    }
                }
            }
            if kept {
                self.h_goals = None;
            }
        }
        self.seen = goals;
        self.seen_h = t;
    }

    /// The answer: the last staffing simulated as it is that met every goal, with its goals;
    /// when none did, the staffing last simulated, and why the search stopped (`stopped`, else
    /// the budget).
    fn result(self, analytic: Vec<Vec<u32>>, stopped: Option<String>) -> SearchResult {
        let (headcount, goals, infeasible) = match self.best {
            Some((h, goals)) => (h, goals, None),
            None => (
                self.seen_h,
                self.seen,
                Some(stopped.unwrap_or_else(|| budget_reached(self.opts))),
            ),
        };
        let evaluations = self.evals.count;
        SearchResult {
            headcount,
            analytic,
            feasible: infeasible.is_none(),
            infeasible,
            evaluations,
            replication_days: u64::from(evaluations) * self.opts.replications,
            goals,
        }
    }
}

/// The agents to add to every cell for the failing goals of the staffing `h` (simulated:
/// `goals`), or why no staffing within the groups' bounds can meet them.
///
/// A channel goal gets the servers its curve says it lacks ([`Curves::lacking`]) from the
/// groups serving it best that have room, as many agents of each as that takes
/// ([`Shares::servers_per_agent`]); agents added in the same step for other goals count towards
/// it. A segment goal gets one agent in the interval where its channels do worst, unless that
/// interval gets some already. A group over the occupancy cap gets the agents that bring its
/// busy agents (upper bound) under the cap; at its `max`, agents of a group relieving it
/// ([`relief_group`]): one, then as many as close the gap at the rate the last ones lowered it,
/// until relief stops working. The goals are served worst first.
fn fill(
    model: &Model,
    curves: &Curves,
    shares: &Shares,
    h: &[Vec<u32>],
    goals: &[GoalCheck],
    max_occupancy: Option<f64>,
    relieved: &mut Relief,
) -> Result<Vec<Vec<u32>>, String> {
    let mut step = Fill {
        model,
        curves,
        shares,
        h,
        cap: max_occupancy.unwrap_or(1.0),
        // Relief is judged from one step to the next: only this step's is kept.
        last_relief: std::mem::take(relieved),
        relieved,
        adds: vec![vec![0u32; model.n_intervals]; model.groups.len()],
    };
    let mut failing: Vec<&GoalCheck> = goals.iter().filter(|x| !x.met).collect();
    failing.sort_by(|a, b| b.shortfall().total_cmp(&a.shortfall()));
    for x in failing {
        match (x.group, x.interval_index) {
            (Some(g), Some(k)) => step.occupancy(x, g, k)?,
            (None, Some(k)) => step.channel(x, k)?,
            (_, None) if !x.weak.is_empty() => step.days(x)?,
            (_, None) => step.segment(goals, x)?,
        }
    }
    Ok(step.adds)
}

/// A fill step in the making: the agents it adds to each cell of `h` so far.
struct Fill<'a> {
    model: &'a Model,
    curves: &'a Curves<'a>,
    shares: &'a Shares,
    h: &'a [Vec<u32>],
    /// The occupancy cap (1 when there is none).
    cap: f64,
    /// The relief of the last fill step, and this step's.
    last_relief: Relief,
    relieved: &'a mut Relief,
    adds: Vec<Vec<u32>>,
}

impl Fill<'_> {
    /// The agents group `g` can still take in interval `k` within its `max`.
    fn room(&self, g: usize, k: usize) -> u32 {
        self.model.groups[g]
            .max
            .saturating_sub(self.h[g][k] + self.adds[g][k])
    }

    /// Why the goal `x` cannot be met: no group serving channel `c` has room in interval `k`.
    fn at_max(&self, x: &GoalCheck, c: usize, k: usize) -> String {
        format!(
            "{} {} fails at {}: every group serving channel {} is at its max",
            x.kind,
            x.id,
            self.model.interval_label(k),
            self.model.channels[c].id
        )
    }

    /// The channel goal `x`, failing in interval `k`: the servers its curve says it lacks, less
    /// what this step adds for it already, from the groups serving it best that have room.
    fn channel(&mut self, x: &GoalCheck, k: usize) -> Result<(), String> {
        let (model, shares) = (self.model, self.shares);
        let c = x.channels[0];
        let mut lacking = self.curves.lacking(c, k, x.lo).max(1e-6);
        for (g, row) in self.adds.iter().enumerate() {
            lacking -= f64::from(row[k]) * shares.servers_per_agent(model, g, c, k);
        }
        while lacking > 0.0 {
            let Some(g) = best_group(model, c, |y| self.room(y, k) > 0) else {
                if self.adds.iter().all(|row| row[k] == 0) {
                    return Err(self.at_max(x, c, k));
                }
                break;
            };
            let per = shares.servers_per_agent(model, g, c, k);
            let n = ((lacking / per - 1e-9).ceil().max(1.0) as u32).min(self.room(g, k));
            self.adds[g][k] += n;
            lacking -= f64::from(n) * per;
        }
        Ok(())
    }

    /// The whole-day segment goal `x`: one agent in the interval where its channels do worst
    /// among `goals`, unless a group serving that channel gets some there already.
    fn segment(&mut self, goals: &[GoalCheck], x: &GoalCheck) -> Result<(), String> {
        let model = self.model;
        let (c, k) = target_cell(goals, x);
        if (0..model.groups.len()).any(|g| self.adds[g][k] > 0 && serves(model, g, c)) {
            return Ok(());
        }
        let g =
            best_group(model, c, |y| self.room(y, k) > 0).ok_or_else(|| self.at_max(x, c, k))?;
        self.adds[g][k] += 1;
        Ok(())
    }

    /// The share-of-days goal `x` of a channel: one agent in every interval whose own share of
    /// days is below the target ([`GoalCheck`]'s `weak`), unless a group serving the channel
    /// gets some there already.
    fn days(&mut self, x: &GoalCheck) -> Result<(), String> {
        let model = self.model;
        let c = x.channels[0];
        let mut added = false;
        for &k in &x.weak {
            if (0..model.groups.len()).any(|g| self.adds[g][k] > 0 && serves(model, g, c)) {
                added = true;
                continue;
            }
            if let Some(g) = best_group(model, c, |y| self.room(y, k) > 0) {
                self.adds[g][k] += 1;
                added = true;
            }
        }
        if added {
            Ok(())
        } else {
            Err(self.at_max(x, c, x.weak[0]))
        }
    }

    /// Group `g` over the occupancy cap in interval `k` (goal `x`): the agents that bring its
    /// busy agents (upper bound) under the cap, or, at its `max`, [`Fill::relieve`] it.
    fn occupancy(&mut self, x: &GoalCheck, g: usize, k: usize) -> Result<(), String> {
        let group = &self.model.groups[g];
        match relief_group(self.model, g, k, |y| self.room(y, k) > 0) {
            None => Err(format!(
                "group {} at {}: occupancy above the cap at its max ({}), and no other group serving its channels has room",
                group.id, self.model.interval_label(k), group.max
            )),
            Some(y) if y != g => self.relieve(x, g, y, k),
            Some(_) => {
                let busy = x.hi * f64::from(self.h[g][k]);
                let need = (busy / self.cap - 1e-9).ceil() as i64 - i64::from(self.h[g][k]);
                let n = (need.max(1) as u32).min(self.room(g, k) + self.adds[g][k]);
                self.adds[g][k] = self.adds[g][k].max(n);
                Ok(())
            }
        }
    }

    /// Relief of group `g`, at its `max` and over the cap in interval `k` (goal `x`), by agents
    /// of group `y`: one, then as many as close the gap at the rate the last relief agents
    /// lowered its mean occupancy, while relief works ([`MIN_RELIEF`]); two steps in a row where
    /// it does not end the search.
    fn relieve(&mut self, x: &GoalCheck, g: usize, y: usize, k: usize) -> Result<(), String> {
        // The drop in its mean occupancy per relief agent of the last step, and the relief
        // agents that close the gap at that rate.
        let last = self.last_relief.get(&(g, k));
        let rate = last.map(|&(before, n, _)| (before - x.mean) / f64::from(n));
        let needed = rate
            .filter(|&r| r > 0.0)
            .map(|r| ((x.hi - self.cap) / r - 1e-9).ceil().max(1.0));
        let works = match (rate, needed) {
            (None, _) => true,
            (Some(r), Some(n)) => r >= MIN_RELIEF || n <= RELIEF_CLOSE,
            (Some(_), None) => false,
        };
        let stalls = match last {
            Some(&(_, _, n)) if !works => n + 1,
            _ => 0,
        };
        if stalls >= 2 {
            let group = &self.model.groups[g];
            return Err(format!(
                "group {} at {}: occupancy above the cap at its max ({}), and more agents in other groups do not lower it",
                group.id, self.model.interval_label(k), group.max
            ));
        }
        let n = if works {
            needed.unwrap_or(1.0) as u32
        } else {
            1
        };
        self.adds[y][k] = self.adds[y][k].max(n.min(self.room(y, k) + self.adds[y][k]));
        self.relieved
            .insert((g, k), (x.mean, self.adds[y][k], stalls));
        Ok(())
    }
}

/// A trial staffing: `h` with fewer agents wherever the curves say a cell has agents to spare,
/// never below `floor(group, interval)`.
///
/// The servers each channel has to spare in an interval are read off its curve at the lower
/// bound simulated for the staffing `seen_h` (`seen`), plus what `h` has more than `seen_h`,
/// less [`CUT_SAFETY_SERVERS`]. The cells of the interval, most agents first, each take as many
/// whole agents as all of their home channels can spare, and with an occupancy cap no more than
/// keeps their busy agents (upper bound) under the cap.
#[allow(clippy::too_many_arguments)]
fn cuts(
    model: &Model,
    curves: &Curves,
    shares: &Shares,
    h: &[Vec<u32>],
    seen_h: &[Vec<u32>],
    seen: &[GoalCheck],
    max_occupancy: Option<f64>,
    floor: impl Fn(usize, usize) -> u32,
    margin: f64,
    most: u32,
) -> Vec<Vec<u32>> {
    let mut t = h.to_vec();
    for k in 0..model.n_intervals {
        let mut spare: Vec<Option<f64>> = vec![None; model.channels.len()];
        let mut occupancy: Vec<Option<f64>> = vec![None; model.groups.len()];
        for x in seen.iter().filter(|x| x.interval_index == Some(k)) {
            match x.group {
                Some(g) => occupancy[g] = Some(x.hi),
                None => {
                    let c = x.channels[0];
                    let more: f64 = (0..model.groups.len())
                        .map(|g| {
                            (f64::from(h[g][k]) - f64::from(seen_h[g][k]))
                                * shares.servers_per_agent(model, g, c, k)
                        })
                        .sum();
                    spare[c] = Some(more - curves.lacking(c, k, x.lo) - margin);
                }
            }
        }
        let mut groups: Vec<usize> = (0..model.groups.len()).collect();
        groups.sort_by_key(|&g| (std::cmp::Reverse(h[g][k]), g));
        for g in groups {
            let mut n = h[g][k].saturating_sub(floor(g, k)).min(most);
            for &c in &shares.home[g] {
                let per = shares.servers_per_agent(model, g, c, k);
                if let (Some(s), true) = (spare[c], per > 0.0) {
                    n = n.min((s / per + 1e-9).floor().max(0.0) as u32);
                }
            }
            if let (Some(cap), Some(hi)) = (max_occupancy, occupancy[g]) {
                let busy = hi * f64::from(seen_h[g][k]);
                n = n.min(h[g][k].saturating_sub((busy / cap - 1e-9).ceil().max(0.0) as u32));
            }
            t[g][k] -= n;
            for &c in &shares.home[g] {
                if let Some(s) = spare[c].as_mut() {
                    *s -= f64::from(n) * shares.servers_per_agent(model, g, c, k);
                }
            }
        }
    }
    t
}

/// The cells of the trial `t` (cut from `h`) blamed for its failing `goals`: a goal of an
/// interval blames the cuts in that interval, or when there are none there, the cuts in the
/// interval before (a longer queue carries over); a whole-day segment goal blames every cut in
/// a group serving its channels.
fn blame(model: &Model, h: &[Vec<u32>], t: &[Vec<u32>], goals: &[GoalCheck]) -> Vec<Vec<bool>> {
    let cut = |g: usize, k: usize| t[g][k] < h[g][k];
    let cut_in = |k: usize| (0..model.groups.len()).any(|g| cut(g, k));
    let mut blamed = vec![vec![false; model.n_intervals]; model.groups.len()];
    for x in goals.iter().filter(|x| !x.met) {
        for (g, row) in blamed.iter_mut().enumerate() {
            for (k, b) in row.iter_mut().enumerate() {
                let near = match x.interval_index {
                    Some(i) => k == i || (k + 1 == i && !cut_in(i)),
                    None => x.channels.iter().any(|&c| serves(model, g, c)),
                };
                *b |= near && cut(g, k);
            }
        }
    }
    blamed
}

/// One point of a service level vs agents curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Agents on duty in the interval (all groups).
    pub agents: u32,
    /// Mean goal service level of the channel furthest below (or least above) its target in the
    /// interval, judged on the lower confidence bound.
    pub service_level: f64,
    /// Its confidence interval.
    pub lo: f64,
    pub hi: f64,
    /// That channel's target.
    pub target: f64,
}

/// The interval with the highest offered load (agent equivalents, all channels).
pub fn peak_interval(model: &Model) -> usize {
    (0..model.n_intervals)
        .max_by(|&a, &b| {
            let load = |k| {
                (0..model.channels.len())
                    .map(|c| model.load_agents(c, k))
                    .sum::<f64>()
            };
            load(a).total_cmp(&load(b)).then(b.cmp(&a))
        })
        .unwrap_or(0)
}

/// Service level of interval `k` as the headcount of the group with the most agents there
/// varies by `-span..=span` around the answer of `found` (other cells unchanged), a search of
/// `model` with `opts`. The answer itself is not simulated again: its goals are `found.goals`.
pub fn curve(
    model: &Model,
    found: &SearchResult,
    k: usize,
    span: u32,
    opts: &SearchOptions,
) -> Vec<CurvePoint> {
    let headcount = &found.headcount;
    let Some(g) = (0..model.groups.len()).max_by_key(|&g| (headcount[g][k], std::cmp::Reverse(g)))
    else {
        return Vec::new();
    };
    let base = headcount[g][k];
    let others: u32 = (0..model.groups.len())
        .filter(|&x| x != g)
        .map(|x| headcount[x][k])
        .sum();
    let lo_n = base.saturating_sub(span).max(1);
    (lo_n..=base + span)
        .map(|n| {
            let simulated;
            let goals = if n == base {
                &found.goals
            } else {
                let mut h = headcount.to_vec();
                h[g][k] = n;
                simulated = evaluate(model, &h, opts);
                &simulated
            };
            let worst = worst_channel_in(goals, k);
            CurvePoint {
                agents: n + others,
                service_level: worst.map_or(f64::NAN, |x| x.mean),
                lo: worst.map_or(f64::NAN, |x| x.lo),
                hi: worst.map_or(f64::NAN, |x| x.hi),
                target: worst.map_or(f64::NAN, |x| x.target),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(max_evaluations: u32) -> SearchOptions {
        SearchOptions {
            replications: 40,
            seed: 3,
            confidence: 0.95,
            max_evaluations,
            max_occupancy: None,
        }
    }

    /// `curve` takes the answer's goals from the search instead of simulating it again, so the
    /// search must return the goals of the headcount it returns: after cuts that failed and
    /// were undone, and when the budget stops it part way (then some goal still fails).
    #[test]
    fn a_search_returns_the_goals_of_its_answer() {
        let model = crate::input::load(std::path::Path::new("scenarios/mmc-5.json")).unwrap();
        for budget in [400, 1] {
            let found = search(&model, None, &opts(budget), &|_| {});
            let again = evaluate(&model, &found.headcount, &opts(budget));
            assert_eq!(found.goals, again, "budget {budget}");
            assert_eq!(found.feasible, budget == 400, "budget {budget}");
            // The curve's middle point is the answer, judged on those goals.
            let k = peak_interval(&model);
            let points = curve(&model, &found, k, 1, &opts(budget));
            let worst = worst_channel_in(&again, k).unwrap();
            let mid = points
                .iter()
                .find(|p| p.agents == found.headcount[0][k])
                .unwrap();
            assert_eq!((mid.service_level, mid.lo), (worst.mean, worst.lo));
        }
    }

    /// The answer is a staffing the search simulated as it is, not one pieced together from
    /// trials that cut other cells as well: simulated again with every replication, it meets
    /// every goal on the confidence bound, with the goals the search reports. The default
    /// scenario (three groups sharing four channels) makes the search cut, blame and keep some
    /// cuts of a trial that failed elsewhere.
    #[test]
    fn the_answer_meets_every_goal_when_simulated_again() {
        let model = crate::input::load(std::path::Path::new("scenarios/default.json")).unwrap();
        let opts = opts(400);
        let log = RefCell::new(Vec::new());
        let note = |m: &str| log.borrow_mut().push(m.to_string());
        let base = search(&model, None, &opts, &note);
        let surged = model.with_surge(1.2);
        let surge = search(&surged, Some(&base), &opts, &note);
        for (m, found) in [(&model, &base), (&surged, &surge)] {
            assert!(found.feasible, "{:?}", found.infeasible);
            let again = evaluate(m, &found.headcount, &opts);
            assert_eq!(found.goals, again);
            assert!(again.iter().all(|x| x.met && x.lo >= x.target));
            assert_eq!(found.replication_days, u64::from(found.evaluations) * 40);
        }
        for (b, s) in base
            .headcount
            .iter()
            .flatten()
            .zip(surge.headcount.iter().flatten())
        {
            assert!(s >= b);
        }
        let log = log.borrow();
        assert!(
            log.iter()
                .any(|m| m.contains("fewer") && !m.ends_with(" 0 goals failing")),
            "no trial failed: {log:#?}"
        );
    }
}
