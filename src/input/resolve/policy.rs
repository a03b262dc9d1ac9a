//! `routing.policy`: the score policy's names resolved to indices and its weights checked
//! (finite; the promotion delay >= 0).

use super::ctx::Ctx;
use crate::error::InputError;
use crate::input::scenario::PolicyFile;
use crate::model::policy::{AgentWeights, BaseRule, ScorePolicy};
use crate::model::{Channel, Segment};

const PATH: &str = "$.routing.policy";

/// The score policy, its names looked up among the scenario's channels, types and segments.
pub(super) fn policy(
    cx: &Ctx,
    p: &PolicyFile,
    channels: &[Channel],
    types: &[String],
    segments: &[Segment],
) -> Result<ScorePolicy, InputError> {
    let mut base = Vec::with_capacity(p.base.len());
    for (i, r) in p.base.iter().enumerate() {
        let at = format!("{PATH}.base[{i}]");
        let ids: Vec<&str> = channels.iter().map(|c| c.id.as_str()).collect();
        let tys: Vec<&str> = types.iter().map(String::as_str).collect();
        let sgs: Vec<&str> = segments.iter().map(|s| s.id.as_str()).collect();
        base.push(BaseRule {
            channel: lookup(cx, &at, "channel", r.channel.as_deref(), &ids)?,
            type_: lookup(cx, &at, "type", r.type_.as_deref(), &tys)?,
            segment: lookup(cx, &at, "segment", r.segment.as_deref(), &sgs)?,
            value: finite(cx, &format!("{at}.value"), r.value)?,
        });
    }
    let promote_after_s = match p.promote_after_s {
        None => f64::INFINITY,
        Some(d) => cx.nonneg(&format!("{PATH}.promote_after_s"), d, "")?,
    };
    let a = &p.agent;
    Ok(ScorePolicy {
        base,
        aging_per_s: finite(cx, &format!("{PATH}.aging_per_s"), p.aging_per_s)?,
        promote_after_s,
        promote_to: finite(cx, &format!("{PATH}.promote_to"), p.promote_to)?,
        freed_level: finite(cx, &format!("{PATH}.freed_level"), p.freed_level)?,
        transfer_bonus: finite(cx, &format!("{PATH}.transfer_bonus"), p.transfer_bonus)?,
        agent: AgentWeights {
            level: finite(cx, &format!("{PATH}.agent.level"), a.level)?,
            order: finite(cx, &format!("{PATH}.agent.order"), a.order)?,
            load: finite(cx, &format!("{PATH}.agent.load"), a.load)?,
            idle_per_s: cx.nonneg(
                &format!("{PATH}.agent.idle_per_s"),
                finite(cx, &format!("{PATH}.agent.idle_per_s"), a.idle_per_s)?,
                "",
            )?,
            occupancy: finite(cx, &format!("{PATH}.agent.occupancy"), a.occupancy)?,
        },
    })
}

/// A weight: a finite number, at most 1e12 in magnitude (so that sums of weights times waits
/// stay finite and ordered).
fn finite(cx: &Ctx, path: &str, v: f64) -> Result<f64, InputError> {
    if v.is_finite() && v.abs() <= 1e12 {
        Ok(v)
    } else {
        Err(cx.err(
            path,
            format!("= {v}: a weight must be a finite number between -1e12 and 1e12"),
        ))
    }
}

/// The index of `name` among `known` (`None` when absent: any).
pub(super) fn lookup(
    cx: &Ctx,
    at: &str,
    what: &str,
    name: Option<&str>,
    known: &[&str],
) -> Result<Option<usize>, InputError> {
    let Some(name) = name else { return Ok(None) };
    match known.iter().position(|k| *k == name) {
        Some(i) => Ok(Some(i)),
        None => Err(cx.err(
            format!("{at}.{what}"),
            format!(
                "{what} `{name}` is not defined ({what}s: {})",
                known.join(", ")
            ),
        )),
    }
}
