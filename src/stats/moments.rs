//! Running mean and variance over replications (Welford 1962), mergeable (Chan, Golub & LeVeque
//! 1979) so per-chunk accumulators combine in a fixed order, and Student-t confidence intervals.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Mean and sum of squared deviations of the values pushed so far (NaN values are skipped: a
/// metric undefined in a replication, such as ASA with nothing answered, does not count).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    pub n: u64,
    pub mean: f64,
    pub m2: f64,
}

impl Moments {
    #[inline]
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Combines two accumulators; the result depends on the order, so callers merge in a fixed one.
    pub fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        self.mean += d * o.n as f64 / n as f64;
        self.m2 += o.m2 + d * d * (self.n as f64 * o.n as f64) / n as f64;
        self.n = n;
    }

    /// Sample variance (n - 1 denominator); NaN below two values.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }

    /// Standard error of the mean.
    pub fn std_error(&self) -> f64 {
        (self.variance() / self.n as f64).sqrt()
    }

    /// Two-sided confidence interval for the mean at `level` (e.g. 0.95).
    pub fn interval(&self, level: f64) -> Estimate {
        let mean = if self.n == 0 { f64::NAN } else { self.mean };
        let half = if self.n < 2 {
            f64::NAN
        } else if self.m2 == 0.0 {
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
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RatioMoments {
    pub n: u64,
    /// Replications with a non-zero denominator.
    pub informative: u64,
    pub mx: f64,
    pub my: f64,
    pub sxx: f64,
    pub syy: f64,
    pub sxy: f64,
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
        let n = self.n as f64;
        let dx = x - self.mx;
        let dy = y - self.my;
        self.mx += dx / n;
        self.my += dy / n;
        self.sxx += dx * (x - self.mx);
        self.syy += dy * (y - self.my);
        self.sxy += dx * (y - self.my);
    }

    /// Combines two accumulators (order-dependent in the last bits: merge in a fixed order).
    pub fn merge(&mut self, o: &RatioMoments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let dx = o.mx - self.mx;
        let dy = o.my - self.my;
        let f = na * nb / n;
        self.sxx += o.sxx + dx * dx * f;
        self.syy += o.syy + dy * dy * f;
        self.sxy += o.sxy + dx * dy * f;
        self.mx += dx * nb / n;
        self.my += dy * nb / n;
        self.n += o.n;
        self.informative += o.informative;
    }

    /// The ratio estimate; NaN when no denominator was ever positive.
    pub fn ratio(&self) -> f64 {
        if self.n == 0 || self.my == 0.0 {
            f64::NAN
        } else {
            self.mx / self.my
        }
    }

    /// Two-sided confidence interval for the ratio at `level`.
    pub fn interval(&self, level: f64) -> Estimate {
        let r = self.ratio();
        let half = if self.informative < 2 || r.is_nan() {
            f64::NAN
        } else {
            let v =
                (self.sxx - 2.0 * r * self.sxy + r * r * self.syy).max(0.0) / (self.n - 1) as f64;
            if v == 0.0 {
                0.0
            } else {
                t_quantile(level, self.n - 1) * (v / self.n as f64).sqrt() / self.my.abs()
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
    fn welford_matches_two_pass_and_merge_is_exact() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 / 10.0 + 1e6)
            .collect();
        let mut all = Moments::default();
        xs.iter().for_each(|x| all.push(*x));
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        assert!((all.mean - m).abs() < 1e-6 && (all.variance() / v - 1.0).abs() < 1e-9);
        let (mut a, mut b) = (Moments::default(), Moments::default());
        xs[..300].iter().for_each(|x| a.push(*x));
        xs[300..].iter().for_each(|x| b.push(*x));
        a.merge(&b);
        assert_eq!(a.n, all.n);
        assert!(
            (a.mean - all.mean).abs() < 1e-6 && (a.variance() / all.variance() - 1.0).abs() < 1e-9
        );
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
        for (p, q) in [
            (a.sxx, all.sxx),
            (a.syy, all.syy),
            (a.sxy, all.sxy),
            (a.mx, all.mx),
            (a.my, all.my),
        ] {
            assert!((p - q).abs() < 1e-9);
        }
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
    fn nan_is_skipped() {
        let mut a = Moments::default();
        a.push(1.0);
        a.push(f64::NAN);
        a.push(3.0);
        assert_eq!(a.n, 2);
        assert_eq!(a.mean, 2.0);
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
