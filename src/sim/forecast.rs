//! Forecast uncertainty: one replication's volume factors of a channel with a forecast error
//! ([`crate::model::ForecastError`]). The day factor and every interval factor are independent
//! gamma variates with mean 1 and the given coefficient of variation `cv` (shape `1 / cv^2`,
//! scale `cv^2`), so a day's count of arrivals is a mixed Poisson (negative binomial for the day
//! factor alone) with variance `m + cv^2 m^2` for a mean `m`. Each factor has its own stream
//! ([`Purpose::ForecastDay`], [`Purpose::ForecastInterval`]), drawn when the replication starts:
//! the arrival streams are untouched, so a scenario without a forecast error draws exactly what
//! it drew before, and two staffings or strategies see the same days (common random numbers).

use rand_distr::{Distribution, Gamma};

use crate::model::ForecastError;
use crate::sim::rng::{stream, Purpose, Rng};

/// A gamma variate with mean 1 and coefficient of variation `cv` (1 when `cv` is 0).
fn unit_gamma(cv: f64, rng: &mut Rng) -> f64 {
    if cv <= 0.0 {
        return 1.0;
    }
    let v = cv * cv;
    Gamma::new(1.0 / v, v)
        .expect("validated: 0 < cv <= MAX_FORECAST_CV")
        .sample(rng)
}

/// The day factor and the `n` interval factors of replication `rep` for the streams of
/// `channel` (a channel index, or [`crate::sim::rng::SHARED_FACTORS`]); `intervals` is
/// refilled.
pub fn factors(
    fe: &ForecastError,
    n: usize,
    seed: u64,
    rep: u64,
    channel: usize,
    intervals: &mut Vec<f64>,
) -> f64 {
    let day = unit_gamma(
        fe.day_cv,
        &mut stream(seed, rep, Purpose::ForecastDay, channel),
    );
    intervals.clear();
    if fe.interval_cv > 0.0 {
        let mut rng = stream(seed, rep, Purpose::ForecastInterval, channel);
        intervals.extend((0..n).map(|_| unit_gamma(fe.interval_cv, &mut rng)));
    } else {
        intervals.resize(n, 1.0);
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_gamma_has_mean_one_and_its_cv() {
        let mut rng = stream(3, 0, Purpose::ForecastDay, 0);
        let n = 200_000;
        let cv = 0.3;
        let xs: Vec<f64> = (0..n).map(|_| unit_gamma(cv, &mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        // Standard error of the mean cv/sqrt(n); of the variance about v*sqrt((2 + 6 v)/n).
        assert!((mean - 1.0).abs() < 4.0 * cv / (n as f64).sqrt(), "{mean}");
        let v = cv * cv;
        let se = v * ((2.0 + 6.0 * v) / n as f64).sqrt();
        assert!((var - v).abs() < 4.0 * se, "{var} vs {v}");
        assert_eq!(unit_gamma(0.0, &mut rng), 1.0);
    }

    #[test]
    fn shared_streams_give_the_same_factors() {
        let fe = ForecastError {
            day_cv: 0.1,
            interval_cv: 0.2,
            shared: true,
        };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let da = factors(&fe, 5, 9, 4, crate::sim::rng::SHARED_FACTORS, &mut a);
        let db = factors(&fe, 5, 9, 4, crate::sim::rng::SHARED_FACTORS, &mut b);
        assert_eq!((da, &a), (db, &b));
        let dc = factors(&fe, 5, 9, 4, 0, &mut b);
        assert_ne!(da, dc);
        assert_eq!(a.len(), 5);
    }
}
