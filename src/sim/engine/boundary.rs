//! Interval boundaries: busy and staffed time filed by interval, headcount changes (recalls,
//! joins, departures in the documented order), closing (`drain` or `cut`) and the end of the
//! replication.

use crate::model::{Closing, Model};

use super::track::PLAIN;
use super::{Duty, Engine, Place};

impl Engine {
    /// Adds `delta` to group `g`'s agents on duty, accruing its staffed time first.
    pub(super) fn change_on_duty(&mut self, model: &Model, g: usize, delta: i32) {
        let total = self
            .open_interval
            .map(|i| &mut self.stats.staffed[g * model.n_intervals + i]);
        self.groups[g].on_duty.add(delta, self.now, total);
    }

    /// Adds `delta` to group `g`'s load units, accruing its busy time (load units x seconds;
    /// they become agents at the end, [`Engine::finish`]) first.
    #[inline(always)]
    pub(super) fn change_load(&mut self, model: &Model, g: usize, delta: i32) {
        let total = self
            .open_interval
            .map(|i| &mut self.stats.busy[g * model.n_intervals + i]);
        self.groups[g].load.add(delta, self.now, total);
    }

    /// Brings group `g` to `target` active agents.
    pub(super) fn set_headcount(&mut self, model: &Model, g: usize, target: u32) {
        let now = self.now;
        // Recall leaving agents first: they are still on duty.
        if self.groups[g].active < target {
            let (first, count) = (self.groups[g].first as usize, self.groups[g].count as usize);
            for a in first..first + count {
                if self.groups[g].active >= target {
                    break;
                }
                if self.agents[a].duty == Duty::Leaving {
                    self.agents[a].duty = Duty::On;
                    self.groups[g].active += 1;
                    self.serve_queues(model, a);
                    self.attach(model, a);
                }
            }
        }
        while self.groups[g].active < target {
            let Some(a) = self.groups[g].off.pop() else {
                break;
            };
            let a = a as usize;
            self.agents[a].duty = Duty::On;
            self.agents[a].load = 0;
            self.agents[a].since = now;
            self.groups[g].active += 1;
            self.change_on_duty(model, g, 1);
            self.serve_queues(model, a);
            self.attach(model, a);
        }
        // Idle agents leave first (most recently idle first), then partly busy, then busy ones.
        while self.groups[g].active > target {
            let Some(a) = self.groups[g].idle.pop_back() else {
                break;
            };
            let a = a as usize;
            self.agents[a].place = Place::None;
            self.agents[a].duty = Duty::Off;
            self.groups[g].active -= 1;
            self.change_on_duty(model, g, -1);
            self.groups[g].off.push(a as u32);
        }
        while self.groups[g].active > target {
            let Some(&a) = self.groups[g].partial.last() else {
                break;
            };
            let a = a as usize;
            self.detach(a);
            self.agents[a].duty = Duty::Leaving;
            self.groups[g].active -= 1;
        }
        if self.groups[g].active > target {
            let (first, count) = (self.groups[g].first as usize, self.groups[g].count as usize);
            for a in (first..first + count).rev() {
                if self.groups[g].active <= target {
                    break;
                }
                if self.agents[a].duty == Duty::On {
                    debug_assert_eq!(self.agents[a].place, Place::None);
                    self.agents[a].duty = Duty::Leaving;
                    self.groups[g].active -= 1;
                }
            }
        }
    }

    pub(super) fn boundary(&mut self, model: &Model, k: usize) {
        // Close the segments of the interval that ends here.
        for g in 0..model.groups.len() {
            self.change_on_duty(model, g, 0);
            self.change_load(model, g, 0);
        }
        // Busy and staffed time from here on go to interval k, none after closing.
        self.open_interval = (k < model.n_intervals).then_some(k);
        if let Some(pb) = model.playbook.as_ref().filter(|_| self.pb.on) {
            // The trigger judges the interval that just ended.
            self.pb.boundary(model, pb, k, self.now);
        }
        let n = model.n_intervals;
        if k == 0 {
            return; // end of the warm-up: same staff.
        }
        if k < n {
            if self.sh.on {
                self.shifts_at_boundary();
            }
            // Playbook reserves (groups after the regular ones) stay until closing once joined.
            for g in 0..model.regular_groups() {
                if self.sh.on && self.sh.is_shift[g] {
                    self.staff_shift_group(model, g);
                    continue;
                }
                self.set_headcount(model, g, model.groups[g].headcount[k]);
            }
            return;
        }
        // Closing.
        let now = self.now;
        for k in 0..self.queues.len() {
            let ci = self.classes[k];
            match model.closing {
                Closing::Drain => {
                    for w in self.queues.iter(k).filter(|w| w.deadline > now) {
                        if let Some(cells) = ci.counted_cells(w.interval) {
                            self.stats.waiting_at_close(cells);
                        }
                    }
                }
                Closing::Cut => {
                    while let Some(w) = self.queues.pop(k) {
                        if w.deadline <= now {
                            self.count_abandoned(k, &w);
                        } else if w.tag != PLAIN {
                            if let Some(cells) = ci.counted_cells(w.interval) {
                                self.stats.waiting_at_close(cells);
                            }
                            self.tracked_unresolved(k, &w);
                        } else if let Some(cells) = ci.counted_cells(w.interval) {
                            self.stats.waiting_at_close(cells);
                            self.stats.unresolved(cells);
                        }
                    }
                }
            }
        }
        if self.pb.pending > 0 && model.closing == Closing::Cut {
            self.drop_callbacks();
        }
    }

    /// End of the simulation: contacts still queued either abandoned by now (finite patience)
    /// or are unresolved (no agent who could take them was left on duty).
    pub(super) fn finish(&mut self, model: &Model) {
        // Busy load units to agents.
        let per_agent = 1.0 / model.capacity as f64;
        for b in &mut self.stats.busy {
            *b *= per_agent;
        }
        for k in 0..self.queues.len() {
            while let Some(w) = self.queues.pop(k) {
                if w.deadline.is_finite() {
                    self.count_abandoned(k, &w);
                } else if w.tag != PLAIN {
                    self.tracked_unresolved(k, &w);
                } else if let Some(cells) = self.classes[k].counted_cells(w.interval) {
                    self.stats.unresolved(cells);
                }
            }
        }
        if self.pb.on {
            self.drop_callbacks();
            self.stats.activated_at = self.pb.activated_at;
            self.stats.reserve_joined_at = self.pb.joined_at;
        }
        self.stats.count_offered();
    }
}
