//! The surge playbook's hooks (rules in [`crate::sim::playbook`]). Called only when the model
//! has an enabled playbook (`pb.on`), or when callbacks are pending; inert otherwise.

use crate::model::playbook::Choice;
use crate::model::Model;
use crate::sim::playbook::{self, Callback};

use super::queues::Waiting;
use super::Engine;

impl Engine {
    /// Counts an arrival for the trigger and draws its playbook decisions; true when the
    /// contact is diverted to self-service (counted unless a warm-up arrival; never queued).
    #[inline]
    pub(super) fn playbook_divert(
        &mut self,
        model: &Model,
        c: usize,
        k: usize,
        interval: i32,
    ) -> bool {
        let pb = model.playbook.as_ref().expect("pb.on: a playbook");
        if !self.pb.arrival(pb, c, k, interval) {
            return false;
        }
        if let Some(cells) = self.classes[k].counted_cells(interval) {
            self.stats.diverted(cells);
        }
        true
    }

    /// A contact of class `k` that found no agent while the playbook is active: plays the
    /// estimated-wait announcement on its channel. The caller's choice: unless it waits, it
    /// requested a callback or hung up (it does not join the queue).
    pub(super) fn playbook_announce(&mut self, model: &Model, k: usize, w: &Waiting) -> Choice {
        let pb = model.playbook.as_ref().expect("active: a playbook");
        let Some(ann) = &pb.announcement else {
            return Choice::Wait;
        };
        let c = self.classes[k].channel as usize;
        if !ann.channels[c] {
            return Choice::Wait;
        }
        let now = self.now;
        let mut servers = 0.0;
        for (g, gr) in model.groups.iter().enumerate() {
            if let Some(concurrency) = model.capacity.checked_div(gr.units[c]) {
                servers += self.groups[g].active as f64 * concurrency as f64;
            }
        }
        // Only whether the estimate passes `limit_s` decides (`Announcement::choose`), and it
        // grows with the count: the count stops once it passes, and is not needed without
        // servers (an infinite estimate). Counting a queue of millions for every arrival made a
        // replication run for hours (issue 18).
        let mut ahead = 0u32;
        if servers > 0.0 {
            'count: for row in &model.channels[c].class_of {
                for &q in row {
                    for x in self.queues.iter(q) {
                        if x.deadline > now {
                            ahead += 1;
                            if playbook::estimated_wait_s(ahead, ann.aht_s[c], servers)
                                > ann.limit_s
                            {
                                break 'count;
                            }
                        }
                    }
                }
            }
        }
        let ewt = playbook::estimated_wait_s(ahead, ann.aht_s[c], servers);
        let cells = self.classes[k].counted_cells(w.interval);
        let choice = ann.choose(ewt, self.pb.u_announce);
        match choice {
            Choice::Wait => {}
            Choice::HangUp => {
                if let Some(cells) = cells {
                    self.stats.hung_up(cells);
                }
            }
            Choice::Callback => {
                if let Some(cells) = cells {
                    self.stats.callback_requested(cells);
                }
                if self.pb.pending as usize >= crate::model::limits::MAX_WAITING {
                    super::overflow(model, c, w.interval, "callbacks");
                }
                self.pb.callbacks[k].push_back(Callback {
                    requested: now,
                    handle: w.handle,
                    interval: w.interval,
                });
                self.pb.pending += 1;
            }
        }
        choice
    }

    /// Detached, on-duty agent `a` with room and no regular contact to take: calls back the
    /// oldest pending request among the classes it serves (and has room for). False if none.
    pub(super) fn take_callback(&mut self, model: &Model, a: usize) -> bool {
        let g = self.agents[a].group as usize;
        let gm = &model.groups[g];
        let room = model.capacity - self.agents[a].load;
        let mut best: Option<(usize, u8, f64)> = None;
        for &(k, level) in &gm.classes {
            if gm.units[self.classes[k].channel as usize] > room {
                continue;
            }
            if let Some(cb) = self.pb.callbacks[k].front() {
                if best.is_none_or(|(_, _, t)| cb.requested < t) {
                    best = Some((k, level, cb.requested));
                }
            }
        }
        let Some((k, level, _)) = best else {
            return false;
        };
        let cb = self.pb.callbacks[k].pop_front().expect("front seen above");
        self.pb.pending -= 1;
        if let Some(cells) = self.classes[k].counted_cells(cb.interval) {
            self.stats
                .callback_completed(cells, self.now - cb.requested);
        }
        // Served like a contact, but not counted as answered (interval -1).
        let w = Waiting {
            arrival: self.now,
            deadline: f64::INFINITY,
            handle: cb.handle,
            interval: -1,
            tag: super::track::PLAIN,
        };
        self.start::<false>(model, a, k, level, w);
        true
    }

    /// The reserve agents come on duty with their full count.
    pub(super) fn join_reserves(&mut self, model: &Model) {
        self.pb.join_at = f64::INFINITY;
        self.pb.joined_at = self.now;
        for g in model.regular_groups()..model.groups.len() {
            self.set_headcount(model, g, model.groups[g].reserve);
        }
    }

    /// Callbacks still pending are dropped and counted unserved.
    pub(super) fn drop_callbacks(&mut self) {
        for k in 0..self.pb.callbacks.len() {
            while let Some(cb) = self.pb.callbacks[k].pop_front() {
                if let Some(cells) = self.classes[k].counted_cells(cb.interval) {
                    self.stats.callback_unserved(cells);
                }
            }
        }
        self.pb.pending = 0;
    }
}
