//! `acdsim run`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::args::{load_model, parse_factor, OutputHelp, Outputs, SimArgs};
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
    const HTML: Option<&'static str> =
        Some("Write a self-contained HTML report (tables, heat map, charts) to this file");
}

pub fn run(a: RunArgs) -> CmdResult {
    let model = load_model(&a.scenario, &a.sim)?.with_surge(a.surge);
    // Output destinations are checked before simulating, not after minutes of work.
    a.out.check_json()?;
    a.out.check_dirs()?;
    let opts = RunOptions::from_model(&model);
    let pb = progress_bar(opts.replications, "simulating", a.out.quiet);
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
    a.out.write_json(&rep)?;
    if let Some(d) = &a.out.csv {
        report::csv::write_csv_dir(&rep, d)
            .with_context(|| format!("{}: cannot write CSV files", d.display()))?;
    }
    if let Some(d) = &a.out.plots {
        report::plots::write_run_plots(&rep, d)
            .with_context(|| format!("{}: cannot write plots", d.display()))?;
    }
    a.out.write_html(|| report::html::run_report(&rep))?;
    // Warnings go to stderr, with or without the table.
    for w in &rep.warnings {
        eprintln!("warning: {w}");
    }
    if !a.out.quiet {
        print!("{}", report::table::to_table(&rep));
    }
    Ok(0)
}
