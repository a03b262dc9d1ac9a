//! Shards: a run's replications split into `N` parts that independent jobs (a Slurm job array,
//! a Kubernetes Indexed Job) run and `acdsim merge` combines, as cargo-nextest's
//! `--partition count:K/N` splits a test list.
//!
//! The split is fixed and documented: shard `K` of `N` (K from 1 to N) runs the contiguous block
//! of replication indices `[floor((K-1) R / N), floor(K R / N))` of the `R` replications, so the
//! blocks cover `0..R` exactly once and differ in size by one at most. Replication `i` draws from
//! streams that depend on the seed and `i` only ([`crate::sim::rng`]), and aggregates are exact
//! sums ([`crate::stats::exact`]), so a shard's result depends neither on the thread count nor on
//! the other shards, and the merge of the `N` shards is the single run's result bit for bit.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

/// Shard `k` of `n` (1-based, as on the command line: `--shard K/N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl Shard {
    /// The whole run: shard 1 of 1.
    pub const WHOLE: Shard = Shard { k: 1, n: 1 };

    /// Parses `K/N` with `1 <= K <= N`.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard K/N with 1 <= K <= N (e.g. 3/8)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// The replication indices of this shard out of `replications`:
    /// `[floor((k-1) R / n), floor(k R / n))`.
    pub fn range(&self, replications: u64) -> Range<u64> {
        let at = |k: u64| (u128::from(k) * u128::from(replications) / u128::from(self.n)) as u64;
        at(self.k - 1)..at(self.k)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_every_replication_once() {
        for reps in [0u64, 1, 5, 7, 100, 1001] {
            for n in [1u64, 2, 3, 7, 16] {
                let mut next = 0;
                for k in 1..=n {
                    let r = Shard { k, n }.range(reps);
                    assert_eq!(r.start, next, "{k}/{n} of {reps}");
                    assert!(r.end - r.start <= reps / n + 1);
                    next = r.end;
                }
                assert_eq!(next, reps);
            }
        }
        assert_eq!(Shard { k: 2, n: 3 }.range(10), 3..6);
        assert_eq!(
            Shard { k: 3, n: 3 }.range(u64::MAX),
            12297829382473034410..u64::MAX
        );
    }

    #[test]
    fn parses_k_of_n() {
        assert_eq!(Shard::parse("3/8"), Ok(Shard { k: 3, n: 8 }));
        assert_eq!(Shard::parse("1/1"), Ok(Shard::WHOLE));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", "-1/4", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Shard { k: 2, n: 5 }.to_string(), "2/5");
    }
}
