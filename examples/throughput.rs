//! One-core engine throughput, for instruction counts under `valgrind --tool=callgrind`
//! (repeatable whatever the machine's load) and quick timings:
//!
//! ```text
//! cargo build --release --example throughput
//! target/release/examples/throughput scenarios/bench-w.json 200
//! target/release/examples/throughput baseline 200
//! ```
//!
//! Runs replications `0..N` of the scenario with seed 1, each through `Engine::run` and
//! `Layout::summarize` (what the `single/*` benchmarks time), and prints the contacts offered and
//! the rate per second of wall time. `baseline` instead runs the leanest loop for benchmark W
//! (`benches/baseline.rs`, what `baseline/W` times) on the same replications.

#[path = "../benches/baseline.rs"]
mod baseline;

use acdsim::sim::engine::Engine;
use acdsim::stats::{m, Layout, RepSummary, RowKey};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(what), Some(reps)) = (args.get(1), args.get(2).and_then(|n| n.parse::<u64>().ok()))
    else {
        eprintln!("usage: throughput SCENARIO|baseline REPLICATIONS");
        std::process::exit(2);
    };
    let t = std::time::Instant::now();
    let contacts = if what == "baseline" {
        let profile = baseline::profile();
        (0..reps)
            .map(|r| baseline::run(&profile, 1, r).offered)
            .sum()
    } else {
        engine(what, reps)
    };
    let s = t.elapsed().as_secs_f64();
    println!(
        "contacts {contacts} seconds {s:.3} rate {:.3}M/s",
        contacts as f64 / s / 1e6
    );
}

/// Contacts offered in replications `0..reps` of the scenario at `path`, run by the engine.
fn engine(path: &str, reps: u64) -> u64 {
    let model = acdsim::input::load(std::path::Path::new(path)).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    let layout = Layout::new(&model);
    let offered = layout.slot(
        layout.row(RowKey::Overall).expect("overall row"),
        m::OFFERED,
    );
    let mut engine = Engine::new(&model);
    let mut sum = RepSummary::default();
    let mut contacts = 0u64;
    for r in 0..reps {
        layout.summarize(engine.run(&model, 1, r), &mut sum);
        contacts += sum.values[offered] as u64;
    }
    contacts
}
