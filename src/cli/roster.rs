//! `acdsim roster`: shifts with breaks that cover the required agents at least cost, checked
//! and repaired by simulation ([`acdsim::analysis::roster`]). Exit code 1 when no allowed
//! shift covers an interval that needs agents, or the roster still misses a goal after the
//! repairs.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::args::{load_model, parse_max_occupancy, OutputHelp, Outputs, SimArgs};
use super::common::{with_threads, write_output, CmdResult, Failure};
use acdsim::analysis::roster::{self, RosterOptions};
use acdsim::analysis::staffing::search::{self, SearchOptions};
use acdsim::input::shiftset;
use acdsim::report;

/// Replications per simulation check (and search candidate) unless `--replications` is given.
pub const DEFAULT_REPLICATIONS: u64 = 200;

#[derive(Debug, Args)]
pub struct RosterArgs {
    /// Scenario file (JSON).
    pub scenario: PathBuf,
    /// Shift file (JSON): allowed patterns, start grid, break rules, absence, prices.
    #[arg(long)]
    pub shifts: PathBuf,
    /// Required agents on the phones per group and interval as CSV
    /// (`group,interval_start,agents`), instead of the `staff` search.
    #[arg(long)]
    pub requirement: Option<PathBuf>,
    /// Most shifts the repair adds after the simulation check.
    #[arg(long, default_value_t = 40)]
    pub max_repairs: u32,
    /// Most candidate staffings the requirement search simulates.
    #[arg(long, default_value_t = 400)]
    pub max_evaluations: u32,
    /// Occupancy cap in (0, 1] for the requirement search and the check.
    #[arg(long, value_parser = parse_max_occupancy, allow_hyphen_values = true)]
    pub max_occupancy: Option<f64>,
    /// What the requirement search minimises: `cost` (default; the group with the least cost
    /// per contact takes the work, by the prices) or `agents` (as `acdsim staff`).
    #[arg(long, default_value = "cost", value_parser = ["agents", "cost"])]
    pub objective: String,
    /// Write the scenario staffed by the roster (shifts, prices, absence) to this file.
    #[arg(long)]
    pub write_scenario: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub out: Outputs<RosterOutputs>,
}

/// `acdsim roster`'s output flags.
#[derive(Debug)]
pub struct RosterOutputs;

impl OutputHelp for RosterOutputs {
    const JSON: &'static str = "Write the roster and its check as JSON to this file";
    const CSV: Option<&'static str> = Some(
        "Write roster.csv (one row per shift start and group, for a WFM tool) and coverage.csv into this folder",
    );
    const PLOTS: Option<&'static str> =
        Some("Write roster_<group>.png (required, scheduled, on the phones per interval) into this folder");
}

pub fn roster(a: RosterArgs) -> CmdResult {
    let mut model = load_model(&a.scenario, &a.sim)?;
    if a.sim.replications.is_none() {
        model.replications = model.replications.min(DEFAULT_REPLICATIONS);
    }
    if model.replications < 2 {
        return Err(anyhow::anyhow!(
            "{}: --replications = {}: the confidence interval needs at least 2",
            a.scenario.display(),
            model.replications
        )
        .into());
    }
    let set = shiftset::load(&a.shifts, &model)?;
    let required = match &a.requirement {
        Some(p) => Some(shiftset::load_requirement(p, &model)?),
        None => None,
    };
    a.out.check()?;
    if let Some(p) = &a.write_scenario {
        acdsim::report::output::check(p)
            .with_context(|| format!("{}: cannot write", p.display()))?;
    }
    let quiet = a.out.quiet;
    let progress = |msg: &str| {
        if !quiet {
            eprintln!("[roster] {msg}");
        }
    };
    let opts = RosterOptions {
        replications: model.replications,
        seed: model.seed,
        confidence: a.sim.confidence,
        max_repairs: a.max_repairs,
        max_occupancy: a.max_occupancy,
    };
    let started = std::time::Instant::now();
    let result = with_threads(a.sim.threads, || {
        let required = required.unwrap_or_else(|| {
            progress("searching the required agents per group and interval (staff search)");
            let sopts = SearchOptions {
                replications: model.replications,
                seed: model.seed,
                confidence: a.sim.confidence,
                max_evaluations: a.max_evaluations,
                max_occupancy: a.max_occupancy,
            };
            search::search(
                &search_model(&model, &set, &a.objective),
                None,
                &sopts,
                &|m| progress(m),
            )
            .headcount
        });
        roster::roster(&model, &set, &required, &opts, &progress)
    })?;
    let result = match result {
        Ok(r) => r,
        Err(u) => {
            return Err(Failure {
                code: 1,
                error: anyhow::anyhow!("{}: {u}", a.shifts.display()),
            })
        }
    };
    progress(&format!("done in {:.1} s", started.elapsed().as_secs_f64()));
    let written = a.out.begin();
    let json: serde_json::Value =
        serde_json::from_str(&report::roster::to_json(&result)).unwrap_or_default();
    a.out.write_json(&json)?;
    if let Some(d) = &a.out.csv {
        std::fs::create_dir_all(d).with_context(|| format!("{}: cannot create", d.display()))?;
        write_output(
            &d.join("roster.csv"),
            &report::roster::to_csv(&result, &model),
        )?;
        write_output(
            &d.join("coverage.csv"),
            &report::roster::coverage_csv(&result),
        )?;
    }
    if let Some(d) = &a.out.plots {
        report::plots::write_roster_plots(&result, &model, d)
            .with_context(|| format!("{}: cannot write plots", d.display()))?;
    }
    if let Some(p) = &a.write_scenario {
        let shifts: Vec<_> = result
            .groups
            .iter()
            .map(|g| (g.index, g.shifts.clone()))
            .collect();
        let text = shiftset::scenario_with_roster(&a.scenario, &model, &set, &shifts)?;
        write_output(p, text.as_bytes())?;
    }
    written.commit()?;
    if !quiet {
        print!("{}", report::roster::to_table(&result, &model));
    }
    if result.all_goals_met {
        return Ok(0);
    }
    Err(Failure {
        code: 1,
        error: anyhow::anyhow!(
            "{}: {}",
            a.scenario.display(),
            still_failing(&result, a.max_repairs)
        ),
    })
}

/// The message of a roster that still misses goals after its repairs: how many repairs, and
/// the goals that fail (kind, id, interval).
fn still_failing(r: &roster::RosterResult, max_repairs: u32) -> String {
    let failing: Vec<String> = r
        .goals
        .iter()
        .filter(|g| !g.met)
        .map(|g| match &g.interval {
            Some(i) => format!("{} {} {i}", g.kind, g.id),
            None => format!("{} {} (day)", g.kind, g.id),
        })
        .collect();
    format!(
        "{} goal(s) still fail after {} repair(s) (--max-repairs {max_repairs}): {}",
        failing.len(),
        r.repairs.len(),
        failing.join(", ")
    )
}

/// The model the requirement search runs on: the scenario's headcounts (shift groups: their
/// agents on the phones), the shift file's prices, and the objective.
fn search_model(
    model: &acdsim::model::Model,
    set: &acdsim::model::roster::ShiftSet,
    objective: &str,
) -> acdsim::model::Model {
    let current: Vec<Vec<u32>> = model.groups.iter().map(|g| g.headcount.clone()).collect();
    let mut m = roster::rostered_model(&model.with_headcount(&current), set, &[]);
    if let Some(w) = &mut m.workforce {
        w.objective_cost = objective == "cost" && set.priced;
    }
    m
}
