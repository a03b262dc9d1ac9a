//! `elderly-priority`: agents are chosen as in skill-first, but a freed agent answers waiting
//! contacts of the priority segments (by default `elderly`) before any other contact it could
//! take, oldest first (non-preemptive priority: a call in progress is never interrupted). With an
//! aging bound `aging_s`, a contact of another segment that has waited at least that long joins
//! the priority class, ordered by arrival, so no contact waits without limit. Without it the
//! discipline is strict priority (Cobham's model).

use super::{Head, Strategy};

#[derive(Debug, Clone, Copy)]
pub struct ElderlyPriority {
    pub aging_s: f64,
}

impl Strategy for ElderlyPriority {
    fn proficiency_first(&self) -> bool {
        true
    }

    #[inline]
    fn contact_rank(&self, head: &Head, now: f64) -> (u32, f64) {
        let urgent = head.priority || now - head.arrival >= self.aging_s;
        (if urgent { 0 } else { 1 }, head.arrival)
    }
}
