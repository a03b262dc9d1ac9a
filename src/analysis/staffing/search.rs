//! The simulation staffing search behind `acdsim staff`.
//!
//! # What is searched
//!
//! A *staffing* is the headcount of every agent group in every interval (`Group::headcount`).
//! It *meets the goals* when, for every channel and interval, the lower end of the confidence
//! interval of the channel's goal service level (row `ChannelInterval`, metric `goal_service_level`)
//! is at least the channel's target, and, for every segment with a goal, the lower end of the
//! whole-day segment service level (row `Segment`) is at least the segment's target. (The engine
//! reports segment service levels per day, not per interval.) With an occupancy cap
//! ([`SearchOptions::max_occupancy`]) it must also keep, for every group and interval with agents
//! on duty, the *upper* end of the confidence interval of the group's simulated occupancy (busy
//! agent-time over on-duty agent-time, as `acdsim run` reports it) at or below the cap. The answer
//! is the smallest such staffing the search finds, within each group's `min`/`max`.
//!
//! # Method
//!
//! 1. **Analytic start.** For every channel and interval, Erlang C (or Erlang A when every
//!    segment of the channel has a finite mean patience; the share-weighted mean is used) gives
//!    the servers needed for the channel's goal at its arrival rate and mean handle time; servers
//!    are converted to agents with the channel's concurrency (with an occupancy cap, also at least
//!    the Erlang occupancy `load / cap`). Each channel's requirement goes to
//!    the group that serves it best (see below), clamped to the group's bounds. For a single
//!    group serving a single Poisson/exponential channel this is exactly the Erlang answer.
//! 2. **Evaluate the whole day.** Intervals interact through queues carried over from one
//!    interval to the next, so every candidate staffing is judged on a full simulated day
//!    (`simulate::run`). Every candidate uses the same seed: the engine's random streams are
//!    per (seed, replication, purpose, channel) and never shift with staffing, so the difference
//!    between two candidates is the effect of the staffing, not noise (common random numbers).
//! 3. **Greedy add.** While some goal fails, take the failing goal with the largest shortfall
//!    (target minus lower confidence bound; for an occupancy cap, upper bound minus cap); for a
//!    channel goal its interval, for a segment goal the interval where the segment's channels
//!    have the lowest service level. Add one agent in that interval to the group that serves the
//!    channel best: the highest proficiency level for the channel, then the group serving the
//!    fewest channels (a specialist does not take work from other channels), then file order;
//!    groups at their `max` are skipped. An occupancy goal adds the agent to its own group, or,
//!    when that group is at its `max`, to the group serving best the busiest channel it shares
//!    with it (which then takes part of its work), until two such agents in a row each lower the
//!    capped group's mean occupancy by less than 0.1 percentage point (under `skill-first`
//!    routing a senior group keeps getting work first, and more juniors may not help). If no
//!    group can take another agent, or relief stops working, or `max_evaluations` is reached,
//!    the search stops and reports the staffing as infeasible, saying why.
//! 4. **Remove.** Then, for every group and interval (most agents first), remove agents one at a
//!    time while every goal still holds and the group's `min` (or the floor, below) allows.
//!
//! The surge search starts from the analytic estimate at the surge load, raised to at least the
//! base answer, and never removes below the base answer: a higher load cannot need fewer agents,
//! so the reserve (surge minus base) is never negative.
//!
//! Because the goals are judged on the lower confidence bound, an analytic staffing whose exact
//! service level lies within the confidence half-width of the target may be judged failing (one
//! agent more than Erlang), or the simulated day's service level may differ slightly from the
//! steady-state formula; the report gives the lower bounds so the reader sees the margin.

use serde::Serialize;

use crate::analysis::queueing::{required_servers, StaffingTarget};
use crate::model::Model;
use crate::sim::simulate::{self, Outcome, RunOptions};
use crate::stats::{m, RowKey};

/// Least drop in a group's mean occupancy (0.1 percentage point) for which agents of other
/// groups keep being added to relieve it while it is at its `max`: two relief agents in a row
/// that lower it by less end the search.
const MIN_RELIEF: f64 = 0.001;

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
    /// Every goal at the answer.
    pub goals: Vec<GoalCheck>,
}

/// `model` with `headcount[group][interval]`.
pub fn with_headcount(model: &Model, headcount: &[Vec<u32>]) -> Model {
    let mut m = model.clone();
    for (g, h) in m.groups.iter_mut().zip(headcount) {
        g.headcount.clone_from(h);
    }
    m
}

/// Whether group `g` serves channel `c` (its contacts take some load units there).
fn serves(model: &Model, g: usize, c: usize) -> bool {
    model.groups[g].units[c] > 0
}

/// Best proficiency level of group `g` over the classes of channel `c`.
fn level_for(model: &Model, g: usize, c: usize) -> u8 {
    model.groups[g]
        .classes
        .iter()
        .filter(|(cl, _)| model.classes[*cl].channel == c)
        .map(|(_, l)| *l)
        .max()
        .unwrap_or(0)
}

/// The group that serves channel `c` best among those with room (`ok(g)`): highest level,
/// then fewest channels served, then file order.
fn best_group(model: &Model, c: usize, ok: impl Fn(usize) -> bool) -> Option<usize> {
    let n_channels = |g: usize| {
        (0..model.channels.len())
            .filter(|&x| serves(model, g, x))
            .count()
    };
    (0..model.groups.len())
        .filter(|&g| serves(model, g, c) && ok(g))
        .min_by_key(|&g| (std::cmp::Reverse(level_for(model, g, c)), n_channels(g), g))
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
    let patience = if ch.segments.iter().all(|s| s.patience.mean().is_finite()) {
        ch.segments
            .iter()
            .map(|s| s.share * s.patience.mean())
            .sum::<f64>()
    } else {
        f64::INFINITY
    };
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
            });
        }
    }
    for (s, seg) in model.segments.iter().enumerate() {
        let Some(goal) = seg.goal else { continue };
        let Some(row) = layout.row(RowKey::Segment { segment: s }) else {
            continue;
        };
        let e = est(row);
        if e.mean.is_nan() {
            continue;
        }
        let (lo, hi) = bounds(&e);
        let channels = model
            .classes
            .iter()
            .filter(|cl| cl.segment == s)
            .map(|cl| cl.channel)
            .collect();
        out.push(GoalCheck {
            kind: "segment",
            id: seg.id.clone(),
            interval: None,
            target: goal.target,
            mean: e.mean,
            lo,
            hi,
            met: lo >= goal.target,
            interval_index: None,
            channels,
            group: None,
        });
    }
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
                });
            }
        }
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

/// The minimum staffing meeting every goal of `model` (see the module doc).
///
/// `floor[group][interval]` (same shape as the headcount) bounds the answer from below (the base
/// answer for a surge search); `progress(message)` is called after each evaluation.
pub fn search(
    model: &Model,
    floor: Option<&[Vec<u32>]>,
    opts: &SearchOptions,
    progress: &dyn Fn(&str),
) -> SearchResult {
    let analytic = analytic_staffing(model, opts.max_occupancy);
    let lower = |g: usize, k: usize| {
        floor
            .map_or(0, |f| f[g][k])
            .max(model.groups[g].min)
            .min(model.groups[g].max)
    };
    let mut h: Vec<Vec<u32>> = analytic
        .iter()
        .enumerate()
        .map(|(g, row)| {
            row.iter()
                .enumerate()
                .map(|(k, &n)| n.max(lower(g, k)))
                .collect()
        })
        .collect();
    let evaluations = std::cell::Cell::new(0u32);
    let eval = |h: &[Vec<u32>], what: &str| {
        evaluations.set(evaluations.get() + 1);
        let evaluations = evaluations.get();
        let goals = evaluate(model, h, opts);
        let failing = goals.iter().filter(|g| !g.met).count();
        let total: u32 = h.iter().flatten().sum();
        progress(&format!(
            "evaluation {evaluations}: {what}: {total} agent-intervals, {failing} goals failing"
        ));
        goals
    };
    let mut goals = eval(&h, "analytic start");
    let mut infeasible: Option<String> = None;
    // Per (group, interval) relieved by other groups: its mean occupancy when the last relief
    // agent was added, and how many relief agents in a row lowered it by less than MIN_RELIEF.
    let mut relieved: std::collections::HashMap<(usize, usize), (f64, u32)> = Default::default();
    // Greedy add.
    while let Some(worst) = worst(goals.iter().filter(|g| !g.met)).cloned() {
        if evaluations.get() >= opts.max_evaluations {
            infeasible = Some(format!(
                "--max-evaluations {} reached with goals still failing",
                opts.max_evaluations
            ));
            break;
        }
        let at = |k: usize| model.interval_label(k);
        let has_room = |x: usize, k: usize| h[x][k] < model.groups[x].max;
        let cell = match (worst.group, worst.interval_index) {
            (Some(g), Some(k)) => {
                let group = &model.groups[g];
                match relief_group(model, g, k, |x| has_room(x, k)) {
                    None => Err(format!(
                        "group {} at {}: occupancy above the cap at its max ({}), and no other group serving its channels has room",
                        group.id, at(k), group.max
                    )),
                    Some(x) if x != g => {
                        let stalls = match relieved.get(&(g, k)) {
                            Some(&(before, n)) if before - worst.mean < MIN_RELIEF => n + 1,
                            _ => 0,
                        };
                        relieved.insert((g, k), (worst.mean, stalls));
                        if stalls >= 2 {
                            Err(format!(
                                "group {} at {}: occupancy above the cap at its max ({}), and more agents in other groups do not lower it",
                                group.id, at(k), group.max
                            ))
                        } else {
                            Ok((x, k))
                        }
                    }
                    Some(x) => Ok((x, k)),
                }
            }
            _ => {
                let (c, k) = target_cell(&goals, &worst);
                best_group(model, c, |x| has_room(x, k))
                    .map(|x| (x, k))
                    .ok_or_else(|| {
                        format!(
                            "{} {} fails at {}: every group serving channel {} is at its max",
                            worst.kind,
                            worst.id,
                            at(k),
                            model.channels[c].id
                        )
                    })
            }
        };
        let (g, k) = match cell {
            Ok(cell) => cell,
            Err(why) => {
                infeasible = Some(why);
                break;
            }
        };
        h[g][k] += 1;
        let what = format!("add 1 to {} at {}", model.groups[g].id, at(k));
        goals = eval(&h, &what);
    }
    let feasible = infeasible.is_none();
    // Remove where the goals still hold.
    if feasible {
        let mut cells: Vec<(usize, usize)> = (0..model.groups.len())
            .flat_map(|g| (0..model.n_intervals).map(move |k| (g, k)))
            .collect();
        cells.sort_by_key(|&(g, k)| (std::cmp::Reverse(h[g][k]), g, k));
        for (g, k) in cells {
            while h[g][k] > lower(g, k) && evaluations.get() < opts.max_evaluations {
                h[g][k] -= 1;
                let what = format!(
                    "try 1 fewer in {} at {}",
                    model.groups[g].id,
                    model.interval_label(k)
                );
                let trial = eval(&h, &what);
                if trial.iter().all(|x| x.met) {
                    goals = trial;
                } else {
                    h[g][k] += 1;
                    break;
                }
            }
        }
    }
    SearchResult {
        headcount: h,
        analytic,
        feasible,
        infeasible,
        evaluations: evaluations.get(),
        goals,
    }
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
    /// search must return the goals of the headcount it returns: after removals that failed and
    /// were undone, and when the budget stops it part way (then some goal still fails).
    #[test]
    fn a_search_returns_the_goals_of_its_answer() {
        let model = crate::input::load(std::path::Path::new("scenarios/mmc-5.json")).unwrap();
        for budget in [400, 2] {
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
}
