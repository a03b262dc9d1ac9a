//! Wait-time histograms with log-linear bins, in seconds.
//!
//! Written here rather than taken from `hdrhistogram` because the engine resets and sums hundreds
//! of these per replication: this layout is 896 `u32` bins (3.5 KiB) with the highest touched bin
//! tracked, so a reset or a sum touches only the bins in use, and recording is a shift and a
//! leading-zero count. Bins are 0.25 s wide below 16 s; above, each doubling of the value is split
//! into 64 bins (relative width 1/64 = 1.6%), up to 2^17 s (36 h); larger values share the last
//! bin (the exact maximum is kept separately by the caller). Quantiles interpolate linearly
//! within a bin. Thresholds such as "answered within 15 s" are never read off a histogram: the
//! engine counts them exactly.

/// Number of bins.
pub const BINS: usize = 64 + 64 * 13;

/// The bin of a wait of `v` seconds (v >= 0).
#[inline]
pub fn bin(v: f64) -> usize {
    let x = v * 4.0;
    if x < 64.0 {
        // Also catches NaN-free negatives produced by rounding (treated as 0).
        return if x > 0.0 { x as usize } else { 0 };
    }
    let xi = x as u64;
    let msb = 63 - xi.leading_zeros() as usize; // >= 6
    let j = msb - 6;
    let b = 64 + 64 * j + ((xi >> j) as usize - 64);
    b.min(BINS - 1)
}

/// Lower edge and width (seconds) of bin `b`.
#[inline]
pub fn bin_range(b: usize) -> (f64, f64) {
    if b < 64 {
        return (b as f64 * 0.25, 0.25);
    }
    let j = (b - 64) / 64;
    let sub = (b - 64) % 64;
    let scale = (1u64 << j) as f64 * 0.25;
    ((64 + sub) as f64 * scale, scale)
}

/// Quantiles `qs` (each in [0, 1]) of the counts in `h`, interpolated within bins; NaN when empty.
pub fn quantiles<T: Copy + Into<u64>>(h: &[T], qs: &[f64], out: &mut [f64]) {
    let total: u64 = h.iter().map(|c| (*c).into()).sum();
    quantiles_with_total(h, total, qs, out);
}

/// [`quantiles`] when the caller already knows the sum of the counts, `total` (the engine does:
/// it is the cell's answered plus abandoned contacts), which saves a pass over the bins in the
/// per-replication summary.
pub fn quantiles_with_total<T: Copy + Into<u64>>(h: &[T], total: u64, qs: &[f64], out: &mut [f64]) {
    debug_assert_eq!(total, h.iter().map(|c| (*c).into()).sum::<u64>());
    if total == 0 {
        out.iter_mut().for_each(|o| *o = f64::NAN);
        return;
    }
    let mut cum = 0u64;
    let mut b = 0usize;
    for (qi, q) in qs.iter().enumerate() {
        let rank = q * total as f64;
        // Counts are integers: `count >= rank` is `count >= ceil(rank)`, an integer comparison.
        let need = rank.ceil() as u64;
        // Advance to the first bin whose cumulative count reaches the rank: first by blocks of
        // eight bins (a block whose whole count leaves the cumulative count short of the rank
        // cannot hold that bin; summing eight counts at once is a few vector instructions instead
        // of eight compare-and-branch steps, and the bins scanned per replication summary were
        // about 3% of benchmark D), then bin by bin.
        while b + 8 <= h.len() {
            let s: u64 = h[b..b + 8].iter().map(|c| (*c).into()).sum();
            if cum + s >= need {
                break;
            }
            cum += s;
            b += 8;
        }
        while b < h.len() {
            let c: u64 = h[b].into();
            if c > 0 && cum + c >= need {
                break;
            }
            cum += c;
            b += 1;
        }
        if b == h.len() {
            b = h.len() - 1;
        }
        let c: u64 = h[b].into();
        let (lo, w) = bin_range(b);
        let frac = if c == 0 {
            1.0
        } else {
            ((rank - cum as f64) / c as f64).clamp(0.0, 1.0)
        };
        out[qi] = lo + w * frac;
    }
}

/// The `q` quantile (`q` in [0, 1]) of `total` waits counted in `h`, `zeros` of which are exactly
/// zero (they are in bin 0 too): the smallest `x` with `P(wait <= x) >= q`, so exactly `0.0` when
/// the zero waits alone reach the level; otherwise interpolated linearly within the bin that holds
/// the rank (bin 0's non-zero waits spread over `(0, 0.25)`). NaN when `total` is 0.
pub fn quantile_with_zeros(h: &[u64], zeros: u64, total: u64, q: f64) -> f64 {
    if total == 0 {
        return f64::NAN;
    }
    let rank = q * total as f64;
    if zeros as f64 >= rank {
        return 0.0;
    }
    let need = rank.ceil() as u64;
    let mut cum = zeros;
    let mut last = 0.0;
    for (b, &c) in h.iter().enumerate() {
        let c = if b == 0 { c.saturating_sub(zeros) } else { c };
        if c == 0 {
            continue;
        }
        let (lo, w) = bin_range(b);
        if cum + c >= need {
            return lo + w * ((rank - cum as f64) / c as f64).clamp(0.0, 1.0);
        }
        cum += c;
        last = lo + w;
    }
    // `q` = 1 up to rounding: the upper edge of the last bin used.
    last
}

/// Share of counts at or below `v` seconds, reading the bin containing `v` proportionally.
pub fn cdf_at<T: Copy + Into<u64>>(h: &[T], v: f64) -> f64 {
    let total: u64 = h.iter().map(|c| (*c).into()).sum();
    if total == 0 {
        return f64::NAN;
    }
    let b = bin(v);
    let below: u64 = h[..b].iter().map(|c| (*c).into()).sum();
    let (lo, w) = bin_range(b);
    let part = (((v - lo) / w).clamp(0.0, 1.0)) * Into::<u64>::into(h[b]) as f64;
    (below as f64 + part) / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_contiguous_and_contain_their_values() {
        let mut prev_end = 0.0;
        for b in 0..BINS {
            let (lo, w) = bin_range(b);
            assert!(
                (lo - prev_end).abs() < 1e-9,
                "bin {b} starts at {lo}, previous ended at {prev_end}"
            );
            prev_end = lo + w;
            assert_eq!(bin(lo), b);
            assert_eq!(bin(lo + w * 0.999), b);
            assert!(w / lo.max(16.0) <= 1.0 / 64.0 + 1e-12);
        }
        assert!(prev_end >= 131_072.0);
        assert_eq!(bin(1e12), BINS - 1);
        assert_eq!(bin(0.0), 0);
    }

    #[test]
    fn quantiles_of_uniform_values() {
        let mut h = vec![0u32; BINS];
        let n = 100_000;
        for i in 0..n {
            h[bin(i as f64 * 600.0 / n as f64)] += 1; // uniform on [0, 600)
        }
        let qs = [0.5, 0.9, 0.99];
        let mut out = [0.0; 3];
        quantiles(&h, &qs, &mut out);
        for (q, v) in qs.iter().zip(out) {
            assert!((v - q * 600.0).abs() < 600.0 * q / 64.0, "q{q}: {v}");
        }
        assert!((cdf_at(&h, 300.0) - 0.5).abs() < 0.01);
        let mut e = [0.0];
        quantiles(&[0u32; 4], &[0.5], &mut e);
        assert!(e[0].is_nan());
    }

    #[test]
    fn zero_waits_give_zero_quantiles() {
        let mut h = vec![0u32; BINS];
        h[0] = 10;
        let mut out = [0.0; 2];
        quantiles(&h, &[0.0, 0.5], &mut out);
        assert!(out[0] <= 0.25 && out[1] <= 0.25);
    }

    #[test]
    fn zero_mass_gives_exact_zero_quantiles() {
        // 60 zero waits, 10 in (0, 0.25), 30 at 10 s: the quantiles up to 0.6 are exactly 0,
        // 0.65 lies halfway through bin 0's non-zero waits, 0.9 in the bin of 10 s.
        let mut h = vec![0u64; BINS];
        h[0] = 70;
        h[bin(10.0)] = 30;
        let (z, n) = (60, 100);
        assert_eq!(quantile_with_zeros(&h, z, n, 0.0), 0.0);
        assert_eq!(quantile_with_zeros(&h, z, n, 0.5), 0.0);
        assert_eq!(quantile_with_zeros(&h, z, n, 0.6), 0.0);
        assert!((quantile_with_zeros(&h, z, n, 0.65) - 0.125).abs() < 1e-12);
        let q9 = quantile_with_zeros(&h, z, n, 0.9);
        let (lo, w) = bin_range(bin(10.0));
        assert!(lo <= q9 && q9 <= lo + w, "{q9}");
        assert_eq!(quantile_with_zeros(&h, z, n, 1.0), lo + w);
        assert!(quantile_with_zeros(&h, 0, 0, 0.5).is_nan());
        // Without zero mass it is the plain histogram quantile.
        let mut out = [0.0];
        quantiles(&h, &[0.9], &mut out);
        assert_eq!(
            quantile_with_zeros(&h, 0, n, 0.9).to_bits(),
            out[0].to_bits()
        );
    }

    #[test]
    fn block_scan_finds_the_same_bins_as_a_plain_scan() {
        // Sparse counts (runs of empty bins, ranks falling on block edges) against a bin-by-bin
        // search for the first bin whose cumulative count reaches the rank.
        let mut s = 12345u64;
        for round in 0..200 {
            let len = 1 + round * 7 % 120;
            let h: Vec<u32> = (0..len)
                .map(|_| {
                    s = s
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let r = (s >> 33) % 10;
                    if r < 6 {
                        0
                    } else {
                        (r - 5) as u32
                    }
                })
                .collect();
            let total: u64 = h.iter().map(|&c| c as u64).sum();
            let qs = [0.0, 0.1, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0];
            let mut out = [0.0; 8];
            quantiles(&h, &qs, &mut out);
            if total == 0 {
                assert!(out.iter().all(|v| v.is_nan()));
                continue;
            }
            for (q, v) in qs.iter().zip(out) {
                let rank = q * total as f64;
                let need = rank.ceil() as u64;
                let (mut cum, mut b) = (0u64, 0usize);
                while b < h.len() && !(h[b] > 0 && cum + h[b] as u64 >= need) {
                    cum += h[b] as u64;
                    b += 1;
                }
                let b = b.min(h.len() - 1);
                let c = h[b] as u64;
                let (lo, w) = bin_range(b);
                let frac = if c == 0 {
                    1.0
                } else {
                    ((rank - cum as f64) / c as f64).clamp(0.0, 1.0)
                };
                assert_eq!(v.to_bits(), (lo + w * frac).to_bits(), "round {round} q{q}");
            }
        }
    }
}
