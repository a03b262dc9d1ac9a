//! Input files: the scenario file ([`scenario`], its raw serde form), its resolution into the
//! validated [`Model`] ([`resolve`](mod@resolve), one file per section), and the forecast CSV
//! ([`forecast`]). [`load`] does all three for a path. Every error names the file, the JSON path
//! (or CSV line) and the problem.

pub mod experiment;
pub mod forecast;
pub mod resolve;
pub mod scenario;
pub mod scenario_realism;
pub mod shiftset;

use std::path::Path;

use std::io::Read;

use crate::error::InputError;
use crate::model::limits::MAX_FILE_BYTES;
use crate::model::Model;

pub use resolve::resolve;
pub use scenario::parse;

/// Reads, parses and validates a scenario file.
pub fn load(path: &Path) -> Result<Model, InputError> {
    let file = path.display().to_string();
    let bytes = read_capped(path)
        .map_err(|e| InputError::new(&file, "", format!("cannot read scenario file: {e}")))?;
    let raw = parse(&file, &bytes)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    resolve(&file, &bytes, &raw, &dir)
}

/// The files a scenario reads: itself and its forecast CSV, if it names one (and parses).
pub fn input_files(path: &Path) -> Vec<std::path::PathBuf> {
    let mut files = vec![path.to_path_buf()];
    let raw = read_capped(path)
        .ok()
        .and_then(|b| parse(&path.display().to_string(), &b).ok());
    if let Some(csv) = raw.and_then(|r| r.forecast_csv) {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        files.push(dir.join(csv));
    }
    files
}

/// Reads a file of at most [`MAX_FILE_BYTES`]: a longer one (or an endless device such as
/// `/dev/zero`) fails after reading that much, instead of filling the memory.
pub fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB, the most acdsim reads",
            MAX_FILE_BYTES >> 20
        )));
    }
    Ok(bytes)
}
