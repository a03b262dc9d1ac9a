//! The command line: `acdsim run | validate | erlang | staff | compare | check | sweep | select | merge`, and
//! `completions` / `man` for shell completions and the man page.
//! Exit codes: 0 success (and every threshold met), 1 a threshold breached or a regression
//! found, 2 usage, input or internal error.

mod args;
mod check;
mod common;
mod compare;
mod erlang;
mod generate;
mod merge;
mod roster;
mod run;
mod select;
mod shard;
mod staff;
mod sweep;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// Shifts with breaks covering the required agents at least cost, checked and repaired by simulation.
    Roster(roster::RosterArgs),
    /// Compare routing strategies, load factors or two scenario files on common random numbers.
    Compare(compare::CompareArgs),
    /// CI gate: check thresholds on confidence bounds and regressions against a baseline.
    Check(check::CheckArgs),
    /// Run an experiment: a grid or list of variants (strategies, staffing, surges, any scenario
    /// field) on common random numbers; tidy CSV, JSON and plots.
    Sweep(sweep::SweepArgs),
    /// Select the best variant of an experiment with a guarantee (KN ranking and selection on
    /// common random numbers), optionally subject to constraints.
    Select(select::SelectArgs),
    /// Merge the partial results of the shards of a run or comparison into its report.
    Merge(merge::MergeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    Completions(generate::CompletionsArgs),
    /// Print the man page (roff) on stdout, e.g. `acdsim man > acdsim.1`.
    Man(generate::ManArgs),
    /// Print the JSON Schema of scenario files on stdout (schemas/scenario.schema.json).
    Schema(generate::ManArgs),
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
    common::exit_cleanly_on_signals();
    // The engine's memory guard stops a run by unwinding (acdsim::sim::guard): exit code 2.
    acdsim::sim::guard::silence();
    let result = acdsim::sim::guard::catch(|| match cli.command {
        Command::Run(a) => run::run(a),
        Command::Validate(a) => validate::validate(a),
        Command::Erlang(a) => erlang::erlang(a),
        Command::Staff(a) => staff::staff(a),
        Command::Roster(a) => roster::roster(a),
        Command::Compare(a) => compare::compare(a),
        Command::Check(a) => check::check(a),
        Command::Sweep(a) => sweep::sweep(a),
        Command::Select(a) => select::select(a),
        Command::Merge(a) => merge::merge(a),
        Command::Completions(a) => generate::completions(a),
        Command::Man(a) => generate::man(a),
        Command::Schema(_) => generate::schema(),
    })
    .unwrap_or_else(|o| Err(anyhow::anyhow!(o).into()));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}
