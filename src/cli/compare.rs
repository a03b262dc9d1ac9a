//! `acdsim compare`: routing strategies, load factors or two scenario files, paired on common
//! random numbers.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::args::{
    check_surge, load_model, parse_factor, parse_strategy, OutputHelp, Outputs, ShardArgs, SimArgs,
};
use super::common::{check_output_file, progress_bar, usage, with_threads, CmdResult, Failure};
use super::shard::{check_hashes, write_partial};
use acdsim::analysis::compare::{factor_name, variant_groups, CompareDocument, CompareReport};
use acdsim::model::{Model, StrategyKind};
use acdsim::report;
use acdsim::report::partial::Partial;
use acdsim::sim::paired::{self, Comparison, Variant};
use acdsim::sim::shard::Shard;
use acdsim::sim::simulate::RunOptions;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario file, or BASE.json CANDIDATE.json (same channels, segments, types and groups).
    #[arg(required = true, num_args = 1..=2)]
    pub scenarios: Vec<PathBuf>,
    /// Routing strategies to compare (the first is the baseline), e.g.
    /// skill-first,idle-first,elderly-priority.
    #[arg(long, value_delimiter = ',', value_parser = parse_strategy)]
    pub strategies: Vec<StrategyKind>,
    /// Volume factors, e.g. 1.0,1.2: each strategy is compared at each factor; with a single
    /// strategy (or file), the factors themselves are compared (the first is the baseline).
    #[arg(long, value_delimiter = ',', value_parser = parse_factor)]
    pub surge: Vec<f64>,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub shard: ShardArgs,
    #[command(flatten)]
    pub out: Outputs<CompareOutputs>,
}

/// `acdsim compare`'s output flags.
#[derive(Debug)]
pub struct CompareOutputs;

impl OutputHelp for CompareOutputs {
    const JSON: &'static str = "Write the comparison as JSON to this file";
    const MARKDOWN: Option<&'static str> =
        Some("Write the comparison as Markdown tables (e.g. to $GITHUB_STEP_SUMMARY)");
    const PLOTS: Option<&'static str> = Some(
        "Write PNG plots into this folder: the wait-time CDF of every variant, one chart per channel and per segment, with the threshold marked",
    );
    const HTML: Option<&'static str> =
        Some("Write a self-contained HTML report (verdicts, differences, charts) to this file");
}

/// What a comparison runs: the baseline model, the scenario files, the volume factors and the
/// groups of variants (one paired run each).
struct Plan {
    base: Model,
    files: Vec<Model>,
    surges: Vec<f64>,
    groups: Vec<(String, Vec<Variant>)>,
}

fn plan(a: &CompareArgs) -> Result<Plan, Failure> {
    if a.scenarios.len() == 2 && !a.strategies.is_empty() {
        return Err(usage(
            "--strategies compares strategies of one scenario: give one scenario file, or two files without --strategies".into(),
        ));
    }
    if a.sim.strategy.is_some() && !a.strategies.is_empty() {
        return Err(usage(
            "--strategy sets the one strategy of every variant, --strategies the strategies compared: give one of them".into(),
        ));
    }
    let base = load_model(&a.scenarios[0], &a.sim)?;
    let (alts, files) = alternatives(a, &base)?;
    let surges = if a.surge.is_empty() {
        vec![1.0]
    } else {
        a.surge.clone()
    };
    if alts.len() == 1 && surges.len() < 2 {
        return Err(usage(
            "nothing to compare: give --strategies a,b,..., two scenario files, or --surge with two factors or more".into(),
        ));
    }
    for (name, m) in &alts {
        for f in &surges {
            let file = if a.scenarios.len() == 2 {
                Path::new(name)
            } else {
                &a.scenarios[0]
            };
            check_surge(file, m, *f)?;
        }
    }
    let groups = variant_groups(&base.name, &alts, &surges);
    Ok(Plan {
        base,
        files,
        surges,
        groups,
    })
}

pub fn compare(a: CompareArgs) -> CmdResult {
    let plan = plan(&a)?;
    if let Some((shard, path)) = a.shard.requested()? {
        a.out.refuse_for_shard()?;
        check_output_file(path)?;
        return compare_shard(&a, &plan, shard, path);
    }
    // Refuse an unusable plot folder or output file before simulating.
    if let Some(d) = &a.out.plots {
        acdsim::report::output::check_dir(d).map_err(|e| {
            usage(format!(
                "{}: cannot create the plot folder: {e}",
                d.display()
            ))
        })?;
    }
    a.out.check()?;
    let (reps, seed) = (plan.base.replications, plan.base.seed);
    let mut comparisons = Vec::new();
    for (title, variants) in &plan.groups {
        let pb = progress_bar(reps, &format!("comparing {title}"), a.out.quiet);
        let c = with_threads(a.sim.threads, || {
            paired::run(variants, reps, seed, |d| pb.set_position(d))
        })?
        .map_err(usage)?;
        pb.finish_and_clear();
        comparisons.push(c);
    }
    write_document(&plan, &comparisons, a.sim.confidence, &a.out)
}

/// Runs shard `shard` of every paired run and writes the partial result to `path`.
fn compare_shard(a: &CompareArgs, plan: &Plan, shard: Shard, path: &std::path::Path) -> CmdResult {
    let opts = RunOptions::from_model(&plan.base);
    let reps = shard.range(opts.replications);
    let mut state = Vec::new();
    for (title, variants) in &plan.groups {
        let pb = progress_bar(
            reps.end - reps.start,
            &format!("shard {shard}: {title}"),
            a.out.quiet,
        );
        let c = with_threads(a.sim.threads, || {
            let set = |d| pb.set_position(d);
            paired::run_shard(variants, opts.replications, opts.seed, shard, set)
        })?
        .map_err(usage)?;
        pb.finish_and_clear();
        state.push(c.paired);
    }
    let models: Vec<&Model> = plan.files.iter().collect();
    let args = canonical(a, &plan.base);
    let run = (opts.seed, opts.replications);
    let p = Partial::new("compare", args, &models, run, shard, state);
    write_partial(path, &p, a.out.quiet)
}

/// The comparison's canonical command line: every option that changes results.
fn canonical(a: &CompareArgs, base: &Model) -> Vec<String> {
    let mut v = vec!["compare".to_string()];
    v.extend(a.scenarios.iter().map(|s| s.display().to_string()));
    let join = |x: Vec<String>| x.join(",");
    if !a.strategies.is_empty() {
        let names = a.strategies.iter().map(|s| s.name().to_string()).collect();
        v.extend(["--strategies".to_string(), join(names)]);
    }
    if !a.surge.is_empty() {
        let factors = a.surge.iter().map(|f| f.to_string()).collect();
        v.extend(["--surge".to_string(), join(factors)]);
    }
    v.extend(a.sim.canonical(base));
    v
}

/// `acdsim merge` of `compare` partials: the comparison of the merged accumulators.
pub fn from_partial<H: OutputHelp>(a: CompareArgs, merged: Partial, out: &Outputs<H>) -> CmdResult {
    if out.csv.is_some() {
        return Err(usage(
            "--csv is for the partials of `acdsim run`; these are of `acdsim compare` (use --json, --markdown, --plots)".into(),
        ));
    }
    let plan = plan(&a)?;
    let models: Vec<&Model> = plan.files.iter().collect();
    check_hashes(&merged, &models)?;
    out.check()?;
    if merged.state.len() != plan.groups.len() {
        return Err(usage(format!(
            "the partials hold {} paired runs, the comparison has {}",
            merged.state.len(),
            plan.groups.len()
        )));
    }
    let (reps, seed) = (plan.base.replications, plan.base.seed);
    let mut comparisons = Vec::new();
    for ((_, variants), p) in plan.groups.iter().zip(merged.state) {
        comparisons.push(Comparison::assemble(variants, p, reps, seed).map_err(usage)?);
    }
    write_document(&plan, &comparisons, a.sim.confidence, out)
}

/// Writes the comparisons' document (JSON, Markdown, plots, tables on stdout) as `out` asks.
fn write_document<H>(
    plan: &Plan,
    comparisons: &[Comparison],
    conf: f64,
    out: &Outputs<H>,
) -> CmdResult {
    let reports = plan
        .groups
        .iter()
        .zip(comparisons)
        .map(|((title, _), c)| CompareReport::new(title, &plan.base, c, conf))
        .collect();
    let models: Vec<&Model> = plan.files.iter().collect();
    let doc = CompareDocument::new(&models, reports);
    let written = out.begin();
    // One set of charts per volume factor when several are compared in turn.
    let suffixes: Vec<String> = plan
        .surges
        .iter()
        .take(doc.comparisons.len())
        .map(|f| {
            if doc.comparisons.len() > 1 {
                format!("_{}", factor_name(*f))
            } else {
                String::new()
            }
        })
        .collect();
    if let Some(d) = &out.plots {
        for (r, suffix) in doc.comparisons.iter().zip(&suffixes) {
            report::plots::write_compare_plots(r, d, suffix)
                .with_context(|| format!("{}: cannot write plots", d.display()))?;
        }
    }
    out.write_json(&doc)?;
    out.write_html(|| report::html::compare_report(&doc, &suffixes))?;
    out.write_markdown(|| {
        let md = doc.comparisons.iter().map(report::compare::to_markdown);
        md.collect()
    })?;
    written.commit()?;
    if !out.quiet {
        for r in &doc.comparisons {
            print!("{}", report::compare::to_table(r));
        }
        for (s, c) in doc.scenarios.iter().zip(&doc.staffing_costs) {
            if let Some(c) = c {
                println!(
                    "Staffing cost of the day ({}): {:.2} for {:.1} paid hours",
                    s.name, c.cost, c.paid_hours
                );
            }
        }
    }
    Ok(0)
}

/// The alternatives compared, each a name and its model before the surge (the two scenario
/// files, the strategies of `--strategies`, or the scenario alone), and the scenario files.
type Alternatives = (Vec<(String, Model)>, Vec<Model>);

fn alternatives(a: &CompareArgs, base: &Model) -> Result<Alternatives, Failure> {
    let mut alts = Vec::new();
    let mut files = vec![base.clone()];
    if a.scenarios.len() == 2 {
        let cand = load_model(&a.scenarios[1], &a.sim)?;
        files.push(cand.clone());
        paired::check_same_structure(base, &cand).map_err(|e| {
            usage(format!(
                "{}: {e} (baseline {})",
                a.scenarios[1].display(),
                a.scenarios[0].display()
            ))
        })?;
        alts.push((a.scenarios[0].display().to_string(), base.clone()));
        alts.push((a.scenarios[1].display().to_string(), cand));
    } else if a.strategies.is_empty() {
        alts.push((base.routing.strategy.name().to_string(), base.clone()));
    } else {
        for (i, s) in a.strategies.iter().enumerate() {
            if a.strategies[..i].contains(s) {
                return Err(usage(format!(
                    "--strategies: `{}` is listed twice",
                    s.name()
                )));
            }
            if let Some(m) = base.routing.unavailable(*s) {
                return Err(usage(format!("--strategies: {m}")));
            }
            alts.push((s.name().to_string(), base.with_strategy(*s)));
        }
    }
    Ok((alts, files))
}
