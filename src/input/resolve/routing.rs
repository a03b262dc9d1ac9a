//! `routing` and `proficiency`: the strategy, the segments served first under elderly-priority
//! with their aging bound, and the handle-time factor per proficiency level.

use super::ctx::Ctx;
use crate::error::InputError;
use crate::input::scenario::{ProficiencyFile, RoutingFile};
use crate::model::{Channel, Routing, Segment, StrategyKind};

/// The routing rules; `segments` are the scenario's segments (declared or named by a channel).
pub(super) fn routing(
    cx: &Ctx,
    r: &RoutingFile,
    channels: &[Channel],
    types: &[String],
    segments: &[Segment],
) -> Result<Routing, InputError> {
    let mut priority = vec![false; segments.len()];
    for (i, s) in r.priority_segments.iter().enumerate() {
        match segments.iter().position(|x| &x.id == s) {
            Some(k) => priority[k] = true,
            None if r.strategy == StrategyKind::ElderlyPriority => {
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
    let aging_s = match r.aging_s {
        None => f64::INFINITY,
        Some(a) => cx.pos("$.routing.aging_s", a)?,
    };
    let policy = match &r.policy {
        Some(p) => Some(super::policy::policy(cx, p, channels, types, segments)?),
        None if r.strategy == StrategyKind::Score => {
            return Err(cx.err(
                "$.routing.strategy",
                "strategy `score` needs a score policy: add `routing.policy`",
            ))
        }
        None => None,
    };
    Ok(Routing {
        strategy: r.strategy,
        priority,
        aging_s,
        policy,
        constraints: Default::default(),
        custom: None,
    })
}

/// Handle-time factors per level 1..=5: `[normal, hard]`, each a finite number > 0.
pub(super) fn proficiency(cx: &Ctx, p: &ProficiencyFile) -> Result<[[f64; 5]; 2], InputError> {
    for (name, arr) in [("normal", &p.normal), ("hard", &p.hard)] {
        for (i, f) in arr.iter().enumerate() {
            cx.factor(&format!("$.proficiency.{name}[{i}]"), *f)?;
        }
    }
    Ok([p.normal, p.hard])
}
