//! The realism fields of a scenario as written (README "Realism"): a contact type's
//! `transfer`, a channel's or segment's `redial` and the scenario's `outages`. (A type's
//! `wrap_up` is a plain distribution.) Checked into [`crate::model::realism`] by
//! `input::resolve::realism`.

use serde::{Deserialize, Serialize};

use crate::model::dist::DistSpec;

/// `types[].transfer`: the share of a type's contacts the first agent does not resolve.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a transfer: an object with share and to_type or to_skill")]
pub struct TransferFile {
    /// Share of the answered contacts passed on (0..=1): first-contact resolution is 1 - share.
    pub share: f64,
    /// The contact type (of the same channel) whose queue the transferred contact joins, e.g.
    /// a `complaint-senior` type that only senior agents have the skill for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_type: Option<String>,
    /// Instead of `to_type`, a skill tag (e.g. `escalation`): the transferred contact becomes
    /// one of the channel's type whose skills are exactly `[tag]` (the first in file order), or,
    /// if there is none, of an implicit share-0 type `<tag>-transfer` with skills `[tag]` (the
    /// difficulty and wrap-up of this type, the handle time of this transfer or type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_skill: Option<String>,
    /// Time from the end of the first conversation to joining the target queue (absent:
    /// immediately).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<DistSpec>,
    /// Handle time of the second conversation (absent: the target type's `handle_time`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_time: Option<DistSpec>,
    /// Transferred contacts are served before fresh contacts of the target queue.
    #[serde(default)]
    pub priority: bool,
}

/// `channels[].redial` or `channels[].segments[].redial`: customers who abandon call again.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a redial rule: an object with probability and delay")]
pub struct RedialFile {
    /// Probability (0..=1) that a customer who abandons calls again.
    pub probability: f64,
    /// Time from abandoning to the next attempt.
    pub delay: DistSpec,
    /// Attempts a customer makes at most, the first included (default 3).
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// Factor (0..=1) of the probability per further attempt: attempt n+1 follows an abandoned
    /// attempt n with probability `probability * decay^(n-1)` (default 1).
    #[serde(default = "one")]
    pub decay: f64,
    /// The rule applies as well after a hang-up at the surge playbook's estimated-wait
    /// announcement (`surge_playbook.announcement.hangup_share`): such a caller calls again with
    /// the same probability and delay (from the hang-up), counted as an attempt of the same
    /// customer. Default false: a caller who hangs up there is a customer lost.
    #[serde(default)]
    pub after_hang_up: bool,
}

fn default_attempts() -> u32 {
    3
}
fn one() -> f64 {
    1.0
}

/// What an outage does with the contacts in service when it starts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum InServiceFile {
    /// They are finished as started.
    #[default]
    Finish,
    /// They are cut off at the start: the agent is freed, the contact counted `dropped`.
    Drop,
}

/// `outages[]`: a system failure on a channel (or all) and its fallback.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "an outage: an object with channel, start and duration_minutes")]
pub struct OutageFile {
    /// The channel that fails (absent: every channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Start, `HH:MM`, for a fixed window; or absent with `random`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Length of a fixed window in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<f64>,
    /// A window drawn anew in each replication (instead of `start` and `duration_minutes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random: Option<RandomWindowFile>,
    /// Handle times of contacts started during the outage are multiplied by this (manual
    /// record mode; default 1).
    #[serde(default = "one")]
    pub handle_time_factor: f64,
    /// Arriving contacts sent to another channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<RedirectFile>,
    /// Share of arriving contacts told to call later: they redial by the channel's redial rule
    /// (its delay; one more attempt), or by a delay of 30 minutes without one.
    #[serde(default)]
    pub call_later_share: f64,
    /// Share of arriving contacts sent to self-service (they leave the center).
    #[serde(default)]
    pub self_service_share: f64,
    /// The contacts in service when the outage starts: `finish` (default) or `drop`.
    #[serde(default)]
    pub in_service: InServiceFile,
}

/// `outages[].random`: the window's start drawn uniformly between two times, its length from a
/// distribution (minutes), per replication from the outage's own random stream.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a random window: an object with earliest, latest and duration_minutes")]
pub struct RandomWindowFile {
    /// Earliest start, `HH:MM`.
    pub earliest: String,
    /// Latest start, `HH:MM`.
    pub latest: String,
    /// Length in minutes (a distribution).
    pub duration_minutes: DistSpec,
}

/// `outages[].redirect`: a share of the arriving contacts tries another channel.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a redirect: an object with channel and share")]
pub struct RedirectFile {
    /// The backup channel (it must exist and not be down itself).
    pub channel: String,
    pub share: f64,
}
