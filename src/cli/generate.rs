//! `acdsim completions SHELL` and `acdsim man`: shell completions (clap_complete) and the man
//! page (clap_mangen, roff), both generated from the same clap definition as the parser, so they
//! never drift from the flags.

use std::io::Write;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::common::CmdResult;
use super::Cli;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell. E.g.
    /// `acdsim completions bash > ~/.local/share/bash-completion/completions/acdsim`.
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {}

/// Writes the completion script for `a.shell` to stdout.
pub fn completions(a: CompletionsArgs) -> CmdResult {
    let mut cmd = Cli::command();
    clap_complete::generate(a.shell, &mut cmd, "acdsim", &mut std::io::stdout());
    Ok(0)
}

/// Writes the man page (roff) to stdout: the command, then a section per subcommand.
pub fn man(_: ManArgs) -> CmdResult {
    let cmd = Cli::command();
    let mut out = Vec::new();
    let page = clap_mangen::Man::new(cmd.clone());
    page.render(&mut out).map_err(anyhow::Error::from)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("acdsim {}", sub.get_name());
        let sub = sub.clone().bin_name(name.clone());
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let man = clap_mangen::Man::new(sub).title(name.clone());
        // A section per subcommand, named for it, with its synopsis and options.
        let roff = |t: &str| t.replace('\\', "\\\\").replace('-', "\\-");
        out.extend_from_slice(
            format!(".SH \"{}\"\n{}\n", name.to_uppercase(), roff(&about)).as_bytes(),
        );
        man.render_synopsis_section(&mut out)
            .map_err(anyhow::Error::from)?;
        man.render_options_section(&mut out)
            .map_err(anyhow::Error::from)?;
    }
    std::io::stdout()
        .write_all(&out)
        .map_err(anyhow::Error::from)?;
    Ok(0)
}

/// Writes the JSON Schema of scenario files to stdout.
pub fn schema() -> CmdResult {
    print!("{}", acdsim::input::scenario::scenario_schema());
    Ok(0)
}
