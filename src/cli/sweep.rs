//! `acdsim sweep EXPERIMENT.json`: every variant of an experiment (a grid or a list over
//! strategies, staffing, surges and any scenario field) on common random numbers; the tidy CSV,
//! the JSON, the plots and a table on stdout.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::args::{parse_level, parse_threads, OutputHelp, Outputs};
use super::common::{
    check_output_file, progress_bar, usage, with_threads, write_output, CmdResult, Failure,
};
use acdsim::analysis::sweep;
use acdsim::input::experiment::{load_experiment, Experiment};
use acdsim::model::limits::check_replications;
use acdsim::report;

/// Options of the commands that run an experiment file.
#[derive(Debug, Clone, Args)]
pub struct ExperimentArgs {
    /// Experiment file (JSON): a base scenario and the variants to run of it.
    pub experiment: PathBuf,
    /// Replications of every variant (default: the experiment's, else the scenario's).
    #[arg(long, short = 'n')]
    pub replications: Option<u64>,
    /// Seed of the common random numbers (default: the experiment's, else the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS); results do not depend on it.
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub exp: ExperimentArgs,
    /// Confidence level of the intervals (default: the experiment's, else 0.95).
    #[arg(long, value_parser = parse_level)]
    pub confidence: Option<f64>,
    /// Write the tidy CSV (one line per variant, report row and metric) to this file.
    #[arg(long, value_name = "CSV")]
    pub csv: Option<PathBuf>,
    #[command(flatten)]
    pub out: Outputs<SweepOutputs>,
}

/// `acdsim sweep`'s output flags.
#[derive(Debug)]
pub struct SweepOutputs;

impl OutputHelp for SweepOutputs {
    const JSON: &'static str = "Write every variant's estimates as JSON to this file";
    const PLOTS: Option<&'static str> = Some(
        "Write PNG plots into this folder: each plotted metric against a swept parameter, one line per combination of the other parameters, with its confidence band",
    );
}

/// Loads the experiment and applies the command line's replications and seed.
pub fn load(a: &ExperimentArgs) -> Result<Experiment, Failure> {
    let mut exp = load_experiment(&a.experiment)?;
    acdsim::report::output::protect(&a.experiment);
    for f in acdsim::input::input_files(std::path::Path::new(&exp.base.source)) {
        acdsim::report::output::protect(&f);
    }
    if let Some(n) = a.replications {
        check_replications(n).map_err(|m| usage(format!("--replications {n}: {m}")))?;
        exp.base.replications = n;
    }
    if let Some(s) = a.seed {
        exp.base.seed = s;
    }
    for v in &mut exp.variants {
        v.model.replications = exp.base.replications;
        v.model.seed = exp.base.seed;
    }
    Ok(exp)
}

/// The experiment's title: its name, else its file.
pub fn title(exp: &Experiment) -> String {
    exp.raw.name.clone().unwrap_or_else(|| exp.file.clone())
}

pub fn sweep(a: SweepArgs) -> CmdResult {
    let exp = load(&a.exp)?;
    let table = sweep::table_metrics(&exp)?;
    let plots = sweep::plot_specs(&exp, &table)?;
    let conf = a.confidence.or(exp.raw.confidence).unwrap_or(0.95);
    a.out.check()?;
    if let Some(c) = &a.csv {
        check_output_file(c)?;
    }
    let (reps, seed) = (exp.base.replications, exp.base.seed);
    let name = title(&exp);
    let pb = progress_bar(reps, &format!("sweeping {name}"), a.out.quiet);
    let result = with_threads(a.exp.threads, || {
        sweep::run(&exp, reps, seed, conf, |d, total| {
            pb.set_length(total);
            pb.set_position(d)
        })
    })?
    .map_err(|e| usage(format!("{}: {e}", exp.file)))?;
    pb.finish_and_clear();
    let written = a.out.begin();
    if let Some(c) = &a.csv {
        let bytes = report::sweep::to_csv(&exp, &result).context("cannot write the CSV")?;
        write_output(c, &bytes)?;
    }
    if let Some(d) = &a.out.plots {
        report::sweep::write_plots(&result, &plots, d, &name)
            .with_context(|| format!("{}: cannot write plots", d.display()))?;
    }
    a.out
        .write_json(&report::sweep::to_document(&exp, &result))?;
    written.commit()?;
    if !a.out.quiet {
        print!("{}", report::sweep::to_table(&result, &table, &name));
    }
    Ok(0)
}
