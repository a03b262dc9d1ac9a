//! The shift file of `acdsim roster` (README "Rosters"): the allowed shift patterns (lengths,
//! start grid, break rules), and optionally absence, break handling and prices that override
//! the scenario's. Errors name the file and the JSON path, as the scenario's do.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::input::forecast::parse_clock;
use crate::input::read_capped;
use crate::input::scenario::plain_words;
use crate::model::roster::{BreakMode, BreakRule, Pattern, ShiftSet};
use crate::model::Model;

/// The shift file as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a shift file: an object with patterns")]
pub struct ShiftSetFile {
    pub patterns: Vec<PatternFile>,
    /// Breaks start on this grid, in minutes (default 15).
    #[serde(default = "fifteen")]
    pub break_grid_minutes: u32,
    /// Share of rostered agents absent; absent: the scenario's `workforce.absence`.
    #[serde(default)]
    pub absence: Option<f64>,
    #[serde(default)]
    pub break_mode: Option<BreakMode>,
    /// Group id -> price per paid hour; a group not named keeps its scenario price.
    #[serde(default)]
    pub cost_per_hour: BTreeMap<String, f64>,
    /// The groups to roster (default: every agent group).
    #[serde(default)]
    pub groups: Option<Vec<String>>,
}

fn fifteen() -> u32 {
    15
}

/// A shift pattern as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a shift pattern: an object with id, minutes, earliest_start and latest_start")]
pub struct PatternFile {
    pub id: String,
    /// Length, breaks included.
    pub minutes: u32,
    /// First and last allowed start, `HH:MM`.
    pub earliest_start: String,
    pub latest_start: String,
    /// Start grid in minutes (default 30).
    #[serde(default = "thirty")]
    pub every_minutes: u32,
    #[serde(default)]
    pub breaks: Vec<BreakRuleFile>,
    #[serde(default)]
    pub premium_per_hour: f64,
}

fn thirty() -> u32 {
    30
}

/// A break rule as written: it starts between `from_minutes` and `to_minutes` after the
/// shift's start.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a break rule: an object with minutes, from_minutes and to_minutes")]
pub struct BreakRuleFile {
    pub minutes: u32,
    pub from_minutes: u32,
    pub to_minutes: u32,
    #[serde(default = "yes")]
    pub paid: bool,
}

fn yes() -> bool {
    true
}

/// Reads, parses and checks the shift file at `path` against `model`.
pub fn load(path: &Path, model: &Model) -> Result<ShiftSet, InputError> {
    let file = path.display().to_string();
    let bytes = read_capped(path)
        .map_err(|e| InputError::new(&file, "", format!("cannot read shift file: {e}")))?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    let raw: ShiftSetFile = serde_path_to_error::deserialize(de).map_err(|e| {
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
            plain_words(&inner.to_string())
        };
        InputError::new(&file, location, msg)
    })?;
    resolve(&file, &raw, model)
}

/// Checks a parsed shift file against `model`.
pub fn resolve(file: &str, raw: &ShiftSetFile, model: &Model) -> Result<ShiftSet, InputError> {
    let err = |p: String, m: String| InputError::new(file, p, m);
    if raw.patterns.is_empty() {
        return Err(err(
            "$.patterns".into(),
            "is empty: give at least one shift pattern".into(),
        ));
    }
    if raw.break_grid_minutes == 0 || raw.break_grid_minutes > 120 {
        return Err(err(
            "$.break_grid_minutes".into(),
            format!("= {}: must be between 1 and 120", raw.break_grid_minutes),
        ));
    }
    let day_s = model.close_time() - model.warmup_s;
    let patterns = raw
        .patterns
        .iter()
        .enumerate()
        .map(|(i, p)| pattern(file, &format!("$.patterns[{i}]"), p, model, day_s))
        .collect::<Result<Vec<_>, _>>()?;
    let wf = model.workforce.as_ref();
    let absence = match raw.absence {
        Some(a) if !(a.is_finite() && (0.0..1.0).contains(&a)) => {
            return Err(err(
                "$.absence".into(),
                format!("= {a}: must be a share from 0 to below 1"),
            ))
        }
        Some(a) => a,
        None => wf.map_or(0.0, |w| w.absence),
    };
    let n = model.regular_groups();
    let find = |p: String, id: &str| {
        model.groups[..n]
            .iter()
            .position(|g| g.id == id)
            .ok_or_else(|| {
                let ids: Vec<&str> = model.groups[..n].iter().map(|g| g.id.as_str()).collect();
                err(
                    p,
                    format!(
                        "`{id}` is not an agent group of the scenario (groups: {})",
                        ids.join(", ")
                    ),
                )
            })
    };
    let mut cost_per_hour: Vec<Option<f64>> = (0..n)
        .map(|g| wf.and_then(|w| w.cost_per_hour.get(g).copied().flatten()))
        .collect();
    for (id, price) in &raw.cost_per_hour {
        let g = find(format!("$.cost_per_hour.{id}"), id)?;
        if !(price.is_finite() && *price >= 0.0) {
            return Err(err(
                format!("$.cost_per_hour.{id}"),
                format!("= {price}: must be >= 0"),
            ));
        }
        cost_per_hour[g] = Some(*price);
    }
    let groups = match &raw.groups {
        None => (0..n).collect(),
        Some(list) => list
            .iter()
            .enumerate()
            .map(|(i, id)| find(format!("$.groups[{i}]"), id))
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(ShiftSet {
        file: file.to_string(),
        patterns,
        break_grid_s: raw.break_grid_minutes as f64 * 60.0,
        absence,
        break_mode: raw
            .break_mode
            .or(wf.map(|w| w.break_mode))
            .unwrap_or_default(),
        priced: cost_per_hour.iter().any(Option::is_some),
        cost_per_hour: cost_per_hour
            .into_iter()
            .map(|c| c.unwrap_or(1.0))
            .collect(),
        groups,
    })
}

/// One pattern: its starts on the grid within the day, its breaks within the shift.
fn pattern(
    file: &str,
    p: &str,
    raw: &PatternFile,
    model: &Model,
    day_s: f64,
) -> Result<Pattern, InputError> {
    let err = |q: &str, m: String| InputError::new(file, format!("{p}{q}"), m);
    if raw.id.trim().is_empty() {
        return Err(err(".id", "is empty: give a name".into()));
    }
    let length_s = raw.minutes as f64 * 60.0;
    if raw.minutes == 0 || length_s > day_s {
        return Err(err(
            ".minutes",
            format!(
                "= {}: must be at least 1 and at most the day ({} min)",
                raw.minutes,
                day_s / 60.0
            ),
        ));
    }
    let clock = |q: &str, s: &str| -> Result<f64, InputError> {
        let t = parse_clock(s).ok_or_else(|| {
            err(
                q,
                format!("`{s}` is not a time of day: use HH:MM, e.g. \"09:30\""),
            )
        })?;
        let mut off = t - model.open_s;
        if off < 0.0 && off + 86_400.0 <= day_s {
            off += 86_400.0;
        }
        if off < 0.0 || off >= day_s {
            return Err(err(q, format!("`{s}` is outside opening hours")));
        }
        Ok(off)
    };
    let first = clock(".earliest_start", &raw.earliest_start)?;
    let last = clock(".latest_start", &raw.latest_start)?;
    if last < first {
        return Err(err(
            ".latest_start",
            format!(
                "`{}` is before earliest_start `{}`",
                raw.latest_start, raw.earliest_start
            ),
        ));
    }
    if raw.every_minutes == 0 {
        return Err(err(".every_minutes", "= 0: must be at least 1".into()));
    }
    let step = raw.every_minutes as f64 * 60.0;
    let starts: Vec<f64> = (0..)
        .map(|i| first + i as f64 * step)
        .take_while(|&s| s <= last + 1e-9)
        .filter(|&s| s + length_s <= day_s + 1e-9)
        .collect();
    if starts.is_empty() {
        return Err(err(
            ".latest_start",
            format!(
                "no start from {} to {} lets a {} min shift end by closing",
                raw.earliest_start, raw.latest_start, raw.minutes
            ),
        ));
    }
    if !(raw.premium_per_hour.is_finite() && raw.premium_per_hour >= 0.0) {
        return Err(err(
            ".premium_per_hour",
            format!("= {}: must be >= 0", raw.premium_per_hour),
        ));
    }
    let mut breaks = Vec::new();
    for (j, b) in raw.breaks.iter().enumerate() {
        let q = format!(".breaks[{j}]");
        if b.minutes == 0 || b.to_minutes < b.from_minutes || b.to_minutes + b.minutes > raw.minutes
        {
            return Err(err(
                &q,
                format!(
                    "{} min starting {}-{} min after the start: a break lasts at least a minute, its window runs forward and it ends within the {} min shift",
                    b.minutes, b.from_minutes, b.to_minutes, raw.minutes
                ),
            ));
        }
        breaks.push(BreakRule {
            length_s: b.minutes as f64 * 60.0,
            earliest_s: b.from_minutes as f64 * 60.0,
            latest_s: b.to_minutes as f64 * 60.0,
            paid: b.paid,
        });
    }
    breaks.sort_by(|a, b| a.earliest_s.total_cmp(&b.earliest_s));
    Ok(Pattern {
        id: raw.id.clone(),
        length_s,
        starts,
        breaks,
        premium_per_hour: raw.premium_per_hour,
    })
}

/// Reads a requirement CSV (`group,interval_start,agents`: required agents on the phones per
/// group and interval, e.g. from another WFM tool); groups and intervals not listed need none.
pub fn load_requirement(path: &Path, model: &Model) -> Result<Vec<Vec<u32>>, InputError> {
    let file = path.display().to_string();
    let bytes = read_capped(path)
        .map_err(|e| InputError::new(&file, "", format!("cannot read requirement file: {e}")))?;
    let mut out = vec![vec![0u32; model.n_intervals]; model.groups.len()];
    let mut rd = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(&bytes[..]);
    let header = rd
        .headers()
        .map_err(|e| InputError::new(&file, "line 1", format!("cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            InputError::new(
                &file,
                "line 1",
                format!(
                    "no `{name}` column: the header must name group, interval_start and agents"
                ),
            )
        })
    };
    let (gi, ti, ai) = (col("group")?, col("interval_start")?, col("agents")?);
    for (i, rec) in rd.records().enumerate() {
        let line = format!("line {}", i + 2);
        let rec = rec.map_err(|e| InputError::new(&file, &line, format!("malformed CSV: {e}")))?;
        let get = |j: usize| rec.get(j).unwrap_or("");
        let g = model
            .groups
            .iter()
            .position(|g| g.id == get(gi))
            .ok_or_else(|| {
                InputError::new(
                    &file,
                    &line,
                    format!("`{}` is not an agent group of the scenario", get(gi)),
                )
            })?;
        let k = parse_clock(get(ti))
            .map(|t| (t - model.open_s) / model.interval_s)
            .filter(|k| *k >= 0.0 && k.fract() == 0.0 && (*k as usize) < model.n_intervals)
            .ok_or_else(|| {
                InputError::new(
                    &file,
                    &line,
                    format!(
                        "interval_start `{}` is not the start of an interval of the day (HH:MM)",
                        get(ti)
                    ),
                )
            })? as usize;
        let n: u32 = get(ai).parse().map_err(|_| {
            InputError::new(
                &file,
                &line,
                format!("agents `{}` is not a whole number >= 0", get(ai)),
            )
        })?;
        out[g][k] = n;
    }
    Ok(out)
}

/// The scenario file at `path` with the groups of `roster` staffed by its shifts (their
/// headcount dropped), the prices of `set` and its absence and break handling: a scenario that
/// `acdsim run` simulates as the roster was checked.
pub fn scenario_with_roster(
    path: &Path,
    model: &Model,
    set: &ShiftSet,
    roster: &[(usize, Vec<crate::model::roster::Shift>)],
) -> Result<String, InputError> {
    use crate::input::scenario::{BreakFile, ShiftFile, WorkforceFile};
    let file = path.display().to_string();
    let bytes = read_capped(path)
        .map_err(|e| InputError::new(&file, "", format!("cannot read scenario file: {e}")))?;
    let mut raw = crate::input::scenario::parse(&file, &bytes)?;
    let clock = |off: f64| crate::model::clock_label((model.open_s + off).round() as u64);
    for (g, shifts) in roster {
        let gf = &mut raw.agent_groups[*g];
        if shifts.is_empty() {
            // No agent rostered: a headcount of 0 (a shift list may not be empty).
            gf.headcount = Some(crate::input::scenario::HeadcountFile::Constant(0));
            gf.shifts = None;
            continue;
        }
        gf.headcount = None;
        gf.shifts = Some(
            shifts
                .iter()
                .map(|s| ShiftFile {
                    start: clock(s.start_s),
                    minutes: ((s.end_s - s.start_s) / 60.0).round() as u32,
                    agents: s.agents,
                    breaks: s
                        .breaks
                        .iter()
                        .map(|b| BreakFile {
                            start: clock(b.start_s),
                            minutes: (b.length_s / 60.0).round() as u32,
                            paid: b.paid,
                        })
                        .collect(),
                    label: Some(s.label.clone()),
                    premium_per_hour: s.premium_per_hour,
                })
                .collect(),
        );
    }
    if set.priced {
        for (g, gf) in raw.agent_groups.iter_mut().enumerate() {
            gf.cost_per_hour = set.cost_per_hour.get(g).copied();
        }
    }
    raw.workforce = Some(WorkforceFile {
        absence: set.absence,
        break_mode: set.break_mode,
    });
    Ok(serde_json::to_string_pretty(&raw).unwrap_or_default() + "\n")
}
