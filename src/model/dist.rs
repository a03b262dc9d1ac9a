//! Time distributions (handle time, patience), in seconds.
//!
//! [`DistSpec`] is what a scenario file says; [`Dist`] is the checked, ready-to-sample form built
//! by [`Dist::new`], which rejects out-of-range parameters so that sampling never fails. The
//! parameterisations are the ones planners quote: a mean and a coefficient of variation
//! (cv = standard deviation / mean) for lognormal and gamma. Sampling uses `rand_distr`.

use rand::Rng as _;
use rand_distr::{Distribution, Exp1, Gamma, LogNormal};
use serde::{Deserialize, Serialize};

// The generator of every random stream, `crate::sim::rng::Rng` (the same type), named from its
// crate because the model sits below the simulation.
use rand_xoshiro::Xoshiro256PlusPlus as Rng;

use crate::model::limits::{MAX_EMPIRICAL_VALUES, MAX_TIME_S};

/// A distribution as written in a scenario file: `{"type": "exponential", "mean": 240}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(
    tag = "type",
    rename_all = "lowercase",
    deny_unknown_fields,
    expecting = "a distribution: an object with type (exponential, lognormal, gamma, deterministic, uniform, empirical or never) and its parameters"
)]
pub enum DistSpec {
    /// Exponential with the given mean.
    Exponential { mean: f64 },
    /// Lognormal with the given mean and coefficient of variation.
    Lognormal { mean: f64, cv: f64 },
    /// Gamma with the given mean and coefficient of variation (shape = 1/cv^2).
    Gamma { mean: f64, cv: f64 },
    /// Always the same value.
    Deterministic { value: f64 },
    /// Uniform on [min, max].
    Uniform { min: f64, max: f64 },
    /// One of `values`, drawn with probability proportional to `weights` (all 1 when absent).
    Empirical {
        values: Vec<f64>,
        #[serde(default)]
        weights: Option<Vec<f64>>,
    },
    /// Never happens (infinite time): for patience, "no abandonment".
    Never,
}

/// A checked distribution, infallible to sample.
#[derive(Debug, Clone)]
pub enum Dist {
    Exponential {
        mean: f64,
    },
    Lognormal(LogNormal<f64>, f64),
    Gamma(Gamma<f64>, f64),
    Deterministic(f64),
    Uniform {
        min: f64,
        width: f64,
    },
    /// Cumulative weights normalised to 1 (last entry exactly 1) and the values.
    Empirical {
        cum: Vec<f64>,
        values: Vec<f64>,
    },
    Never,
}

/// Why a distribution's parameters were refused; `field` is relative to the distribution object.
#[derive(Debug, Clone, PartialEq)]
pub struct DistError {
    pub field: &'static str,
    pub message: String,
}

fn check_pos(field: &'static str, v: f64) -> Result<f64, DistError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(DistError {
            field,
            message: format!("= {}: must be a finite number > 0", short_num(v)),
        })
    }
}

/// A coefficient of variation: beyond these bounds the lognormal and gamma parameters overflow.
fn check_cv(v: f64) -> Result<f64, DistError> {
    let v = check_pos("cv", v)?;
    if (1e-6..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(DistError {
            field: "cv",
            message: format!("= {}: must be between 1e-6 and 100", short_num(v)),
        })
    }
}

/// `1.2` as `1.2`, but `1e300` as `1e300` rather than 301 digits (`inf` and `NaN` as such).
pub(crate) fn short_num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-4..1e9).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

fn check_nonneg(field: &'static str, v: f64) -> Result<f64, DistError> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(DistError {
            field,
            message: format!("= {}: must be a finite number >= 0", short_num(v)),
        })
    }
}

/// A time in seconds: `check` (positive or non-negative), and at most [`MAX_TIME_S`] so that
/// every draw (times the handle-time factors) stays finite.
fn check_time(
    field: &'static str,
    v: f64,
    check: fn(&'static str, f64) -> Result<f64, DistError>,
) -> Result<f64, DistError> {
    let v = check(field, v)?;
    if v > MAX_TIME_S {
        return Err(DistError {
            field,
            message: format!(
                "= {}: at most {} seconds (about 116 days), the longest time acdsim simulates",
                short_num(v),
                short_num(MAX_TIME_S)
            ),
        });
    }
    Ok(v)
}

impl Dist {
    /// Checks the parameters and builds the sampler.
    pub fn new(spec: &DistSpec) -> Result<Dist, DistError> {
        Ok(match *spec {
            DistSpec::Exponential { mean } => Dist::Exponential {
                mean: check_time("mean", mean, check_pos)?,
            },
            DistSpec::Lognormal { mean, cv } => {
                let mean = check_time("mean", mean, check_pos)?;
                let cv = check_cv(cv)?;
                let sigma2 = (1.0 + cv * cv).ln();
                let mu = mean.ln() - sigma2 / 2.0;
                let d = LogNormal::new(mu, sigma2.sqrt()).map_err(|e| DistError {
                    field: "cv",
                    message: format!("= {cv}: {e}"),
                })?;
                Dist::Lognormal(d, mean)
            }
            DistSpec::Gamma { mean, cv } => {
                let mean = check_time("mean", mean, check_pos)?;
                let cv = check_cv(cv)?;
                let shape = 1.0 / (cv * cv);
                let d = Gamma::new(shape, mean / shape).map_err(|e| DistError {
                    field: "cv",
                    message: format!("= {cv}: {e}"),
                })?;
                Dist::Gamma(d, mean)
            }
            DistSpec::Deterministic { value } => {
                Dist::Deterministic(check_time("value", value, check_nonneg)?)
            }
            DistSpec::Uniform { min, max } => {
                let min = check_time("min", min, check_nonneg)?;
                let max = check_time("max", max, check_nonneg)?;
                if max < min {
                    return Err(DistError {
                        field: "max",
                        message: format!(
                            "= {}: must be >= min ({})",
                            short_num(max),
                            short_num(min)
                        ),
                    });
                }
                Dist::Uniform {
                    min,
                    width: max - min,
                }
            }
            DistSpec::Empirical {
                ref values,
                ref weights,
            } => {
                if values.is_empty() {
                    return Err(DistError {
                        field: "values",
                        message: "is empty: give at least one value".into(),
                    });
                }
                if values.len() > MAX_EMPIRICAL_VALUES {
                    return Err(DistError {
                        field: "values",
                        message: format!(
                            "has {} entries: at most {MAX_EMPIRICAL_VALUES} values",
                            values.len()
                        ),
                    });
                }
                for v in values {
                    check_time("values", *v, check_nonneg)?;
                }
                let w: Vec<f64> = match weights {
                    None => vec![1.0; values.len()],
                    Some(w) => {
                        if w.len() != values.len() {
                            return Err(DistError {
                                field: "weights",
                                message: format!(
                                    "has {} entries but values has {}: give one weight per value",
                                    w.len(),
                                    values.len()
                                ),
                            });
                        }
                        for x in w {
                            check_nonneg("weights", *x)?;
                        }
                        w.clone()
                    }
                };
                let total: f64 = w.iter().sum();
                if total <= 0.0 {
                    return Err(DistError {
                        field: "weights",
                        message: "sum to 0: at least one weight must be > 0".into(),
                    });
                }
                let mut acc = 0.0;
                let mut cum: Vec<f64> = w
                    .iter()
                    .map(|x| {
                        acc += x;
                        acc / total
                    })
                    .collect();
                *cum.last_mut().expect("non-empty") = 1.0;
                Dist::Empirical {
                    cum,
                    values: values.clone(),
                }
            }
            DistSpec::Never => Dist::Never,
        })
    }

    /// The mean (infinite for `Never`).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Exponential { mean } => *mean,
            Dist::Lognormal(_, m) | Dist::Gamma(_, m) => *m,
            Dist::Deterministic(v) => *v,
            Dist::Uniform { min, width } => min + width / 2.0,
            Dist::Empirical { cum, values } => {
                let mut prev = 0.0;
                cum.iter()
                    .zip(values)
                    .map(|(c, v)| {
                        let p = c - prev;
                        prev = *c;
                        p * v
                    })
                    .sum()
            }
            Dist::Never => f64::INFINITY,
        }
    }

    /// True when the distribution is exponential (analytic formulas apply).
    pub fn is_exponential(&self) -> bool {
        matches!(self, Dist::Exponential { .. })
    }

    /// One draw, in seconds.
    #[inline(always)]
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        // The exponential, the most common, is drawn in line; the others out of line.
        if let Dist::Exponential { mean } = self {
            let e: f64 = Exp1.sample(rng);
            return e * mean;
        }
        self.sample_other(rng)
    }

    #[inline(never)]
    fn sample_other(&self, rng: &mut Rng) -> f64 {
        match self {
            Dist::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
            Dist::Lognormal(d, _) => d.sample(rng),
            Dist::Gamma(d, _) => d.sample(rng),
            Dist::Deterministic(v) => *v,
            Dist::Uniform { min, width } => min + width * rng.random::<f64>(),
            Dist::Empirical { cum, values } => values[search(cum, rng.random::<f64>())],
            Dist::Never => f64::INFINITY,
        }
    }
}

/// Index of the first cumulative share above `u` (linear scan: the lists are short).
#[inline]
pub fn pick(cum: &[f64], u: f64) -> usize {
    cum.iter().position(|&c| u < c).unwrap_or(cum.len() - 1)
}

/// [`pick`] by binary search, for an empirical distribution's possibly long list: the same
/// index (the first cumulative share above `u`, as the list never decreases), in log time.
#[inline]
pub fn search(cum: &[f64], u: f64) -> usize {
    cum.partition_point(|&c| c <= u).min(cum.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{stream, Purpose};

    fn moments(d: &Dist, n: usize) -> (f64, f64) {
        let mut r = stream(1, 0, Purpose::HandleTime, 0);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut r)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        (m, v.sqrt() / m)
    }

    #[test]
    fn means_and_cvs_match_parameters() {
        let cases = [
            (DistSpec::Exponential { mean: 240.0 }, 240.0, 1.0),
            (
                DistSpec::Lognormal {
                    mean: 300.0,
                    cv: 0.6,
                },
                300.0,
                0.6,
            ),
            (
                DistSpec::Gamma {
                    mean: 180.0,
                    cv: 0.5,
                },
                180.0,
                0.5,
            ),
            (
                DistSpec::Uniform {
                    min: 10.0,
                    max: 30.0,
                },
                20.0,
                (400.0f64 / 12.0).sqrt() / 20.0,
            ),
        ];
        for (spec, mean, cv) in cases {
            let d = Dist::new(&spec).unwrap();
            assert!((d.mean() - mean).abs() < 1e-9);
            let (m, c) = moments(&d, 400_000);
            assert!((m / mean - 1.0).abs() < 0.01, "{spec:?}: mean {m}");
            assert!((c / cv - 1.0).abs() < 0.03, "{spec:?}: cv {c}");
        }
    }

    #[test]
    fn search_picks_what_the_linear_scan_picks() {
        // Zero weights make equal neighbours; u on an edge, below the first, at the top.
        let cum = [0.0, 0.25, 0.25, 0.5, 0.5, 0.75, 1.0];
        let mut us = vec![0.0, 0.25, 0.5, 0.75, 0.999_999, 1.0, 0.1, 0.3, 0.6];
        let mut r = stream(7, 0, Purpose::HandleTime, 0);
        us.extend((0..10_000).map(|_| r.random::<f64>()));
        for u in us {
            assert_eq!(search(&cum, u), pick(&cum, u), "u = {u}");
        }
        assert_eq!(search(&[1.0], 0.7), 0);
    }

    #[test]
    fn empirical_respects_weights() {
        let d = Dist::new(&DistSpec::Empirical {
            values: vec![1.0, 2.0],
            weights: Some(vec![3.0, 1.0]),
        })
        .unwrap();
        assert!((d.mean() - 1.25).abs() < 1e-12);
        let (m, _) = moments(&d, 200_000);
        assert!((m - 1.25).abs() < 0.01);
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert_eq!(
            Dist::new(&DistSpec::Exponential { mean: 0.0 })
                .unwrap_err()
                .field,
            "mean"
        );
        assert_eq!(
            Dist::new(&DistSpec::Lognormal {
                mean: 10.0,
                cv: -1.0
            })
            .unwrap_err()
            .field,
            "cv"
        );
        assert_eq!(
            Dist::new(&DistSpec::Uniform { min: 5.0, max: 1.0 })
                .unwrap_err()
                .field,
            "max"
        );
        assert_eq!(
            Dist::new(&DistSpec::Empirical {
                values: vec![],
                weights: None
            })
            .unwrap_err()
            .field,
            "values"
        );
        assert_eq!(
            Dist::new(&DistSpec::Empirical {
                values: vec![1.0],
                weights: Some(vec![1.0, 2.0])
            })
            .unwrap_err()
            .field,
            "weights"
        );
        assert_eq!(
            Dist::new(&DistSpec::Gamma {
                mean: f64::NAN,
                cv: 1.0
            })
            .unwrap_err()
            .field,
            "mean"
        );
    }
}
