//! `acdsim validate`.

use std::path::PathBuf;

use clap::Args;

use super::common::CmdResult;
use acdsim::report;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file (JSON).
    pub scenario: PathBuf,
}

pub fn validate(a: ValidateArgs) -> CmdResult {
    let model = acdsim::input::load(&a.scenario)?;
    println!("{}", report::table::validation_summary(&model));
    for w in model.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(0)
}
