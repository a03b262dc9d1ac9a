//! `acdsim validate`.

use std::path::PathBuf;

use clap::Args;

use super::common::CmdResult;
use acdsim::report;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file (JSON).
    pub scenario: PathBuf,
    /// Print no summary on stdout (warnings still go to stderr; the exit code tells).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn validate(a: ValidateArgs) -> CmdResult {
    let model = acdsim::input::load(&a.scenario)?;
    if !a.quiet {
        println!("{}", report::table::validation_summary(&model));
    }
    for w in model.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(0)
}
