//! Wait-time quantiles of all replications pooled, with a confidence interval by sectioning.
//!
//! A report row's p50..p99 is the quantile of the wait distribution of every contact of every
//! replication (the histograms merged), not the mean of each day's own quantile: the two differ
//! (on M/M/5 at 80% load the mean of daily medians is 45.6 s, the median wait 24.7 s), and only
//! the first is what queueing theory calls the wait quantile. The waits of one day are not
//! independent, the days are: so the interval comes from the days. Replication `i` of `n` falls
//! in section `i * SECTIONS / n` ([`section_of`]: by replication index, so neither the thread
//! count nor a split into shards changes it); each section keeps its own merged histogram and
//! count of zero waits. The interval is the sectioning interval (Nakayama 2014, "Confidence
//! intervals using sectioning for quantiles"; Asmussen and Glynn 2007, "Stochastic Simulation",
//! III.5): centred on the quantile of all sections pooled, with the spread of the sections'
//! quantiles around it, `q ± t(k-1) S / sqrt(k)`, `S^2 = sum (q_s - q)^2 / (k - 1)` over the `k`
//! sections with waits. It holds when each section's quantile is close to normal, which needs
//! enough replications per section (sections are alike: whole days, independent, of one size up
//! to one replication). Memory is `SECTIONS` histograms per row, whatever the replications.

use serde::{Deserialize, Serialize};

use super::histogram::{quantile_with_zeros, BINS};
use super::moments::{t_quantile, Estimate};

/// Sections of the replications.
pub const SECTIONS: usize = 10;

/// The section of replication `rep` in a run of `replications`.
pub fn section_of(rep: u64, replications: u64) -> usize {
    if replications == 0 {
        return 0;
    }
    let s = u128::from(rep) * SECTIONS as u128 / u128::from(replications);
    (s as usize).min(SECTIONS - 1)
}

/// The waits of one section's replications, merged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Replications in which the row had at least one wait.
    #[serde(rename = "r")]
    pub reps: u64,
    /// Waits of exactly zero (also counted in bin 0).
    #[serde(rename = "z")]
    pub zeros: u64,
    /// Counts per histogram bin ([`super::histogram::bin`]), up to the last bin used.
    #[serde(rename = "h")]
    pub counts: Vec<u64>,
}

impl Section {
    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    fn add(&mut self, o: &Section) {
        self.reps += o.reps;
        self.zeros += o.zeros;
        if self.counts.len() < o.counts.len() {
            self.counts.resize(o.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
    }

    fn quantile(&self, q: f64) -> f64 {
        quantile_with_zeros(&self.counts, self.zeros, self.total(), q)
    }
}

/// One row's waits, per section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitSections(pub Vec<Section>);

impl Default for WaitSections {
    fn default() -> WaitSections {
        WaitSections(vec![Section::default(); SECTIONS])
    }
}

impl WaitSections {
    /// Adds one replication's waits: the counts `h` per bin (up to the last bin used: empty when
    /// it had none), `zeros` of them exactly zero, to section `section`.
    #[inline]
    pub fn push(&mut self, section: usize, h: &[u32], zeros: u32) {
        if h.is_empty() {
            return;
        }
        let s = &mut self.0[section];
        s.reps += 1;
        s.zeros += u64::from(zeros);
        if s.counts.len() < h.len() {
            s.counts.resize(h.len(), 0);
        }
        for (a, b) in s.counts.iter_mut().zip(h) {
            *a += u64::from(*b);
        }
    }

    /// Combines two accumulators (integer counts: exact in any order).
    pub fn merge(&mut self, o: &WaitSections) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            a.add(b);
        }
    }

    /// Empties every section, releasing its memory (a chunk's accumulator touches one or two
    /// sections per wave; keeping them all would hold `SECTIONS` histograms per chunk).
    pub fn clear(&mut self) {
        self.0.iter_mut().for_each(|s| *s = Section::default());
    }

    /// Whether the sections fit a histogram of [`BINS`] bins and their counts add up (a
    /// decoded partial result).
    pub fn is_valid(&self) -> bool {
        self.0.len() == SECTIONS
            && self.0.iter().all(|s| {
                s.counts.len() <= BINS && s.zeros <= s.counts.first().copied().unwrap_or(0)
            })
    }

    /// All sections pooled.
    pub fn pooled(&self) -> Section {
        let mut all = Section::default();
        self.0.iter().for_each(|s| all.add(s));
        all
    }

    /// The pooled counts per bin, [`BINS`] of them (for plots).
    pub fn pooled_counts(&self) -> Vec<u64> {
        let mut c = self.pooled().counts;
        c.resize(BINS, 0);
        c
    }

    /// The `q` quantile of the pooled waits with its sectioning interval at `level`; `n` counts
    /// the replications with waits. NaN without waits; no interval below two sections with waits.
    pub fn estimate(&self, q: f64, level: f64) -> Estimate {
        let all = self.pooled();
        let centre = all.quantile(q);
        let parts: Vec<f64> = self
            .0
            .iter()
            .map(|s| s.quantile(q))
            .filter(|x| !x.is_nan())
            .collect();
        sectioning(centre, &parts, all.reps, level)
    }

    /// The difference `other - self` of the `q` quantiles of two variants run on common random
    /// numbers (the same replications in the same sections), with its sectioning interval over
    /// the sections' differences.
    pub fn difference(&self, other: &WaitSections, q: f64, level: f64) -> Estimate {
        let centre = other.pooled().quantile(q) - self.pooled().quantile(q);
        let parts: Vec<f64> = self
            .0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| b.quantile(q) - a.quantile(q))
            .filter(|x| !x.is_nan())
            .collect();
        let n = self
            .0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| a.reps.min(b.reps))
            .sum();
        sectioning(centre, &parts, n, level)
    }
}

/// The sectioning interval at `level` around `centre` from the sections' values `parts`.
fn sectioning(centre: f64, parts: &[f64], n: u64, level: f64) -> Estimate {
    let k = parts.len();
    let half = if centre.is_nan() || k < 2 {
        f64::NAN
    } else {
        let ss: f64 = parts.iter().map(|x| (x - centre).powi(2)).sum();
        if ss == 0.0 {
            0.0
        } else {
            t_quantile(level, k as u64 - 1) * (ss / (k - 1) as f64 / k as f64).sqrt()
        }
    };
    Estimate {
        mean: centre,
        lo: centre - half,
        hi: centre + half,
        half_width: half,
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::histogram::bin;

    #[test]
    fn sections_follow_the_replication_index() {
        assert_eq!(section_of(0, 100), 0);
        assert_eq!(section_of(9, 100), 0);
        assert_eq!(section_of(10, 100), 1);
        assert_eq!(section_of(99, 100), 9);
        // Fewer replications than sections: one replication each.
        let s: Vec<usize> = (0..4).map(|r| section_of(r, 4)).collect();
        assert_eq!(s, [0, 2, 5, 7]);
        // Sizes differ by one at most.
        let mut size = [0; SECTIONS];
        (0..1003).for_each(|r| size[section_of(r, 1003)] += 1);
        assert!(size.iter().all(|&x| x == 100 || x == 101), "{size:?}");
    }

    /// One replication's histogram of `waits`, trimmed, and its zero count.
    fn day(waits: &[f64]) -> (Vec<u32>, u32) {
        let mut h = vec![0u32; BINS];
        waits.iter().for_each(|w| h[bin(*w)] += 1);
        let top = h.iter().rposition(|&c| c > 0).map_or(0, |b| b + 1);
        h.truncate(top);
        (h, waits.iter().filter(|w| **w == 0.0).count() as u32)
    }

    #[test]
    fn pooled_quantile_is_not_the_mean_of_daily_quantiles() {
        // Ten days: nine quiet ones (waits 0) and one busy one (100 waits of 100 s). The pooled
        // median is 0 (all but 100 of 1000 waits are zero); the daily medians average 10 s.
        let mut w = WaitSections::default();
        for rep in 0..10 {
            let waits = if rep == 3 {
                vec![100.0; 100]
            } else {
                vec![0.0; 100]
            };
            let (h, z) = day(&waits);
            w.push(section_of(rep, 10), &h, z);
        }
        let e = w.estimate(0.5, 0.95);
        assert_eq!(e.mean, 0.0);
        assert_eq!(e.n, 10);
        // p95: rank 950 of 1000 lies in the bin of 100 s.
        let e = w.estimate(0.95, 0.95);
        assert!((99.0..=101.0).contains(&e.mean), "{e:?}");
        assert!(
            e.half_width > 10.0,
            "one busy section of ten: a wide interval {e:?}"
        );
    }

    #[test]
    fn all_zero_sections_give_an_exact_zero_with_no_spread() {
        let mut w = WaitSections::default();
        for rep in 0..20 {
            let (h, z) = day(&[0.0, 0.0, 0.0, 5.0]);
            w.push(section_of(rep, 20), &h, z);
        }
        let e = w.estimate(0.5, 0.95);
        assert_eq!((e.mean, e.half_width, e.lo, e.hi), (0.0, 0.0, 0.0, 0.0));
        let e = w.estimate(0.9, 0.95);
        assert!((5.0..5.25).contains(&e.mean), "{e:?}");
    }

    #[test]
    fn interval_is_the_sectioning_formula_and_merge_is_exact() {
        // Section s holds one replication of waits 10 + s seconds (bins 0.25 s wide).
        let mut all = WaitSections::default();
        let (mut a, mut b) = (WaitSections::default(), WaitSections::default());
        for rep in 0..10u64 {
            let (h, z) = day(&[10.0 + rep as f64; 4]);
            let s = section_of(rep, 10);
            all.push(s, &h, z);
            if rep < 4 { &mut a } else { &mut b }.push(s, &h, z);
        }
        b.merge(&a);
        assert_eq!(b, all);
        let e = all.estimate(0.5, 0.95);
        let centre = all.pooled().quantile(0.5);
        // Each section's median: halfway through the bin of its waits (rank 2 of 4).
        let parts: Vec<f64> = all.0.iter().map(|s| s.quantile(0.5)).collect();
        for (s, p) in parts.iter().enumerate() {
            assert!((p - (10.125 + s as f64)).abs() < 1e-12, "section {s}: {p}");
        }
        let ss: f64 = parts.iter().map(|x| (x - centre).powi(2)).sum();
        let half = t_quantile(0.95, 9) * (ss / 9.0 / 10.0).sqrt();
        assert!((e.half_width - half).abs() < 1e-12, "{e:?} vs {half}");
        // One section only: no interval.
        let mut one = WaitSections::default();
        let (h, z) = day(&[3.0]);
        one.push(0, &h, z);
        assert!(one.estimate(0.5, 0.95).half_width.is_nan());
        // Empty: no value.
        assert!(WaitSections::default().estimate(0.5, 0.95).mean.is_nan());
    }

    #[test]
    fn difference_of_paired_sections() {
        // The variant waits 2 s longer in every replication: the difference is 2 s with no
        // spread across sections.
        let (mut base, mut var) = (WaitSections::default(), WaitSections::default());
        for rep in 0..30u64 {
            let w = 20.0 + (rep % 7) as f64;
            let (h, z) = day(&[w, w + 1.0]);
            base.push(section_of(rep, 30), &h, z);
            let (h, z) = day(&[w + 2.0, w + 3.0]);
            var.push(section_of(rep, 30), &h, z);
        }
        let d = base.difference(&var, 0.5, 0.95);
        assert!((d.mean - 2.0).abs() < 0.3, "{d:?}");
        assert!(d.half_width < 0.3, "{d:?}");
        assert_eq!(d.n, 30);
    }

    #[test]
    fn validity_check_refuses_oversized_or_inconsistent_sections() {
        let mut w = WaitSections::default();
        assert!(w.is_valid());
        w.0[2].counts = vec![1; BINS + 1];
        assert!(!w.is_valid());
        w.0[2].counts = vec![1, 0];
        w.0[2].zeros = 2;
        assert!(!w.is_valid());
        w.0.pop();
        assert!(!w.is_valid());
    }
}
