//! The validated model the engine runs: names resolved to indices, distributions built, every
//! cross-reference checked. Only [`crate::input::resolve()`] builds one from a file; tests and
//! the staffing search derive variants from it (more volume, other headcounts, another strategy).

pub mod cost;
pub mod dist;
pub mod limits;
pub mod playbook;
pub mod policy;
pub mod realism;
pub mod roster;

use serde::{Deserialize, Serialize};

use crate::model::dist::Dist;
use crate::model::playbook::Playbook;

/// What happens at closing time.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Closing {
    /// No new contacts arrive; the last interval's agents stay until every waiting contact is
    /// answered or abandons. Contacts waiting at closing are counted (`waiting_at_close`).
    #[default]
    Drain,
    /// Contacts still waiting at closing are dropped unanswered and counted as `unresolved`
    /// (still waiting at the end); contacts in service are finished.
    Cut,
}

/// Contact difficulty: hard contacts use the `hard` proficiency handle-time factors.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    #[default]
    Normal,
    Hard,
}

/// The routing strategy (see `crate::sim::routing` and the README).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum StrategyKind {
    #[default]
    SkillFirst,
    IdleFirst,
    ElderlyPriority,
    /// The scenario's score policy (`routing.policy`).
    Score,
    /// The presets: the built-in strategies as score policies, run by the score policy's code.
    ScoreSkillFirst,
    ScoreIdleFirst,
    ScoreElderlyPriority,
}

impl StrategyKind {
    pub const ALL: [StrategyKind; 3] = [
        StrategyKind::SkillFirst,
        StrategyKind::IdleFirst,
        StrategyKind::ElderlyPriority,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StrategyKind::SkillFirst => "skill-first",
            StrategyKind::IdleFirst => "idle-first",
            StrategyKind::ElderlyPriority => "elderly-priority",
            StrategyKind::Score => "score",
            StrategyKind::ScoreSkillFirst => "score-skill-first",
            StrategyKind::ScoreIdleFirst => "score-idle-first",
            StrategyKind::ScoreElderlyPriority => "score-elderly-priority",
        }
    }

    /// Every strategy a name can select: the built-ins, the scenario's score policy and the
    /// presets.
    pub const NAMED: [StrategyKind; 7] = [
        StrategyKind::SkillFirst,
        StrategyKind::IdleFirst,
        StrategyKind::ElderlyPriority,
        StrategyKind::Score,
        StrategyKind::ScoreSkillFirst,
        StrategyKind::ScoreIdleFirst,
        StrategyKind::ScoreElderlyPriority,
    ];

    pub fn parse(s: &str) -> Option<StrategyKind> {
        Self::NAMED.into_iter().find(|k| k.name() == s.trim())
    }

    /// The built-in strategy a preset reproduces (itself for a built-in; skill-first for the
    /// scenario's score policy, whose preset fills in nothing).
    pub fn builtin(self) -> StrategyKind {
        match self {
            StrategyKind::ScoreIdleFirst => StrategyKind::IdleFirst,
            StrategyKind::ScoreElderlyPriority => StrategyKind::ElderlyPriority,
            StrategyKind::IdleFirst | StrategyKind::ElderlyPriority => self,
            _ => StrategyKind::SkillFirst,
        }
    }

    /// Whether the strategy runs through the score policy's code path.
    pub fn is_score(self) -> bool {
        matches!(
            self,
            StrategyKind::Score
                | StrategyKind::ScoreSkillFirst
                | StrategyKind::ScoreIdleFirst
                | StrategyKind::ScoreElderlyPriority
        )
    }
}

/// Which service-level formula is reported (`N_T` = answered within the threshold).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SlFormula {
    /// N_T / (answered + abandoned).
    #[default]
    AnsweredAndAbandoned,
    /// N_T / answered.
    Answered,
    /// N_T / offered.
    Offered,
    /// N_T / (answered + abandoned - abandoned within `short_abandon_s`).
    ExcludeShortAbandons,
}

impl SlFormula {
    pub const ALL: [SlFormula; 4] = [
        SlFormula::AnsweredAndAbandoned,
        SlFormula::Answered,
        SlFormula::Offered,
        SlFormula::ExcludeShortAbandons,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SlFormula::AnsweredAndAbandoned => "answered_and_abandoned",
            SlFormula::Answered => "answered",
            SlFormula::Offered => "offered",
            SlFormula::ExcludeShortAbandons => "exclude_short_abandons",
        }
    }

    pub fn parse(s: &str) -> Option<SlFormula> {
        Self::ALL.into_iter().find(|k| k.name() == s.trim())
    }

    /// The formula in words, for reports.
    pub fn describe(self, short_abandon_s: f64) -> String {
        match self {
            SlFormula::AnsweredAndAbandoned => "answered within T / (answered + abandoned)".into(),
            SlFormula::Answered => "answered within T / answered".into(),
            SlFormula::Offered => "answered within T / offered".into(),
            SlFormula::ExcludeShortAbandons => {
                format!("answered within T / (answered + abandoned - abandoned within {short_abandon_s} s)")
            }
        }
    }
}

/// A service-level goal: `target` share answered within `threshold_s`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Goal {
    pub threshold_s: f64,
    pub target: f64,
    /// The share of days (replications) that must meet the goal, judged on the lower
    /// confidence bound of `goal_met`; `None`: judged on the service level itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_share: Option<f64>,
}

/// A channel's forecast error: its volume in each replication is multiplied by a gamma factor
/// with mean 1 and coefficient of variation `day_cv`, and each interval's by one with
/// `interval_cv`, so the arrivals are a mixed (doubly stochastic) Poisson process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastError {
    pub day_cv: f64,
    pub interval_cv: f64,
    /// The factors are the scenario's shared ones (the same for every channel sharing them),
    /// not the channel's own.
    pub shared: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ServiceLevelDef {
    pub formula: SlFormula,
    pub short_abandon_s: f64,
    pub long_wait_s: f64,
}

/// The scenario a report is about: its name, file, content hash and description.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub file: String,
    pub hash: String,
    pub description: String,
}

/// The service-level definition a report uses, in words and numbers.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceLevelInfo {
    pub formula: &'static str,
    pub definition: String,
    pub short_abandon_s: f64,
    pub long_wait_s: f64,
}

impl ScenarioInfo {
    /// Identification of the scenario `model` was loaded from.
    pub fn of(model: &Model) -> ScenarioInfo {
        ScenarioInfo {
            name: model.name.clone(),
            file: model.source.clone(),
            hash: model.hash.clone(),
            description: model.description.clone(),
        }
    }
}

impl ServiceLevelInfo {
    /// The service-level definition `model` uses.
    pub fn of(model: &Model) -> ServiceLevelInfo {
        ServiceLevelInfo {
            formula: model.sl.formula.name(),
            definition: model.sl.formula.describe(model.sl.short_abandon_s),
            short_abandon_s: model.sl.short_abandon_s,
            long_wait_s: model.sl.long_wait_s,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TypeMix {
    /// Index into [`Model::types`].
    pub type_: usize,
    pub share: f64,
    /// Indices into [`Model::skills`].
    pub skills: Vec<usize>,
    pub hard: bool,
    pub handle: Dist,
}

#[derive(Debug, Clone)]
pub struct SegmentMix {
    /// Index into [`Model::segments`].
    pub segment: usize,
    pub share: f64,
    pub patience: Dist,
    pub handle_factor: f64,
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub id: String,
    pub goal: Goal,
    pub concurrency: u32,
    /// Arrival rate (contacts per second) in each interval, multipliers applied.
    pub rates: Vec<f64>,
    pub types: Vec<TypeMix>,
    pub segments: Vec<SegmentMix>,
    /// `class_of[local type][local segment]` = index into [`Model::classes`].
    pub class_of: Vec<Vec<usize>>,
    /// Volume noise around the forecast (`None`: the rates are exact).
    pub forecast_error: Option<ForecastError>,
    /// Per interval, the factor on every handle time (talk, wrap-up, transferred work) of the
    /// channel's contacts arriving then: the forecast's `aht` over [`Model::mean_handle_s`], 1
    /// where the row leaves it empty; empty (all 1) without an `aht` column.
    pub handle_factors: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub id: String,
    pub goal: Option<Goal>,
}

/// A contact class: (channel, type, segment). Each class has its own FIFO queue in the engine.
#[derive(Debug, Clone)]
pub struct Class {
    pub channel: usize,
    pub type_: usize,
    pub segment: usize,
    pub local_type: usize,
    pub local_segment: usize,
    pub hard: bool,
    /// Groups that can serve the class with their proficiency level (min over the required
    /// skills), best level first, ties in file order.
    pub eligible: Vec<(usize, u8)>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    /// Level (1..=5) per skill in [`Model::skills`]; 0 = lacks the skill.
    pub levels: Vec<u8>,
    /// Load units a contact of each channel takes ([`Model::capacity`] / concurrency); 0 = cannot serve.
    pub units: Vec<u32>,
    /// Agents on duty in each interval.
    pub headcount: Vec<u32>,
    pub min: u32,
    pub max: u32,
    /// Reserve agents of a surge playbook (`crate::sim::playbook`): this many join when the playbook
    /// calls them (`headcount` is then 0 in every interval). 0 for a regular group.
    pub reserve: u32,
    /// Classes the group can serve, with its level for each.
    pub classes: Vec<(usize, u8)>,
}

#[derive(Debug, Clone)]
pub struct Routing {
    pub strategy: StrategyKind,
    /// Per segment: served first under elderly-priority.
    pub priority: Vec<bool>,
    /// Aging bound in seconds (infinite = strict priority).
    pub aging_s: f64,
    /// The scenario's score policy (`routing.policy`), run by strategy `score`.
    pub policy: Option<policy::ScorePolicy>,
    /// Overflow by delay and trunk reservation (`routing.overflow`, `routing.reservation`);
    /// empty when unused.
    pub constraints: policy::Constraints,
    /// A policy written in Rust ([`policy::RoutingPolicy`]), which then decides instead of the
    /// strategy.
    pub custom: Option<std::sync::Arc<dyn policy::RoutingPolicy>>,
}

impl Routing {
    /// Why strategy `kind` cannot run on this scenario, if it cannot (`score` without a
    /// `routing.policy`).
    pub fn unavailable(&self, kind: StrategyKind) -> Option<String> {
        (kind == StrategyKind::Score && self.policy.is_none()).then(|| {
            "strategy `score` needs a score policy: the scenario has no `routing.policy`".into()
        })
    }

    /// The score policy strategy `kind` runs, if it is a score strategy: the scenario's for
    /// `score`, a preset otherwise. With overflow, reservation or a custom policy every
    /// strategy runs on the score policy's path: a built-in one as its preset.
    pub fn score_policy(&self, kind: StrategyKind) -> Option<policy::ScorePolicy> {
        match kind {
            StrategyKind::Score => self.policy.clone(),
            k if k.is_score() || self.constraints.is_used() || self.custom.is_some() => {
                Some(policy::ScorePolicy::preset(k, &self.priority, self.aging_s))
            }
            _ => None,
        }
    }

    /// The name reports give the routing: the custom policy's, or the strategy's.
    pub fn strategy_name(&self) -> &'static str {
        self.custom
            .as_ref()
            .map_or(self.strategy.name(), |c| c.name())
    }
}

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub description: String,
    /// The scenario file it came from.
    pub source: String,
    /// First 16 hex digits of the SHA-256 of the scenario file (and its forecast CSV).
    pub hash: String,
    /// Opening time, seconds after midnight.
    pub open_s: f64,
    pub interval_s: f64,
    pub n_intervals: usize,
    pub warmup_s: f64,
    pub closing: Closing,
    pub seed: u64,
    pub replications: u64,
    pub sl: ServiceLevelDef,
    /// Volume factor applied on top of the file (`--surge`); already included in the rates.
    pub surge: f64,
    pub channels: Vec<Channel>,
    pub types: Vec<String>,
    pub segments: Vec<Segment>,
    pub skills: Vec<String>,
    pub groups: Vec<Group>,
    pub classes: Vec<Class>,
    /// Load units one agent holds.
    pub capacity: u32,
    pub routing: Routing,
    /// Handle-time factor per level 1..=5: `[normal, hard]`.
    pub proficiency: [[f64; 5]; 2],
    /// Threshold expressions declared in the file, for `acdsim check`.
    pub requirements: Vec<String>,
    /// The surge playbook (`surge_playbook`), if the scenario has one; its reserve groups are
    /// the last entries of `groups`.
    pub playbook: Option<Playbook>,
    /// Wrap-up, transfers, redials and outages ([`realism::Realism`]); empty when unused.
    pub realism: realism::Realism,
    /// Shifts, absenteeism and prices (`crate::model::roster`), if the scenario gives any.
    pub workforce: Option<roster::Workforce>,
}

/// `HH:MM` of `t` seconds after midnight (from 24:00 on, the hours after midnight).
pub fn clock_label(t: u64) -> String {
    format!("{:02}:{:02}", (t / 3600) % 24, (t % 3600) / 60)
}

impl Model {
    /// The same scenario with every arrival rate multiplied by `factor`.
    pub fn with_surge(&self, factor: f64) -> Model {
        let mut m = self.clone();
        for c in &mut m.channels {
            for r in &mut c.rates {
                *r *= factor;
            }
        }
        m.surge *= factor;
        m
    }

    /// The same scenario with another routing strategy.
    pub fn with_strategy(&self, s: StrategyKind) -> Model {
        let mut m = self.clone();
        m.routing.strategy = s;
        m
    }

    /// The same scenario routed by custom policy `p` ([`policy::RoutingPolicy`]).
    pub fn with_custom(&self, p: std::sync::Arc<dyn policy::RoutingPolicy>) -> Model {
        let mut m = self.clone();
        m.routing.custom = Some(p);
        m
    }

    /// The same scenario with its surge playbook switched off but its structure kept (reserve
    /// groups never join): the "without playbook" side of a paired run.
    pub fn without_playbook(&self) -> Model {
        let mut m = self.clone();
        if let Some(p) = &mut m.playbook {
            p.enabled = false;
        }
        m
    }

    /// Number of regular agent groups (`groups[..n]`; the rest are playbook reserves).
    pub fn regular_groups(&self) -> usize {
        self.playbook
            .as_ref()
            .map_or(self.groups.len(), |p| p.first_reserve)
    }

    /// Simulation time (seconds since the start of the warm-up) at which interval `k` starts.
    pub fn interval_start(&self, k: usize) -> f64 {
        self.warmup_s + k as f64 * self.interval_s
    }

    /// Simulation time at closing.
    pub fn close_time(&self) -> f64 {
        self.interval_start(self.n_intervals)
    }

    /// `HH:MM` label of interval `k`.
    pub fn interval_label(&self, k: usize) -> String {
        clock_label((self.open_s + k as f64 * self.interval_s) as u64)
    }

    /// Expected contacts of channel `c` in interval `k`.
    pub fn volume(&self, c: usize, k: usize) -> f64 {
        self.channels[c].rates[k] * self.interval_s
    }

    /// Mean handle time of channel `c`'s contacts at proficiency factor 1.
    pub fn mean_handle_s(&self, c: usize) -> f64 {
        let ch = &self.channels[c];
        let seg_factor: f64 = ch.segments.iter().map(|s| s.share * s.handle_factor).sum();
        ch.types
            .iter()
            .map(|t| t.share * t.handle.mean())
            .sum::<f64>()
            * seg_factor
            + self.realism_handle_s(c)
    }

    /// The factor on the handle times of channel `c`'s contacts that arrive in `interval` (the
    /// forecast's `aht`; -1, the warm-up, takes the first interval's, and a time after closing
    /// the last's).
    #[inline]
    pub fn handle_factor(&self, c: usize, interval: i32) -> f64 {
        let f = &self.channels[c].handle_factors;
        match f.len() {
            0 => 1.0,
            n => f[(interval.max(0) as usize).min(n - 1)],
        }
    }

    /// Mean handle time of channel `c`'s contacts arriving in interval `k` (the forecast's
    /// `aht` where it gives one).
    pub fn interval_handle_s(&self, c: usize, k: usize) -> f64 {
        self.mean_handle_s(c) * self.handle_factor(c, k as i32)
    }

    /// Offered load of channel `c` in interval `k`, in agent equivalents (Erlangs / concurrency).
    pub fn load_agents(&self, c: usize, k: usize) -> f64 {
        self.channels[c].rates[k] * self.interval_handle_s(c, k)
            / self.channels[c].concurrency as f64
    }

    /// Most agents a group ever has on duty (a playbook reserve: its count).
    pub fn max_headcount(&self, g: usize) -> u32 {
        let gr = &self.groups[g];
        if let Some(shifts) = self.shifts_of(g) {
            return roster::most_present(shifts);
        }
        gr.headcount
            .iter()
            .copied()
            .max()
            .unwrap_or(0)
            .max(gr.reserve)
    }

    /// Group `g`'s shifts, if it is staffed by shifts.
    pub fn shifts_of(&self, g: usize) -> Option<&[roster::Shift]> {
        self.workforce
            .as_ref()
            .and_then(|w| w.shifts.get(g))
            .and_then(|s| s.as_deref())
    }

    /// The same scenario with every group staffed by `headcount` (shifts dropped).
    pub fn with_headcount(&self, headcount: &[Vec<u32>]) -> Model {
        let mut m = self.clone();
        for (g, h) in m.groups.iter_mut().zip(headcount) {
            g.headcount.clone_from(h);
        }
        if let Some(w) = &mut m.workforce {
            w.shifts.iter_mut().for_each(|s| *s = None);
        }
        m
    }

    /// Warnings about the scenario that do not stop a run: intervals whose offered load
    /// exceeds the agents on duty (the queue then grows without bound).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for k in 0..self.n_intervals {
            let load: f64 = (0..self.channels.len())
                .map(|c| self.load_agents(c, k))
                .sum();
            let staff: u32 = self.groups.iter().map(|g| g.headcount[k]).sum();
            if load >= staff as f64 && load > 0.0 {
                out.push(format!(
                    "interval {}: offered load {:.1} agents exceeds the {} agents on duty: the queue grows without bound",
                    self.interval_label(k),
                    load,
                    staff
                ));
                continue;
            }
            for (c, ch) in self.channels.iter().enumerate() {
                let load = self.load_agents(c, k);
                let staff: u32 = self
                    .groups
                    .iter()
                    .filter(|g| g.units[c] > 0)
                    .map(|g| g.headcount[k])
                    .sum();
                if load >= staff as f64 && load > 0.0 {
                    out.push(format!(
                        "interval {}: channel {} offered load {:.1} agents exceeds the {} agents who can take it: the queue grows without bound",
                        self.interval_label(k),
                        ch.id,
                        load,
                        staff
                    ));
                }
            }
        }
        out
    }
}
