//! What both targets share: an input is a scenario file, then a NUL byte, then the forecast CSV
//! (used when the scenario names a `forecast_csv`, whatever the name).

use std::path::PathBuf;
use std::sync::OnceLock;

use acdsim::error::InputError;
use acdsim::model::Model;

/// A folder of this process for the forecast file.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("acdsim-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

/// Splits `data` into scenario and forecast bytes.
pub fn split(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// Parses and validates like `acdsim validate`: `None` when the JSON does not even parse.
pub fn load(data: &[u8]) -> Option<Result<Model, InputError>> {
    let (scenario, csv) = split(data);
    let mut raw = match acdsim::input::parse("fuzz.json", scenario) {
        Ok(r) => r,
        Err(e) => {
            // Every refusal names the file.
            assert!(e.to_string().starts_with("fuzz.json"), "{e}");
            return None;
        }
    };
    if raw.forecast_csv.is_some() {
        std::fs::write(dir().join("f.csv"), csv).unwrap();
        raw.forecast_csv = Some("f.csv".into());
    }
    Some(acdsim::input::resolve("fuzz.json", scenario, &raw, dir()))
}
