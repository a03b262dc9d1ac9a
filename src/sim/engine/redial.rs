//! Redials after abandonment (README "Realism"): a customer whose attempt abandons calls again
//! with the class's redial probability (decaying per attempt, up to its maximum attempts),
//! after its delay; both drawn when the attempt arrives, so the redial event is scheduled when
//! the attempt starts waiting and dropped if it is answered before its patience runs out (the
//! abandonment itself is counted lazily, at the queue's head). A redial is a new attempt of the
//! same customer: same class, a new handle time, patience and choices (from the channel's
//! redial-attempt stream), offered and counted as any contact in its own interval. A redial due
//! after closing is counted (`redials_after_close`) and its customer unresolved.

use crate::model::Model;

use super::queues::Waiting;
use super::track::Record;
use super::tracked::choices;
use super::Engine;

impl Engine {
    /// Record `idx`'s customer calls again now, if that attempt was not answered.
    pub(super) fn redial_arrival(&mut self, model: &Model, idx: u32) {
        let now = self.now;
        let rec = self.rx.records[idx as usize];
        self.rx.release(idx);
        if !rec.redial_at.is_finite() {
            return; // answered (or left unresolved) in time
        }
        let k = rec.first_class as usize;
        let customer = self.classes[k].counted_cells(rec.first_interval);
        if now >= model.close_time() {
            if let Some(cells) = customer {
                self.stats.real_each(cells, |x| {
                    x.redials_after_close += 1;
                    x.customers_unresolved += 1;
                });
            }
            return;
        }
        let cl = &model.classes[k];
        let c = cl.channel;
        let ch = &model.channels[c];
        let seg = &ch.segments[cl.local_segment];
        // An attempt of the day even if its customer first called in the warm-up.
        let interval = self.interval_at(model, now);
        let rng = &mut self.rx.redial_attempt[c];
        let factor = model.handle_factor(c, interval);
        let handle = ch.types[cl.local_type].handle.sample(rng) * seg.handle_factor * factor;
        let patience = seg.patience.sample(rng);
        let attempt = rec.attempt + 1;
        let ch = choices(model, k, now + patience, attempt, rng);
        let tag = self.rx.alloc(Record {
            wrap: ch.wrap * factor,
            class: k as u32,
            attempt,
            leg: 0,
            transfer: ch.transfer,
            outage: false,
            redial_at: ch.redial_at,
            redial_delay: ch.redial_delay,
            ..rec
        });
        if let Some(cells) = self.classes[k].counted_cells(interval) {
            self.stats.real_each(cells, |x| x.redials += 1);
        }
        let w = Waiting {
            arrival: now,
            deadline: now + patience,
            handle,
            interval,
            tag,
        };
        if self.rx.down[c].is_some() {
            if let Some(w) = self.outage_arrival(model, c, k, w) {
                self.offer(model, c, k, w);
            }
        } else {
            self.offer(model, c, k, w);
        }
    }
}
