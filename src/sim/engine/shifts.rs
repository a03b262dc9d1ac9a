//! Groups staffed by shifts (`crate::model::roster`): the agents on the phones change at shift
//! starts and ends and at break starts and ends, at any time, not only at interval boundaries.
//!
//! Per replication, each shift group's absent agents are drawn first: a binomial count of its
//! rostered agents (`absence` each), then which ones, uniformly, from the group's own stream
//! ([`Purpose::Absence`]). The present agents' starts, ends and breaks become changes of the
//! group's target of active agents, applied with [`Engine::set_headcount`] (so a departing
//! agent, or one due for a break, finishes the contact in hand first, as at a boundary). Changes
//! at a boundary's time are applied by the boundary, group by group in the same order as
//! headcounts: a roster whose shifts start and end on boundaries, without breaks or absence,
//! simulates bit for bit like the equivalent headcount plan.
//!
//! Breaks, [`BreakMode`]: `shorten`, the break ends at its scheduled time whatever the contact
//! in hand took (the change back is fixed); `shift`, the agent due for the break is marked
//! with the break's length, and its return is scheduled when it goes off (its contact
//! finished), or at once if it is recalled before. Agents of a group are interchangeable, so
//! only their number on the phones matters.
//!
//! Changes at or after closing are dropped: the agents on duty at closing stay to drain the
//! queue, as with headcounts. Without shifts the state is off and costs one comparison per
//! event of the loop.

use rand::Rng as _;
use rand_distr::{Binomial, Distribution};

use crate::model::roster::BreakMode;
use crate::model::Model;
use crate::sim::rng::{stream, Purpose};

use super::{Duty, Engine, Place};

/// One change of a group's active agents at time `t` (simulation time).
#[derive(Debug, Clone, Copy)]
struct Change {
    t: f64,
    g: u32,
    delta: i32,
    /// A break's start in `shift` mode: its length (0 for any other change).
    brk: f64,
}

/// The shift groups' state for one replication.
#[derive(Debug, Default)]
pub(super) struct State {
    pub on: bool,
    /// Time of the next change (infinite when none).
    pub next_t: f64,
    /// Breaks are taken in full once free (`BreakMode::Shift`).
    pub shift_mode: bool,
    /// This replication's fixed changes, by time (ties: group, then file order).
    changes: Vec<Change>,
    cursor: usize,
    /// Break returns scheduled on the way (`shift` mode), latest first.
    returns: Vec<(f64, u32)>,
    /// Per group: its target of active agents (shift groups only).
    pub target: Vec<i64>,
    /// Per group: whether it is staffed by shifts.
    pub is_shift: Vec<bool>,
    /// Break starts due now, per group (`shift` mode): their lengths.
    due: Vec<(u32, f64)>,
    /// Per agent: the length of the break it takes once free (0: none).
    owed: Vec<f64>,
    /// Per group: rostered agents absent this replication.
    pub absent: Vec<u32>,
    close: f64,
    /// Scratch: the rostered agents of a group in order, absent or not.
    slots: Vec<bool>,
}

impl State {
    /// Resets for replication `rep` of `model` with `seed`: draws the absences and lays out
    /// the changes; the targets at the start of the warm-up are applied.
    pub fn prepare(&mut self, model: &Model, seed: u64, rep: u64) {
        self.on = model.workforce.as_ref().is_some_and(|w| w.has_shifts());
        self.next_t = f64::INFINITY;
        self.shift_mode = false;
        if !self.on {
            return;
        }
        let w = model.workforce.as_ref().expect("checked above");
        let ng = model.groups.len();
        self.shift_mode = w.break_mode == BreakMode::Shift;
        self.changes.clear();
        self.returns.clear();
        self.due.clear();
        self.cursor = 0;
        self.target.clear();
        self.target.resize(ng, 0);
        self.absent.clear();
        self.absent.resize(ng, 0);
        self.is_shift = (0..ng).map(|g| model.shifts_of(g).is_some()).collect();
        self.close = model.close_time();
        for g in 0..ng {
            if model.shifts_of(g).is_some() {
                self.lay_out(model, g, w.absence, seed, rep);
            }
        }
        self.changes
            .sort_by(|a, b| a.t.total_cmp(&b.t).then(a.g.cmp(&b.g)));
        // Changes at the start of opening (or before) make the first staffing.
        self.apply_due(model.warmup_s);
        self.update_next();
    }

    /// Draws group `g`'s absent agents and adds its present agents' changes.
    fn lay_out(&mut self, model: &Model, g: usize, absence: f64, seed: u64, rep: u64) {
        let shifts = model.shifts_of(g).expect("a shift group");
        let rostered: u32 = shifts.iter().map(|s| s.agents).sum();
        self.slots.clear();
        self.slots.resize(rostered as usize, false);
        if absence > 0.0 && rostered > 0 {
            let mut rng = stream(seed, rep, Purpose::Absence, g);
            let n = Binomial::new(u64::from(rostered), absence)
                .expect("validated: absence in [0, 1)")
                .sample(&mut rng) as usize;
            // Which agents: a partial Fisher-Yates shuffle of the rostered slots.
            let mut idx: Vec<u32> = (0..rostered).collect();
            for i in 0..n {
                let j = rng.random_range(i..idx.len());
                idx.swap(i, j);
                self.slots[idx[i] as usize] = true;
            }
            self.absent[g] = n as u32;
        }
        let w0 = model.warmup_s;
        let mut slot = 0usize;
        for s in shifts {
            for _ in 0..s.agents {
                let absent = self.slots[slot];
                slot += 1;
                if absent {
                    continue;
                }
                self.push(w0 + s.start_s, g, 1, 0.0);
                for b in &s.breaks {
                    if self.shift_mode {
                        self.push(w0 + b.start_s, g, -1, b.length_s);
                    } else {
                        self.push(w0 + b.start_s, g, -1, 0.0);
                        self.push(w0 + b.start_s + b.length_s, g, 1, 0.0);
                    }
                }
                self.push(w0 + s.end_s, g, -1, 0.0);
            }
        }
    }

    fn push(&mut self, t: f64, g: usize, delta: i32, brk: f64) {
        // Changes at or after closing are dropped (the staff at closing drains the queue);
        // those at the start of opening are kept (applied by `prepare`).
        if t < self.close {
            self.changes.push(Change {
                t,
                g: g as u32,
                delta,
                brk,
            });
        }
    }

    /// Applies to the targets every change due by `now` (break starts in `shift` mode are
    /// left in `due`, for [`Engine::staff_shift_group`]).
    fn apply_due(&mut self, now: f64) {
        while let Some(c) = self.changes.get(self.cursor).filter(|c| c.t <= now) {
            let c = *c;
            self.cursor += 1;
            if c.brk > 0.0 {
                self.due.push((c.g, c.brk));
            } else {
                self.target[c.g as usize] += i64::from(c.delta);
            }
        }
        while let Some(&(t, g)) = self.returns.last().filter(|r| r.0 <= now) {
            let _ = t;
            self.returns.pop();
            self.target[g as usize] += 1;
        }
    }

    fn update_next(&mut self) {
        let a = self.changes.get(self.cursor).map_or(f64::INFINITY, |c| c.t);
        let b = self.returns.last().map_or(f64::INFINITY, |r| r.0);
        self.next_t = a.min(b);
    }

    /// A break return at `t` for group `g` (dropped at or after closing).
    fn schedule_return(&mut self, t: f64, g: usize) {
        if t < self.close {
            let pos = self.returns.partition_point(|r| r.0 > t);
            self.returns.insert(pos, (t, g as u32));
            self.update_next();
        }
    }
}

impl Engine {
    /// The targets at a boundary: the changes due by now applied to the targets (the boundary
    /// then staffs each group, [`Engine::staff_shift_group`]).
    pub(super) fn shifts_at_boundary(&mut self) {
        self.sh.apply_due(self.now);
        self.sh.update_next();
    }

    /// The changes due now, between boundaries: each group they touch staffed anew, in order.
    pub(super) fn shift_changes(&mut self, model: &Model) {
        self.sh.apply_due(self.now);
        for g in 0..model.groups.len() {
            if self.sh.is_shift[g] {
                self.staff_shift_group(model, g);
            }
        }
        self.sh.update_next();
    }

    /// Brings shift group `g` to its target, then sends agents on the breaks due now
    /// (`shift` mode), and settles the breaks of recalled agents.
    pub(super) fn staff_shift_group(&mut self, model: &Model, g: usize) {
        let target = self.sh.target[g].max(0) as u32;
        if self.groups[g].active != target {
            self.set_headcount(model, g, target);
        }
        if !self.sh.shift_mode {
            return;
        }
        let mut i = 0;
        while i < self.sh.due.len() {
            let (dg, len) = self.sh.due[i];
            if dg as usize == g {
                self.sh.due.swap_remove(i);
                self.take_break(model, g, len);
            } else {
                i += 1;
            }
        }
        // An agent due for a break but recalled before it was free: the break starts now.
        let (first, count) = (self.groups[g].first as usize, self.groups[g].count as usize);
        for a in first..first + count {
            if self.sh.owed[a] > 0.0 && self.agents[a].duty == Duty::On {
                let len = std::mem::take(&mut self.sh.owed[a]);
                self.sh.schedule_return(self.now + len, g);
            }
        }
    }

    /// One agent of group `g` goes on a break of `len` seconds (`shift` mode): an idle one at
    /// once; otherwise the one [`Engine::set_headcount`] would send off, after its contacts.
    fn take_break(&mut self, model: &Model, g: usize, len: f64) {
        self.sh.target[g] -= 1;
        let st = &self.groups[g];
        let busy = if !st.idle.is_empty() {
            None
        } else if let Some(&a) = st.partial.last() {
            Some(a as usize)
        } else {
            let (first, count) = (st.first as usize, st.count as usize);
            (first..first + count)
                .rev()
                .find(|&a| self.agents[a].duty == Duty::On && self.agents[a].place == Place::None)
        };
        let target = self.sh.target[g].max(0) as u32;
        self.set_headcount(model, g, target);
        match busy {
            Some(a) if self.agents[a].duty == Duty::Leaving => self.sh.owed[a] = len,
            _ => self.sh.schedule_return(self.now + len, g),
        }
    }

    /// A leaving agent of a shift group went off (`shift` mode): its owed break starts now.
    #[cold]
    pub(super) fn shift_agent_off(&mut self, a: usize) {
        let len = std::mem::take(&mut self.sh.owed[a]);
        if len > 0.0 {
            let g = self.agents[a].group as usize;
            self.sh.schedule_return(self.now + len, g);
        }
    }

    /// Sizes the per-agent break marks once the agents are laid out.
    pub(super) fn prepare_shift_agents(&mut self) {
        if self.sh.on {
            self.sh.owed.clear();
            self.sh.owed.resize(self.agents.len(), 0.0);
        }
    }
}
