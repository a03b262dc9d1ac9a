//! A shard's side of a cluster run: writing its partial result (`--shard K/N --partial FILE`
//! of `run` and `compare`), and checking, when `acdsim merge` reloads the scenarios, that they
//! are the ones the shards ran.

use std::path::Path;

use super::common::{usage, write_output, CmdResult, Failure};
use acdsim::model::Model;
use acdsim::report::partial::{Partial, ScenarioId};
use acdsim::sim::paired::Paired;
use acdsim::sim::shard::Shard;
use acdsim::sim::simulate::RunOptions;

/// Checks that the scenario files merge just loaded are those the shards ran.
pub fn check_hashes(merged: &Partial, models: &[&Model]) -> Result<(), Failure> {
    for (id, m) in merged.scenarios.iter().zip(models) {
        if id.hash != m.hash {
            return Err(usage(format!(
                "{}: the scenario (or its forecast) changed since the shards ran: its hash is {}, the partials' {}",
                id.file, m.hash, id.hash
            )));
        }
    }
    Ok(())
}

/// Writes a shard's partial result to `path` (checked with `check_output_file` before the
/// shard ran) and says so on stdout unless `quiet`.
#[allow(clippy::too_many_arguments)]
pub fn write_partial(
    path: &Path,
    command: &str,
    args: Vec<String>,
    models: &[&Model],
    opts: RunOptions,
    shard: Shard,
    state: Vec<Paired>,
    quiet: bool,
) -> CmdResult {
    let reps = shard.range(opts.replications);
    let p = Partial {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: command.to_string(),
        args,
        scenarios: models
            .iter()
            .map(|m| ScenarioId {
                file: m.source.clone(),
                hash: m.hash.clone(),
            })
            .collect(),
        seed: opts.seed,
        replications: opts.replications,
        shard,
        first: reps.start,
        end: reps.end,
        state,
    };
    write_output(path, &p.encode())?;
    if !quiet {
        println!(
            "shard {shard}: replications {}..{} of {} -> {}",
            reps.start,
            reps.end,
            opts.replications,
            path.display()
        );
    }
    Ok(0)
}
