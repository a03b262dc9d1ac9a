//! Engine throughput benchmarks (`cargo bench --bench engine`).
//!
//! - `single/W`, `single/D`: one core, `Engine::run` + `Layout::summarize` for a fixed batch of
//!   replications; throughput is the exact number of contacts offered in that batch, so criterion
//!   reports contacts simulated per second.
//! - `baseline/W`: the leanest exact loop for W (`benches/baseline.rs`), one core, the same batch
//!   and contacts as `single/W`: the floor the engine's speed is judged against on this machine.
//! - `parallel/W/threads=1|2|N`: `simulate::run` with a fixed number of replications inside a
//!   rayon pool of 1 and 2 threads and, on a machine with N > 2 cores, of all N (wall time; the
//!   same throughput unit).
//! - `agents/N`: W scaled to N = 10, 85 and 500 agents at the same load per agent (arrival rate
//!   times N / 85), one core.
//! - `skills/S`: W's volume and 85 agents split over S = 1, 4 and 16 skills: S contact types of
//!   equal share, each needing its own skill, and S groups, group i holding skill i at level 3
//!   and skill i + 1 (mod S) at level 2, so every type has a primary and a backup group; one core.
//!
//! W is `scenarios/bench-w.json` (one queue, 1,200 calls/h, 85 agents, 8 hours). D is the
//! bundled default scenario `scenarios/default.json` (four channels, three groups, 12 hours).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use acdsim::model::Model;
use acdsim::sim::engine::Engine;
use acdsim::sim::simulate::{self, RunOptions};
use acdsim::stats::{m, Layout, RepSummary, RowKey};
use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, Throughput,
};

mod baseline;

const SEED: u64 = 1;
/// Replications per measured iteration of the single-core benchmark.
const BATCH: u64 = 8;
/// Replications per measured iteration of the parallel benchmark (with up to 2 threads; more
/// threads get proportionally more).
const PAR_REPS: u64 = 64;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(rel: &str) -> Model {
    let p = root().join(rel);
    acdsim::input::load(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
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

/// W with `n` agents at W's load per agent.
fn scenario_agents(n: u32) -> Model {
    let mut m = load("scenarios/bench-w.json").with_surge(n as f64 / 85.0);
    for h in &mut m.groups[0].headcount {
        *h = n;
    }
    m.groups[0].max = m.groups[0].max.max(n);
    m
}

/// W's volume and agents over `s` skills (see the module documentation).
fn scenario_skills(s: usize) -> Model {
    let types: Vec<serde_json::Value> = (0..s)
        .map(|i| {
            serde_json::json!({
                "id": format!("t{i}"), "share": 1.0 / s as f64, "skills": [format!("s{i}")],
                "handle_time": { "type": "exponential", "mean": 240 }
            })
        })
        .collect();
    let groups: Vec<serde_json::Value> = (0..s)
        .map(|i| {
            let mut skills = serde_json::Map::new();
            skills.insert(format!("s{i}"), 3.into());
            if s > 1 {
                skills.insert(format!("s{}", (i + 1) % s), 2.into());
            }
            // 85 agents in all, the remainder to the first groups.
            let n = 85 / s + usize::from(i < 85 % s);
            serde_json::json!({ "id": format!("g{i}"), "skills": skills, "headcount": n })
        })
        .collect();
    let file = serde_json::json!({
        "name": format!("bench-skills-{s}"),
        "day": { "open": "08:00", "interval_minutes": 60, "intervals": 8, "closing": "drain" },
        "seed": 1,
        "replications": 100,
        "channels": [{
            "id": "phone", "goal": { "threshold_s": 20, "target": 0.8 }, "volume": 1200,
            "types": types,
            "segments": [{ "id": "regular", "share": 1,
                           "patience": { "type": "exponential", "mean": 120 } }]
        }],
        "agent_groups": groups
    });
    let bytes = serde_json::to_vec(&file).expect("json");
    let name = format!("bench-skills-{s}.json");
    let raw = acdsim::input::parse(&name, &bytes).unwrap_or_else(|e| panic!("{e}"));
    acdsim::input::resolve(&name, &bytes, &raw, &root()).unwrap_or_else(|e| panic!("{e}"))
}

/// One-core benchmarks of `models` in group `group`: `BATCH` replications an iteration.
/// A benchmark group with this file's settings: 10 samples, 1 s of warm-up, `measure_s` seconds
/// of measurement.
fn group<'a>(c: &'a mut Criterion, name: &str, measure_s: u64) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(measure_s));
    g
}

fn one_core(c: &mut Criterion, group_name: &str, models: Vec<(String, Model)>) {
    let mut g = group(c, group_name, 4);
    for (name, model) in models {
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

fn single(c: &mut Criterion) {
    let models = vec![
        ("W".to_string(), load("scenarios/bench-w.json")),
        ("D".to_string(), scenario_d()),
    ];
    one_core(c, "single", models);
}

fn floor(c: &mut Criterion) {
    let mut g = group(c, "baseline", 4);
    let profile = baseline::profile();
    let offered = (0..BATCH)
        .map(|r| baseline::run(&profile, SEED, r).offered)
        .sum();
    // The same contacts as `single/W` (the validation test checks the counts one by one).
    assert_eq!(
        offered,
        contacts(&load("scenarios/bench-w.json"), 0..BATCH),
        "the baseline is not benchmark W"
    );
    g.throughput(Throughput::Elements(offered));
    g.bench_function("W", |b| {
        b.iter(|| {
            for r in 0..BATCH {
                black_box(baseline::run(&profile, SEED, r));
            }
        })
    });
    g.finish();
}

fn agents(c: &mut Criterion) {
    let models = [10, 85, 500]
        .map(|n| (n.to_string(), scenario_agents(n)))
        .to_vec();
    one_core(c, "agents", models);
}

fn skills(c: &mut Criterion) {
    let models = [1, 4, 16]
        .map(|s| (s.to_string(), scenario_skills(s)))
        .to_vec();
    one_core(c, "skills", models);
}

fn parallel(c: &mut Criterion) {
    let mut g = group(c, "parallel", 5);
    let model = load("scenarios/bench-w.json");
    // 1 and 2 threads (the targets' ratio), and every core when there are more.
    let all = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut counts = vec![1usize, 2, all];
    counts.dedup();
    for threads in counts {
        // At least PAR_REPS, and PAR_REPS / 2 per thread, so that every thread has work to share.
        let replications = PAR_REPS.max(PAR_REPS / 2 * threads as u64);
        g.throughput(Throughput::Elements(contacts(&model, 0..replications)));
        let opts = RunOptions {
            replications,
            seed: SEED,
        };
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

criterion_group!(benches, single, floor, parallel, agents, skills);
criterion_main!(benches);
