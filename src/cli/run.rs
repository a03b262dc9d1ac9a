//! `acdsim run` (also one shard of it, and the report of merged shards for `acdsim merge`).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::args::{check_surge, load_model, parse_factor, OutputHelp, Outputs, ShardArgs, SimArgs};
use super::common::{check_output_file, progress_bar, usage, with_threads, CmdResult};
use super::shard::{check_hashes, write_partial};
use acdsim::model::Model;
use acdsim::report::partial::Partial;
use acdsim::report::{self, RunReport};
use acdsim::sim::paired::{Comparison, Paired};
use acdsim::sim::shard::Shard;
use acdsim::sim::simulate::{self, Outcome, RunOptions};

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
    pub shard: ShardArgs,
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

/// What a run simulated: a plain run, or with and without the surge playbook, paired.
enum Ran {
    Plain(Outcome),
    Pair(Comparison),
}

pub fn run(a: RunArgs) -> CmdResult {
    let model = load_model(&a.scenario, &a.sim)?;
    check_surge(&a.scenario, &model, a.surge)?;
    let model = model.with_surge(a.surge);
    let opts = RunOptions::from_model(&model);
    if let Some((shard, path)) = a.shard.requested()? {
        a.out.refuse_for_shard()?;
        check_output_file(path)?;
        let reps = shard.range(opts.replications);
        let state = simulate_shard(&a, &model, opts, shard, reps.end - reps.start)?;
        let args = canonical(&a, &model);
        let run = (opts.seed, opts.replications);
        let p = Partial::new("run", args, &[&model], run, shard, state);
        return write_partial(path, &p, a.out.quiet);
    }
    // Output destinations are checked before simulating, not after minutes of work.
    a.out.check()?;
    let pb = progress_bar(opts.replications, "simulating", a.out.quiet);
    let ran = if model.playbook.is_some() {
        // With and without the surge playbook, on common random numbers.
        Ran::Pair(with_threads(a.sim.threads, || {
            simulate::run_playbook_pair(&model, opts, |d| pb.set_position(d))
        })?)
    } else {
        Ran::Plain(with_threads(a.sim.threads, || {
            simulate::run(&model, opts, |d| pb.set_position(d))
        })?)
    };
    pb.finish_and_clear();
    write_report(&model, &ran, a.sim.confidence, &a.out)?;
    Ok(0)
}

/// Runs shard `shard` (`count` replications): the accumulators of its partial result.
fn simulate_shard(
    a: &RunArgs,
    model: &Model,
    opts: RunOptions,
    shard: Shard,
    count: u64,
) -> anyhow::Result<Vec<Paired>> {
    let pb = progress_bar(count, &format!("shard {shard}"), a.out.quiet);
    let set = |d| pb.set_position(d);
    let paired = with_threads(a.sim.threads, || {
        if model.playbook.is_some() {
            simulate::run_playbook_pair_shard(model, opts, shard, set).paired
        } else {
            let o = simulate::run_shard(model, opts, shard, set);
            Paired {
                aggregates: vec![o.aggregate],
                diffs: Vec::new(),
            }
        }
    })?;
    pb.finish_and_clear();
    Ok(vec![paired])
}

/// The run's canonical command line: every option that changes results.
fn canonical(a: &RunArgs, model: &Model) -> Vec<String> {
    let mut v = vec!["run".to_string(), a.scenario.display().to_string()];
    v.extend(a.sim.canonical(model));
    v.extend(["--surge".to_string(), a.surge.to_string()]);
    v
}

/// `acdsim merge` of `run` partials: the report of the merged accumulators, written to `out`.
pub fn from_partial<H: OutputHelp>(a: RunArgs, merged: Partial, out: &Outputs<H>) -> CmdResult {
    if out.markdown.is_some() {
        return Err(usage(
            "--markdown is for the partials of `acdsim compare`; these are of `acdsim run` (use --json, --csv, --plots)".into(),
        ));
    }
    let model = load_model(&a.scenario, &a.sim)?.with_surge(a.surge);
    check_hashes(&merged, &[&model])?;
    out.check()?;
    let opts = RunOptions::from_model(&model);
    let mut state = merged.state;
    let paired = state.pop().filter(|_| state.is_empty());
    let ran = match paired {
        Some(p) if model.playbook.is_some() => {
            let variants = simulate::playbook_variants(&model);
            Comparison::assemble(&variants, p, opts.replications, opts.seed).map(Ran::Pair)
        }
        Some(p) if p.aggregates.len() == 1 && p.diffs.is_empty() => {
            let agg = p.aggregates.into_iter().next().expect("one aggregate");
            Outcome::assemble(&model, agg, opts).map(Ran::Plain)
        }
        _ => Err("the accumulators do not fit this scenario".to_string()),
    }
    .map_err(|e| usage(format!("{}: {e}", a.scenario.display())))?;
    write_report(&model, &ran, a.sim.confidence, out)?;
    Ok(0)
}

/// Writes the report of `ran` (JSON, CSV, plots, the table on stdout) as `out` asks.
fn write_report<H: OutputHelp>(
    model: &Model,
    ran: &Ran,
    confidence: f64,
    out: &Outputs<H>,
) -> anyhow::Result<()> {
    let mut rep = match ran {
        Ran::Pair(pair) => RunReport::with_playbook_pair(model, pair, confidence),
        Ran::Plain(outcome) => RunReport::new(model, outcome, confidence),
    };
    rep.warnings = model.warnings();
    rep.warnings.extend(rep.precision_warnings());
    let written = out.begin();
    out.write_json(&rep)?;
    if let Some(d) = &out.csv {
        report::csv::write_csv_dir(&rep, d)
            .with_context(|| format!("{}: cannot write CSV files", d.display()))?;
    }
    if let Some(d) = &out.plots {
        report::plots::write_run_plots(&rep, d)
            .with_context(|| format!("{}: cannot write plots", d.display()))?;
    }
    out.write_html(|| report::html::run_report(&rep))?;
    written.commit()?;
    // Warnings go to stderr, with or without the table.
    for w in &rep.warnings {
        eprintln!("warning: {w}");
    }
    if !out.quiet {
        print!("{}", report::table::to_table(&rep));
    }
    Ok(())
}
