//! What every command uses to run: failures with their exit code, the progress bar, the
//! thread pool, and output files checked before the work and written atomically.

use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use acdsim::error::InputError;
use acdsim::report::output;

/// A failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

/// A usage error (exit code 2) with this message.
pub fn usage(msg: String) -> Failure {
    anyhow::anyhow!(msg).into()
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure { code: 2, error }
    }
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        // One `error: ` line per problem the validation found.
        Failure {
            code: 2,
            error: anyhow::anyhow!(e.lines().join("\nerror: ")),
        }
    }
}

/// Result of a command: the exit code on success (0, or 1 for a breached threshold).
pub type CmdResult = Result<u8, Failure>;

/// A progress bar on stderr, drawn only when stderr is a terminal and not `quiet`; no colour.
pub fn progress_bar(total: u64, what: &str, quiet: bool) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let pb = ProgressBar::with_draw_target(Some(total), target);
    let style =
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} replications, ETA {eta}")
            .expect("valid template")
            .progress_chars("=> ");
    pb.set_style(style);
    pb.set_message(what.to_string());
    pb
}

/// Runs `f` on a rayon pool of `threads` workers (or the global pool).
pub fn with_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> anyhow::Result<T> {
    match threads {
        None => Ok(f()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build()
                .map_err(|e| {
                    anyhow::anyhow!("--threads {n}: cannot start the worker threads: {e}")
                })?;
            Ok(pool.install(f))
        }
    }
}

/// Fails early, before any simulation, when `path` cannot receive an output file
/// ([`output::check`]: a missing or unwritable folder, a folder, an input, a full disk).
pub fn check_output_file(path: &Path) -> anyhow::Result<()> {
    output::check(path).map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))
}

/// Fails early when `dir` cannot be an output folder (it exists as a file, or cannot be created
/// or written in).
pub fn check_output_dir(dir: &Path) -> anyhow::Result<()> {
    output::check_dir(dir).map_err(|e| {
        if dir.exists() && !dir.is_dir() {
            anyhow::anyhow!("{}: cannot write: {e}", dir.display())
        } else {
            anyhow::anyhow!("{}: cannot create the folder: {e}", dir.display())
        }
    })
}

/// Writes a file as every output is written ([`output::write`]), naming it in the error.
pub fn write_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    output::write(path, bytes).map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))
}

/// On SIGINT or SIGTERM: removes the temporary files of outputs not yet renamed, then exits
/// 130 or 143 (128 + the signal), as shells report a process the signal ended.
pub fn exit_cleanly_on_signals() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return; // the default action then: no cleanup, but the run still stops
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            output::remove_temps();
            std::process::exit(128 + sig);
        }
    });
}
