//! Resolving a parsed scenario ([`ScenarioFile`]) into the validated [`Model`] the engine runs:
//! names turned into indices, distributions built, every cross-reference checked. One file per
//! section of the scenario, in the order they are checked: `day` (the day, replications,
//! service level), `channels` (channels with their contact types and customer segments, the
//! forecast CSV), `groups` (agent groups and the surge playbook's reserve: skills, headcounts,
//! capacity), `classes` (contact classes and who can serve them), `playbook` (the surge
//! playbook's rules) and `routing` (strategy, priority segments, proficiency factors). Each
//! section reports the first problem it finds through the shared error context (`ctx`), whose
//! helpers word the common checks (a positive number, a share, a goal, unique ids, a channel
//! list) the same way everywhere.

mod channels;
mod classes;
mod ctx;
mod day;
mod groups;
mod playbook;
mod routing;

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::InputError;
use crate::input::scenario::ScenarioFile;
use crate::model::limits::{
    check_replications, MAX_AGENTS, MAX_CHANNEL_INTERVALS, MAX_CLASSES, MAX_STATS_CELLS,
};
use crate::model::{Channel, Class, Group, Model, Segment};
use ctx::Ctx;

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
    let day = day::day(&cx, &raw.day)?;
    check_replications(raw.replications).map_err(|m| cx.err("$.replications", m))?;
    let pairs = raw.channels.len().saturating_mul(day.n);
    if pairs > MAX_CHANNEL_INTERVALS {
        return Err(cx.err(
            "$.channels",
            format!(
                "{} channels x {} intervals = {pairs}: at most {MAX_CHANNEL_INTERVALS} channel-intervals",
                raw.channels.len(),
                day.n
            ),
        ));
    }
    let sl = day::service_level(&cx, &raw.service_level)?;
    let multiplier = cx.pos("$.volume_multiplier", raw.volume_multiplier)?;
    let skills = groups::skills(raw);
    let channels::Channels {
        mut channels,
        ids: channel_ids,
        types,
        segments,
        forecast_bytes,
    } = channels::channels(&cx, raw, dir, &day, multiplier, &skills)?;
    let groups::Groups {
        mut groups,
        n_regular,
        capacity,
    } = groups::groups(&cx, raw, &skills, &channel_ids, day.n)?;
    let classes = classes::classes(&cx, &mut channels, &mut groups, &skills, &types, n_regular)?;
    sizes(&cx, &channels, &groups, &classes, &types, &segments, day.n)?;
    let playbook = match &raw.surge_playbook {
        None => None,
        Some(pb) => Some(playbook::playbook(
            &cx,
            pb,
            &channels,
            &types,
            &classes,
            n_regular,
            day.interval_s,
        )?),
    };
    let routing = routing::routing(&cx, &raw.routing, &segments)?;
    let proficiency = routing::proficiency(&cx, &raw.proficiency)?;
    let mut requirements = Vec::new();
    for (i, r) in raw.requirements.iter().enumerate() {
        if r.trim().is_empty() {
            return Err(cx.err(format!("$.requirements[{i}]"), "is empty"));
        }
        requirements.push(r.clone());
    }

    let mut model = Model {
        name: raw.name.clone(),
        description: raw.description.clone(),
        source: file.to_string(),
        hash: hash(bytes, &forecast_bytes),
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
