//! The JSON Schema of scenario files: the shipped `schemas/scenario.schema.json` is the one
//! generated from the scenario types (`acdsim schema`), and every bundled scenario and test
//! fixture validates against it, while a file with a typo'd field or a wrong type does not.

use std::fs;

use assert_cmd::Command;
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn shipped() -> Value {
    serde_json::from_slice(&fs::read(format!("{ROOT}/schemas/scenario.schema.json")).unwrap())
        .unwrap()
}

#[test]
fn the_shipped_schema_is_the_generated_one() {
    let generated = acdsim::input::scenario::scenario_schema();
    let on_disk = fs::read_to_string(format!("{ROOT}/schemas/scenario.schema.json")).unwrap();
    assert!(
        generated == on_disk,
        "schemas/scenario.schema.json is stale: run `cargo run --release -- schema > schemas/scenario.schema.json`"
    );
    let out = Command::cargo_bin("acdsim")
        .unwrap()
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), generated);
}

#[test]
fn every_bundled_scenario_validates_against_the_schema() {
    let validator = jsonschema::validator_for(&shipped()).expect("a valid JSON Schema");
    let mut files: Vec<_> = ["scenarios", "tests/fixtures", "tests/data"]
        .iter()
        .flat_map(|d| fs::read_dir(format!("{ROOT}/{d}")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 11, "{files:?}");
    for f in &files {
        let v: Value = serde_json::from_slice(&fs::read(f).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
    // The schema can fail: a typo'd field, a wrong type, an unknown distribution.
    let base: Value =
        serde_json::from_slice(&fs::read(format!("{ROOT}/scenarios/default.json")).unwrap())
            .unwrap();
    for (ptr, value) in [
        ("/replicatoins", serde_json::json!(10)),
        ("/seed", serde_json::json!("x")),
        (
            "/channels/0/segments/0/patience",
            serde_json::json!({"type": "expo", "mean": 3}),
        ),
    ] {
        let mut v = base.clone();
        if let Some(slot) = v.pointer_mut(ptr) {
            *slot = value;
        } else {
            v.as_object_mut()
                .unwrap()
                .insert(ptr[1..].to_string(), value);
        }
        assert!(!validator.is_valid(&v), "{ptr} passed the schema");
    }
    // "$schema" itself is allowed.
    let mut v = base.clone();
    v["$schema"] = serde_json::json!("../schemas/scenario.schema.json");
    assert!(validator.is_valid(&v));
}
