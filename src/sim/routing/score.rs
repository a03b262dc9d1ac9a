//! `score` and the presets: a score-based policy ([`crate::model::policy::ScorePolicy`]) with
//! its base priorities worked out per class. The engine routes it through its own path
//! (`sim::engine::score`), the *general path*, which also runs overflow by delay, trunk
//! reservation and custom policies (a built-in strategy then runs as its preset); the built-in
//! strategies keep theirs otherwise.

use std::sync::Arc;

use crate::model::policy::{AgentView, Constraints, HeadView, RoutingPolicy, ScorePolicy};
use crate::model::Model;

/// A score policy ready for the loop, with the constraints and the custom policy the general
/// path applies, and its per-replication state.
#[derive(Debug, Clone)]
pub struct ScoreRouter {
    /// Base priority per class.
    pub bases: Vec<f64>,
    pub policy: ScorePolicy,
    /// Overflow delays and reservations ([`Constraints`]; empty when unused).
    pub constraints: Constraints,
    /// Per class: its distinct positive overflow delays, ascending (an overflow event at a
    /// waiting contact's arrival + each).
    pub stages: Vec<Vec<f64>>,
    /// The custom policy that decides instead of the weights, if any.
    pub custom: Option<Arc<dyn RoutingPolicy>>,
    /// Per agent: busy seconds credited so far (for the occupancy weight; empty when its
    /// weight is 0 and no custom policy runs).
    pub busy: Vec<f64>,
    /// Scratch lists of the candidates offered to a custom policy.
    pub agents_buf: Vec<AgentView>,
    pub heads_buf: Vec<HeadView>,
}

impl ScoreRouter {
    pub fn new(model: &Model, policy: ScorePolicy) -> ScoreRouter {
        let c = &model.routing.constraints;
        let nk = model.classes.len();
        let stages = (0..nk)
            .map(|k| {
                let mut d: Vec<f64> = (0..model.groups.len())
                    .filter_map(|g| c.delay.get(g * nk + k).copied())
                    .filter(|&d| d > 0.0)
                    .collect();
                d.sort_by(f64::total_cmp);
                d.dedup();
                d
            })
            .collect();
        let agents: usize = (0..model.groups.len())
            .map(|g| model.max_headcount(g) as usize)
            .sum();
        let occupancy = policy.agent.occupancy != 0.0;
        ScoreRouter {
            bases: policy.class_bases(&model.classes),
            policy,
            constraints: c.clone(),
            stages,
            custom: model.routing.custom.clone(),
            busy: if occupancy {
                vec![0.0; agents]
            } else {
                Vec::new()
            },
            agents_buf: Vec::new(),
            heads_buf: Vec::new(),
        }
    }

    /// Whether the engine must take the general path for every group (no one-class shortcut):
    /// overflow, reservation, a custom policy or the occupancy weight.
    pub fn general(&self) -> bool {
        self.constraints.is_used() || self.custom.is_some() || !self.busy.is_empty()
    }

    /// The priority of a contact of class `k` that arrived at `arrival`, at time `now`, for a
    /// freed agent whose level for it is `level` (`transferred`: a transfer leg): the highest
    /// is taken.
    #[inline]
    pub fn priority(&self, k: usize, arrival: f64, level: u8, transferred: bool, now: f64) -> f64 {
        let p = &self.policy;
        let wait = now - arrival;
        let mut s = self.bases[k] + p.aging_per_s * wait;
        if wait >= p.promote_after_s && s < p.promote_to {
            s = p.promote_to;
        }
        if transferred {
            s += p.transfer_bonus;
        }
        s + p.freed_level * level as f64
    }

    /// An agent's preference for a new contact: `level` its level for it, `rank` its group's
    /// place in the class's group order, `load` its load units in hand, `since` when its load
    /// last went down, `occupancy` its occupancy so far today. The highest is chosen.
    #[inline]
    pub fn preference(
        &self,
        level: u8,
        rank: usize,
        load: u32,
        since: f64,
        occupancy: f64,
        now: f64,
    ) -> f64 {
        let w = &self.policy.agent;
        let p = w.level * level as f64 - w.order * rank as f64 - w.load * load as f64
            + w.idle_per_s * (now - since);
        if w.occupancy != 0.0 {
            p - w.occupancy * occupancy
        } else {
            p
        }
    }

    /// Agent `a`'s occupancy so far at `now`: its credited busy seconds over the seconds since
    /// the day began (0 without the occupancy weight).
    #[inline]
    pub fn occupancy(&self, a: usize, now: f64) -> f64 {
        match self.busy.get(a) {
            Some(&b) if now > 0.0 => b / now,
            _ => 0.0,
        }
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
            constraints: Constraints::default(),
            stages: Vec::new(),
            custom: None,
            busy: vec![30.0],
            agents_buf: Vec::new(),
            heads_buf: Vec::new(),
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
            transfer_bonus: 7.0,
            agent: AgentWeights {
                level: 1.0,
                order: 3.0,
                load: 10.0,
                idle_per_s: 0.25,
                occupancy: 100.0,
            },
        });
        assert_eq!(r.priority(1, 0.0, 3, false, 10.0), 5.0 + 5.0 + 6.0);
        assert_eq!(r.priority(1, 0.0, 3, true, 10.0), 5.0 + 5.0 + 6.0 + 7.0);
        assert_eq!(r.priority(0, 0.0, 1, false, 59.0), 29.5 + 2.0);
        assert_eq!(r.priority(0, 0.0, 1, false, 60.0), 100.0 + 2.0);
        assert_eq!(r.occupancy(0, 60.0), 0.5);
        assert_eq!(
            r.preference(4, 1, 2, 0.0, 0.5, 8.0),
            4.0 - 3.0 - 20.0 + 2.0 - 50.0
        );
    }
}
