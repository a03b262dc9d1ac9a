//! Score-based routing: a waiting contact's priority and an agent's preference for a contact,
//! both weighted sums (see `crate::sim::routing` and the README's "Routing research").
//!
//! - A freed agent takes, among the contacts at the heads of the queues it can serve, the one
//!   with the highest `priority + freed_level x its level for the contact`; ties go to the
//!   contact waiting longest, then to the group's list order.
//! - A new contact goes to the agent with room whose preference is highest; ties go to the
//!   agent idle longest, then to the class's group order.
//!
//! The three built-in strategies are presets ([`ScorePolicy::preset`]): the weights are chosen
//! so that each level of the built-in strategy's lexicographic order dominates the next
//! (a level step is worth more than any wait), and the ties fall back to the same order.

use super::{Class, StrategyKind};

/// A base priority rule: contacts of the classes it matches (any channel, type or segment when
/// `None`) get `value` added to their base priority.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseRule {
    pub channel: Option<usize>,
    pub type_: Option<usize>,
    pub segment: Option<usize>,
    pub value: f64,
}

/// An agent's preference for a contact: weights on its proficiency level for it, on the rank of
/// its group in the class's group order (0 = first; the weight is subtracted per rank), on its
/// load units in hand (subtracted per unit) and on the seconds since its load last went down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgentWeights {
    pub level: f64,
    pub order: f64,
    pub load: f64,
    pub idle_per_s: f64,
    /// Subtracted per unit of the agent's occupancy so far today (busy seconds credited at each
    /// contact's start, divided by the seconds since the day began).
    pub occupancy: f64,
}

/// A score-based routing policy, as the scenario defines it (names resolved to indices).
#[derive(Debug, Clone, PartialEq)]
pub struct ScorePolicy {
    /// Base priority rules, summed over the rules a class matches.
    pub base: Vec<BaseRule>,
    /// Priority added per second waited.
    pub aging_per_s: f64,
    /// A contact that has waited at least this long has a priority of at least `promote_to`
    /// (infinite: never).
    pub promote_after_s: f64,
    pub promote_to: f64,
    /// Priority added, for a freed agent, per level of its proficiency for the contact.
    pub freed_level: f64,
    /// Priority added to a contact transferred to this queue (a transfer leg of realism's
    /// transfers).
    pub transfer_bonus: f64,
    pub agent: AgentWeights,
}

/// A level step in the presets: more than any wait (seconds) or idle time of a run.
const LEVEL_STEP: f64 = 1e9;
/// A load-unit step in the presets' agent choice: more than any idle time, less than a level.
const LOAD_STEP: f64 = 1e6;

impl ScorePolicy {
    /// The score policy that reproduces built-in strategy `kind`; `priority` marks the priority
    /// segments and `aging_s` is the aging bound of elderly-priority.
    pub fn preset(kind: StrategyKind, priority: &[bool], aging_s: f64) -> ScorePolicy {
        let skill_agents = AgentWeights {
            level: LEVEL_STEP,
            order: 0.0,
            load: LOAD_STEP,
            idle_per_s: 1.0,
            occupancy: 0.0,
        };
        match kind.builtin() {
            StrategyKind::IdleFirst => ScorePolicy {
                base: Vec::new(),
                aging_per_s: 1.0,
                promote_after_s: f64::INFINITY,
                promote_to: 0.0,
                freed_level: 0.0,
                transfer_bonus: 0.0,
                agent: AgentWeights {
                    level: 0.0,
                    ..skill_agents
                },
            },
            StrategyKind::ElderlyPriority => ScorePolicy {
                base: (0..priority.len())
                    .filter(|&s| priority[s])
                    .map(|s| BaseRule {
                        channel: None,
                        type_: None,
                        segment: Some(s),
                        value: 1.0,
                    })
                    .collect(),
                aging_per_s: 0.0,
                promote_after_s: aging_s,
                promote_to: 1.0,
                freed_level: 0.0,
                transfer_bonus: 0.0,
                agent: skill_agents,
            },
            _ => ScorePolicy {
                base: Vec::new(),
                aging_per_s: 1.0,
                promote_after_s: f64::INFINITY,
                promote_to: 0.0,
                freed_level: LEVEL_STEP,
                transfer_bonus: 0.0,
                agent: skill_agents,
            },
        }
    }

    /// The base priority of each class: the sum of the rules it matches.
    pub fn class_bases(&self, classes: &[Class]) -> Vec<f64> {
        classes
            .iter()
            .map(|c| {
                self.base
                    .iter()
                    .filter(|r| {
                        r.channel.is_none_or(|x| x == c.channel)
                            && r.type_.is_none_or(|x| x == c.type_)
                            && r.segment.is_none_or(|x| x == c.segment)
                    })
                    .map(|r| r.value)
                    .sum()
            })
            .collect()
    }
}

/// Overflow by delay and trunk reservation (README "Routing research"), resolved per (group,
/// class). Empty when the scenario uses neither: then the strategies run their own paths.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// Per (group, class), `g * classes + k`: the seconds a contact of class `k` must have
    /// waited before an agent of group `g` may take it (0: at once). Empty without overflow
    /// rules. A group an overflow rule leaves out is no longer eligible for the class at all
    /// (`Class::eligible` and `Group::classes` no longer list it).
    pub delay: Vec<f64>,
    /// Per group: the agents it keeps for its protected classes (0: no reservation). Empty
    /// without reservations.
    pub keep: Vec<u32>,
    /// Per (group, class): whether the group's reservation protects the class (its contacts
    /// are taken whatever the number of idle agents).
    pub protected: Vec<bool>,
}

impl Constraints {
    pub fn is_used(&self) -> bool {
        !self.delay.is_empty() || !self.keep.is_empty()
    }

    /// Whether an agent of group `g` may take a contact of class `k` (of `nk` classes) that has
    /// waited `waited` seconds, when `idle` of the group's agents are idle (the deciding agent
    /// included when it is idle): the delay has passed, and the class is protected or more than
    /// the kept agents are idle.
    #[inline]
    pub fn allows(&self, g: usize, k: usize, nk: usize, waited: f64, idle: usize) -> bool {
        let i = g * nk + k;
        if !self.delay.is_empty() && waited < self.delay[i] {
            return false;
        }
        self.keep.is_empty()
            || self.keep[g] == 0
            || self.protected[i]
            || idle > self.keep[g] as usize
    }
}

/// A contact a custom policy decides about: a new contact looking for an agent, or a waiting
/// one that has just become visible to more groups (overflow).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContactView {
    /// Its class (index into `Model::classes`: channel, type and segment).
    pub class: usize,
    /// When it joined its queue (simulation seconds).
    pub arrival: f64,
    /// It is a transfer leg (realism's transfers).
    pub transferred: bool,
}

/// An agent a custom policy may choose: per group, the agent idle longest (standing for the
/// group's idle agents) and every partly loaded agent with room.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgentView {
    /// The agent's index (stable for the replication).
    pub agent: usize,
    /// Its group (index into `Model::groups`).
    pub group: usize,
    /// Its proficiency level for the contact (1..=5).
    pub level: u8,
    /// The rank of its group among the groups that serve the class (0 = first).
    pub rank: usize,
    /// Load units it holds (of `Model::capacity`).
    pub load: u32,
    /// When its load last went down (or it came on duty).
    pub idle_since: f64,
    /// The factor of its handle times for the contact (proficiency; below 1: faster).
    pub handle_factor: f64,
    /// Its fully idle agents in the group.
    pub group_idle: usize,
}

/// A waiting contact at the head of its class's queue, as a freed agent sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadView {
    pub class: usize,
    pub arrival: f64,
    /// The freed agent's level for it.
    pub level: u8,
    /// Contacts waiting in the class's queue (abandoned ones not yet removed included).
    pub waiting: usize,
    /// It is a transfer leg.
    pub transferred: bool,
}

/// A routing policy written in Rust (README "Routing research", `examples/custom_policy.rs`).
///
/// The engine asks it two questions, and it sees only what the engine offers: the candidates
/// already respect eligibility, room, overflow delays and reservations, so a policy can only
/// choose among allowed moves. Contacts of one class stay first come, first served (only
/// queue heads are offered). Put it in `Model::routing.custom`
/// ([`super::Model::with_custom`]); every run, replication, report and comparison then uses
/// it. The built-in strategies never reach it: they keep their own statically dispatched code.
///
/// It must be deterministic (a function of its arguments), so that runs stay reproducible.
pub trait RoutingPolicy: Send + Sync + std::fmt::Debug {
    /// Its name, as reports give the strategy.
    fn name(&self) -> &'static str;

    /// Which of `agents` (never empty) takes `contact` at time `now`: an index into `agents`,
    /// or `None` to let it wait.
    fn choose_agent(
        &self,
        model: &super::Model,
        contact: &ContactView,
        agents: &[AgentView],
        now: f64,
    ) -> Option<usize>;

    /// Which of `heads` (never empty) the freed `agent` takes at time `now`: an index into
    /// `heads`, or `None` to stay free. (`agent.level` and `agent.rank` are 0 here: the level
    /// is per head.)
    fn choose_contact(
        &self,
        model: &super::Model,
        agent: &AgentView,
        heads: &[HeadView],
        now: f64,
    ) -> Option<usize>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(channel: usize, type_: usize, segment: usize) -> Class {
        Class {
            channel,
            type_,
            segment,
            local_type: type_,
            local_segment: segment,
            hard: false,
            eligible: Vec::new(),
        }
    }

    #[test]
    fn a_class_base_sums_the_rules_it_matches() {
        let mut p = ScorePolicy::preset(StrategyKind::SkillFirst, &[], f64::INFINITY);
        p.base = vec![
            BaseRule {
                channel: Some(0),
                type_: None,
                segment: None,
                value: 1.0,
            },
            BaseRule {
                channel: None,
                type_: Some(1),
                segment: Some(2),
                value: 10.0,
            },
        ];
        let bases = p.class_bases(&[
            class(0, 0, 0),
            class(0, 1, 2),
            class(1, 1, 2),
            class(1, 0, 2),
        ]);
        assert_eq!(bases, vec![1.0, 11.0, 10.0, 0.0]);
    }

    #[test]
    fn the_elderly_preset_gives_the_priority_segments_a_base_and_promotes_at_the_aging_bound() {
        let p = ScorePolicy::preset(StrategyKind::ScoreElderlyPriority, &[false, true], 60.0);
        assert_eq!(
            p.class_bases(&[class(0, 0, 0), class(0, 0, 1)]),
            vec![0.0, 1.0]
        );
        assert_eq!(
            (p.promote_after_s, p.promote_to, p.aging_per_s),
            (60.0, 1.0, 0.0)
        );
        assert_eq!(p.freed_level, 0.0);
        let idle = ScorePolicy::preset(StrategyKind::ScoreIdleFirst, &[false, true], 60.0);
        assert_eq!((idle.agent.level, idle.freed_level), (0.0, 0.0));
    }
}
