//! The surge playbook's configuration (scenario section `surge_playbook`, README "Surge
//! playbook"), resolved from the file by [`crate::input`]: the trigger, the reserve, the
//! diversion and the estimated-wait announcement. How a replication runs it (the trigger's count,
//! the reserve's join, callbacks) is [`crate::sim::playbook`], whose module docs state the rules.

/// A resolved surge playbook (rules in [`crate::sim::playbook`]).
#[derive(Debug, Clone)]
pub struct Playbook {
    /// False: the same model structure, but the playbook never triggers (the "without
    /// playbook" side of a paired run).
    pub enabled: bool,
    pub load_ratio: f64,
    /// Per channel: counted by the trigger.
    pub trigger_channels: Vec<bool>,
    /// Per interval: planned contacts of the trigger channels (before `--surge`).
    pub planned: Vec<f64>,
    pub delay_s: f64,
    /// Reserve groups are `Model::groups[first_reserve..]`.
    pub first_reserve: usize,
    /// Per contact class: probability of diversion while active.
    pub divert: Vec<f64>,
    pub announcement: Option<Announcement>,
}

/// The estimated-wait announcement, resolved.
#[derive(Debug, Clone)]
pub struct Announcement {
    /// Per channel: plays the announcement.
    pub channels: Vec<bool>,
    pub limit_s: f64,
    pub callback_share: f64,
    pub hangup_share: f64,
    /// Per channel: mean handle time (segment factors included, proficiency factor 1).
    pub aht_s: Vec<f64>,
}

/// What a caller does after the announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Wait,
    Callback,
    HangUp,
}

impl Announcement {
    /// The caller's choice for an estimated wait `ewt_s`, with its uniform draw `u` in [0, 1):
    /// below or at the limit it always waits.
    pub fn choose(&self, ewt_s: f64, u: f64) -> Choice {
        // NaN never exceeds the limit.
        if ewt_s.partial_cmp(&self.limit_s) != Some(std::cmp::Ordering::Greater) {
            Choice::Wait
        } else if u < self.callback_share {
            Choice::Callback
        } else if u < self.callback_share + self.hangup_share {
            Choice::HangUp
        } else {
            Choice::Wait
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(limit_s: f64, cb: f64, hu: f64) -> Announcement {
        Announcement {
            channels: vec![true],
            limit_s,
            callback_share: cb,
            hangup_share: hu,
            aht_s: vec![200.0],
        }
    }

    #[test]
    fn nobody_leaves_at_or_below_the_limit() {
        let a = ann(60.0, 0.3, 0.2);
        for u in [0.0, 0.1, 0.29, 0.3, 0.49, 0.5, 0.99] {
            assert_eq!(a.choose(60.0, u), Choice::Wait);
            assert_eq!(a.choose(10.0, u), Choice::Wait);
        }
        assert_eq!(a.choose(60.001, 0.0), Choice::Callback);
        assert_eq!(a.choose(61.0, 0.29), Choice::Callback);
        assert_eq!(a.choose(61.0, 0.3), Choice::HangUp);
        assert_eq!(a.choose(61.0, 0.49), Choice::HangUp);
        assert_eq!(a.choose(61.0, 0.5), Choice::Wait);
        assert_eq!(a.choose(f64::INFINITY, 0.7), Choice::Wait);
        assert_eq!(a.choose(f64::INFINITY, 0.1), Choice::Callback);
    }

    #[test]
    fn shares_of_zero_and_one() {
        let a = ann(0.0, 1.0, 0.0);
        assert_eq!(a.choose(1.0, 0.999), Choice::Callback);
        let a = ann(0.0, 0.0, 1.0);
        assert_eq!(a.choose(1.0, 0.999), Choice::HangUp);
        let a = ann(0.0, 0.0, 0.0);
        assert_eq!(a.choose(1.0, 0.0), Choice::Wait);
    }
}
