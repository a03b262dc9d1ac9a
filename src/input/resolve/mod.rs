//! Resolving a parsed scenario ([`ScenarioFile`]) into the validated [`Model`] the engine runs:
//! names turned into indices, distributions built, every cross-reference checked. One file per
//! section of the scenario, in the order they are checked: `day` (the day, replications,
//! service level), `channels` (channels with their contact types and customer segments, the
//! forecast CSV), `groups` (agent groups, their skills and capacity), `playbook` (the surge
//! playbook's reserve and rules), `classes` (contact classes and who can serve them) and
//! `routing` (strategy, priority segments, proficiency factors). Each section reports the first
//! problem it finds through the shared `Ctx`, whose helpers word the common checks (a positive
//! number, a share, a goal, unique ids, a channel list) the same way everywhere.

mod channels;
mod classes;
mod day;
mod groups;
mod playbook;
mod routing;

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::InputError;
use crate::input::scenario::{GoalFile, ScenarioFile};
use crate::model::dist::{short_num, Dist, DistSpec};
use crate::model::{Goal, Model};

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
    if raw.replications == 0 {
        return Err(cx.err("$.replications", "= 0: must be at least 1"));
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

/// The error context shared by every section: the file, and the checks they have in common,
/// each naming the JSON path of the value it refuses.
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
    /// A finite number >= 0; `what` names it in the message (`a number of minutes `, or empty).
    fn nonneg(&self, path: &str, v: f64, what: &str) -> Result<f64, InputError> {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(self.err(path, format!("= {}: must be {what}>= 0", short_num(v))))
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
    /// Refuses an empty list or map; `hint` says what to put in it.
    fn non_empty(
        &self,
        path: impl Into<String>,
        is_empty: bool,
        hint: &str,
    ) -> Result<(), InputError> {
        if is_empty {
            Err(self.err(path, format!("is empty: {hint}")))
        } else {
            Ok(())
        }
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
    /// A non-empty list of items with non-blank, unique ids; `hint` says what an empty one needs.
    fn listed<T>(
        &self,
        path: &str,
        items: &[T],
        id: impl Fn(&T) -> &String,
        hint: &str,
    ) -> Result<(), InputError> {
        self.non_empty(path, items.is_empty(), hint)?;
        self.unique(
            path,
            &items.iter().map(|x| id(x).as_str()).collect::<Vec<_>>(),
        )
    }
    /// One value per interval of the day: `v` must have `n` entries.
    fn per_interval<T: Clone>(&self, path: &str, v: &[T], n: usize) -> Result<Vec<T>, InputError> {
        if v.len() != n {
            return Err(self.err(
                path,
                format!("has {} entries: the day has {n} intervals", v.len()),
            ));
        }
        Ok(v.to_vec())
    }
    /// A proficiency level, 1 (junior) to 5 (senior).
    fn level(&self, path: String, lvl: u8) -> Result<u8, InputError> {
        if (1..=5).contains(&lvl) {
            Ok(lvl)
        } else {
            Err(self.err(path, format!("= {lvl}: proficiency levels run from 1 to 5")))
        }
    }
    /// A channel id as its index.
    fn channel(
        &self,
        path: String,
        cid: &str,
        channel_ids: &[String],
    ) -> Result<usize, InputError> {
        channel_ids.iter().position(|x| x == cid).ok_or_else(|| {
            self.err(
                path,
                format!(
                    "channel `{cid}` is not defined (channels: {})",
                    channel_ids.join(", ")
                ),
            )
        })
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
            let c = self.channel(format!("{p}.channels.{cid}"), cid, channel_ids)?;
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
            .map(|(i, cid)| self.channel(format!("{p}[{i}]"), cid, channel_ids))
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
