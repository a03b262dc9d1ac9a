//! `idle-first`: a new contact goes to the eligible agent idle longest, whatever the agent's
//! proficiency (balances load across groups). A freed agent takes the contact that has waited
//! longest among those it can serve (first come, first served across queues).

use super::{Head, Strategy};

#[derive(Debug, Clone, Copy, Default)]
pub struct IdleFirst;

impl Strategy for IdleFirst {
    fn proficiency_first(&self) -> bool {
        false
    }

    #[inline]
    fn contact_rank(&self, head: &Head, _now: f64) -> (u32, f64) {
        (0, head.arrival)
    }
}
