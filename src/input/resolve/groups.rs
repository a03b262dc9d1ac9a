//! `agent_groups` and the surge playbook's `reserve`: skill levels, concurrency per channel,
//! headcount per interval, staffing bounds, and the agents' capacity in load units.

use std::collections::BTreeMap;

use super::ctx::{each, Ctx, Errors};
use crate::error::InputError;
use crate::input::scenario::{GroupFile, HeadcountFile, ReserveFile, ScenarioFile};
use crate::model::roster::{headcount_of, Shift};
use crate::model::Group;

/// The resolved agent groups.
pub(super) struct Groups {
    /// The regular groups, then the playbook's reserves; `classes` are filled in later.
    pub groups: Vec<Group>,
    /// Number of regular groups (`groups[..n_regular]`).
    pub n_regular: usize,
    /// Load units one agent holds.
    pub capacity: u32,
    /// Per regular group: its shifts, if it is staffed by shifts.
    pub shifts: Vec<Option<Vec<Shift>>>,
    /// Per regular group: its price per paid hour, if given.
    pub prices: Vec<Option<f64>>,
}

/// The skill tags the agent groups hold, in order of first appearance.
pub(super) fn skills(raw: &ScenarioFile) -> Vec<String> {
    let mut skills: Vec<String> = Vec::new();
    for g in &raw.agent_groups {
        for s in g.skills.keys() {
            if !skills.contains(s) {
                skills.push(s.clone());
            }
        }
    }
    skills
}

/// Resolves the agent groups and the playbook's reserves, and the capacity their concurrencies
/// need.
pub(super) fn groups(
    cx: &Ctx,
    raw: &ScenarioFile,
    skills: &[String],
    channel_ids: &[String],
    n: usize,
    day: super::shifts::DaySpan,
) -> Result<Groups, InputError> {
    let scope = Scope {
        cx,
        raw,
        skills,
        channel_ids,
        n,
        day,
    };
    let hint = "define at least one agent group";
    cx.listed("$.agent_groups", &raw.agent_groups, |g| &g.id, hint)?;
    // Each group and each reserve is checked by itself.
    let mut errs = Errors::default();
    let regular = errs.keep(each(&raw.agent_groups, |g, gr| {
        scope.group(&format!("$.agent_groups[{g}]"), gr)
    }));
    let (mut groups, mut concurrencies, mut shifts, mut prices) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (g, c, sh, pr) in regular.unwrap_or_default() {
        groups.push(g);
        concurrencies.push(c);
        shifts.push(sh);
        prices.push(pr);
    }
    let n_regular = groups.len();
    if let Some(pb) = &raw.surge_playbook {
        for (r, rf) in pb.reserve.iter().enumerate() {
            let p = format!("$.surge_playbook.reserve[{r}]");
            if let Some((group, conc)) = errs.keep(scope.reserve(&p, rf, &groups)) {
                concurrencies.push(conc);
                groups.push(group);
            }
        }
    }
    errs.finish()?;
    let capacity = capacity(cx, &concurrencies)?;
    for (g, conc) in concurrencies.iter().enumerate() {
        groups[g].units = conc
            .iter()
            .map(|k| if *k == 0 { 0 } else { capacity / k })
            .collect();
    }
    Ok(Groups {
        groups,
        n_regular,
        capacity,
        shifts,
        prices,
    })
}

/// What every group is resolved against.
struct Scope<'a> {
    cx: &'a Ctx<'a>,
    raw: &'a ScenarioFile,
    skills: &'a [String],
    channel_ids: &'a [String],
    n: usize,
    day: super::shifts::DaySpan,
}

/// A resolved regular group, its concurrency per channel, its shifts and price.
type Resolved = (Group, Vec<u32>, Option<Vec<Shift>>, Option<f64>);

impl Scope<'_> {
    /// A regular group, with its concurrency per channel, its shifts and its price.
    fn group(&self, p: &str, gr: &GroupFile) -> Result<Resolved, InputError> {
        let cx = self.cx;
        cx.non_empty(
            format!("{p}.skills"),
            gr.skills.is_empty(),
            "a group needs at least one skill tag",
        )?;
        let levels = self.levels(p, &gr.skills)?;
        let conc = cx.concurrency(p, &gr.channels, self.raw, self.channel_ids)?;
        let (headcount, shifts) = self.staffing(p, gr)?;
        let price = match gr.cost_per_hour {
            Some(c) => Some(cx.nonneg(&format!("{p}.cost_per_hour"), c, "")?),
            None => None,
        };
        let min = gr.min.unwrap_or(0);
        let max = gr.max.unwrap_or(10_000);
        if min > max {
            return Err(cx.err(
                format!("{p}.max"),
                format!("= {max}: must be >= min ({min})"),
            ));
        }
        if max > 100_000 {
            return Err(cx.err(
                format!("{p}.max"),
                format!("= {max}: at most 100000 agents per group"),
            ));
        }
        if let Some(k) = headcount.iter().position(|h| *h > 100_000) {
            return Err(cx.err(
                format!("{p}.headcount"),
                format!(
                    "interval {k}: {} agents, at most 100000 per group",
                    headcount[k]
                ),
            ));
        }
        let group = Group {
            id: gr.id.clone(),
            levels,
            units: Vec::new(),
            headcount,
            min,
            max,
            reserve: 0,
            classes: Vec::new(),
        };
        Ok((group, conc, shifts, price))
    }

    /// A group's headcount per interval, and its shifts when it is staffed by shifts (the
    /// headcount is then the agents on the phones at each interval's start).
    fn staffing(
        &self,
        p: &str,
        gr: &GroupFile,
    ) -> Result<(Vec<u32>, Option<Vec<Shift>>), InputError> {
        let cx = self.cx;
        match (&gr.headcount, &gr.shifts) {
            (Some(HeadcountFile::Constant(h)), None) => Ok((vec![*h; self.n], None)),
            (Some(HeadcountFile::PerInterval(v)), None) => {
                Ok((cx.per_interval(&format!("{p}.headcount"), v, self.n)?, None))
            }
            (None, Some(list)) => {
                let shifts = super::shifts::shifts(cx, p, list, self.day)?;
                let interval_s = self.day.length_s / self.n as f64;
                Ok((headcount_of(&shifts, interval_s, self.n), Some(shifts)))
            }
            (Some(_), Some(_)) => Err(cx.err(
                format!("{p}.shifts"),
                "a group has either a headcount or shifts, not both",
            )),
            (None, None) => Err(cx.err(
                p,
                "missing field `headcount`: give a headcount per interval or shifts",
            )),
        }
    }

    /// A playbook reserve: a group off duty (headcount 0) until the playbook calls its `count`
    /// agents; its id must differ from those of `groups`, the groups resolved before it.
    fn reserve(
        &self,
        p: &str,
        rf: &ReserveFile,
        groups: &[Group],
    ) -> Result<(Group, Vec<u32>), InputError> {
        let cx = self.cx;
        if rf.id.trim().is_empty() {
            return Err(cx.err(format!("{p}.id"), "is empty: give a name"));
        }
        if groups.iter().any(|g| g.id == rf.id) {
            return Err(cx.err(
                format!("{p}.id"),
                format!(
                    "`{}` is already an agent group or reserve: ids must be unique",
                    rf.id
                ),
            ));
        }
        cx.non_empty(
            format!("{p}.skills"),
            rf.skills.is_empty(),
            "a reserve needs at least one skill tag",
        )?;
        let levels = self.levels(p, &rf.skills)?;
        if rf.count == 0 || rf.count > 100_000 {
            return Err(cx.err(
                format!("{p}.count"),
                format!("= {}: must be between 1 and 100000", rf.count),
            ));
        }
        let conc = cx.concurrency(p, &rf.channels, self.raw, self.channel_ids)?;
        let group = Group {
            id: rf.id.clone(),
            levels,
            units: Vec::new(),
            headcount: vec![0; self.n],
            min: 0,
            max: 0,
            reserve: rf.count,
            classes: Vec::new(),
        };
        Ok((group, conc))
    }

    /// A `skills` map as a level per skill tag of the groups (0: lacks it). A reserve may name
    /// only tags that a group holds (a group's own tags are known by construction).
    fn levels(&self, p: &str, map: &BTreeMap<String, u8>) -> Result<Vec<u8>, InputError> {
        let cx = self.cx;
        let mut levels = vec![0u8; self.skills.len()];
        for (s, lvl) in map {
            let Some(i) = self.skills.iter().position(|x| x == s) else {
                return Err(cx.err(
                    format!("{p}.skills.{s}"),
                    format!(
                        "skill `{s}` is unknown: no agent group has it (skills: {})",
                        self.skills.join(", ")
                    ),
                ));
            };
            levels[i] = cx.level(format!("{p}.skills.{s}"), *lvl)?;
        }
        Ok(levels)
    }
}

/// Agent capacity in load units: the least common multiple of all concurrencies in use, so a
/// contact of a channel with concurrency k takes exactly capacity/k units.
fn capacity(cx: &Ctx, concurrencies: &[Vec<u32>]) -> Result<u32, InputError> {
    let mut capacity = 1u32;
    for c in concurrencies.iter().flatten().filter(|k| **k > 0) {
        capacity = capacity / gcd(capacity, *c) * c;
        if capacity > 1 << 20 {
            return Err(cx.err("$.agent_groups", "the concurrencies have too large a common multiple: use concurrencies such as 1, 2, 3, 4, 6"));
        }
    }
    Ok(capacity)
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
