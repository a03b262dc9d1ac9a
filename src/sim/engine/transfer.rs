//! Transfers and escalation (README "Realism"): a contact its first agent does not resolve is
//! passed on when the conversation ends (after the rule's delay) and waits again, in the target
//! type's queue (before fresh contacts with `priority`), with its own handle time, wrap-up and
//! patience, drawn when it is passed on from the channel's transfer-leg stream. It is no new
//! contact offered: its answer, abandonment or non-resolution is counted in its customer's
//! cells.

use crate::model::Model;

use super::queues::Waiting;
use super::track::{Event, PRIORITY};
use super::tracked::choices;
use super::Engine;

impl Engine {
    /// Record `idx`'s contact of class `k`, answered, is passed on when its conversation ends
    /// at `talk_end`.
    pub(super) fn schedule_transfer(&mut self, model: &Model, k: usize, idx: u32, talk_end: f64) {
        let tr = model.realism.transfer[k].as_ref().expect("a transfer rule");
        let c = self.classes[k].channel as usize;
        let delay = tr
            .delay
            .as_ref()
            .map_or(0.0, |d| d.sample(&mut self.rx.transfer_leg[c]));
        let rec = self.rx.records[idx as usize];
        if let Some(cells) =
            self.classes[rec.first_class as usize].counted_cells(rec.first_interval)
        {
            self.stats.real_each(cells, |x| x.transfers += 1);
        }
        self.rx.push(talk_end + delay, Event::Transfer(idx));
    }

    /// Record `idx`'s contact joins its transfer target's queue now.
    pub(super) fn transfer_arrival(&mut self, model: &Model, idx: u32) {
        let now = self.now;
        let rec = self.rx.records[idx as usize];
        let k = rec.class as usize;
        let tr = model.realism.transfer[k].as_ref().expect("a transfer rule");
        let to = tr.to_class;
        let cl = &model.classes[to];
        let c = cl.channel;
        let seg = &model.channels[c].segments[cl.local_segment];
        let rng = &mut self.rx.transfer_leg[c];
        // The first contact's channel and interval: its forecast aht covers the transferred work.
        let factor = model.handle_factor(
            model.classes[rec.first_class as usize].channel,
            rec.first_interval,
        );
        let handle = tr.handle.sample(rng) * seg.handle_factor * factor;
        let patience = seg.patience.sample(rng);
        let leg = choices(model, to, now + patience, 0, rng);
        let r = &mut self.rx.records[idx as usize];
        r.class = to as u32;
        r.leg += 1;
        r.wrap = leg.wrap * factor;
        r.transfer = leg.transfer;
        r.redial_at = f64::INFINITY;
        r.redial_delay = f64::INFINITY;
        r.outage = false;
        let w = Waiting {
            arrival: now,
            deadline: now + patience,
            handle,
            interval: rec.first_interval,
            tag: if tr.priority { idx | PRIORITY } else { idx },
        };
        self.offer(model, c, to, w);
    }
}
