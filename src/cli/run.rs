//! `acdsim run`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::args::{check_surge, load_model, parse_factor, OutputHelp, Outputs, SimArgs};
use super::common::{progress_bar, with_threads, CmdResult};
use acdsim::report::{self, RunReport};
use acdsim::sim::simulate::{self, RunOptions};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (JSON).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Volume factor on every channel (1.2 = the 120% surge).
    #[arg(long, default_value_t = 1.0, value_parser = parse_factor, allow_negative_numbers = true)]
    pub surge: f64,
    #[command(flatten)]
    pub out: Outputs<RunOutputs>,
}

/// `acdsim run`'s output flags.
#[derive(Debug)]
pub struct RunOutputs;

impl OutputHelp for RunOutputs {
    const JSON: &'static str = "Write the full report as JSON to this file";
    const CSV: Option<&'static str> =
        Some("Write intervals.csv, groups.csv and summary.csv into this folder");
    const PLOTS: Option<&'static str> = Some("Write plots (PNG) into this folder");
}

pub fn run(a: RunArgs) -> CmdResult {
    let model = load_model(&a.scenario, &a.sim)?;
    check_surge(&a.scenario, &model, a.surge)?;
    let model = model.with_surge(a.surge);
    // Output destinations are checked before simulating, not after minutes of work.
    a.out.check()?;
    let opts = RunOptions::from_model(&model);
    let pb = progress_bar(opts.replications, "simulating");
    let mut rep = if model.playbook.is_some() {
        // With and without the surge playbook, on common random numbers.
        let pair = with_threads(a.sim.threads, || {
            simulate::run_playbook_pair(&model, opts, |d| pb.set_position(d))
        })?;
        RunReport::with_playbook_pair(&model, &pair, a.sim.confidence)
    } else {
        let outcome = with_threads(a.sim.threads, || {
            simulate::run(&model, opts, |d| pb.set_position(d))
        })?;
        RunReport::new(&model, &outcome, a.sim.confidence)
    };
    pb.finish_and_clear();
    rep.warnings = model.warnings();
    rep.warnings.extend(rep.precision_warnings());
    let written = a.out.begin();
    a.out.write_json(&rep)?;
    if let Some(d) = &a.out.csv {
        report::csv::write_csv_dir(&rep, d)
            .with_context(|| format!("{}: cannot write CSV files", d.display()))?;
    }
    if let Some(d) = &a.out.plots {
        report::plots::write_run_plots(&rep, d)
            .with_context(|| format!("{}: cannot write plots", d.display()))?;
    }
    written.commit()?;
    if !a.out.quiet {
        print!("{}", report::table::to_table(&rep));
    }
    Ok(0)
}
