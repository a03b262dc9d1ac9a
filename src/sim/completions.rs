//! The pending service completions of one replication, earliest first, ties first in, first out.
//!
//! A 4-ary min-heap ordered by the completion time alone: each entry is the time's IEEE bits
//! (times are >= 0, so the bits order like the times) and, beside it, a start sequence number,
//! the agent and the class packed in one `u64` (as few bits as the model's numbers of agents
//! and classes need). After the last entry the heap keeps at least four padding entries of
//! infinite time, so that every node's four children can be compared without a test for the
//! partial last node, and the smallest chosen by conditional moves.
//!
//! The order taken is the total order (time, sequence number): sequence numbers are unique among
//! pending entries, so the agent and class bits never decide. The heap compares times only, so
//! equal times may sit in any order; but entries with the least time form a subtree that holds
//! the root (every parent's time is at most its children's), so when none of the root's children
//! has the root's time the root is the one to take, and when one has (rare in continuous time:
//! contacts started at one instant with equal handle times) [`Completions::take`] looks for the
//! earliest started among them. (Round four's heap compared 128-bit keys (time, sequence, ...)
//! at every step; comparing 64-bit times and testing ties once per removal does less work at
//! each of the three or four levels a removal walks.)
//!
//! Why not `std::collections::BinaryHeap`: removing the minimum walks down a chain of dependent
//! loads, one level at a time, and a tuple comparison is a chain of branches the processor cannot
//! predict. With four children a node the chain is half as long (log4 instead of log2); the four
//! children are compared pairwise, which the compiler turns into conditional moves. Removal is
//! "bottom-up" (Floyd): the hole left at the root goes down to a leaf along the smaller
//! children, then the last entry comes up from there, which is short because the last entry is
//! late. Sequence numbers have up to 32 bits (fewer when agents and classes need more than 32
//! bits together); when they run out the pending ones are renumbered in order (see
//! [`Completions::push`]).

/// One pending completion: its time's bits and (sequence, agent, class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    t: u64,
    low: u64,
}

/// The padding after the last entry: later than any completion, and not a valid time to take.
const PAD: Entry = Entry {
    t: f64::INFINITY.to_bits(),
    low: u64::MAX,
};

/// Padding entries kept after the last one (a node's children are `4i + 1 ..= 4i + 4`).
const SPARE: usize = 4;

/// Pending completions: entries (time bits; sequence, agent, class) in a 4-ary min-heap by time.
#[derive(Debug, Clone)]
pub struct Completions {
    /// `heap[..n]` the heap (`heap[0]` the least time; the children of `i` are
    /// `4i + 1 ..= 4i + 4`), then at least [`SPARE`] padding entries.
    heap: Vec<Entry>,
    n: usize,
    /// Sequence number of the last start.
    seq: u64,
    /// The largest sequence number (all ones in its bits).
    seq_max: u64,
    /// Bits of the class, and of the agent and class together, in `Entry::low`.
    class_bits: u32,
    agent_class_bits: u32,
    /// Masks of the class's and of the agent's bits (the agent's shifted down).
    class_mask: u64,
    agent_mask: u64,
}

impl Default for Completions {
    fn default() -> Completions {
        Completions {
            heap: vec![PAD; SPARE + 1],
            n: 0,
            seq: 0,
            seq_max: 0,
            class_bits: 0,
            agent_class_bits: 0,
            class_mask: 0,
            agent_mask: 0,
        }
    }
}

/// Bits that hold the numbers `0..n`.
fn bits_for(n: usize) -> u32 {
    usize::BITS - n.saturating_sub(1).leading_zeros()
}

/// The least of the four entries from `c` on (the first of equal ones), with its index.
#[inline(always)]
fn least_of_four(h: &[Entry], c: usize) -> (u64, usize) {
    let [a, b, x, y]: [Entry; 4] = h[c..c + 4].try_into().expect("four children");
    let (m1, j1) = if b.t < a.t { (b.t, c + 1) } else { (a.t, c) };
    let (m2, j2) = if y.t < x.t {
        (y.t, c + 3)
    } else {
        (x.t, c + 2)
    };
    if m2 < m1 {
        (m2, j2)
    } else {
        (m1, j1)
    }
}

impl Completions {
    /// Empties the structure and sizes it for `slots` contacts in service at once, of agents
    /// `0..agents` and classes `0..classes`.
    pub fn reset(&mut self, slots: usize, agents: usize, classes: usize) {
        self.heap[..self.n].fill(PAD);
        self.n = 0;
        if self.heap.len() < slots + SPARE + 1 {
            self.heap.resize(slots + SPARE + 1, PAD);
        }
        self.seq = 0;
        self.class_bits = bits_for(classes);
        self.agent_class_bits = self.class_bits + bits_for(agents);
        let mask = |bits: u32| 1u64.checked_shl(bits).map_or(u64::MAX, |x| x - 1);
        self.class_mask = mask(self.class_bits);
        self.agent_mask = mask(bits_for(agents));
        let seq_bits = 64u32.saturating_sub(self.agent_class_bits).min(32);
        self.seq_max = (1u64 << seq_bits) - 1;
        // Renumbering must leave room: at most every other sequence number pending.
        assert!(
            self.agent_class_bits <= 64 && (slots as u64) < self.seq_max / 2,
            "too many agents, classes or contacts in service for the completion keys"
        );
    }

    /// Time of the next completion, `f64::INFINITY` when none is pending (the padding).
    #[inline]
    pub fn next_time(&self) -> f64 {
        f64::from_bits(self.heap[0].t)
    }

    /// The (agent, class) of an entry.
    #[inline(always)]
    fn decode(&self, e: Entry) -> (u32, u32) {
        let agent = (e.low >> self.class_bits) & self.agent_mask;
        let class = e.low & self.class_mask;
        (agent as u32, class as u32)
    }

    /// Removes the next completion and returns its (agent, class).
    #[inline]
    pub fn take(&mut self) -> Option<(u32, u32)> {
        let n = self.n;
        if n == 0 {
            return None;
        }
        let h = &mut self.heap[..];
        let top = h[0];
        let (m, mut j) = least_of_four(h, 1);
        if m == top.t {
            return Some(self.take_tied());
        }
        let last = n - 1;
        let e = h[last];
        h[last] = PAD;
        self.n = last;
        if last > 0 {
            // The hole at the root goes down along the least children to a leaf...
            let mut i = 0;
            if 1 < last {
                if j == last {
                    j = least_of_four(h, 1).1;
                }
                h[0] = h[j];
                i = j;
                while 4 * i + 1 < last {
                    let (_, j) = least_of_four(h, 4 * i + 1);
                    h[i] = h[j];
                    i = j;
                }
            }
            // ... and the last entry comes up from there.
            sift_up(h, i, e);
        }
        Some(self.decode(top))
    }

    /// [`Completions::take`] when another pending completion has the least time: the earliest
    /// started of them (a linear pass over the pending entries), removed from its place.
    #[cold]
    #[inline(never)]
    fn take_tied(&mut self) -> (u32, u32) {
        let n = self.n;
        let t0 = self.heap[0].t;
        let (r, e) = self.heap[..n]
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, e)| e.t == t0)
            .min_by_key(|(_, e)| e.low)
            .expect("the root has the least time");
        let last = n - 1;
        let moved = self.heap[last];
        self.heap[last] = PAD;
        self.n = last;
        if r < last {
            // Its parent has the least time too, so `moved` (no earlier) only goes down.
            sift_down(&mut self.heap[..], last, r, moved);
        }
        self.decode(e)
    }

    /// Adds a completion at `time` of `agent` serving `class`; later pushes at the same time
    /// come out later.
    #[inline]
    pub fn push(&mut self, time: f64, agent: u32, class: u32) {
        if self.seq == self.seq_max {
            self.renumber();
        }
        self.seq += 1;
        debug_assert!(time.is_finite() && time >= 0.0);
        debug_assert!((agent as u64) < 1 << (self.agent_class_bits - self.class_bits));
        debug_assert!((class as u64) < 1 << self.class_bits);
        let low = (self.seq << self.agent_class_bits)
            | ((agent as u64) << self.class_bits)
            | class as u64;
        let i = self.n;
        self.n += 1;
        if self.heap.len() < self.n + SPARE {
            self.heap.resize(self.n + SPARE, PAD);
        }
        sift_up(
            &mut self.heap,
            i,
            Entry {
                t: time.to_bits(),
                low,
            },
        );
    }

    /// Removes the pending completions whose (agent, class) `drop` says, and returns them (an
    /// outage cutting off the contacts in service; rare, so a linear pass and a re-sort).
    #[cold]
    pub fn remove_where(&mut self, mut drop: impl FnMut(u32, u32) -> bool) -> Vec<(u32, u32)> {
        let mut removed = Vec::new();
        let mut kept = Vec::with_capacity(self.n);
        for &e in &self.heap[..self.n] {
            let (a, c) = self.decode(e);
            if drop(a, c) {
                removed.push((a, c));
            } else {
                kept.push(e);
            }
        }
        self.rebuild(kept);
        removed
    }

    /// Lays out `entries` as the heap: sorted entries are a heap (every parent before its
    /// children).
    fn rebuild(&mut self, mut entries: Vec<Entry>) {
        entries.sort_unstable();
        self.heap[..self.n].fill(PAD);
        self.n = entries.len();
        self.heap[..self.n].copy_from_slice(&entries);
    }

    /// Renumbers the pending entries 1, 2, ... in their start order (after 2^32 - 1 starts in
    /// one replication), keeping the order of every pending pair.
    #[cold]
    fn renumber(&mut self) {
        // Sequence numbers are unique: sorting by them alone gives the start order.
        let s = self.agent_class_bits;
        let payload = (1u64 << s) - 1;
        let mut entries = self.heap[..self.n].to_vec();
        entries.sort_unstable_by_key(|e| e.low >> s);
        for (n, e) in entries.iter_mut().enumerate() {
            e.low = (((n + 1) as u64) << s) | (e.low & payload);
        }
        self.seq = entries.len() as u64;
        self.rebuild(entries);
    }
}

/// Puts `e` at position `i` or above, moving later parents down.
#[inline(always)]
fn sift_up(h: &mut [Entry], mut i: usize, e: Entry) {
    while i > 0 {
        let p = (i - 1) / 4;
        if h[p].t <= e.t {
            break;
        }
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

/// Puts `e` at position `i` or below in the heap `h[..n]`, moving earlier children up.
fn sift_down(h: &mut [Entry], n: usize, mut i: usize, e: Entry) {
    while 4 * i + 1 < n {
        let (m, j) = least_of_four(h, 4 * i + 1);
        if m >= e.t {
            break;
        }
        h[i] = h[j];
        i = j;
    }
    h[i] = e;
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
