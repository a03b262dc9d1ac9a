//! Stage 3 of the roster: the simulation check and the repair loop.
//!
//! The rostered model (breaks and absenteeism included) is simulated and every goal judged on
//! its confidence bound ([`check_goals`], as `acdsim staff` does). The failing goals give
//! failing cells: (groups that could help, interval): a channel's goal in an interval, the
//! worst interval of a segment's channels for a whole-day segment goal, a group's interval for
//! an occupancy cap. Shifts are then added greedily, one agent at a time: the shift (group x
//! pattern x start) with the least cost per failing cell it covers ([`cheapest_per_cell`]), with
//! its breaks placed where coverage has most to spare, until every failing cell is covered; then
//! the roster is checked again. The loop ends when every goal is met, or after `max_repairs` shifts.

use crate::analysis::roster::breaks::{self, Profile};
use crate::analysis::roster::mip::Column;
use crate::analysis::roster::{rostered_model, GroupRoster, Repair, RosterOptions};
use crate::analysis::staffing::search::{check_goals, GoalCheck};
use crate::model::roster::{Shift, ShiftSet};
use crate::model::Model;
use crate::sim::simulate::{self, Outcome, RunOptions};

/// What the check found at the end.
pub struct Checked {
    pub goals: Vec<GoalCheck>,
    /// Per group of the model: mean agents on duty per interval.
    pub on_phones: Vec<Vec<f64>>,
    pub repairs: Vec<Repair>,
    pub checks: u32,
    pub model: Model,
}

/// Simulates `model` and judges its goals; the mean agents on duty per group and interval.
pub fn check(model: &Model, opts: &RosterOptions) -> (Vec<GoalCheck>, Vec<Vec<f64>>) {
    let outcome = simulate::run(
        model,
        RunOptions {
            replications: opts.replications,
            seed: opts.seed,
        },
        |_| {},
    );
    let goals = check_goals(model, &outcome, opts.confidence, opts.max_occupancy);
    (goals, on_duty(model, &outcome))
}

/// Mean agents on duty per group and interval.
fn on_duty(model: &Model, outcome: &Outcome) -> Vec<Vec<f64>> {
    let layout = &outcome.layout;
    let hours = model.interval_s / 3600.0;
    (0..model.groups.len())
        .map(|g| {
            (0..model.n_intervals)
                .map(|k| {
                    layout.group_row(g, Some(k)).map_or(0.0, |row| {
                        let e = outcome.aggregate.moments[layout.group_slot(row, 1)].interval(0.95);
                        if e.mean.is_finite() {
                            e.mean / hours
                        } else {
                            0.0
                        }
                    })
                })
                .collect()
        })
        .collect()
}

/// A failing cell: the rostered groups (positions in the roster's groups) that could help, and
/// the interval; the goal's name.
#[derive(Debug, Clone)]
pub struct Cell {
    pub groups: Vec<usize>,
    pub interval: usize,
    pub goal: String,
}

/// Whether column `col` of rostered group `i` covers `cell` (puts an agent on the phones for
/// some of its interval).
fn covers(i: usize, col: &Column, cell: &Cell) -> bool {
    cell.groups.contains(&i) && col.cover.get(cell.interval).is_some_and(|&c| c > 1e-9)
}

/// The repair's choice among `columns[group][column]`: the one with the least cost per failing
/// cell of `cells` it covers, a cell counting by the share of its interval the column's agent
/// is on the phones (cost / that sum); of equal cost per cell, the one covering more, then the
/// first. `None` when no column covers any cell.
pub fn cheapest_per_cell(columns: &[Vec<Column>], cells: &[Cell]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize, f64, f64)> = None; // (group pos, column, covered, per cell)
    for (i, cols) in columns.iter().enumerate() {
        for (j, col) in cols.iter().enumerate() {
            let covered: f64 = cells
                .iter()
                .filter(|c| covers(i, col, c))
                .map(|c| col.cover[c.interval])
                .sum();
            if covered <= 1e-9 {
                continue;
            }
            let per_cell = col.cost / covered;
            if best.is_none_or(|(_, _, n, p)| {
                per_cell < p - 1e-9 || ((per_cell - p).abs() <= 1e-9 && covered > n + 1e-9)
            }) {
                best = Some((i, j, covered, per_cell));
            }
        }
    }
    best.map(|(i, j, _, _)| (i, j))
}

/// The failing cells of `goals`.
fn failing_cells(model: &Model, groups: &[GroupRoster], goals: &[GoalCheck]) -> Vec<Cell> {
    let serving = |channels: &[usize]| -> Vec<usize> {
        (0..groups.len())
            .filter(|&i| {
                channels
                    .iter()
                    .any(|&c| model.groups[groups[i].index].units[c] > 0)
            })
            .collect()
    };
    let mut out = Vec::new();
    for g in goals.iter().filter(|g| !g.met) {
        let name = format!(
            "{} {}{}",
            g.kind,
            g.id,
            g.interval
                .as_ref()
                .map(|i| format!(" {i}"))
                .unwrap_or_default()
        );
        if let Some(gi) = g.group_index() {
            if let (Some(k), Some(i)) = (
                g.interval_index(),
                groups.iter().position(|r| r.index == gi),
            ) {
                out.push(Cell {
                    groups: vec![i],
                    interval: k,
                    goal: name,
                });
            }
            continue;
        }
        let helpers = serving(g.channel_indices());
        let k = match g.interval_index() {
            Some(k) => k,
            // A whole-day segment goal: the worst interval of its channels.
            None => {
                let worst = goals
                    .iter()
                    .filter(|x| {
                        x.kind == "channel"
                            && x.interval_index().is_some()
                            && x.channel_indices()
                                .iter()
                                .any(|c| g.channel_indices().contains(c))
                    })
                    .min_by(|a, b| a.lo.total_cmp(&b.lo));
                match worst.and_then(GoalCheck::interval_index) {
                    Some(k) => k,
                    None => continue,
                }
            }
        };
        out.push(Cell {
            groups: helpers,
            interval: k,
            goal: name,
        });
    }
    out
}

/// Checks the roster of `groups` and repairs it until every goal is met or the repairs run
/// out.
pub fn check_and_repair(
    model: &Model,
    set: &ShiftSet,
    groups: &mut [GroupRoster],
    profiles: &mut [Profile],
    columns: &[Vec<Column>],
    opts: &RosterOptions,
    progress: &dyn Fn(&str),
) -> Checked {
    let mut repairs: Vec<Repair> = Vec::new();
    let mut checks = 0;
    loop {
        let shifts: Vec<(usize, Vec<Shift>)> =
            groups.iter().map(|g| (g.index, g.shifts.clone())).collect();
        let m = rostered_model(model, set, &shifts);
        let (goals, on_phones) = check(&m, opts);
        checks += 1;
        let failing = failing_cells(model, groups, &goals);
        progress(&format!(
            "check {checks}: {} of {} goals met",
            goals.iter().filter(|g| g.met).count(),
            goals.len()
        ));
        let left = (opts.max_repairs as usize).saturating_sub(repairs.len());
        if failing.is_empty() || left == 0 {
            return Checked {
                goals,
                on_phones,
                repairs,
                checks,
                model: m,
            };
        }
        let added = add_shifts(model, set, groups, profiles, columns, failing, left, checks);
        if added.is_empty() {
            return Checked {
                goals,
                on_phones,
                repairs,
                checks,
                model: m,
            };
        }
        repairs.extend(added);
    }
}

/// Adds shifts until every failing cell is covered (at most `left`): each time the column with
/// the least cost per failing cell covered ([`cheapest_per_cell`]).
#[allow(clippy::too_many_arguments)]
fn add_shifts(
    model: &Model,
    set: &ShiftSet,
    groups: &mut [GroupRoster],
    profiles: &mut [Profile],
    columns: &[Vec<Column>],
    mut cells: Vec<Cell>,
    left: usize,
    round: u32,
) -> Vec<Repair> {
    let mut out = Vec::new();
    while !cells.is_empty() && out.len() < left {
        let Some((i, j)) = cheapest_per_cell(columns, &cells) else {
            break;
        };
        let col = &columns[i][j];
        let pat = &set.patterns[col.pattern];
        let (goals_hit, rest): (Vec<Cell>, Vec<Cell>) =
            cells.into_iter().partition(|c| covers(i, col, c));
        cells = rest;
        profiles[i].add(col.start_s, col.start_s + pat.length_s, 1.0);
        let shift = breaks::one_agent(set, col, &mut profiles[i]);
        let sh = &mut groups[i].shifts;
        match sh.iter_mut().find(|s| {
            s.start_s == shift.start_s && s.label == shift.label && s.breaks == shift.breaks
        }) {
            Some(s) => s.agents += 1,
            None => sh.push(shift),
        }
        out.push(Repair {
            round,
            group: groups[i].group.clone(),
            shift: pat.id.clone(),
            start: label(model, col.start_s),
            for_goals: goals_hit.into_iter().map(|c| c.goal).collect(),
        });
    }
    out
}

/// `HH:MM` of `off` seconds after opening.
pub fn label(model: &Model, off: f64) -> String {
    let t = (model.open_s + off).round() as u64;
    format!("{:02}:{:02}", (t / 3600) % 24, (t % 3600) / 60)
}
