//! Engine throughput benchmarks (`cargo bench --bench engine`).
//!
//! - `single/W`, `single/D`: one core, `Engine::run` + `Layout::summarize` for a fixed batch of
//!   replications; throughput is the exact number of contacts offered in that batch, so criterion
//!   reports contacts simulated per second.
//! - `parallel/W/threads=1|2`: `simulate::run` with a fixed number of replications inside a rayon
//!   pool of 1 and 2 threads (wall time; the same throughput unit).
//!
//! W is `scenarios/bench-w.json` (one queue, 1,200 calls/h, 85 agents, 8 hours). D is the
//! bundled default scenario `scenarios/default.json` (four channels, three groups, 12 hours).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use acdsim::engine::Engine;
use acdsim::model::Model;
use acdsim::simulate::{self, RunOptions};
use acdsim::stats::{m, Layout, RepSummary, RowKey};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const SEED: u64 = 1;
/// Replications per measured iteration of the single-core benchmark.
const BATCH: u64 = 8;
/// Replications per measured iteration of the parallel benchmark.
const PAR_REPS: u64 = 64;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(rel: &str) -> Model {
    let p = root().join(rel);
    acdsim::scenario::load(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn scenario_d() -> Model {
    load("scenarios/default.json")
}

/// Contacts offered (opening hours) in replications `reps` of `model`.
fn contacts(model: &Model, reps: std::ops::Range<u64>) -> u64 {
    let mut engine = Engine::new(model);
    let layout = Layout::new(model);
    let slot = layout.slot(
        layout.row(RowKey::Overall).expect("overall row"),
        m::OFFERED,
    );
    let mut sum = RepSummary::default();
    reps.map(|r| {
        layout.summarize(engine.run(model, SEED, r), &mut sum);
        sum.values[slot] as u64
    })
    .sum()
}

fn single(c: &mut Criterion) {
    let mut g = c.benchmark_group("single");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (name, model) in [("W", load("scenarios/bench-w.json")), ("D", scenario_d())] {
        g.throughput(Throughput::Elements(contacts(&model, 0..BATCH)));
        let layout = Layout::new(&model);
        let mut engine = Engine::new(&model);
        let mut sum = RepSummary::default();
        g.bench_function(name, |b| {
            b.iter(|| {
                for r in 0..BATCH {
                    layout.summarize(engine.run(&model, SEED, r), &mut sum);
                }
                black_box(&sum.values);
            })
        });
    }
    g.finish();
}

fn parallel(c: &mut Criterion) {
    let mut g = c.benchmark_group("parallel");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let model = load("scenarios/bench-w.json");
    g.throughput(Throughput::Elements(contacts(&model, 0..PAR_REPS)));
    let opts = RunOptions {
        replications: PAR_REPS,
        seed: SEED,
    };
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        g.bench_with_input(BenchmarkId::new("W/threads", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(simulate::run(&model, opts, |_| {}))))
        });
    }
    g.finish();
}

criterion_group!(benches, single, parallel);
criterion_main!(benches);
