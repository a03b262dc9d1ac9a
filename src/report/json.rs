//! The JSON report: [`super::RunReport`] serialised with serde. Format documented in the README
//! ("JSON report"); `schema_version` changes when it changes incompatibly. NaN (a metric that
//! was never defined, such as ASA with nothing answered) is written as `null`.

/// A report ([`super::RunReport`], or another command's) as pretty-printed JSON,
/// newline-terminated. Reports are plain data (string keys, numbers, NaN written as `null`), so
/// this cannot fail.
pub fn to_json<T: serde::Serialize + ?Sized>(report: &T) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("a report always serialises");
    s.push('\n');
    s
}

use serde::Serialize;

use crate::analysis::staffing::erlang::{ErlangInput, ErlangResult};
use crate::analysis::staffing::plan::StaffReport;
use crate::model::{Model, ScenarioInfo};

/// What `acdsim staff` was asked (besides the scenario).
#[derive(Debug, Clone, Serialize)]
pub struct StaffInputs {
    pub surge: f64,
    pub shrinkage: f64,
    pub max_occupancy: Option<f64>,
    pub max_evaluations: u32,
    pub curve_span: u32,
    pub replications: u64,
    pub seed: u64,
    pub confidence: f64,
}

/// The JSON of `acdsim staff` (schema `acdsim.staff`): schema, tool version, the scenario and
/// the inputs, then the plan's fields ([`StaffReport`]).
#[derive(Debug, Serialize)]
pub struct StaffDocument<'a> {
    pub schema: &'static str,
    pub schema_version: u32,
    pub tool_version: &'static str,
    pub scenario_file: ScenarioInfo,
    pub inputs: StaffInputs,
    #[serde(flatten)]
    pub plan: &'a StaffReport,
    /// The day's cost of the required agents, when the scenario gives prices (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staffing_cost: Option<RequiredCost>,
}

/// The day's cost of `acdsim staff`'s required agents: paid hours (the headcount for whole
/// intervals) times each group's `cost_per_hour`, at base load and at the surge.
#[derive(Debug, Clone, Serialize)]
pub struct RequiredCost {
    /// What the search minimised: `cost` or `agents`.
    pub objective: &'static str,
    pub base_paid_hours: f64,
    pub base: f64,
    pub surge_paid_hours: f64,
    pub surge: f64,
}

impl RequiredCost {
    /// The cost of `plan`'s answers on `model`, if `model` gives prices.
    pub fn of(model: &Model, plan: &StaffReport) -> Option<RequiredCost> {
        let w = model.workforce.as_ref().filter(|w| w.has_prices())?;
        let cost = |h: &[Vec<u32>]| -> (f64, f64) {
            h.iter()
                .enumerate()
                .fold((0.0, 0.0), |(hours, cost), (g, row)| {
                    let price = w.cost_per_hour.get(g).copied().flatten().unwrap_or(0.0);
                    let c = crate::model::roster::headcount_cost(row, model.interval_s, price);
                    (hours + c.paid_hours, cost + c.cost)
                })
        };
        let (base_paid_hours, base) = cost(&plan.base.headcount);
        let (surge_paid_hours, surge) = cost(&plan.surge.headcount);
        Some(RequiredCost {
            objective: if w.objective_cost { "cost" } else { "agents" },
            base_paid_hours,
            base,
            surge_paid_hours,
            surge,
        })
    }
}

impl<'a> StaffDocument<'a> {
    pub fn new(model: &Model, inputs: StaffInputs, plan: &'a StaffReport) -> StaffDocument<'a> {
        StaffDocument {
            schema: "acdsim.staff",
            schema_version: 1,
            tool_version: env!("CARGO_PKG_VERSION"),
            scenario_file: ScenarioInfo::of(model),
            inputs,
            plan,
            staffing_cost: RequiredCost::of(model, plan),
        }
    }
}

/// The JSON of `acdsim erlang` (schema `acdsim.erlang`): schema, tool version and the inputs,
/// then the answer's fields ([`ErlangResult`]).
#[derive(Debug, Serialize)]
pub struct ErlangDocument<'a> {
    pub schema: &'static str,
    pub schema_version: u32,
    pub tool_version: &'static str,
    pub inputs: &'a ErlangInput,
    #[serde(flatten)]
    pub result: &'a ErlangResult,
}

impl<'a> ErlangDocument<'a> {
    pub fn new(inputs: &'a ErlangInput, result: &'a ErlangResult) -> ErlangDocument<'a> {
        ErlangDocument {
            schema: "acdsim.erlang",
            schema_version: 1,
            tool_version: env!("CARGO_PKG_VERSION"),
            inputs,
            result,
        }
    }
}

/// The JSON of `acdsim erlang --forecast` (schema `acdsim.erlang_sheet`): the inputs (forecast
/// file, surge, the targets and the rest of the calculator's inputs) and one entry per interval.
#[derive(Debug, Serialize)]
pub struct ErlangSheetDocument<'a> {
    pub schema: &'static str,
    pub schema_version: u32,
    pub tool_version: &'static str,
    pub forecast: &'a str,
    pub surge: f64,
    /// The calculator's inputs common to every interval (`contacts` is each row's).
    pub inputs: &'a ErlangInput,
    pub intervals: &'a [crate::analysis::staffing::erlang::SheetRow],
}

impl<'a> ErlangSheetDocument<'a> {
    pub fn new(
        forecast: &'a str,
        surge: f64,
        inputs: &'a ErlangInput,
        intervals: &'a [crate::analysis::staffing::erlang::SheetRow],
    ) -> ErlangSheetDocument<'a> {
        ErlangSheetDocument {
            schema: "acdsim.erlang_sheet",
            schema_version: 1,
            tool_version: env!("CARGO_PKG_VERSION"),
            forecast,
            surge,
            inputs,
            intervals,
        }
    }
}
