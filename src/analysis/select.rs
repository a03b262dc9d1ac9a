//! `acdsim select`: selecting the best variant of an experiment with a statistical guarantee,
//! on common random numbers, optionally subject to constraints on other metrics.
//!
//! **Selection: the fully sequential procedure KN** (Kim and Nelson 2001, "A fully sequential
//! procedure for indifference-zone selection in simulation", ACM TOMACS 11(3)). With `k`
//! variants, indifference zone `delta` and confidence `1 - alpha`: every variant runs `n0`
//! replications (replication `i` of every variant on the same random numbers), which give the
//! sample variance `S2[i][l]` of the per-replication differences of every pair, and
//! `eta = ((2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1) / 2`, `h2 = 2 eta (n0 - 1)`. Then, after
//! each replication `r >= n0` of the variants still in contention, variant `i` is eliminated
//! when, for some other survivor `l`, `sum_r (X_i - X_l) < -max(0, h2 S2[i][l] / (2 delta) -
//! delta r / 2)` (the sums taken as "larger is better"). The procedure stops when one variant is
//! left; it needs at most `max floor(h2 S2 / delta^2) + 1` replications per variant. Guarantee:
//! if the per-replication values are normal (CRN allowed: any correlation between variants),
//! P(the best is selected) >= 1 - alpha whenever the best is at least `delta` better than every
//! other; otherwise a variant within `delta` of the best is selected with that probability.
//!
//! **Constraints: the sequential feasibility check** of Andradottir and Kim (2010, "Fully
//! sequential procedures for comparing constrained systems via simulation", Naval Research
//! Logistics 57(5)) and Batur and Kim (2010), before the selection (the two-phase approach).
//! For constraint `E[Y] >= q` (or `<=`) with tolerance `epsilon`, each variant sums
//! `Z_r = Y_r - q` (`q - Y_r` for `<=`) and is declared feasible once the sum reaches
//! `max(0, h2f S2 / (2 epsilon) - epsilon r / 2)`, infeasible once it falls to minus that; `S2`
//! is the sample variance of `Y` over the first `n0`, `h2f = 2 eta_f (n0 - 1)` with `eta_f`
//! from the error `beta = (alpha / 2) / (k c)` of each of the `k c` decisions (Bonferroni).
//! With probability >= 1 - alpha/2 every variant whose constraint means are at least `epsilon`
//! on the right side of every limit is declared feasible and every variant at least `epsilon`
//! on the wrong side of one is declared infeasible (those within `epsilon` may go either way).
//! The selection then runs KN with `alpha / 2` among the variants declared feasible, on fresh
//! replications (numbered after the last one of the feasibility check), so that the two phases
//! are independent and the guarantees add up (Bonferroni): overall >= 1 - alpha.
//!
//! The values are per-replication: a ratio metric (a service level) is that replication's
//! ratio, so the selected variant's mean is the mean of the daily values, not the pooled ratio
//! `acdsim sweep` reports. Replications are simulated in parallel in batches and consumed in
//! replication order, so the decisions are the same at any thread count; the replications of a
//! batch past a decision are not counted (nor used).

use rayon::prelude::*;
use serde::Serialize;

use crate::model::limits::MAX_REPLICATIONS;
use crate::model::Model;
use crate::sim::engine::Engine;
use crate::sim::paired::rep_value;
use crate::stats::moments::t_quantile;
use crate::stats::{Layout, RepSummary};

/// A constraint `slot >= limit` (or `<=`).
#[derive(Debug, Clone, Serialize)]
pub struct Constraint {
    pub expression: String,
    #[serde(skip)]
    pub slot: usize,
    pub at_least: bool,
    pub limit: f64,
}

/// A ranking-and-selection problem.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub metric: String,
    #[serde(skip)]
    pub slot: usize,
    pub maximize: bool,
    pub delta: f64,
    pub alpha: f64,
    pub n0: u64,
    pub constraints: Vec<Constraint>,
    /// The constraints' tolerance `epsilon`.
    pub tolerance: f64,
}

/// The outcome for one variant.
#[derive(Debug, Clone, Serialize)]
pub struct VariantOutcome {
    /// `None` without constraints.
    pub feasible: Option<bool>,
    /// Replications of the feasibility check.
    pub feasibility_replications: u64,
    /// Replications of the selection.
    pub selection_replications: u64,
    /// Mean of the metric over its selection replications (NaN: not in the selection).
    pub mean: f64,
    /// Replication at which it was eliminated (0: not eliminated or not in the selection).
    pub eliminated_at: u64,
}

/// The outcome of the procedure.
#[derive(Debug, Clone, Serialize)]
pub struct Selection {
    /// Index of the selected variant; `None` when no variant was declared feasible.
    pub selected: Option<usize>,
    pub variants: Vec<VariantOutcome>,
    pub total_replications: u64,
    /// The selection's first replication (after the feasibility check's).
    pub selection_start: u64,
    /// KN's constants for the selection (`k` its variants).
    pub eta: f64,
    pub h2: f64,
    /// The error probability spent on the selection (alpha, or alpha / 2 with constraints).
    pub alpha_selection: f64,
    /// The fixed-size design with the same guarantee for the selection, from the first-stage
    /// variances (Bonferroni with the Student-t quantile, as the second stage of the
    /// two-stage procedure of Nelson and Matejcik 1995): replications per variant and total.
    pub fixed_per_variant: u64,
    pub fixed_total: u64,
    /// Stopped at the replication cap (the guarantee does not hold then).
    pub capped: bool,
}

/// KN's `eta` for `k` variants, error `alpha` and first stage `n0`.
pub fn kn_eta(k: usize, alpha: f64, n0: u64) -> f64 {
    let a = if k > 1 {
        2.0 * alpha / (k - 1) as f64
    } else {
        2.0 * alpha
    };
    0.5 * (a.powf(-2.0 / (n0 as f64 - 1.0)) - 1.0)
}

/// Per-replication values of `slots` for each of `models` in replications `reps`:
/// `out[r][variant][slot]`. Parallel, the result in replication order.
pub fn observe(
    models: &[&Model],
    slots: &[usize],
    seed: u64,
    reps: std::ops::Range<u64>,
) -> Vec<Vec<Vec<f64>>> {
    let layouts: Vec<Layout> = models.iter().map(|m| Layout::new(m)).collect();
    let base = models[0];
    reps.into_par_iter()
        .map_init(
            || (Engine::new(base), RepSummary::default()),
            |(engine, summary), rep| {
                models
                    .iter()
                    .zip(&layouts)
                    .map(|(m, layout)| {
                        layout.summarize(engine.run(m, seed, rep), summary);
                        slots.iter().map(|&s| rep_value(summary, s)).collect()
                    })
                    .collect()
            },
        )
        .collect()
}

/// Replications simulated per batch.
const BATCH: u64 = 64;

/// Sample variance of `xs`.
fn variance(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
}

/// A value that is undefined in a replication (a metric with nothing to measure) fails.
fn defined(x: f64, what: &str, rep: u64) -> Result<f64, String> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!(
            "{what} is undefined in replication {rep} (nothing to measure): choose a metric every replication has"
        ))
    }
}

/// The feasibility check of every variant; returns each one's decision and replications, and
/// the replications it ran.
fn feasibility(
    models: &[&Model],
    p: &Problem,
    seed: u64,
) -> Result<(Vec<bool>, Vec<u64>, u64), String> {
    let (k, c) = (models.len(), p.constraints.len());
    let beta = (p.alpha / 2.0) / (k * c) as f64;
    let h2 = 2.0 * kn_eta(2, beta, p.n0) * (p.n0 as f64 - 1.0);
    let eps = p.tolerance;
    let slots: Vec<usize> = p.constraints.iter().map(|x| x.slot).collect();
    // Per variant and constraint: sum of Z, S2, decided (Some(feasible)).
    let mut sums = vec![vec![0.0; c]; k];
    let mut s2 = vec![vec![0.0; c]; k];
    let mut decided: Vec<Vec<Option<bool>>> = vec![vec![None; c]; k];
    let mut used = vec![0u64; k];
    let z = |x: f64, j: usize| {
        let q = &p.constraints[j];
        if q.at_least {
            x - q.limit
        } else {
            q.limit - x
        }
    };
    let first = observe(models, &slots, seed, 0..p.n0);
    for (v, sv) in s2.iter_mut().enumerate() {
        for (j, s) in sv.iter_mut().enumerate() {
            let mut ys = Vec::new();
            for (r, obs) in first.iter().enumerate() {
                ys.push(defined(obs[v][j], &p.constraints[j].expression, r as u64)?);
            }
            *s = variance(&ys);
            sums[v][j] = ys.iter().map(|&y| z(y, j)).sum();
        }
    }
    let mut r = p.n0;
    let open =
        |d: &[Option<bool>]| d.iter().all(|x| x != &Some(false)) && d.iter().any(Option::is_none);
    let check = |r: u64, sums: &[Vec<f64>], decided: &mut [Vec<Option<bool>>], used: &mut [u64]| {
        for v in 0..k {
            if !open(&decided[v]) {
                continue;
            }
            used[v] = r;
            for j in 0..c {
                if decided[v][j].is_some() {
                    continue;
                }
                let bound = (h2 * s2[v][j] / (2.0 * eps) - eps * r as f64 / 2.0).max(0.0);
                if sums[v][j] >= bound {
                    decided[v][j] = Some(true);
                } else if sums[v][j] <= -bound {
                    decided[v][j] = Some(false);
                }
            }
        }
    };
    check(r, &sums, &mut decided, &mut used);
    while decided.iter().any(|d| open(d)) && r < MAX_REPLICATIONS {
        let active: Vec<usize> = (0..k).filter(|&v| open(&decided[v])).collect();
        let ms: Vec<&Model> = active.iter().map(|&v| models[v]).collect();
        let batch = observe(&ms, &slots, seed, r..(r + BATCH).min(MAX_REPLICATIONS));
        for obs in batch {
            if !decided.iter().any(|d| open(d)) {
                break;
            }
            for (a, &v) in active.iter().enumerate() {
                if open(&decided[v]) {
                    for j in 0..c {
                        sums[v][j] += z(defined(obs[a][j], &p.constraints[j].expression, r)?, j);
                    }
                }
            }
            r += 1;
            check(r, &sums, &mut decided, &mut used);
        }
    }
    let feasible: Vec<bool> = decided
        .iter()
        .map(|d| d.iter().all(|x| x != &Some(false)))
        .collect();
    let end = used.iter().copied().max().unwrap_or(0);
    Ok((feasible, used, end))
}

/// KN among `models` (already filtered) from replication `start`; returns the index of the
/// selected, the replications and mean per variant, the elimination stage, and the constants.
struct Kn {
    selected: usize,
    used: Vec<u64>,
    means: Vec<f64>,
    eliminated: Vec<u64>,
    eta: f64,
    h2: f64,
    fixed: u64,
    capped: bool,
}

fn kn(models: &[&Model], p: &Problem, alpha: f64, seed: u64, start: u64) -> Result<Kn, String> {
    let k = models.len();
    let sign = if p.maximize { 1.0 } else { -1.0 };
    let eta = kn_eta(k, alpha, p.n0);
    let h2 = 2.0 * eta * (p.n0 as f64 - 1.0);
    let first = observe(models, &[p.slot], seed, start..start + p.n0);
    let mut xs = vec![Vec::with_capacity(p.n0 as usize); k];
    for (r, obs) in first.iter().enumerate() {
        for v in 0..k {
            xs[v].push(sign * defined(obs[v][0], &p.metric, start + r as u64)?);
        }
    }
    let mut s2 = vec![vec![0.0; k]; k];
    let mut max_s2: f64 = 0.0;
    for i in 0..k {
        for l in 0..k {
            if i != l {
                let d: Vec<f64> = xs[i].iter().zip(&xs[l]).map(|(a, b)| a - b).collect();
                s2[i][l] = variance(&d);
                max_s2 = max_s2.max(s2[i][l]);
            }
        }
    }
    let tq = t_quantile(1.0 - 2.0 * alpha / (k.max(2) - 1) as f64, p.n0 - 1);
    let fixed =
        p.n0.max((tq * tq * max_s2 / (p.delta * p.delta)).ceil() as u64);
    let mut sums: Vec<f64> = xs.iter().map(|x| x.iter().sum()).collect();
    let mut alive: Vec<bool> = vec![true; k];
    let mut eliminated = vec![0u64; k];
    let mut used = vec![p.n0; k];
    let mut r = p.n0;
    let eliminate = |r: u64, sums: &[f64], alive: &mut [bool], eliminated: &mut [u64]| {
        let before = alive.to_vec();
        for i in 0..k {
            if !before[i] {
                continue;
            }
            let out = (0..k).any(|l| {
                l != i && before[l] && {
                    let w = (h2 * s2[i][l] / (2.0 * p.delta) - p.delta * r as f64 / 2.0).max(0.0);
                    sums[i] - sums[l] < -w
                }
            });
            if out {
                alive[i] = false;
                eliminated[i] = r;
            }
        }
    };
    let n_alive = |a: &[bool]| a.iter().filter(|x| **x).count();
    eliminate(r, &sums, &mut alive, &mut eliminated);
    let mut capped = false;
    while n_alive(&alive) > 1 {
        if r >= MAX_REPLICATIONS {
            capped = true;
            break;
        }
        let idx: Vec<usize> = (0..k).filter(|&v| alive[v]).collect();
        let ms: Vec<&Model> = idx.iter().map(|&v| models[v]).collect();
        let batch = observe(
            &ms,
            &[p.slot],
            seed,
            start + r..start + (r + BATCH).min(MAX_REPLICATIONS),
        );
        for obs in batch {
            if n_alive(&alive) <= 1 {
                break;
            }
            for (a, &v) in idx.iter().enumerate() {
                if alive[v] {
                    sums[v] += sign * defined(obs[a][0], &p.metric, start + r)?;
                    used[v] += 1;
                }
            }
            r += 1;
            eliminate(r, &sums, &mut alive, &mut eliminated);
        }
    }
    let means: Vec<f64> = (0..k).map(|v| sign * sums[v] / used[v] as f64).collect();
    // The survivor; if several are eliminated at once (or at the cap), the best sample mean.
    let best = |cands: Vec<usize>| {
        cands
            .into_iter()
            .max_by(|&a, &b| {
                (sums[a] / used[a] as f64)
                    .total_cmp(&(sums[b] / used[b] as f64))
                    .then(b.cmp(&a))
            })
            .expect("a candidate")
    };
    let survivors: Vec<usize> = (0..k).filter(|&v| alive[v]).collect();
    let selected = if survivors.is_empty() {
        let last = eliminated.iter().copied().max().unwrap_or(0);
        best((0..k).filter(|&v| eliminated[v] == last).collect())
    } else {
        best(survivors)
    };
    Ok(Kn {
        selected,
        used,
        means,
        eliminated,
        eta,
        h2,
        fixed,
        capped,
    })
}

/// Runs the procedure on `models` (the experiment's variants, the first the baseline of the
/// engine) with the common random numbers of `seed`.
pub fn select(models: &[&Model], p: &Problem, seed: u64) -> Result<Selection, String> {
    let k = models.len();
    let mut outcomes: Vec<VariantOutcome> = (0..k)
        .map(|_| VariantOutcome {
            feasible: None,
            feasibility_replications: 0,
            selection_replications: 0,
            mean: f64::NAN,
            eliminated_at: 0,
        })
        .collect();
    let (candidates, start, alpha) = if p.constraints.is_empty() {
        ((0..k).collect::<Vec<_>>(), 0, p.alpha)
    } else {
        let (feasible, used, end) = feasibility(models, p, seed)?;
        for v in 0..k {
            outcomes[v].feasible = Some(feasible[v]);
            outcomes[v].feasibility_replications = used[v];
        }
        (
            (0..k).filter(|&v| feasible[v]).collect(),
            end,
            p.alpha / 2.0,
        )
    };
    let mut sel = Selection {
        selected: None,
        variants: Vec::new(),
        total_replications: 0,
        selection_start: start,
        eta: f64::NAN,
        h2: f64::NAN,
        alpha_selection: alpha,
        fixed_per_variant: 0,
        fixed_total: 0,
        capped: false,
    };
    if candidates.len() == 1 {
        sel.selected = Some(candidates[0]);
    } else if candidates.len() > 1 {
        let ms: Vec<&Model> = candidates.iter().map(|&v| models[v]).collect();
        let r = kn(&ms, p, alpha, seed, start)?;
        for (j, &v) in candidates.iter().enumerate() {
            outcomes[v].selection_replications = r.used[j];
            outcomes[v].mean = r.means[j];
            outcomes[v].eliminated_at = r.eliminated[j];
        }
        sel.selected = Some(candidates[r.selected]);
        sel.eta = r.eta;
        sel.h2 = r.h2;
        sel.fixed_per_variant = r.fixed;
        sel.fixed_total = r.fixed * candidates.len() as u64;
        sel.capped = r.capped;
    }
    sel.total_replications = outcomes
        .iter()
        .map(|o| o.feasibility_replications + o.selection_replications)
        .sum();
    sel.variants = outcomes;
    Ok(sel)
}
