//! The error context every section of the resolver shares: the file, and the checks the
//! sections have in common, each worded once and naming the JSON path of the value it refuses.

use std::collections::BTreeMap;

use crate::error::InputError;
use crate::input::scenario::{GoalFile, ScenarioFile};
use crate::model::dist::{short_num, Dist, DistSpec};
use crate::model::limits::MAX_FACTOR;
use crate::model::Goal;

/// How far from 1 the shares of a channel's types or segments may sum (rounding as people
/// write it: three shares of 0.3333 sum to 0.9999); they are then rescaled to sum to 1.
pub const SHARE_SUM_TOLERANCE: f64 = 1e-3;

/// The problems found by checks that do not depend on each other, in the order found.
#[derive(Default)]
pub(super) struct Errors(Vec<InputError>);

impl Errors {
    /// The value of a check that passed; a failed one's problems are kept (`None`).
    pub fn keep<T>(&mut self, r: Result<T, InputError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
    /// Every problem kept, as one error.
    pub fn finish(self) -> Result<(), InputError> {
        InputError::join(self.0).map_or(Ok(()), Err)
    }
}

/// Checks each item by itself (`f` gets its index): all the values, or the problems of every
/// item that fails.
pub(super) fn each<T, U>(
    items: impl IntoIterator<Item = T>,
    mut f: impl FnMut(usize, T) -> Result<U, InputError>,
) -> Result<Vec<U>, InputError> {
    let mut errs = Errors::default();
    let out: Vec<U> = items
        .into_iter()
        .enumerate()
        .filter_map(|(i, x)| errs.keep(f(i, x)))
        .collect();
    errs.finish()?;
    Ok(out)
}

/// The error context: the file every error names.
pub(super) struct Ctx<'a> {
    pub file: &'a str,
}

impl Ctx<'_> {
    pub fn err(&self, path: impl Into<String>, msg: impl Into<String>) -> InputError {
        InputError::new(self.file, path, msg)
    }
    pub fn pos(&self, path: &str, v: f64) -> Result<f64, InputError> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(self.err(
                path,
                format!("= {}: must be a finite number > 0", short_num(v)),
            ))
        }
    }
    /// A handle-time factor: a finite number > 0 and at most [`MAX_FACTOR`], so that a handle
    /// time times its factors stays finite.
    pub fn factor(&self, path: &str, v: f64) -> Result<f64, InputError> {
        let v = self.pos(path, v)?;
        if v > MAX_FACTOR {
            return Err(self.err(
                path,
                format!(
                    "= {}: a handle-time factor is at most {MAX_FACTOR}",
                    short_num(v)
                ),
            ));
        }
        Ok(v)
    }
    /// A finite number >= 0; `what` names it in the message (`a number of minutes `, or empty).
    pub fn nonneg(&self, path: &str, v: f64, what: &str) -> Result<f64, InputError> {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(self.err(path, format!("= {}: must be {what}>= 0", short_num(v))))
        }
    }
    pub fn share(&self, path: &str, v: f64) -> Result<f64, InputError> {
        if v.is_finite() && (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(self.err(
                path,
                format!("= {}: must be a share between 0 and 1", short_num(v)),
            ))
        }
    }
    pub fn goal(&self, path: &str, g: &GoalFile) -> Result<Goal, InputError> {
        let threshold_s = self.pos(&format!("{path}.threshold_s"), g.threshold_s)?;
        let target = self.share(&format!("{path}.target"), g.target)?;
        if target == 0.0 {
            return Err(self.err(
                format!("{path}.target"),
                "= 0: must be a share > 0 and <= 1",
            ));
        }
        let days_share = match g.days_share {
            None => None,
            Some(d) => {
                let d = self.share(&format!("{path}.days_share"), d)?;
                if d == 0.0 {
                    return Err(self.err(
                        format!("{path}.days_share"),
                        "= 0: must be a share of days > 0 and <= 1 (omit it to judge the mean service level)",
                    ));
                }
                Some(d)
            }
        };
        Ok(Goal {
            threshold_s,
            target,
            days_share,
        })
    }
    pub fn dist(&self, path: &str, spec: &DistSpec) -> Result<Dist, InputError> {
        Dist::new(spec).map_err(|e| self.err(format!("{path}.{}", e.field), e.message))
    }
    /// Refuses an empty list or map; `hint` says what to put in it.
    pub fn non_empty(
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
    pub fn unique(&self, path: &str, ids: &[&str]) -> Result<(), InputError> {
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
    pub fn listed<T>(
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
    pub fn per_interval<T: Clone>(
        &self,
        path: &str,
        v: &[T],
        n: usize,
    ) -> Result<Vec<T>, InputError> {
        if v.len() != n {
            return Err(self.err(
                path,
                format!("has {} entries: the day has {n} intervals", v.len()),
            ));
        }
        Ok(v.to_vec())
    }
    /// A proficiency level, 1 (junior) to 5 (senior).
    pub fn level(&self, path: String, lvl: u8) -> Result<u8, InputError> {
        if (1..=5).contains(&lvl) {
            Ok(lvl)
        } else {
            Err(self.err(path, format!("= {lvl}: proficiency levels run from 1 to 5")))
        }
    }
    /// A channel id as its index.
    pub fn channel(
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
    pub fn concurrency(
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
    pub fn channel_list(
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
    /// Checks that `shares` sum to 1 within [`SHARE_SUM_TOLERANCE`] and returns the factor that
    /// makes them sum to 1: exactly 1 when they do within 1e-6 (float rounding, such as
    /// 0.6 + 0.3 + 0.1), else `1 / sum` (three shares of 0.3333 become a third each).
    pub fn shares_sum(&self, path: &str, shares: &[f64]) -> Result<f64, InputError> {
        let s: f64 = shares.iter().sum();
        if (s - 1.0).abs() > SHARE_SUM_TOLERANCE {
            // Rounded so that 0.6 + 0.3 reads `0.9`, not `0.8999999999999999`.
            let shown = (s * 1e6).round() / 1e6;
            return Err(self.err(
                path,
                format!("shares sum to {shown}: they must sum to 1 (within {SHARE_SUM_TOLERANCE})"),
            ));
        }
        Ok(if (s - 1.0).abs() > 1e-6 { 1.0 / s } else { 1.0 })
    }
}
