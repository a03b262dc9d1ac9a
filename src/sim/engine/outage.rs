//! Outages (README "Realism"; the operations manual's plan for a failed call or CRM system):
//! while a channel is down, the handle times of the contacts its agents start are multiplied by
//! the outage's factor (manual record mode), and each arriving contact draws (from the
//! channel's outage stream) whether it is redirected to the backup channel (a new customer
//! there), told to call later (a redial after the channel's redial delay, or 30 minutes),
//! sent to self-service, or waits as usual. Contacts in service when it starts are finished, or
//! dropped (the agent freed) if the outage says so. A random window is drawn per replication
//! from the outage's own stream. The window's own contacts are reported apart (`outage_*`).

use rand::Rng as _;

use crate::model::dist::pick;
use crate::model::realism::Window;
use crate::model::Model;
use crate::sim::rng::{stream, Purpose};

use super::queues::Waiting;
use super::track::{Event, PLAIN};
use super::Engine;

/// Delay before a customer told to call later does, when the channel has no redial rule.
const CALL_LATER_S: f64 = 1800.0;

impl Engine {
    /// Schedules replication `rep`'s outage windows (a random one drawn from its stream).
    pub(super) fn prepare_outages(&mut self, model: &Model, seed: u64, rep: u64) {
        let close = model.close_time();
        for (i, o) in model.realism.outages.iter().enumerate() {
            let (start, end) = match &o.window {
                Window::Fixed { start, end } => (*start, *end),
                Window::Random {
                    earliest,
                    latest,
                    duration,
                } => {
                    let mut rng = stream(seed, rep, Purpose::OutageWindow, i);
                    let start = earliest + rng.random::<f64>() * (latest - earliest);
                    (start, (start + duration.sample(&mut rng) * 60.0).min(close))
                }
            };
            self.rx.push(start, Event::OutageStart(i as u32));
            self.rx.push(end, Event::OutageEnd(i as u32));
        }
    }

    /// The handle-time factor of contacts of channel `c` started now.
    #[inline]
    pub(super) fn outage_factor(&self, model: &Model, c: usize) -> f64 {
        match self.rx.down.get(c).copied().flatten() {
            Some(o) => model.realism.outages[o as usize].handle_factor,
            None => 1.0,
        }
    }

    pub(super) fn outage_start(&mut self, model: &Model, o: usize) {
        let out = &model.realism.outages[o];
        for &c in &out.channels {
            self.rx.down[c] = Some(o as u32);
        }
        if !out.drop_in_service {
            return;
        }
        let classes = &self.classes;
        let down = &self.rx.down;
        let dropped = self
            .completions
            .remove_where(|_, k| down[classes[k as usize].channel as usize] == Some(o as u32));
        let interval = self.interval_at(model, self.now);
        for (a, k) in dropped {
            if let Some(cells) = self.classes[k as usize].counted_cells(interval) {
                self.stats.real_each(cells, |x| x.outage_dropped += 1);
            }
            self.drop_contact(model, a as usize, k as usize);
        }
    }

    /// A completion now of agent `a`'s contact of class `k` (cut off): a copy of the completion
    /// out of the event loop's way.
    #[inline(never)]
    fn drop_contact(&mut self, model: &Model, a: usize, k: usize) {
        self.complete(model, a, k);
    }

    pub(super) fn outage_end(&mut self, model: &Model, o: usize) {
        for &c in &model.realism.outages[o].channels {
            if self.rx.down[c] == Some(o as u32) {
                self.rx.down[c] = None;
            }
        }
    }

    /// Tracked contact `w` of class `k` arrives on channel `c` while it is down: returns it if
    /// it waits as usual, else counts where it went.
    pub(super) fn outage_arrival(
        &mut self,
        model: &Model,
        c: usize,
        k: usize,
        w: Waiting,
    ) -> Option<Waiting> {
        let o = &model.realism.outages[self.rx.down[c].expect("down") as usize];
        let u = self.rx.outage[c].random::<f64>();
        let cells = self.classes[k].counted_cells(w.interval);
        let rec = *self.rx.get(w.tag);
        let customer = self.classes[rec.first_class as usize].counted_cells(rec.first_interval);
        let count = |e: &mut Self, f: fn(&mut crate::stats::RealCell)| {
            if let Some(cells) = cells {
                e.stats.real_each(cells, |x| {
                    x.outage_offered += 1;
                    f(x);
                });
            }
        };
        let redirect = o.redirect.map_or(0.0, |r| r.1);
        if u < redirect {
            count(self, |x| x.outage_redirected += 1);
            if let Some(cc) = customer {
                self.stats.real_each(cc, |x| x.customers_redirected += 1);
            }
            self.rx.release(w.tag);
            let b = o.redirect.expect("a redirect").0;
            self.redirect(model, b, w.arrival);
            None
        } else if u < redirect + o.call_later_share {
            count(self, |x| x.outage_call_later += 1);
            let delay = match model.realism.redial.get(k) {
                Some(Some(rd)) => rd.delay.sample(&mut self.rx.outage[c]),
                _ => CALL_LATER_S,
            };
            // The record goes to the redial event, which makes the next attempt.
            let at = self.now + delay;
            self.rx.get_mut(w.tag).redial_at = at;
            self.rx.push(at, Event::Redial(w.tag));
            None
        } else if u < redirect + o.call_later_share + o.self_service_share {
            count(self, |x| x.outage_self_service += 1);
            if let Some(cc) = customer {
                self.stats.real_each(cc, |x| x.customers_lost += 1);
            }
            self.rx.release(w.tag);
            None
        } else {
            count(self, |_| {});
            self.rx.get_mut(w.tag).outage = true;
            Some(w)
        }
    }

    /// A contact redirected at `t` to backup channel `b`: a new customer there, its type,
    /// segment, handle time and patience drawn from `b`'s mixes with the outage stream.
    fn redirect(&mut self, model: &Model, b: usize, t: f64) {
        let ch = &model.channels[b];
        let interval = self.interval_at(model, t);
        let rng = &mut self.rx.outage[b];
        let type_cum = cumulative(ch.types.iter().map(|x| x.share));
        let seg_cum = cumulative(ch.segments.iter().map(|x| x.share));
        let ti = pick(&type_cum, rng.random::<f64>());
        let si = pick(&seg_cum, rng.random::<f64>());
        let seg = &ch.segments[si];
        let handle =
            ch.types[ti].handle.sample(rng) * seg.handle_factor * model.handle_factor(b, interval);
        let patience = seg.patience.sample(rng);
        let k = ch.class_of[ti][si];
        let w = Waiting {
            arrival: t,
            deadline: t + patience,
            handle,
            interval,
            tag: PLAIN,
        };
        if let Some(w) = self.track_arrival(model, b, k, w, false) {
            self.offer(model, b, k, w);
        }
    }
}

/// Running sums of `shares`, the last one infinite (as the arrivals' tables).
fn cumulative(shares: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    let mut v: Vec<f64> = shares
        .map(|s| {
            acc += s;
            acc
        })
        .collect();
    if let Some(l) = v.last_mut() {
        *l = f64::INFINITY;
    }
    v
}
