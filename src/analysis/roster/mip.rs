//! Stage 1 of the roster: how many agents start each allowed shift (pattern x start), as a set
//! covering integer program solved by `good_lp` with its pure-Rust `microlp` backend.
//!
//! Per group: minimise `sum_j cost_j x_j` subject to `sum_j a_jk x_j >= need_k` for every
//! interval `k`, `x_j` whole and >= 0, where `a_jk` is the expected share of interval `k` one
//! agent of shift `j` is on the phones (present, less its breaks' expected overlap with the
//! interval, each break's start spread evenly over its window's grid) and `need_k` the
//! required agents on the phones divided by the share present (`1 - absence`). The breaks are
//! placed afterwards ([`super::breaks`]); the LP relaxation (same program, `x_j` real) bounds
//! the integer cost from below, which gives the optimality gap.

use good_lp::solvers::microlp::microlp;
use good_lp::{variable, Expression, ProblemVariables, Solution, SolverModel, Variable};

use crate::model::roster::{Pattern, ShiftSet};
use crate::model::Model;

/// One candidate shift of a group: a pattern at one start.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub pattern: usize,
    /// Seconds after opening.
    pub start_s: f64,
    /// Cost of one agent of it for the day.
    pub cost: f64,
    /// Paid hours of one agent.
    pub paid_hours: f64,
    /// Expected share of each interval one agent is on the phones.
    pub cover: Vec<f64>,
    /// Share of each interval one agent is present (breaks included).
    pub present: Vec<f64>,
}

/// Every allowed shift of `set` for a group at `price` per paid hour.
pub fn columns(model: &Model, set: &ShiftSet, price: f64) -> Vec<Column> {
    let mut out = Vec::new();
    for (p, pat) in set.patterns.iter().enumerate() {
        for &start in &pat.starts {
            out.push(column(model, set, p, pat, start, price));
        }
    }
    out
}

fn column(
    model: &Model,
    set: &ShiftSet,
    p: usize,
    pat: &Pattern,
    start: f64,
    price: f64,
) -> Column {
    let n = model.n_intervals;
    let len = model.interval_s;
    let overlap = |a: f64, b: f64, k: usize| {
        let (from, to) = (k as f64 * len, (k + 1) as f64 * len);
        (b.min(to) - a.max(from)).max(0.0) / len
    };
    let present: Vec<f64> = (0..n)
        .map(|k| overlap(start, start + pat.length_s, k))
        .collect();
    let mut cover = present.clone();
    for b in &pat.breaks {
        let starts = break_starts(b.earliest_s, b.latest_s, set.break_grid_s);
        let w = 1.0 / starts.len() as f64;
        for s in starts {
            let bs = start + s;
            for (k, c) in cover.iter_mut().enumerate() {
                *c -= w * overlap(bs, bs + b.length_s, k);
            }
        }
    }
    let paid_hours = pat.paid_hours();
    Column {
        pattern: p,
        start_s: start,
        cost: paid_hours * (price + pat.premium_per_hour),
        paid_hours,
        cover: cover.into_iter().map(|c| c.max(0.0)).collect(),
        present,
    }
}

/// The break starts allowed in a window (seconds after the shift's start) on the grid.
pub fn break_starts(earliest_s: f64, latest_s: f64, grid_s: f64) -> Vec<f64> {
    let mut out: Vec<f64> = (0..)
        .map(|i| earliest_s + i as f64 * grid_s)
        .take_while(|&s| s <= latest_s + 1e-9)
        .collect();
    if out.is_empty() {
        out.push(earliest_s);
    }
    out
}

/// The answer for one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Cover {
    /// Agents starting each column.
    pub counts: Vec<u32>,
    pub cost: f64,
    /// The LP relaxation's cost: no roster costs less.
    pub lp_bound: f64,
}

/// Intervals that need agents no allowed shift covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncovered(pub Vec<usize>);

/// Solves the covering program of `cols` for `need` (agents per interval).
pub fn solve(cols: &[Column], need: &[f64]) -> Result<Cover, Uncovered> {
    let uncovered: Vec<usize> = (0..need.len())
        .filter(|&k| need[k] > 1e-9 && cols.iter().all(|c| c.cover[k] <= 1e-9))
        .collect();
    if !uncovered.is_empty() {
        return Err(Uncovered(uncovered));
    }
    if need.iter().all(|&n| n <= 1e-9) {
        return Ok(Cover {
            counts: vec![0; cols.len()],
            cost: 0.0,
            lp_bound: 0.0,
        });
    }
    let lp = program(cols, need, false);
    let int = program(cols, need, true);
    let counts: Vec<u32> = int.iter().map(|&x| x.round().max(0.0) as u32).collect();
    let cost = cols
        .iter()
        .zip(&counts)
        .map(|(c, &n)| c.cost * n as f64)
        .sum();
    let lp_bound = cols.iter().zip(&lp).map(|(c, &x)| c.cost * x).sum();
    Ok(Cover {
        counts,
        cost,
        lp_bound,
    })
}

/// The covering program's solution (`integer`: whole numbers of agents).
fn program(cols: &[Column], need: &[f64], integer: bool) -> Vec<f64> {
    let mut vars = ProblemVariables::new();
    // An upper bound keeps the integer search finite: no column needs more agents than the
    // largest need over its smallest useful cover, and then some.
    let top = need.iter().copied().fold(0.0, f64::max);
    let xs: Vec<Variable> = cols
        .iter()
        .map(|c| {
            let least = c
                .cover
                .iter()
                .copied()
                .filter(|&a| a > 1e-9)
                .fold(1.0, f64::min);
            let ub = (top / least).ceil() + 1.0;
            let v = variable().min(0.0).max(ub);
            vars.add(if integer { v.integer() } else { v })
        })
        .collect();
    let objective: Expression = cols.iter().zip(&xs).map(|(c, &x)| c.cost * x).sum();
    let mut problem = vars.minimise(objective).using(microlp);
    for (k, &n) in need.iter().enumerate() {
        if n <= 1e-9 {
            continue;
        }
        let lhs: Expression = cols
            .iter()
            .zip(&xs)
            .filter(|(c, _)| c.cover[k] > 1e-9)
            .map(|(c, &x)| c.cover[k] * x)
            .sum();
        problem = problem.with(lhs.geq(n));
    }
    match problem.solve() {
        Ok(sol) => xs.iter().map(|&x| sol.value(x)).collect(),
        // Feasible by construction (every needed interval has a column, unbounded above but
        // for the generous bound): a failure is numerical; cover each interval greedily.
        Err(_) => greedy(cols, need),
    }
}

/// A feasible cover without the solver: the cheapest column per unit of cover, repeated, for
/// each interval still short.
fn greedy(cols: &[Column], need: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; cols.len()];
    let mut have = vec![0.0; need.len()];
    for k in 0..need.len() {
        while have[k] + 1e-9 < need[k] {
            let Some(j) = (0..cols.len())
                .filter(|&j| cols[j].cover[k] > 1e-9)
                .min_by(|&a, &b| {
                    (cols[a].cost / cols[a].cover[k]).total_cmp(&(cols[b].cost / cols[b].cover[k]))
                })
            else {
                break;
            };
            x[j] += 1.0;
            for (h, c) in have.iter_mut().zip(&cols[j].cover) {
                *h += c;
            }
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(cost: f64, cover: Vec<f64>) -> Column {
        Column {
            pattern: 0,
            start_s: 0.0,
            cost,
            paid_hours: cost,
            present: cover.clone(),
            cover,
        }
    }

    /// The cheapest whole cover by enumeration of every count vector up to `top`.
    fn brute(cols: &[Column], need: &[f64], top: u32) -> f64 {
        let mut best = f64::INFINITY;
        let n = cols.len();
        let mut x = vec![0u32; n];
        loop {
            let ok = (0..need.len()).all(|k| {
                cols.iter()
                    .zip(&x)
                    .map(|(c, &v)| c.cover[k] * v as f64)
                    .sum::<f64>()
                    + 1e-9
                    >= need[k]
            });
            if ok {
                let cost: f64 = cols.iter().zip(&x).map(|(c, &v)| c.cost * v as f64).sum();
                best = best.min(cost);
            }
            let mut i = 0;
            while i < n {
                x[i] += 1;
                if x[i] <= top {
                    break;
                }
                x[i] = 0;
                i += 1;
            }
            if i == n {
                return best;
            }
        }
    }

    #[test]
    fn the_solver_is_optimal_on_small_instances_checked_by_brute_force() {
        // A small deterministic generator: 40 instances of 3-4 columns over 5 intervals.
        let mut s: u64 = 12345;
        let mut next = |m: u64| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) % m
        };
        for case in 0..40 {
            let ncols = 3 + (case % 2);
            let cols: Vec<Column> = (0..ncols)
                .map(|_| {
                    let a = next(5) as usize;
                    let b = (a + 1 + next(4) as usize).min(5);
                    let cover = (0..5)
                        .map(|k| {
                            if k >= a && k < b {
                                [1.0, 0.75, 0.5][next(3) as usize]
                            } else {
                                0.0
                            }
                        })
                        .collect();
                    col(1.0 + next(9) as f64, cover)
                })
                .collect();
            let need: Vec<f64> = (0..5)
                .map(|k| {
                    if cols.iter().any(|c| c.cover[k] > 0.0) {
                        next(4) as f64 + [0.0, 0.5][next(2) as usize]
                    } else {
                        0.0
                    }
                })
                .collect();
            let got = solve(&cols, &need).unwrap();
            let best = brute(&cols, &need, 10);
            assert!(
                (got.cost - best).abs() < 1e-6,
                "case {case}: solver {} brute force {best}",
                got.cost
            );
            assert!(got.lp_bound <= got.cost + 1e-6);
            // The counts cover the need.
            for (k, &nk) in need.iter().enumerate() {
                let have: f64 = cols
                    .iter()
                    .zip(&got.counts)
                    .map(|(c, &v)| c.cover[k] * v as f64)
                    .sum();
                assert!(have + 1e-9 >= nk, "case {case} interval {k}");
            }
        }
    }

    #[test]
    fn an_interval_no_shift_covers_is_reported() {
        let cols = vec![col(1.0, vec![1.0, 1.0, 0.0])];
        assert_eq!(solve(&cols, &[1.0, 1.0, 2.0]), Err(Uncovered(vec![2])));
    }
}
