//! `acdsim roster`: from the agents required on the phones per group and interval to shifts
//! with breaks, checked by simulation (README "Rosters"). A documented decomposition:
//!
//! 1. [`mip`]: per group, how many agents start each allowed shift, by a set covering integer
//!    program on the expected coverage of each shift (breaks spread over their windows, the
//!    need divided by the share present); its LP relaxation gives the optimality gap;
//! 2. [`breaks`]: each agent's breaks placed greedily where the coverage has most to spare;
//! 3. [`repair`]: the roster simulated (breaks and absenteeism included) and its goals judged
//!    on confidence bounds; where one fails, the cheapest shifts covering the failing intervals
//!    are added and the roster checked again.

pub mod breaks;
pub mod mip;
pub mod repair;

use serde::Serialize;

use crate::analysis::staffing::search::GoalCheck;
use crate::model::roster::{headcount_cost, shifts_cost, Shift, ShiftSet, Workforce};
use crate::model::Model;

/// Settings of the simulation check.
#[derive(Debug, Clone, Copy)]
pub struct RosterOptions {
    pub replications: u64,
    pub seed: u64,
    pub confidence: f64,
    /// Most shifts the repair adds.
    pub max_repairs: u32,
    pub max_occupancy: Option<f64>,
}

/// One rostered group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRoster {
    pub group: String,
    #[serde(skip)]
    pub index: usize,
    /// Required agents on the phones per interval.
    pub required: Vec<u32>,
    /// Rostered agents needed per interval after absence (`required / (1 - absence)`).
    pub need: Vec<f64>,
    pub shifts: Vec<Shift>,
    /// The integer program's cost and its LP relaxation's (before repairs).
    pub mip_cost: f64,
    pub lp_bound: f64,
    /// Agents present per interval (mean over the interval, breaks included).
    pub scheduled: Vec<f64>,
    /// Agents on the phones per interval as planned: present, less breaks, less the expected
    /// absence.
    pub planned_on_phones: Vec<f64>,
    /// Agents on duty per interval measured in the simulation check (mean).
    pub on_phones: Vec<f64>,
    pub paid_hours: f64,
    pub cost: f64,
    /// The same requirement as a headcount plan (`ceil(required / (1 - absence))` agents for
    /// whole intervals, no breaks): its paid hours and cost, for comparison.
    pub headcount_paid_hours: f64,
    pub headcount_cost: f64,
}

/// A shift the repair added.
#[derive(Debug, Clone, Serialize)]
pub struct Repair {
    pub round: u32,
    pub group: String,
    pub shift: String,
    pub start: String,
    /// The goals that failed, which the shift covers.
    pub for_goals: Vec<String>,
}

/// The roster and its check.
#[derive(Debug, Clone, Serialize)]
pub struct RosterResult {
    pub scenario: String,
    pub shift_file: String,
    pub absence: f64,
    pub intervals: Vec<String>,
    pub groups: Vec<GroupRoster>,
    pub repairs: Vec<Repair>,
    /// Simulation checks run (the first and one after each repair round).
    pub checks: u32,
    pub goals: Vec<GoalCheck>,
    pub all_goals_met: bool,
    pub total_paid_hours: f64,
    pub total_cost: f64,
    pub total_lp_bound: f64,
    pub total_mip_cost: f64,
    /// `(mip - lp) / mip`: how far the integer cost may be above the optimum at most.
    pub optimality_gap: f64,
    pub priced: bool,
    #[serde(skip)]
    pub model: Model,
}

/// Why no roster: needed intervals no allowed shift covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncovered {
    pub group: String,
    pub intervals: Vec<String>,
}

impl std::fmt::Display for Uncovered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "group {}: no allowed shift covers {} (agents are required there): add a pattern or a start that covers {}",
            self.group,
            self.intervals.join(", "),
            if self.intervals.len() == 1 { "it" } else { "them" }
        )
    }
}

/// `model` with `set`'s groups staffed by `shifts` (the others keep their headcount), and the
/// set's absence, break handling and prices.
pub fn rostered_model(model: &Model, set: &ShiftSet, shifts: &[(usize, Vec<Shift>)]) -> Model {
    let mut m = model.clone();
    let ng = m.groups.len();
    let mut w = m.workforce.clone().unwrap_or(Workforce {
        absence: 0.0,
        break_mode: set.break_mode,
        shifts: vec![None; ng],
        cost_per_hour: vec![None; ng],
        objective_cost: false,
    });
    w.absence = set.absence;
    w.break_mode = set.break_mode;
    w.shifts.resize(ng, None);
    w.cost_per_hour.resize(ng, None);
    if set.priced {
        for (g, &p) in set.cost_per_hour.iter().enumerate() {
            w.cost_per_hour[g] = Some(p);
        }
    }
    for (g, s) in shifts {
        m.groups[*g].headcount =
            crate::model::roster::headcount_of(s, model.interval_s, model.n_intervals);
        w.shifts[*g] = Some(s.clone());
    }
    m.workforce = Some(w);
    m
}

/// Rosters `set`'s groups of `model` to cover `required[group][interval]` agents on the
/// phones, then checks and repairs the roster by simulation.
pub fn roster(
    model: &Model,
    set: &ShiftSet,
    required: &[Vec<u32>],
    opts: &RosterOptions,
    progress: &dyn Fn(&str),
) -> Result<RosterResult, Uncovered> {
    let keep = 1.0 - set.absence;
    let mut groups = Vec::new();
    let mut profiles = Vec::new();
    let mut columns = Vec::new();
    for &g in &set.groups {
        let cols = mip::columns(model, set, set.cost_per_hour[g]);
        let need: Vec<f64> = required[g].iter().map(|&r| r as f64 / keep).collect();
        let cover = mip::solve(&cols, &need).map_err(|mip::Uncovered(ks)| Uncovered {
            group: model.groups[g].id.clone(),
            intervals: ks.iter().map(|&k| model.interval_label(k)).collect(),
        })?;
        let mut profile = breaks::Profile::new(model, &need);
        let shifts = breaks::place(set, &cols, &cover.counts, &mut profile);
        let price = set.cost_per_hour[g];
        let hc: Vec<u32> = need
            .iter()
            .map(|&n| (n - 1e-9).ceil().max(0.0) as u32)
            .collect();
        let hcost = headcount_cost(&hc, model.interval_s, price);
        groups.push(GroupRoster {
            group: model.groups[g].id.clone(),
            index: g,
            required: required[g].clone(),
            need,
            shifts,
            mip_cost: cover.cost,
            lp_bound: cover.lp_bound,
            scheduled: Vec::new(),
            planned_on_phones: Vec::new(),
            on_phones: Vec::new(),
            paid_hours: 0.0,
            cost: 0.0,
            headcount_paid_hours: hcost.paid_hours,
            headcount_cost: hcost.cost,
        });
        profiles.push(profile);
        columns.push(cols);
    }
    progress(&format!(
        "integer program solved for {} group(s); checking by simulation",
        groups.len()
    ));
    let checked = repair::check_and_repair(
        model,
        set,
        &mut groups,
        &mut profiles,
        &columns,
        opts,
        progress,
    );
    Ok(finish(model, set, groups, checked))
}

/// Totals, coverage per interval and the gap.
fn finish(
    model: &Model,
    set: &ShiftSet,
    mut groups: Vec<GroupRoster>,
    c: repair::Checked,
) -> RosterResult {
    let n = model.n_intervals;
    let len = model.interval_s;
    for gr in &mut groups {
        let price = set.cost_per_hour[gr.index];
        let cost = shifts_cost(&gr.shifts, price);
        gr.paid_hours = cost.paid_hours;
        gr.cost = cost.cost;
        gr.scheduled = (0..n)
            .map(|k| {
                let (a, b) = (k as f64 * len, (k + 1) as f64 * len);
                gr.shifts
                    .iter()
                    .map(|s| s.agents as f64 * ((s.end_s.min(b) - s.start_s.max(a)).max(0.0)) / len)
                    .sum::<f64>()
                    // An empty sum of floats is -0.0 (printed "-0.00"): + 0.0 makes it 0.
                    + 0.0
            })
            .collect();
        gr.planned_on_phones = (0..n)
            .map(|k| {
                let (a, b) = (k as f64 * len, (k + 1) as f64 * len);
                gr.shifts
                    .iter()
                    .map(|s| s.agents as f64 * s.on_phones_between(a, b) / len)
                    .sum::<f64>()
                    * (1.0 - set.absence)
                    + 0.0
            })
            .collect();
        gr.on_phones = c.on_phones[gr.index].clone();
    }
    let total_mip_cost: f64 = groups.iter().map(|g| g.mip_cost).sum();
    let total_lp_bound: f64 = groups.iter().map(|g| g.lp_bound).sum();
    RosterResult {
        scenario: model.name.clone(),
        shift_file: set.file.clone(),
        absence: set.absence,
        intervals: (0..n).map(|k| model.interval_label(k)).collect(),
        total_paid_hours: groups.iter().map(|g| g.paid_hours).sum(),
        total_cost: groups.iter().map(|g| g.cost).sum(),
        optimality_gap: if total_mip_cost > 0.0 {
            ((total_mip_cost - total_lp_bound) / total_mip_cost).max(0.0)
        } else {
            0.0
        },
        total_lp_bound,
        total_mip_cost,
        groups,
        repairs: c.repairs,
        checks: c.checks,
        all_goals_met: c.goals.iter().all(|g| g.met),
        goals: c.goals,
        priced: set.priced,
        model: c.model,
    }
}
