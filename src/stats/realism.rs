//! Statistics of the realism features (README "Realism"): per base cell, talk and wrap-up time
//! of answered contacts, transfers and their second wait, customers (first attempts) and how
//! they ended after all their attempts, redials, and the contacts that arrived during an
//! outage. Kept apart from [`super::Cell`] and only allocated (and reported, as
//! [`REAL_METRICS`]) when the model uses a realism feature, so other models are unchanged.
//!
//! A transferred contact's second leg is not a new contact offered: it is counted in its
//! customer's cells as a transfer (answered, abandoned or unresolved in the target queue). A
//! redial is a new attempt: offered, answered or abandoned as any contact, and in the cells of
//! its own arrival interval; its customer is counted once, in the cells of the first attempt.

use super::{Cell, Thresholds};

/// Realism counters of one base cell in one replication.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealCell {
    /// Conversation and after-call time of the answered contacts (first legs), seconds.
    pub sum_talk: f64,
    pub sum_wrap: f64,
    /// Contacts passed on by the agent who answered them (each leg counted).
    pub transfers: u32,
    pub transfer_answered: u32,
    pub transfer_abandoned: u32,
    pub transfer_unresolved: u32,
    pub sum_transfer_wait: f64,
    /// Customers whose first attempt arrived in the cell.
    pub customers: u32,
    /// Attempts after the first (each counted in its own arrival cells).
    pub redials: u32,
    /// Customers finally answered (by the last agent they reached), lost (abandoned and did not
    /// call again, abandoned in a transfer queue, or sent to self-service), or unresolved
    /// (still waiting at the end, or a redial due after closing).
    pub customers_answered: u32,
    pub customers_lost: u32,
    pub customers_unresolved: u32,
    /// Customers an outage redirected to another channel (where they count as new customers).
    pub customers_redirected: u32,
    /// Redials due after closing (their customers are unresolved).
    pub redials_after_close: u32,
    /// First arrival to final answer of the customers answered, seconds.
    pub sum_end_to_end: f64,
    /// Contacts that arrived while their channel was down, and what became of them.
    pub outage_offered: u32,
    pub outage_answered: u32,
    pub outage_in_goal: u32,
    pub outage_abandoned: u32,
    pub outage_redirected: u32,
    pub outage_call_later: u32,
    pub outage_self_service: u32,
    /// Contacts cut off in service when an outage started.
    pub outage_dropped: u32,
}

impl RealCell {
    pub(super) fn add(&mut self, x: &RealCell) {
        self.sum_talk += x.sum_talk;
        self.sum_wrap += x.sum_wrap;
        self.transfers += x.transfers;
        self.transfer_answered += x.transfer_answered;
        self.transfer_abandoned += x.transfer_abandoned;
        self.transfer_unresolved += x.transfer_unresolved;
        self.sum_transfer_wait += x.sum_transfer_wait;
        self.customers += x.customers;
        self.redials += x.redials;
        self.customers_answered += x.customers_answered;
        self.customers_lost += x.customers_lost;
        self.customers_unresolved += x.customers_unresolved;
        self.customers_redirected += x.customers_redirected;
        self.redials_after_close += x.redials_after_close;
        self.sum_end_to_end += x.sum_end_to_end;
        self.outage_offered += x.outage_offered;
        self.outage_answered += x.outage_answered;
        self.outage_in_goal += x.outage_in_goal;
        self.outage_abandoned += x.outage_abandoned;
        self.outage_redirected += x.outage_redirected;
        self.outage_call_later += x.outage_call_later;
        self.outage_self_service += x.outage_self_service;
        self.outage_dropped += x.outage_dropped;
    }
}

/// Further metrics of a contact row when the model uses a realism feature, after the
/// [`super::CONTACT_METRICS`] and (with a playbook) [`super::PLAYBOOK_METRICS`].
pub const REAL_METRICS: [&str; 22] = [
    "talk_s",
    "wrap_up_s",
    "handle_s",
    "transfers",
    "fcr",
    "transfer_wait_s",
    "transfer_abandoned",
    "end_to_end_s",
    "customers",
    "redials",
    "unique_answered_share",
    "unique_lost_share",
    "unique_unresolved",
    "redials_after_close",
    "outage_offered",
    "outage_service_level",
    "outage_abandon_rate",
    "outage_redirected",
    "outage_call_later",
    "outage_self_service",
    "outage_dropped",
    "attempts_per_customer",
];

/// Index of each realism metric in [`REAL_METRICS`].
pub mod r {
    pub const TALK: usize = 0;
    pub const WRAP: usize = 1;
    pub const HANDLE: usize = 2;
    pub const TRANSFERS: usize = 3;
    pub const FCR: usize = 4;
    pub const TRANSFER_WAIT: usize = 5;
    pub const TRANSFER_ABANDONED: usize = 6;
    pub const END_TO_END: usize = 7;
    pub const CUSTOMERS: usize = 8;
    pub const REDIALS: usize = 9;
    pub const UNIQUE_ANSWERED: usize = 10;
    pub const UNIQUE_LOST: usize = 11;
    pub const UNIQUE_UNRESOLVED: usize = 12;
    pub const REDIALS_AFTER_CLOSE: usize = 13;
    pub const OUTAGE_OFFERED: usize = 14;
    pub const OUTAGE_SL: usize = 15;
    pub const OUTAGE_ABANDON_RATE: usize = 16;
    pub const OUTAGE_REDIRECTED: usize = 17;
    pub const OUTAGE_CALL_LATER: usize = 18;
    pub const OUTAGE_SELF_SERVICE: usize = 19;
    pub const OUTAGE_DROPPED: usize = 20;
    pub const ATTEMPTS_PER_CUSTOMER: usize = 21;
}

/// Whether realism metric `j` is a share (shown in percent).
pub fn is_share(j: usize) -> bool {
    matches!(
        j,
        r::FCR | r::UNIQUE_ANSWERED | r::UNIQUE_LOST | r::OUTAGE_SL | r::OUTAGE_ABANDON_RATE
    )
}

/// Fills a row's realism metrics `v`, `d` (numerators and denominators, as
/// [`super::cell_metrics`] does) from its summed cells.
pub(super) fn real_metrics(c: &Cell, x: &RealCell, v: &mut [f64], d: &mut [f64]) {
    d.fill(1.0);
    let answered = c.answered as f64;
    v[r::TALK] = x.sum_talk;
    d[r::TALK] = answered;
    v[r::WRAP] = x.sum_wrap;
    d[r::WRAP] = answered;
    v[r::HANDLE] = x.sum_talk + x.sum_wrap;
    d[r::HANDLE] = answered;
    v[r::TRANSFERS] = x.transfers as f64;
    v[r::FCR] = answered - x.transfers.min(c.answered) as f64;
    d[r::FCR] = answered;
    v[r::TRANSFER_WAIT] = x.sum_transfer_wait;
    d[r::TRANSFER_WAIT] = x.transfer_answered as f64;
    v[r::TRANSFER_ABANDONED] = x.transfer_abandoned as f64;
    v[r::END_TO_END] = x.sum_end_to_end;
    d[r::END_TO_END] = x.customers_answered as f64;
    v[r::CUSTOMERS] = x.customers as f64;
    v[r::REDIALS] = x.redials as f64;
    v[r::UNIQUE_ANSWERED] = x.customers_answered as f64;
    d[r::UNIQUE_ANSWERED] = x.customers as f64;
    v[r::UNIQUE_LOST] = x.customers_lost as f64;
    d[r::UNIQUE_LOST] = x.customers as f64;
    v[r::UNIQUE_UNRESOLVED] = x.customers_unresolved as f64;
    v[r::REDIALS_AFTER_CLOSE] = x.redials_after_close as f64;
    v[r::OUTAGE_OFFERED] = x.outage_offered as f64;
    v[r::OUTAGE_SL] = x.outage_in_goal as f64;
    d[r::OUTAGE_SL] = (x.outage_answered + x.outage_abandoned) as f64;
    v[r::OUTAGE_ABANDON_RATE] = x.outage_abandoned as f64;
    d[r::OUTAGE_ABANDON_RATE] = (x.outage_answered + x.outage_abandoned) as f64;
    v[r::OUTAGE_REDIRECTED] = x.outage_redirected as f64;
    v[r::OUTAGE_CALL_LATER] = x.outage_call_later as f64;
    v[r::OUTAGE_SELF_SERVICE] = x.outage_self_service as f64;
    v[r::OUTAGE_DROPPED] = x.outage_dropped as f64;
    v[r::ATTEMPTS_PER_CUSTOMER] = (x.customers + x.redials) as f64;
    d[r::ATTEMPTS_PER_CUSTOMER] = x.customers as f64;
}

/// The counting calls of the engine, on the replication's realism cells.
impl super::RepStats {
    /// An answered contact's talk and wrap-up time.
    #[inline]
    pub fn handled(&mut self, cells: [u32; 3], talk: f64, wrap: f64) {
        for c in cells {
            let x = &mut self.real[c as usize];
            x.sum_talk += talk;
            x.sum_wrap += wrap;
        }
    }

    /// Applies `f` to the realism counters of a contact's three base cells.
    #[inline]
    pub fn real_each(&mut self, cells: [u32; 3], f: impl Fn(&mut RealCell)) {
        for c in cells {
            f(&mut self.real[c as usize]);
        }
    }

    /// An outage contact answered after `wait` seconds (against the channel's threshold).
    pub fn outage_answered(&mut self, cells: [u32; 3], wait: f64, t: &Thresholds) {
        let in_goal = (wait <= t.goal_s) as u32;
        self.real_each(cells, |x| {
            x.outage_answered += 1;
            x.outage_in_goal += in_goal;
        });
    }
}
