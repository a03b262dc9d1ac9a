//! The hooks of the realism features in the life of a tracked contact (README "Realism"): its
//! record at arrival (customer counted, wrap-up, transfer and redial choices drawn), its queue
//! place (transferred contacts with priority go first), its answer (talk and wrap-up counted,
//! the agent busy for both, a transfer scheduled or the customer counted answered), its
//! abandonment or non-resolution (the customer lost, or calling again), and the dispatch of the
//! later events. Only reached when the model uses a realism feature (`Track::on`).

use rand::Rng as _;

use crate::model::Model;
use crate::sim::rng::Rng;

use super::queues::Waiting;
use super::track::{Event, Record, PLAIN, PRIORITY};
use super::Engine;

/// The choices drawn for one attempt or leg of class `k`: wrap-up, transfer, and (attempts
/// only) when the customer would call again after abandoning.
pub(super) struct Choices {
    pub wrap: f64,
    pub transfer: bool,
    pub redial_at: f64,
    /// The delay of that redial (infinite: no redial).
    pub redial_delay: f64,
}

/// The streams an attempt's choices are drawn from: one per choice (a fresh arrival: the
/// channel's wrap-up, transfer-choice and redial streams), or one for all (a redial attempt, a
/// transfer leg).
pub(super) trait Draws {
    fn wrap(&mut self) -> &mut Rng;
    fn transfer(&mut self) -> &mut Rng;
    fn redial(&mut self) -> &mut Rng;
}

impl Draws for [&mut Rng; 3] {
    fn wrap(&mut self) -> &mut Rng {
        self[0]
    }
    fn transfer(&mut self) -> &mut Rng {
        self[1]
    }
    fn redial(&mut self) -> &mut Rng {
        self[2]
    }
}

impl Draws for &mut Rng {
    fn wrap(&mut self) -> &mut Rng {
        self
    }
    fn transfer(&mut self) -> &mut Rng {
        self
    }
    fn redial(&mut self) -> &mut Rng {
        self
    }
}

/// Draws the choices of class `k` whose attempt number `attempt` abandons at `deadline`: each
/// a draw whenever the class has the feature (so that the streams stay in step). `attempt` 0:
/// a transfer leg (no redial).
pub(super) fn choices(
    model: &Model,
    k: usize,
    deadline: f64,
    attempt: u32,
    mut rng: impl Draws,
) -> Choices {
    let r = &model.realism;
    let mut out = Choices {
        wrap: 0.0,
        transfer: false,
        redial_at: f64::INFINITY,
        redial_delay: f64::INFINITY,
    };
    if let Some(Some(d)) = r.wrap_up.get(k) {
        out.wrap = d.sample(rng.wrap());
    }
    if let Some(Some(t)) = r.transfer.get(k) {
        out.transfer = rng.transfer().random::<f64>() < t.share;
    }
    if let (Some(Some(rd)), true) = (r.redial.get(k), attempt > 0) {
        let u = rng.redial().random::<f64>();
        let delay = rd.delay.sample(rng.redial());
        if u < rd.chance(attempt) {
            out.redial_at = deadline + delay;
            out.redial_delay = delay;
        }
    }
    out
}

impl Engine {
    /// A fresh arrival `w` of class `k` on channel `c` becomes tracked: its customer counted and
    /// its choices drawn; an outage on the channel may send it elsewhere (`None`; only for
    /// `outage_applies`).
    #[inline(never)]
    pub(super) fn track_arrival(
        &mut self,
        model: &Model,
        c: usize,
        k: usize,
        mut w: Waiting,
        outage_applies: bool,
    ) -> Option<Waiting> {
        let rx = &mut self.rx;
        let ch = choices(
            model,
            k,
            w.deadline,
            1,
            [
                &mut rx.wrap[c],
                &mut rx.transfer_choice[c],
                &mut rx.redial[c],
            ],
        );
        w.tag = rx.alloc(Record {
            wrap: ch.wrap * model.handle_factor(c, w.interval),
            first_arrival: w.arrival,
            class: k as u32,
            first_class: k as u32,
            first_interval: w.interval,
            attempt: 1,
            leg: 0,
            transfer: ch.transfer,
            outage: false,
            redial_at: ch.redial_at,
            redial_delay: ch.redial_delay,
            refs: 1,
        });
        if let Some(cells) = self.classes[k].counted_cells(w.interval) {
            self.stats.real_each(cells, |x| x.customers += 1);
        }
        if outage_applies && self.rx.down[c].is_some() {
            return self.outage_arrival(model, c, k, w);
        }
        Some(w)
    }

    /// Queues tracked contact `w` of class `k`: behind the transferred contacts with priority
    /// if it is one, and with its redial event if its customer would call again.
    #[inline(never)]
    pub(super) fn enqueue_tracked(&mut self, k: usize, w: Waiting) {
        if w.tag == PLAIN {
            self.queues.push(k, w);
            return;
        }
        let at = self.rx.get(w.tag).redial_at;
        if at.is_finite() {
            self.rx.get_mut(w.tag).refs += 1;
            self.rx.push(at, Event::Redial(w.tag & !PRIORITY));
        }
        if w.tag & PRIORITY != 0 {
            self.queues
                .push_behind(k, w, |x| x.tag != PLAIN && x.tag & PRIORITY != 0);
        } else {
            self.queues.push(k, w);
        }
    }

    /// Tracked contact `w` of class `k` is answered with `talk` seconds of conversation (at the
    /// agent's proficiency `factor`): counts it and returns how long the agent is busy (talk
    /// and wrap-up, times an outage's factor).
    fn tracked_start(
        &mut self,
        model: &Model,
        k: usize,
        w: &Waiting,
        talk: f64,
        factor: f64,
    ) -> f64 {
        let now = self.now;
        let c = self.classes[k].channel as usize;
        let slow = self.outage_factor(model, c);
        let talk = talk * slow;
        let rec = *self.rx.get(w.tag);
        let wrap = rec.wrap * factor * slow;
        let ci = self.classes[k];
        let customer = self.classes[rec.first_class as usize].counted_cells(rec.first_interval);
        if rec.leg == 0 {
            if let Some(cells) = ci.counted_cells(w.interval) {
                self.stats.answered(cells, now - w.arrival, &ci.thresholds);
                self.stats.handled(cells, talk, wrap);
                if rec.outage {
                    self.stats
                        .outage_answered(cells, now - w.arrival, &ci.thresholds);
                }
            }
        } else if let Some(cells) = customer {
            let wait = now - w.arrival;
            self.stats.real_each(cells, |x| {
                x.transfer_answered += 1;
                x.sum_transfer_wait += wait;
            });
        }
        let idx = w.tag & !PRIORITY;
        // A pending redial event finds the attempt answered.
        self.rx.records[idx as usize].redial_at = f64::INFINITY;
        if rec.transfer {
            self.schedule_transfer(model, k, idx, now + talk);
        } else {
            if let Some(cells) = customer {
                let e2e = now - rec.first_arrival;
                self.stats.real_each(cells, |x| {
                    x.customers_answered += 1;
                    x.sum_end_to_end += e2e;
                });
            }
            self.rx.release(idx);
        }
        talk + wrap
    }

    /// [`Engine::start`]'s end for tracked contact `w` of class `k` at agent `a` (its load
    /// units already taken): the completion after talk and wrap-up, the counts.
    #[inline(never)]
    pub(super) fn start_tracked(
        &mut self,
        model: &Model,
        a: usize,
        k: usize,
        w: Waiting,
        talk: f64,
        factor: f64,
    ) {
        let busy = self.tracked_start(model, k, &w, talk, factor);
        self.completions.push(self.now + busy, a as u32, k as u32);
        let g = self.agents[a].group as usize;
        let units = self.group_class[g * self.classes.len() + k].units;
        self.change_load(model, g, units as i32);
    }

    /// Tracked contact `w` of class `k` abandoned at its deadline.
    #[inline(never)]
    pub(super) fn tracked_abandoned(&mut self, k: usize, w: &Waiting) {
        let rec = *self.rx.get(w.tag);
        let customer = self.classes[rec.first_class as usize].counted_cells(rec.first_interval);
        if rec.leg > 0 {
            if let Some(cells) = customer {
                self.stats.real_each(cells, |x| {
                    x.transfer_abandoned += 1;
                    x.customers_lost += 1;
                });
            }
        } else {
            let ci = self.classes[k];
            if let Some(cells) = ci.counted_cells(w.interval) {
                self.stats
                    .abandoned(cells, w.deadline - w.arrival, &ci.thresholds);
                if rec.outage {
                    self.stats.real_each(cells, |x| x.outage_abandoned += 1);
                }
            }
            // Calling again: counted when the redial comes (or falls after closing).
            if !rec.redial_at.is_finite() {
                if let Some(cells) = customer {
                    self.stats.real_each(cells, |x| x.customers_lost += 1);
                }
            }
        }
        self.rx.release(w.tag & !PRIORITY);
    }

    /// Tracked contact `w` of class `k` (a fresh arrival) hung up after the playbook's
    /// announcement: its customer calls again, `redial_delay` after now, if its redial rule
    /// applies after a hang-up and the attempt's redial draw says so (as after an abandonment);
    /// else the customer is lost.
    #[inline(never)]
    pub(super) fn tracked_hung_up(&mut self, model: &Model, k: usize, w: &Waiting) {
        let idx = w.tag & !PRIORITY;
        let rec = self.rx.records[idx as usize];
        let applies = matches!(model.realism.redial.get(k), Some(Some(rd)) if rd.after_hang_up);
        if applies && rec.redial_delay.is_finite() {
            // The record passes from the contact to the redial event.
            let at = self.now + rec.redial_delay;
            self.rx.records[idx as usize].redial_at = at;
            self.rx.push(at, Event::Redial(idx));
            return;
        }
        if let Some(cells) =
            self.classes[rec.first_class as usize].counted_cells(rec.first_interval)
        {
            self.stats.real_each(cells, |x| x.customers_lost += 1);
        }
        self.rx.release(idx);
    }

    /// Tracked contact `w` of class `k` is left unresolved (still waiting at the end, or cut at
    /// closing).
    #[inline(never)]
    pub(super) fn tracked_unresolved(&mut self, k: usize, w: &Waiting) {
        let idx = w.tag & !PRIORITY;
        let rec = self.rx.records[idx as usize];
        self.rx.records[idx as usize].redial_at = f64::INFINITY;
        let customer = self.classes[rec.first_class as usize].counted_cells(rec.first_interval);
        if rec.leg == 0 {
            if let Some(cells) = self.classes[k].counted_cells(w.interval) {
                self.stats.unresolved(cells);
            }
        }
        if let Some(cells) = customer {
            self.stats.real_each(cells, |x| {
                x.customers_unresolved += 1;
                x.transfer_unresolved += (rec.leg > 0) as u32;
            });
        }
        self.rx.release(idx);
    }

    /// The next later event ([`Event`]), at `self.now`.
    #[inline(never)]
    pub(super) fn later(&mut self, model: &Model) {
        match self.rx.pop().expect("a later event is due") {
            Event::Transfer(i) => self.transfer_arrival(model, i),
            Event::Redial(i) => self.redial_arrival(model, i),
            Event::OutageStart(o) => self.outage_start(model, o as usize),
            Event::OutageEnd(o) => self.outage_end(model, o as usize),
            Event::Overflow(k) => self.overflow_due(model, k as usize),
        }
    }

    /// The interval of simulation time `t` (-1 in the warm-up, the last one from closing on).
    pub(super) fn interval_at(&self, model: &Model, t: f64) -> i32 {
        if t < model.warmup_s {
            return -1;
        }
        (((t - model.warmup_s) / model.interval_s) as i32).min(model.n_intervals as i32 - 1)
    }
}
