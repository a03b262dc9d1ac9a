//! `acdsim compare`: routing strategies, load factors or two scenario files, paired on common
//! random numbers.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::args::{
    check_surge, load_model, parse_factor, parse_strategy, OutputHelp, Outputs, SimArgs,
};
use super::common::{progress_bar, usage, with_threads, CmdResult, Failure};
use acdsim::analysis::compare::{factor_name, variant_groups, CompareDocument, CompareReport};
use acdsim::model::{Model, StrategyKind};
use acdsim::report;
use acdsim::sim::paired;

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
}

pub fn compare(a: CompareArgs) -> CmdResult {
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
    let (alts, files) = alternatives(&a, &base)?;
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
    let (reps, seed) = (base.replications, base.seed);
    let mut reports = Vec::new();
    for (title, variants) in &groups {
        let pb = progress_bar(reps, &format!("comparing {title}"));
        let c = with_threads(a.sim.threads, || {
            paired::run(variants, reps, seed, |d| pb.set_position(d))
        })?
        .map_err(usage)?;
        pb.finish_and_clear();
        reports.push(CompareReport::new(title, &base, &c, a.sim.confidence));
    }
    let models: Vec<&Model> = files.iter().collect();
    let doc = CompareDocument::new(&models, reports);
    let written = a.out.begin();
    if let Some(d) = &a.out.plots {
        for (r, f) in doc.comparisons.iter().zip(&surges) {
            // One set of charts per volume factor when several are compared in turn.
            let suffix = if doc.comparisons.len() > 1 {
                format!("_{}", factor_name(*f))
            } else {
                String::new()
            };
            report::plots::write_compare_plots(r, d, &suffix)
                .with_context(|| format!("{}: cannot write plots", d.display()))?;
        }
    }
    a.out.write_json(&doc)?;
    a.out.write_markdown(|| {
        let md = doc.comparisons.iter().map(report::compare::to_markdown);
        md.collect()
    })?;
    written.commit()?;
    if !a.out.quiet {
        for r in &doc.comparisons {
            print!("{}", report::compare::to_table(r));
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
            alts.push((s.name().to_string(), base.with_strategy(*s)));
        }
    }
    Ok((alts, files))
}
