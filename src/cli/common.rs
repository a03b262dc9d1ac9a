//! What every command uses to run: failures with their exit code, the progress bar, the
//! thread pool, and output files checked before the work and written atomically.

use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use acdsim::error::InputError;

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
        Failure {
            code: 2,
            error: e.into(),
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

/// Fails early, before any simulation, when `path` cannot receive an output file: its folder is
/// missing or not a folder, or `path` itself is a folder. The write itself stays atomic.
pub fn check_output_file(path: &Path) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        anyhow::bail!(
            "{}: cannot write: the folder {} does not exist",
            path.display(),
            dir.display()
        );
    }
    if path.is_dir() {
        anyhow::bail!("{}: cannot write: it is a folder", path.display());
    }
    Ok(())
}

/// Fails early when `dir` cannot be an output folder (it exists as a file, or cannot be created).
pub fn check_output_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!("{}: cannot write: not a folder", dir.display());
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("{}: cannot create the folder: {e}", dir.display()))
}

/// Writes a file atomically, naming it in the error.
pub fn write_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    acdsim::report::write_atomic(path, bytes)
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))
}
