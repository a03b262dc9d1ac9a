//! `channels` (with their contact types and customer segments), `segments` (the segments'
//! goals) and `forecast_csv`: arrival rates per interval, the type and segment mixes with their
//! handle-time and patience distributions.

use std::path::Path;

use super::ctx::{each, Ctx, Errors};
use super::day::Day;
use crate::error::InputError;
use crate::input::forecast::{parse_forecast, Forecast};
use crate::input::scenario::{
    ChannelFile, ForecastErrorFile, ScenarioFile, SegmentFile, VolumeFile,
};
use crate::model::dist::short_num;
use crate::model::{Channel, Difficulty, ForecastError, Segment, SegmentMix, TypeMix};

pub use crate::model::limits::MAX_CONTACTS_PER_INTERVAL;

/// The resolved channels, and the names they brought in.
pub(super) struct Channels {
    /// `class_of` is filled in later, with the contact classes.
    pub channels: Vec<Channel>,
    /// Contact type ids, in order of first appearance.
    pub types: Vec<String>,
    /// The declared segments, then those only a channel names, in order of first appearance.
    pub segments: Vec<Segment>,
    /// What the forecast CSV gives beside the volumes.
    pub forecast: ForecastExtras,
}

/// The forecast CSV's bytes (empty without one), for the model's hash, and its `aht` per
/// channel and interval (empty without an `aht` column; NaN where a row leaves it empty), for
/// the handle-time factors once the model is whole.
pub(super) struct ForecastExtras {
    pub bytes: Vec<u8>,
    pub aht_s: Vec<Vec<f64>>,
}

/// Resolves the channels; `skills` are the skill tags the agent groups hold.
pub(super) fn channels(
    cx: &Ctx,
    raw: &ScenarioFile,
    dir: &Path,
    day: &Day,
    multiplier: f64,
    skills: &[String],
) -> Result<Channels, InputError> {
    cx.listed(
        "$.channels",
        &raw.channels,
        |c| &c.id,
        "define at least one channel",
    )?;
    let ids: Vec<String> = raw.channels.iter().map(|c| c.id.clone()).collect();
    let (forecast, forecast_bytes) = match &raw.forecast_csv {
        None => (None, Vec::new()),
        Some(rel) => {
            let (f, bytes) = forecast(cx, &dir.join(rel), &ids, day)?;
            (Some(f), bytes)
        }
    };
    let default_error = match &raw.forecast_error {
        Some(f) => forecast_error(cx, "$.forecast_error", f, true)?,
        None => None,
    };
    // The declared segments, each channel and each segment's use are checked by themselves.
    let mut errs = Errors::default();
    let mut segments = errs
        .keep(declared_segments(cx, &raw.segments))
        .unwrap_or_default();
    let mut types: Vec<String> = Vec::new();
    let channels = errs.keep(each(&raw.channels, |c, ch| {
        let p = format!("$.channels[{c}]");
        let goal = cx.goal(&format!("{p}.goal"), &ch.goal)?;
        if ch.concurrency == 0 || ch.concurrency > 50 {
            return Err(cx.err(
                format!("{p}.concurrency"),
                format!("= {}: must be between 1 and 50", ch.concurrency),
            ));
        }
        let volume = volume(cx, &p, ch, forecast.as_ref().map(|f| &f.volumes[c]), day.n)?;
        let rates = rates(cx, &p, ch, &volume, day, multiplier)?;
        let forecast_error = match &ch.forecast_error {
            Some(f) => forecast_error(cx, &format!("{p}.forecast_error"), f, false)?,
            None => default_error,
        };
        Ok(Channel {
            id: ch.id.clone(),
            goal,
            concurrency: ch.concurrency,
            rates,
            types: type_mix(cx, &p, ch, skills, &mut types)?,
            segments: segment_mix(cx, &p, ch, &mut segments)?,
            class_of: Vec::new(),
            forecast_error,
            handle_factors: Vec::new(),
        })
    }));
    errs.keep(each(&raw.segments, |i, s| {
        if raw
            .channels
            .iter()
            .any(|c| c.segments.iter().any(|m| m.id == s.id))
        {
            Ok(())
        } else {
            Err(cx.err(
                format!("$.segments[{i}].id"),
                format!("segment `{}` appears in no channel's segments", s.id),
            ))
        }
    }));
    errs.finish()?;
    let channels = channels.unwrap_or_default();
    Ok(Channels {
        channels,
        types,
        segments,
        forecast: ForecastExtras {
            bytes: forecast_bytes,
            aht_s: forecast.and_then(|f| f.aht_s).unwrap_or_default(),
        },
    })
}

/// Reads and parses the forecast CSV at `p`: volumes (and aht) per channel and interval, and
/// the bytes.
fn forecast(
    cx: &Ctx,
    p: &Path,
    ids: &[String],
    day: &Day,
) -> Result<(Forecast, Vec<u8>), InputError> {
    let bytes = crate::input::read_capped(p).map_err(|e| {
        cx.err(
            "$.forecast_csv",
            format!("cannot read forecast file {}: {e}", p.display()),
        )
    })?;
    let csv_file = p.display().to_string();
    let f = parse_forecast(&csv_file, &bytes, ids, day.open_s, day.interval_s, day.n)?;
    Ok((f, bytes))
}

/// The largest coefficient of variation a forecast error may have (a day's volume factor with
/// cv 2 is 0.03 or less on a quarter of the days: far beyond any forecast).
pub const MAX_FORECAST_CV: f64 = 2.0;

/// A `forecast_error` at `p` (`scenario`: the scenario-wide one, which alone may be `shared`):
/// `None` when both coefficients of variation are 0.
fn forecast_error(
    cx: &Ctx,
    p: &str,
    f: &ForecastErrorFile,
    scenario: bool,
) -> Result<Option<ForecastError>, InputError> {
    for (name, cv) in [("day_cv", f.day_cv), ("interval_cv", f.interval_cv)] {
        if !(cv.is_finite() && (0.0..=MAX_FORECAST_CV).contains(&cv)) {
            return Err(cx.err(
                format!("{p}.{name}"),
                format!(
                    "= {}: must be a coefficient of variation between 0 and {MAX_FORECAST_CV} (e.g. 0.08 for a day within about 8% of the forecast)",
                    short_num(cv)
                ),
            ));
        }
    }
    if f.shared.is_some() && !scenario {
        return Err(cx.err(
            format!("{p}.shared"),
            "is only for the scenario-wide forecast_error: a channel with its own forecast_error draws its own factors",
        ));
    }
    if f.day_cv == 0.0 && f.interval_cv == 0.0 {
        return Ok(None);
    }
    Ok(Some(ForecastError {
        day_cv: f.day_cv,
        interval_cv: f.interval_cv,
        shared: f.shared.unwrap_or(false),
    }))
}

/// The `segments` section: ids and optional goals.
fn declared_segments(cx: &Ctx, raw: &[SegmentFile]) -> Result<Vec<Segment>, InputError> {
    cx.unique(
        "$.segments",
        &raw.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
    )?;
    let mut segments = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let goal = match &s.goal {
            Some(g) => Some(cx.goal(&format!("$.segments[{i}].goal"), g)?),
            None => None,
        };
        segments.push(Segment {
            id: s.id.clone(),
            goal,
        });
    }
    Ok(segments)
}

/// A channel's expected contacts per interval: its `volume`, or its row of the forecast.
fn volume(
    cx: &Ctx,
    p: &str,
    ch: &ChannelFile,
    forecast: Option<&Vec<f64>>,
    n: usize,
) -> Result<Vec<f64>, InputError> {
    match (&ch.volume, forecast) {
        (Some(_), Some(_)) => Err(cx.err(
            format!("{p}.volume"),
            "is given although forecast_csv also gives volumes: use one or the other",
        )),
        (None, None) => Err(cx.err(
            format!("{p}.volume"),
            "is missing: give the expected contacts per interval, or a forecast_csv",
        )),
        (None, Some(f)) => Ok(f.clone()),
        (Some(VolumeFile::Constant(v)), None) => Ok(vec![*v; n]),
        (Some(VolumeFile::PerInterval(v)), None) => cx.per_interval(&format!("{p}.volume"), v, n),
    }
}

/// Checks a channel's volumes and turns them into arrival rates (contacts per second),
/// `volume_multiplier` applied.
fn rates(
    cx: &Ctx,
    p: &str,
    ch: &ChannelFile,
    volume: &[f64],
    day: &Day,
    multiplier: f64,
) -> Result<Vec<f64>, InputError> {
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
        let start = (day.open_s + k as f64 * day.interval_s) as u64;
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
    Ok(volume
        .iter()
        .map(|v| v * multiplier / day.interval_s)
        .collect())
}

/// A channel's contact types: shares, required skills and handle times. A type id seen for
/// the first time is added to `types`.
fn type_mix(
    cx: &Ctx,
    p: &str,
    ch: &ChannelFile,
    skills: &[String],
    types: &mut Vec<String>,
) -> Result<Vec<TypeMix>, InputError> {
    let path = format!("{p}.types");
    cx.listed(
        &path,
        &ch.types,
        |t| &t.id,
        "define at least one contact type",
    )?;
    let mut mix = Vec::new();
    for (j, t) in ch.types.iter().enumerate() {
        let tp = format!("{p}.types[{j}]");
        cx.share(&format!("{tp}.share"), t.share)?;
        cx.non_empty(
            format!("{tp}.skills"),
            t.skills.is_empty(),
            "name the skill tag(s) an agent needs",
        )?;
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
        mix.push(TypeMix {
            type_: ty,
            share: t.share,
            skills: sk,
            hard: t.difficulty == Difficulty::Hard,
            handle,
        });
    }
    let scale = cx.shares_sum(
        &format!("{p}.types"),
        &ch.types.iter().map(|t| t.share).collect::<Vec<_>>(),
    )?;
    if scale != 1.0 {
        mix.iter_mut().for_each(|t| t.share *= scale);
    }
    Ok(mix)
}

/// A channel's customer segments: shares, patience and handle-time factors. A segment that
/// the `segments` section does not declare is added to `segments`, without a goal.
fn segment_mix(
    cx: &Ctx,
    p: &str,
    ch: &ChannelFile,
    segments: &mut Vec<Segment>,
) -> Result<Vec<SegmentMix>, InputError> {
    let path = format!("{p}.segments");
    cx.listed(
        &path,
        &ch.segments,
        |s| &s.id,
        "define at least one customer segment",
    )?;
    let mut mix = Vec::new();
    for (j, s) in ch.segments.iter().enumerate() {
        let sp = format!("{p}.segments[{j}]");
        cx.share(&format!("{sp}.share"), s.share)?;
        let patience = cx.dist(&format!("{sp}.patience"), &s.patience)?;
        let factor = cx.factor(&format!("{sp}.handle_time_factor"), s.handle_time_factor)?;
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
        mix.push(SegmentMix {
            segment: seg,
            share: s.share,
            patience,
            handle_factor: factor,
        });
    }
    let scale = cx.shares_sum(
        &format!("{p}.segments"),
        &ch.segments.iter().map(|s| s.share).collect::<Vec<_>>(),
    )?;
    if scale != 1.0 {
        mix.iter_mut().for_each(|s| s.share *= scale);
    }
    Ok(mix)
}
