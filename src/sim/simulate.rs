//! Running a model: many replications in parallel, aggregated as they finish.

use crate::model::Model;
use crate::sim::engine::Engine;
use crate::sim::paired::{self, Comparison, Variant};
use crate::sim::replicate::{self, Accumulator};
use crate::sim::shard::Shard;
use crate::stats::{section_of, Aggregate, Layout, RepSummary};

/// How to run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    pub replications: u64,
    pub seed: u64,
}

impl RunOptions {
    /// The model's own replications and seed.
    pub fn from_model(model: &Model) -> RunOptions {
        RunOptions {
            replications: model.replications,
            seed: model.seed,
        }
    }
}

/// The result of a run: the layout of the metrics and their aggregate over replications.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub layout: Layout,
    pub aggregate: Aggregate,
    pub options: RunOptions,
}

impl Accumulator for Aggregate {
    type Item = RepSummary;
    fn fresh(&self) -> Self {
        Aggregate::fresh(self)
    }
    fn reset(&mut self) {
        Aggregate::reset(self)
    }
    fn push(&mut self, item: &RepSummary) {
        Aggregate::push(self, item)
    }
    fn merge(&mut self, other: &Self) {
        Aggregate::merge(self, other)
    }
}

/// Runs `opts.replications` replications of `model`; `progress(done)` reports progress.
pub fn run(model: &Model, opts: RunOptions, progress: impl Fn(u64)) -> Outcome {
    run_shard(model, opts, Shard::WHOLE, progress)
}

/// [`run`] for the replications of `shard` only (see [`crate::sim::shard`]).
pub fn run_shard(model: &Model, opts: RunOptions, shard: Shard, progress: impl Fn(u64)) -> Outcome {
    let layout = Layout::new(model);
    let proto = Aggregate::new(&layout);
    let aggregate = replicate::run_range(
        shard.range(opts.replications),
        &proto,
        || Engine::new(model),
        |engine, rep, item| {
            let stats = engine.run(model, opts.seed, rep);
            layout.summarize_in(stats, section_of(rep, opts.replications), item);
        },
        progress,
    );
    Outcome {
        layout,
        aggregate,
        options: opts,
    }
}

/// Runs a model with a surge playbook and, on common random numbers, the same model without it
/// ([`Model::without_playbook`]): variant 0 is without, variant 1 with the playbook, so the
/// paired differences read "with - without".
pub fn run_playbook_pair(model: &Model, opts: RunOptions, progress: impl Fn(u64)) -> Comparison {
    run_playbook_pair_shard(model, opts, Shard::WHOLE, progress)
}

/// The two variants of [`run_playbook_pair`]: without the playbook, then with it.
pub fn playbook_variants(model: &Model) -> [Variant; 2] {
    [
        Variant {
            name: "without playbook".into(),
            model: model.without_playbook(),
        },
        Variant {
            name: "with playbook".into(),
            model: model.clone(),
        },
    ]
}

/// [`run_playbook_pair`] for the replications of `shard` only.
pub fn run_playbook_pair_shard(
    model: &Model,
    opts: RunOptions,
    shard: Shard,
    progress: impl Fn(u64),
) -> Comparison {
    let variants = playbook_variants(model);
    paired::run_shard(&variants, opts.replications, opts.seed, shard, progress)
        .expect("a model and its playbook-less twin have the same structure")
}

impl Outcome {
    /// The outcome of `model` from an aggregate run elsewhere (merged shards). Fails when the
    /// aggregate does not fit the model's layout.
    pub fn assemble(
        model: &Model,
        aggregate: Aggregate,
        options: RunOptions,
    ) -> Result<Outcome, String> {
        let layout = Layout::new(model);
        if !aggregate.fits(&layout) {
            return Err("the accumulators do not fit this scenario's report rows".into());
        }
        Ok(Outcome {
            layout,
            aggregate,
            options,
        })
    }
}

impl Comparison {
    /// Variant `v`'s result as a plain run outcome.
    pub fn outcome(&self, v: usize) -> Outcome {
        Outcome {
            layout: self.layouts[v].clone(),
            aggregate: self.paired.aggregates[v].clone(),
            options: RunOptions {
                replications: self.replications,
                seed: self.seed,
            },
        }
    }
}
