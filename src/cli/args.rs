//! Arguments several commands share: the simulation options ([`SimArgs`]), the output
//! destinations ([`Outputs`], each command choosing its flags and their help with an
//! [`OutputHelp`]), and the value parsers that check a flag's value before anything runs.

use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use clap::{value_parser, Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};

use acdsim::error::InputError;
use acdsim::model::limits::{check_replications, check_threads};
use acdsim::model::{Model, SlFormula, StrategyKind};
use acdsim::report::output;
use acdsim::sim::shard::Shard;

use super::common::{check_output_dir, check_output_file, usage, write_output, Failure};

/// Options shared by the commands that simulate a scenario.
#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Replications (default: the scenario's `replications`).
    #[arg(long, short = 'n')]
    pub replications: Option<u64>,
    /// Random seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Routing strategy, overriding the scenario's: skill-first, idle-first, elderly-priority,
    /// score (the scenario's `routing.policy`), or a preset: score-skill-first,
    /// score-idle-first, score-elderly-priority.
    #[arg(long, value_parser = parse_strategy)]
    pub strategy: Option<StrategyKind>,
    /// Service-level formula: answered_and_abandoned, answered, offered, exclude_short_abandons.
    #[arg(long, value_parser = parse_formula)]
    pub sl_formula: Option<SlFormula>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95, value_parser = parse_level, allow_negative_numbers = true)]
    pub confidence: f64,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS).
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
}

pub fn parse_threads(s: &str) -> Result<usize, String> {
    let n = s
        .parse::<usize>()
        .map_err(|_| format!("`{s}` is not a number of threads"))?;
    check_threads(n)?;
    Ok(n)
}

/// Checks that `--surge` (times the scenario's own volumes and `volume_multiplier`) keeps every
/// channel within the contacts per interval acdsim simulates.
pub fn check_surge(path: &Path, model: &Model, surge: f64) -> Result<(), InputError> {
    acdsim::model::limits::check_surge(model, surge)
        .map_err(|m| InputError::new(path.display().to_string(), "--surge", m))
}

impl SimArgs {
    /// The options of `model` (loaded with these arguments) that change results, as canonical
    /// command-line arguments: replications, seed, strategy and formula overrides, confidence.
    /// The thread count is left out: it changes no result.
    pub fn canonical(&self, model: &Model) -> Vec<String> {
        let mut v = vec![
            "--replications".to_string(),
            model.replications.to_string(),
            "--seed".into(),
            model.seed.to_string(),
        ];
        if let Some(s) = self.strategy {
            v.extend(["--strategy".into(), s.name().to_string()]);
        }
        if let Some(f) = self.sl_formula {
            v.extend(["--sl-formula".into(), f.name().to_string()]);
        }
        v.extend(["--confidence".into(), self.confidence.to_string()]);
        v
    }
}

/// Running one shard of the replications on a cluster, merged later by `acdsim merge`.
#[derive(Debug, Clone, Args)]
pub struct ShardArgs {
    /// Run only shard K of N (K from 1 to N): the replications [floor((K-1)R/N), floor(KR/N)) of
    /// the R replications, written with --partial for `acdsim merge`
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Write this shard's partial result (the whole run's without --shard) to this file, instead
    /// of the report
    #[arg(long, value_name = "FILE")]
    pub partial: Option<PathBuf>,
}

impl ShardArgs {
    /// The shard to run and its partial file, when asked for (`--shard` needs `--partial`).
    pub fn requested(&self) -> Result<Option<(Shard, &Path)>, Failure> {
        match (self.shard, &self.partial) {
            (None, None) => Ok(None),
            (Some(_), None) => Err(usage(
                "--shard needs --partial FILE: a shard writes its partial result, `acdsim merge` the report".into(),
            )),
            (s, Some(p)) => Ok(Some((s.unwrap_or(Shard::WHOLE), p.as_path()))),
        }
    }
}

pub fn parse_strategy(s: &str) -> Result<StrategyKind, String> {
    StrategyKind::parse(s).ok_or_else(|| {
        format!("unknown strategy `{s}`: use skill-first, idle-first, elderly-priority, score, score-skill-first, score-idle-first or score-elderly-priority")
    })
}

pub fn parse_formula(s: &str) -> Result<SlFormula, String> {
    SlFormula::parse(s).ok_or_else(|| {
        format!("unknown formula `{s}`: use answered_and_abandoned, answered, offered or exclude_short_abandons")
    })
}

pub fn parse_level(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(format!(
            "`{s}` is not a confidence level between 0 and 1 (e.g. 0.95)"
        )),
    }
}

/// Parses a volume factor (`--surge`): a number > 0 and at most 1000 (larger factors would make
/// a replication run practically forever, or the arrival rate infinite).
pub fn parse_factor(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1000.0 => Ok(v),
        _ => Err(format!(
            "`{s}` is not a volume factor > 0 and <= 1000 (e.g. 1.2 for a 120% surge)"
        )),
    }
}

/// Parses a share with `check` (e.g. `--shrinkage`, `--max-occupancy`).
fn parse_share(s: &str, check: fn(f64) -> Result<f64, &'static str>) -> Result<f64, String> {
    let v = s
        .trim()
        .parse::<f64>()
        .map_err(|_| format!("`{s}` is not a number"))?;
    check(v).map_err(str::to_string)
}

/// Parses a shrinkage (`--shrinkage`): a share in `[0, 1)`.
pub fn parse_shrinkage(s: &str) -> Result<f64, String> {
    parse_share(s, acdsim::analysis::staffing::erlang::check_shrinkage)
}

/// Parses an occupancy cap (`--max-occupancy`): a share in `(0, 1]`.
pub fn parse_max_occupancy(s: &str) -> Result<f64, String> {
    parse_share(s, acdsim::analysis::staffing::erlang::check_max_occupancy)
}

/// Parses a tolerance (`--max-regression`): a share in `[0, 1)`.
pub fn parse_tolerance(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..1.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` is not a tolerance between 0 and 1 (0.01 = 1 percentage point)"
        )),
    }
}

/// Loads a scenario and applies the shared overrides.
pub fn load_model(path: &Path, sim: &SimArgs) -> Result<Model, InputError> {
    let mut model = acdsim::input::load(path)?;
    for f in acdsim::input::input_files(path) {
        output::protect(&f);
    }
    if let Some(s) = sim.strategy {
        if let Some(m) = model.routing.unavailable(s) {
            return Err(InputError::new(path.display().to_string(), "--strategy", m));
        }
        model = model.with_strategy(s);
    }
    if let Some(f) = sim.sl_formula {
        model.sl.formula = f;
    }
    if let Some(n) = sim.replications {
        check_replications(n)
            .map_err(|m| InputError::new(path.display().to_string(), "--replications", m))?;
        model.replications = n;
    }
    if let Some(s) = sim.seed {
        model.seed = s;
    }
    Ok(model)
}

/// The output flags a command has, with their help (one line, clap's style: no final period).
/// `--json` and `--quiet` every command has; `--csv`, `--markdown` and `--plots` only where
/// given.
pub trait OutputHelp {
    const JSON: &'static str;
    const CSV: Option<&'static str> = None;
    const MARKDOWN: Option<&'static str> = None;
    const PLOTS: Option<&'static str> = None;
    const HTML: Option<&'static str> = None;
    const JUNIT: Option<&'static str> = None;
    const QUIET: &'static str =
        "Print no table on stdout and no progress on stderr (warnings still go to stderr)";
}

/// Where a command writes its results, in this order on the command line and in its help:
/// `--json FILE`, `--csv DIR`, `--markdown FILE`, `--plots DIR`, `--html FILE`, `-q/--quiet`. Which of them a
/// command has, and their help, is its `H`'s ([`OutputHelp`]).
#[derive(Debug)]
pub struct Outputs<H> {
    pub json: Option<PathBuf>,
    pub csv: Option<PathBuf>,
    pub markdown: Option<PathBuf>,
    pub plots: Option<PathBuf>,
    pub html: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub quiet: bool,
    help: PhantomData<H>,
}

impl<H> Outputs<H> {
    /// Fails when a report output is asked of a shard, which writes its partial result only.
    pub fn refuse_for_shard(&self) -> Result<(), Failure> {
        let asked = [
            ("--json", self.json.is_some()),
            ("--csv", self.csv.is_some()),
            ("--markdown", self.markdown.is_some()),
            ("--plots", self.plots.is_some()),
            ("--html", self.html.is_some()),
            ("--junit", self.junit.is_some()),
        ];
        match asked.iter().find(|(_, on)| *on) {
            Some((flag, _)) => Err(usage(format!(
                "{flag} with --partial: a shard writes its partial result only; `acdsim merge` writes the report from every shard's"
            ))),
            None => Ok(()),
        }
    }

    /// Fails early, before any simulation, when an output cannot be written: `--csv` and
    /// `--plots` first (creating them, so that `--json` may name a file inside one), then
    /// `--json`, `--markdown`, `--html` and `--junit` ([`acdsim::report::output`]). Call it once the inputs are
    /// loaded, so that an output naming one of them is refused.
    pub fn check(&self) -> anyhow::Result<()> {
        for d in [&self.csv, &self.plots].into_iter().flatten() {
            check_output_dir(d)?;
        }
        let files = [&self.json, &self.markdown, &self.html, &self.junit];
        for f in files.into_iter().flatten() {
            check_output_file(f)?;
        }
        Ok(())
    }

    /// Starts writing the outputs: every file is staged until [`Written::commit`] renames them
    /// all, so that a failure leaves every destination as it was.
    pub fn begin(&self) -> Written {
        Written(output::Transaction::begin())
    }

    /// Writes `value` as JSON to `--json`, if given.
    pub fn write_json<T: serde::Serialize>(&self, value: &T) -> anyhow::Result<()> {
        self.write(&self.json, || acdsim::report::json::to_json(value))
    }

    /// Writes `html()` to `--html`, if given.
    pub fn write_html(&self, html: impl FnOnce() -> std::io::Result<String>) -> anyhow::Result<()> {
        match &self.html {
            Some(p) => {
                let page = html()
                    .map_err(|e| anyhow::anyhow!("{}: cannot draw the report: {e}", p.display()))?;
                write_output(p, page.as_bytes())
            }
            None => Ok(()),
        }
    }

    /// Writes `text()` to `--junit`, if given.
    pub fn write_junit(&self, text: impl FnOnce() -> String) -> anyhow::Result<()> {
        self.write(&self.junit, text)
    }

    /// Writes `text()` to `--markdown`, if given.
    pub fn write_markdown(&self, text: impl FnOnce() -> String) -> anyhow::Result<()> {
        self.write(&self.markdown, text)
    }

    fn write(&self, path: &Option<PathBuf>, text: impl FnOnce() -> String) -> anyhow::Result<()> {
        match path {
            Some(p) => write_output(p, text().as_bytes()),
            None => Ok(()),
        }
    }
}

/// The outputs being written ([`Outputs::begin`]).
pub struct Written(output::Transaction);

impl Written {
    /// Writes every staged output: devices and standard output, then the renames.
    pub fn commit(self) -> anyhow::Result<()> {
        self.0
            .commit()
            .map_err(|e| anyhow::anyhow!("cannot write the outputs: {e}"))
    }
}

/// A path-valued flag `--<id> <ID>`.
fn path_arg(id: &'static str, value_name: &'static str, help: &'static str) -> Arg {
    Arg::new(id)
        .long(id)
        .value_name(value_name)
        .value_parser(value_parser!(PathBuf))
        .action(ArgAction::Set)
        .help(help)
}

impl<H: OutputHelp> Args for Outputs<H> {
    fn augment_args(cmd: Command) -> Command {
        let mut cmd = cmd.arg(path_arg("json", "JSON", H::JSON));
        for (id, value_name, help) in [
            ("csv", "CSV", H::CSV),
            ("markdown", "MARKDOWN", H::MARKDOWN),
            ("plots", "PLOTS", H::PLOTS),
            ("html", "HTML", H::HTML),
            ("junit", "JUNIT", H::JUNIT),
        ] {
            if let Some(help) = help {
                cmd = cmd.arg(path_arg(id, value_name, help));
            }
        }
        cmd.arg(
            Arg::new("quiet")
                .long("quiet")
                .short('q')
                .action(ArgAction::SetTrue)
                .help(H::QUIET),
        )
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl<H: OutputHelp> FromArgMatches for Outputs<H> {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let path = |id: &str, has: bool| has.then(|| m.get_one::<PathBuf>(id).cloned()).flatten();
        Ok(Outputs {
            json: path("json", true),
            csv: path("csv", H::CSV.is_some()),
            markdown: path("markdown", H::MARKDOWN.is_some()),
            plots: path("plots", H::PLOTS.is_some()),
            html: path("html", H::HTML.is_some()),
            junit: path("junit", H::JUNIT.is_some()),
            // JSON or Markdown on standard output: no table to mix with it.
            quiet: m.get_flag("quiet")
                || ["json", "markdown"].iter().any(|id| {
                    m.try_get_one::<PathBuf>(id)
                        .ok()
                        .flatten()
                        .is_some_and(|p| p.as_os_str() == "-")
                }),
            help: PhantomData,
        })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}
