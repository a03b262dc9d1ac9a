//! The engine's memory guard: when the contacts waiting in one replication (or the surge
//! playbook's pending callbacks) pass [`MAX_WAITING`], the run stops with a [`QueueOverflow`] that names the scenario, the channel,
//! the interval and the cause, instead of growing the queues until the allocator aborts.
//!
//! The engine checks only where a queue grows (when a class's queue is full and must reallocate,
//! so a few dozen times a replication at most), never per event. Stopping unwinds with the
//! overflow as the panic payload, out of the replication, the rayon workers and the runner
//! (`simulate`, `paired`, staffing), all of which carry it unchanged; [`catch`] turns it back into
//! a value where a caller wants a `Result`, and [`silence`] keeps the default panic message for
//! it off stderr. (A `Result` through the event loop and every runner would change the
//! signature of each of them, and cost a check per event, for a case that ends the run.)

use std::fmt;
use std::panic::{self, AssertUnwindSafe};

use crate::model::limits::MAX_WAITING;

/// The queues of a replication passed [`MAX_WAITING`] contacts.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueOverflow {
    /// The scenario file.
    pub source: String,
    /// The channel whose contact would have been one too many.
    pub channel: String,
    /// The interval (`HH:MM`), or `the warm-up`.
    pub interval: String,
    /// What passed the bound: `queue` (waiting contacts, all queues together) or `callbacks`
    /// (pending callback requests of the surge playbook).
    pub what: &'static str,
}

impl fmt::Display for QueueOverflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}'s {} passed {MAX_WAITING} {} in {}: the offered load exceeds the agents; acdsim stops here rather than run out of memory (see README \"Reliability\")",
            self.source,
            self.channel,
            self.what,
            if self.what == "queue" {
                "waiting contacts (all queues together)"
            } else {
                "pending requests (all channels together)"
            },
            self.interval
        )
    }
}

/// Stops the run: unwinds with `o` as the payload.
#[cold]
pub fn stop(o: QueueOverflow) -> ! {
    panic::panic_any(o)
}

/// Runs `f`, returning the [`QueueOverflow`] that stopped it, if one did; any other panic goes
/// on unwinding.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, QueueOverflow> {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Ok(v),
        Err(payload) => match payload.downcast::<QueueOverflow>() {
            Ok(o) => Err(*o),
            Err(other) => panic::resume_unwind(other),
        },
    }
}

/// Installs a panic hook that says nothing for a [`QueueOverflow`] (its caller reports it) and
/// defers to the previous hook for every other panic.
pub fn silence() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !info.payload().is::<QueueOverflow>() {
            previous(info);
        }
    }));
}
