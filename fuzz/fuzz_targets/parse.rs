//! Scenario and forecast parsing and validation: never a panic, and every refusal names the
//! file (`fuzz.json`, or the forecast `f.csv`) with a message free of Rust type names.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (_, csv) = common::split(data);
    // The forecast parser on its own, against two channels over a day of 30-minute intervals.
    let ids = ["phone".to_string(), "chat".to_string()];
    if let Err(e) =
        acdsim::input::forecast::parse_forecast("f.csv", csv, &ids, 28_800.0, 1800.0, 20)
    {
        assert!(e.to_string().starts_with("f.csv"), "{e}");
    }
    if let Some(Err(e)) = common::load(data) {
        let msg = e.to_string();
        assert!(msg.contains("fuzz.json") || msg.contains("f.csv"), "{msg}");
        // What the input itself says is quoted in backticks: only the rest is acdsim's wording.
        let own: String = msg.split('`').step_by(2).collect();
        for internal in ["untagged enum", "struct ", " u32", " u64", " f64"] {
            assert!(!own.contains(internal), "Rust internals in: {msg}");
        }
    }
});
