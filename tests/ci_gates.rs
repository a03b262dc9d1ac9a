//! The CI gates: `check --junit` (one test case per requirement and per regression),
//! `check --regressions-only` (regressions against a baseline alone), and the bundled scenario
//! that meets its goals (`scenarios/default-staffed.json`), the README's GitHub Actions example.

use std::fs;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn acdsim() -> Command {
    let mut c = Command::cargo_bin("acdsim").unwrap();
    c.env("RAYON_NUM_THREADS", "2");
    c
}

fn scenario(name: &str) -> String {
    format!("{ROOT}/scenarios/{name}")
}

/// The number in `attr="N"` of the first element `tag`.
fn attr(xml: &str, tag: &str, attr: &str) -> usize {
    let at = xml.find(&format!("<{tag} ")).unwrap();
    let rest = &xml[at..];
    let k = rest.find(&format!(" {attr}=\"")).unwrap() + attr.len() + 3;
    rest[k..k + rest[k..].find('"').unwrap()].parse().unwrap()
}

#[test]
fn the_staffed_default_scenario_meets_its_own_requirements() {
    // The README's GitHub Actions example runs green on it: the same day as default.json, with
    // the headcount `acdsim staff` finds.
    let dir = TempDir::new().unwrap();
    let json = dir.path().join("check.json");
    acdsim()
        .args([
            "check",
            &scenario("default-staffed.json"),
            "-n",
            "200",
            "-q",
        ])
        .arg("--json")
        .arg(&json)
        .assert()
        .code(0);
    let v: Value = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["passed"], true);
    assert_eq!(v["requirements"].as_array().unwrap().len(), 2);
    // While the bundled default, right to show it, misses its phone goal.
    acdsim()
        .args(["check", &scenario("default.json"), "-n", "200", "-q"])
        .assert()
        .code(1);
}

#[test]
fn junit_has_one_case_per_requirement_and_per_regression() {
    let dir = TempDir::new().unwrap();
    let (xml, json) = (dir.path().join("check.xml"), dir.path().join("check.json"));
    acdsim()
        .args(["check", &scenario("default.json"), "-n", "50", "-q"])
        .args(["--baseline", &scenario("default-staffed.json")])
        .args(["--require", "chat.asa_s <= 60"])
        .arg("--junit")
        .arg(&xml)
        .arg("--json")
        .arg(&json)
        .assert()
        .code(1);
    let xml = fs::read_to_string(&xml).unwrap();
    let v: Value = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
    let reqs = v["requirements"].as_array().unwrap();
    let regs = v["regressions"].as_array().unwrap();
    assert_eq!(reqs.len(), 3);
    assert_eq!(regs.len(), 5);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert_eq!(attr(&xml, "testsuites", "tests"), reqs.len() + regs.len());
    let failed = reqs.iter().filter(|r| r["pass"] == false).count()
        + regs.iter().filter(|r| r["regression"] == true).count();
    assert_eq!(attr(&xml, "testsuites", "failures"), failed);
    assert!(
        failed >= 2,
        "phone misses its goal, and fewer agents than the staffed day regress"
    );
    assert_eq!(xml.matches("<testcase ").count(), reqs.len() + regs.len());
    assert_eq!(xml.matches("<failure ").count(), failed);
    assert!(xml.contains("<testcase name=\"phone.service_level &gt;= 0.85\" classname=\"acdsim.requirements.scenario\">"));
    assert!(xml.contains(
        "<testcase name=\"chat.asa_s &lt;= 60\" classname=\"acdsim.requirements.command_line\""
    ));
    assert!(
        xml.contains("<testcase name=\"phone.service_level\" classname=\"acdsim.regressions\">")
    );
    assert!(xml.contains("type=\"regression\""));
}

#[test]
fn regressions_only_ignores_the_requirements() {
    // default.json misses its own phone requirement, but against itself nothing regresses.
    let dir = TempDir::new().unwrap();
    let (xml, json) = (dir.path().join("r.xml"), dir.path().join("r.json"));
    acdsim()
        .args(["check", &scenario("default.json"), "-n", "50", "-q"])
        .args([
            "--baseline",
            &scenario("default.json"),
            "--regressions-only",
        ])
        .arg("--junit")
        .arg(&xml)
        .arg("--json")
        .arg(&json)
        .assert()
        .code(0);
    let v: Value = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
    assert!(v["requirements"].as_array().unwrap().is_empty());
    assert_eq!(v["regressions"].as_array().unwrap().len(), 5);
    let xml = fs::read_to_string(&xml).unwrap();
    assert_eq!(attr(&xml, "testsuites", "tests"), 5);
    assert_eq!(attr(&xml, "testsuites", "failures"), 0);
    assert!(!xml.contains("requirements"));
    // The alias; a worse candidate does fail.
    acdsim()
        .args(["check", &scenario("default.json"), "-n", "50", "-q"])
        .args([
            "--baseline",
            &scenario("default-staffed.json"),
            "--no-requirements",
        ])
        .assert()
        .code(1);
    // Without a baseline there is nothing to gate on; with --require it is a contradiction.
    acdsim()
        .args(["check", &scenario("default.json"), "--regressions-only"])
        .assert()
        .code(2);
    acdsim()
        .args(["check", &scenario("default.json"), "--regressions-only"])
        .args([
            "--baseline",
            &scenario("default.json"),
            "--require",
            "phone.asa_s <= 9",
        ])
        .assert()
        .code(2);
}
