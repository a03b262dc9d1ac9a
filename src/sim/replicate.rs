//! Replications in parallel with rayon, deterministic whatever the thread count.
//!
//! Replications are cut into fixed chunks of [`CHUNK`]. A chunk's replications are folded into a
//! fresh accumulator in order; chunk accumulators are then merged in chunk order. Neither the
//! chunking nor the merge order depends on the number of threads, so the floating-point result is
//! the same bit for bit. Work goes in waves of a few chunks per thread, so memory stays bounded
//! whatever the number of replications. Within a wave the replications themselves are spread over
//! the threads one by one (their results kept until the wave is folded), so that threads finish a
//! wave together: with whole chunks as the unit, one thread could be left running a chunk alone.

use std::ops::Range;

use rayon::prelude::*;

/// Replications per chunk.
pub const CHUNK: u64 = 8;

/// Something that accumulates per-replication results and merges with its kind.
pub trait Accumulator: Send + Sized {
    /// What one replication produces.
    type Item: Default + Send + Sync;
    /// An empty accumulator like this one.
    fn fresh(&self) -> Self;
    /// Makes this accumulator empty again, like [`Accumulator::fresh`] but reusing its memory
    /// (the chunk accumulators are reset from wave to wave rather than made anew: an aggregate
    /// of a large layout is hundreds of kilobytes, fresh pages from the system each time).
    fn reset(&mut self) {
        *self = self.fresh();
    }
    fn push(&mut self, item: &Self::Item);
    fn merge(&mut self, other: &Self);
}

/// Runs replications `0..replications`: `work(state, rep, item)` fills `item` for one
/// replication, using a per-thread `state` made by `init`. `progress(done)` is called after
/// each wave with the number of replications finished. Returns the merged accumulator.
pub fn run<A, S, I, W, P>(replications: u64, proto: &A, init: I, work: W, progress: P) -> A
where
    A: Accumulator + Sync,
    I: Fn() -> S + Sync + Send,
    W: Fn(&mut S, u64, &mut A::Item) + Sync + Send,
    P: Fn(u64),
{
    run_range(0..replications, proto, init, work, progress)
}

/// [`run`] for the replications `reps` only (a shard, see [`crate::sim::shard`]): replication
/// `rep` is the same whichever range it is run in; `progress(done)` counts from the range's start.
pub fn run_range<A, S, I, W, P>(reps: Range<u64>, proto: &A, init: I, work: W, progress: P) -> A
where
    A: Accumulator + Sync,
    I: Fn() -> S + Sync + Send,
    W: Fn(&mut S, u64, &mut A::Item) + Sync + Send,
    P: Fn(u64),
{
    let (start, replications) = (reps.start, reps.end.saturating_sub(reps.start));
    let mut total = proto.fresh();
    let chunks = replications.div_ceil(CHUNK);
    let wave = (rayon::current_num_threads() as u64 * 4).max(1);
    // One wave's replication results and chunk accumulators, reused from wave to wave.
    let mut items: Vec<A::Item> = Vec::new();
    let mut parts: Vec<A> = Vec::new();
    let mut c0 = 0;
    while c0 < chunks {
        let c1 = (c0 + wave).min(chunks);
        let (r0, r1) = (c0 * CHUNK, (c1 * CHUNK).min(replications));
        items.resize_with((r1 - r0) as usize, Default::default);
        // The replications, each on whichever thread takes it...
        items
            .par_iter_mut()
            .enumerate()
            .for_each_init(&init, |state, (i, item)| {
                work(state, start + r0 + i as u64, item)
            });
        // ... folded chunk by chunk in replication order ...
        let n = (c1 - c0) as usize;
        if parts.len() < n {
            parts.resize_with(n, || proto.fresh());
        }
        parts[..n]
            .par_iter_mut()
            .zip(items.par_chunks(CHUNK as usize))
            .for_each(|(acc, chunk)| {
                acc.reset();
                for item in chunk {
                    acc.push(item);
                }
            });
        // ... and the chunks merged in chunk order.
        for p in &parts[..n] {
            total.merge(p);
        }
        c0 = c1;
        progress(r1);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Moments;

    struct M(Moments);
    impl Accumulator for M {
        type Item = f64;
        fn fresh(&self) -> Self {
            M(Moments::default())
        }
        fn push(&mut self, x: &f64) {
            self.0.push(*x)
        }
        fn merge(&mut self, o: &Self) {
            self.0.merge(&o.0)
        }
    }

    fn go(threads: usize) -> Moments {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            run(
                1003,
                &M(Moments::default()),
                || (),
                |_, rep, out| *out = ((rep * 2654435761) % 1000) as f64 / 7.0,
                |_| {},
            )
        })
        .0
    }

    /// Replication results alive at once, and the most seen (this test's items only).
    static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    /// A replication result that counts its live copies.
    struct Counted;
    impl Default for Counted {
        fn default() -> Counted {
            use std::sync::atomic::Ordering::SeqCst;
            let n = LIVE.fetch_add(1, SeqCst) + 1;
            PEAK.fetch_max(n, SeqCst);
            Counted
        }
    }
    impl Drop for Counted {
        fn drop(&mut self) {
            LIVE.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    struct Count(u64);
    impl Accumulator for Count {
        type Item = Counted;
        fn fresh(&self) -> Self {
            Count(0)
        }
        fn push(&mut self, _: &Counted) {
            self.0 += 1
        }
        fn merge(&mut self, o: &Self) {
            self.0 += o.0
        }
    }

    #[test]
    fn memory_does_not_grow_with_replications() {
        // Results are kept for one wave only (4 chunks a thread), whether 100 or 10,000
        // replications run: the peak of live results is the same.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let peak = |replications: u64| {
            PEAK.store(0, std::sync::atomic::Ordering::SeqCst);
            let done = pool.install(|| run(replications, &Count(0), || (), |_, _, _| {}, |_| {}));
            assert_eq!(done.0, replications);
            PEAK.load(std::sync::atomic::Ordering::SeqCst)
        };
        let (small, large) = (peak(100), peak(10_000));
        assert_eq!(
            small, large,
            "live results: {small} for 100 replications, {large} for 10,000"
        );
        assert_eq!(large, (2 * 4 * CHUNK) as usize);
    }

    #[test]
    fn same_bits_for_any_thread_count() {
        let a = go(1);
        for t in [2, 3, 8] {
            let b = go(t);
            assert_eq!(a.n, 1003);
            assert_eq!(a.mean().to_bits(), b.mean().to_bits());
            assert_eq!(a.m2().to_bits(), b.m2().to_bits());
        }
    }
}
