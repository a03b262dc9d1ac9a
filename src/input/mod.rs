//! Input files: the scenario file ([`scenario`], its raw serde form), its resolution into the
//! validated [`Model`] ([`resolve`](mod@resolve), one file per section), and the forecast CSV
//! ([`forecast`]). [`load`] does all three for a path. Every error names the file, the JSON path
//! (or CSV line) and the problem.

pub mod forecast;
pub mod resolve;
pub mod scenario;

use std::path::Path;

use crate::error::InputError;
use crate::model::Model;

pub use resolve::resolve;
pub use scenario::parse;

/// Reads, parses and validates a scenario file.
pub fn load(path: &Path) -> Result<Model, InputError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::new(&file, "", format!("cannot read scenario file: {e}")))?;
    let raw = parse(&file, &bytes)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    resolve(&file, &bytes, &raw, &dir)
}
