//! `day` and `service_level`: opening time, intervals, warm-up, and the service-level definition.

use super::ctx::Ctx;
use crate::error::InputError;
use crate::input::forecast::parse_clock;
use crate::input::scenario::{DayFile, ServiceLevelFile};
use crate::model::dist::short_num;
use crate::model::limits::MAX_WARMUP_MINUTES;
use crate::model::ServiceLevelDef;

/// The resolved day.
pub(super) struct Day {
    /// Opening time, seconds after midnight.
    pub open_s: f64,
    pub interval_s: f64,
    /// Number of intervals.
    pub n: usize,
    pub warmup_s: f64,
}

pub(super) fn day(cx: &Ctx, d: &DayFile) -> Result<Day, InputError> {
    let open_s = parse_clock(&d.open).ok_or_else(|| {
        cx.err(
            "$.day.open",
            format!(
                "`{}` is not a time of day: use HH:MM, e.g. \"08:00\"",
                d.open
            ),
        )
    })?;
    if ![15, 30, 60].contains(&d.interval_minutes) {
        return Err(cx.err(
            "$.day.interval_minutes",
            format!("= {}: must be 15, 30 or 60", d.interval_minutes),
        ));
    }
    let interval_s = d.interval_minutes as f64 * 60.0;
    let n = d.intervals as usize;
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
                d.interval_minutes
            ),
        ));
    }
    // Checked in seconds (minutes so large that they overflow are refused), shown in minutes.
    let warmup_s = d.warmup_minutes * 60.0;
    if !warmup_s.is_finite() || warmup_s < 0.0 {
        return Err(cx.err(
            "$.day.warmup_minutes",
            format!("= {}: must be >= 0", short_num(d.warmup_minutes)),
        ));
    }
    if d.warmup_minutes > MAX_WARMUP_MINUTES {
        return Err(cx.err(
            "$.day.warmup_minutes",
            format!(
                "= {}: at most {MAX_WARMUP_MINUTES} minutes (one day) of warm-up",
                short_num(d.warmup_minutes)
            ),
        ));
    }
    Ok(Day {
        open_s,
        interval_s,
        n,
        warmup_s,
    })
}

pub(super) fn service_level(
    cx: &Ctx,
    sl: &ServiceLevelFile,
) -> Result<ServiceLevelDef, InputError> {
    Ok(ServiceLevelDef {
        formula: sl.formula,
        short_abandon_s: cx.nonneg("$.service_level.short_abandon_s", sl.short_abandon_s, "")?,
        long_wait_s: cx.pos("$.service_level.long_wait_s", sl.long_wait_s)?,
    })
}
