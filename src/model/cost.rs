//! The day's staffing cost of a scenario with prices (`cost_per_hour` per group, shift
//! premiums): what every report that has a staffing gives (run, staff, roster, sweep, compare).

use serde::Serialize;

use super::Model;

/// The day's staffing cost: paid hours (rostered shifts less unpaid breaks, or the headcount
/// for whole intervals) times each group's `cost_per_hour`, shift premiums included.
#[derive(Debug, Clone, Serialize)]
pub struct StaffingCost {
    pub groups: Vec<GroupCostReport>,
    pub paid_hours: f64,
    pub cost: f64,
}

/// One priced group's paid hours and cost.
#[derive(Debug, Clone, Serialize)]
pub struct GroupCostReport {
    pub group: String,
    pub cost_per_hour: f64,
    pub paid_hours: f64,
    pub cost: f64,
}

impl StaffingCost {
    /// The cost of `model`'s staffing, if it gives prices.
    pub fn of(model: &Model) -> Option<StaffingCost> {
        use super::roster::{headcount_cost, shifts_cost};
        let w = model.workforce.as_ref().filter(|w| w.has_prices())?;
        let groups: Vec<GroupCostReport> = (0..model.regular_groups())
            .filter_map(|g| {
                let price = w.cost_per_hour.get(g).copied().flatten()?;
                let c = match model.shifts_of(g) {
                    Some(s) => shifts_cost(s, price),
                    None => headcount_cost(&model.groups[g].headcount, model.interval_s, price),
                };
                Some(GroupCostReport {
                    group: model.groups[g].id.clone(),
                    cost_per_hour: price,
                    paid_hours: c.paid_hours,
                    cost: c.cost,
                })
            })
            .collect();
        Some(StaffingCost {
            paid_hours: groups.iter().map(|g| g.paid_hours).sum(),
            cost: groups.iter().map(|g| g.cost).sum(),
            groups,
        })
    }
}
