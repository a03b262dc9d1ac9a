//! The bookkeeping the realism features share (README "Realism"): a record per tracked contact
//! (its customer: first arrival, attempt, transfer leg, wrap-up, a pending redial), the heap of
//! later events (transfer arrivals, redial arrivals, outage starts and ends) and the random
//! streams of the features. A waiting contact carries its record's index in `Waiting::tag`
//! ([`PLAIN`] when the model uses no realism feature: then nothing here is touched, and the event
//! loop only compares the empty heap's infinite time).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::model::Model;
use crate::sim::rng::{stream, Purpose, Rng};

/// The tag of an untracked contact.
pub(super) const PLAIN: u32 = u32::MAX;
/// Tag bit of a transferred contact served before fresh ones (its record index below).
pub(super) const PRIORITY: u32 = 1 << 31;

/// One tracked contact: an attempt (or a transfer leg) of a customer.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Record {
    /// Wrap-up after this conversation (before the proficiency factor), seconds.
    pub wrap: f64,
    /// The customer's first arrival (for the end-to-end time).
    pub first_arrival: f64,
    /// The class it is (or will be) waiting in.
    pub class: u32,
    /// The customer's first attempt: its class and interval (-1: the warm-up, not counted).
    pub first_class: u32,
    pub first_interval: i32,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// 0 for an attempt; n for the n-th transfer leg.
    pub leg: u32,
    /// The agent who answers it passes it on.
    pub transfer: bool,
    /// It arrived while its channel was down (counted in the outage's figures).
    pub outage: bool,
    /// When the customer calls again if this attempt abandons (infinite: never).
    pub redial_at: f64,
    /// The delay of that redial (infinite: the customer would not call again), for a redial
    /// after a hang-up at the playbook's announcement.
    pub redial_delay: f64,
    /// Holders of the record: the contact itself and a pending redial event.
    pub refs: u8,
}

/// A later event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Event {
    /// A transferred contact (record) joins its target queue.
    Transfer(u32),
    /// The customer of a record whose attempt may have abandoned calls again.
    Redial(u32),
    OutageStart(u32),
    OutageEnd(u32),
    /// A waiting contact of a class (index) becomes visible to more groups (overflow by
    /// delay, `sim::engine::score`; the heap is shared, the realism features need not be on).
    Overflow(u32),
}

/// The realism state of one replication.
pub(super) struct Track {
    /// The model uses a realism feature: contacts are tracked.
    pub on: bool,
    pub records: Vec<Record>,
    free: Vec<u32>,
    /// Later events: (time bits, sequence, event), earliest first, ties first in, first out.
    later: BinaryHeap<Reverse<(u64, u64, Event)>>,
    /// The time of the heap's earliest event (infinite: none), kept for the event loop.
    next: f64,
    seq: u64,
    /// Per channel: wrap-up, transfer choice, transfer leg, redial choice, redial attempt and
    /// outage streams.
    pub wrap: Vec<Rng>,
    pub transfer_choice: Vec<Rng>,
    pub transfer_leg: Vec<Rng>,
    pub redial: Vec<Rng>,
    pub redial_attempt: Vec<Rng>,
    pub outage: Vec<Rng>,
    /// Per channel: the outage it is in (index into `Realism::outages`), if down.
    pub down: Vec<Option<u32>>,
}

impl Default for Track {
    fn default() -> Track {
        Track {
            on: false,
            records: Vec::new(),
            free: Vec::new(),
            later: BinaryHeap::new(),
            next: f64::INFINITY,
            seq: 0,
            wrap: Vec::new(),
            transfer_choice: Vec::new(),
            transfer_leg: Vec::new(),
            redial: Vec::new(),
            redial_attempt: Vec::new(),
            outage: Vec::new(),
            down: Vec::new(),
        }
    }
}

impl Track {
    /// Resets the state for replication `rep`; every stream is seeded whether or not it is drawn.
    pub fn prepare(&mut self, model: &Model, seed: u64, rep: u64) {
        self.on = model.realism.is_used();
        self.records.clear();
        self.free.clear();
        self.later.clear();
        self.next = f64::INFINITY;
        self.seq = 0;
        if !self.on {
            return;
        }
        let nc = model.channels.len();
        let streams = |p: Purpose| (0..nc).map(|c| stream(seed, rep, p, c)).collect::<Vec<_>>();
        self.wrap = streams(Purpose::WrapUp);
        self.transfer_choice = streams(Purpose::TransferChoice);
        self.transfer_leg = streams(Purpose::TransferLeg);
        self.redial = streams(Purpose::Redial);
        self.redial_attempt = streams(Purpose::RedialAttempt);
        self.outage = streams(Purpose::Outage);
        self.down = vec![None; nc];
    }

    /// Time of the next later event (infinite: none).
    #[inline(always)]
    pub fn next_time(&self) -> f64 {
        self.next
    }

    fn refresh(&mut self) {
        self.next = match self.later.peek() {
            Some(Reverse((t, _, _))) => f64::from_bits(*t),
            None => f64::INFINITY,
        };
    }

    pub fn push(&mut self, t: f64, e: Event) {
        self.seq += 1;
        self.later.push(Reverse((t.to_bits(), self.seq, e)));
        self.refresh();
    }

    pub fn pop(&mut self) -> Option<Event> {
        let e = self.later.pop().map(|Reverse((_, _, e))| e);
        self.refresh();
        e
    }

    /// A new record (one holder: the contact).
    pub fn alloc(&mut self, r: Record) -> u32 {
        let r = Record { refs: 1, ..r };
        match self.free.pop() {
            Some(i) => {
                self.records[i as usize] = r;
                i
            }
            None => {
                self.records.push(r);
                (self.records.len() - 1) as u32
            }
        }
    }

    /// One holder lets record `i` go; freed with the last.
    pub fn release(&mut self, i: u32) {
        let r = &mut self.records[i as usize];
        r.refs -= 1;
        if r.refs == 0 {
            self.free.push(i);
        }
    }

    #[inline]
    pub fn get(&self, tag: u32) -> &Record {
        &self.records[(tag & !PRIORITY) as usize]
    }

    #[inline]
    pub fn get_mut(&mut self, tag: u32) -> &mut Record {
        &mut self.records[(tag & !PRIORITY) as usize]
    }
}
