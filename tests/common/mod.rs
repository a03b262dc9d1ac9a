//! Helpers shared by the integration tests that compare simulated figures with theory
//! (`tests/validation.rs`, `tests/realism.rs`): the bundled scenarios, a run's report at the
//! 99% confidence level, a channel's metric and the check of an estimate against theory.

#![allow(dead_code)]

use std::path::PathBuf;

use acdsim::analysis::queueing::ErlangC;
use acdsim::model::Model;
use acdsim::report::RunReport;
use acdsim::sim::simulate::{self, RunOptions};
use acdsim::stats::Estimate;

/// Confidence level of every interval compared with theory.
pub const CONF: f64 = 0.99;

/// Every bundled scenario (`scenarios/*.json`), in name order.
pub fn bundled_scenarios() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    v
}

/// A bundled scenario's path.
pub fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// The report of `replications` replications of `model` with `seed`, intervals at [`CONF`].
pub fn run(model: &Model, replications: u64, seed: u64) -> RunReport {
    let outcome = simulate::run(model, RunOptions { replications, seed }, |_| {});
    RunReport::new(model, &outcome, CONF)
}

/// Metric `name` of channel `channel` in `report`.
pub fn metric<'a>(report: &'a RunReport, channel: &str, name: &str) -> &'a Estimate {
    report
        .channel(channel)
        .unwrap_or_else(|| panic!("no channel {channel}"))
        .metrics
        .get(name)
        .unwrap_or_else(|| panic!("no metric {name}"))
}

/// Asserts that `theory` lies in the 99% interval of `est` and that the interval is narrower
/// than `max_half_width`. Prints the comparison (visible with `--nocapture`).
pub fn check(what: &str, est: &Estimate, theory: f64, max_half_width: f64) {
    eprintln!(
        "{what}: sim {:.5} [{:.5}, {:.5}] (half-width {:.5}, n = {}), theory {theory:.5}",
        est.mean, est.lo, est.hi, est.half_width, est.n
    );
    assert!(
        est.half_width.is_finite() && est.half_width < max_half_width,
        "{what}: the 99% half-width {} is not below {max_half_width}: the test would lack power",
        est.half_width
    );
    assert!(
        est.lo <= theory && theory <= est.hi,
        "{what}: theory {theory} outside the simulator's 99% interval [{}, {}] (mean {})",
        est.lo,
        est.hi,
        est.mean
    );
}

/// The queue of `mmc-5.json` (5 agents, 60 calls an hour) with `aht_s` of handle time.
pub fn mm5(aht_s: f64) -> ErlangC {
    ErlangC {
        servers: 5,
        arrival_rate: 60.0 / 3600.0,
        mean_service_s: aht_s,
    }
}

/// Checks the phone channel's service level within 15 s (interval under 0.01) and ASA (under
/// 5%) of `report` against Erlang C.
pub fn check_sl_and_asa(report: &RunReport, ec: &ErlangC) {
    check(
        "SL(15 s)",
        metric(report, "phone", "service_level"),
        ec.service_level(15.0),
        0.01,
    );
    check(
        "ASA",
        metric(report, "phone", "asa_s"),
        ec.asa_s(),
        0.05 * ec.asa_s(),
    );
}
