//! Mean and variance over replications from exact sums and cross-products ([`super::exact`]),
//! mergeable in any order with the same result, and Student-t confidence intervals.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::exact::{centered, ExactSum};

/// Mean and sum of squared deviations of the values pushed so far (NaN values are skipped: a
/// metric undefined in a replication, such as ASA with nothing answered, does not count).
///
/// The values' sum and sum of squares are kept exactly ([`ExactSum`]) and rounded once when
/// read, so the result does not depend on the order of the pushes and merges: replications
/// folded on any number of threads, or in shards merged later, give the same bits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    pub n: u64,
    #[serde(rename = "x")]
    sum: ExactSum,
    #[serde(rename = "xx")]
    sum_sq: ExactSum,
}

impl Moments {
    #[inline]
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.n += 1;
        self.sum.add(x);
        self.sum_sq.add_product(x, x);
    }

    /// Empties the accumulator, keeping its memory.
    pub fn clear(&mut self) {
        self.n = 0;
        self.sum.clear();
        self.sum_sq.clear();
    }

    /// Combines two accumulators (exactly: in any order, the same result).
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum.add_sum(&o.sum);
        self.sum_sq.add_sum(&o.sum_sq);
    }

    /// The mean; NaN without values.
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum.value() / self.n as f64
        }
    }

    /// Sum of squared deviations from the mean.
    pub fn m2(&self) -> f64 {
        centered(self.n, &self.sum_sq, &self.sum, &self.sum).max(0.0)
    }

    /// Sample variance (n - 1 denominator); NaN below two values.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            self.m2() / (self.n - 1) as f64
        }
    }

    /// Standard error of the mean.
    pub fn std_error(&self) -> f64 {
        (self.variance() / self.n as f64).sqrt()
    }

    /// Two-sided confidence interval for the mean at `level` (e.g. 0.95).
    pub fn interval(&self, level: f64) -> Estimate {
        let mean = self.mean();
        let half = if self.n < 2 {
            f64::NAN
        } else if self.m2() == 0.0 {
            0.0
        } else {
            t_quantile(level, self.n - 1) * self.std_error()
        };
        Estimate {
            mean,
            lo: mean - half,
            hi: mean + half,
            half_width: half,
            n: self.n,
        }
    }
}

/// Joint moments of a ratio's numerator and denominator over replications, for the ratio
/// estimator of a long-run proportion or average: `R = sum(x) / sum(y)` (e.g. answered within
/// 15 s over resolved, summed over replications), with the delta-method variance
/// `Var(R) ~ Var(x - R y) / (n mean(y)^2)` (Law 2015, "Simulation Modeling and Analysis",
/// sec. 9.5, ratio estimators). A plain mean is the case `y = 1`, where this is exactly the
/// Student-t interval of [`Moments`].
///
/// The interval needs two replications with a non-zero denominator: with one, `x - R y` is zero
/// in every replication (the others have `x = y = 0`), so the variance estimate is zero and the
/// interval would claim a certainty that one replication cannot give (a surge-playbook callback
/// delay when one day of 50 made callbacks read `31.4 [31.4, 31.4]`). It is undefined then.
///
/// The sums and cross-products are exact ([`ExactSum`]), rounded once when read: the same bits
/// in any order of pushes and merges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RatioMoments {
    pub n: u64,
    /// Replications with a non-zero denominator.
    #[serde(rename = "i")]
    pub informative: u64,
    /// Replications with denominator 1 (plain means: most slots), counted instead of summed
    /// into `sy`, `syy` and `sxy` (which get `x` alone).
    #[serde(rename = "u")]
    unit: u64,
    #[serde(rename = "x")]
    sx: ExactSum,
    #[serde(rename = "y")]
    sy: ExactSum,
    #[serde(rename = "xx")]
    sxx: ExactSum,
    #[serde(rename = "yy")]
    syy: ExactSum,
    #[serde(rename = "xy")]
    sxy: ExactSum,
}

impl RatioMoments {
    /// Adds one replication's numerator `x` and denominator `y`; a NaN `x` is skipped.
    #[inline]
    pub fn push(&mut self, x: f64, y: f64) {
        if x.is_nan() || y.is_nan() {
            return;
        }
        self.n += 1;
        self.informative += u64::from(y != 0.0);
        if y == 1.0 {
            self.unit += 1;
            self.sxy.add(x);
        } else {
            self.sy.add(y);
            self.syy.add_product(y, y);
            self.sxy.add_product(x, y);
        }
        self.sx.add(x);
        self.sxx.add_product(x, x);
    }

    /// The exact sums of `y` and `y^2` (`unit` included).
    fn y_sums(&self) -> (ExactSum, ExactSum) {
        let (mut sy, mut syy) = (self.sy.clone(), self.syy.clone());
        sy.add(self.unit as f64);
        syy.add(self.unit as f64);
        (sy, syy)
    }

    /// Empties the accumulator, keeping its memory.
    pub fn clear(&mut self) {
        (self.n, self.informative, self.unit) = (0, 0, 0);
        for s in [
            &mut self.sx,
            &mut self.sy,
            &mut self.sxx,
            &mut self.syy,
            &mut self.sxy,
        ] {
            s.clear();
        }
    }

    /// Combines two accumulators (exactly: in any order, the same result).
    pub fn merge(&mut self, o: &RatioMoments) {
        self.n += o.n;
        self.informative += o.informative;
        self.unit += o.unit;
        self.sx.add_sum(&o.sx);
        self.sy.add_sum(&o.sy);
        self.sxx.add_sum(&o.sxx);
        self.syy.add_sum(&o.syy);
        self.sxy.add_sum(&o.sxy);
    }

    /// Mean of the numerators; NaN without values.
    pub fn mean_x(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sx.value() / self.n as f64
        }
    }

    /// The ratio estimate; NaN when no denominator was ever positive.
    pub fn ratio(&self) -> f64 {
        let sy = self.y_sums().0.value();
        if self.n == 0 || sy == 0.0 {
            f64::NAN
        } else {
            self.sx.value() / sy
        }
    }

    /// Two-sided confidence interval for the ratio at `level`.
    pub fn interval(&self, level: f64) -> Estimate {
        let r = self.ratio();
        let half = if self.informative < 2 || r.is_nan() {
            f64::NAN
        } else {
            let n = self.n;
            let (sy, syy) = self.y_sums();
            let cxx = centered(n, &self.sxx, &self.sx, &self.sx);
            let cyy = centered(n, &syy, &sy, &sy);
            let cxy = centered(n, &self.sxy, &self.sx, &sy);
            let v = (cxx - 2.0 * r * cxy + r * r * cyy).max(0.0) / (n - 1) as f64;
            if v == 0.0 {
                0.0
            } else {
                let my = sy.value() / n as f64;
                t_quantile(level, n - 1) * (v / n as f64).sqrt() / my.abs()
            }
        };
        Estimate {
            mean: r,
            lo: r - half,
            hi: r + half,
            half_width: half,
            n: self.n,
        }
    }
}

/// A mean with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
    pub half_width: f64,
    /// Replications in which the metric was defined.
    pub n: u64,
}

/// The `(1 + level) / 2` quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile(level: f64, df: u64) -> f64 {
    let p = (1.0 + level) / 2.0;
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_match_two_pass_and_merge_is_exact() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 / 10.0 + 1e6)
            .collect();
        let mut all = Moments::default();
        xs.iter().for_each(|x| all.push(*x));
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        assert!((all.mean() - m).abs() < 1e-6 && (all.variance() / v - 1.0).abs() < 1e-9);
        let (mut a, mut b) = (Moments::default(), Moments::default());
        xs[..300].iter().for_each(|x| a.push(*x));
        xs[300..].iter().for_each(|x| b.push(*x));
        a.merge(&b);
        assert_eq!(a.mean().to_bits(), all.mean().to_bits());
        assert_eq!(a.variance().to_bits(), all.variance().to_bits());
    }

    #[test]
    fn ratio_with_unit_denominator_is_the_mean_interval() {
        let (mut a, mut r) = (Moments::default(), RatioMoments::default());
        for i in 1..=10 {
            a.push(i as f64);
            r.push(i as f64, 1.0);
        }
        let (ea, er) = (a.interval(0.95), r.interval(0.95));
        assert!((ea.mean - er.mean).abs() < 1e-12 && (ea.half_width - er.half_width).abs() < 1e-12);
    }

    #[test]
    fn ratio_interval_needs_two_replications_with_a_denominator() {
        // A rare event (callbacks on one day of 50): the ratio is that day's, the interval is
        // undefined rather than of zero width; with a second such day it is defined again, and
        // merging counts the days the same way.
        let mut r = RatioMoments::default();
        for i in 0..50 {
            let (x, y) = if i == 17 { (314.3, 10.0) } else { (0.0, 0.0) };
            r.push(x, y);
        }
        let e = r.interval(0.95);
        assert!((e.mean - 31.43).abs() < 1e-9);
        assert!(e.half_width.is_nan() && e.lo.is_nan(), "{e:?}");
        let mut other = RatioMoments::default();
        other.push(0.0, 0.0);
        other.push(200.0, 10.0);
        r.merge(&other);
        let e = r.interval(0.95);
        assert_eq!(r.informative, 2);
        assert!(e.half_width > 1.0, "{e:?}");
    }

    #[test]
    fn ratio_estimator_pools_and_merges() {
        // x_i = within, y_i = resolved: the ratio is sum x / sum y, not the mean of x/y.
        let data = [(8.0, 10.0), (1.0, 2.0), (45.0, 50.0), (30.0, 40.0)];
        let mut all = RatioMoments::default();
        data.iter().for_each(|(x, y)| all.push(*x, *y));
        assert!((all.ratio() - 84.0 / 102.0).abs() < 1e-12);
        let (mut a, mut b) = (RatioMoments::default(), RatioMoments::default());
        data[..1].iter().for_each(|(x, y)| a.push(*x, *y));
        data[1..].iter().for_each(|(x, y)| b.push(*x, *y));
        a.merge(&b);
        let (ea, eall) = (a.interval(0.95), all.interval(0.95));
        assert_eq!(ea.mean.to_bits(), eall.mean.to_bits());
        assert_eq!(ea.half_width.to_bits(), eall.half_width.to_bits());
        // Delta-method variance computed by hand.
        let r = 84.0 / 102.0;
        let d: Vec<f64> = data.iter().map(|(x, y)| x - r * y).collect();
        let md = d.iter().sum::<f64>() / 4.0;
        let v = d.iter().map(|z| (z - md).powi(2)).sum::<f64>() / 3.0;
        let se = (v / 4.0).sqrt() / (102.0 / 4.0);
        let e = all.interval(0.95);
        assert!((e.half_width - t_quantile(0.95, 3) * se).abs() < 1e-9);
    }

    #[test]
    fn any_order_of_pushes_and_merges_gives_the_same_bits() {
        let data: Vec<(f64, f64)> = (0..500u64)
            .map(|i| (((i * 7919) % 613) as f64 * 0.37, ((i * 104729) % 97) as f64))
            .collect();
        let one = |xs: &[(f64, f64)]| {
            let mut r = RatioMoments::default();
            xs.iter().for_each(|(x, y)| r.push(*x, *y));
            r
        };
        let all = one(&data).interval(0.95);
        let mut rev = data.clone();
        rev.reverse();
        let mut parts: Vec<RatioMoments> = data.chunks(37).map(one).collect();
        parts.reverse();
        let mut merged = RatioMoments::default();
        parts.iter().for_each(|p| merged.merge(p));
        for e in [one(&rev).interval(0.95), merged.interval(0.95)] {
            assert_eq!(e.mean.to_bits(), all.mean.to_bits());
            assert_eq!(e.half_width.to_bits(), all.half_width.to_bits());
        }
    }

    #[test]
    fn nan_is_skipped() {
        let mut a = Moments::default();
        a.push(1.0);
        a.push(f64::NAN);
        a.push(3.0);
        assert_eq!(a.n, 2);
        assert_eq!(a.mean(), 2.0);
    }

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t_quantile(0.95, 1) - 12.706).abs() < 1e-3);
        assert!((t_quantile(0.95, 9) - 2.262).abs() < 1e-3);
        assert!((t_quantile(0.95, 1_000_000) - 1.960).abs() < 1e-3);
        assert!((t_quantile(0.99, 29) - 2.756).abs() < 1e-3);
    }

    #[test]
    fn interval_covers_known_mean() {
        // 1..=10: mean 5.5, sd 3.0277, se 0.9574, t(0.975, 9) = 2.2622 -> half width 2.1659.
        let mut a = Moments::default();
        (1..=10).for_each(|i| a.push(i as f64));
        let e = a.interval(0.95);
        assert!((e.mean - 5.5).abs() < 1e-12);
        assert!((e.half_width - 2.1659).abs() < 1e-3, "{}", e.half_width);
    }
}
