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
//!
//! The files, by event: [`prepare`] (the state for one replication), [`arrive`] (an arrival),
//! [`complete`] (a completion), [`serve`] (an agent leaving and rejoining the availability lists,
//! starting a contact, taking waiting ones), [`boundary`] (interval boundaries, closing, the
//! end), [`surge`] (the playbook's hooks), [`shifts`] (groups staffed by shifts: starts, ends,
//! breaks, absence); [`queues`] holds the waiting contacts.

mod arrive;
mod boundary;
mod complete;
mod outage;
mod prepare;
mod queues;
mod redial;
mod score;
mod serve;
mod shifts;
mod surge;
mod track;
mod tracked;
mod transfer;

use std::collections::VecDeque;

use crate::model::Model;
use crate::sim::arrivals::{Cursor, RateProfile};
use crate::sim::completions::Completions;
use crate::sim::playbook;
use crate::sim::rng::Rng;
use crate::sim::routing::Router;
use crate::stats::{Layout, RepStats, Thresholds};

use queues::ClassQueues;

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
    /// When the group serves one class only: that class, the group's level in it and the load
    /// units its contacts take (the shortcut of [`Engine::serve_queues`]).
    single: Option<(usize, u8, u32)>,
}

/// What the loop needs of a (group, class) pair, in one place.
#[derive(Debug, Clone, Copy)]
struct GroupClass {
    /// Load units a contact of the class takes at an agent of the group.
    units: u32,
    /// The group's level in the class, if it serves it (0 if not).
    level: u8,
    /// Its position in the group's list (`Group::classes`; `u32::MAX` if not served), which
    /// breaks ties between equally ranked heads as the list order did.
    pos: u32,
    /// The factor of the group's agents' handle times for the class's contacts (the model's
    /// proficiency factor of the class's difficulty at the group's level; 1 if not served).
    handle_factor: f64,
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

/// One channel's arrivals: the rate profile and its position, the replication's random
/// streams, and the tables that turn two uniform draws into a contact class. Kept together so
/// that an arrival finds them in one place.
struct Source {
    profile: RateProfile,
    cursor: Cursor,
    arrivals: Rng,
    attributes: Rng,
    handle: Rng,
    patience: Rng,
    /// Cumulative type and segment shares (the last one infinite).
    type_cum: Vec<f64>,
    seg_cum: Vec<f64>,
    /// The class of each (type, segment), row-major.
    class_of: Vec<u32>,
    /// The forecast's handle-time factor of each piece of the profile (the warm-up's is the
    /// first interval's): [`Model::handle_factor`] at hand; empty without an `aht` column.
    handle_factors: Vec<f64>,
}

/// Per-class constants the loop needs.
#[derive(Debug, Clone, Copy)]
struct ClassInfo {
    channel: u32,
    priority: bool,
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
    /// Per channel: its arrival process and random streams (see [`Source`]).
    sources: Vec<Source>,
    /// Per channel: the time of its next arrival (infinite when it has no more).
    next_arrival: Vec<f64>,
    /// The interval whose busy and staffed time is being accumulated, if opening hours have
    /// begun and not ended (set at each boundary).
    open_interval: Option<usize>,
    agents: Vec<Agent>,
    groups: Vec<GroupState>,
    queues: ClassQueues,
    /// Bit set of the classes each group serves: `group_classes[g * words + w]`.
    group_classes: Vec<u64>,
    /// Per (group, class): `group_class[g * nk + k]` (see [`GroupClass`]).
    group_class: Vec<GroupClass>,
    completions: Completions,
    router: Router,
    now: f64,
    /// Surge-playbook state; inert (`pb.on == false`) without a playbook.
    pb: playbook::State,
    /// Realism state (wrap-up, transfers, redials, outages); inert (`rx.on == false`) when the
    /// model uses none.
    rx: track::Track,
    /// Shift groups' state ([`shifts`]); inert (`sh.on == false`) without shifts.
    sh: shifts::State,
    /// The next interval boundary (`model.n_intervals` + 1 when all are past) and its time
    /// (infinite then).
    next_boundary: usize,
    boundary_t: f64,
}

impl Engine {
    pub fn new(model: &Model) -> Engine {
        let layout = Layout::new(model);
        let stats = RepStats::new(&layout);
        let nc = model.channels.len();
        Engine {
            stats,
            classes: Vec::new(),
            sources: Vec::new(),
            next_arrival: vec![f64::INFINITY; nc],
            open_interval: None,
            agents: Vec::new(),
            groups: vec![GroupState::default(); model.groups.len()],
            queues: ClassQueues::new(model.classes.len()),
            group_classes: Vec::new(),
            group_class: Vec::new(),
            completions: Completions::default(),
            router: Router::for_model(model),
            now: 0.0,
            pb: playbook::State::new(model),
            rx: track::Track::default(),
            sh: shifts::State::default(),
            next_boundary: 0,
            boundary_t: f64::INFINITY,
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
        // Realism's later events, overflow events and shift changes are scheduled at arrivals
        // and completions too: the loop then looks at their times at every event; otherwise
        // only after the other timed events (boundaries and reserve joins set them).
        if self.rx.on || self.sh.on || self.router.schedules_events() {
            self.event_loop::<true>(model);
        } else {
            self.event_loop::<false>(model);
        }
        self.finish(model);
        &self.stats
    }

    /// The events of one replication, earliest first. Arrivals and completions are the hot
    /// path; every other timed event (a boundary, the playbook's reserve join, realism's later
    /// events, shift changes) is behind one comparison with the earliest of their times,
    /// [`Engine::other_time`], which is looked at again after each such event, and at every
    /// event when `MOVING` (the model has events of that kind scheduled at arrivals and
    /// completions). At equal times the other events go first.
    #[inline(always)]
    fn event_loop<const MOVING: bool>(&mut self, model: &Model) {
        self.next_boundary = 0;
        self.boundary_t = model.interval_start(0);
        let mut to = self.other_time();
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
            if MOVING {
                to = self.other_time();
            }
            if to <= ta && to <= tc {
                if to == f64::INFINITY {
                    // Nothing pending at all.
                    break;
                }
                self.now = to;
                self.other_event(model);
                to = self.other_time();
                continue;
            }
            if tc <= ta {
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
    }

    /// The earliest of the timed events other than arrivals and completions (infinite: none):
    /// the next boundary, the playbook's reserve join, realism's next later event, the next
    /// shift change. (A new kind of timed event goes here and in [`Engine::other_event`]; if
    /// arrivals or completions schedule it, it also makes [`Engine::run`] choose the `MOVING`
    /// loop.)
    #[inline(always)]
    fn other_time(&self) -> f64 {
        let mut t = self.boundary_t;
        for x in [self.pb.join_at, self.rx.next_time(), self.sh.next_t] {
            if x < t {
                t = x;
            }
        }
        t
    }

    /// Handles the other event due now (at [`Engine::other_time`]): the reserve join or
    /// realism's later event, then a shift change, each if due before the boundary; else the
    /// boundary.
    #[inline(never)]
    fn other_event(&mut self, model: &Model) {
        let now = self.now;
        if now < self.boundary_t {
            if self.pb.join_at == now {
                self.join_reserves(model);
                return;
            }
            if self.rx.next_time() == now {
                self.later(model);
                return;
            }
            if self.sh.next_t == now {
                self.shift_changes(model);
                return;
            }
        }
        let k = self.next_boundary;
        self.boundary(model, k);
        self.next_boundary = k + 1;
        self.boundary_t = if k < model.n_intervals {
            model.interval_start(k + 1)
        } else {
            f64::INFINITY
        };
    }
}

/// Stops the run ([`crate::sim::guard`]): channel `c`'s `what` passed
/// [`crate::model::limits::MAX_WAITING`] in `interval` (-1: the warm-up).
#[cold]
fn overflow(model: &Model, c: usize, interval: i32, what: &'static str) -> ! {
    crate::sim::guard::stop(crate::sim::guard::QueueOverflow {
        source: model.source.clone(),
        channel: model.channels[c].id.clone(),
        interval: match usize::try_from(interval) {
            Ok(k) => format!("interval {}", model.interval_label(k)),
            Err(_) => "the warm-up".into(),
        },
        what,
    })
}
