//! The command line: `acdsim run | validate | erlang | staff | compare | check`.
//! Exit codes: 0 success (and every threshold met), 1 a threshold breached or a regression
//! found, 2 usage, input or internal error.

mod check;
mod compare;
mod erlang;
mod run;
mod staff;
mod validate;

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use acdsim::error::InputError;
use acdsim::model::{Model, SlFormula, StrategyKind};

#[derive(Debug, Parser)]
#[command(
    name = "acdsim",
    version,
    about = "ACD call-routing and queue simulator for multi-channel contact centers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and report service levels with confidence intervals.
    Run(run::RunArgs),
    /// Check a scenario file without simulating; warn about overloaded intervals.
    Validate(validate::ValidateArgs),
    /// Analytic staffing calculator (Erlang C, or Erlang A with --patience-s).
    Erlang(erlang::ErlangArgs),
    /// Minimum headcount per agent group and interval at base load and at a surge, by simulation.
    Staff(staff::StaffArgs),
    /// Compare routing strategies, load factors or two scenario files on common random numbers.
    Compare(compare::CompareArgs),
    /// CI gate: check thresholds on confidence bounds and regressions against a baseline.
    Check(check::CheckArgs),
}

/// Options shared by the commands that simulate a scenario.
#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Replications (default: the scenario's `replications`).
    #[arg(long, short = 'n')]
    pub replications: Option<u64>,
    /// Random seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Routing strategy, overriding the scenario's: skill-first, idle-first, elderly-priority.
    #[arg(long, value_parser = parse_strategy)]
    pub strategy: Option<StrategyKind>,
    /// Service-level formula: answered_and_abandoned, answered, offered, exclude_short_abandons.
    #[arg(long, value_parser = parse_formula)]
    pub sl_formula: Option<SlFormula>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95, value_parser = parse_level, allow_negative_numbers = true)]
    pub confidence: f64,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS).
    #[arg(long)]
    pub threads: Option<usize>,
}

pub fn parse_strategy(s: &str) -> Result<StrategyKind, String> {
    StrategyKind::parse(s).ok_or_else(|| {
        format!("unknown strategy `{s}`: use skill-first, idle-first or elderly-priority")
    })
}

fn parse_formula(s: &str) -> Result<SlFormula, String> {
    SlFormula::parse(s).ok_or_else(|| {
        format!("unknown formula `{s}`: use answered_and_abandoned, answered, offered or exclude_short_abandons")
    })
}

fn parse_level(s: &str) -> Result<f64, String> {
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

/// A failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

/// A usage error (exit code 2) with this message.
pub fn usage(msg: String) -> Failure {
    anyhow::anyhow!(msg).into()
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure { code: 2, error }
    }
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Failure {
            code: 2,
            error: e.into(),
        }
    }
}

/// Result of a command: the exit code on success (0, or 1 for a breached threshold).
pub type CmdResult = Result<u8, Failure>;

/// Loads a scenario and applies the shared overrides.
pub fn load_model(path: &Path, sim: &SimArgs) -> Result<Model, InputError> {
    let mut model = acdsim::input::load(path)?;
    if let Some(s) = sim.strategy {
        model = model.with_strategy(s);
    }
    if let Some(f) = sim.sl_formula {
        model.sl.formula = f;
    }
    if let Some(n) = sim.replications {
        if n == 0 {
            return Err(InputError::new(
                path.display().to_string(),
                "--replications",
                "= 0: must be at least 1",
            ));
        }
        model.replications = n;
    }
    if let Some(s) = sim.seed {
        model.seed = s;
    }
    Ok(model)
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
pub fn progress_bar(total: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
        .expect("valid template")
        .progress_chars("=> ");
    pb.set_style(style);
    pb.set_message(what.to_string());
    pb
}

/// Runs `f` on a rayon pool of `threads` workers (or the global pool).
pub fn with_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> anyhow::Result<T> {
    match threads {
        None => Ok(f()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build()?;
            Ok(pool.install(f))
        }
    }
}

/// Writes a file atomically, naming it in the error.
/// Fails early, before any simulation, when `path` cannot receive an output file: its folder is
/// missing or not a folder, or `path` itself is a folder. The write itself stays atomic.
pub fn check_output_file(path: &Path) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        anyhow::bail!(
            "{}: cannot write: the folder {} does not exist",
            path.display(),
            dir.display()
        );
    }
    if path.is_dir() {
        anyhow::bail!("{}: cannot write: it is a folder", path.display());
    }
    Ok(())
}

/// Fails early when `dir` cannot be an output folder (it exists as a file, or cannot be created).
pub fn check_output_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!("{}: cannot write: not a folder", dir.display());
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("{}: cannot create the folder: {e}", dir.display()))
}

pub fn write_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    acdsim::report::write_atomic(path, bytes)
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Run(a) => run::run(a),
        Command::Validate(a) => validate::validate(a),
        Command::Erlang(a) => erlang::erlang(a),
        Command::Staff(a) => staff::staff(a),
        Command::Compare(a) => compare::compare(a),
        Command::Check(a) => check::check(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}
