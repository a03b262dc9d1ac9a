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
    let model = crate::input::load(&a.scenario)?;
    let regular = model.regular_groups();
    let agents: u32 = model.groups[..regular]
        .iter()
        .map(|g| g.headcount.iter().copied().max().unwrap_or(0))
        .sum();
    let reserve = &model.groups[regular..];
    let playbook = if model.playbook.is_some() {
        format!(
            ", surge playbook with {} reserve group(s) of {} agents",
            reserve.len(),
            reserve.iter().map(|g| g.reserve).sum::<u32>()
        )
    } else {
        String::new()
    };
    println!(
        "{}: ok: scenario `{}`, {} channels, {} contact classes, {} agent groups (up to {} agents), {} intervals of {} min{playbook}",
        a.scenario.display(),
        model.name,
        model.channels.len(),
        model.classes.len(),
        regular,
        agents,
        model.n_intervals,
        model.interval_s / 60.0
    );
    for w in model.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(0)
}
