//! The pending service completions of one replication, earliest first, ties first in, first out.
//!
//! A 4-ary min-heap of single `u128` keys: the completion time's IEEE bits (times are >= 0, so
//! the bits order like the times) in the high half, then a start sequence number, the agent and
//! the class, packed in as few bits as the model's numbers of agents and classes need. (Before,
//! the low bits held a *slot* of a side table of (agent, class) with a free list: a load, a store
//! and two stack operations per contact that the packing saves, about 1.5% of benchmark W.)
//!
//! Why not `std::collections::BinaryHeap` of `(time bits, sequence, agent, class)` tuples, as
//! before: its `pop` was about a fifth of the engine's time on benchmark W (85 agents, so about
//! 85 pending completions). Removing the minimum walks down a chain of dependent loads, one
//! level at a time, and the tuple comparison is a chain of branches the processor cannot
//! predict. Here a key is one integer (compare and subtract-with-borrow, 16 bytes instead of
//! 24), and with four children a node the chain is half as long (log4 instead of log2); the four
//! children are compared pairwise, which the compiler turns into conditional moves, and sit in
//! one 64-byte cache line. Removal is "bottom-up" (Floyd): the hole left at the root goes down
//! to a leaf along the smaller children, then the last key comes up from there, which is short
//! because the last key is late. A winner tree over the slots was tried too: no faster here.
//!
//! The order is the same total order as before, (time, sequence number): sequence numbers are
//! unique among pending keys, so the agent and class bits never decide. Sequence numbers have up
//! to 32 bits (fewer when agents and classes need more than 32 bits together); when they run out
//! the pending ones are renumbered in order (see [`Completions::push`]).

/// Pending completions: keys (time bits; sequence, agent, class) in a 4-ary min-heap.
#[derive(Debug, Clone, Default)]
pub struct Completions {
    /// The heap: `heap[0]` is the least key; the children of `i` are `4i + 1 ..= 4i + 4`.
    heap: Vec<u128>,
    /// Sequence number of the last start.
    seq: u64,
    /// The largest sequence number (all ones in its bits).
    seq_max: u64,
    /// Bits of the class, and of the agent and class together, in the low half of a key.
    class_bits: u32,
    agent_class_bits: u32,
}

/// Bits that hold the numbers `0..n`.
fn bits_for(n: usize) -> u32 {
    usize::BITS - n.saturating_sub(1).leading_zeros()
}

impl Completions {
    /// Empties the structure and sizes it for `slots` contacts in service at once, of agents
    /// `0..agents` and classes `0..classes`.
    pub fn reset(&mut self, slots: usize, agents: usize, classes: usize) {
        self.heap.clear();
        self.heap.reserve(slots);
        self.seq = 0;
        self.class_bits = bits_for(classes);
        self.agent_class_bits = self.class_bits + bits_for(agents);
        let seq_bits = 64u32.saturating_sub(self.agent_class_bits).min(32);
        self.seq_max = (1u64 << seq_bits) - 1;
        // Renumbering must leave room: at most every other sequence number pending.
        assert!(
            self.agent_class_bits <= 64 && (slots as u64) < self.seq_max / 2,
            "too many agents, classes or contacts in service for the completion keys"
        );
    }

    /// Time of the next completion, `f64::INFINITY` when none is pending.
    #[inline]
    pub fn next_time(&self) -> f64 {
        match self.heap.first() {
            Some(k) => f64::from_bits((k >> 64) as u64),
            None => f64::INFINITY,
        }
    }

    /// Removes the next completion and returns its (agent, class).
    #[inline]
    pub fn take(&mut self) -> Option<(u32, u32)> {
        let top = *self.heap.first()?;
        let last = self.heap.pop().expect("not empty");
        let n = self.heap.len();
        if n > 0 {
            let h = &mut self.heap[..];
            // The hole at the root goes down along the least children to a leaf...
            let mut i = 0usize;
            loop {
                let c = 4 * i + 1;
                if c + 3 < n {
                    let [a, b, x, y]: [u128; 4] = h[c..c + 4].try_into().expect("four children");
                    let (m1, j1) = if b < a { (b, c + 1) } else { (a, c) };
                    let (m2, j2) = if y < x { (y, c + 3) } else { (x, c + 2) };
                    let (m, j) = if m2 < m1 { (m2, j2) } else { (m1, j1) };
                    h[i] = m;
                    i = j;
                } else {
                    if c < n {
                        let mut j = c;
                        for t in c + 1..n {
                            if h[t] < h[j] {
                                j = t;
                            }
                        }
                        h[i] = h[j];
                        i = j;
                    }
                    break;
                }
            }
            // ... and the last key comes up from there.
            sift_up(h, i, last);
        }
        let low = top as u64;
        let agent = (low & ((1u64 << self.agent_class_bits) - 1)) >> self.class_bits;
        let class = low & ((1u64 << self.class_bits) - 1);
        Some((agent as u32, class as u32))
    }

    /// Adds a completion at `time` of `agent` serving `class`; later pushes at the same time
    /// come out later.
    #[inline]
    pub fn push(&mut self, time: f64, agent: u32, class: u32) {
        if self.seq == self.seq_max {
            self.renumber();
        }
        self.seq += 1;
        debug_assert!((agent as u64) < 1 << (self.agent_class_bits - self.class_bits));
        debug_assert!((class as u64) < 1 << self.class_bits);
        let low = (self.seq << self.agent_class_bits)
            | ((agent as u64) << self.class_bits)
            | class as u64;
        let key = ((time.to_bits() as u128) << 64) | low as u128;
        let i = self.heap.len();
        self.heap.push(key);
        sift_up(&mut self.heap, i, key);
    }

    /// Removes the pending completions whose (agent, class) `drop` says, and returns them (an
    /// outage cutting off the contacts in service; rare, so a linear pass and a re-sort).
    #[cold]
    pub fn remove_where(&mut self, mut drop: impl FnMut(u32, u32) -> bool) -> Vec<(u32, u32)> {
        let (ac, cb) = (self.agent_class_bits, self.class_bits);
        let decode = |k: u128| {
            let low = k as u64;
            (
                ((low & ((1u64 << ac) - 1)) >> cb) as u32,
                (low & ((1u64 << cb) - 1)) as u32,
            )
        };
        let mut removed = Vec::new();
        self.heap.retain(|&k| {
            let (a, c) = decode(k);
            let gone = drop(a, c);
            if gone {
                removed.push((a, c));
            }
            !gone
        });
        // Sorted keys are a heap (every parent before its children).
        self.heap.sort_unstable();
        removed
    }

    /// Renumbers the pending keys 1, 2, ... in their order (after 2^32 - 1 starts in one
    /// replication), keeping the order of every pending pair.
    #[cold]
    fn renumber(&mut self) {
        // Sequence numbers are unique: sorting by them alone gives the start order.
        let s = self.agent_class_bits;
        let payload = (1u128 << s) - 1;
        self.heap.sort_unstable_by_key(|k| (*k as u64) >> s);
        for (n, k) in self.heap.iter_mut().enumerate() {
            *k = (*k >> 64 << 64) | (((n + 1) as u128) << s) | (*k & payload);
        }
        self.seq = self.heap.len() as u64;
        // Sorted by sequence is not a heap by time: rebuild it.
        let keys = std::mem::take(&mut self.heap);
        for k in keys {
            let i = self.heap.len();
            self.heap.push(k);
            sift_up(&mut self.heap, i, k);
        }
    }
}

/// Puts `key` at position `i` or above, moving greater parents down.
#[inline]
fn sift_up(h: &mut [u128], mut i: usize, key: u128) {
    while i > 0 {
        let p = (i - 1) / 4;
        if h[p] <= key {
            break;
        }
        h[i] = h[p];
        i = p;
    }
    h[i] = key;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    /// A small deterministic generator for the test.
    fn lcg(s: &mut u64) -> u64 {
        *s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *s >> 33
    }

    #[test]
    fn same_order_as_tuples_with_ties() {
        // Random pushes (many equal times) and takes, checked against (time, sequence) tuples.
        let mut c = Completions::default();
        c.reset(37, 1000, 20_000);
        let mut heap = BinaryHeap::new();
        let mut seq = 0u64;
        let mut s = 7u64;
        let mut now = 0.0f64;
        let mut live = 0;
        for step in 0..20_000 {
            let push = live < 37 && (live == 0 || !lcg(&mut s).is_multiple_of(3));
            if push {
                let t = now + (lcg(&mut s) % 5) as f64;
                let agent = (lcg(&mut s) % 1000) as u32;
                seq += 1;
                heap.push(Reverse((t.to_bits(), seq, agent, step as u32)));
                c.push(t, agent, step as u32);
                live += 1;
            } else {
                assert_eq!(c.next_time().to_bits(), {
                    let Reverse((b, ..)) = heap.peek().unwrap();
                    *b
                });
                let Reverse((b, _, agent, class)) = heap.pop().unwrap();
                now = f64::from_bits(b);
                assert_eq!(c.take(), Some((agent, class)));
                live -= 1;
                // Half the time the agent takes another contact at once.
                if live < 37 && lcg(&mut s).is_multiple_of(2) {
                    let t = now + 1.0;
                    seq += 1;
                    heap.push(Reverse((t.to_bits(), seq, 1, 1)));
                    c.push(t, 1, 1);
                    live += 1;
                }
            }
        }
        assert_eq!(c.next_time() == f64::INFINITY, heap.is_empty());
    }

    #[test]
    fn renumbering_keeps_the_order() {
        // Sequence numbers run out in the middle: the order (time, start order) is kept.
        let mut c = Completions::default();
        c.reset(20, 20, 1);
        c.seq = c.seq_max - 5;
        let mut expect = Vec::new();
        for i in 0..20u32 {
            let t = (i % 4) as f64;
            c.push(t, i, 0);
            expect.push((t.to_bits(), i));
        }
        expect.sort();
        for (_, i) in expect {
            assert_eq!(c.take(), Some((i, 0)));
        }
        assert_eq!(c.take(), None);
    }

    #[test]
    fn renumbering_with_wide_agents_and_classes() {
        // 20 + 20 bits of agent and class leave 24 bits of sequence number.
        let mut c = Completions::default();
        c.reset(20, 1 << 20, 1 << 20);
        assert_eq!(c.seq_max, (1 << 24) - 1);
        c.seq = c.seq_max - 5;
        let mut expect = Vec::new();
        for i in 0..20u32 {
            let t = (i % 4) as f64;
            let (agent, class) = ((1 << 20) - 1 - i, (1 << 20) - 1 - 2 * i);
            c.push(t, agent, class);
            expect.push((t.to_bits(), i, agent, class));
        }
        expect.sort();
        for (_, _, agent, class) in expect {
            assert_eq!(c.take(), Some((agent, class)));
        }
        assert_eq!(c.take(), None);
    }
}
