//! Output files (`--json`, `--csv`, `--markdown`, `--plots`), written so that nothing acdsim did
//! not create is ever replaced, and a set of outputs is written all or nothing.
//!
//! * `-` is standard output.
//! * A regular file or an absent path is written through a temporary file in the same folder
//!   (`.<name>.acdsim-XXXXXX.tmp`), renamed over it at the end: a reader never sees half a file.
//! * A character device (`/dev/null`, `/dev/full`, a terminal) or a FIFO is written in place: it
//!   stays what it is.
//! * A symbolic link is followed: its target is written, the link kept.
//! * A path that is one of the inputs ([`protect`]: the scenario, its forecast CSV, a compared file, the
//!   baseline) is refused, and so are a folder, a block device or socket, a read-only file and
//!   a folder where no file can be created or whose disk has less than [`MIN_FREE_BYTES`]
//!   free; [`check`] and [`check_dir`] find all of that before anything is simulated.
//! * Between [`Transaction::begin`] and [`Transaction::commit`], every [`write`] only stages
//!   its file: all temporary files are written first, then the devices and standard output,
//!   then every rename. An error before the renames removes the temporary files, leaving every
//!   destination as it was.
//! * On SIGINT or SIGTERM the binary calls [`remove_temps`] (which waits for renames under
//!   way), then exits 130 or 143: no temporary file is left behind.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The least free space (bytes) a destination's disk must have before simulating: a rough
/// guard (the reports of the bundled scenarios are at most a few hundred KB each); a full disk
/// found while writing still leaves every destination as it was.
pub const MIN_FREE_BYTES: u64 = 1 << 20;

/// The temporary files not yet renamed, for [`remove_temps`]; held while renaming.
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// The inputs, canonical: an output may not be one of them.
static INPUTS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// The files staged by the open transaction, if one is open.
static STAGED: Mutex<Option<Vec<Staged>>> = Mutex::new(None);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where an output goes, once links are followed.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Stdout,
    /// A regular file or an absent path: temporary file, then rename.
    Replace(PathBuf),
    /// A character device or a FIFO: written in place.
    InPlace(PathBuf),
}

/// A file staged by a transaction.
enum Staged {
    Rename(tempfile::TempPath, PathBuf),
    Bytes(Target, Vec<u8>),
}

/// Registers an input file: no output may be written over it.
pub fn protect(path: &Path) {
    if let Ok(p) = std::fs::canonicalize(path) {
        lock(&INPUTS).push(p);
    }
}

/// Follows `path`'s symbolic links to what is written (itself when it is not a link).
fn follow(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn folder_of(p: &Path) -> &Path {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Resolves `path` and refuses what may not be written: an input, a folder, a block device, a
/// socket, a read-only file.
fn target(path: &Path) -> io::Result<Target> {
    if path.as_os_str() == "-" {
        return Ok(Target::Stdout);
    }
    let p = follow(path)?;
    let meta = match std::fs::metadata(&p) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::Replace(p)),
        Err(e) => return Err(e),
    };
    let canonical = std::fs::canonicalize(&p)?;
    if lock(&INPUTS).contains(&canonical) {
        return Err(io::Error::other(
            "it is one of the input files: acdsim does not overwrite its inputs",
        ));
    }
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(io::Error::other("it is a folder"));
    }
    if ft.is_file() {
        if meta.permissions().readonly() {
            return Err(io::Error::other("the file is read-only"));
        }
        return Ok(Target::Replace(p));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_char_device() || ft.is_fifo() {
            return Ok(Target::InPlace(p));
        }
    }
    Err(io::Error::other(
        "it is neither a regular file, a character device nor a FIFO",
    ))
}

/// Checks, before anything is simulated, that `path` can receive an output file.
pub fn check(path: &Path) -> io::Result<()> {
    match target(path)? {
        Target::Stdout => Ok(()),
        Target::Replace(p) => check_folder(folder_of(&p)),
        Target::InPlace(p) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::FileTypeExt;
                // A FIFO is not opened here: that would wait for a reader.
                if std::fs::metadata(&p)?.file_type().is_fifo() {
                    return Ok(());
                }
            }
            std::fs::OpenOptions::new().write(true).open(&p).map(drop)
        }
    }
}

/// Checks (creating it if needed) that `dir` can be an output folder.
pub fn check_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str() == "-" {
        return Err(io::Error::other(
            "a folder of files cannot be standard output",
        ));
    }
    let d = follow(dir)?;
    if d.exists() && !d.is_dir() {
        return Err(io::Error::other("not a folder"));
    }
    std::fs::create_dir_all(&d)?;
    check_folder(&d)
}

/// A file can be created in `dir`, whose disk has [`MIN_FREE_BYTES`] free.
fn check_folder(dir: &Path) -> io::Result<()> {
    if !dir.is_dir() {
        return Err(io::Error::other(format!(
            "the folder {} does not exist",
            dir.display()
        )));
    }
    tempfile::Builder::new()
        .prefix(".acdsim-probe-")
        .tempfile_in(dir)
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot create a file in {}: {e}", dir.display()),
            )
        })?;
    if let Some(free) = free_bytes(dir) {
        if free < MIN_FREE_BYTES {
            return Err(io::Error::other(format!(
                "only {free} bytes free on the disk of {} (at least {} KiB needed)",
                dir.display(),
                MIN_FREE_BYTES >> 10
            )));
        }
    }
    Ok(())
}

/// Bytes free to an unprivileged user on `dir`'s disk (statvfs; `None` where unknown).
#[cfg(unix)]
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: `c` is a valid NUL-terminated path and `st` a plain struct statvfs fills.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    Some(st.f_bavail as u64 * st.f_frsize as u64)
}

#[cfg(not(unix))]
fn free_bytes(_: &Path) -> Option<u64> {
    None
}

/// Writes `bytes` to `path` as this module says: staged when a transaction is open, at once
/// otherwise.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let t = target(path)?;
    let staged = match t {
        Target::Replace(p) => Staged::Rename(temp_file(&p, bytes)?, p),
        other => Staged::Bytes(other, bytes.to_vec()),
    };
    let mut open = lock(&STAGED);
    match open.as_mut() {
        Some(v) => {
            v.push(staged);
            Ok(())
        }
        None => {
            drop(open);
            finish(vec![staged])
        }
    }
}

/// The bytes in a new temporary file beside `dest` (mode 0644 less the umask, like any file
/// the user creates), registered for [`remove_temps`].
fn temp_file(dest: &Path, bytes: &[u8]) -> io::Result<tempfile::TempPath> {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.acdsim-");
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut f = b.tempfile_in(folder_of(dest))?;
    lock(&TEMPS).push(f.path().to_path_buf());
    let written = f.write_all(bytes).and_then(|_| f.as_file().sync_all());
    let path = f.into_temp_path();
    match written {
        Ok(()) => Ok(path),
        Err(e) => {
            forget_temp(&path);
            Err(e)
        }
    }
}

fn forget_temp(p: &Path) {
    lock(&TEMPS).retain(|t| t != p);
}

/// Devices and standard output first, then the renames, holding the temporary-file list so
/// that a signal waits for the renames to end. On an error the temporary files left are removed
/// (by their `TempPath`s).
fn finish(staged: Vec<Staged>) -> io::Result<()> {
    let mut renames = Vec::new();
    for s in staged {
        match s {
            Staged::Bytes(Target::Stdout, b) => {
                let mut out = io::stdout().lock();
                out.write_all(&b)
                    .and_then(|_| out.flush())
                    .map_err(|e| io::Error::new(e.kind(), format!("standard output: {e}")))?;
            }
            Staged::Bytes(Target::InPlace(p), b) => {
                let mut f = std::fs::OpenOptions::new().write(true).open(&p)?;
                f.write_all(&b)
                    .and_then(|_| f.flush())
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
            }
            Staged::Bytes(Target::Replace(_), _) => unreachable!("staged as a rename"),
            Staged::Rename(tmp, dest) => renames.push((tmp, dest)),
        }
    }
    if let Some(secs) = std::env::var("ACDSIM_TEST_PAUSE_BEFORE_RENAME")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
    {
        // Test hook (tests/reliability.rs): a window in which every temporary file exists.
        std::thread::sleep(std::time::Duration::from_secs_f64(secs));
    }
    let mut temps = lock(&TEMPS);
    for (tmp, dest) in renames {
        let from = tmp.to_path_buf();
        tmp.persist(&dest).map_err(|e| {
            io::Error::new(e.error.kind(), format!("{}: {}", dest.display(), e.error))
        })?;
        temps.retain(|t| *t != from);
    }
    Ok(())
}

/// A set of outputs written all or nothing: [`write`]s between [`Transaction::begin`] and
/// [`Transaction::commit`] are staged. Dropped without a commit, it removes what it staged.
pub struct Transaction(());

impl Transaction {
    pub fn begin() -> Transaction {
        *lock(&STAGED) = Some(Vec::new());
        Transaction(())
    }

    /// Writes everything staged: devices and standard output, then the renames.
    pub fn commit(self) -> io::Result<()> {
        let staged = lock(&STAGED).take().unwrap_or_default();
        finish(staged)
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if let Some(staged) = lock(&STAGED).take() {
            for s in staged {
                if let Staged::Rename(tmp, _) = s {
                    forget_temp(&tmp);
                    drop(tmp);
                }
            }
        }
    }
}

/// Removes every temporary file not yet renamed (waiting for renames under way). For a signal
/// handler: the process exits right after.
pub fn remove_temps() {
    let mut temps = lock(&TEMPS);
    for t in temps.drain(..) {
        let _ = std::fs::remove_file(t);
    }
    // The list stays locked until the process exits: no rename starts after this.
    std::mem::forget(temps);
}
