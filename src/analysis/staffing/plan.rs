//! The staffing plan of `acdsim staff`: minimum headcount per agent group and interval at base
//! load and at a surge, by the simulation search of [`crate::analysis::staffing::search`].
//! *Required* agents are the search's answer (on the phones, meeting every goal and the
//! occupancy cap); *scheduled* agents add shrinkage: `ceil(required / (1 - shrinkage))` per group
//! and interval.

use serde::Serialize;

use crate::analysis::staffing::erlang::scheduled_agents;
use crate::analysis::staffing::search::{self, CurvePoint, SearchOptions, SearchResult};
use crate::model::Model;

/// One group's plan per interval: required agents (`base`, `surge`, `reserve` = surge - base),
/// the same after shrinkage (`scheduled_*`), and the scenario's own headcount (`current`).
#[derive(Debug, Serialize)]
pub struct GroupPlan {
    pub group: String,
    pub min: u32,
    pub max: u32,
    pub base: Vec<u32>,
    pub surge: Vec<u32>,
    pub reserve: Vec<i64>,
    pub scheduled_base: Vec<u64>,
    pub scheduled_surge: Vec<u64>,
    pub scheduled_reserve: Vec<i64>,
    pub current: Vec<u32>,
}

/// The answer of `acdsim staff`, serialised as its JSON.
#[derive(Debug, Serialize)]
pub struct StaffReport {
    pub scenario: String,
    pub surge_factor: f64,
    pub shrinkage: f64,
    pub max_occupancy: Option<f64>,
    pub confidence: f64,
    pub replications: u64,
    pub seed: u64,
    pub intervals: Vec<String>,
    pub groups: Vec<GroupPlan>,
    pub base: SearchResult,
    pub surge: SearchResult,
    pub peak_interval: String,
    #[serde(skip)]
    pub peak_index: usize,
    pub peak_curve_base: Vec<CurvePoint>,
    pub peak_curve_surge: Vec<CurvePoint>,
}

/// Searches the minimum staffing of `model` at base load and at `surge` (see
/// [`search::search`]), the peak interval's service-level curves `curve_span` points either
/// side of each answer, and the agents to schedule after `shrinkage`. `progress(stage, message)`
/// follows the searches (stage `base` or `surge`).
pub fn plan(
    model: &Model,
    surge: f64,
    curve_span: u32,
    shrinkage: f64,
    opts: &SearchOptions,
    progress: &dyn Fn(&str, &str),
) -> StaffReport {
    let surge_factor = surge;
    let base = search::search(model, None, opts, &|m| progress("base", m));
    let surged = model.with_surge(surge_factor);
    let surge = search::search(&surged, Some(&base), opts, &|m| progress("surge", m));
    let k = search::peak_interval(&surged);
    let peak_curve_base = search::curve(model, &base, k, curve_span, opts);
    let peak_curve_surge = search::curve(&surged, &surge, k, curve_span, opts);
    let scheduled =
        |v: &[u32]| -> Vec<u64> { v.iter().map(|&n| scheduled_agents(n, shrinkage)).collect() };
    let groups = model
        .groups
        .iter()
        .enumerate()
        .map(|(g, gr)| {
            let (scheduled_base, scheduled_surge) = (
                scheduled(&base.headcount[g]),
                scheduled(&surge.headcount[g]),
            );
            GroupPlan {
                group: gr.id.clone(),
                min: gr.min,
                max: gr.max,
                base: base.headcount[g].clone(),
                surge: surge.headcount[g].clone(),
                reserve: base.headcount[g]
                    .iter()
                    .zip(&surge.headcount[g])
                    .map(|(&b, &s)| i64::from(s) - i64::from(b))
                    .collect(),
                scheduled_reserve: scheduled_base
                    .iter()
                    .zip(&scheduled_surge)
                    .map(|(&b, &s)| s as i64 - b as i64)
                    .collect(),
                scheduled_base,
                scheduled_surge,
                current: gr.headcount.clone(),
            }
        })
        .collect();
    StaffReport {
        scenario: model.name.clone(),
        surge_factor,
        shrinkage,
        max_occupancy: opts.max_occupancy,
        confidence: opts.confidence,
        replications: opts.replications,
        seed: opts.seed,
        intervals: (0..model.n_intervals)
            .map(|k| model.interval_label(k))
            .collect(),
        groups,
        base,
        surge,
        peak_interval: model.interval_label(k),
        peak_index: k,
        peak_curve_base,
        peak_curve_surge,
    }
}
