//! `acdsim check`: a CI gate (the judgement is [`acdsim::analysis::check`]). Exit code 0 when
//! every threshold holds and no goal metric regressed, 1 otherwise.

use std::path::PathBuf;

use clap::Args;

use super::args::{load_model, parse_tolerance, OutputHelp, Outputs, SimArgs};
use super::common::{progress_bar, usage, with_threads, CmdResult, Failure};
use acdsim::analysis::check::{self, parse_requirement, Threshold};
use acdsim::model::Model;
use acdsim::report;
use acdsim::sim::paired;
use acdsim::stats::Layout;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario file (JSON); its `requirements` are checked too.
    pub scenario: PathBuf,
    /// A threshold `<row>.<metric> <op> <number>`, e.g. 'phone.service_level >= 0.85'
    /// (row: channel, segment or type id, `overall`, or `channel/segment`; op: >=, <=, >, <).
    #[arg(long = "require")]
    pub require: Vec<String>,
    /// Baseline scenario: fail when the candidate is significantly worse on a goal metric.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Tolerated worsening of a goal service level against --baseline (0.01 = 1 percentage
    /// point).
    #[arg(long, default_value_t = 0.0, value_parser = parse_tolerance, requires = "baseline")]
    pub max_regression: f64,
    /// Gate on regressions against --baseline alone: the scenario's `requirements` are not
    /// judged (and --require is refused).
    #[arg(
        long,
        alias = "no-requirements",
        requires = "baseline",
        conflicts_with = "require"
    )]
    pub regressions_only: bool,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub out: Outputs<CheckOutputs>,
}

/// `acdsim check`'s output flags.
#[derive(Debug)]
pub struct CheckOutputs;

impl OutputHelp for CheckOutputs {
    const JSON: &'static str = "Write the decision and every judged value as JSON to this file";
    const MARKDOWN: Option<&'static str> =
        Some("Write the pass/fail tables as Markdown (e.g. to $GITHUB_STEP_SUMMARY)");
    const JUNIT: Option<&'static str> =
        Some("Write JUnit XML to this file: one test case per requirement and per regression");
}

pub fn check(a: CheckArgs) -> CmdResult {
    let model = load_model(&a.scenario, &a.sim)?;
    if model.replications < 2 {
        return Err(usage(format!(
            "{}: {} replication: check judges on confidence bounds, which need 2 replications or more (use --replications 100 or more)",
            a.scenario.display(),
            model.replications
        )));
    }
    let thresholds = if a.regressions_only {
        Vec::new()
    } else {
        thresholds(&a, &model)?
    };
    if thresholds.is_empty() && a.baseline.is_none() {
        return Err(usage(format!(
            "nothing to check: {} declares no `requirements`; give --require '<row>.<metric> <op> <number>' or --baseline BASE.json",
            a.scenario.display()
        )));
    }
    let baseline = match &a.baseline {
        None => None,
        Some(b) => {
            let base = load_model(b, &a.sim)?;
            paired::check_same_structure(&base, &model).map_err(|e| {
                usage(format!(
                    "{}: {e} (baseline {})",
                    a.scenario.display(),
                    b.display()
                ))
            })?;
            Some(base)
        }
    };
    // Output destinations are checked before simulating, once every input is known.
    a.out.check()?;
    let pb = progress_bar(model.replications, "checking", a.out.quiet);
    let report = with_threads(a.sim.threads, || {
        let progress = |d| pb.set_position(d);
        let (tolerance, conf) = (a.max_regression, a.sim.confidence);
        check::run(
            &model,
            baseline.as_ref(),
            &thresholds,
            tolerance,
            conf,
            progress,
        )
    })?
    .map_err(usage)?;
    pb.finish_and_clear();
    let written = a.out.begin();
    a.out.write_json(&report)?;
    a.out.write_junit(|| report::junit::to_junit(&report))?;
    a.out
        .write_markdown(|| report::check::to_markdown(&report))?;
    written.commit()?;
    if !a.out.quiet {
        print!("{}", report::check::to_table(&report));
    }
    Ok(if report.passed { 0 } else { 1 })
}

/// The scenario's `requirements`, the share of days of every goal with a `days_share`
/// (`<id>.goal_met >= <days_share>`), then the `--require` thresholds, parsed against its rows.
fn thresholds(a: &CheckArgs, model: &Model) -> Result<Vec<Threshold>, Failure> {
    let layout = Layout::new(model);
    let mut out = Vec::new();
    for (i, e) in model.requirements.iter().enumerate() {
        let r = parse_requirement(e, model, &layout).map_err(|msg| {
            usage(format!(
                "{}: $.requirements[{i}]: {msg}",
                a.scenario.display()
            ))
        })?;
        out.push((r, "scenario"));
    }
    // A goal with a `days_share` is judged on the share of days meeting it.
    let days = model
        .channels
        .iter()
        .map(|c| (&c.id, Some(c.goal)))
        .chain(model.segments.iter().map(|s| (&s.id, s.goal)));
    for (id, goal) in days {
        if let Some(d) = goal.and_then(|g| g.days_share) {
            let e = format!("{id}.goal_met >= {d}");
            let r = parse_requirement(&e, model, &layout)
                .map_err(|msg| usage(format!("{}: {msg}", a.scenario.display())))?;
            out.push((r, "goal days_share"));
        }
    }
    for e in &a.require {
        let r = parse_requirement(e, model, &layout)
            .map_err(|msg| usage(format!("--require {msg}")))?;
        out.push((r, "command line"));
    }
    Ok(out)
}
