//! Resolving a parsed scenario ([`ScenarioFile`]) into the validated [`Model`] the engine runs:
//! names turned into indices, distributions built, every cross-reference checked. One file per
//! section of the scenario, in the order they are checked: `day` (the day, replications,
//! service level), `channels` (channels with their contact types and customer segments, the
//! forecast CSV), `groups` (agent groups and the surge playbook's reserve: skills, headcounts,
//! capacity), `classes` (contact classes and who can serve them), `playbook` (the surge
//! playbook's rules) and `routing` (strategy, priority segments, proficiency factors); first of
//! all `skill_target` writes transfers to a skill tag as transfers to a type (an implicit one if
//! the channel has none), and last `realism` checks the realism fields. Each
//! section reports the first problem it finds through the shared error context (`ctx`), whose
//! helpers word the common checks (a positive number, a share, a goal, unique ids, a channel
//! list) the same way everywhere.

mod channels;
mod classes;
mod constraints;
mod ctx;
mod day;
mod groups;
mod playbook;
mod policy;
mod realism;
mod routing;
mod shifts;
mod skill_target;

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::InputError;
use crate::input::scenario::ScenarioFile;
use crate::model::dist::short_num;
use crate::model::limits::{
    check_replications, MAX_AGENTS, MAX_CHANNEL_INTERVALS, MAX_CLASSES, MAX_STATS_CELLS,
};
use crate::model::{Channel, Class, Group, Model, Segment};
use ctx::{Ctx, Errors};

pub use channels::MAX_CONTACTS_PER_INTERVAL;

/// Validates a parsed scenario and resolves names into indices. `dir` is where relative paths
/// (the forecast CSV) are looked up; `bytes` are hashed into the model's identity.
pub fn resolve(
    file: &str,
    bytes: &[u8],
    raw: &ScenarioFile,
    dir: &Path,
) -> Result<Model, InputError> {
    let cx = Ctx { file };
    // Transfers to a skill tag become transfers to a type (an implicit one if need be).
    let expanded = skill_target::skill_targets(&cx, raw)?;
    let raw = expanded.as_ref().unwrap_or(raw);
    // The day is fatal: every later section counts its intervals. The other sections that do
    // not need each other's output are each checked, and all their problems reported.
    let day = day::day(&cx, &raw.day)?;
    let mut errs = Errors::default();
    let replications =
        errs.keep(check_replications(raw.replications).map_err(|m| cx.err("$.replications", m)));
    if let Err(e) = channel_intervals(&cx, raw.channels.len(), day.n) {
        // A memory bound: nothing past it is resolved.
        errs.keep::<()>(Err(e));
        return Err(finish_err(errs, &cx));
    }
    let sl = errs.keep(day::service_level(&cx, &raw.service_level));
    let multiplier = errs.keep(cx.pos("$.volume_multiplier", raw.volume_multiplier));
    let skills = groups::skills(raw);
    let mut ch = errs.keep(channels::channels(
        &cx,
        raw,
        dir,
        &day,
        multiplier.unwrap_or(1.0),
        &skills,
    ));
    let (mut gr, absence) = staffing(&cx, raw, &skills, &day, &mut errs);
    let dependent = match (&mut ch, &mut gr) {
        (Some(c), Some(g)) => errs.keep(dependent(&cx, raw, c, g, &skills, day.n, day.interval_s)),
        _ => None,
    };
    let routing = ch.as_ref().and_then(|c| {
        errs.keep(routing::routing(
            &cx,
            &raw.routing,
            &c.channels,
            &c.types,
            &c.segments,
        ))
    });
    let proficiency = errs.keep(routing::proficiency(&cx, &raw.proficiency));
    let requirements = errs.keep(requirements(&cx, raw));
    let (
        Some(()),
        Some(sl),
        Some(_),
        Some(channels::Channels {
            channels,
            types,
            segments,
            forecast,
        }),
        Some(groups::Groups {
            groups,
            n_regular: _,
            capacity,
            shifts: group_shifts,
            prices,
        }),
        Some((classes, playbook)),
        Some(routing),
        Some(proficiency),
        Some(requirements),
        Some(absence),
    ) = (
        replications,
        sl,
        multiplier,
        ch,
        gr,
        dependent,
        routing,
        proficiency,
        requirements,
        absence,
    )
    else {
        return Err(finish_err(errs, &cx));
    };

    let mut model = Model {
        name: raw.name.clone(),
        description: raw.description.clone(),
        source: file.to_string(),
        hash: hash(bytes, &forecast.bytes),
        open_s: day.open_s,
        interval_s: day.interval_s,
        n_intervals: day.n,
        warmup_s: day.warmup_s,
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
        routing,
        proficiency,
        requirements,
        playbook,
        realism: Default::default(),
        workforce: None,
    };
    model.realism = realism::realism(&cx, raw, &model)?;
    constraints::constraints(&cx, &raw.routing, &mut model)?;
    model.workforce = workforce(raw, group_shifts, prices, absence, model.groups.len());
    announce_handle_times(&mut model);
    forecast_handle_factors(&cx, model, &forecast.aht_s)
}

/// Each channel's factor on its handle times per interval, from the forecast CSV's `aht`: the
/// interval's aht over the scenario's mean handle time (talk, wrap-up and transferred work),
/// so that the channel's mean handle time in the interval is the forecast's (`aht_s`: per
/// channel, empty without an `aht` column). A factor beyond
/// [`MAX_FACTOR`] either way is refused.
fn forecast_handle_factors(
    cx: &Ctx,
    mut model: Model,
    aht_s: &[Vec<f64>],
) -> Result<Model, InputError> {
    use crate::model::limits::MAX_FACTOR;
    for (c, aht_s) in aht_s.iter().enumerate() {
        let base = model.mean_handle_s(c);
        let mut factors = Vec::with_capacity(model.n_intervals);
        for (k, &aht) in aht_s.iter().enumerate() {
            let f = if aht.is_nan() { 1.0 } else { aht / base };
            if !(f.is_finite() && (1.0 / MAX_FACTOR..=MAX_FACTOR).contains(&f)) {
                return Err(cx.err(
                    "$.forecast_csv",
                    format!(
                        "channel `{}` interval {}: aht {} s is {} times the scenario's mean handle time of {} s; the factor must be between 1/{MAX_FACTOR} and {MAX_FACTOR}",
                        model.channels[c].id,
                        model.interval_label(k),
                        short_num(aht),
                        short_num(f),
                        short_num(base)
                    ),
                ));
            }
            factors.push(f);
        }
        model.channels[c].handle_factors = factors;
    }
    Ok(model)
}

/// The playbook's wait announcement estimates waits from each channel's mean handle time (wrap-up
/// and transferred work included): filled in once the model is whole.
fn announce_handle_times(model: &mut Model) {
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
}

/// The agent groups (headcounts or shifts) and the workforce's absence share.
fn staffing(
    cx: &Ctx,
    raw: &ScenarioFile,
    skills: &[String],
    day: &day::Day,
    errs: &mut Errors,
) -> (Option<groups::Groups>, Option<f64>) {
    let span = shifts::DaySpan {
        open_s: day.open_s,
        length_s: day.n as f64 * day.interval_s,
    };
    let gr = errs.keep(groups::groups(cx, raw, skills, &ch_ids(raw), day.n, span));
    let absence = errs.keep(
        raw.workforce
            .as_ref()
            .map_or(Ok(0.0), |w| shifts::absence(cx, w)),
    );
    (gr, absence)
}

/// The workforce settings, if the scenario has shifts, prices or a `workforce` section (none:
/// the model is as before, and so are its reports). Reserves have neither shifts nor price.
fn workforce(
    raw: &ScenarioFile,
    mut shifts: Vec<Option<Vec<crate::model::roster::Shift>>>,
    mut prices: Vec<Option<f64>>,
    absence: f64,
    n_groups: usize,
) -> Option<crate::model::roster::Workforce> {
    let used = raw.workforce.is_some()
        || shifts.iter().any(Option::is_some)
        || prices.iter().any(Option::is_some);
    if !used {
        return None;
    }
    shifts.resize(n_groups, None);
    prices.resize(n_groups, None);
    Some(crate::model::roster::Workforce {
        absence,
        break_mode: raw
            .workforce
            .as_ref()
            .map(|w| w.break_mode)
            .unwrap_or_default(),
        shifts,
        cost_per_hour: prices,
        objective_cost: false,
    })
}

/// The memory bound on channels x intervals.
fn channel_intervals(cx: &Ctx, channels: usize, n: usize) -> Result<(), InputError> {
    let pairs = channels.saturating_mul(n);
    if pairs > MAX_CHANNEL_INTERVALS {
        return Err(cx.err(
            "$.channels",
            format!(
                "{channels} channels x {n} intervals = {pairs}: at most {MAX_CHANNEL_INTERVALS} channel-intervals"
            ),
        ));
    }
    Ok(())
}

/// The `requirements`: none may be blank.
fn requirements(cx: &Ctx, raw: &ScenarioFile) -> Result<Vec<String>, InputError> {
    ctx::each(&raw.requirements, |i, r| {
        if r.trim().is_empty() {
            Err(cx.err(format!("$.requirements[{i}]"), "is empty"))
        } else {
            Ok(r.clone())
        }
    })
}

/// The channel ids as written (checked by the channels section).
fn ch_ids(raw: &ScenarioFile) -> Vec<String> {
    raw.channels.iter().map(|c| c.id.clone()).collect()
}

/// Every problem kept: a check that failed always keeps one, so `errs` is not empty here.
fn finish_err(errs: Errors, cx: &Ctx) -> InputError {
    match errs.finish() {
        Err(e) => e,
        Ok(()) => cx.err("", "the scenario is invalid"),
    }
}

/// What needs both the channels and the groups: the contact classes, the size limits and the
/// surge playbook.
fn dependent(
    cx: &Ctx,
    raw: &ScenarioFile,
    ch: &mut channels::Channels,
    gr: &mut groups::Groups,
    skills: &[String],
    n: usize,
    interval_s: f64,
) -> Result<(Vec<Class>, Option<crate::model::playbook::Playbook>), InputError> {
    let classes = classes::classes(
        cx,
        &mut ch.channels,
        &mut gr.groups,
        skills,
        &ch.types,
        gr.n_regular,
    )?;
    sizes(
        cx,
        &ch.channels,
        &gr.groups,
        &classes,
        &ch.types,
        &ch.segments,
        n,
    )?;
    let playbook = match &raw.surge_playbook {
        None => None,
        Some(pb) => Some(playbook::playbook(
            cx,
            pb,
            &ch.channels,
            &ch.types,
            &classes,
            gr.n_regular,
            interval_s,
        )?),
    };
    Ok((classes, playbook))
}

/// The sizes that drive the memory of a replication: contact classes, statistics cells and
/// agents, each against its limit ([`crate::model::limits`]).
fn sizes(
    cx: &Ctx,
    channels: &[Channel],
    groups: &[Group],
    classes: &[Class],
    types: &[String],
    segments: &[Segment],
    n: usize,
) -> Result<(), InputError> {
    if classes.len() > MAX_CLASSES {
        return Err(cx.err(
            "$.channels",
            format!(
                "{} contact classes (channel, type, segment): at most {MAX_CLASSES}",
                classes.len()
            ),
        ));
    }
    let cells = channels.len() * (n + types.len() + segments.len());
    if cells > MAX_STATS_CELLS {
        return Err(cx.err(
            "$.channels",
            format!(
                "{} channels x ({n} intervals + {} contact types + {} segments) = {cells} statistics cells: at most {MAX_STATS_CELLS}",
                channels.len(),
                types.len(),
                segments.len()
            ),
        ));
    }
    let agents: u64 = groups
        .iter()
        .map(|g| {
            u64::from(
                g.headcount
                    .iter()
                    .copied()
                    .max()
                    .unwrap_or(0)
                    .max(g.reserve),
            )
        })
        .sum();
    if agents > MAX_AGENTS {
        return Err(cx.err(
            "$.agent_groups",
            format!("{agents} agents in all groups and reserves: at most {MAX_AGENTS}"),
        ));
    }
    Ok(())
}

/// The model's identity: the first 16 hex digits of the SHA-256 of the scenario file and its
/// forecast CSV (empty without one).
fn hash(bytes: &[u8], forecast_bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(bytes);
    h.update(forecast_bytes);
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
