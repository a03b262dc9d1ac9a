//! Scenario files: the raw JSON form ([`ScenarioFile`], mirroring the file exactly, unknown
//! fields refused) and [`load`], which reads, parses and resolves it into the validated
//! [`Model`] the engine runs. Every error names the file, the JSON path and
//! the problem. The format is documented field by field in the README ("Scenario format").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::InputError;
use crate::input::forecast::{parse_clock, parse_forecast};
use crate::model::dist::{short_num, Dist, DistSpec};
use crate::model::playbook::{Announcement, Playbook};
use crate::model::*;

/// The scenario file as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalFile {
    pub threshold_s: f64,
    pub target: f64,
}

/// Volume per interval: one number for every interval, or one per interval.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum VolumeFile {
    Constant(f64),
    PerInterval(Vec<f64>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
}

fn one_u32() -> u32 {
    1
}

/// `surge_playbook`: the emergency plan (README "Surge playbook").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveFile {
    pub id: String,
    pub skills: BTreeMap<String, u8>,
    #[serde(default)]
    pub channels: Option<BTreeMap<String, u32>>,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeFile {
    pub id: String,
    pub share: f64,
    pub skills: Vec<String>,
    #[serde(default)]
    pub difficulty: Difficulty,
    pub handle_time: DistSpec,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentMixFile {
    pub id: String,
    pub share: f64,
    pub patience: DistSpec,
    #[serde(default = "one")]
    pub handle_time_factor: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentFile {
    pub id: String,
    #[serde(default)]
    pub goal: Option<GoalFile>,
}

/// Headcount: one number for every interval, or one per interval.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HeadcountFile {
    Constant(u32),
    PerInterval(Vec<u32>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFile {
    pub id: String,
    /// Skill tag -> proficiency level 1 (junior) ..= 5 (senior).
    pub skills: BTreeMap<String, u8>,
    /// Channel -> concurrency for this group; absent: every channel at its own concurrency.
    #[serde(default)]
    pub channels: Option<BTreeMap<String, u32>>,
    pub headcount: HeadcountFile,
    /// Bounds for `acdsim staff` (default 0 and 10,000).
    #[serde(default)]
    pub min: Option<u32>,
    #[serde(default)]
    pub max: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
        }
    }
}

/// Handle-time factor per proficiency level 1..=5, for normal and for hard contacts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

/// Reads, parses and validates a scenario file.
pub fn load(path: &Path) -> Result<Model, InputError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::new(&file, "", format!("cannot read scenario file: {e}")))?;
    let raw = parse(&file, &bytes)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    resolve(&file, &bytes, &raw, &dir)
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
            inner.to_string()
        };
        InputError::new(file, location, msg)
    })
}

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, path: impl Into<String>, msg: impl Into<String>) -> InputError {
        InputError::new(self.file, path, msg)
    }
    fn pos(&self, path: &str, v: f64) -> Result<f64, InputError> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(self.err(
                path,
                format!("= {}: must be a finite number > 0", short_num(v)),
            ))
        }
    }
    fn share(&self, path: &str, v: f64) -> Result<f64, InputError> {
        if v.is_finite() && (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(self.err(
                path,
                format!("= {}: must be a share between 0 and 1", short_num(v)),
            ))
        }
    }
    fn goal(&self, path: &str, g: &GoalFile) -> Result<Goal, InputError> {
        let threshold_s = self.pos(&format!("{path}.threshold_s"), g.threshold_s)?;
        let target = self.share(&format!("{path}.target"), g.target)?;
        if target == 0.0 {
            return Err(self.err(
                format!("{path}.target"),
                "= 0: must be a share > 0 and <= 1",
            ));
        }
        Ok(Goal {
            threshold_s,
            target,
        })
    }
    fn dist(&self, path: &str, spec: &DistSpec) -> Result<Dist, InputError> {
        Dist::new(spec).map_err(|e| self.err(format!("{path}.{}", e.field), e.message))
    }
    fn unique(&self, path: &str, ids: &[&str]) -> Result<(), InputError> {
        for (i, id) in ids.iter().enumerate() {
            if id.trim().is_empty() {
                return Err(self.err(format!("{path}[{i}].id"), "is empty: give a name"));
            }
            if ids[..i].contains(id) {
                return Err(self.err(
                    format!("{path}[{i}].id"),
                    format!("`{id}` is used twice: ids must be unique"),
                ));
            }
        }
        Ok(())
    }
    /// A group's `channels` map (absent: every channel at its own concurrency) as concurrency
    /// per channel (0 = does not serve it).
    fn concurrency(
        &self,
        p: &str,
        map: &Option<BTreeMap<String, u32>>,
        raw: &ScenarioFile,
        channel_ids: &[String],
    ) -> Result<Vec<u32>, InputError> {
        let Some(m) = map else {
            return Ok(raw.channels.iter().map(|c| c.concurrency).collect());
        };
        let mut v = vec![0; channel_ids.len()];
        for (cid, k) in m {
            let Some(c) = channel_ids.iter().position(|x| x == cid) else {
                return Err(self.err(
                    format!("{p}.channels.{cid}"),
                    format!(
                        "channel `{cid}` is not defined (channels: {})",
                        channel_ids.join(", ")
                    ),
                ));
            };
            if *k == 0 || *k > 50 {
                return Err(self.err(
                    format!("{p}.channels.{cid}"),
                    format!("= {k}: concurrency must be between 1 and 50"),
                ));
            }
            v[c] = *k;
        }
        Ok(v)
    }
    /// A list of channel ids as indices.
    fn channel_list(
        &self,
        p: &str,
        ids: &[String],
        channel_ids: &[String],
    ) -> Result<Vec<usize>, InputError> {
        ids.iter()
            .enumerate()
            .map(|(i, cid)| {
                channel_ids.iter().position(|x| x == cid).ok_or_else(|| {
                    self.err(
                        format!("{p}[{i}]"),
                        format!(
                            "channel `{cid}` is not defined (channels: {})",
                            channel_ids.join(", ")
                        ),
                    )
                })
            })
            .collect()
    }
    fn shares_sum(&self, path: &str, shares: &[f64]) -> Result<(), InputError> {
        let s: f64 = shares.iter().sum();
        if (s - 1.0).abs() > 1e-6 {
            // Rounded so that 0.6 + 0.3 reads `0.9`, not `0.8999999999999999`.
            let shown = (s * 1e6).round() / 1e6;
            return Err(self.err(path, format!("shares sum to {shown}: they must sum to 1")));
        }
        Ok(())
    }
}

/// The most expected contacts of one channel in one interval that a scenario may ask for.
pub const MAX_CONTACTS_PER_INTERVAL: f64 = 1e6;

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Validates a parsed scenario and resolves names into indices. `dir` is where relative paths
/// (the forecast CSV) are looked up; `bytes` are hashed into the model's identity.
pub fn resolve(
    file: &str,
    bytes: &[u8],
    raw: &ScenarioFile,
    dir: &Path,
) -> Result<Model, InputError> {
    let cx = Ctx { file };
    // ----- the day
    let open_s = parse_clock(&raw.day.open).ok_or_else(|| {
        cx.err(
            "$.day.open",
            format!(
                "`{}` is not a time of day: use HH:MM, e.g. \"08:00\"",
                raw.day.open
            ),
        )
    })?;
    if ![15, 30, 60].contains(&raw.day.interval_minutes) {
        return Err(cx.err(
            "$.day.interval_minutes",
            format!("= {}: must be 15, 30 or 60", raw.day.interval_minutes),
        ));
    }
    let interval_s = raw.day.interval_minutes as f64 * 60.0;
    let n = raw.day.intervals as usize;
    if n == 0 {
        return Err(cx.err(
            "$.day.intervals",
            "= 0: the day needs at least one interval",
        ));
    }
    if n as f64 * interval_s > 86_400.0 {
        return Err(cx.err(
            "$.day.intervals",
            format!(
                "= {n}: {n} intervals of {} min are longer than a day",
                raw.day.interval_minutes
            ),
        ));
    }
    let warmup_s = raw.day.warmup_minutes * 60.0;
    if !warmup_s.is_finite() || warmup_s < 0.0 {
        return Err(cx.err(
            "$.day.warmup_minutes",
            format!("= {}: must be >= 0", short_num(raw.day.warmup_minutes)),
        ));
    }
    if raw.replications == 0 {
        return Err(cx.err("$.replications", "= 0: must be at least 1"));
    }
    let sl = ServiceLevelDef {
        formula: raw.service_level.formula,
        short_abandon_s: {
            let v = raw.service_level.short_abandon_s;
            if !v.is_finite() || v < 0.0 {
                return Err(cx.err(
                    "$.service_level.short_abandon_s",
                    format!("= {}: must be >= 0", short_num(v)),
                ));
            }
            v
        },
        long_wait_s: cx.pos("$.service_level.long_wait_s", raw.service_level.long_wait_s)?,
    };
    let multiplier = cx.pos("$.volume_multiplier", raw.volume_multiplier)?;

    // ----- channels, types, segments
    if raw.channels.is_empty() {
        return Err(cx.err("$.channels", "is empty: define at least one channel"));
    }
    cx.unique(
        "$.channels",
        &raw.channels
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
    )?;
    let channel_ids: Vec<String> = raw.channels.iter().map(|c| c.id.clone()).collect();

    let mut forecast_bytes = Vec::new();
    let forecast = match &raw.forecast_csv {
        None => None,
        Some(rel) => {
            let p: PathBuf = dir.join(rel);
            forecast_bytes = std::fs::read(&p).map_err(|e| {
                cx.err(
                    "$.forecast_csv",
                    format!("cannot read forecast file {}: {e}", p.display()),
                )
            })?;
            let csv_file = p.display().to_string();
            Some(parse_forecast(
                &csv_file,
                &forecast_bytes,
                &channel_ids,
                open_s,
                interval_s,
                n,
            )?)
        }
    };

    cx.unique(
        "$.segments",
        &raw.segments
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
    )?;
    let mut segments: Vec<Segment> = Vec::new();
    for (i, s) in raw.segments.iter().enumerate() {
        let goal = match &s.goal {
            Some(g) => Some(cx.goal(&format!("$.segments[{i}].goal"), g)?),
            None => None,
        };
        segments.push(Segment {
            id: s.id.clone(),
            goal,
        });
    }
    let mut types: Vec<String> = Vec::new();
    let mut skills: Vec<String> = Vec::new();
    for g in &raw.agent_groups {
        for s in g.skills.keys() {
            if !skills.contains(s) {
                skills.push(s.clone());
            }
        }
    }

    let mut channels = Vec::new();
    let mut class_specs = Vec::new(); // (channel, local type, local segment)
    for (c, ch) in raw.channels.iter().enumerate() {
        let p = format!("$.channels[{c}]");
        let goal = cx.goal(&format!("{p}.goal"), &ch.goal)?;
        if ch.concurrency == 0 || ch.concurrency > 50 {
            return Err(cx.err(
                format!("{p}.concurrency"),
                format!("= {}: must be between 1 and 50", ch.concurrency),
            ));
        }
        let volume: Vec<f64> = match (&ch.volume, &forecast) {
            (Some(_), Some(_)) => {
                return Err(cx.err(
                    format!("{p}.volume"),
                    "is given although forecast_csv also gives volumes: use one or the other",
                ))
            }
            (None, None) => {
                return Err(cx.err(
                    format!("{p}.volume"),
                    "is missing: give the expected contacts per interval, or a forecast_csv",
                ))
            }
            (None, Some(f)) => f[c].clone(),
            (Some(VolumeFile::Constant(v)), None) => vec![*v; n],
            (Some(VolumeFile::PerInterval(v)), None) => {
                if v.len() != n {
                    return Err(cx.err(
                        format!("{p}.volume"),
                        format!("has {} entries: the day has {n} intervals", v.len()),
                    ));
                }
                v.clone()
            }
        };
        for (k, v) in volume.iter().enumerate() {
            // A forecast CSV checks its own rows; a constant volume has no index.
            let loc = if matches!(ch.volume, Some(VolumeFile::PerInterval(_))) {
                format!("{p}.volume[{k}]")
            } else {
                format!("{p}.volume")
            };
            if !v.is_finite() || *v < 0.0 {
                return Err(cx.err(
                    loc,
                    format!("= {}: volumes must be finite numbers >= 0", short_num(*v)),
                ));
            }
            // Beyond this a single replication would run for hours (or forever: an infinite rate).
            let effective = v * multiplier;
            let start = (open_s + k as f64 * interval_s) as u64;
            if effective.is_nan() || effective > MAX_CONTACTS_PER_INTERVAL {
                return Err(cx.err(
                    loc,
                    format!(
                        "= {}: with volume_multiplier {} that is {effective:e} contacts in interval {:02}:{:02}, more than the {MAX_CONTACTS_PER_INTERVAL:e} acdsim simulates",
                        short_num(*v),
                        short_num(multiplier),
                        start / 3600 % 24,
                        start % 3600 / 60
                    ),
                ));
            }
        }
        if volume.iter().sum::<f64>() <= 0.0 {
            return Err(cx.err(
                format!("{p}.volume"),
                "is zero in every interval: a channel needs a positive rate somewhere",
            ));
        }
        let rates: Vec<f64> = volume.iter().map(|v| v * multiplier / interval_s).collect();

        if ch.types.is_empty() {
            return Err(cx.err(
                format!("{p}.types"),
                "is empty: define at least one contact type",
            ));
        }
        cx.unique(
            &format!("{p}.types"),
            &ch.types.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        )?;
        let mut mix_types = Vec::new();
        for (j, t) in ch.types.iter().enumerate() {
            let tp = format!("{p}.types[{j}]");
            cx.share(&format!("{tp}.share"), t.share)?;
            if t.skills.is_empty() {
                return Err(cx.err(
                    format!("{tp}.skills"),
                    "is empty: name the skill tag(s) an agent needs",
                ));
            }
            let mut sk = Vec::new();
            for (m, s) in t.skills.iter().enumerate() {
                match skills.iter().position(|x| x == s) {
                    Some(i) => sk.push(i),
                    None => {
                        return Err(cx.err(format!("{tp}.skills[{m}]"), format!(
                            "skill `{s}` is held by no agent group, so `{}` contacts could never be answered (skills held: {})",
                            t.id, skills.join(", ")
                        )))
                    }
                }
            }
            let handle = cx.dist(&format!("{tp}.handle_time"), &t.handle_time)?;
            if !(handle.mean().is_finite() && handle.mean() > 0.0) {
                return Err(cx.err(
                    format!("{tp}.handle_time"),
                    "must have a finite mean > 0 (`never` is only for patience)",
                ));
            }
            let ty = match types.iter().position(|x| x == &t.id) {
                Some(i) => i,
                None => {
                    types.push(t.id.clone());
                    types.len() - 1
                }
            };
            mix_types.push(TypeMix {
                type_: ty,
                share: t.share,
                skills: sk,
                hard: t.difficulty == Difficulty::Hard,
                handle,
            });
        }
        cx.shares_sum(
            &format!("{p}.types"),
            &ch.types.iter().map(|t| t.share).collect::<Vec<_>>(),
        )?;

        if ch.segments.is_empty() {
            return Err(cx.err(
                format!("{p}.segments"),
                "is empty: define at least one customer segment",
            ));
        }
        cx.unique(
            &format!("{p}.segments"),
            &ch.segments
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>(),
        )?;
        let mut mix_segs = Vec::new();
        for (j, s) in ch.segments.iter().enumerate() {
            let sp = format!("{p}.segments[{j}]");
            cx.share(&format!("{sp}.share"), s.share)?;
            let patience = cx.dist(&format!("{sp}.patience"), &s.patience)?;
            let factor = cx.pos(&format!("{sp}.handle_time_factor"), s.handle_time_factor)?;
            let seg = match segments.iter().position(|x| x.id == s.id) {
                Some(i) => i,
                None => {
                    segments.push(Segment {
                        id: s.id.clone(),
                        goal: None,
                    });
                    segments.len() - 1
                }
            };
            mix_segs.push(SegmentMix {
                segment: seg,
                share: s.share,
                patience,
                handle_factor: factor,
            });
        }
        cx.shares_sum(
            &format!("{p}.segments"),
            &ch.segments.iter().map(|s| s.share).collect::<Vec<_>>(),
        )?;
        for t in 0..mix_types.len() {
            for s in 0..mix_segs.len() {
                class_specs.push((c, t, s));
            }
        }
        channels.push(Channel {
            id: ch.id.clone(),
            goal,
            concurrency: ch.concurrency,
            rates,
            types: mix_types,
            segments: mix_segs,
            class_of: Vec::new(),
        });
    }
    for (i, s) in raw.segments.iter().enumerate() {
        if !raw
            .channels
            .iter()
            .any(|c| c.segments.iter().any(|m| m.id == s.id))
        {
            return Err(cx.err(
                format!("$.segments[{i}].id"),
                format!("segment `{}` appears in no channel's segments", s.id),
            ));
        }
    }

    // ----- agent groups
    if raw.agent_groups.is_empty() {
        return Err(cx.err(
            "$.agent_groups",
            "is empty: define at least one agent group",
        ));
    }
    cx.unique(
        "$.agent_groups",
        &raw.agent_groups
            .iter()
            .map(|g| g.id.as_str())
            .collect::<Vec<_>>(),
    )?;
    let mut concurrencies: Vec<Vec<u32>> = Vec::new();
    let mut groups = Vec::new();
    for (g, gr) in raw.agent_groups.iter().enumerate() {
        let p = format!("$.agent_groups[{g}]");
        if gr.skills.is_empty() {
            return Err(cx.err(
                format!("{p}.skills"),
                "is empty: a group needs at least one skill tag",
            ));
        }
        let mut levels = vec![0u8; skills.len()];
        for (s, lvl) in &gr.skills {
            if !(1..=5).contains(lvl) {
                return Err(cx.err(
                    format!("{p}.skills.{s}"),
                    format!("= {lvl}: proficiency levels run from 1 to 5"),
                ));
            }
            levels[skills.iter().position(|x| x == s).expect("collected above")] = *lvl;
        }
        let conc = cx.concurrency(&p, &gr.channels, raw, &channel_ids)?;
        let headcount = match &gr.headcount {
            HeadcountFile::Constant(h) => vec![*h; n],
            HeadcountFile::PerInterval(v) => {
                if v.len() != n {
                    return Err(cx.err(
                        format!("{p}.headcount"),
                        format!("has {} entries: the day has {n} intervals", v.len()),
                    ));
                }
                v.clone()
            }
        };
        let min = gr.min.unwrap_or(0);
        let max = gr.max.unwrap_or(10_000);
        if min > max {
            return Err(cx.err(
                format!("{p}.max"),
                format!("= {max}: must be >= min ({min})"),
            ));
        }
        if max > 100_000 {
            return Err(cx.err(
                format!("{p}.max"),
                format!("= {max}: at most 100000 agents per group"),
            ));
        }
        if let Some(k) = headcount.iter().position(|h| *h > 100_000) {
            return Err(cx.err(
                format!("{p}.headcount"),
                format!(
                    "interval {k}: {} agents, at most 100000 per group",
                    headcount[k]
                ),
            ));
        }
        concurrencies.push(conc);
        groups.push(Group {
            id: gr.id.clone(),
            levels,
            units: Vec::new(),
            headcount,
            min,
            max,
            reserve: 0,
            classes: Vec::new(),
        });
    }
    // Playbook reserves: further groups, off duty until the playbook calls them.
    let n_regular = groups.len();
    if let Some(pb) = &raw.surge_playbook {
        for (r, rf) in pb.reserve.iter().enumerate() {
            let p = format!("$.surge_playbook.reserve[{r}]");
            if rf.id.trim().is_empty() {
                return Err(cx.err(format!("{p}.id"), "is empty: give a name"));
            }
            if groups.iter().any(|g: &Group| g.id == rf.id) {
                return Err(cx.err(
                    format!("{p}.id"),
                    format!(
                        "`{}` is already an agent group or reserve: ids must be unique",
                        rf.id
                    ),
                ));
            }
            if rf.skills.is_empty() {
                return Err(cx.err(
                    format!("{p}.skills"),
                    "is empty: a reserve needs at least one skill tag",
                ));
            }
            let mut levels = vec![0u8; skills.len()];
            for (s, lvl) in &rf.skills {
                let Some(i) = skills.iter().position(|x| x == s) else {
                    return Err(cx.err(
                        format!("{p}.skills.{s}"),
                        format!(
                            "skill `{s}` is unknown: no agent group has it (skills: {})",
                            skills.join(", ")
                        ),
                    ));
                };
                if !(1..=5).contains(lvl) {
                    return Err(cx.err(
                        format!("{p}.skills.{s}"),
                        format!("= {lvl}: proficiency levels run from 1 to 5"),
                    ));
                }
                levels[i] = *lvl;
            }
            if rf.count == 0 || rf.count > 100_000 {
                return Err(cx.err(
                    format!("{p}.count"),
                    format!("= {}: must be between 1 and 100000", rf.count),
                ));
            }
            concurrencies.push(cx.concurrency(&p, &rf.channels, raw, &channel_ids)?);
            groups.push(Group {
                id: rf.id.clone(),
                levels,
                units: Vec::new(),
                headcount: vec![0; n],
                min: 0,
                max: 0,
                reserve: rf.count,
                classes: Vec::new(),
            });
        }
    }
    // Agent capacity in load units: the least common multiple of all concurrencies in use, so a
    // contact of a channel with concurrency k takes exactly capacity/k units.
    let mut capacity = 1u32;
    for c in concurrencies.iter().flatten().filter(|k| **k > 0) {
        capacity = capacity / gcd(capacity, *c) * c;
        if capacity > 1 << 20 {
            return Err(cx.err("$.agent_groups", "the concurrencies have too large a common multiple: use concurrencies such as 1, 2, 3, 4, 6"));
        }
    }
    for (g, conc) in concurrencies.iter().enumerate() {
        groups[g].units = conc
            .iter()
            .map(|k| if *k == 0 { 0 } else { capacity / k })
            .collect();
    }

    // ----- contact classes and who can serve them
    let mut classes = Vec::new();
    for ch in channels.iter_mut() {
        ch.class_of = vec![vec![0; ch.segments.len()]; ch.types.len()];
    }
    for &(c, t, s) in &class_specs {
        let ch = &channels[c];
        let tm = &ch.types[t];
        let (hard, type_, segment) = (tm.hard, tm.type_, ch.segments[s].segment);
        let mut eligible: Vec<(usize, u8)> = Vec::new();
        for (g, gr) in groups.iter().enumerate() {
            if gr.units[c] == 0 {
                continue;
            }
            let lvl = tm.skills.iter().map(|&k| gr.levels[k]).min().unwrap_or(0);
            if lvl > 0 {
                eligible.push((g, lvl));
            }
        }
        // Reserve agents come only with the playbook: regular groups must cover every type.
        if eligible.iter().all(|&(g, _)| g >= n_regular) {
            let tp = format!("$.channels[{c}].types[{t}].skills");
            return Err(cx.err(tp, format!(
                "no agent group that handles channel `{}` has all of [{}]: `{}` contacts could never be answered",
                ch.id,
                tm.skills.iter().map(|k| skills[*k].as_str()).collect::<Vec<_>>().join(", "),
                types[tm.type_]
            )));
        }
        // Best proficiency first; equal levels keep the groups' file order.
        eligible.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let k = classes.len();
        for &(g, lvl) in &eligible {
            groups[g].classes.push((k, lvl));
        }
        channels[c].class_of[t][s] = k;
        classes.push(Class {
            channel: c,
            type_,
            segment,
            local_type: t,
            local_segment: s,
            hard,
            eligible,
        });
    }

    let playbook = match &raw.surge_playbook {
        None => None,
        Some(pb) => Some(resolve_playbook(
            &cx,
            pb,
            &channels,
            &channel_ids,
            &types,
            &classes,
            n_regular,
            interval_s,
        )?),
    };

    // ----- routing and proficiency
    let mut priority = vec![false; segments.len()];
    for (i, s) in raw.routing.priority_segments.iter().enumerate() {
        match segments.iter().position(|x| &x.id == s) {
            Some(k) => priority[k] = true,
            None if raw.routing.strategy == StrategyKind::ElderlyPriority => {
                return Err(cx.err(
                    format!("$.routing.priority_segments[{i}]"),
                    format!(
                        "segment `{s}` is not defined (segments: {})",
                        segments
                            .iter()
                            .map(|x| x.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
            None => {}
        }
    }
    let aging_s = match raw.routing.aging_s {
        None => f64::INFINITY,
        Some(a) => cx.pos("$.routing.aging_s", a)?,
    };
    for (name, arr) in [
        ("normal", &raw.proficiency.normal),
        ("hard", &raw.proficiency.hard),
    ] {
        for (i, f) in arr.iter().enumerate() {
            cx.pos(&format!("$.proficiency.{name}[{i}]"), *f)?;
        }
    }
    let mut requirements = Vec::new();
    for (i, r) in raw.requirements.iter().enumerate() {
        if r.trim().is_empty() {
            return Err(cx.err(format!("$.requirements[{i}]"), "is empty"));
        }
        requirements.push(r.clone());
    }

    let mut h = Sha256::new();
    h.update(bytes);
    h.update(&forecast_bytes);
    let hash: String = h
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();

    let mut model = Model {
        name: raw.name.clone(),
        description: raw.description.clone(),
        source: file.to_string(),
        hash,
        open_s,
        interval_s,
        n_intervals: n,
        warmup_s,
        closing: raw.day.closing,
        seed: raw.seed,
        replications: raw.replications,
        sl,
        surge: 1.0,
        channels,
        types,
        segments,
        skills,
        groups,
        classes,
        capacity,
        routing: Routing {
            strategy: raw.routing.strategy,
            priority,
            aging_s,
        },
        proficiency: [raw.proficiency.normal, raw.proficiency.hard],
        requirements,
        playbook,
    };
    let aht: Vec<f64> = (0..model.channels.len())
        .map(|c| model.mean_handle_s(c))
        .collect();
    if let Some(a) = model
        .playbook
        .as_mut()
        .and_then(|p| p.announcement.as_mut())
    {
        a.aht_s = aht;
    }
    Ok(model)
}

/// Resolves `surge_playbook` once the channels, classes and groups (reserves last, from
/// `n_regular` on) are known.
#[allow(clippy::too_many_arguments)]
fn resolve_playbook(
    cx: &Ctx,
    pb: &SurgePlaybookFile,
    channels: &[Channel],
    channel_ids: &[String],
    types: &[String],
    classes: &[Class],
    n_regular: usize,
    interval_s: f64,
) -> Result<Playbook, InputError> {
    let p = "$.surge_playbook";
    let load_ratio = cx.pos(&format!("{p}.trigger.load_ratio"), pb.trigger.load_ratio)?;
    let mut trigger_channels = vec![true; channels.len()];
    if let Some(list) = &pb.trigger.channels {
        let lp = format!("{p}.trigger.channels");
        if list.is_empty() {
            return Err(cx.err(lp, "is empty: name a channel, or leave it out for all"));
        }
        trigger_channels = vec![false; channels.len()];
        for c in cx.channel_list(&lp, list, channel_ids)? {
            trigger_channels[c] = true;
        }
    }
    let n = channels[0].rates.len();
    let planned = (0..n)
        .map(|k| {
            channels
                .iter()
                .zip(&trigger_channels)
                .filter(|(_, on)| **on)
                .map(|(ch, _)| ch.rates[k] * interval_s)
                .sum()
        })
        .collect();
    let d = pb.activation_delay_minutes;
    if !d.is_finite() || d < 0.0 {
        return Err(cx.err(
            format!("{p}.activation_delay_minutes"),
            format!("= {}: must be a number of minutes >= 0", short_num(d)),
        ));
    }
    // Diversion probability per class.
    let mut divert = vec![0.0; classes.len()];
    let mut covered: Vec<Option<usize>> = vec![None; classes.len()];
    for (i, dv) in pb.divert.iter().enumerate() {
        let dp = format!("{p}.divert[{i}]");
        let Some(t) = types.iter().position(|x| *x == dv.type_) else {
            return Err(cx.err(
                format!("{dp}.type"),
                format!(
                    "contact type `{}` is not defined (types: {})",
                    dv.type_,
                    types.join(", ")
                ),
            ));
        };
        let share = cx.share(&format!("{dp}.share"), dv.share)?;
        let on: Vec<usize> = match &dv.channels {
            None => (0..channels.len()).collect(),
            Some(list) => {
                let lp = format!("{dp}.channels");
                let on = cx.channel_list(&lp, list, channel_ids)?;
                for (j, &c) in on.iter().enumerate() {
                    if !channels[c].types.iter().any(|m| m.type_ == t) {
                        return Err(cx.err(
                            format!("{lp}[{j}]"),
                            format!(
                                "channel `{}` has no `{}` contacts to divert",
                                channel_ids[c], dv.type_
                            ),
                        ));
                    }
                }
                on
            }
        };
        for (k, cl) in classes.iter().enumerate() {
            if cl.type_ == t && on.contains(&cl.channel) {
                if let Some(j) = covered[k] {
                    return Err(cx.err(
                        format!("{dp}.type"),
                        format!(
                            "`{}` contacts on channel `{}` are already diverted by {p}.divert[{j}]",
                            dv.type_, channel_ids[cl.channel]
                        ),
                    ));
                }
                covered[k] = Some(i);
                divert[k] = share;
            }
        }
    }
    let announcement = match &pb.announcement {
        None => None,
        Some(a) => {
            let ap = format!("{p}.announcement");
            if a.channels.is_empty() {
                return Err(cx.err(
                    format!("{ap}.channels"),
                    "is empty: name the channels that play the announcement",
                ));
            }
            let mut on = vec![false; channels.len()];
            for c in cx.channel_list(&format!("{ap}.channels"), &a.channels, channel_ids)? {
                on[c] = true;
            }
            if !a.limit_s.is_finite() || a.limit_s < 0.0 {
                return Err(cx.err(
                    format!("{ap}.limit_s"),
                    format!(
                        "= {}: must be a number of seconds >= 0",
                        short_num(a.limit_s)
                    ),
                ));
            }
            let cb = cx.share(&format!("{ap}.callback_share"), a.callback_share)?;
            let hu = cx.share(&format!("{ap}.hangup_share"), a.hangup_share)?;
            if cb + hu > 1.0 + 1e-9 {
                return Err(cx.err(
                    format!("{ap}.hangup_share"),
                    format!(
                        "= {}: with callback_share {} the shares sum to {}, more than 1",
                        short_num(hu),
                        short_num(cb),
                        ((cb + hu) * 1e6).round() / 1e6
                    ),
                ));
            }
            Some(Announcement {
                channels: on,
                limit_s: a.limit_s,
                callback_share: cb,
                hangup_share: hu,
                aht_s: Vec::new(),
            })
        }
    };
    Ok(Playbook {
        enabled: true,
        load_ratio,
        trigger_channels,
        planned,
        delay_s: d * 60.0,
        first_reserve: n_regular,
        divert,
        announcement,
    })
}
