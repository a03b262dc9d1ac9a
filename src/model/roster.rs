//! Shifts, breaks, absenteeism and staffing cost (README "Rosters").
//!
//! A group is staffed either by a headcount per interval or by a list of [`Shift`]s: a start, a
//! length, breaks at fixed times, and a number of agents. Times are seconds after opening. The
//! engine (`crate::sim::engine::shifts`) turns the shifts into changes of the agents on duty
//! at arbitrary times; absent agents are drawn per replication with [`Workforce::absence`].

use serde::Serialize;

/// One break of a shift: its start (seconds after opening), its length, paid or not.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Break {
    pub start_s: f64,
    pub length_s: f64,
    pub paid: bool,
}

/// A block of identical shifts: `agents` agents start at `start_s` and leave at `end_s`
/// (seconds after opening), off the phones during each break.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shift {
    /// A name for reports (the pattern's id, or `HH:MM-HH:MM`).
    pub label: String,
    pub start_s: f64,
    pub end_s: f64,
    pub breaks: Vec<Break>,
    pub agents: u32,
    /// Premium per paid hour on top of the group's price (evening, weekend).
    pub premium_per_hour: f64,
}

impl Shift {
    /// Paid hours of one agent of the shift (its length less its unpaid breaks).
    pub fn paid_hours(&self) -> f64 {
        let unpaid: f64 = self
            .breaks
            .iter()
            .filter(|b| !b.paid)
            .map(|b| b.length_s)
            .sum();
        (self.end_s - self.start_s - unpaid) / 3600.0
    }

    /// Whether one agent of the shift is on the phones (present and not on a break) at `t`
    /// seconds after opening (the shift's start counts, its end does not; likewise a break).
    pub fn on_phones_at(&self, t: f64) -> bool {
        t >= self.start_s
            && t < self.end_s
            && !self
                .breaks
                .iter()
                .any(|b| t >= b.start_s && t < b.start_s + b.length_s)
    }

    /// Seconds of `[from, to)` one agent of the shift is on the phones.
    pub fn on_phones_between(&self, from: f64, to: f64) -> f64 {
        let overlap = |a: f64, b: f64| (b.min(to) - a.max(from)).max(0.0);
        let present = overlap(self.start_s, self.end_s);
        let off: f64 = self
            .breaks
            .iter()
            .map(|b| overlap(b.start_s, b.start_s + b.length_s))
            .sum();
        present - off
    }
}

/// What an agent due for a break does when the break starts while a contact is in hand: it
/// always finishes the contact first (a contact is never cut); then
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum BreakMode {
    /// the break ends at its scheduled time (it is shortened by the overrun);
    #[default]
    Shorten,
    /// the break is taken in full from the moment the agent is free (it is shifted).
    Shift,
}

/// The scenario's workforce settings: shifts per group, absenteeism, how breaks yield to
/// contacts in hand, prices.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Workforce {
    /// Share of rostered agents absent on a day (each agent independently, so the absent count
    /// of a group is binomial), drawn per replication.
    pub absence: f64,
    pub break_mode: BreakMode,
    /// Per group: its shifts when it is staffed by shifts, `None` when by headcount.
    pub shifts: Vec<Option<Vec<Shift>>>,
    /// Per group: the price of a paid hour, if given.
    pub cost_per_hour: Vec<Option<f64>>,
    /// `acdsim staff --objective cost`: the search gives work to the group with the least cost
    /// per contact instead of the best level (`crate::analysis::staffing::search`).
    pub objective_cost: bool,
}

impl Workforce {
    /// Whether any group is staffed by shifts (the engine's hooks are inert otherwise).
    pub fn has_shifts(&self) -> bool {
        self.shifts.iter().any(Option::is_some)
    }

    /// Whether prices are given (reports show the day's cost only then).
    pub fn has_prices(&self) -> bool {
        self.cost_per_hour.iter().any(Option::is_some)
    }
}

/// The rostered agents on the phones (present and not on a break) at the start of each of
/// `n` intervals of `interval_s` seconds: the headcount a shift-staffed group shows.
pub fn headcount_of(shifts: &[Shift], interval_s: f64, n: usize) -> Vec<u32> {
    (0..n)
        .map(|k| {
            let t = k as f64 * interval_s;
            shifts
                .iter()
                .filter(|s| s.on_phones_at(t))
                .map(|s| s.agents)
                .sum()
        })
        .collect()
}

/// The most agents of `shifts` present (breaks included) at one time: the group's pool.
pub fn most_present(shifts: &[Shift]) -> u32 {
    shifts
        .iter()
        .map(|s| {
            shifts
                .iter()
                .filter(|o| o.start_s <= s.start_s && s.start_s < o.end_s)
                .map(|o| o.agents)
                .sum::<u32>()
        })
        .max()
        .unwrap_or(0)
}

/// Paid hours and cost of one group for the day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroupCost {
    pub paid_hours: f64,
    pub cost: f64,
}

/// Paid hours and cost of a group staffed by `shifts` at `price` per paid hour.
pub fn shifts_cost(shifts: &[Shift], price: f64) -> GroupCost {
    let (mut paid_hours, mut cost) = (0.0, 0.0);
    for s in shifts {
        let h = s.paid_hours() * s.agents as f64;
        paid_hours += h;
        cost += h * (price + s.premium_per_hour);
    }
    GroupCost { paid_hours, cost }
}

/// Paid hours and cost of a group staffed by a `headcount` per interval of `interval_s`
/// seconds at `price` per paid hour (every agent on duty is paid).
pub fn headcount_cost(headcount: &[u32], interval_s: f64, price: f64) -> GroupCost {
    let paid_hours = headcount.iter().map(|&h| h as f64).sum::<f64>() * interval_s / 3600.0;
    GroupCost {
        paid_hours,
        cost: paid_hours * price,
    }
}

/// A break rule of a shift pattern: its length, the window (seconds after the shift's start)
/// in which it must start, paid or not.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BreakRule {
    pub length_s: f64,
    pub earliest_s: f64,
    pub latest_s: f64,
    pub paid: bool,
}

/// An allowed shift pattern of `acdsim roster`: a length, the starts allowed (seconds after
/// opening) and the break rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pattern {
    pub id: String,
    pub length_s: f64,
    pub starts: Vec<f64>,
    pub breaks: Vec<BreakRule>,
    pub premium_per_hour: f64,
}

impl Pattern {
    /// Paid hours of one agent of the pattern.
    pub fn paid_hours(&self) -> f64 {
        let unpaid: f64 = self
            .breaks
            .iter()
            .filter(|b| !b.paid)
            .map(|b| b.length_s)
            .sum();
        (self.length_s - unpaid) / 3600.0
    }
}

/// The shift file of `acdsim roster`, resolved against a model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShiftSet {
    /// The file it came from.
    pub file: String,
    pub patterns: Vec<Pattern>,
    /// Breaks start on this grid (seconds after the shift's start).
    pub break_grid_s: f64,
    /// Share of rostered agents absent (the file's, else the scenario's).
    pub absence: f64,
    pub break_mode: BreakMode,
    /// Price per paid hour per group (the file's, else the scenario's, else 1: cost = hours).
    pub cost_per_hour: Vec<f64>,
    /// Whether any price was given (else the cost is in paid hours).
    pub priced: bool,
    /// The groups to roster (indices into the model's groups).
    pub groups: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(start: f64, end: f64, breaks: Vec<Break>, agents: u32) -> Shift {
        Shift {
            label: String::new(),
            start_s: start,
            end_s: end,
            breaks,
            agents,
            premium_per_hour: 0.0,
        }
    }

    #[test]
    fn on_phones_and_paid_hours() {
        let b = Break {
            start_s: 3600.0,
            length_s: 1800.0,
            paid: false,
        };
        let s = shift(0.0, 4.0 * 3600.0, vec![b], 2);
        assert!(s.on_phones_at(0.0) && !s.on_phones_at(3600.0) && s.on_phones_at(5400.0));
        assert!(!s.on_phones_at(4.0 * 3600.0));
        assert_eq!(s.paid_hours(), 3.5);
        assert_eq!(s.on_phones_between(1800.0, 5400.0), 1800.0);
        assert_eq!(shifts_cost(std::slice::from_ref(&s), 10.0).cost, 70.0);
        assert_eq!(
            headcount_of(std::slice::from_ref(&s), 1800.0, 4),
            vec![2, 2, 0, 2]
        );
        let later = shift(1800.0, 7200.0, vec![], 3);
        assert_eq!(most_present(&[s, later]), 5);
    }
}
