//! The realism features of a model (README "Realism"): after-call work (wrap-up), transfers
//! and escalation, redials after abandonment, and outages with their fallback. All empty in a
//! model that uses none of them ([`Realism::is_used`] false), which then simulates exactly as
//! without them.

use crate::model::dist::Dist;

/// A contact class's transfer rule: the share its first agent does not resolve, passed on to
/// the target class (same channel and segment, the target type) after the conversation.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub share: f64,
    /// The target class (index into `Model::classes`).
    pub to_class: usize,
    /// Time from the end of the conversation to joining the target queue (`None`: at once).
    pub delay: Option<Dist>,
    /// Handle time of the second conversation (before the segment and proficiency factors).
    pub handle: Dist,
    /// Served before fresh contacts of the target class.
    pub priority: bool,
}

/// A redial rule: a customer whose attempt `n` abandons calls again with probability
/// `probability * decay^(n-1)` while `n < max_attempts`, after `delay` (from the abandonment;
/// with `after_hang_up`, also from a hang-up after the surge playbook's announcement).
#[derive(Debug, Clone)]
pub struct Redial {
    pub probability: f64,
    pub delay: Dist,
    pub max_attempts: u32,
    pub decay: f64,
    /// The rule applies as well to callers who hang up after the playbook's estimated-wait
    /// announcement.
    pub after_hang_up: bool,
}

impl Redial {
    /// The probability that a customer whose attempt `attempt` (1 = first) abandoned calls
    /// again.
    pub fn chance(&self, attempt: u32) -> f64 {
        if attempt >= self.max_attempts {
            0.0
        } else {
            self.probability * self.decay.powi(attempt as i32 - 1)
        }
    }
}

/// When an outage happens (simulation seconds).
#[derive(Debug, Clone)]
pub enum Window {
    Fixed {
        start: f64,
        end: f64,
    },
    /// Start uniform in `[earliest, latest]`, length (seconds) from `duration`, per replication.
    Random {
        earliest: f64,
        latest: f64,
        duration: Dist,
    },
}

/// A system failure on some channels and its fallback.
#[derive(Debug, Clone)]
pub struct Outage {
    /// The channels down (all when the scenario names none).
    pub channels: Vec<usize>,
    pub window: Window,
    /// Handle-time factor of contacts started during the window on those channels.
    pub handle_factor: f64,
    /// Backup channel and share of the arriving contacts sent there.
    pub redirect: Option<(usize, f64)>,
    pub call_later_share: f64,
    pub self_service_share: f64,
    /// Contacts in service at the start are dropped (else finished).
    pub drop_in_service: bool,
}

/// The realism part of a model; per-class vectors are empty when no class uses the feature.
#[derive(Debug, Clone, Default)]
pub struct Realism {
    /// Per class: its type's wrap-up distribution (before the proficiency factor).
    pub wrap_up: Vec<Option<Dist>>,
    /// Per class: its transfer rule.
    pub transfer: Vec<Option<Transfer>>,
    /// Per class: its redial rule (the segment's, else the channel's).
    pub redial: Vec<Option<Redial>>,
    pub outages: Vec<Outage>,
}

impl Realism {
    /// Whether the model uses any realism feature (its reports then carry the realism metrics).
    pub fn is_used(&self) -> bool {
        self.has_wrap_up() || self.has_transfers() || self.has_redials() || !self.outages.is_empty()
    }
    pub fn has_wrap_up(&self) -> bool {
        self.wrap_up.iter().any(Option::is_some)
    }
    pub fn has_transfers(&self) -> bool {
        self.transfer.iter().any(Option::is_some)
    }
    pub fn has_redials(&self) -> bool {
        self.redial.iter().any(Option::is_some)
    }
    /// Whether the engine must track each contact (a wrap-up, a transfer or a redial can follow
    /// it): then every contact carries its customer record.
    pub fn tracks_contacts(&self) -> bool {
        self.is_used()
    }
}

impl crate::model::Model {
    /// What wrap-up and transfers add to the mean handle time of channel `c`'s contacts
    /// ([`crate::model::Model::mean_handle_s`]): the mean wrap-up of its types, and per
    /// transferred contact the second conversation with its wrap-up (one transfer deep). 0 when
    /// the model has neither.
    pub fn realism_handle_s(&self, c: usize) -> f64 {
        let r = &self.realism;
        if !(r.has_wrap_up() || r.has_transfers()) {
            return 0.0;
        }
        let ch = &self.channels[c];
        let seg_factor: f64 = ch.segments.iter().map(|s| s.share * s.handle_factor).sum();
        let wrap = |k: usize| {
            r.wrap_up
                .get(k)
                .and_then(Option::as_ref)
                .map_or(0.0, Dist::mean)
        };
        let mut extra = 0.0;
        for (t, tm) in ch.types.iter().enumerate() {
            let k = ch.class_of[t][0];
            extra += tm.share * wrap(k);
            if let Some(tr) = r.transfer.get(k).and_then(Option::as_ref) {
                extra += tm.share * tr.share * (tr.handle.mean() * seg_factor + wrap(tr.to_class));
            }
        }
        extra
    }
}
