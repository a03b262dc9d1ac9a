//! `acdsim merge PARTIAL...`: the report of a run from the partial results of its shards
//! (`acdsim run|compare --shard K/N --partial FILE`), byte-identical to the single run's. The
//! checks and the merge are the library's (`acdsim::report::partial`); the report is written by
//! the command that ran the shards (`run::from_partial`, `compare::from_partial`).

use std::path::PathBuf;

use clap::{Args, Parser};

use super::args::{OutputHelp, Outputs};
use super::common::{usage, CmdResult};
use super::{compare, run, Cli, Command};
use acdsim::report::partial::{self, Partial};

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial results of every shard of one run, in any order (e.g. partials/*.partial).
    #[arg(required = true, value_name = "PARTIAL")]
    pub partials: Vec<PathBuf>,
    #[command(flatten)]
    pub out: Outputs<MergeOutputs>,
}

/// `acdsim merge`'s output flags: those of the command the shards ran.
#[derive(Debug)]
pub struct MergeOutputs;

impl OutputHelp for MergeOutputs {
    const JSON: &'static str =
        "Write the report as JSON to this file (as `acdsim run` or `acdsim compare` would)";
    const CSV: Option<&'static str> = Some(
        "Partials of `acdsim run`: write intervals.csv, groups.csv and summary.csv into this folder",
    );
    const MARKDOWN: Option<&'static str> =
        Some("Partials of `acdsim compare`: write the comparison as Markdown tables");
    const PLOTS: Option<&'static str> = Some("Write plots (PNG) into this folder");
    const HTML: Option<&'static str> = Some(
        "Write the self-contained HTML report (as `acdsim run --html` or `acdsim compare --html` would) to this file",
    );
    const QUIET: &'static str = "Print no table on stdout";
}

pub fn merge(a: MergeArgs) -> CmdResult {
    // One file at a time: memory holds one partial and the running sums.
    let mut merger = partial::Merger::default();
    for p in &a.partials {
        let file = p.display().to_string();
        let bytes = std::fs::read(p)
            .map_err(|e| usage(format!("{file}: cannot read the partial result: {e}")))?;
        let part = Partial::decode(&file, &bytes).map_err(usage)?;
        merger.add(&file, part).map_err(usage)?;
    }
    let merged = merger.finish().map_err(usage)?;
    let argv = std::iter::once("acdsim".to_string()).chain(merged.args.iter().cloned());
    let cli = Cli::try_parse_from(argv).map_err(|e| {
        usage(format!(
            "the partials' command line `{}` is not one this acdsim accepts: {}",
            merged.args.join(" "),
            e.kind()
        ))
    })?;
    match cli.command {
        Command::Run(r) if merged.command == "run" => run::from_partial(r, merged, &a.out),
        Command::Compare(c) if merged.command == "compare" => {
            compare::from_partial(c, merged, &a.out)
        }
        _ => Err(usage(format!(
            "the partials' command line `{}` is not that of `acdsim {}`",
            merged.args.join(" "),
            merged.command
        ))),
    }
}
