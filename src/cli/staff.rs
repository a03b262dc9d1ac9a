//! `acdsim staff`: minimum headcount per agent group and interval at base load and at a surge
//! (the plan is [`acdsim::analysis::staffing::plan`], the method
//! [`acdsim::analysis::staffing::search`]). Exit code 1 when a search finds no feasible staffing.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::args::{
    check_surge, load_model, parse_factor, parse_max_occupancy, parse_shrinkage, OutputHelp,
    Outputs, SimArgs,
};
use super::common::{with_threads, write_output, CmdResult};
use acdsim::analysis::staffing::plan::{self, StaffReport};
use acdsim::analysis::staffing::search::SearchOptions;
use acdsim::report;
use acdsim::report::plots::StaffPlotData;

/// Replications per candidate when neither `--replications` nor a smaller scenario value is given.
pub const DEFAULT_REPLICATIONS: u64 = 200;

#[derive(Debug, Args)]
pub struct StaffArgs {
    /// Scenario file (JSON).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Surge volume factor (1.2 = 120% of the forecast).
    #[arg(long, default_value_t = 1.2, value_parser = parse_factor)]
    pub surge: f64,
    /// Most candidate staffings simulated per search (base and surge each).
    #[arg(long, default_value_t = 400)]
    pub max_evaluations: u32,
    /// Points either side of the answer on the peak-interval service-level curve.
    #[arg(long, default_value_t = 3)]
    pub curve_span: u32,
    /// Shrinkage: share of paid time not on contacts (breaks, training, absence), in [0, 1);
    /// scheduled agents = ceil(required / (1 - shrinkage)).
    #[arg(long, default_value_t = 0.0, value_parser = parse_shrinkage, allow_hyphen_values = true)]
    pub shrinkage: f64,
    /// Occupancy cap in (0, 1]: required agents are raised until every group's simulated
    /// occupancy in every interval (upper confidence bound) is at most this.
    #[arg(long, value_parser = parse_max_occupancy, allow_hyphen_values = true)]
    pub max_occupancy: Option<f64>,
    /// What the search minimises: `agents` (the best-skilled group takes the work), or `cost`
    /// (the group with the least cost per contact, by the scenario's `cost_per_hour`).
    #[arg(long, default_value = "agents", value_parser = ["agents", "cost"])]
    pub objective: String,
    #[command(flatten)]
    pub out: Outputs<StaffOutputs>,
}

/// `acdsim staff`'s output flags.
#[derive(Debug)]
pub struct StaffOutputs;

impl OutputHelp for StaffOutputs {
    const JSON: &'static str = "Write the result as JSON to this file";
    const CSV: Option<&'static str> =
        Some("Write staffing.csv and peak_curve.csv into this folder");
    const PLOTS: Option<&'static str> = Some(
        "Write plots (PNG) into this folder: peak_sl_vs_agents.png, staffing_total.png and staffing_group_<group>.png",
    );
    const HTML: Option<&'static str> = Some(
        "Write a self-contained HTML report (verdicts, agents per interval, charts) to this file",
    );
}

pub fn staff(a: StaffArgs) -> CmdResult {
    let mut model = load_model(&a.scenario, &a.sim)?;
    check_surge(&a.scenario, &model, a.surge)?;
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
    if a.objective == "cost" {
        match model.workforce.as_mut().filter(|w| w.has_prices()) {
            Some(w) => w.objective_cost = true,
            None => {
                return Err(anyhow::anyhow!(
                    "{}: --objective cost needs prices: give the agent groups a cost_per_hour",
                    a.scenario.display()
                )
                .into())
            }
        }
    }
    if a.max_evaluations == 0 {
        return Err(anyhow::anyhow!("--max-evaluations = 0: must be at least 1").into());
    }
    // Output destinations are checked before the search, not after minutes of work.
    // Folders first, so that --json may name a file inside --csv or --plots.
    a.out.check()?;
    let opts = SearchOptions {
        replications: model.replications,
        seed: model.seed,
        confidence: a.sim.confidence,
        max_evaluations: a.max_evaluations,
        max_occupancy: a.max_occupancy,
    };
    let progress = |stage: &str, msg: &str| {
        if !a.out.quiet {
            eprintln!("[{stage}] {msg}");
        }
    };
    let report = with_threads(a.sim.threads, || {
        plan::plan(&model, a.surge, a.curve_span, a.shrinkage, &opts, &progress)
    })?;
    let written = a.out.begin();
    let inputs = report::json::StaffInputs {
        surge: a.surge,
        shrinkage: a.shrinkage,
        max_occupancy: a.max_occupancy,
        max_evaluations: a.max_evaluations,
        curve_span: a.curve_span,
        replications: model.replications,
        seed: model.seed,
        confidence: a.sim.confidence,
    };
    a.out
        .write_json(&report::json::StaffDocument::new(&model, inputs, &report))?;
    if let Some(d) = &a.out.csv {
        write_csv(&report, d)
            .with_context(|| format!("{}: cannot write CSV files", d.display()))?;
    }
    if let Some(d) = &a.out.plots {
        report::plots::write_staff_plots(&StaffPlotData::of(&model, &report), d)
            .with_context(|| format!("{}: cannot write plots", d.display()))?;
    }
    a.out
        .write_html(|| report::html::staff_report(&report, &StaffPlotData::of(&model, &report)))?;
    written.commit()?;
    if !a.out.quiet {
        print!("{}", report::staff::to_table(&report));
        if let Some(line) = staff_cost(&model, &report) {
            println!("{line}");
        }
    }
    Ok(if report.base.feasible && report.surge.feasible {
        0
    } else {
        1
    })
}

fn write_csv(r: &StaffReport, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_output(&dir.join("staffing.csv"), &report::csv::staffing_csv(r)?)?;
    write_output(
        &dir.join("peak_curve.csv"),
        &report::csv::peak_curve_csv(r)?,
    )?;
    Ok(())
}

/// The day's cost of the required agents (base and surge) when the scenario gives prices.
fn staff_cost(model: &acdsim::model::Model, r: &StaffReport) -> Option<String> {
    let c = report::json::RequiredCost::of(model, r)?;
    Some(format!(
        "\nStaffing cost of the required agents for the day (paid hours x cost_per_hour{}): base {:.2}, surge {:.2}",
        if c.objective == "cost" { "; search minimised cost" } else { "" },
        c.base,
        c.surge
    ))
}
