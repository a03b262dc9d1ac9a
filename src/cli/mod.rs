//! The command line: `acdsim run | validate | erlang | staff | compare | check`, and
//! `completions` / `man` for shell completions and the man page.
//! Exit codes: 0 success (and every threshold met), 1 a threshold breached or a regression
//! found, 2 usage, input or internal error.

mod args;
mod check;
mod common;
mod compare;
mod erlang;
mod generate;
mod run;
mod staff;
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
    /// Compare routing strategies, load factors or two scenario files on common random numbers.
    Compare(compare::CompareArgs),
    /// CI gate: check thresholds on confidence bounds and regressions against a baseline.
    Check(check::CheckArgs),
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
    let result = match cli.command {
        Command::Run(a) => run::run(a),
        Command::Validate(a) => validate::validate(a),
        Command::Erlang(a) => erlang::erlang(a),
        Command::Staff(a) => staff::staff(a),
        Command::Compare(a) => compare::compare(a),
        Command::Check(a) => check::check(a),
        Command::Completions(a) => generate::completions(a),
        Command::Man(a) => generate::man(a),
        Command::Schema(_) => generate::schema(),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}
