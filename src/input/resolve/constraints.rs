//! `routing.overflow` and `routing.reservation`: overflow by delay and trunk reservation,
//! resolved per (group, class) once the classes are known ([`Constraints`]). An overflow rule
//! also narrows the groups eligible for the classes it matches to those it lists.

use super::ctx::Ctx;
use super::policy::lookup;
use crate::error::InputError;
use crate::input::scenario::{OverflowFile, ReservationFile, RoutingFile};
use crate::model::policy::Constraints;
use crate::model::Model;

/// The scenario's names, for lookups and messages.
struct Names<'a> {
    channels: Vec<&'a str>,
    types: Vec<&'a str>,
    segments: Vec<&'a str>,
    groups: Vec<&'a str>,
}

/// Resolves the overflow rules and reservations into `model.routing.constraints`, and drops
/// from each class's eligible groups (and each group's classes) the pairs an overflow rule
/// leaves out.
pub(super) fn constraints(cx: &Ctx, r: &RoutingFile, model: &mut Model) -> Result<(), InputError> {
    if r.overflow.is_empty() && r.reservation.is_empty() {
        return Ok(());
    }
    let names = Names {
        channels: model.channels.iter().map(|c| c.id.as_str()).collect(),
        types: model.types.iter().map(String::as_str).collect(),
        segments: model.segments.iter().map(|s| s.id.as_str()).collect(),
        groups: model.groups.iter().map(|g| g.id.as_str()).collect(),
    };
    let mut c = Constraints::default();
    let mut allowed = Vec::new();
    if !r.overflow.is_empty() {
        (c.delay, allowed) = overflow(cx, &r.overflow, &names, model)?;
    }
    if !r.reservation.is_empty() {
        (c.keep, c.protected) = reservation(cx, &r.reservation, &names, model)?;
    }
    drop(names);
    if !allowed.is_empty() {
        let nk = model.classes.len();
        for (k, cl) in model.classes.iter_mut().enumerate() {
            cl.eligible.retain(|&(g, _)| allowed[g * nk + k]);
        }
        for (g, gr) in model.groups.iter_mut().enumerate() {
            gr.classes.retain(|&(k, _)| allowed[g * nk + k]);
        }
    }
    model.routing.constraints = c;
    Ok(())
}

/// The delay of every (group, class) pair and whether the pair is allowed at all.
fn overflow(
    cx: &Ctx,
    rules: &[OverflowFile],
    names: &Names,
    model: &Model,
) -> Result<(Vec<f64>, Vec<bool>), InputError> {
    let (ng, nk) = (model.groups.len(), model.classes.len());
    let mut delay = vec![0.0; ng * nk];
    let mut allowed = vec![true; ng * nk];
    let mut done = vec![false; nk];
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("$.routing.overflow[{i}]");
        let channel = lookup(cx, &at, "channel", rule.channel.as_deref(), &names.channels)?;
        let type_ = lookup(cx, &at, "type", rule.type_.as_deref(), &names.types)?;
        let segment = lookup(cx, &at, "segment", rule.segment.as_deref(), &names.segments)?;
        let steps = steps(cx, &at, rule, names)?;
        for (k, cl) in model.classes.iter().enumerate() {
            let matches = channel.is_none_or(|x| x == cl.channel)
                && type_.is_none_or(|x| x == cl.type_)
                && segment.is_none_or(|x| x == cl.segment);
            // The first rule that matches a class decides for it.
            if !matches || done[k] {
                continue;
            }
            done[k] = true;
            let star = steps.iter().find(|s| s.0.is_none()).map(|s| s.1);
            for g in 0..ng {
                let own = steps.iter().find(|s| s.0 == Some(g)).map(|s| s.1);
                match own.or(star) {
                    Some(d) => delay[g * nk + k] = d,
                    None => allowed[g * nk + k] = false,
                }
            }
            if cl.eligible.iter().all(|&(g, _)| !allowed[g * nk + k]) {
                return Err(cx.err(
                    format!("{at}.groups"),
                    format!(
                        "no group listed can serve the `{}` contacts of type `{}` and segment `{}`: they could never be answered",
                        names.channels[cl.channel], names.types[cl.type_], names.segments[cl.segment]
                    ),
                ));
            }
        }
    }
    Ok((delay, allowed))
}

/// A rule's steps: (group, or `None` for `*`; delay), each group once.
fn steps(
    cx: &Ctx,
    at: &str,
    rule: &OverflowFile,
    names: &Names,
) -> Result<Vec<(Option<usize>, f64)>, InputError> {
    if rule.groups.is_empty() {
        return Err(cx.err(
            format!("{at}.groups"),
            "is empty: list at least one group (the primary one, with after_s 0)",
        ));
    }
    let mut out: Vec<(Option<usize>, f64)> = Vec::new();
    for (j, s) in rule.groups.iter().enumerate() {
        let path = format!("{at}.groups[{j}]");
        let g = if s.group == "*" {
            None
        } else {
            match names.groups.iter().position(|x| *x == s.group) {
                Some(g) => Some(g),
                None => {
                    return Err(cx.err(
                        format!("{path}.group"),
                        format!(
                            "group `{}` is not defined (groups: {}, or `*` for any other)",
                            s.group,
                            names.groups.join(", ")
                        ),
                    ))
                }
            }
        };
        if out.iter().any(|x| x.0 == g) {
            return Err(cx.err(
                format!("{path}.group"),
                format!("`{}` is listed twice in the rule", s.group),
            ));
        }
        let d = s.after_s;
        if !(d.is_finite() && d >= 0.0) {
            return Err(cx.err(
                format!("{path}.after_s"),
                format!("= {d}: a delay must be a finite number of seconds >= 0"),
            ));
        }
        out.push((g, d));
    }
    Ok(out)
}

/// The agents each group keeps, and the classes each group's reservation protects.
fn reservation(
    cx: &Ctx,
    rules: &[ReservationFile],
    names: &Names,
    model: &Model,
) -> Result<(Vec<u32>, Vec<bool>), InputError> {
    let (ng, nk) = (model.groups.len(), model.classes.len());
    let mut keep = vec![0u32; ng];
    let mut protected = vec![false; ng * nk];
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("$.routing.reservation[{i}]");
        let Some(g) = names.groups.iter().position(|x| *x == rule.group) else {
            return Err(cx.err(
                format!("{at}.group"),
                format!(
                    "group `{}` is not defined (groups: {})",
                    rule.group,
                    names.groups.join(", ")
                ),
            ));
        };
        if keep[g] > 0 {
            return Err(cx.err(
                format!("{at}.group"),
                format!("group `{}` has a reservation already", rule.group),
            ));
        }
        let most = model.max_headcount(g);
        if rule.agents == 0 || rule.agents > most {
            return Err(cx.err(
                format!("{at}.agents"),
                format!(
                    "= {}: a group keeps from 1 agent up to its headcount (`{}` has at most {most})",
                    rule.agents, rule.group
                ),
            ));
        }
        if rule.segments.is_empty() && rule.types.is_empty() {
            return Err(cx.err(
                at.clone(),
                "protects nothing: list the `segments` or `types` the agents are kept for",
            ));
        }
        let mut segs = Vec::new();
        for (j, s) in rule.segments.iter().enumerate() {
            segs.push(named(
                cx,
                &format!("{at}.segments[{j}]"),
                "segment",
                s,
                &names.segments,
            )?);
        }
        let mut tys = Vec::new();
        for (j, t) in rule.types.iter().enumerate() {
            tys.push(named(
                cx,
                &format!("{at}.types[{j}]"),
                "type",
                t,
                &names.types,
            )?);
        }
        keep[g] = rule.agents;
        for (k, cl) in model.classes.iter().enumerate() {
            protected[g * nk + k] = segs.contains(&cl.segment) || tys.contains(&cl.type_);
        }
    }
    Ok((keep, protected))
}

/// The index of `name` among `known`, or an error at `path`.
fn named(
    cx: &Ctx,
    path: &str,
    what: &str,
    name: &str,
    known: &[&str],
) -> Result<usize, InputError> {
    known.iter().position(|k| *k == name).ok_or_else(|| {
        cx.err(
            path,
            format!(
                "{what} `{name}` is not defined ({what}s: {})",
                known.join(", ")
            ),
        )
    })
}
