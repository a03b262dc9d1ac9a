//! `acdsim validate`.

use std::path::PathBuf;

use clap::Args;

use super::CmdResult;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file (JSON).
    pub scenario: PathBuf,
}

pub fn validate(a: ValidateArgs) -> CmdResult {
    let model = crate::scenario::load(&a.scenario)?;
    let agents: u32 = model
        .groups
        .iter()
        .map(|g| g.headcount.iter().copied().max().unwrap_or(0))
        .sum();
    println!(
        "{}: ok: scenario `{}`, {} channels, {} contact classes, {} agent groups (up to {} agents), {} intervals of {} min",
        a.scenario.display(),
        model.name,
        model.channels.len(),
        model.classes.len(),
        model.groups.len(),
        agents,
        model.n_intervals,
        model.interval_s / 60.0
    );
    for w in model.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(0)
}
