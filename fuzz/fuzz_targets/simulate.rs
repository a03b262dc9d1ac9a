//! Simulates what validates, within a small budget: two replications of a scenario expecting at
//! most BUDGET contacts (larger ones are skipped, not run: they are bounded by the documented
//! limits, only slower). Fails on a panic, and (through libFuzzer's -timeout and -rss_limit_mb)
//! on a hang or unbounded memory; the queue guard's stop (QueueOverflow) is an accepted outcome.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

use acdsim::sim::guard;
use acdsim::sim::simulate::{self, RunOptions};

/// The most contacts (all channels, the warm-up included) a simulated input may expect.
const BUDGET: f64 = 200_000.0;

fuzz_target!(|data: &[u8]| {
    let Some(Ok(mut model)) = common::load(data) else {
        return;
    };
    let day_s = model.close_time();
    let expected: f64 = model
        .channels
        .iter()
        .map(|c| {
            let first = c.rates.first().copied().unwrap_or(0.0);
            first * model.warmup_s + c.rates.iter().sum::<f64>() * model.interval_s
        })
        .sum();
    if !(expected <= BUDGET) || !day_s.is_finite() {
        return;
    }
    model.replications = model.replications.min(2);
    let opts = RunOptions::from_model(&model);
    let outcome = guard::catch(|| {
        if model.playbook.is_some() {
            let _ = simulate::run_playbook_pair(&model, opts, |_| {});
        } else {
            let _ = simulate::run(&model, opts, |_| {});
        }
    });
    let _ = outcome;
});
