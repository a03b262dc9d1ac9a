//! An agent taking work: leaving and rejoining its group's availability lists, starting a
//! contact, and, when freed, taking the best waiting contacts it has room for (lazy abandonment
//! at the queue heads).

use crate::model::Model;
use crate::sim::routing::{Head, Strategy};

use super::queues::Waiting;
use super::track::PLAIN;
use super::{Duty, Engine, Place};

/// A waiting contact's rank for a freed agent ([`Strategy::contact_rank`]): lowest first.
type Rank = (u32, f64);

impl Engine {
    /// Removes an agent from its availability list (it is about to take a contact).
    #[inline(always)]
    pub(super) fn detach(&mut self, a: usize) {
        let g = self.agents[a].group as usize;
        match self.agents[a].place {
            Place::None => {}
            Place::Idle => {
                let front = self.groups[g].idle.pop_front();
                debug_assert_eq!(
                    front,
                    Some(a as u32),
                    "only the longest-idle agent is ever picked"
                );
            }
            Place::Partial => {
                let st = &mut self.groups[g];
                let i = self.agents[a].slot as usize;
                st.partial.swap_remove(i);
                if let Some(&moved) = st.partial.get(i) {
                    self.agents[moved as usize].slot = i as u32;
                }
            }
        }
        self.agents[a].place = Place::None;
    }

    /// Puts an on-duty agent in the availability list its load calls for.
    #[inline(always)]
    pub(super) fn attach(&mut self, model: &Model, a: usize) {
        debug_assert_eq!(self.agents[a].place, Place::None);
        let ag = self.agents[a];
        if ag.duty != Duty::On {
            return;
        }
        let st = &mut self.groups[ag.group as usize];
        if ag.load == 0 {
            st.idle.push_back(a as u32);
            self.agents[a].place = Place::Idle;
        } else if ag.load < model.capacity {
            self.agents[a].slot = st.partial.len() as u32;
            st.partial.push(a as u32);
            self.agents[a].place = Place::Partial;
        }
    }

    /// Agent `a` (detached) starts serving contact `w` of class `k`; `AT_ONCE` when `w` arrived
    /// just now (no wait: [`crate::stats::RepStats::answered_at_once`]).
    #[inline(always)]
    pub(super) fn start<const AT_ONCE: bool>(
        &mut self,
        model: &Model,
        a: usize,
        k: usize,
        level: u8,
        w: Waiting,
    ) {
        let now = self.now;
        let g = self.agents[a].group as usize;
        let pair = self.group_class[g * self.classes.len() + k];
        debug_assert_eq!(level, pair.level, "the level the group serves the class at");
        let units = pair.units;
        self.agents[a].load += units;
        let handle = w.handle * pair.handle_factor;
        if w.tag != PLAIN {
            // Realism: wrap-up, transfer, outage factor (the agent's busy time), counts.
            self.start_tracked(model, a, k, w, handle, pair.handle_factor);
            return;
        }
        self.completions.push(now + handle, a as u32, k as u32);
        self.change_load(model, g, units as i32);
        let ci = &self.classes[k];
        if let Some(cells) = ci.counted_cells(w.interval) {
            if AT_ONCE {
                debug_assert_eq!(w.arrival, now);
                self.stats.answered_at_once(cells, &ci.thresholds);
            } else {
                self.stats.answered(cells, now - w.arrival, &ci.thresholds);
            }
        }
    }

    /// Counts contact `w` of class `k` as abandoned at its deadline (warm-up contacts are not
    /// counted).
    #[inline]
    pub(super) fn count_abandoned(&mut self, k: usize, w: &Waiting) {
        if w.tag != PLAIN {
            self.tracked_abandoned(k, w);
            return;
        }
        let ci = &self.classes[k];
        if let Some(cells) = ci.counted_cells(w.interval) {
            self.stats
                .abandoned(cells, w.deadline - w.arrival, &ci.thresholds);
        }
    }

    /// The contact at the head of class `k`'s queue, after counting as abandoned (at their
    /// deadlines) the contacts ahead whose patience ran out before now.
    #[inline(always)]
    pub(super) fn live_head(&mut self, k: usize) -> Option<Waiting> {
        loop {
            match self.queues.front(k) {
                Some(w) if w.deadline <= self.now => {
                    self.queues.pop(k);
                    self.count_abandoned(k, &w);
                }
                head => return head,
            }
        }
    }

    /// A detached, on-duty agent takes waiting contacts while it has room.
    #[inline]
    pub(super) fn serve_queues(&mut self, model: &Model, a: usize) {
        let g = self.agents[a].group as usize;
        match self.groups[g].single {
            Some((k, level, units)) => self.serve_single(model, a, k, level, units),
            None => self.serve_ranked(model, a, g),
        }
    }

    /// [`Engine::serve_queues`] for an agent whose group serves class `k` only (at `level`, its
    /// contacts taking `units`): the queue's head, if any and if the agent has room for it; no
    /// heads to rank. Inlined into the completion, as it is the common case.
    #[inline(always)]
    fn serve_single(&mut self, model: &Model, a: usize, k: usize, level: u8, units: u32) {
        loop {
            let room = model.capacity - self.agents[a].load;
            if room == 0 {
                return;
            }
            if units <= room && self.live_head(k).is_some() {
                // One class: every policy takes its head.
                let w = self.queues.pop(k).expect("head seen above");
                self.start::<false>(model, a, k, level, w);
                continue;
            }
            // Surge playbook: no regular contact waits; make a callback if one is due.
            if self.pb.pending > 0 && self.take_callback(model, a) {
                continue;
            }
            return;
        }
    }

    /// [`Engine::serve_queues`] for an agent of group `g`, which serves several classes: the
    /// contact the strategy ranks first among the heads of the queues it has room for.
    fn serve_ranked(&mut self, model: &Model, a: usize, g: usize) {
        loop {
            let room = model.capacity - self.agents[a].load;
            if room == 0 {
                return;
            }
            // Ranking the heads takes a set-up that most calls would waste: first look whether
            // any of the group's queues has someone waiting.
            let pick = if self.group_has_waiting(g) {
                if self.score_router().is_some() {
                    self.best_head_score(model, a, g, room)
                } else {
                    self.best_head(g, room)
                }
            } else {
                None
            };
            let Some((k, level)) = pick else {
                // Surge playbook: no regular contact waits; make a callback if one is due.
                if self.pb.pending > 0 && self.take_callback(model, a) {
                    continue;
                }
                return;
            };
            let w = self.queues.pop(k).expect("head seen above");
            self.start::<false>(model, a, k, level, w);
        }
    }

    /// Whether a queue of a class group `g` serves is not empty (its waiting contacts may all
    /// have abandoned by now, which [`Engine::best_head`] finds out).
    #[inline]
    fn group_has_waiting(&self, g: usize) -> bool {
        let words = self.queues.words();
        self.group_classes[g * words..(g + 1) * words]
            .iter()
            .enumerate()
            .any(|(wi, &bits)| bits & self.queues.nonempty_word(wi) != 0)
    }

    /// The class, and the level, of the waiting contact the strategy ranks first for an agent of
    /// group `g` with `room` load units free, among the heads of the group's queues.
    fn best_head(&mut self, g: usize, room: u32) -> Option<(usize, u8)> {
        // Best head so far: (class, level, (rank, position in the group's list)). The lowest
        // (rank, position) is the first lowest rank in list order, as a scan of the list finds.
        let mut best: Option<(usize, u8, (Rank, u32))> = None;
        // The group's classes with someone waiting.
        self.for_each_head(g, room, |e, k, pair, w| {
            let rank = e.router.contact_rank(
                &Head {
                    arrival: w.arrival,
                    level: pair.level,
                    priority: e.classes[k].priority,
                },
                e.now,
            );
            if best.is_none_or(|(_, _, r)| (rank, pair.pos) < r) {
                best = Some((k, pair.level, (rank, pair.pos)));
            }
        });
        best.map(|(k, level, _)| (k, level))
    }
}
