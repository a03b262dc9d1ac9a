//! The waiting contacts: one FIFO queue per contact class.

use std::collections::VecDeque;

use crate::model::limits::MAX_WAITING;

/// A waiting contact.
#[derive(Debug, Clone, Copy)]
pub(super) struct Waiting {
    pub(super) arrival: f64,
    pub(super) deadline: f64,
    pub(super) handle: f64,
    /// Arrival interval, -1 during the warm-up (not counted).
    pub(super) interval: i32,
    /// Its realism record ([`super::track`]), [`super::track::PLAIN`] if untracked.
    pub(super) tag: u32,
}

/// The FIFO queue of each contact class, with a bit set of the classes whose queue is not
/// empty (64 classes a word) so that a freed agent looks only at queues with someone waiting.
/// Every push and pop goes through here, which keeps the bit set true.
pub(super) struct ClassQueues {
    queues: Vec<VecDeque<Waiting>>,
    nonempty: Vec<u64>,
}

impl ClassQueues {
    pub(super) fn new(classes: usize) -> ClassQueues {
        ClassQueues {
            queues: vec![VecDeque::new(); classes],
            nonempty: vec![0; classes.div_ceil(64)],
        }
    }

    pub(super) fn len(&self) -> usize {
        self.queues.len()
    }

    /// Words of the bit set.
    pub(super) fn words(&self) -> usize {
        self.nonempty.len()
    }

    /// Word `wi` of the bit set of non-empty queues.
    #[inline]
    pub(super) fn nonempty_word(&self, wi: usize) -> u64 {
        self.nonempty[wi]
    }

    #[inline]
    pub(super) fn push(&mut self, k: usize, w: Waiting) {
        self.queues[k].push_back(w);
        self.nonempty[k / 64] |= 1 << (k % 64);
    }

    /// Puts `w` behind the waiting contacts `first` says go first (transferred contacts with
    /// priority) and before the others.
    pub(super) fn push_behind(&mut self, k: usize, w: Waiting, first: impl Fn(&Waiting) -> bool) {
        let q = &mut self.queues[k];
        let at = q.iter().position(|x| !first(x)).unwrap_or(q.len());
        q.insert(at, w);
        self.nonempty[k / 64] |= 1 << (k % 64);
    }

    /// True when class `k`'s queue is full (a push would grow it) and all queues together
    /// hold [`MAX_WAITING`] contacts or more (counted only then: [`crate::sim::guard`]).
    #[inline]
    pub(super) fn too_full(&self, k: usize) -> bool {
        let q = &self.queues[k];
        q.len() == q.capacity()
            && self.queues.iter().map(VecDeque::len).sum::<usize>() >= MAX_WAITING
    }

    /// Drops the contacts of class `k` that `keep` refuses, keeping the bit set true.
    pub(super) fn retain(&mut self, k: usize, keep: impl FnMut(&Waiting) -> bool) {
        let q = &mut self.queues[k];
        q.retain(keep);
        if q.is_empty() {
            self.nonempty[k / 64] &= !(1 << (k % 64));
        }
    }

    #[inline]
    pub(super) fn front(&self, k: usize) -> Option<Waiting> {
        self.queues[k].front().copied()
    }

    #[inline]
    pub(super) fn pop(&mut self, k: usize) -> Option<Waiting> {
        let q = &mut self.queues[k];
        let w = q.pop_front();
        if q.is_empty() {
            self.nonempty[k / 64] &= !(1 << (k % 64));
        }
        w
    }

    /// The contacts waiting in class `k`, oldest first.
    pub(super) fn iter(&self, k: usize) -> impl Iterator<Item = &Waiting> {
        self.queues[k].iter()
    }

    pub(super) fn clear(&mut self) {
        for q in &mut self.queues {
            q.clear();
        }
        self.nonempty.fill(0);
    }
}
