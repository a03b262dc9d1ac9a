//! `acdsim run`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{
    check_output_dir, check_output_file, load_model, parse_factor, progress_bar, with_threads,
    write_output, CmdResult, SimArgs,
};
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
    /// Write the full report as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write intervals.csv, groups.csv and summary.csv into this folder.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Write plots (PNG) into this folder.
    #[arg(long)]
    pub plots: Option<PathBuf>,
    /// Print no table on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(a: RunArgs) -> CmdResult {
    let model = load_model(&a.scenario, &a.sim)?.with_surge(a.surge);
    // Output destinations are checked before simulating, not after minutes of work.
    if let Some(p) = &a.json {
        check_output_file(p)?;
    }
    for d in [&a.csv, &a.plots].into_iter().flatten() {
        check_output_dir(d)?;
    }
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
    if let Some(p) = &a.json {
        write_output(p, report::json::to_json(&rep).as_bytes())?;
    }
    if let Some(d) = &a.csv {
        report::csv::write_csv_dir(&rep, d)
            .with_context(|| format!("{}: cannot write CSV files", d.display()))?;
    }
    if let Some(d) = &a.plots {
        report::plots::write_run_plots(&rep, d)
            .with_context(|| format!("{}: cannot write plots", d.display()))?;
    }
    if !a.quiet {
        print!("{}", report::table::to_table(&rep));
    }
    Ok(0)
}
