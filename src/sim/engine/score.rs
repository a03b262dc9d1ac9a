//! The general path ([`crate::sim::routing::ScoreRouter`]): the score policy and its presets,
//! overflow by delay, trunk reservation and custom policies. The agent a new contact goes to,
//! the waiting contact a freed agent takes, and the overflow events (a waiting contact becomes
//! visible to more groups). The built-in strategies never come here unless the scenario uses
//! overflow, reservation or a custom policy (then they run as their presets).

use crate::model::policy::{AgentView, ContactView, HeadView};
use crate::model::Model;
use crate::sim::routing::{Router, ScoreRouter, SkillFirst};

use super::queues::Waiting;
use super::track::{Event, PLAIN};
use super::{Engine, GroupClass, Place};

impl Engine {
    /// The score policy, when the router is one.
    #[inline]
    pub(super) fn score_router(&self) -> Option<&ScoreRouter> {
        match &self.router {
            Router::Score(s) => Some(s),
            _ => None,
        }
    }

    /// Whether waiting contact `w` is a transfer leg (realism's transfers).
    fn transferred(&self, w: &Waiting) -> bool {
        w.tag != PLAIN && self.rx.get(w.tag).leg > 0
    }

    /// The agent with room a contact `w` of class `k` goes to on the general path, with its
    /// level, if any (and the overflow events of its class if it is to wait): see
    /// [`Engine::pick_agent`].
    pub(super) fn find_agent_score(
        &mut self,
        model: &Model,
        k: usize,
        w: &Waiting,
    ) -> Option<(usize, u8)> {
        let pick = self.pick_agent(model, k, w);
        if pick.is_none() {
            self.schedule_overflow(k, w.arrival);
        }
        pick
    }

    /// The agent with room that takes contact `w` of class `k`, among the groups allowed to
    /// take it now (overflow delay passed, reservation respected): the custom policy's choice,
    /// or the highest preference, ties to the agent idle longest, then to the class's group
    /// order. In a group, the longest-idle agent stands for the idle ones (they differ only in
    /// idle time, whose weight is >= 0), unless the occupancy weight tells them apart; every
    /// partly loaded agent with room is a candidate. Its handle time is credited to the agent's
    /// busy seconds.
    fn pick_agent(&mut self, model: &Model, k: usize, w: &Waiting) -> Option<(usize, u8)> {
        let s = self.score_router()?;
        if s.custom.is_some() {
            return self.pick_agent_custom(model, k, w);
        }
        let (now, cap, nk) = (self.now, model.capacity, self.classes.len());
        let waited = now - w.arrival;
        let all_idle = !s.busy.is_empty();
        // Best so far: (agent, level, preference, since).
        let mut best: Option<(usize, u8, f64, f64)> = None;
        for (rank, &(g, level)) in model.classes[k].eligible.iter().enumerate() {
            let st = &self.groups[g];
            if !s.constraints.allows(g, k, nk, waited, st.idle.len()) {
                continue;
            }
            let units = self.group_class[g * nk + k].units;
            let idle = st.idle.iter().take(if all_idle { usize::MAX } else { 1 });
            let partial = st
                .partial
                .iter()
                .filter(|&&a| self.agents[a as usize].load + units <= cap);
            for &a in idle.chain(partial) {
                let (a, ag) = (a as usize, &self.agents[a as usize]);
                let occ = s.occupancy(a, now);
                let pref = s.preference(level, rank, ag.load, ag.since, occ, now);
                if best.is_none_or(|(_, _, bp, bs)| pref > bp || (pref == bp && ag.since < bs)) {
                    best = Some((a, level, pref, ag.since));
                }
            }
        }
        let (a, level, ..) = best?;
        self.credit(model, a, k, w);
        self.unlist_chosen(a);
        Some((a, level))
    }

    /// [`Engine::pick_agent`] for a custom policy: the candidates it may choose from.
    fn pick_agent_custom(&mut self, model: &Model, k: usize, w: &Waiting) -> Option<(usize, u8)> {
        let mut r = self.take_router();
        let (now, cap, nk) = (self.now, model.capacity, self.classes.len());
        r.agents_buf.clear();
        for (rank, &(g, level)) in model.classes[k].eligible.iter().enumerate() {
            let st = &self.groups[g];
            if !r
                .constraints
                .allows(g, k, nk, now - w.arrival, st.idle.len())
            {
                continue;
            }
            let pair = self.group_class[g * nk + k];
            let partial = st
                .partial
                .iter()
                .filter(|&&a| self.agents[a as usize].load + pair.units <= cap);
            for &a in st.idle.front().into_iter().chain(partial) {
                let ag = &self.agents[a as usize];
                r.agents_buf.push(AgentView {
                    agent: a as usize,
                    group: g,
                    level,
                    rank,
                    load: ag.load,
                    idle_since: ag.since,
                    handle_factor: pair.handle_factor,
                    group_idle: st.idle.len(),
                });
            }
        }
        let contact = ContactView {
            class: k,
            arrival: w.arrival,
            transferred: self.transferred(w),
        };
        let custom = r.custom.as_ref().expect("a custom policy");
        let pick = (!r.agents_buf.is_empty())
            .then(|| custom.choose_agent(model, &contact, &r.agents_buf, now))
            .flatten()
            .and_then(|i| r.agents_buf.get(i))
            .map(|v| (v.agent, v.level));
        self.router = Router::Score(r);
        pick
    }

    /// The general path's router, taken out of the engine while its scratch lists are filled
    /// (put back by the caller).
    fn take_router(&mut self) -> Box<ScoreRouter> {
        match std::mem::replace(&mut self.router, Router::SkillFirst(SkillFirst)) {
            Router::Score(r) => r,
            _ => unreachable!("the general path runs a score router"),
        }
    }

    /// Credits the busy seconds of contact `w` of class `k` to agent `a` (its handle time at
    /// the agent, with wrap-up), for the occupancy weight.
    fn credit(&mut self, model: &Model, a: usize, k: usize, w: &Waiting) {
        let Router::Score(s) = &self.router else {
            return;
        };
        if s.busy.is_empty() {
            return;
        }
        let g = self.agents[a].group as usize;
        let f = self.group_class[g * model.classes.len() + k].handle_factor;
        let wrap = if w.tag != PLAIN {
            self.rx.get(w.tag).wrap
        } else {
            0.0
        };
        if let Router::Score(s) = &mut self.router {
            s.busy[a] += (w.handle + wrap) * f;
        }
    }

    /// The class, and the level, of the waiting contact agent `a` of group `g` with `room` load
    /// units free takes on the general path: among the heads of the group's queues it may take
    /// now (overflow delay passed, reservation respected), the custom policy's choice or the
    /// highest priority; ties to the contact waiting longest, then to the group's list order.
    pub(super) fn best_head_score(
        &mut self,
        model: &Model,
        a: usize,
        g: usize,
        room: u32,
    ) -> Option<(usize, u8)> {
        let now = self.now;
        let nk = self.queues.len();
        // The freed agent counts among the idle ones when it holds nothing.
        let idle = self.groups[g].idle.len() + (room == model.capacity) as usize;
        if self.score_router()?.custom.is_some() {
            return self.best_head_custom(model, a, g, room, idle);
        }
        // Best so far: (class, level, priority, arrival, position, head).
        let mut best: Option<(usize, u8, f64, f64, u32, Waiting)> = None;
        self.for_each_head(g, room, |e, k, pair, w| {
            let Router::Score(s) = &e.router else {
                return;
            };
            if !s.constraints.allows(g, k, nk, now - w.arrival, idle) {
                return;
            }
            let p = s.priority(k, w.arrival, pair.level, e.transferred(&w), now);
            let better = best.is_none_or(|(_, _, bp, ba, bpos, _)| {
                p > bp || (p == bp && (w.arrival, pair.pos) < (ba, bpos))
            });
            if better {
                best = Some((k, pair.level, p, w.arrival, pair.pos, w));
            }
        });
        let (k, level, .., w) = best?;
        self.credit(model, a, k, &w);
        Some((k, level))
    }

    /// [`Engine::best_head_score`] for a custom policy: the heads it may choose from.
    fn best_head_custom(
        &mut self,
        model: &Model,
        a: usize,
        g: usize,
        room: u32,
        idle: usize,
    ) -> Option<(usize, u8)> {
        let (now, nk) = (self.now, self.queues.len());
        let mut r = self.take_router();
        r.heads_buf.clear();
        self.for_each_head(g, room, |e, k, pair, w| {
            if r.constraints.allows(g, k, nk, now - w.arrival, idle) {
                r.heads_buf.push(HeadView {
                    class: k,
                    arrival: w.arrival,
                    level: pair.level,
                    waiting: e.queues.iter(k).count(),
                    transferred: e.transferred(&w),
                });
            }
        });
        let ag = &self.agents[a];
        let me = AgentView {
            agent: a,
            group: g,
            level: 0,
            rank: 0,
            load: ag.load,
            idle_since: ag.since,
            handle_factor: 1.0,
            group_idle: idle,
        };
        let custom = r.custom.as_ref().expect("a custom policy");
        let pick = (!r.heads_buf.is_empty())
            .then(|| custom.choose_contact(model, &me, &r.heads_buf, now))
            .flatten()
            .and_then(|i| r.heads_buf.get(i))
            .map(|h| (h.class, h.level));
        self.router = Router::Score(r);
        pick
    }

    /// Calls `f` with every contact at the head of a queue of a class group `g` serves whose
    /// contacts fit in `room` load units, with the (group, class) pair (after counting as
    /// abandoned the contacts ahead whose patience ran out), in class order.
    #[inline(always)]
    pub(super) fn for_each_head(
        &mut self,
        g: usize,
        room: u32,
        mut f: impl FnMut(&Engine, usize, GroupClass, Waiting),
    ) {
        let nk = self.queues.len();
        let words = self.queues.words();
        for wi in 0..words {
            let mut bits = self.group_classes[g * words + wi] & self.queues.nonempty_word(wi);
            while bits != 0 {
                let k = wi * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let pair = self.group_class[g * nk + k];
                if pair.units > room {
                    continue;
                }
                let Some(w) = self.live_head(k) else { continue };
                f(self, k, pair, w);
            }
        }
    }

    /// Schedules the overflow events of a contact of class `k` that arrived at `arrival` and
    /// waits: one at `arrival` + each of the class's positive delays.
    fn schedule_overflow(&mut self, k: usize, arrival: f64) {
        let Router::Score(s) = &self.router else {
            return;
        };
        for &d in s.stages.get(k).map_or(&[][..], |v| &v[..]) {
            self.rx.push(arrival + d, Event::Overflow(k as u32));
        }
    }

    /// An overflow event of class `k`, now: a waiting contact of the class has become visible
    /// to more groups. While the contact at the head of its queue can be taken by an agent of a
    /// group allowed now, it is (contacts of a class are first come, first served, so a later
    /// one becomes visible to no group its head cannot reach).
    pub(super) fn overflow_due(&mut self, model: &Model, k: usize) {
        while let Some(w) = self.live_head(k) {
            let Some((a, level)) = self.pick_agent(model, k, &w) else {
                return;
            };
            let w = self.queues.pop(k).expect("head seen above");
            self.detach(a);
            self.start::<false>(model, a, k, level, w);
            self.attach(model, a);
        }
    }

    /// Agent `a`, chosen on the general path, about to be detached and to start a contact: if
    /// it is an idle agent other than the longest idle (told apart by the occupancy weight), it
    /// leaves its group's idle list from its place now ([`Engine::detach`] takes the front).
    #[inline]
    fn unlist_chosen(&mut self, a: usize) {
        let g = self.agents[a].group as usize;
        if self.agents[a].place == Place::Idle && self.groups[g].idle.front() != Some(&(a as u32)) {
            let idle = &mut self.groups[g].idle;
            let i = idle
                .iter()
                .position(|&x| x == a as u32)
                .expect("an idle agent is in its group's idle list");
            idle.remove(i);
            self.agents[a].place = Place::None;
        }
    }
}
