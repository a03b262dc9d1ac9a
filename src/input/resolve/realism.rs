//! The realism fields (README "Realism"): each type's `wrap_up` and `transfer`, each channel's
//! and segment's `redial`, and the `outages`, checked against the resolved model (the classes
//! exist by now): probabilities and shares in [0, 1], transfer targets that exist in the
//! channel, no circle of certain transfers, outage windows inside the day, backup channels that
//! exist.

use super::ctx::{each, Ctx, Errors};
use crate::error::InputError;
use crate::input::forecast::parse_clock;
use crate::input::scenario::ScenarioFile;
use crate::input::scenario_realism::{InServiceFile, OutageFile, RedialFile, TransferFile};
use crate::model::dist::{short_num, Dist};
use crate::model::realism::{Outage, Realism, Redial, Transfer, Window};
use crate::model::Model;

/// The model's realism part; empty vectors for features no class uses.
pub(super) fn realism(cx: &Ctx, raw: &ScenarioFile, model: &Model) -> Result<Realism, InputError> {
    let nk = model.classes.len();
    let mut r = Realism::default();
    let mut errs = Errors::default();
    let mut wrap = vec![None; nk];
    let mut transfer: Vec<Option<Transfer>> = vec![None; nk];
    let mut redial: Vec<Option<Redial>> = vec![None; nk];
    for (c, ch) in raw.channels.iter().enumerate() {
        let classes = &model.channels[c].class_of;
        let channel_redial = ch
            .redial
            .as_ref()
            .and_then(|rd| errs.keep(redial_rule(cx, &format!("$.channels[{c}].redial"), rd)));
        for (t, ty) in ch.types.iter().enumerate() {
            let tp = format!("$.channels[{c}].types[{t}]");
            let w = ty
                .wrap_up
                .as_ref()
                .and_then(|d| errs.keep(finite_dist(cx, &format!("{tp}.wrap_up"), d)));
            let tr = ty
                .transfer
                .as_ref()
                .and_then(|tr| errs.keep(transfer_rule(cx, &tp, tr, raw, model, c)));
            for (s, seg) in ch.segments.iter().enumerate() {
                let k = classes[t][s];
                wrap[k] = w.clone();
                transfer[k] = tr.clone().map(|mut x: Transfer| {
                    x.to_class = classes[x.to_class][s];
                    x
                });
                let sp = format!("$.channels[{c}].segments[{s}].redial");
                let own = seg
                    .redial
                    .as_ref()
                    .and_then(|rd| errs.keep(redial_rule(cx, &sp, rd)));
                redial[k] = own.or_else(|| channel_redial.clone());
            }
        }
        errs.keep(no_transfer_circle(cx, c, raw));
    }
    r.outages = errs
        .keep(each(&raw.outages, |i, o| outage(cx, i, o, raw, model)))
        .unwrap_or_default();
    errs.finish()?;
    if wrap.iter().any(Option::is_some) {
        r.wrap_up = wrap;
    }
    if transfer.iter().any(Option::is_some) {
        r.transfer = transfer;
    }
    if redial.iter().any(Option::is_some) {
        r.redial = redial;
    }
    Ok(r)
}

/// A distribution with a finite mean (a wrap-up, a delay, a handle time).
fn finite_dist(cx: &Ctx, path: &str, d: &crate::model::dist::DistSpec) -> Result<Dist, InputError> {
    let dist = cx.dist(path, d)?;
    if !dist.mean().is_finite() {
        return Err(cx.err(
            path,
            "must have a finite mean (`never` is only for patience)",
        ));
    }
    Ok(dist)
}

/// A type's transfer rule; `to_class` holds the target's local type index (the caller makes it
/// a class).
fn transfer_rule(
    cx: &Ctx,
    tp: &str,
    tr: &TransferFile,
    raw: &ScenarioFile,
    model: &Model,
    c: usize,
) -> Result<Transfer, InputError> {
    let p = format!("{tp}.transfer");
    cx.share(&format!("{p}.share"), tr.share)?;
    let ch = &raw.channels[c];
    let Some(to_type) = &tr.to_type else {
        return Err(cx.err(
            format!("{p}.to_type"),
            "is missing: give to_type (a contact type of the channel) or to_skill (a skill tag)",
        ));
    };
    let Some(to) = ch.types.iter().position(|t| &t.id == to_type) else {
        return Err(cx.err(
            format!("{p}.to_type"),
            format!(
                "type `{}` is not a type of channel `{}`, so no agent serves the transferred contacts (its types: {})",
                to_type,
                ch.id,
                ch.types.iter().map(|t| t.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let delay = match &tr.delay {
        Some(d) => Some(finite_dist(cx, &format!("{p}.delay"), d)?),
        None => None,
    };
    let handle = match &tr.handle_time {
        Some(d) => finite_dist(cx, &format!("{p}.handle_time"), d)?,
        None => model.channels[c].types[to].handle.clone(),
    };
    if handle.mean() <= 0.0 || handle.mean().is_nan() {
        return Err(cx.err(format!("{p}.handle_time"), "must have a mean > 0"));
    }
    Ok(Transfer {
        share: tr.share,
        to_class: to,
        delay,
        handle,
        priority: tr.priority,
    })
}

/// Refuses a circle of transfers that every contact follows (each share 1): its contacts would
/// be passed on for ever.
fn no_transfer_circle(cx: &Ctx, c: usize, raw: &ScenarioFile) -> Result<(), InputError> {
    let types = &raw.channels[c].types;
    let next = |t: usize| -> Option<usize> {
        let tr = types[t].transfer.as_ref().filter(|tr| tr.share >= 1.0)?;
        types
            .iter()
            .position(|x| Some(&x.id) == tr.to_type.as_ref())
    };
    for start in 0..types.len() {
        let (mut t, mut steps) = (start, 0);
        while let Some(n) = next(t) {
            t = n;
            steps += 1;
            if t == start || steps > types.len() {
                return Err(cx.err(
                    format!("$.channels[{c}].types[{start}].transfer"),
                    format!(
                        "type `{}` is in a circle of transfers with share 1 and no exit: its contacts would be transferred for ever (give one share < 1)",
                        types[start].id
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn redial_rule(cx: &Ctx, p: &str, rd: &RedialFile) -> Result<Redial, InputError> {
    cx.share(&format!("{p}.probability"), rd.probability)?;
    cx.share(&format!("{p}.decay"), rd.decay)?;
    if rd.max_attempts == 0 || rd.max_attempts > 100 {
        return Err(cx.err(
            format!("{p}.max_attempts"),
            format!("= {}: must be between 1 and 100", rd.max_attempts),
        ));
    }
    Ok(Redial {
        probability: rd.probability,
        delay: finite_dist(cx, &format!("{p}.delay"), &rd.delay)?,
        max_attempts: rd.max_attempts,
        decay: rd.decay,
        after_hang_up: rd.after_hang_up,
    })
}

/// A clock time of the day as simulation seconds (after the warm-up), if inside opening hours.
fn clock(cx: &Ctx, path: String, s: &str, model: &Model) -> Result<f64, InputError> {
    let day = model.n_intervals as f64 * model.interval_s;
    let t = parse_clock(s).ok_or_else(|| {
        cx.err(
            path.clone(),
            format!("`{s}` is not a time of day: use HH:MM, e.g. \"14:00\""),
        )
    })?;
    let mut since_open = t - model.open_s;
    if since_open < 0.0 {
        since_open += 86_400.0;
    }
    if since_open >= day {
        return Err(cx.err(
            path,
            format!(
                "`{s}` is outside the day ({} to {})",
                model.interval_label(0),
                model.interval_label(model.n_intervals)
            ),
        ));
    }
    Ok(model.warmup_s + since_open)
}

fn outage(
    cx: &Ctx,
    i: usize,
    o: &OutageFile,
    raw: &ScenarioFile,
    model: &Model,
) -> Result<Outage, InputError> {
    let p = format!("$.outages[{i}]");
    let ids: Vec<String> = raw.channels.iter().map(|c| c.id.clone()).collect();
    let channels = match &o.channel {
        Some(id) => vec![cx.channel(format!("{p}.channel"), id, &ids)?],
        None => (0..ids.len()).collect(),
    };
    let window = outage_window(cx, &p, o, model)?;
    let handle_factor = cx.factor(&format!("{p}.handle_time_factor"), o.handle_time_factor)?;
    let redirect = match &o.redirect {
        None => None,
        Some(r) => {
            let b = cx.channel(format!("{p}.redirect.channel"), &r.channel, &ids)?;
            if channels.contains(&b) {
                return Err(cx.err(
                    format!("{p}.redirect.channel"),
                    format!(
                        "backup channel `{}` is down in this outage itself",
                        r.channel
                    ),
                ));
            }
            Some((b, cx.share(&format!("{p}.redirect.share"), r.share)?))
        }
    };
    let call_later = cx.share(&format!("{p}.call_later_share"), o.call_later_share)?;
    let self_service = cx.share(&format!("{p}.self_service_share"), o.self_service_share)?;
    let sum = redirect.map_or(0.0, |r| r.1) + call_later + self_service;
    if sum > 1.0 + 1e-9 {
        return Err(cx.err(
            p,
            format!(
                "redirect share + call_later_share + self_service_share = {}: at most 1 (the rest wait as usual)",
                short_num((sum * 1e9).round() / 1e9)
            ),
        ));
    }
    Ok(Outage {
        channels,
        window,
        handle_factor,
        redirect,
        call_later_share: call_later,
        self_service_share: self_service,
        drop_in_service: o.in_service == InServiceFile::Drop,
    })
}

/// The outage's window: fixed (`start`, `duration_minutes`) or `random`, inside the day.
fn outage_window(cx: &Ctx, p: &str, o: &OutageFile, model: &Model) -> Result<Window, InputError> {
    let close = model.close_time();
    match (&o.start, &o.random) {
        (Some(s), None) => {
            let start = clock(cx, format!("{p}.start"), s, model)?;
            let dp = format!("{p}.duration_minutes");
            let Some(d) = o.duration_minutes else {
                return Err(cx.err(dp, "is missing: give the outage's length in minutes"));
            };
            let d = cx.pos(&dp, d)? * 60.0;
            if start + d > close + 1e-6 {
                return Err(cx.err(
                    dp,
                    format!(
                        "= {}: the outage from {s} would last past closing ({})",
                        short_num(d / 60.0),
                        model.interval_label(model.n_intervals)
                    ),
                ));
            }
            Ok(Window::Fixed {
                start,
                end: start + d,
            })
        }
        (None, Some(r)) => {
            if o.duration_minutes.is_some() {
                return Err(cx.err(
                    format!("{p}.duration_minutes"),
                    "is given with `random`: the random window has its own duration_minutes",
                ));
            }
            let earliest = clock(cx, format!("{p}.random.earliest"), &r.earliest, model)?;
            let latest = clock(cx, format!("{p}.random.latest"), &r.latest, model)?;
            if latest < earliest {
                return Err(cx.err(
                    format!("{p}.random.latest"),
                    format!("`{}` is before earliest `{}`", r.latest, r.earliest),
                ));
            }
            let duration = finite_dist(
                cx,
                &format!("{p}.random.duration_minutes"),
                &r.duration_minutes,
            )?;
            Ok(Window::Random {
                earliest,
                latest,
                duration,
            })
        }
        (Some(_), Some(_)) => Err(cx.err(
            format!("{p}.random"),
            "is given with `start`: a window is either fixed (start, duration_minutes) or random",
        )),
        (None, None) => Err(cx.err(
            format!("{p}.start"),
            "is missing: give start and duration_minutes, or a random window",
        )),
    }
}
