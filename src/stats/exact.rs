//! Exact sums of `f64` values, rounded once when read: an aggregate over replications is then
//! the same bit for bit whatever order the replications were added in, so one process at any
//! thread count and any number of shards merged in any order give identical reports.
//!
//! An [`ExactSum`] holds its sum as an *expansion*: a short list of non-overlapping `f64`
//! partials, increasing in magnitude, whose exact (real-number) sum is the exact sum of every
//! value added (Shewchuk 1997, "Adaptive Precision Floating-Point Arithmetic and Fast Robust
//! Geometric Predicates", grow-expansion with two-sum; the algorithm of CPython's `math.fsum`).
//! A product is added exactly as its rounded value plus its rounding error, the error being
//! computed with a fused multiply-add ([`f64::mul_add`]; exact unless the error underflows,
//! below about 1e-292, which no count, time or share of a report comes near). [`ExactSum::value`]
//! rounds the exact sum to the nearest `f64`, ties to even: a function of the exact sum alone,
//! not of the order of the additions. The list stays short (one to three partials for the sums
//! of a report: it is bounded by the exponent range, not by the number of values), so memory and
//! the size of a partial result do not grow with the replications.
//!
//! Hand-written (about 100 lines, ported from CPython's `math_fsum`): the crates that sum
//! accurately round as they go or cannot be merged and serialised, which a shard's partial
//! result needs.

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

/// The partials, inline up to four (no allocation per accumulator in practice).
type Parts = SmallVec<[f64; 4]>;

/// The exact sum of the values added so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExactSum {
    /// Non-overlapping partials, increasing in magnitude, as `f64` bit patterns in a partial
    /// result file (JSON numbers would not round-trip every bit through every parser).
    #[serde(
        rename = "p",
        with = "bits",
        default,
        skip_serializing_if = "Parts::is_empty"
    )]
    parts: Parts,
    /// Non-finite values added: 1 = +inf, 2 = -inf, 4 = NaN (kept apart from the exact part).
    #[serde(rename = "s", default, skip_serializing_if = "is_zero")]
    special: u8,
}

/// An integer of magnitude below 2^26 (whose products with its like are exact).
#[inline]
fn is_small_int(x: f64) -> bool {
    x.abs() < 67_108_864.0 && (x as i64) as f64 == x
}

fn is_zero(x: &u8) -> bool {
    *x == 0
}

impl ExactSum {
    /// Adds `x` exactly.
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x == 0.0 {
            return;
        }
        match self.parts.as_mut_slice() {
            [] if x.is_finite() => self.parts.push(x),
            // The usual case, a sum held in one partial (counts, sums of like values): the
            // general loop below for one partial, written out.
            [y] if (x + *y).is_finite() => {
                let hi = x + *y;
                let (big, small) = if x.abs() < y.abs() { (*y, x) } else { (x, *y) };
                let lo = small - (hi - big);
                if lo == 0.0 {
                    *y = hi;
                } else {
                    *y = lo;
                    self.parts.push(hi);
                }
            }
            _ => self.grow(x),
        }
    }

    /// Empties the sum, keeping its memory.
    pub fn clear(&mut self) {
        self.parts.clear();
        self.special = 0;
    }

    /// Adds `x` to the expansion: Shewchuk's grow-expansion, dropping zero partials.
    fn grow(&mut self, mut x: f64) {
        if !x.is_finite() {
            self.special |= if x.is_nan() {
                4
            } else if x > 0.0 {
                1
            } else {
                2
            };
            return;
        }
        // On the slice itself (one look at where the partials live, not one per access).
        let parts = self.parts.as_mut_slice();
        let n = parts.len();
        let mut i = 0;
        for j in 0..n {
            let y = parts[j];
            // Knuth's two-sum: hi + lo = x + y exactly, whichever is larger, without a branch.
            let hi = x + y;
            let yv = hi - x;
            let lo = (x - (hi - yv)) + (y - yv);
            if lo != 0.0 {
                parts[i] = lo;
                i += 1;
            }
            x = hi;
        }
        if !x.is_finite() {
            // The exact sum left the range of f64.
            self.special |= if x > 0.0 { 1 } else { 2 };
            x = 0.0;
        }
        if i < n {
            parts[i] = x;
            self.parts.truncate(i + 1);
        } else {
            self.parts.push(x);
        }
    }

    /// Adds the product `a * b` exactly.
    #[inline]
    pub fn add_product(&mut self, a: f64, b: f64) {
        let p = a * b;
        if !p.is_finite() {
            self.add(p);
            return;
        }
        if is_small_int(a) && is_small_int(b) {
            // Counts: the product of two integers below 2^26 is exact.
            self.add(p);
            return;
        }
        let e = a.mul_add(b, -p);
        self.add(p);
        if e != 0.0 {
            self.add(e);
        }
    }

    /// Adds another exact sum exactly.
    pub fn add_sum(&mut self, o: &ExactSum) {
        for &p in &o.parts {
            self.add(p);
        }
        self.special |= o.special;
    }

    /// Subtracts another exact sum exactly.
    fn sub_sum(&mut self, o: &ExactSum) {
        for &p in &o.parts {
            self.add(-p);
        }
        self.special |= o.special;
    }

    /// The exact product of two sums (every pair of partials, each product exact).
    fn times(&self, o: &ExactSum) -> ExactSum {
        let mut r = ExactSum {
            parts: Parts::new(),
            special: self.special | o.special,
        };
        for &a in &self.parts {
            for &b in &o.parts {
                r.add_product(a, b);
            }
        }
        r
    }

    /// The exact sum times `k`.
    fn scaled(&self, k: f64) -> ExactSum {
        let mut r = ExactSum {
            parts: Parts::new(),
            special: self.special,
        };
        for &a in &self.parts {
            r.add_product(a, k);
        }
        r
    }

    /// The exact sum rounded to the nearest `f64` (ties to even); 0 when nothing was added.
    pub fn value(&self) -> f64 {
        match self.special {
            0 => {}
            1 => return f64::INFINITY,
            2 => return f64::NEG_INFINITY,
            _ => return f64::NAN,
        }
        let p = &self.parts;
        let Some(mut n) = p.len().checked_sub(1) else {
            return 0.0;
        };
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even: when the rest below `lo` has lo's sign, the exact sum is not on
        // the tie `hi + lo` was rounded from, but past it.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }
}

/// `n sum(x y) - sum(x) sum(y)`, computed exactly and rounded once, divided by `n`: the sum of
/// cross-deviations `sum((x - mean x)(y - mean y))` of `n` values, from their raw sums.
pub fn centered(n: u64, sxy: &ExactSum, sx: &ExactSum, sy: &ExactSum) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let mut d = sxy.scaled(n as f64);
    d.sub_sum(&sx.times(sy));
    d.value() / n as f64
}

/// Serialises partials as their bit patterns.
mod bits {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Parts;

    pub fn serialize<S: Serializer>(v: &Parts, s: S) -> Result<S::Ok, S::Error> {
        let b: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
        b.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Parts, D::Error> {
        let b = Vec::<u64>::deserialize(d)?;
        let v: Parts = b.into_iter().map(f64::from_bits).collect();
        if v.iter().any(|x| !x.is_finite()) {
            return Err(serde::de::Error::custom("a partial sum is not finite"));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(xs: &[f64]) -> f64 {
        let mut s = ExactSum::default();
        xs.iter().for_each(|x| s.add(*x));
        s.value()
    }

    #[test]
    fn sums_exactly_where_floating_point_loses_digits() {
        assert_eq!(sum(&[1e100, 1.0, -1e100]), 1.0);
        assert_eq!(sum(&[0.1; 10]), 1.0);
        assert_eq!(sum(&[1e16, 1.0, 1e-16]), 1e16 + 2.0);
        assert_eq!(sum(&[]), 0.0);
        // Half-way cases round to even, whatever the order.
        let tie = [1.0, 2f64.powi(-53), 2f64.powi(-106)];
        assert_eq!(sum(&tie), 1.0 + 2f64.powi(-52));
        let mut rev = tie;
        rev.reverse();
        assert_eq!(sum(&rev), 1.0 + 2f64.powi(-52));
        assert_eq!(sum(&[1.0, 2f64.powi(-53)]), 1.0);
    }

    #[test]
    fn any_order_and_any_split_give_the_same_bits() {
        let xs: Vec<f64> = (0..2000u64)
            .map(|i| ((i * 2654435761) % 10007) as f64 / 7.3 + (i % 13) as f64 * 1e-9)
            .collect();
        let all = sum(&xs);
        let mut rev = xs.clone();
        rev.reverse();
        assert_eq!(sum(&rev).to_bits(), all.to_bits());
        for cut in [1, 7, 999, 1999] {
            let (mut a, mut b) = (ExactSum::default(), ExactSum::default());
            xs[..cut].iter().for_each(|x| a.add(*x));
            xs[cut..].iter().for_each(|x| b.add(*x));
            b.add_sum(&a);
            assert_eq!(b.value().to_bits(), all.to_bits());
        }
        let mut s = ExactSum::default();
        xs.iter().for_each(|x| s.add(*x));
        assert!(s.parts.len() <= 8, "{} partials", s.parts.len());
    }

    #[test]
    fn products_and_centred_sums_are_exact() {
        let mut s = ExactSum::default();
        let x = 1.0 + 2f64.powi(-30);
        s.add_product(x, x);
        s.add(-1.0);
        s.add(-2f64.powi(-29));
        assert_eq!(s.value(), 2f64.powi(-60));
        // Values near 1e8 with a variance of 1.25: the one-pass formula in floating point
        // cancels away the digits, the exact one keeps them.
        let vs = [1e8 + 1.0, 1e8 + 2.0, 1e8 + 3.0, 1e8 + 4.0];
        let (mut sx, mut sxx) = (ExactSum::default(), ExactSum::default());
        for v in vs {
            sx.add(v);
            sxx.add_product(v, v);
        }
        assert_eq!(centered(4, &sxx, &sx, &sx), 5.0);
    }

    /// The exact sum in fixed point: every finite `f64` and every product of two is an integer
    /// multiple of 2^-2148, so `sum * 2^SCALE` is an integer (num-bigint as the reference).
    const SCALE: i64 = 2200;

    fn fixed(m: i64, e: i64) -> num_bigint::BigInt {
        num_bigint::BigInt::from(m) << ((e + SCALE) as usize)
    }

    /// `x = m 2^e` with `m` an integer.
    fn parts_of(x: f64) -> (i64, i64) {
        let b = x.to_bits();
        let (exp, frac) = (((b >> 52) & 0x7ff) as i64, (b & ((1 << 52) - 1)) as i64);
        let m = if exp == 0 { frac } else { frac | (1 << 52) };
        let m = if x < 0.0 { -m } else { m };
        (m, exp.max(1) - 1075)
    }

    /// Whether `v` is the exact sum `s` (scaled) rounded to nearest, ties to even.
    fn is_rounded(s: &num_bigint::BigInt, v: f64) -> bool {
        let at = |x: f64| {
            let (m, e) = parts_of(x);
            fixed(m, e)
        };
        let d = s - at(v);
        let even = v.to_bits().is_multiple_of(2);
        match d.sign() {
            num_bigint::Sign::NoSign => true,
            num_bigint::Sign::Plus => {
                let gap = at(v.next_up()) - at(v);
                let d2 = d * 2;
                d2 < gap || (d2 == gap && even)
            }
            num_bigint::Sign::Minus => {
                let gap = at(v) - at(v.next_down());
                let d2 = -d * 2;
                d2 < gap || (d2 == gap && even)
            }
        }
    }

    #[test]
    fn matches_an_exact_reference_on_adversarial_inputs() {
        // splitmix64, for values of every kind: counts, huge cancellation, mixed exponents.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        for case in 0..400 {
            let mut s = ExactSum::default();
            let mut r = num_bigint::BigInt::from(0);
            let mut pieces = vec![ExactSum::default(); 3];
            let mut bigs = Vec::new();
            for k in 0..(1 + next() % 60) {
                let u = next();
                let mant = ((u >> 11) as f64) / (1u64 << 53) as f64 + 0.5;
                let sign = if u & 1 == 0 { 1.0 } else { -1.0 };
                let x = match case % 5 {
                    // Counts, below and beyond 2^26 and 2^53.
                    0 => (u % (1 << (10 + k % 50))) as f64 * sign,
                    // Huge values cancelling around tiny ones.
                    1 if k % 2 == 0 => sign * 1e300 * mant,
                    1 => sign * mant * 2f64.powi(-((next() % 1000) as i32)),
                    // Mixed exponents, subnormals included.
                    2 => sign * mant * 2f64.powi((next() % 2000) as i32 - 1020),
                    // Times and shares near one another: cancelling in the last bits.
                    3 => sign * (100.0 + mant * 1e-9),
                    _ => sign * mant * 2f64.powi((next() % 120) as i32 - 60),
                };
                let y = if case % 5 == 2 {
                    1.0
                } else {
                    mant * 2f64.powi((next() % 40) as i32 - 20)
                };
                let (mx, ex) = parts_of(x);
                let piece = &mut pieces[(u >> 7) as usize % 3];
                // Products (kept above the underflow of their rounding error, see above).
                if k % 3 == 0 && matches!(case % 5, 0 | 3 | 4) {
                    let (my, ey) = parts_of(y);
                    s.add_product(x, y);
                    piece.add_product(x, y);
                    r += (num_bigint::BigInt::from(mx) * my) << ((ex + ey + SCALE) as usize);
                } else {
                    s.add(x);
                    piece.add(x);
                    if x.abs() > 1e299 {
                        bigs.push(x);
                    } else {
                        r += fixed(mx, ex);
                    }
                }
            }
            // Then the huge values taken away again, in another order: what is left is the
            // sum of the small ones, each of which must have been kept exactly.
            if case % 5 == 1 {
                for &x in bigs.iter().rev() {
                    s.add(-x);
                    pieces[0].add(-x);
                }
            } else {
                bigs.iter()
                    .for_each(|x| r += fixed(parts_of(*x).0, parts_of(*x).1));
            }
            let v = s.value();
            assert!(is_rounded(&r, v), "case {case}: {v:e}");
            // Pieces merged in any order: the same bits.
            let mut m = ExactSum::default();
            pieces.iter().rev().for_each(|p| m.add_sum(p));
            assert_eq!(m.value().to_bits(), v.to_bits(), "case {case}");
        }
    }

    #[test]
    fn non_finite_values_are_kept_apart() {
        let mut s = ExactSum::default();
        s.add(1.0);
        s.add(f64::INFINITY);
        assert_eq!(s.value(), f64::INFINITY);
        s.add(f64::NEG_INFINITY);
        assert!(s.value().is_nan());
    }

    #[test]
    fn serialises_every_bit() {
        let mut s = ExactSum::default();
        s.add(0.1);
        s.add(1e-300);
        let j = serde_json::to_string(&s).unwrap();
        let back: ExactSum = serde_json::from_str(&j).unwrap();
        assert_eq!(back, s);
        assert!(serde_json::from_str::<ExactSum>(r#"{"p":[9218868437227405312]}"#).is_err());
    }
}
