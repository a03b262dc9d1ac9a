//! A shard's side of a cluster run: writing its partial result (`--shard K/N --partial FILE`
//! of `run` and `compare`), and checking, when `acdsim merge` reloads the scenarios, that they
//! are the ones the shards ran.

use std::path::Path;

use super::common::{usage, write_output, CmdResult, Failure};
use acdsim::model::Model;
use acdsim::report::partial::Partial;

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
pub fn write_partial(path: &Path, p: &Partial, quiet: bool) -> CmdResult {
    write_output(path, &p.encode())?;
    if !quiet {
        println!(
            "shard {}: replications {}..{} of {} -> {}",
            p.shard,
            p.first,
            p.end,
            p.replications,
            path.display()
        );
    }
    Ok(0)
}
