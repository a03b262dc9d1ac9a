//! `score` and the presets: a score-based policy ([`crate::model::policy::ScorePolicy`]) with
//! its base priorities worked out per class. The engine routes it through its own path
//! (`sim::engine::score`); the built-in strategies keep theirs.

use crate::model::policy::ScorePolicy;
use crate::model::Model;

/// A score policy ready for the loop.
#[derive(Debug, Clone)]
pub struct ScoreRouter {
    /// Base priority per class.
    pub bases: Vec<f64>,
    pub policy: ScorePolicy,
}

impl ScoreRouter {
    pub fn new(model: &Model, policy: ScorePolicy) -> ScoreRouter {
        ScoreRouter {
            bases: policy.class_bases(&model.classes),
            policy,
        }
    }

    /// The priority of a contact of class `k` that arrived at `arrival`, at time `now`, for a
    /// freed agent whose level for it is `level`: the highest is taken.
    #[inline]
    pub fn priority(&self, k: usize, arrival: f64, level: u8, now: f64) -> f64 {
        let p = &self.policy;
        let wait = now - arrival;
        let mut s = self.bases[k] + p.aging_per_s * wait;
        if wait >= p.promote_after_s && s < p.promote_to {
            s = p.promote_to;
        }
        s + p.freed_level * level as f64
    }

    /// An agent's preference for a new contact: `level` its level for it, `rank` its group's
    /// place in the class's group order, `load` its load units in hand, `since` when its load
    /// last went down. The highest is chosen.
    #[inline]
    pub fn preference(&self, level: u8, rank: usize, load: u32, since: f64, now: f64) -> f64 {
        let w = &self.policy.agent;
        w.level * level as f64 - w.order * rank as f64 - w.load * load as f64
            + w.idle_per_s * (now - since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::policy::{AgentWeights, BaseRule};

    fn router(policy: ScorePolicy) -> ScoreRouter {
        ScoreRouter {
            bases: vec![0.0, 5.0],
            policy,
        }
    }

    #[test]
    fn priority_sums_base_aging_promotion_and_level() {
        let r = router(ScorePolicy {
            base: vec![BaseRule {
                channel: None,
                type_: None,
                segment: Some(1),
                value: 5.0,
            }],
            aging_per_s: 0.5,
            promote_after_s: 60.0,
            promote_to: 100.0,
            freed_level: 2.0,
            agent: AgentWeights {
                level: 1.0,
                order: 3.0,
                load: 10.0,
                idle_per_s: 0.25,
            },
        });
        assert_eq!(r.priority(1, 0.0, 3, 10.0), 5.0 + 5.0 + 6.0);
        assert_eq!(r.priority(0, 0.0, 1, 59.0), 29.5 + 2.0);
        assert_eq!(r.priority(0, 0.0, 1, 60.0), 100.0 + 2.0);
        assert_eq!(r.preference(4, 1, 2, 0.0, 8.0), 4.0 - 3.0 - 20.0 + 2.0);
    }
}
