//! The score policy's path ([`crate::sim::routing::ScoreRouter`]): the agent a new contact goes
//! to, and the waiting contact a freed agent takes. The built-in strategies never come here.

use crate::model::Model;
use crate::sim::routing::{Router, ScoreRouter};

use super::{Engine, GroupClass};

impl Engine {
    /// The score policy, when the router is one.
    #[inline]
    pub(super) fn score_router(&self) -> Option<&ScoreRouter> {
        match &self.router {
            Router::Score(s) => Some(s),
            _ => None,
        }
    }

    /// The agent with room a new contact of class `k` goes to under score policy `s`, with its
    /// level: the highest preference; ties to the agent idle longest, then to the class's group
    /// order. In a group, the longest-idle agent stands for the idle ones (they differ only in
    /// idle time, whose weight is >= 0), and every partly loaded agent with room is a candidate.
    pub(super) fn find_agent_score(
        &self,
        model: &Model,
        s: &ScoreRouter,
        k: usize,
    ) -> Option<(usize, u8)> {
        let now = self.now;
        let cap = model.capacity;
        // Best so far: (agent, level, preference, since).
        let mut best: Option<(usize, u8, f64, f64)> = None;
        for (rank, &(g, level)) in model.classes[k].eligible.iter().enumerate() {
            let st = &self.groups[g];
            let units = self.group_class[g * self.classes.len() + k].units;
            let idle = st.idle.front().map(|&a| a as usize);
            let partial = st
                .partial
                .iter()
                .map(|&a| a as usize)
                .filter(|&a| self.agents[a].load + units <= cap);
            for a in idle.into_iter().chain(partial) {
                let ag = &self.agents[a];
                let pref = s.preference(level, rank, ag.load, ag.since, now);
                if best.is_none_or(|(_, _, bp, bs)| pref > bp || (pref == bp && ag.since < bs)) {
                    best = Some((a, level, pref, ag.since));
                }
            }
        }
        best.map(|(a, l, _, _)| (a, l))
    }

    /// The class, and the level, of the waiting contact an agent of group `g` with `room` load
    /// units free takes under the score policy: the highest priority among the heads of the
    /// group's queues; ties to the contact waiting longest, then to the group's list order.
    pub(super) fn best_head_score(&mut self, g: usize, room: u32) -> Option<(usize, u8)> {
        let nk = self.queues.len();
        let words = self.queues.words();
        // Best so far: (class, level, priority, arrival, position).
        let mut best: Option<(usize, u8, f64, f64, u32)> = None;
        for wi in 0..words {
            let mut bits = self.group_classes[g * words + wi] & self.queues.nonempty_word(wi);
            while bits != 0 {
                let k = wi * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let GroupClass {
                    units, level, pos, ..
                } = self.group_class[g * nk + k];
                if units > room {
                    continue;
                }
                let Some(w) = self.live_head(k) else { continue };
                let s = self.score_router()?;
                let p = s.priority(k, w.arrival, level, self.now);
                let better = best.is_none_or(|(_, _, bp, ba, bpos)| {
                    p > bp || (p == bp && (w.arrival, pos) < (ba, bpos))
                });
                if better {
                    best = Some((k, level, p, w.arrival, pos));
                }
            }
        }
        best.map(|(k, level, ..)| (k, level))
    }
}
