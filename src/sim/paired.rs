//! Paired runs: variants of one scenario on common random numbers (CRN).
//!
//! Variants are models of the same structure (channels, segments, types, agent groups and
//! contact classes): another routing strategy, another staffing, another load factor, or a
//! second scenario file. Replication `i` of every variant runs with the same seed and
//! replication number, so it sees the same arrivals, contact attributes, handle times and
//! patience draws (each random quantity has its own stream, see [`crate::sim::rng`]): the
//! per-replication differences between variants carry only the effect of the change, and
//! their confidence interval is much narrower than the one of two independent runs.
//!
//! For every variant the usual [`Aggregate`] is kept, and for every variant after the first
//! (the baseline) the moments of the per-replication differences `variant - baseline` of every
//! metric slot. Ratio metrics (service level, ASA, abandonment rate, ...) are differenced as
//! per-replication ratios (`value / den`, undefined when `den == 0`): the reported difference
//! is the mean over replications of the per-replication difference, with its Student-t
//! interval. Memory does not depend on the number of replications, and the result is the same
//! bit for bit at any thread count (only the deterministic [`replicate`] runner is used).

use serde::{Deserialize, Serialize};

use crate::model::Model;
use crate::sim::engine::Engine;
use crate::sim::replicate::{self, Accumulator};
use crate::sim::shard::Shard;
use crate::stats::{section_of, Aggregate, Estimate, Layout, Moments, RepSummary};

/// One variant: a display name and its model.
#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub model: Model,
}

/// Checks that `other` has the structure of `base` (same channels, segments, types, agent
/// groups, contact classes and intervals, in the same order), so one engine runs both and
/// their report rows match. The error says what differs.
pub fn check_same_structure(base: &Model, other: &Model) -> Result<(), String> {
    fn ids<T>(v: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
        v.iter().map(|x| f(x).to_string()).collect()
    }
    let pairs: [(&str, Vec<String>, Vec<String>); 4] = [
        (
            "channels",
            ids(&base.channels, |c| &c.id),
            ids(&other.channels, |c| &c.id),
        ),
        (
            "segments",
            ids(&base.segments, |s| &s.id),
            ids(&other.segments, |s| &s.id),
        ),
        ("types", base.types.clone(), other.types.clone()),
        (
            "agent groups",
            ids(&base.groups, |g| &g.id),
            ids(&other.groups, |g| &g.id),
        ),
    ];
    for (what, a, b) in pairs {
        if a != b {
            return Err(format!(
                "{what} [{}] differ from the baseline's [{}]: variants must have the same channels, segments, types and agent groups, in the same order",
                b.join(", "),
                a.join(", ")
            ));
        }
    }
    if base.playbook.is_some() != other.playbook.is_some() {
        return Err(format!(
            "{} a surge_playbook and the baseline {}: variants must both have one or both lack it",
            if other.playbook.is_some() {
                "has"
            } else {
                "lacks"
            },
            if base.playbook.is_some() {
                "has one"
            } else {
                "has none"
            }
        ));
    }
    let classes = |m: &Model| -> Vec<(usize, usize, usize)> {
        m.classes
            .iter()
            .map(|c| (c.channel, c.type_, c.segment))
            .collect()
    };
    if classes(base) != classes(other) {
        return Err(
            "the (channel, type, segment) combinations differ from the baseline's: every channel must offer the same types and segments".into(),
        );
    }
    if base.n_intervals != other.n_intervals {
        return Err(format!(
            "{} intervals, the baseline has {}: variants must cover the same day",
            other.n_intervals, base.n_intervals
        ));
    }
    Ok(())
}

/// A slot's value in one replication: the ratio `value / den` for ratio metrics (NaN when
/// `den == 0`), the value itself otherwise.
#[inline]
pub fn rep_value(s: &RepSummary, slot: usize) -> f64 {
    let (v, d) = (s.values[slot], s.dens[slot]);
    if d == 1.0 {
        v
    } else if d == 0.0 {
        f64::NAN
    } else {
        v / d
    }
}

/// Per-variant aggregates and per-(non-baseline) variant moments of paired differences.
/// Serialisable: a shard's partial result holds it (see [`crate::sim::shard`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Paired {
    pub aggregates: Vec<Aggregate>,
    /// `diffs[v - 1][slot]`: moments of `variant v - baseline` per replication.
    pub diffs: Vec<Vec<Moments>>,
}

impl Accumulator for Paired {
    type Item = Vec<RepSummary>;
    fn fresh(&self) -> Self {
        Paired {
            aggregates: self.aggregates.iter().map(|a| a.fresh()).collect(),
            diffs: self
                .diffs
                .iter()
                .map(|d| vec![Moments::default(); d.len()])
                .collect(),
        }
    }
    fn reset(&mut self) {
        self.aggregates.iter_mut().for_each(Aggregate::reset);
        for d in &mut self.diffs {
            d.iter_mut().for_each(Moments::clear);
        }
    }
    fn push(&mut self, item: &Vec<RepSummary>) {
        for (a, s) in self.aggregates.iter_mut().zip(item) {
            a.push(s);
        }
        let base = &item[0];
        for (d, s) in self.diffs.iter_mut().zip(&item[1..]) {
            for (slot, mo) in d.iter_mut().enumerate() {
                // NaN (undefined in either variant) is skipped by `Moments::push`.
                mo.push(rep_value(s, slot) - rep_value(base, slot));
            }
        }
    }
    fn merge(&mut self, o: &Self) {
        for (a, b) in self.aggregates.iter_mut().zip(&o.aggregates) {
            a.merge(b);
        }
        for (d, e) in self.diffs.iter_mut().zip(&o.diffs) {
            for (x, y) in d.iter_mut().zip(e) {
                x.merge(y);
            }
        }
    }
}

/// The result of a paired run.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub names: Vec<String>,
    /// One layout per variant (same rows; goals may differ between scenario files).
    pub layouts: Vec<Layout>,
    pub paired: Paired,
    pub replications: u64,
    pub seed: u64,
}

/// Runs `replications` replications of every variant with `seed` on common random numbers;
/// the first variant is the baseline. Fails when a variant's structure differs from the
/// baseline's (message prefixed by the variant's name).
pub fn run(
    variants: &[Variant],
    replications: u64,
    seed: u64,
    progress: impl Fn(u64),
) -> Result<Comparison, String> {
    run_shard(variants, replications, seed, Shard::WHOLE, progress)
}

/// The variants' layouts, after checking that they share the baseline's structure.
fn layouts(variants: &[Variant]) -> Result<Vec<Layout>, String> {
    let base = &variants
        .first()
        .ok_or_else(|| "nothing to compare: no variant".to_string())?
        .model;
    for v in &variants[1..] {
        check_same_structure(base, &v.model).map_err(|e| format!("{}: {e}", v.name))?;
    }
    Ok(variants.iter().map(|v| Layout::new(&v.model)).collect())
}

/// [`run`] for the replications of `shard` only: the comparison's accumulators cover that
/// shard's block of replications (`replications` and `seed` are the whole run's).
pub fn run_shard(
    variants: &[Variant],
    replications: u64,
    seed: u64,
    shard: Shard,
    progress: impl Fn(u64),
) -> Result<Comparison, String> {
    let layouts = layouts(variants)?;
    let base = &variants[0].model;
    let n_slots = layouts[0].n_slots();
    let proto = Paired {
        aggregates: layouts.iter().map(Aggregate::new).collect(),
        diffs: vec![vec![Moments::default(); n_slots]; variants.len() - 1],
    };
    let paired = replicate::run_range(
        shard.range(replications),
        &proto,
        || Engine::new(base),
        |engine, rep, item: &mut Vec<RepSummary>| {
            item.resize_with(variants.len(), RepSummary::default);
            for ((v, layout), out) in variants.iter().zip(&layouts).zip(item.iter_mut()) {
                let stats = engine.run(&v.model, seed, rep);
                layout.summarize_in(stats, section_of(rep, replications), out);
            }
        },
        progress,
    );
    Ok(Comparison {
        names: variants.iter().map(|v| v.name.clone()).collect(),
        layouts,
        paired,
        replications,
        seed,
    })
}

impl Comparison {
    /// The comparison of `variants` from accumulators run elsewhere (the merged shards of a
    /// run of `replications` with `seed`). Fails when they do not fit the variants' layouts.
    pub fn assemble(
        variants: &[Variant],
        paired: Paired,
        replications: u64,
        seed: u64,
    ) -> Result<Comparison, String> {
        let layouts = layouts(variants)?;
        let fits = paired.aggregates.len() == variants.len()
            && paired.diffs.len() + 1 == variants.len()
            && paired
                .aggregates
                .iter()
                .zip(&layouts)
                .all(|(a, l)| a.fits(l))
            && paired.diffs.iter().all(|d| d.len() == layouts[0].n_slots());
        if !fits {
            return Err(format!(
                "the accumulators do not fit the {} variant(s) of this scenario",
                variants.len()
            ));
        }
        Ok(Comparison {
            names: variants.iter().map(|v| v.name.clone()).collect(),
            layouts,
            paired,
            replications,
            seed,
        })
    }

    /// Estimate of a slot for variant `v` (ratio estimator over replications; a wait quantile
    /// from the pooled histograms, see [`Aggregate::estimate`]).
    pub fn estimate(&self, v: usize, slot: usize, conf: f64) -> Estimate {
        self.paired.aggregates[v].estimate(&self.layouts[v], slot, conf)
    }

    /// Paired difference `variant v - baseline` of a slot (`v >= 1`): the mean of the
    /// per-replication differences, or for a wait quantile the difference of the pooled
    /// quantiles with the sectioning interval of the sections' differences.
    pub fn difference(&self, v: usize, slot: usize, conf: f64) -> Estimate {
        match self.layouts[0].quantile_slot(slot) {
            Some((row, q)) => {
                let (base, var) = (&self.paired.aggregates[0], &self.paired.aggregates[v]);
                base.waits[row].difference(&var.waits[row], q, conf)
            }
            None => self.paired.diffs[v - 1][slot].interval(conf),
        }
    }

    /// Wait-time counts of variant `v` over all replications for row `row` of the layout
    /// ([`crate::stats::histogram::BINS`] bins, per [`crate::stats::histogram::bin_range`]).
    pub fn pooled_waits(&self, v: usize, row: usize) -> Vec<u64> {
        self.paired.aggregates[v].pooled_counts(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rep_value_handles_ratios_and_zero_denominators() {
        let mut s = RepSummary::default();
        s.values = vec![3.0, 4.0, 5.0];
        s.dens = vec![1.0, 8.0, 0.0];
        assert_eq!(rep_value(&s, 0), 3.0);
        assert_eq!(rep_value(&s, 1), 0.5);
        assert!(rep_value(&s, 2).is_nan());
    }
}
