//! Stage 2 of the roster: the breaks of every rostered agent, placed greedily to even the
//! coverage. Agents are taken in order of shift start, breaks in order of their windows; each
//! break goes to the start on its grid, within its window and clear of the agent's earlier
//! breaks, where the least surplus (agents on the phones less the need, minute by minute)
//! over the break's minutes is greatest (ties: the greatest total surplus, then the earliest).
//! Agents whose shift and breaks coincide are gathered into one shift block.

use crate::analysis::roster::mip::{break_starts, Column};
use crate::model::roster::{Break, Shift, ShiftSet};
use crate::model::Model;

/// Resolution of the coverage profile, seconds.
pub const SLOT_S: f64 = 60.0;

/// A minute-by-minute profile of agents on the phones, and the need.
#[derive(Debug, Clone)]
pub struct Profile {
    pub on: Vec<f64>,
    pub need: Vec<f64>,
}

impl Profile {
    /// The need per interval spread over its minutes; nobody on the phones yet.
    pub fn new(model: &Model, need: &[f64]) -> Profile {
        let per = (model.interval_s / SLOT_S).round() as usize;
        let need: Vec<f64> = need
            .iter()
            .flat_map(|&n| std::iter::repeat_n(n, per))
            .collect();
        Profile {
            on: vec![0.0; need.len()],
            need,
        }
    }

    fn slots(&self, from: f64, to: f64) -> std::ops::Range<usize> {
        let a = ((from / SLOT_S).round() as usize).min(self.on.len());
        let b = ((to / SLOT_S).round() as usize).min(self.on.len());
        a..b
    }

    /// Adds `w` agents on the phones over `[from, to)` (seconds after opening).
    pub fn add(&mut self, from: f64, to: f64, w: f64) {
        for t in self.slots(from, to) {
            self.on[t] += w;
        }
    }

    /// The least and the total surplus over `[from, to)`.
    fn surplus(&self, from: f64, to: f64) -> (f64, f64) {
        let r = self.slots(from, to);
        let mut least = f64::INFINITY;
        let mut total = 0.0;
        for t in r {
            let s = self.on[t] - self.need[t];
            least = least.min(s);
            total += s;
        }
        (least, total)
    }
}

/// The shifts of `cols` with `counts` agents, their breaks placed on `profile` (which is
/// updated: the agents' time on the phones is added).
pub fn place(set: &ShiftSet, cols: &[Column], counts: &[u32], profile: &mut Profile) -> Vec<Shift> {
    let mut order: Vec<usize> = (0..cols.len()).filter(|&j| counts[j] > 0).collect();
    order.sort_by(|&a, &b| cols[a].start_s.total_cmp(&cols[b].start_s).then(a.cmp(&b)));
    // Everyone present first, so that each break sees the whole roster.
    for &j in &order {
        let pat = &set.patterns[cols[j].pattern];
        profile.add(
            cols[j].start_s,
            cols[j].start_s + pat.length_s,
            counts[j] as f64,
        );
    }
    let mut out: Vec<Shift> = Vec::new();
    for &j in &order {
        for _ in 0..counts[j] {
            let shift = one_agent(set, &cols[j], profile);
            match out.iter_mut().find(|s| {
                s.start_s == shift.start_s && s.label == shift.label && s.breaks == shift.breaks
            }) {
                Some(s) => s.agents += 1,
                None => out.push(shift),
            }
        }
    }
    out
}

/// One agent of column `col` (already counted present on `profile`): its breaks placed and
/// taken off the profile.
pub fn one_agent(set: &ShiftSet, col: &Column, profile: &mut Profile) -> Shift {
    let pat = &set.patterns[col.pattern];
    let start = col.start_s;
    let mut breaks: Vec<Break> = Vec::new();
    for rule in &pat.breaks {
        let mut best: Option<(f64, (f64, f64))> = None;
        for s in break_starts(rule.earliest_s, rule.latest_s, set.break_grid_s) {
            let bs = start + s;
            let be = bs + rule.length_s;
            if be > start + pat.length_s + 1e-9
                || breaks
                    .iter()
                    .any(|b| bs < b.start_s + b.length_s && b.start_s < be)
            {
                continue;
            }
            let score = profile.surplus(bs, be);
            let better = best.is_none_or(|(_, (l, t))| {
                score.0 > l + 1e-9 || ((score.0 - l).abs() <= 1e-9 && score.1 > t + 1e-9)
            });
            if better {
                best = Some((bs, score));
            }
        }
        // No start clear of the earlier breaks: the window's first (the rule cannot be kept
        // apart; the file's windows overlap).
        let bs = best.map_or(start + rule.earliest_s, |b| b.0);
        profile.add(bs, bs + rule.length_s, -1.0);
        breaks.push(Break {
            start_s: bs,
            length_s: rule.length_s,
            paid: rule.paid,
        });
    }
    breaks.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    Shift {
        label: pat.id.clone(),
        start_s: start,
        end_s: start + pat.length_s,
        breaks,
        agents: 1,
        premium_per_hour: pat.premium_per_hour,
    }
}
