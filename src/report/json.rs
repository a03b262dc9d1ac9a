//! The JSON report: [`super::RunReport`] serialised with serde. Format documented in the README
//! ("JSON report"); `schema_version` changes when it changes incompatibly. NaN (a metric that
//! was never defined, such as ASA with nothing answered) is written as `null`.

/// A report ([`super::RunReport`], or another command's) as pretty-printed JSON,
/// newline-terminated. Reports are plain data (string keys, numbers, NaN written as `null`), so
/// this cannot fail.
pub fn to_json<T: serde::Serialize + ?Sized>(report: &T) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("a report always serialises");
    s.push('\n');
    s
}
