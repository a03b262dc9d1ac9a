//! Plots (placeholder until the plotting module lands).
use super::RunReport;
use std::path::Path;
pub fn write_run_plots(_r: &RunReport, _dir: &Path) -> std::io::Result<()> {
    Ok(())
}
