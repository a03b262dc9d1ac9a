//! Contact classes, one per (channel, type, segment), and the groups that can serve each: the
//! cross-check of the channels' required skills against the agent groups.

use super::ctx::Ctx;
use crate::error::InputError;
use crate::model::{Channel, Class, Group};

/// Builds the classes in channel, type, segment order, filling each channel's `class_of` and
/// each group's `classes`. Fails when only reserve groups (`groups[n_regular..]`) could serve a
/// class, since reserves come only with the playbook.
pub(super) fn classes(
    cx: &Ctx,
    channels: &mut [Channel],
    groups: &mut [Group],
    skills: &[String],
    types: &[String],
    n_regular: usize,
) -> Result<Vec<Class>, InputError> {
    let mut classes = Vec::new();
    for (c, ch) in channels.iter_mut().enumerate() {
        ch.class_of = vec![vec![0; ch.segments.len()]; ch.types.len()];
        for (t, tm) in ch.types.iter().enumerate() {
            for (s, sm) in ch.segments.iter().enumerate() {
                let mut eligible: Vec<(usize, u8)> = Vec::new();
                for (g, gr) in groups.iter().enumerate() {
                    if gr.units[c] == 0 {
                        continue;
                    }
                    let lvl = tm.skills.iter().map(|&k| gr.levels[k]).min().unwrap_or(0);
                    if lvl > 0 {
                        eligible.push((g, lvl));
                    }
                }
                // Reserve agents come only with the playbook: regular groups must cover every type.
                if eligible.iter().all(|&(g, _)| g >= n_regular) {
                    let tp = format!("$.channels[{c}].types[{t}].skills");
                    return Err(cx.err(tp, format!(
                        "no agent group that handles channel `{}` has all of [{}]: `{}` contacts could never be answered",
                        ch.id,
                        tm.skills.iter().map(|k| skills[*k].as_str()).collect::<Vec<_>>().join(", "),
                        types[tm.type_]
                    )));
                }
                // Best proficiency first; equal levels keep the groups' file order.
                eligible.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                let k = classes.len();
                for &(g, lvl) in &eligible {
                    groups[g].classes.push((k, lvl));
                }
                ch.class_of[t][s] = k;
                classes.push(Class {
                    channel: c,
                    type_: tm.type_,
                    segment: sm.segment,
                    local_type: t,
                    local_segment: s,
                    hard: tm.hard,
                    eligible,
                });
            }
        }
    }
    Ok(classes)
}
