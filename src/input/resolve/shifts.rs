//! A group's `shifts` and the scenario's `workforce` (README "Rosters"): shift times within
//! the day, breaks within their shift and apart from each other, absence a share below 1.

use super::ctx::Ctx;
use crate::error::InputError;
use crate::input::forecast::parse_clock;
use crate::input::scenario::{ShiftFile, WorkforceFile};
use crate::model::roster::{Break, Shift};

/// The day the shifts must fit in: opening (seconds after midnight) and its length.
#[derive(Debug, Clone, Copy)]
pub(super) struct DaySpan {
    pub open_s: f64,
    pub length_s: f64,
}

impl DaySpan {
    /// `HH:MM` at `p` as seconds after opening (a time after midnight past the day's end: the
    /// next day, for days that run past midnight).
    pub(super) fn clock(&self, cx: &Ctx, p: &str, s: &str) -> Result<f64, InputError> {
        let t = parse_clock(s).ok_or_else(|| {
            cx.err(
                p,
                format!("`{s}` is not a time of day: use HH:MM, e.g. \"09:30\""),
            )
        })?;
        let mut off = t - self.open_s;
        if off < 0.0 && off + 86_400.0 <= self.length_s {
            off += 86_400.0;
        }
        Ok(off)
    }

    /// `HH:MM` of `off` seconds after opening.
    pub(super) fn label(&self, off: f64) -> String {
        let t = (self.open_s + off).round() as u64;
        format!("{:02}:{:02}", (t / 3600) % 24, (t % 3600) / 60)
    }
}

/// The shifts of the group at `p` (`{p}.shifts`).
pub(super) fn shifts(
    cx: &Ctx,
    p: &str,
    list: &[ShiftFile],
    day: DaySpan,
) -> Result<Vec<Shift>, InputError> {
    if list.is_empty() {
        return Err(cx.err(
            format!("{p}.shifts"),
            "is empty: give at least one shift, or a headcount",
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, s)| shift(cx, &format!("{p}.shifts[{i}]"), s, day))
        .collect()
}

fn shift(cx: &Ctx, p: &str, s: &ShiftFile, day: DaySpan) -> Result<Shift, InputError> {
    let start_s = day.clock(cx, &format!("{p}.start"), &s.start)?;
    if start_s < 0.0 || start_s >= day.length_s {
        return Err(cx.err(
            format!("{p}.start"),
            format!(
                "`{}` is outside opening hours ({}-{})",
                s.start,
                day.label(0.0),
                day.label(day.length_s)
            ),
        ));
    }
    let end_s = start_s + s.minutes as f64 * 60.0;
    if s.minutes == 0 || end_s > day.length_s {
        return Err(cx.err(
            format!("{p}.minutes"),
            format!(
                "= {}: the shift must last at least a minute and end by closing ({})",
                s.minutes,
                day.label(day.length_s)
            ),
        ));
    }
    if s.agents > 100_000 {
        return Err(cx.err(
            format!("{p}.agents"),
            format!("= {}: at most 100000", s.agents),
        ));
    }
    let premium = cx.nonneg(&format!("{p}.premium_per_hour"), s.premium_per_hour, "")?;
    let mut breaks: Vec<Break> = Vec::new();
    for (j, b) in s.breaks.iter().enumerate() {
        let bp = format!("{p}.breaks[{j}]");
        let bs = day.clock(cx, &format!("{bp}.start"), &b.start)?;
        let be = bs + b.minutes as f64 * 60.0;
        if b.minutes == 0 || bs < start_s || be > end_s {
            return Err(cx.err(
                bp,
                format!(
                    "{} for {} min: a break must last at least a minute and lie within its shift ({}-{})",
                    b.start,
                    b.minutes,
                    day.label(start_s),
                    day.label(end_s)
                ),
            ));
        }
        if let Some(o) = breaks
            .iter()
            .position(|x| bs < x.start_s + x.length_s && x.start_s < be)
        {
            return Err(cx.err(bp, format!("overlaps break {o} of the same shift")));
        }
        breaks.push(Break {
            start_s: bs,
            length_s: be - bs,
            paid: b.paid,
        });
    }
    breaks.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    Ok(Shift {
        label: s
            .label
            .clone()
            .unwrap_or_else(|| format!("{}-{}", day.label(start_s), day.label(end_s))),
        start_s,
        end_s,
        breaks,
        agents: s.agents,
        premium_per_hour: premium,
    })
}

/// The `workforce` section's absence share (below 1: somebody must come).
pub(super) fn absence(cx: &Ctx, w: &WorkforceFile) -> Result<f64, InputError> {
    let a = cx.share("$.workforce.absence", w.absence)?;
    if a >= 1.0 {
        return Err(cx.err(
            "$.workforce.absence",
            "= 1: must be a share below 1 (every agent absent)",
        ));
    }
    Ok(a)
}
