//! The JSON report: [`super::RunReport`] serialised with serde. Format documented in the README
//! ("JSON report"); `schema_version` changes when it changes incompatibly. NaN (a metric that
//! was never defined, such as ASA with nothing answered) is written as `null`.

use super::RunReport;

/// The report as pretty-printed JSON, newline-terminated.
pub fn to_json(report: &RunReport) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("a report always serialises");
    s.push('\n');
    s
}
