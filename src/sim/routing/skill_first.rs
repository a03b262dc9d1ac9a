//! `skill-first`: a new contact goes to the idle eligible agent with the best proficiency level
//! for its skills (so hard contacts reach senior agents whenever one is free), ties to the agent
//! idle longest. A freed agent takes, among the waiting contacts it can serve, the one it is most
//! proficient for; ties to the one waiting longest.

use super::{Head, Strategy};

#[derive(Debug, Clone, Copy, Default)]
pub struct SkillFirst;

impl Strategy for SkillFirst {
    fn proficiency_first(&self) -> bool {
        true
    }

    #[inline]
    fn contact_rank(&self, head: &Head, _now: f64) -> (u32, f64) {
        (5 - head.level as u32, head.arrival)
    }
}
