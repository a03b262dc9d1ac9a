//! The event loop of one replication: exact discrete-event simulation in continuous time.
//!
//! Events are arrivals (one pending per channel), service completions (keyed by (time, sequence
//! number), so simultaneous completions are handled first in, first out: see
//! [`crate::sim::completions`]) and
//! interval boundaries (staffing changes, closing). At equal times a boundary goes first, then
//! completions, then arrivals.
//!
//! - **Arrival**: the contact's type, segment, base handle time and patience are drawn at once,
//!   each from its channel's own stream, so routing and staffing never shift a random draw. It
//!   goes to an eligible agent with room (see [`crate::sim::routing`]) or joins its class's FIFO queue.
//! - **Abandonment** is exact but lazy: a waiting contact carries its deadline (arrival +
//!   patience), and is counted as abandoned at that deadline when it reaches the head of its
//!   queue after it (or at closing or at the end). Nothing else observes a waiting contact, so
//!   this gives the same outcomes as scheduling an abandonment event, without the events.
//! - **Completion**: the agent frees the contact's load units and, unless leaving, takes the
//!   best waiting contact(s) it has room for, as the strategy ranks them.
//! - **Boundary**: headcounts change. Joining agents first recall agents still finishing a
//!   contact before leaving; leaving agents are the most recently idle first, then busy agents,
//!   who finish the contact in hand and take no new one.
//! - **Busy time**: each group's load (in load units) is integrated over time (a `Level`, as its
//!   agents on duty are for the staffed time), accrued before every change of it and at every
//!   boundary, so it is split at the boundaries and counted in opening hours only. (It used to be added per contact at its start, split by a search over
//!   the interval starts: about 9% of benchmark W's time, against a multiply-add per change.)
//! - **Closing** (see [`Closing`]): arrivals stop. `drain`: agents on duty in the last interval
//!   serve the queue until it is empty; `cut`: contacts still waiting are dropped and counted
//!   `unresolved`. In both cases the contacts waiting at closing are counted.
//!
//! - **Surge playbook** (optional, [`crate::sim::playbook`]): small hooks at arrivals (trigger count,
//!   diversion, wait announcement), boundaries (trigger), a reserve-join event, freed agents
//!   (callbacks when no regular contact waits) and the end; all inert without a playbook.
//!
//! The state is allocated once per worker thread and reused: no allocation per event.

use std::collections::VecDeque;

use crate::model::dist::pick;
use crate::model::limits::MAX_WAITING;
use crate::model::playbook::Choice;
use crate::model::{Closing, Model};
use crate::sim::arrivals::{Cursor, RateProfile};
use crate::sim::completions::Completions;
use crate::sim::guard;
use crate::sim::playbook::{self, Callback};
use crate::sim::rng::{stream, Purpose, Rng};
use crate::sim::routing::{Head, Router, Strategy};
use crate::stats::{Layout, RepStats, Thresholds};

use rand::Rng as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Duty {
    Off,
    On,
    /// Finishing the contacts in hand, then off.
    Leaving,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Not in an availability list (off, leaving, or at capacity).
    None,
    Idle,
    Partial,
}

#[derive(Debug, Clone, Copy)]
struct Agent {
    group: u32,
    load: u32,
    duty: Duty,
    place: Place,
    /// Index in the group's partial list when `place == Partial`.
    slot: u32,
    /// When the agent's load last went down (or it came on duty): "idle since".
    since: f64,
}

#[derive(Debug, Clone, Default)]
struct GroupState {
    /// Fully idle agents, longest idle at the front.
    idle: VecDeque<u32>,
    /// Agents with some load and some room.
    partial: Vec<u32>,
    /// Off-duty agents (stack).
    off: Vec<u32>,
    /// On duty and not leaving.
    active: u32,
    /// Agents on duty, leaving ones included (their integral is the staffed time).
    on_duty: Level,
    /// Load units of the group's agents together (their integral is the busy time).
    load: Level,
    first: u32,
    count: u32,
}

/// A count that changes at events (a group's agents on duty, its load units) and its integral
/// over time, filed by interval: before every change, and at every boundary, the count times the
/// seconds since it last changed is added to the open interval's total. So a segment never
/// straddles a boundary, and nothing is counted outside opening hours.
#[derive(Debug, Clone, Copy, Default)]
struct Level {
    n: u32,
    /// When `n` last changed (or the last boundary): the start of the segment being accrued.
    since: f64,
}

impl Level {
    /// Adds `delta` to the count at `now`, first adding the segment since the last change to
    /// `total`, the open interval's entry (`None` outside opening hours).
    #[inline(always)]
    fn add(&mut self, delta: i32, now: f64, total: Option<&mut f64>) {
        if let Some(t) = total {
            *t += self.n as f64 * (now - self.since);
        }
        self.n = self.n.wrapping_add_signed(delta);
        self.since = now;
    }
}

/// A waiting contact.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    arrival: f64,
    deadline: f64,
    handle: f64,
    /// Arrival interval, -1 during the warm-up (not counted).
    interval: i32,
}

/// The FIFO queue of each contact class, with a bit set of the classes whose queue is not
/// empty (64 classes a word) so that a freed agent looks only at queues with someone waiting.
/// Every push and pop goes through here, which keeps the bit set true.
struct ClassQueues {
    queues: Vec<VecDeque<Waiting>>,
    nonempty: Vec<u64>,
}

impl ClassQueues {
    fn new(classes: usize) -> ClassQueues {
        ClassQueues {
            queues: vec![VecDeque::new(); classes],
            nonempty: vec![0; classes.div_ceil(64)],
        }
    }

    fn len(&self) -> usize {
        self.queues.len()
    }

    /// Words of the bit set.
    fn words(&self) -> usize {
        self.nonempty.len()
    }

    /// Word `wi` of the bit set of non-empty queues.
    #[inline]
    fn nonempty_word(&self, wi: usize) -> u64 {
        self.nonempty[wi]
    }

    #[inline]
    fn push(&mut self, k: usize, w: Waiting) {
        self.queues[k].push_back(w);
        self.nonempty[k / 64] |= 1 << (k % 64);
    }

    /// True when class `k`'s queue is full (a push would grow it) and all queues together
    /// hold [`MAX_WAITING`] contacts or more (counted only then: [`crate::sim::guard`]).
    #[inline]
    fn too_full(&self, k: usize) -> bool {
        let q = &self.queues[k];
        q.len() == q.capacity()
            && self.queues.iter().map(VecDeque::len).sum::<usize>() >= MAX_WAITING
    }

    /// Drops the contacts of class `k` that `keep` refuses, keeping the bit set true.
    fn retain(&mut self, k: usize, keep: impl FnMut(&Waiting) -> bool) {
        let q = &mut self.queues[k];
        q.retain(keep);
        if q.is_empty() {
            self.nonempty[k / 64] &= !(1 << (k % 64));
        }
    }

    #[inline]
    fn front(&self, k: usize) -> Option<Waiting> {
        self.queues[k].front().copied()
    }

    #[inline]
    fn pop(&mut self, k: usize) -> Option<Waiting> {
        let q = &mut self.queues[k];
        let w = q.pop_front();
        if q.is_empty() {
            self.nonempty[k / 64] &= !(1 << (k % 64));
        }
        w
    }

    /// The contacts waiting in class `k`, oldest first.
    fn iter(&self, k: usize) -> impl Iterator<Item = &Waiting> {
        self.queues[k].iter()
    }

    fn clear(&mut self) {
        for q in &mut self.queues {
            q.clear();
        }
        self.nonempty.fill(0);
    }
}

/// A waiting contact's rank for a freed agent ([`Strategy::contact_rank`]): lowest first.
type Rank = (u32, f64);

/// Per-class constants the loop needs.
#[derive(Debug, Clone, Copy)]
struct ClassInfo {
    channel: u32,
    priority: bool,
    hard: usize,
    cells: [u32; 2],
    /// The class's (channel, interval 0) cell: add the interval for the third cell.
    interval_cell: u32,
    thresholds: Thresholds,
}

impl ClassInfo {
    /// The statistics cells of a contact of this class arriving in `interval` (its
    /// channel-segment, channel-type and channel-interval cells), none for a warm-up arrival
    /// (-1), which is not counted. Every count of a contact goes through here. (Worked out where
    /// needed rather than carried through an arrival: carried, it cost D 1.3% more instructions.)
    #[inline]
    fn counted_cells(&self, interval: i32) -> Option<[u32; 3]> {
        (interval >= 0).then(|| {
            [
                self.cells[0],
                self.cells[1],
                self.interval_cell + interval as u32,
            ]
        })
    }
}

/// One worker's simulation state, reusable across replications and across models with the
/// same structure (channels, classes, groups), such as staffing or routing variants.
pub struct Engine {
    layout: Layout,
    stats: RepStats,
    classes: Vec<ClassInfo>,
    profiles: Vec<RateProfile>,
    cursors: Vec<Cursor>,
    next_arrival: Vec<f64>,
    arrival_rng: Vec<Rng>,
    attr_rng: Vec<Rng>,
    handle_rng: Vec<Rng>,
    patience_rng: Vec<Rng>,
    /// Cumulative type and segment shares per channel.
    type_cum: Vec<Vec<f64>>,
    seg_cum: Vec<Vec<f64>>,
    /// Per channel: the class of each (local type, local segment), row-major.
    class_of: Vec<Vec<u32>>,
    /// Load units a contact of channel `c` takes at an agent of group `g`: `units[g * nc + c]`.
    units: Vec<u32>,
    /// The interval whose busy and staffed time is being accumulated, if opening hours have
    /// begun and not ended (set at each boundary).
    open_interval: Option<usize>,
    agents: Vec<Agent>,
    groups: Vec<GroupState>,
    queues: ClassQueues,
    /// Bit set of the classes each group serves: `group_classes[g * words + w]`.
    group_classes: Vec<u64>,
    /// Per (group, class) the group serves: its level and its position in the group's list
    /// (`Group::classes`), which breaks ties between equally ranked heads as the list order did.
    group_class: Vec<(u8, u32)>,
    /// Per group serving one class only: that class, the group's level in it and the load units
    /// its contacts take (the shortcut of [`Engine::serve_queues`]).
    single_class: Vec<Option<(usize, u8, u32)>>,
    completions: Completions,
    router: Router,
    now: f64,
    /// Surge-playbook state; inert (`pb.on == false`) without a playbook.
    pb: playbook::State,
}

impl Engine {
    pub fn new(model: &Model) -> Engine {
        let layout = Layout::new(model);
        let stats = RepStats::new(&layout);
        let nc = model.channels.len();
        let placeholder = stream(0, 0, Purpose::Arrivals, 0);
        Engine {
            stats,
            classes: Vec::new(),
            profiles: Vec::new(),
            cursors: Vec::new(),
            next_arrival: vec![f64::INFINITY; nc],
            arrival_rng: vec![placeholder.clone(); nc],
            attr_rng: vec![placeholder.clone(); nc],
            handle_rng: vec![placeholder.clone(); nc],
            patience_rng: vec![placeholder; nc],
            type_cum: Vec::new(),
            seg_cum: Vec::new(),
            class_of: Vec::new(),
            units: Vec::new(),
            open_interval: None,
            agents: Vec::new(),
            groups: vec![GroupState::default(); model.groups.len()],
            queues: ClassQueues::new(model.classes.len()),
            group_classes: Vec::new(),
            group_class: Vec::new(),
            single_class: Vec::new(),
            completions: Completions::default(),
            router: Router::for_model(model),
            now: 0.0,
            pb: playbook::State::new(model),
            layout,
        }
    }

    /// The layout of the statistics this engine produces.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Runs replication `rep` of `model` with `seed`; returns its counters.
    pub fn run(&mut self, model: &Model, seed: u64, rep: u64) -> &RepStats {
        self.prepare(model, seed, rep);
        let n = model.n_intervals;
        // Boundary k happens at the start of interval k (k = 0 ends the warm-up; k = n closes).
        let mut next_boundary = 0usize;
        let mut boundary_t = model.interval_start(0);
        // Earliest pending arrival and its channel, found again only after an arrival (nothing
        // else changes an arrival time).
        let (mut ta, mut ca) = (f64::INFINITY, usize::MAX);
        let mut rescan = true;
        loop {
            if rescan {
                // Few channels: a linear scan.
                (ta, ca) = (f64::INFINITY, usize::MAX);
                for (c, t) in self.next_arrival.iter().enumerate() {
                    if *t < ta {
                        ta = *t;
                        ca = c;
                    }
                }
                rescan = false;
            }
            let tc = self.completions.next_time();
            // Surge playbook: reserve agents join (after a boundary at the same time, before
            // completions and arrivals). `join_at` is infinite unless a join is pending.
            if self.pb.join_at < boundary_t && self.pb.join_at <= ta && self.pb.join_at <= tc {
                self.now = self.pb.join_at;
                self.join_reserves(model);
                continue;
            }
            if next_boundary <= n && boundary_t <= ta && boundary_t <= tc {
                self.now = boundary_t;
                self.boundary(model, next_boundary);
                next_boundary += 1;
                boundary_t = if next_boundary <= n {
                    model.interval_start(next_boundary)
                } else {
                    f64::INFINITY
                };
                continue;
            }
            if tc <= ta {
                if tc == f64::INFINITY {
                    break;
                }
                let Some((agent, class)) = self.completions.take() else {
                    break;
                };
                self.now = tc;
                self.complete(model, agent as usize, class as usize);
            } else {
                self.now = ta;
                self.arrive(model, ca);
                rescan = true;
            }
        }
        self.finish(model);
        &self.stats
    }

    fn prepare(&mut self, model: &Model, seed: u64, rep: u64) {
        assert_eq!(
            self.queues.len(),
            model.classes.len(),
            "engine built for a model of another structure"
        );
        self.router = Router::for_model(model);
        self.pb.prepare(model, seed, rep);
        self.stats.reset();
        self.now = 0.0;
        self.queues.clear();
        let nk = model.classes.len();
        let words = self.queues.words();
        self.group_classes.clear();
        self.group_classes.resize(model.groups.len() * words, 0);
        self.group_class.clear();
        self.group_class
            .resize(model.groups.len() * nk, (0, u32::MAX));
        for (g, gr) in model.groups.iter().enumerate() {
            for (pos, &(k, level)) in gr.classes.iter().enumerate() {
                self.group_classes[g * words + k / 64] |= 1 << (k % 64);
                self.group_class[g * nk + k] = (level, pos as u32);
            }
        }
        let sl = &model.sl;
        let nc = model.channels.len();
        self.single_class.clear();
        self.single_class
            .extend(model.groups.iter().map(|gr| match gr.classes[..] {
                [(k, level)] => Some((k, level, gr.units[model.classes[k].channel])),
                _ => None,
            }));
        self.classes.clear();
        for (k, cl) in model.classes.iter().enumerate() {
            let seg_goal = model.segments[cl.segment]
                .goal
                .map(|g| g.threshold_s)
                .unwrap_or(-1.0);
            self.classes.push(ClassInfo {
                channel: cl.channel as u32,
                priority: model.routing.priority[cl.segment],
                hard: cl.hard as usize,
                cells: self.layout.class_cells[k],
                interval_cell: self.layout.interval_base
                    + cl.channel as u32 * model.n_intervals as u32,
                thresholds: Thresholds {
                    goal_s: model.channels[cl.channel].goal.threshold_s,
                    segment_goal_s: seg_goal,
                    long_wait_s: sl.long_wait_s,
                    short_abandon_s: sl.short_abandon_s,
                },
            });
        }
        self.open_interval = None;
        self.units.clear();
        for gr in &model.groups {
            self.units.extend_from_slice(&gr.units);
        }
        debug_assert_eq!(self.units.len(), model.groups.len() * nc);
        // Channels: rate profiles and random streams.
        self.profiles.clear();
        self.class_of.clear();
        self.cursors.clear();
        self.type_cum.clear();
        self.seg_cum.clear();
        for (c, ch) in model.channels.iter().enumerate() {
            self.profiles.push(RateProfile::for_channel(model, c));
            self.cursors.push(self.profiles[c].start());
            self.arrival_rng[c] = stream(seed, rep, Purpose::Arrivals, c);
            self.attr_rng[c] = stream(seed, rep, Purpose::Attributes, c);
            self.handle_rng[c] = stream(seed, rep, Purpose::HandleTime, c);
            self.patience_rng[c] = stream(seed, rep, Purpose::Patience, c);
            let mut acc = 0.0;
            let mut tc: Vec<f64> = ch
                .types
                .iter()
                .map(|t| {
                    acc += t.share;
                    acc
                })
                .collect();
            *tc.last_mut().expect("validated: at least one type") = f64::INFINITY;
            self.type_cum.push(tc);
            let mut acc = 0.0;
            let mut sc: Vec<f64> = ch
                .segments
                .iter()
                .map(|s| {
                    acc += s.share;
                    acc
                })
                .collect();
            *sc.last_mut().expect("validated: at least one segment") = f64::INFINITY;
            self.seg_cum.push(sc);
            self.class_of.push(
                ch.class_of
                    .iter()
                    .flat_map(|row| row.iter().map(|&k| k as u32))
                    .collect(),
            );
            self.next_arrival[c] =
                self.profiles[c].next(&mut self.cursors[c], &mut self.arrival_rng[c]);
        }
        // Agents: a pool per group as large as its largest headcount.
        self.agents.clear();
        let mut slots = 0usize;
        for (g, gr) in model.groups.iter().enumerate() {
            let count = model.max_headcount(g);
            let first = self.agents.len() as u32;
            let st = &mut self.groups[g];
            st.idle.clear();
            st.partial.clear();
            st.off.clear();
            st.first = first;
            st.count = count;
            st.active = 0;
            st.on_duty = Level::default();
            st.load = Level::default();
            for i in (0..count).rev() {
                st.off.push(first + i);
            }
            for _ in 0..count {
                self.agents.push(Agent {
                    group: g as u32,
                    load: 0,
                    duty: Duty::Off,
                    place: Place::None,
                    slot: 0,
                    since: 0.0,
                });
            }
            // The most contacts one of its agents can hold at once.
            let least = gr.units.iter().copied().filter(|&u| u > 0).min();
            slots += count as usize * least.map_or(0, |u| (model.capacity / u) as usize);
        }
        self.completions
            .reset(slots, self.agents.len(), model.classes.len());
        for g in 0..model.groups.len() {
            let target = model.groups[g].headcount[0];
            self.set_headcount(model, g, target);
        }
    }

    /// Counts contact `w` of class `k` as abandoned at its deadline (warm-up contacts are not
    /// counted).
    #[inline]
    fn count_abandoned(&mut self, k: usize, w: &Waiting) {
        let ci = &self.classes[k];
        if let Some(cells) = ci.counted_cells(w.interval) {
            self.stats
                .abandoned(cells, w.deadline - w.arrival, &ci.thresholds);
        }
    }

    fn arrive(&mut self, model: &Model, c: usize) {
        let now = self.now;
        let piece = self.cursors[c].piece();
        let interval = piece as i32 - if model.warmup_s > 0.0 { 1 } else { 0 };
        let ch = &model.channels[c];
        let ti = if ch.types.len() > 1 {
            pick(&self.type_cum[c], self.attr_rng[c].random::<f64>())
        } else {
            0
        };
        let si = if ch.segments.len() > 1 {
            pick(&self.seg_cum[c], self.attr_rng[c].random::<f64>())
        } else {
            0
        };
        let seg = &ch.segments[si];
        let handle = ch.types[ti].handle.sample(&mut self.handle_rng[c]) * seg.handle_factor;
        let patience = seg.patience.sample(&mut self.patience_rng[c]);
        let k = self.class_of[c][ti * ch.segments.len() + si] as usize;
        self.next_arrival[c] =
            self.profiles[c].next(&mut self.cursors[c], &mut self.arrival_rng[c]);
        if let Some(cells) = self.classes[k].counted_cells(interval) {
            self.stats.offered(cells);
        }
        if self.pb.on && self.playbook_divert(model, c, k, interval) {
            return;
        }
        let w = Waiting {
            arrival: now,
            deadline: now + patience,
            handle,
            interval,
        };
        match self.find_agent(model, k) {
            Some((a, level)) => {
                self.detach(a);
                self.start(model, a, k, level, w);
                self.attach(model, a);
            }
            None => {
                if self.pb.active && self.playbook_announce(model, k, &w) {
                    return;
                }
                if self.queues.too_full(k) {
                    self.queue_guard(model, c, interval);
                }
                self.queues.push(k, w);
            }
        }
    }

    /// The memory guard ([`crate::sim::guard`]), when the queues hold [`MAX_WAITING`] contacts
    /// and one must grow: the contacts whose patience ran out are counted as abandoned now
    /// (rather than when they reach the head) and dropped; if that leaves too many, the run
    /// stops.
    #[cold]
    #[inline(never)]
    fn queue_guard(&mut self, model: &Model, c: usize, interval: i32) {
        let now = self.now;
        for k in 0..self.queues.len() {
            let (ci, stats) = (self.classes[k], &mut self.stats);
            self.queues.retain(k, |w| {
                if w.deadline > now {
                    return true;
                }
                if let Some(cells) = ci.counted_cells(w.interval) {
                    stats.abandoned(cells, w.deadline - w.arrival, &ci.thresholds);
                }
                false
            });
        }
        let waiting: usize = (0..self.queues.len())
            .map(|k| self.queues.iter(k).count())
            .sum();
        if waiting >= MAX_WAITING {
            overflow(model, c, interval, "queue");
        }
    }

    /// The agent a new contact of class `k` goes to, with its level, if any has room.
    #[inline]
    fn find_agent(&self, model: &Model, k: usize) -> Option<(usize, u8)> {
        let prof_first = self.router.proficiency_first();
        let chan = self.classes[k].channel as usize;
        let cap = model.capacity;
        let eligible = &model.classes[k].eligible;
        // One group: its longest-idle agent, without comparing idle times.
        if let [(g, level)] = eligible[..] {
            let st = &self.groups[g];
            if let Some(&a) = st.idle.front() {
                return Some((a as usize, level));
            }
            if st.partial.is_empty() {
                return None;
            }
        }
        // Best so far: (agent, level, load, since).
        let mut best: Option<(usize, u8, u32, f64)> = None;
        for &(g, level) in eligible {
            if prof_first {
                if let Some(b) = best {
                    if level < b.1 {
                        break;
                    }
                }
            }
            let st = &self.groups[g];
            let cand = if let Some(&a) = st.idle.front() {
                Some((a as usize, 0u32, self.agents[a as usize].since))
            } else {
                let units = self.units[g * model.channels.len() + chan];
                let mut c: Option<(usize, u32, f64)> = None;
                for &a in &st.partial {
                    let ag = &self.agents[a as usize];
                    if ag.load + units <= cap
                        && c.is_none_or(|(_, l, s)| (ag.load, ag.since) < (l, s))
                    {
                        c = Some((a as usize, ag.load, ag.since));
                    }
                }
                c
            };
            if let Some((a, load, since)) = cand {
                if best.is_none_or(|(_, _, bl, bs)| (load, since) < (bl, bs)) {
                    best = Some((a, level, load, since));
                }
            }
        }
        best.map(|(a, l, _, _)| (a, l))
    }

    /// Removes an agent from its availability list (it is about to take a contact).
    #[inline(always)]
    fn detach(&mut self, a: usize) {
        let g = self.agents[a].group as usize;
        match self.agents[a].place {
            Place::None => {}
            Place::Idle => {
                let front = self.groups[g].idle.pop_front();
                debug_assert_eq!(
                    front,
                    Some(a as u32),
                    "only the longest-idle agent is ever picked"
                );
            }
            Place::Partial => {
                let st = &mut self.groups[g];
                let i = self.agents[a].slot as usize;
                st.partial.swap_remove(i);
                if let Some(&moved) = st.partial.get(i) {
                    self.agents[moved as usize].slot = i as u32;
                }
            }
        }
        self.agents[a].place = Place::None;
    }

    /// Puts an on-duty agent in the availability list its load calls for.
    #[inline(always)]
    fn attach(&mut self, model: &Model, a: usize) {
        debug_assert_eq!(self.agents[a].place, Place::None);
        let ag = self.agents[a];
        if ag.duty != Duty::On {
            return;
        }
        let st = &mut self.groups[ag.group as usize];
        if ag.load == 0 {
            st.idle.push_back(a as u32);
            self.agents[a].place = Place::Idle;
        } else if ag.load < model.capacity {
            self.agents[a].slot = st.partial.len() as u32;
            st.partial.push(a as u32);
            self.agents[a].place = Place::Partial;
        }
    }

    /// Agent `a` (detached) starts serving contact `w` of class `k`.
    #[inline]
    fn start(&mut self, model: &Model, a: usize, k: usize, level: u8, w: Waiting) {
        let now = self.now;
        let ci = &self.classes[k];
        let g = self.agents[a].group as usize;
        let units = self.units[g * model.channels.len() + ci.channel as usize];
        self.agents[a].load += units;
        let handle = w.handle * model.proficiency[ci.hard][level as usize - 1];
        self.completions.push(now + handle, a as u32, k as u32);
        self.change_load(model, g, units as i32);
        let ci = &self.classes[k];
        if let Some(cells) = ci.counted_cells(w.interval) {
            self.stats.answered(cells, now - w.arrival, &ci.thresholds);
        }
    }

    fn complete(&mut self, model: &Model, a: usize, k: usize) {
        let now = self.now;
        let chan = self.classes[k].channel as usize;
        let g = self.agents[a].group as usize;
        self.detach(a);
        let units = self.units[g * model.channels.len() + chan];
        self.change_load(model, g, -(units as i32));
        let ag = &mut self.agents[a];
        ag.load -= units;
        ag.since = now;
        match ag.duty {
            Duty::On => {
                self.serve_queues(model, a);
                self.attach(model, a);
            }
            Duty::Leaving => {
                if ag.load == 0 {
                    ag.duty = Duty::Off;
                    self.change_on_duty(model, g, -1);
                    self.groups[g].off.push(a as u32);
                }
            }
            Duty::Off => unreachable!("an off-duty agent has no contact"),
        }
    }

    /// The contact at the head of class `k`'s queue, after counting as abandoned (at their
    /// deadlines) the contacts ahead whose patience ran out before now.
    #[inline(always)]
    fn live_head(&mut self, k: usize) -> Option<Waiting> {
        loop {
            match self.queues.front(k) {
                Some(w) if w.deadline <= self.now => {
                    self.queues.pop(k);
                    self.count_abandoned(k, &w);
                }
                head => return head,
            }
        }
    }

    /// A detached, on-duty agent takes waiting contacts while it has room.
    fn serve_queues(&mut self, model: &Model, a: usize) {
        let g = self.agents[a].group as usize;
        let single = self.single_class[g];
        loop {
            let room = model.capacity - self.agents[a].load;
            if room == 0 {
                return;
            }
            let pick = match single {
                // Its head, if any and if the agent has room for it: no heads to rank.
                Some((k, level, units)) => {
                    (units <= room && self.live_head(k).is_some()).then_some((k, level))
                }
                None => self.best_head(model, g, room),
            };
            let Some((k, level)) = pick else {
                // Surge playbook: no regular contact waits; make a callback if one is due.
                if self.pb.pending > 0 && self.take_callback(model, a) {
                    continue;
                }
                return;
            };
            let w = self.queues.pop(k).expect("head seen above");
            self.start(model, a, k, level, w);
        }
    }

    /// The class, and the level, of the waiting contact the strategy ranks first for an agent of
    /// group `g` with `room` load units free, among the heads of the group's queues.
    fn best_head(&mut self, model: &Model, g: usize, room: u32) -> Option<(usize, u8)> {
        let nc = model.channels.len();
        let nk = self.queues.len();
        let words = self.queues.words();
        // Best head so far: (class, level, (rank, position in the group's list)). The lowest
        // (rank, position) is the first lowest rank in list order, as a scan of the list finds.
        let mut best: Option<(usize, u8, (Rank, u32))> = None;
        // The group's classes with someone waiting.
        for wi in 0..words {
            let mut bits = self.group_classes[g * words + wi] & self.queues.nonempty_word(wi);
            while bits != 0 {
                let k = wi * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if self.units[g * nc + self.classes[k].channel as usize] > room {
                    continue;
                }
                let Some(w) = self.live_head(k) else { continue };
                let (level, pos) = self.group_class[g * nk + k];
                let rank = self.router.contact_rank(
                    &Head {
                        arrival: w.arrival,
                        level,
                        priority: self.classes[k].priority,
                    },
                    self.now,
                );
                if best.is_none_or(|(_, _, r)| (rank, pos) < r) {
                    best = Some((k, level, (rank, pos)));
                }
            }
        }
        best.map(|(k, level, _)| (k, level))
    }

    /// Adds `delta` to group `g`'s agents on duty, accruing its staffed time first.
    fn change_on_duty(&mut self, model: &Model, g: usize, delta: i32) {
        let total = self
            .open_interval
            .map(|i| &mut self.stats.staffed[g * model.n_intervals + i]);
        self.groups[g].on_duty.add(delta, self.now, total);
    }

    /// Adds `delta` to group `g`'s load units, accruing its busy time (load units x seconds;
    /// they become agents at the end, [`Engine::finish`]) first.
    #[inline(always)]
    fn change_load(&mut self, model: &Model, g: usize, delta: i32) {
        let total = self
            .open_interval
            .map(|i| &mut self.stats.busy[g * model.n_intervals + i]);
        self.groups[g].load.add(delta, self.now, total);
    }

    /// Brings group `g` to `target` active agents.
    fn set_headcount(&mut self, model: &Model, g: usize, target: u32) {
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

    fn boundary(&mut self, model: &Model, k: usize) {
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
            // Playbook reserves (groups after the regular ones) stay until closing once joined.
            for g in 0..model.regular_groups() {
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
    fn finish(&mut self, model: &Model) {
        // Busy load units to agents.
        let per_agent = 1.0 / model.capacity as f64;
        for b in &mut self.stats.busy {
            *b *= per_agent;
        }
        for k in 0..self.queues.len() {
            while let Some(w) = self.queues.pop(k) {
                if w.deadline.is_finite() {
                    self.count_abandoned(k, &w);
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
    }

    // ----- Surge playbook hooks (rules in `crate::sim::playbook`). Called only when the model has
    // an enabled playbook (`pb.on`), or when callbacks are pending; inert otherwise.

    /// Counts an arrival for the trigger and draws its playbook decisions; true when the
    /// contact is diverted to self-service (counted unless a warm-up arrival; never queued).
    #[inline]
    fn playbook_divert(&mut self, model: &Model, c: usize, k: usize, interval: i32) -> bool {
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
    /// estimated-wait announcement on its channel. True when the caller requested a callback
    /// or hung up (it does not join the queue).
    fn playbook_announce(&mut self, model: &Model, k: usize, w: &Waiting) -> bool {
        let pb = model.playbook.as_ref().expect("active: a playbook");
        let Some(ann) = &pb.announcement else {
            return false;
        };
        let c = self.classes[k].channel as usize;
        if !ann.channels[c] {
            return false;
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
        match ann.choose(ewt, self.pb.u_announce) {
            Choice::Wait => false,
            Choice::HangUp => {
                if let Some(cells) = cells {
                    self.stats.hung_up(cells);
                }
                true
            }
            Choice::Callback => {
                if let Some(cells) = cells {
                    self.stats.callback_requested(cells);
                }
                if self.pb.pending as usize >= MAX_WAITING {
                    overflow(model, c, w.interval, "callbacks");
                }
                self.pb.callbacks[k].push_back(Callback {
                    requested: now,
                    handle: w.handle,
                    interval: w.interval,
                });
                self.pb.pending += 1;
                true
            }
        }
    }

    /// Detached, on-duty agent `a` with room and no regular contact to take: calls back the
    /// oldest pending request among the classes it serves (and has room for). False if none.
    fn take_callback(&mut self, model: &Model, a: usize) -> bool {
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
        };
        self.start(model, a, k, level, w);
        true
    }

    /// The reserve agents come on duty with their full count.
    fn join_reserves(&mut self, model: &Model) {
        self.pb.join_at = f64::INFINITY;
        self.pb.joined_at = self.now;
        for g in model.regular_groups()..model.groups.len() {
            self.set_headcount(model, g, model.groups[g].reserve);
        }
    }

    /// Callbacks still pending are dropped and counted unserved.
    fn drop_callbacks(&mut self) {
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

/// Stops the run ([`crate::sim::guard`]): channel `c`'s `what` passed [`MAX_WAITING`] in
/// `interval` (-1: the warm-up).
#[cold]
fn overflow(model: &Model, c: usize, interval: i32, what: &'static str) -> ! {
    guard::stop(guard::QueueOverflow {
        source: model.source.clone(),
        channel: model.channels[c].id.clone(),
        interval: match usize::try_from(interval) {
            Ok(k) => format!("interval {}", model.interval_label(k)),
            Err(_) => "the warm-up".into(),
        },
        what,
    })
}
