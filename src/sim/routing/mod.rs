//! Routing strategies: which agent takes a new contact, and which waiting contact a freed agent
//! takes. Each strategy lives in its own file behind [`Strategy`]; the engine calls them through
//! the [`Router`] enum (a `match`, no dynamic dispatch in the hot loop).
//!
//! Common rules, whatever the strategy:
//! - an agent is *eligible* for a contact when its group handles the contact's channel and has
//!   every skill the contact's type requires; its *level* for the contact is its lowest
//!   proficiency among those skills;
//! - an agent with room for the contact (load + the contact's load units <= capacity) can take
//!   it; among such agents a fully idle one beats a partly loaded one (chat), then the one whose
//!   load dropped longest ago ("idle longest");
//! - waiting contacts of one class (channel, type, segment) are served first come, first served.

mod elderly_priority;
mod idle_first;
mod score;
mod skill_first;

pub use elderly_priority::ElderlyPriority;
pub use idle_first::IdleFirst;
pub use score::ScoreRouter;
pub use skill_first::SkillFirst;

use crate::model::{Model, StrategyKind};

/// A contact at the head of its class queue, as a freed agent sees it.
#[derive(Debug, Clone, Copy)]
pub struct Head {
    /// Arrival time (simulation seconds).
    pub arrival: f64,
    /// The freed agent's proficiency level for this contact (1..=5).
    pub level: u8,
    /// The contact belongs to a priority segment (elderly-priority).
    pub priority: bool,
}

/// A routing strategy.
pub trait Strategy {
    /// True: a new contact goes to the eligible agent with the best level first, then by idle
    /// time. False: idle time alone decides.
    fn proficiency_first(&self) -> bool;

    /// Rank of a waiting contact for a freed agent at time `now`: the lowest rank is taken;
    /// ranks compare lexicographically.
    fn contact_rank(&self, head: &Head, now: f64) -> (u32, f64);
}

/// The strategies, dispatched by `match`. A score policy (`score` and the presets) has its own
/// path in the engine, which asks [`Strategy`] nothing of it.
#[derive(Debug, Clone)]
pub enum Router {
    SkillFirst(SkillFirst),
    IdleFirst(IdleFirst),
    ElderlyPriority(ElderlyPriority),
    Score(Box<ScoreRouter>),
}

impl Router {
    /// Whether arrivals schedule timed events of the router's own (overflow by delay): the
    /// event loop must then look at the later events' time at every event.
    pub fn schedules_events(&self) -> bool {
        matches!(self, Router::Score(s) if s.stages.iter().any(|d| !d.is_empty()))
    }

    pub fn for_model(model: &Model) -> Router {
        let kind = model.routing.strategy;
        if let Some(p) = model.routing.score_policy(kind) {
            return Router::Score(Box::new(ScoreRouter::new(model, p)));
        }
        match kind.builtin() {
            StrategyKind::SkillFirst => Router::SkillFirst(SkillFirst),
            StrategyKind::IdleFirst => Router::IdleFirst(IdleFirst),
            StrategyKind::ElderlyPriority => Router::ElderlyPriority(ElderlyPriority {
                aging_s: model.routing.aging_s,
            }),
            _ => Router::SkillFirst(SkillFirst),
        }
    }
}

impl Strategy for Router {
    #[inline]
    fn proficiency_first(&self) -> bool {
        match self {
            Router::SkillFirst(s) => s.proficiency_first(),
            Router::IdleFirst(s) => s.proficiency_first(),
            Router::ElderlyPriority(s) => s.proficiency_first(),
            Router::Score(_) => SkillFirst.proficiency_first(),
        }
    }

    #[inline]
    fn contact_rank(&self, head: &Head, now: f64) -> (u32, f64) {
        match self {
            Router::SkillFirst(s) => s.contact_rank(head, now),
            Router::IdleFirst(s) => s.contact_rank(head, now),
            Router::ElderlyPriority(s) => s.contact_rank(head, now),
            Router::Score(_) => SkillFirst.contact_rank(head, now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(arrival: f64, level: u8, priority: bool) -> Head {
        Head {
            arrival,
            level,
            priority,
        }
    }

    fn pick<S: Strategy>(s: &S, heads: &[Head], now: f64) -> usize {
        let mut best = 0;
        for (i, x) in heads.iter().enumerate() {
            if s.contact_rank(x, now) < s.contact_rank(&heads[best], now) {
                best = i;
            }
        }
        best
    }

    #[test]
    fn skill_first_prefers_level_then_age() {
        let heads = [h(10.0, 2, false), h(20.0, 4, false), h(5.0, 4, false)];
        assert_eq!(pick(&SkillFirst, &heads, 30.0), 2);
        assert!(SkillFirst.proficiency_first());
    }

    #[test]
    fn idle_first_is_fifo_across_queues() {
        let heads = [h(10.0, 2, false), h(20.0, 5, true), h(5.0, 1, false)];
        assert_eq!(pick(&IdleFirst, &heads, 30.0), 2);
        assert!(!IdleFirst.proficiency_first());
    }

    #[test]
    fn elderly_priority_with_aging() {
        let strict = ElderlyPriority {
            aging_s: f64::INFINITY,
        };
        let aged = ElderlyPriority { aging_s: 60.0 };
        let heads = [h(0.0, 3, false), h(50.0, 3, true)];
        // At t = 55 the regular contact has waited 55 s: the elderly one goes first either way.
        assert_eq!(pick(&strict, &heads, 55.0), 1);
        assert_eq!(pick(&aged, &heads, 55.0), 1);
        // At t = 70 it has waited 70 s > 60 s: with aging it is as urgent and older.
        assert_eq!(pick(&strict, &heads, 70.0), 1);
        assert_eq!(pick(&aged, &heads, 70.0), 0);
    }
}
