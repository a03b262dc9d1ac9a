//! The scenario file as written: [`ScenarioFile`] and its parts mirror the JSON exactly (unknown
//! fields refused), and [`parse`] reads it, naming the JSON path of a value it cannot take.
//! [`crate::input::resolve()`] turns it into the validated model. The format is documented field by
//! field in the README ("Scenario format").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::model::dist::DistSpec;
use crate::model::{Closing, Difficulty, SlFormula, StrategyKind};

/// The scenario file as written.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a scenario: an object with name, day, channels and agent_groups")]
pub struct ScenarioFile {
    /// The JSON Schema an editor validates the file against (ignored by acdsim), e.g.
    /// `"$schema": "../schemas/scenario.schema.json"`.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub json_schema: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub day: DayFile,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default = "default_replications")]
    pub replications: u64,
    #[serde(default)]
    pub service_level: ServiceLevelFile,
    /// Forecast CSV (`channel,interval_start,offered`), relative to the scenario file.
    #[serde(default)]
    pub forecast_csv: Option<String>,
    /// Multiplies every channel's volume (the CLI's `--surge` multiplies again).
    #[serde(default = "one")]
    pub volume_multiplier: f64,
    /// Day-to-day and interval-to-interval volume noise around the forecast, for every channel
    /// without its own (README "Forecast uncertainty").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast_error: Option<ForecastErrorFile>,
    pub channels: Vec<ChannelFile>,
    /// Segment goals (optional): e.g. elderly 90% answered within 45 s.
    #[serde(default)]
    pub segments: Vec<SegmentFile>,
    pub agent_groups: Vec<GroupFile>,
    #[serde(default)]
    pub routing: RoutingFile,
    #[serde(default)]
    pub proficiency: ProficiencyFile,
    /// Thresholds for `acdsim check`, e.g. `"phone.service_level >= 0.85"`.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// The emergency plan for surges (README "Surge playbook").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surge_playbook: Option<SurgePlaybookFile>,
    /// System failures and their fallback (README "Realism").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outages: Vec<crate::input::scenario_realism::OutageFile>,
    /// Absenteeism and break handling for groups staffed by shifts (README "Rosters").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workforce: Option<WorkforceFile>,
}

fn default_seed() -> u64 {
    1
}
fn default_replications() -> u64 {
    1000
}
fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "the day: an object with open, interval_minutes and intervals")]
pub struct DayFile {
    /// Opening time, `HH:MM`.
    pub open: String,
    /// 15, 30 or 60.
    pub interval_minutes: u32,
    pub intervals: u32,
    /// Simulated before opening with the first interval's volume and staff, not reported.
    #[serde(default)]
    pub warmup_minutes: f64,
    #[serde(default)]
    pub closing: Closing,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(
    expecting = "the service-level definition: an object with formula, short_abandon_s or long_wait_s"
)]
pub struct ServiceLevelFile {
    #[serde(default)]
    pub formula: SlFormula,
    #[serde(default = "default_short_abandon")]
    pub short_abandon_s: f64,
    #[serde(default = "default_long_wait")]
    pub long_wait_s: f64,
}

fn default_short_abandon() -> f64 {
    5.0
}
fn default_long_wait() -> f64 {
    45.0
}

impl Default for ServiceLevelFile {
    fn default() -> Self {
        ServiceLevelFile {
            formula: SlFormula::default(),
            short_abandon_s: 5.0,
            long_wait_s: 45.0,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a goal: an object with threshold_s and target")]
pub struct GoalFile {
    pub threshold_s: f64,
    pub target: f64,
    /// Share of days (replications) on which the goal must be met (0..1], e.g. 0.85: judged on
    /// the lower confidence bound of the row's `goal_met` by `staff`, `check` and the table's
    /// status (README "Forecast uncertainty"). Absent: the goal is judged on the mean service level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_share: Option<f64>,
}

/// `forecast_error` (scenario-wide, or one channel's): how far a day's volume strays from the
/// forecast. Each replication's volume of a channel is multiplied by a gamma factor with mean 1
/// and coefficient of variation `day_cv` (one per day), and each interval's again by one with
/// `interval_cv` (README "Forecast uncertainty").
#[derive(Debug, Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a forecast error: an object with day_cv and/or interval_cv")]
pub struct ForecastErrorFile {
    /// Coefficient of variation (>= 0) of the day's volume factor; 0: none.
    #[serde(default)]
    pub day_cv: f64,
    /// Coefficient of variation (>= 0) of each interval's volume factor; 0: none.
    #[serde(default)]
    pub interval_cv: f64,
    /// Scenario-wide only: every channel without a `forecast_error` of its own shares the same
    /// factors (a busy day is busy on every channel); false: each channel draws its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<bool>,
}

/// Volume per interval: one number for every interval, or one per interval.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
#[serde(
    expecting = "expected a volume: a number of contacts >= 0, or a list of them with one per interval"
)]
pub enum VolumeFile {
    Constant(f64),
    PerInterval(Vec<f64>),
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a channel: an object with id, goal, types and segments")]
pub struct ChannelFile {
    pub id: String,
    pub goal: GoalFile,
    /// Contacts of this channel one agent holds at once, unless a group says otherwise.
    #[serde(default = "one_u32")]
    pub concurrency: u32,
    /// Expected contacts per interval (omit when `forecast_csv` is given).
    #[serde(default)]
    pub volume: Option<VolumeFile>,
    pub types: Vec<TypeFile>,
    pub segments: Vec<SegmentMixFile>,
    /// Customers who abandon call again (README "Realism").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redial: Option<crate::input::scenario_realism::RedialFile>,
    /// This channel's forecast error, instead of the scenario's (README "Forecast uncertainty").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast_error: Option<ForecastErrorFile>,
}

fn one_u32() -> u32 {
    1
}

/// `surge_playbook`: the emergency plan (README "Surge playbook").
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(
    expecting = "a surge playbook: an object with trigger, activation_delay_minutes, reserve, divert or announcement"
)]
pub struct SurgePlaybookFile {
    #[serde(default)]
    pub trigger: TriggerFile,
    /// Minutes from the activation until the reserve agents are on duty.
    #[serde(default)]
    pub activation_delay_minutes: f64,
    #[serde(default)]
    pub reserve: Vec<ReserveFile>,
    #[serde(default)]
    pub divert: Vec<DivertFile>,
    #[serde(default)]
    pub announcement: Option<AnnouncementFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a trigger: an object with load_ratio and channels")]
pub struct TriggerFile {
    /// Offered contacts over planned volume that activates the playbook (1.2 = 120%).
    #[serde(default = "default_load_ratio")]
    pub load_ratio: f64,
    /// Channels whose contacts are counted (absent: all).
    #[serde(default)]
    pub channels: Option<Vec<String>>,
}

fn default_load_ratio() -> f64 {
    1.2
}

impl Default for TriggerFile {
    fn default() -> Self {
        TriggerFile {
            load_ratio: default_load_ratio(),
            channels: None,
        }
    }
}

/// A reserve agent group: like an agent group, with a count instead of a headcount.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a reserve group: an object with id, skills and count")]
pub struct ReserveFile {
    pub id: String,
    pub skills: BTreeMap<String, u8>,
    #[serde(default)]
    pub channels: Option<BTreeMap<String, u32>>,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a diversion: an object with type and share")]
pub struct DivertFile {
    /// Contact type id.
    #[serde(rename = "type")]
    pub type_: String,
    /// Probability that an arriving contact of the type goes to self-service.
    pub share: f64,
    /// Channels where the type is diverted (absent: every channel offering it).
    #[serde(default)]
    pub channels: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "an announcement: an object with limit_s, callback_share and hangup_share")]
pub struct AnnouncementFile {
    #[serde(default = "default_announcement_channels")]
    pub channels: Vec<String>,
    /// Estimated waits above this (seconds) make callers choose.
    pub limit_s: f64,
    #[serde(default)]
    pub callback_share: f64,
    #[serde(default)]
    pub hangup_share: f64,
}

fn default_announcement_channels() -> Vec<String> {
    vec!["phone".into()]
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a contact type: an object with id, share, skills and handle_time")]
pub struct TypeFile {
    pub id: String,
    pub share: f64,
    pub skills: Vec<String>,
    #[serde(default)]
    pub difficulty: Difficulty,
    pub handle_time: DistSpec,
    /// After-call work: the agent stays busy this long after the conversation (README
    /// "Realism").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap_up: Option<DistSpec>,
    /// The share of these contacts the first agent does not resolve, and where they go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<crate::input::scenario_realism::TransferFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a customer segment: an object with id, share and patience")]
pub struct SegmentMixFile {
    pub id: String,
    pub share: f64,
    pub patience: DistSpec,
    #[serde(default = "one")]
    pub handle_time_factor: f64,
    /// The segment's own redial rule (instead of its channel's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redial: Option<crate::input::scenario_realism::RedialFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a segment: an object with id and goal")]
pub struct SegmentFile {
    pub id: String,
    #[serde(default)]
    pub goal: Option<GoalFile>,
}

/// Headcount: one number for every interval, or one per interval.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
#[serde(
    expecting = "expected a headcount: a whole number of agents >= 0, or a list of them with one per interval"
)]
pub enum HeadcountFile {
    Constant(u32),
    PerInterval(Vec<u32>),
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "an agent group: an object with id, skills and headcount")]
pub struct GroupFile {
    pub id: String,
    /// Skill tag -> proficiency level 1 (junior) ..= 5 (senior).
    pub skills: BTreeMap<String, u8>,
    /// Channel -> concurrency for this group; absent: every channel at its own concurrency.
    #[serde(default)]
    pub channels: Option<BTreeMap<String, u32>>,
    /// Agents on duty per interval; a group has either a headcount or `shifts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headcount: Option<HeadcountFile>,
    /// The group's shifts (README "Rosters"), instead of a headcount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shifts: Option<Vec<ShiftFile>>,
    /// Price of one paid hour of an agent of the group (reports then give the day's cost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_hour: Option<f64>,
    /// Bounds for `acdsim staff` (default 0 and 10,000).
    #[serde(default)]
    pub min: Option<u32>,
    #[serde(default)]
    pub max: Option<u32>,
}

/// A block of identical shifts of a group.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a shift: an object with start, minutes and agents")]
pub struct ShiftFile {
    /// Start, `HH:MM` (at or after opening).
    pub start: String,
    /// Length in minutes, breaks included (the shift ends at or before closing).
    pub minutes: u32,
    /// Agents working the shift.
    pub agents: u32,
    #[serde(default)]
    pub breaks: Vec<BreakFile>,
    /// A name for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Premium per paid hour on top of the group's `cost_per_hour` (evening, weekend).
    #[serde(default)]
    pub premium_per_hour: f64,
}

/// A break of a shift at a fixed time.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a break: an object with start and minutes")]
pub struct BreakFile {
    /// Start, `HH:MM`, within the shift.
    pub start: String,
    pub minutes: u32,
    /// Paid breaks count in the paid hours (default true).
    #[serde(default = "yes")]
    pub paid: bool,
}

fn yes() -> bool {
    true
}

/// Workforce settings: absenteeism and how breaks yield to a contact in hand.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "the workforce settings: an object with absence and break_mode")]
pub struct WorkforceFile {
    /// Share of rostered agents absent on a day (0..1), drawn per replication.
    #[serde(default)]
    pub absence: f64,
    /// `shorten` (the break still ends on time) or `shift` (taken in full once free).
    #[serde(default)]
    pub break_mode: crate::model::roster::BreakMode,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(
    expecting = "the routing: an object with strategy, priority_segments, aging_s, policy, overflow or reservation"
)]
pub struct RoutingFile {
    #[serde(default)]
    pub strategy: StrategyKind,
    /// Segments served first under `elderly-priority`.
    #[serde(default = "default_priority_segments")]
    pub priority_segments: Vec<String>,
    /// Under `elderly-priority`, a contact of another segment that has waited this long is
    /// served as if it were a priority contact. Absent: no aging (strict priority).
    #[serde(default)]
    pub aging_s: Option<f64>,
    /// The score policy that strategy `score` runs (README "Routing research").
    #[serde(default)]
    pub policy: Option<PolicyFile>,
    /// Overflow by delay: per contact class (the first rule that matches it), the groups that
    /// may take it and after how long it has waited (README "Routing research").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overflow: Vec<OverflowFile>,
    /// Trunk reservation: a group keeps agents for some segments or types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reservation: Vec<ReservationFile>,
}

/// An overflow rule: the classes it matches (any channel, type or segment when absent) and the
/// groups that may take them, each after a delay.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "an overflow rule: an object with channel, type, segment and groups")]
pub struct OverflowFile {
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    #[serde(default)]
    pub segment: Option<String>,
    /// In order, e.g. the primary group at once, a backup after 20 s, anyone (`*`) after 60 s.
    /// Groups not listed (and not covered by `*`) never take the matched contacts.
    pub groups: Vec<OverflowStepFile>,
}

/// A group of an overflow rule and the seconds a contact must have waited before it may take it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "an overflow step: an object with group and after_s")]
pub struct OverflowStepFile {
    /// A group id, or `*`: every other group that can serve the contact.
    pub group: String,
    #[serde(default)]
    pub after_s: f64,
}

/// A trunk reservation: `group` keeps `agents` agents for contacts of the listed segments or
/// types; other contacts are taken only while more than `agents` of its agents are idle.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a reservation: an object with group, agents, segments and types")]
pub struct ReservationFile {
    pub group: String,
    pub agents: u32,
    #[serde(default)]
    pub segments: Vec<String>,
    #[serde(default)]
    pub types: Vec<String>,
}

/// A score-based routing policy: a waiting contact's priority and an agent's preference.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(
    expecting = "the policy: an object with base, aging_per_s, promote_after_s, promote_to, freed_level, transfer_bonus or agent"
)]
pub struct PolicyFile {
    /// Base priorities: a contact's base is the sum of the values of the rules it matches.
    #[serde(default)]
    pub base: Vec<BaseRuleFile>,
    /// Priority added per second waited (default 0).
    #[serde(default)]
    pub aging_per_s: f64,
    /// A contact that has waited this many seconds has a priority of at least `promote_to`.
    #[serde(default)]
    pub promote_after_s: Option<f64>,
    #[serde(default)]
    pub promote_to: f64,
    /// Priority added, for a freed agent, per level of its proficiency for the contact.
    #[serde(default)]
    pub freed_level: f64,
    /// Priority added to a transferred contact (a transfer leg of `realism.transfers`).
    #[serde(default)]
    pub transfer_bonus: f64,
    /// How a new contact chooses among the agents with room.
    #[serde(default)]
    pub agent: AgentWeightsFile,
}

/// A base-priority rule; an absent channel, type or segment matches any.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a base rule: an object with channel, type, segment and value")]
pub struct BaseRuleFile {
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    #[serde(default)]
    pub segment: Option<String>,
    pub value: f64,
}

/// An agent's preference for a new contact: per proficiency level, per rank of its group in
/// the class's group order (subtracted), per load unit in hand (subtracted), per second idle.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(
    expecting = "the agent weights: an object with level, order, load, idle_per_s and occupancy"
)]
pub struct AgentWeightsFile {
    #[serde(default)]
    pub level: f64,
    #[serde(default)]
    pub order: f64,
    #[serde(default)]
    pub load: f64,
    #[serde(default)]
    pub idle_per_s: f64,
    /// Subtracted per unit of occupancy so far today (0..1).
    #[serde(default)]
    pub occupancy: f64,
}

fn default_priority_segments() -> Vec<String> {
    vec!["elderly".into()]
}

impl Default for RoutingFile {
    fn default() -> Self {
        RoutingFile {
            strategy: StrategyKind::default(),
            priority_segments: default_priority_segments(),
            aging_s: None,
            policy: None,
            overflow: Vec::new(),
            reservation: Vec::new(),
        }
    }
}

/// Handle-time factor per proficiency level 1..=5, for normal and for hard contacts.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "the proficiency factors: an object with normal and hard, five numbers each")]
pub struct ProficiencyFile {
    #[serde(default = "ones")]
    pub normal: [f64; 5],
    #[serde(default = "ones")]
    pub hard: [f64; 5],
}

fn ones() -> [f64; 5] {
    [1.0; 5]
}

impl Default for ProficiencyFile {
    fn default() -> Self {
        ProficiencyFile {
            normal: ones(),
            hard: ones(),
        }
    }
}

/// Parses scenario JSON; errors carry the JSON path of the offending value.
pub fn parse(file: &str, bytes: &[u8]) -> Result<ScenarioFile, InputError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let location = if path == "." {
            "$".to_string()
        } else {
            format!("$.{path}")
        };
        let msg = if inner.is_syntax() || inner.is_eof() {
            format!("malformed JSON: {inner}")
        } else {
            plain_words(&plain_types(&inner.to_string()))
        };
        InputError::new(file, location, msg)
    })
}

/// serde's names of Rust number types (`expected u32`) in plain words; the containers say what
/// they expect through their `expecting` attributes.
fn plain_types(msg: &str) -> String {
    const WORDS: [(&str, &str); 7] = [
        ("u8", "a whole number from 0 to 255"),
        ("u16", "a whole number from 0 to 65535"),
        ("u32", "a whole number from 0 to 4294967295"),
        ("u64", "a whole number from 0 to 18446744073709551615"),
        ("i64", "a whole number"),
        ("f64", "a number"),
        ("usize", "a whole number >= 0"),
    ];
    let mut out = msg.to_string();
    for (rust, words) in WORDS {
        for (before, after) in [("expected ", ""), ("expected ", " at ")] {
            let from = format!("{before}{rust}{after}");
            if after.is_empty() && out.ends_with(&from) {
                let cut = out.len() - rust.len();
                out.replace_range(cut.., words);
            } else if !after.is_empty() {
                out = out.replace(&from, &format!("{before}{words}{after}"));
            }
        }
    }
    out
}

/// serde's type errors in the scenario's own words: not `untagged enum HeadcountFile` or
/// `internally tagged enum DistSpec` (Rust type names a user never sees), but what the field
/// takes.
pub fn plain_words(msg: &str) -> String {
    const UNTAGGED: [(&str, &str); 2] = [
        (
            "data did not match any variant of untagged enum HeadcountFile",
            "must be a number of agents (a whole number >= 0) for every interval, or a list of them, one per interval",
        ),
        (
            "data did not match any variant of untagged enum VolumeFile",
            "must be a number of contacts for every interval, or a list of them, one per interval",
        ),
    ];
    for (from, to) in UNTAGGED {
        if let Some(rest) = msg.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    let mut out = msg.replace(
        "internally tagged enum DistSpec",
        "a distribution such as {\"type\": \"exponential\", \"mean\": 120}",
    );
    for (from, to) in [
        ("expected u64", "expected a whole number >= 0"),
        ("expected u32", "expected a whole number >= 0"),
        ("expected u8", "expected a whole number >= 0"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list [...]"),
        ("expected a string", "expected a string \"...\""),
        ("expected a map", "expected an object {...}"),
        ("invalid type: sequence", "invalid type: a list"),
        ("invalid type: map", "invalid type: an object"),
    ] {
        out = out.replace(from, to);
    }
    // `expected struct DayFile`: an object (the name is the type's, not the field's).
    if let Some(i) = out.find("expected struct ") {
        let end = out[i + 16..]
            .find(|c: char| !c.is_alphanumeric())
            .map_or(out.len(), |j| i + 16 + j);
        out.replace_range(i..end, "expected an object {...}");
    }
    out
}

/// The JSON Schema of scenario files (draft 2020-12), generated from [`ScenarioFile`] and its
/// parts (serde's renames, defaults, tags and `deny_unknown_fields` included), pretty-printed
/// and newline-terminated: what `schemas/scenario.schema.json` ships and `acdsim schema` prints.
pub fn scenario_schema() -> String {
    let mut schema = schemars::schema_for!(ScenarioFile);
    schema.insert(
        "title".into(),
        serde_json::Value::String("acdsim scenario".into()),
    );
    let mut s = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    s.push('\n');
    s
}
