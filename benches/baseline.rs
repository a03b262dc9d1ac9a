//! The baseline the engine's speed is judged against: the leanest exact simulation of benchmark
//! W that we know how to write, with nothing but W's rules in it.
//!
//! One FIFO queue, 85 identical agents (a free-agent count), 1,200 calls an hour for 8 hours,
//! exponential handle time (mean 240 s) and patience (mean 120 s), abandonment lazy (a waiting
//! call carries its deadline and is counted abandoned when it reaches the head after it), the
//! queue drained after closing. It counts the calls offered, answered, answered within 20 s
//! and abandoned, nothing else: no statistics cells, histograms, intervals, routing or busy
//! time, which is what the engine does on top.
//!
//! To be a fair floor it uses the fastest parts we have: the engine's completion heap
//! ([`Completions`], faster than `std::collections::BinaryHeap` here), its arrival sampler and
//! its random streams. The same streams give the same draws, so on W it must count exactly what
//! the engine counts: `tests/validation.rs` checks that (`baseline_counts_what_the_engine_counts`),
//! which keeps this loop honest and cross-checks the engine with an independent implementation.
//!
//! Shared by `benches/engine.rs` (`baseline/W`) and the test, through `#[path]`.

use std::collections::VecDeque;

use acdsim::sim::arrivals::RateProfile;
use acdsim::sim::completions::Completions;
use acdsim::sim::rng::{stream, Purpose};
use rand_distr::{Distribution, Exp1};

/// Benchmark W's numbers (`scenarios/bench-w.json`).
pub const AGENTS: u32 = 85;
pub const CALLS_PER_HOUR: f64 = 1200.0;
pub const HANDLE_MEAN_S: f64 = 240.0;
pub const PATIENCE_MEAN_S: f64 = 120.0;
pub const HOURS: usize = 8;
pub const GOAL_S: f64 = 20.0;

/// What one replication of the baseline counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub offered: u64,
    pub answered: u64,
    pub answered_in_goal: u64,
    pub abandoned: u64,
}

/// W's arrival profile: eight one-hour pieces at 1,200 an hour, as the engine builds it.
pub fn profile() -> RateProfile {
    let ends = (1..=HOURS).map(|h| h as f64 * 3600.0).collect();
    RateProfile::new(ends, vec![CALLS_PER_HOUR / 3600.0; HOURS])
}

/// Replication `rep` of W with `seed`.
pub fn run(profile: &RateProfile, seed: u64, rep: u64) -> Counts {
    let mut arrivals = stream(seed, rep, Purpose::Arrivals, 0);
    let mut handles = stream(seed, rep, Purpose::HandleTime, 0);
    let mut patience = stream(seed, rep, Purpose::Patience, 0);
    let mut cursor = profile.start();
    let mut busy = Completions::default();
    busy.reset(AGENTS as usize, AGENTS as usize, 1);
    // Waiting calls: (arrival, deadline, handle time).
    let mut queue: VecDeque<(f64, f64, f64)> = VecDeque::new();
    let mut free = AGENTS;
    let mut n = Counts::default();
    let mut ta = profile.next(&mut cursor, &mut arrivals);
    loop {
        let tc = busy.next_time();
        if tc <= ta {
            // A completion (before an arrival at the same time, as in the engine).
            if tc == f64::INFINITY {
                break;
            }
            busy.take();
            free += 1;
            while let Some(&(arrival, deadline, handle)) = queue.front() {
                queue.pop_front();
                if deadline <= tc {
                    n.abandoned += 1;
                    continue;
                }
                free -= 1;
                n.answered += 1;
                n.answered_in_goal += u64::from(tc - arrival <= GOAL_S);
                busy.push(tc + handle, 0, 0);
                break;
            }
        } else {
            n.offered += 1;
            let e: f64 = Exp1.sample(&mut handles);
            let handle = e * HANDLE_MEAN_S;
            let e: f64 = Exp1.sample(&mut patience);
            let deadline = ta + e * PATIENCE_MEAN_S;
            if free > 0 {
                free -= 1;
                n.answered += 1;
                n.answered_in_goal += 1;
                busy.push(ta + handle, 0, 0);
            } else {
                queue.push_back((ta, deadline, handle));
            }
            ta = profile.next(&mut cursor, &mut arrivals);
        }
    }
    // Drained: only calls whose patience ran out can be left.
    n.abandoned += queue.len() as u64;
    n
}
