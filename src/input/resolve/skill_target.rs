//! Transfers to a skill tag (`types[].transfer.to_skill`, README "Realism"): before the
//! channels are resolved, each such target becomes a contact type of the same channel, so that
//! the transferred leg is an ordinary class (its channel, that type, the customer's segment).
//! The type is the channel's first type (file order) whose `skills` are exactly `[tag]`; if the
//! channel has none, an implicit type `<tag>-transfer` is added after its types: share 0 (it
//! receives only transferred contacts), skills `[tag]`, the difficulty and wrap-up of the first
//! type transferring to it, and as handle time that transfer's `handle_time` (else that type's).
//! A tag that no regular agent group serving the channel has is refused here, at the
//! `to_skill` path.

use super::ctx::Ctx;
use crate::error::InputError;
use crate::input::scenario::{ScenarioFile, TypeFile};

/// The scenario with every `to_skill` target written as a `to_type` (`None`: no transfer names
/// a skill, the scenario is used as written).
pub(super) fn skill_targets(
    cx: &Ctx,
    raw: &ScenarioFile,
) -> Result<Option<ScenarioFile>, InputError> {
    let uses = raw.channels.iter().any(|c| {
        c.types
            .iter()
            .any(|t| t.transfer.as_ref().is_some_and(|tr| tr.to_skill.is_some()))
    });
    if !uses {
        return Ok(None);
    }
    let mut out = raw.clone();
    for (c, ch) in out.channels.iter_mut().enumerate() {
        for t in 0..ch.types.len() {
            let Some(tr) = ch.types[t].transfer.as_ref() else {
                continue;
            };
            let p = format!("$.channels[{c}].types[{t}].transfer");
            let tag = match (&tr.to_type, &tr.to_skill) {
                // Neither: refused by the transfer's own check, at `to_type`.
                (Some(_), None) | (None, None) => continue,
                (Some(_), Some(_)) => {
                    return Err(cx.err(
                        format!("{p}.to_skill"),
                        "is given with `to_type`: a transfer goes to a type or to a skill tag, not both",
                    ))
                }
                (None, Some(tag)) => tag.clone(),
            };
            served(cx, raw, c, &tag, &format!("{p}.to_skill"))?;
            let id = match ch.types.iter().find(|x| x.skills == [tag.clone()]) {
                Some(x) => x.id.clone(),
                None => {
                    let id = format!("{tag}-transfer");
                    if ch.types.iter().any(|x| x.id == id) {
                        return Err(cx.err(
                            format!("{p}.to_skill"),
                            format!("the channel has a type `{id}` that does not require exactly [{tag}]: name the target with to_type"),
                        ));
                    }
                    let src = &ch.types[t];
                    ch.types.push(TypeFile {
                        id: id.clone(),
                        share: 0.0,
                        skills: vec![tag.clone()],
                        difficulty: src.difficulty,
                        handle_time: tr
                            .handle_time
                            .clone()
                            .unwrap_or_else(|| src.handle_time.clone()),
                        wrap_up: src.wrap_up.clone(),
                        transfer: None,
                    });
                    id
                }
            };
            let tr = ch.types[t].transfer.as_mut().expect("seen above");
            tr.to_type = Some(id);
            tr.to_skill = None;
        }
    }
    Ok(Some(out))
}

/// Refuses skill `tag` as a transfer target of channel `c` when no regular agent group that
/// handles the channel has it.
fn served(cx: &Ctx, raw: &ScenarioFile, c: usize, tag: &str, path: &str) -> Result<(), InputError> {
    let ch = &raw.channels[c].id;
    let ok = raw.agent_groups.iter().any(|g| {
        g.skills.get(tag).is_some_and(|&l| l > 0)
            && g.channels.as_ref().is_none_or(|m| m.contains_key(ch))
    });
    if ok {
        return Ok(());
    }
    Err(cx.err(
        path,
        format!(
            "no agent group that handles channel `{ch}` has skill `{tag}`: the transferred contacts could never be answered"
        ),
    ))
}
