//! The documented limits on every size that drives a run's time or memory (README
//! "Reliability"). Validation checks each before anything runs, with a message that names the
//! limit; the engine's queue guard ([`MAX_WAITING`]) is the only one checked while running.
//!
//! With every limit kept, one replication holds at most about [`MAX_STATS_CELLS`] x 3.6 KB of
//! histograms, [`MAX_WAITING`] x 32 bytes of waiting contacts (twice that while a queue grows)
//! and [`MAX_AGENTS`] agents, and simulates at most [`MAX_CONTACTS_PER_INTERVAL`] contacts of a
//! channel per interval; a run is at most [`MAX_REPLICATIONS`] of them.

/// The most bytes a scenario file or a forecast CSV may have: a longer one (or a device such as
/// `/dev/zero`) is refused after reading this much, not read to its end.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// The longest warm-up, in minutes (one day): simulated time grows linearly with it.
pub const MAX_WARMUP_MINUTES: f64 = 1440.0;

/// The most replications one run may ask for (`replications`, `--replications`).
pub const MAX_REPLICATIONS: u64 = 1_000_000;

/// The most worker threads `--threads` may ask for.
pub const MAX_THREADS: usize = 1024;

/// The most channels x intervals: each pair has its own statistics for every replication.
pub const MAX_CHANNEL_INTERVALS: usize = 10_000;

/// The most statistics cells, channels x (intervals + contact types + segments), each with a
/// wait-time histogram of 3.6 KB per worker thread.
pub const MAX_STATS_CELLS: usize = 20_000;

/// The most contact classes (channel, contact type, segment), each with its own queue.
pub const MAX_CLASSES: usize = 5_000;

/// The most agents of all groups and reserves together (each at its largest headcount).
pub const MAX_AGENTS: u64 = 1_000_000;

/// The most values of an empirical distribution.
pub const MAX_EMPIRICAL_VALUES: usize = 100_000;

/// The most expected contacts of one channel in one interval, after every multiplier
/// (`volume_multiplier`, `--surge`).
pub const MAX_CONTACTS_PER_INTERVAL: f64 = 1e6;

/// The largest time a distribution may be given, in seconds (a mean, a value, a bound): about
/// 116 days. With the factors below, every draw stays a finite number of seconds.
pub const MAX_TIME_S: f64 = 1e7;

/// The largest handle-time factor (a segment's `handle_time_factor`, a proficiency factor).
pub const MAX_FACTOR: f64 = 1000.0;

/// The most contacts waiting in one replication (all queues together): past it the run stops
/// with exit code 2 ("the offered load exceeds the agents") instead of running out of memory.
/// 2^22 = 4,194,304 contacts, 128 MiB per worker thread.
pub const MAX_WAITING: usize = 1 << 22;

/// `1e6` as `10^6`, `4194304` as `4194304`: how the messages show a limit.
pub fn show(limit: f64) -> String {
    if limit >= 1e5 && limit.log10().fract() == 0.0 {
        format!("10^{}", limit.log10() as i32)
    } else {
        format!("{limit}")
    }
}

/// Refuses 0 replications, and more than [`MAX_REPLICATIONS`] (the message starts `= n: `,
/// for the caller to put after where they were asked for).
pub fn check_replications(n: u64) -> Result<(), String> {
    if n == 0 {
        Err("= 0: must be at least 1".into())
    } else if n > MAX_REPLICATIONS {
        Err(format!("= {n}: at most {MAX_REPLICATIONS} replications"))
    } else {
        Ok(())
    }
}

/// Refuses more than [`MAX_THREADS`] threads.
pub fn check_threads(n: usize) -> Result<(), String> {
    if n > MAX_THREADS {
        Err(format!("= {n}: at most {MAX_THREADS} worker threads"))
    } else {
        Ok(())
    }
}

/// Checks that no channel expects more than [`MAX_CONTACTS_PER_INTERVAL`] contacts in an
/// interval at `surge` times the model's rates; the error names the channel and interval.
pub fn check_surge(model: &crate::model::Model, surge: f64) -> Result<(), String> {
    for ch in &model.channels {
        for (k, r) in ch.rates.iter().enumerate() {
            let contacts = r * model.interval_s * surge;
            if contacts.is_nan() || contacts > MAX_CONTACTS_PER_INTERVAL {
                return Err(format!(
                    "= {surge}: channel `{}` would expect {contacts:.3e} contacts in interval {}, more than the {} per interval acdsim simulates (limit after volume_multiplier and --surge)",
                    ch.id,
                    model.interval_label(k),
                    show(MAX_CONTACTS_PER_INTERVAL)
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_shown_plainly() {
        assert_eq!(show(1e6), "10^6");
        assert_eq!(show(1440.0), "1440");
        assert_eq!(show(MAX_WAITING as f64), "4194304");
    }
}
