//! The surge playbook: the operations manual's emergency plan, simulated (scenario section
//! `surge_playbook`, README "Surge playbook").
//!
//! - **Trigger.** At the end of each opening interval except the last, the contacts that
//!   arrived in it on the trigger channels are compared with `load_ratio` x their planned volume
//!   (the scenario's forecast with `volume_multiplier`, before any `--surge`): the playbook is
//!   activated when they exceed it, and stays active for the rest of the day. Only what the
//!   center observes is used, so the rule is deterministic per seed and replication.
//! - **Reserve agents** are extra agent groups, off duty (headcount 0) until
//!   `activation_delay_minutes` after the activation, then on duty with their full count until
//!   closing (and through the drain, like the last interval's agents). They are ordinary agents
//!   otherwise: eligibility and routing are unchanged. A join due at or after closing is dropped.
//! - **Diversion.** While active, an arriving contact of a diverted type is sent to self-service
//!   with its `share` as probability: counted `diverted`, never queued.
//! - **Announcement.** While active, a contact of an announcing channel that finds no agent with
//!   room hears the estimated wait [`estimated_wait_s`]; above `limit_s` it requests a callback
//!   with probability `callback_share`, hangs up with probability `hangup_share`, or else waits.
//! - **Callbacks** wait in a queue of their own per contact class, without abandonment. A freed
//!   agent calls back only when no regular contact it can serve is waiting (oldest request first,
//!   among the classes it serves). A callback is not an answered contact: it is counted
//!   `callback_completed` with its delay (request to call-back) when an agent makes it, and
//!   `callback_unserved` when the day ends first (closing `cut`, or no agent left to make it).
//!
//! Random decisions use their own stream per channel ([`Purpose::Playbook`]), two uniforms per
//! arrival whenever the model has a playbook (active or not), so the playbook never shifts any
//! other draw: a run with the playbook and one without it see the same contacts (common random
//! numbers), and so do two playbook variants.

use std::collections::VecDeque;

use rand::Rng as _;

use crate::model::playbook::Playbook;
use crate::model::Model;
use crate::sim::rng::{stream, Purpose, Rng};

/// The estimated wait announced to a contact that must queue: `(ahead + 1) x aht_s / servers`,
/// with `ahead` the contacts of its channel still waiting (not those that have already hung up),
/// `aht_s` the channel's mean handle time and `servers` the contacts of the channel the agents on
/// duty who can take it hold at once (agents x their concurrency). Infinite without servers.
pub fn estimated_wait_s(ahead: u32, aht_s: f64, servers: f64) -> f64 {
    if servers > 0.0 {
        (ahead as f64 + 1.0) * aht_s / servers
    } else {
        f64::INFINITY
    }
}

/// A requested callback, waiting for an agent.
#[derive(Debug, Clone, Copy)]
pub struct Callback {
    /// When it was requested (the contact's arrival).
    pub requested: f64,
    /// The contact's base handle time (segment factor applied).
    pub handle: f64,
    /// Arrival interval of the contact.
    pub interval: i32,
}

/// One replication's playbook state, reused across replications.
pub struct State {
    /// The model has an enabled playbook: the hooks do something.
    pub on: bool,
    /// The playbook has triggered.
    pub active: bool,
    /// Simulation time of the activation (NaN: not activated).
    pub activated_at: f64,
    /// Simulation time the reserve is due (infinite: none pending).
    pub join_at: f64,
    /// Simulation time the reserve joined (NaN: not joined).
    pub joined_at: f64,
    /// Contacts of the trigger channels arrived in the running interval.
    counted: u32,
    rng: Vec<Rng>,
    /// The current arrival's announcement draw.
    pub u_announce: f64,
    /// Callbacks waiting, per contact class.
    pub callbacks: Vec<VecDeque<Callback>>,
    /// Callbacks waiting, all classes.
    pub pending: u32,
}

impl State {
    pub fn new(model: &Model) -> State {
        let placeholder = stream(0, 0, Purpose::Playbook, 0);
        State {
            on: false,
            active: false,
            activated_at: f64::NAN,
            join_at: f64::INFINITY,
            joined_at: f64::NAN,
            counted: 0,
            rng: vec![placeholder; model.channels.len()],
            u_announce: 1.0,
            callbacks: vec![VecDeque::new(); model.classes.len()],
            pending: 0,
        }
    }

    /// Resets for replication `rep` of `model` with `seed`.
    pub fn prepare(&mut self, model: &Model, seed: u64, rep: u64) {
        self.on = model.playbook.as_ref().is_some_and(|p| p.enabled);
        self.active = false;
        self.activated_at = f64::NAN;
        self.join_at = f64::INFINITY;
        self.joined_at = f64::NAN;
        self.counted = 0;
        self.u_announce = 1.0;
        self.pending = 0;
        for q in &mut self.callbacks {
            q.clear();
        }
        if self.on {
            for (c, r) in self.rng.iter_mut().enumerate() {
                *r = stream(seed, rep, Purpose::Playbook, c);
            }
        }
    }

    /// An arrival of class `k` on channel `c` in `interval` (-1: warm-up): counts it for the
    /// trigger, draws its two uniforms, and says whether it is diverted to self-service.
    #[inline]
    pub fn arrival(&mut self, pb: &Playbook, c: usize, k: usize, interval: i32) -> bool {
        if interval >= 0 && pb.trigger_channels[c] {
            self.counted += 1;
        }
        let u_divert: f64 = self.rng[c].random();
        self.u_announce = self.rng[c].random();
        self.active && u_divert < pb.divert[k]
    }

    /// Interval boundary `k` at time `now` (boundary `k` starts interval `k`; 0 ends the
    /// warm-up): judges the interval that just ended and activates the playbook when its
    /// offered contacts exceed the trigger.
    pub fn boundary(&mut self, model: &Model, pb: &Playbook, k: usize, now: f64) {
        let counted = std::mem::take(&mut self.counted);
        if self.active || k == 0 || k >= model.n_intervals {
            return;
        }
        if counted as f64 > pb.load_ratio * pb.planned[k - 1] {
            self.active = true;
            self.activated_at = now;
            let join = now + pb.delay_s;
            if pb.first_reserve < model.groups.len() && join < model.close_time() {
                self.join_at = join;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_counts_the_caller_and_divides_by_servers() {
        assert_eq!(estimated_wait_s(0, 200.0, 10.0), 20.0);
        assert_eq!(estimated_wait_s(9, 200.0, 10.0), 200.0);
        assert_eq!(estimated_wait_s(4, 300.0, 0.0), f64::INFINITY);
    }
}
