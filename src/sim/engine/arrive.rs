//! An arrival: the contact's attributes drawn from its channel's streams, the next arrival
//! scheduled, and the contact given to the agent the router picks or queued.

use rand::Rng as _;

use crate::model::dist::pick;
use crate::model::playbook::Choice;
use crate::model::Model;
use crate::sim::routing::Strategy;

use super::queues::Waiting;
use super::track::PLAIN;
use super::Engine;

impl Engine {
    pub(super) fn arrive(&mut self, model: &Model, c: usize) {
        let now = self.now;
        let src = &mut self.sources[c];
        let piece = src.cursor.piece();
        let interval = piece as i32 - if model.warmup_s > 0.0 { 1 } else { 0 };
        let ch = &model.channels[c];
        let ti = if ch.types.len() > 1 {
            pick(&src.type_cum, src.attributes.random::<f64>())
        } else {
            0
        };
        let si = if ch.segments.len() > 1 {
            pick(&src.seg_cum, src.attributes.random::<f64>())
        } else {
            0
        };
        let seg = &ch.segments[si];
        let mut handle = ch.types[ti].handle.sample(&mut src.handle) * seg.handle_factor;
        if !src.handle_factors.is_empty() {
            handle *= src.handle_factors[piece];
        }
        let patience = seg.patience.sample(&mut src.patience);
        let k = src.class_of[ti * ch.segments.len() + si] as usize;
        self.next_arrival[c] = src.profile.next(&mut src.cursor, &mut src.arrivals);
        // Counted as offered at the end, from its outcome (`RepStats::count_offered`).
        if self.pb.on && self.playbook_divert(model, c, k, interval) {
            return;
        }
        let w = Waiting {
            arrival: now,
            deadline: now + patience,
            handle,
            interval,
            tag: PLAIN,
        };
        if self.rx.on {
            self.arrive_tracked(model, c, k, w);
            return;
        }
        if let Some(w) = self.assign::<true>(model, k, w) {
            if self.pb.active && self.playbook_announce(model, k, &w) != Choice::Wait {
                return;
            }
            if self.queues.too_full(k) {
                self.queue_guard(model, c, interval);
            }
            self.queues.push(k, w);
        }
    }

    /// Gives contact `w` of class `k` to the agent the router picks, or gives it back when no
    /// agent has room; `AT_ONCE` as in [`Engine::start`] (a fresh, untracked arrival).
    #[inline(always)]
    fn assign<const AT_ONCE: bool>(
        &mut self,
        model: &Model,
        k: usize,
        w: Waiting,
    ) -> Option<Waiting> {
        let Some((a, level)) = self.find_agent(model, k, &w) else {
            return Some(w);
        };
        self.detach(a);
        self.start::<AT_ONCE>(model, a, k, level, w);
        self.attach(model, a);
        None
    }

    /// [`Engine::arrive`]'s end for a model with a realism feature: the contact tracked
    /// ([`Engine::track_arrival`]; an outage may send it elsewhere), then given to an agent or
    /// queued, as there.
    #[inline(never)]
    fn arrive_tracked(&mut self, model: &Model, c: usize, k: usize, w: Waiting) {
        let Some(w) = self.track_arrival(model, c, k, w, true) else {
            return;
        };
        if let Some(w) = self.assign::<false>(model, k, w) {
            if self.pb.active {
                match self.playbook_announce(model, k, &w) {
                    Choice::Wait => {}
                    Choice::HangUp => return self.tracked_hung_up(model, k, &w),
                    // Called back later: outside the customer view.
                    Choice::Callback => return self.rx.release(w.tag),
                }
            }
            if self.queues.too_full(k) {
                self.queue_guard(model, c, w.interval);
            }
            self.enqueue_tracked(k, w);
        }
    }

    /// Offers contact `w` of class `k` (of channel `c`) that is not a fresh arrival (a redial, a
    /// transferred or a redirected contact): to the agent the router picks, or to its queue.
    #[inline(never)]
    pub(super) fn offer(&mut self, model: &Model, c: usize, k: usize, w: Waiting) {
        if let Some(w) = self.assign::<false>(model, k, w) {
            if self.queues.too_full(k) {
                self.queue_guard(model, c, w.interval);
            }
            self.enqueue_tracked(k, w);
        }
    }

    /// The memory guard ([`crate::sim::guard`]), when the queues hold
    /// [`crate::model::limits::MAX_WAITING`] contacts and one must grow: the contacts whose
    /// patience ran out are counted as abandoned now (rather than when they reach the head) and
    /// dropped; if that leaves too many, the run stops.
    #[cold]
    #[inline(never)]
    fn queue_guard(&mut self, model: &Model, c: usize, interval: i32) {
        let now = self.now;
        for k in 0..self.queues.len() {
            let (ci, stats) = (self.classes[k], &mut self.stats);
            self.queues.retain(k, |w| {
                if w.deadline > now {
                    return true;
                }
                if let Some(cells) = ci.counted_cells(w.interval) {
                    stats.abandoned(cells, w.deadline - w.arrival, &ci.thresholds);
                }
                false
            });
        }
        let waiting: usize = (0..self.queues.len())
            .map(|k| self.queues.iter(k).count())
            .sum();
        if waiting >= crate::model::limits::MAX_WAITING {
            super::overflow(model, c, interval, "queue");
        }
    }

    /// The agent a new contact `w` of class `k` goes to, with its level, if any has room.
    #[inline(always)]
    pub(super) fn find_agent(
        &mut self,
        model: &Model,
        k: usize,
        w: &Waiting,
    ) -> Option<(usize, u8)> {
        if self.score_router().is_some() {
            return self.find_agent_score(model, k, w);
        }
        let prof_first = self.router.proficiency_first();
        let cap = model.capacity;
        let eligible = &model.classes[k].eligible;
        // One group: its longest-idle agent, without comparing idle times.
        if let [(g, level)] = eligible[..] {
            let st = &self.groups[g];
            if let Some(&a) = st.idle.front() {
                return Some((a as usize, level));
            }
            if st.partial.is_empty() {
                return None;
            }
        }
        // Best so far: (agent, level, load, since).
        let mut best: Option<(usize, u8, u32, f64)> = None;
        for &(g, level) in eligible {
            if prof_first {
                if let Some(b) = best {
                    if level < b.1 {
                        break;
                    }
                }
            }
            let st = &self.groups[g];
            let cand = if let Some(&a) = st.idle.front() {
                Some((a as usize, 0u32, self.agents[a as usize].since))
            } else {
                let units = self.group_class[g * self.classes.len() + k].units;
                let mut c: Option<(usize, u32, f64)> = None;
                for &a in &st.partial {
                    let ag = &self.agents[a as usize];
                    if ag.load + units <= cap
                        && c.is_none_or(|(_, l, s)| (ag.load, ag.since) < (l, s))
                    {
                        c = Some((a as usize, ag.load, ag.since));
                    }
                }
                c
            };
            if let Some((a, load, since)) = cand {
                if best.is_none_or(|(_, _, bl, bs)| (load, since) < (bl, bs)) {
                    best = Some((a, level, load, since));
                }
            }
        }
        best.map(|(a, l, _, _)| (a, l))
    }
}
