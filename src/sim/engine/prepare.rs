//! Setting the engine up for one replication: the per-run tables (routing bit sets, class
//! constants, load units), each channel's rate profile, random streams and first arrival, and
//! the agent pools with their first headcounts. Nothing here allocates once the engine has run a
//! model of the same structure.

use crate::model::Model;
use crate::sim::arrivals::RateProfile;
use crate::sim::forecast;
use crate::sim::rng::{stream, Purpose, SHARED_FACTORS};
use crate::sim::routing::Router;
use crate::stats::Thresholds;

use super::{Agent, ClassInfo, Duty, Engine, GroupClass, Level, Place, Source};

impl Engine {
    /// Resets the state for replication `rep` of `model` with `seed`, up to the first event.
    pub(super) fn prepare(&mut self, model: &Model, seed: u64, rep: u64) {
        assert_eq!(
            self.queues.len(),
            model.classes.len(),
            "engine built for a model of another structure"
        );
        self.router = Router::for_model(model);
        self.pb.prepare(model, seed, rep);
        self.rx.prepare(model, seed, rep);
        if self.rx.on {
            self.prepare_outages(model, seed, rep);
        }
        self.sh.prepare(model, seed, rep);
        self.stats.reset();
        self.now = 0.0;
        self.queues.clear();
        self.prepare_routing(model);
        self.prepare_classes(model);
        self.open_interval = None;
        self.prepare_channels(model, seed, rep);
        self.prepare_agents(model);
    }

    /// The classes each group serves (bit sets, levels and list positions), the one-class
    /// shortcut of each group, and the load units of each (group, class).
    fn prepare_routing(&mut self, model: &Model) {
        let nk = model.classes.len();
        let words = self.queues.words();
        self.group_classes.clear();
        self.group_classes.resize(model.groups.len() * words, 0);
        self.group_class.clear();
        for gr in &model.groups {
            self.group_class
                .extend(model.classes.iter().map(|cl| GroupClass {
                    units: gr.units[cl.channel],
                    level: 0,
                    pos: u32::MAX,
                    handle_factor: 1.0,
                }));
        }
        for (g, gr) in model.groups.iter().enumerate() {
            for (pos, &(k, level)) in gr.classes.iter().enumerate() {
                self.group_classes[g * words + k / 64] |= 1 << (k % 64);
                let pair = &mut self.group_class[g * nk + k];
                pair.level = level;
                pair.pos = pos as u32;
                pair.handle_factor =
                    model.proficiency[model.classes[k].hard as usize][level as usize - 1];
            }
            // The general path (overflow, reservation, custom policy, occupancy) decides for
            // every group.
            let general = self.score_router().is_some_and(|s| s.general());
            self.groups[g].single = match gr.classes[..] {
                [(k, level)] if !general => Some((k, level, gr.units[model.classes[k].channel])),
                _ => None,
            };
        }
    }

    /// Each class's constants: channel, priority, statistics cells and thresholds.
    fn prepare_classes(&mut self, model: &Model) {
        let sl = &model.sl;
        self.classes.clear();
        for (k, cl) in model.classes.iter().enumerate() {
            let seg_goal = model.segments[cl.segment]
                .goal
                .map(|g| g.threshold_s)
                .unwrap_or(-1.0);
            self.classes.push(ClassInfo {
                channel: cl.channel as u32,
                priority: model.routing.priority[cl.segment],
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
    }

    /// Each channel's rate profile (scaled by this replication's forecast error, if it has
    /// one), random streams (seeded for this replication), cumulative type and segment shares,
    /// class table and first arrival.
    fn prepare_channels(&mut self, model: &Model, seed: u64, rep: u64) {
        self.sources.clear();
        let mut factors = Vec::new();
        for (c, ch) in model.channels.iter().enumerate() {
            let mut profile = RateProfile::for_channel(model, c);
            if let Some(fe) = &ch.forecast_error {
                let key = if fe.shared { SHARED_FACTORS } else { c };
                let day = forecast::factors(fe, model.n_intervals, seed, rep, key, &mut factors);
                profile.scale(day, &factors);
            }
            let mut src = Source {
                cursor: profile.start(),
                profile,
                arrivals: stream(seed, rep, Purpose::Arrivals, c),
                attributes: stream(seed, rep, Purpose::Attributes, c),
                handle: stream(seed, rep, Purpose::HandleTime, c),
                patience: stream(seed, rep, Purpose::Patience, c),
                type_cum: cumulative_shares(ch.types.iter().map(|t| t.share)),
                seg_cum: cumulative_shares(ch.segments.iter().map(|s| s.share)),
                class_of: ch
                    .class_of
                    .iter()
                    .flat_map(|row| row.iter().map(|&k| k as u32))
                    .collect(),
                handle_factors: match ch.handle_factors.first() {
                    None => Vec::new(),
                    Some(&first) => (model.warmup_s > 0.0)
                        .then_some(first)
                        .into_iter()
                        .chain(ch.handle_factors.iter().copied())
                        .collect(),
                },
            };
            self.next_arrival[c] = src.profile.next(&mut src.cursor, &mut src.arrivals);
            self.sources.push(src);
        }
    }

    /// A pool of agents per group as large as its largest headcount, all off duty; the
    /// completion heap sized for the most contacts they can hold; then the first headcounts.
    fn prepare_agents(&mut self, model: &Model) {
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
        self.prepare_shift_agents();
        for g in 0..model.groups.len() {
            if self.sh.on && self.sh.is_shift[g] {
                self.staff_shift_group(model, g);
                continue;
            }
            let target = model.groups[g].headcount[0];
            self.set_headcount(model, g, target);
        }
    }
}

/// The running sums of `shares` (summed in order), the last one infinite so that a uniform draw
/// always finds its entry ([`crate::model::dist::pick`]).
fn cumulative_shares(shares: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    let mut cum: Vec<f64> = shares
        .map(|s| {
            acc += s;
            acc
        })
        .collect();
    *cum.last_mut().expect("validated: at least one entry") = f64::INFINITY;
    cum
}
