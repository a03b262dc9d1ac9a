//! `surge_playbook`'s rules: the trigger, the activation delay, diversion and the estimated-wait
//! announcement. (Its `reserve` groups are resolved with the agent groups, in `groups`.)

use super::ctx::Ctx;
use crate::error::InputError;
use crate::input::scenario::{AnnouncementFile, DivertFile, SurgePlaybookFile};
use crate::model::dist::short_num;
use crate::model::playbook::{Announcement, Playbook};
use crate::model::{Channel, Class};

const P: &str = "$.surge_playbook";

/// Resolves `surge_playbook` once the channels, classes and groups (reserves last, from
/// `n_regular` on) are known.
pub(super) fn playbook(
    cx: &Ctx,
    pb: &SurgePlaybookFile,
    channels: &[Channel],
    types: &[String],
    classes: &[Class],
    n_regular: usize,
    interval_s: f64,
) -> Result<Playbook, InputError> {
    let channel_ids: Vec<String> = channels.iter().map(|c| c.id.clone()).collect();
    let load_ratio = cx.pos(&format!("{P}.trigger.load_ratio"), pb.trigger.load_ratio)?;
    let mut trigger_channels = vec![true; channels.len()];
    if let Some(list) = &pb.trigger.channels {
        let lp = format!("{P}.trigger.channels");
        cx.non_empty(
            &lp,
            list.is_empty(),
            "name a channel, or leave it out for all",
        )?;
        trigger_channels = vec![false; channels.len()];
        for c in cx.channel_list(&lp, list, &channel_ids)? {
            trigger_channels[c] = true;
        }
    }
    let n = channels[0].rates.len();
    let planned = (0..n)
        .map(|k| {
            channels
                .iter()
                .zip(&trigger_channels)
                .filter(|(_, on)| **on)
                .map(|(ch, _)| ch.rates[k] * interval_s)
                .sum()
        })
        .collect();
    let d = cx.nonneg(
        &format!("{P}.activation_delay_minutes"),
        pb.activation_delay_minutes,
        "a number of minutes ",
    )?;
    let divert = divert(cx, &pb.divert, channels, &channel_ids, types, classes)?;
    let announcement = match &pb.announcement {
        None => None,
        Some(a) => Some(announcement(cx, a, &channel_ids)?),
    };
    Ok(Playbook {
        enabled: true,
        load_ratio,
        trigger_channels,
        planned,
        delay_s: d * 60.0,
        first_reserve: n_regular,
        divert,
        announcement,
    })
}

/// The diversion probability per contact class; a class may be diverted by one entry only.
fn divert(
    cx: &Ctx,
    entries: &[DivertFile],
    channels: &[Channel],
    channel_ids: &[String],
    types: &[String],
    classes: &[Class],
) -> Result<Vec<f64>, InputError> {
    let mut divert = vec![0.0; classes.len()];
    let mut covered: Vec<Option<usize>> = vec![None; classes.len()];
    for (i, dv) in entries.iter().enumerate() {
        let dp = format!("{P}.divert[{i}]");
        let Some(t) = types.iter().position(|x| *x == dv.type_) else {
            return Err(cx.err(
                format!("{dp}.type"),
                format!(
                    "contact type `{}` is not defined (types: {})",
                    dv.type_,
                    types.join(", ")
                ),
            ));
        };
        let share = cx.share(&format!("{dp}.share"), dv.share)?;
        let on: Vec<usize> = match &dv.channels {
            None => (0..channels.len()).collect(),
            Some(list) => {
                let lp = format!("{dp}.channels");
                let on = cx.channel_list(&lp, list, channel_ids)?;
                for (j, &c) in on.iter().enumerate() {
                    if !channels[c].types.iter().any(|m| m.type_ == t) {
                        return Err(cx.err(
                            format!("{lp}[{j}]"),
                            format!(
                                "channel `{}` has no `{}` contacts to divert",
                                channel_ids[c], dv.type_
                            ),
                        ));
                    }
                }
                on
            }
        };
        for (k, cl) in classes.iter().enumerate() {
            if cl.type_ == t && on.contains(&cl.channel) {
                if let Some(j) = covered[k] {
                    return Err(cx.err(
                        format!("{dp}.type"),
                        format!(
                            "`{}` contacts on channel `{}` are already diverted by {P}.divert[{j}]",
                            dv.type_, channel_ids[cl.channel]
                        ),
                    ));
                }
                covered[k] = Some(i);
                divert[k] = share;
            }
        }
    }
    Ok(divert)
}

/// The estimated-wait announcement; the channels' mean handle times (`aht_s`) are filled in
/// once the model is built.
fn announcement(
    cx: &Ctx,
    a: &AnnouncementFile,
    channel_ids: &[String],
) -> Result<Announcement, InputError> {
    let ap = format!("{P}.announcement");
    cx.non_empty(
        format!("{ap}.channels"),
        a.channels.is_empty(),
        "name the channels that play the announcement",
    )?;
    let mut on = vec![false; channel_ids.len()];
    for c in cx.channel_list(&format!("{ap}.channels"), &a.channels, channel_ids)? {
        on[c] = true;
    }
    let limit_s = cx.nonneg(&format!("{ap}.limit_s"), a.limit_s, "a number of seconds ")?;
    let cb = cx.share(&format!("{ap}.callback_share"), a.callback_share)?;
    let hu = cx.share(&format!("{ap}.hangup_share"), a.hangup_share)?;
    if cb + hu > 1.0 + 1e-9 {
        return Err(cx.err(
            format!("{ap}.hangup_share"),
            format!(
                "= {}: with callback_share {} the shares sum to {}, more than 1",
                short_num(hu),
                short_num(cb),
                ((cb + hu) * 1e6).round() / 1e6
            ),
        ));
    }
    Ok(Announcement {
        channels: on,
        limit_s,
        callback_share: cb,
        hangup_share: hu,
        aht_s: Vec::new(),
    })
}
