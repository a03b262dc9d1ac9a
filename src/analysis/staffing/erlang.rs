//! The analytic staffing calculator (`acdsim erlang`).
//!
//! Planners give contacts per interval, the interval length, the average handle time (AHT) and a
//! target: a service level (share answered within a threshold) or a maximum average speed of
//! answer (ASA). Contacts arrive as a Poisson stream at `contacts / interval` per second with
//! exponential handle times; without a patience this is Erlang C (M/M/c), with a mean patience
//! it is Erlang A (M/M/c+M). The agents needed are the smallest `c` meeting every target (and
//! the occupancy cap), found by [`crate::analysis::queueing::required_servers`], which is stable for
//! thousands of agents. Scheduled agents add shrinkage (breaks, training, absence):
//! `ceil(agents / (1 - shrinkage))`.

use serde::Serialize;

use crate::analysis::queueing::{required_servers, ErlangA, StaffingTarget};
use crate::model::dist::short_num;

/// Service-level threshold used for the table when only an ASA target is given.
pub const DEFAULT_THRESHOLD_S: f64 = 20.0;

/// The calculator's inputs (serialised in `acdsim erlang`'s JSON).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErlangInput {
    /// Contacts offered per interval.
    pub contacts: f64,
    /// Interval length in seconds.
    pub interval_s: f64,
    /// Average handle time in seconds.
    pub aht_s: f64,
    /// Service-level target share (e.g. 0.8), judged at `threshold_s`.
    pub sl_target: Option<f64>,
    /// Service-level threshold in seconds.
    pub threshold_s: f64,
    /// Maximum average speed of answer in seconds.
    pub max_asa_s: Option<f64>,
    /// Mean patience in seconds (Erlang A); `None` means callers never abandon (Erlang C).
    pub patience_s: Option<f64>,
    /// Share of paid time not available for contacts, in `[0, 1)`.
    pub shrinkage: f64,
    /// Maximum agent occupancy in `(0, 1]`.
    pub max_occupancy: Option<f64>,
    /// Rows shown either side of the required number of agents.
    pub around: u32,
}

/// An input error: the flag at fault and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    pub flag: &'static str,
    pub problem: String,
}

impl std::fmt::Display for InputProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.flag, self.problem)
    }
}

impl std::error::Error for InputProblem {}

fn problem(flag: &'static str, problem: String) -> InputProblem {
    InputProblem { flag, problem }
}

/// One staffing level of the table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErlangRow {
    /// Agents on the phones.
    pub agents: u32,
    /// Probability that a contact waits at all.
    pub p_wait: f64,
    /// Share answered within the threshold (over all contacts, abandoned included).
    pub service_level: f64,
    /// Average speed of answer of answered contacts, seconds (`null` in JSON when infinite).
    #[serde(serialize_with = "finite_or_null")]
    pub asa_s: f64,
    /// Share of contacts abandoning (Erlang A only).
    pub abandonment: Option<f64>,
    /// Agent occupancy.
    pub occupancy: f64,
    /// Agents to schedule after shrinkage.
    pub scheduled: u64,
    /// Whether this level meets every target.
    pub meets_targets: bool,
}

/// The calculator's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErlangResult {
    /// Offered traffic in Erlangs (`contacts * aht / interval`).
    pub traffic_erlangs: f64,
    /// Model used: `erlang_c` or `erlang_a`.
    pub model: &'static str,
    /// Smallest number of agents meeting every target.
    pub agents_needed: u32,
    /// Agents to schedule after shrinkage.
    pub scheduled_needed: u64,
    /// Service-level threshold of the `service_level` column, seconds.
    pub threshold_s: f64,
    /// The table: `agents_needed - around ..= agents_needed + around` (at least one agent).
    pub rows: Vec<ErlangRow>,
}

fn finite_or_null<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_some(v)
    } else {
        s.serialize_none()
    }
}

/// Agents to schedule so that `agents` remain after `shrinkage`: `ceil(agents / (1 - shrinkage))`.
///
/// A relative tolerance of `1e-9` keeps exact quotients exact (14 / 0.7 is 20, not 21).
pub fn scheduled_agents(agents: u32, shrinkage: f64) -> u64 {
    let raw = f64::from(agents) / (1.0 - shrinkage);
    (raw * (1.0 - 1e-12) - 1e-9).ceil().max(f64::from(agents)) as u64
}

/// Checks a shrinkage: a share in `[0, 1)`; the error says what is valid.
pub fn check_shrinkage(v: f64) -> Result<f64, &'static str> {
    if (0.0..1.0).contains(&v) {
        Ok(v)
    } else {
        Err("must be a share in [0, 1) (e.g. 0.3)")
    }
}

/// Checks an occupancy cap: a share in `(0, 1]`; the error says what is valid.
pub fn check_max_occupancy(v: f64) -> Result<f64, &'static str> {
    if v > 0.0 && v <= 1.0 {
        Ok(v)
    } else {
        Err("must be a share in (0, 1] (e.g. 0.85)")
    }
}

impl ErlangInput {
    /// Checks every input, naming the flag at fault.
    pub fn validate(&self) -> Result<(), InputProblem> {
        let positive = |flag: &'static str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(problem(flag, format!("= {v}: must be a finite number > 0")))
            }
        };
        if !(self.contacts.is_finite() && self.contacts >= 0.0) {
            return Err(problem(
                "--contacts",
                format!("= {}: must be a finite number >= 0", self.contacts),
            ));
        }
        positive("--interval-minutes", self.interval_s)?;
        positive("--aht-s", self.aht_s)?;
        if !(self.threshold_s.is_finite() && self.threshold_s >= 0.0) {
            return Err(problem(
                "--threshold-s",
                format!("= {}: must be a finite number >= 0", self.threshold_s),
            ));
        }
        if let Some(sl) = self.sl_target {
            if !(sl > 0.0 && sl < 1.0) {
                return Err(problem(
                    "--sl",
                    format!("= {sl}: must be a share strictly between 0 and 1 (e.g. 0.8)"),
                ));
            }
        }
        if let Some(asa) = self.max_asa_s {
            positive("--asa-s", asa)?;
        }
        if self.sl_target.is_none() && self.max_asa_s.is_none() {
            return Err(problem(
                "--sl",
                "no target given: use --sl 0.8 --threshold-s 20, or --asa-s 30".to_string(),
            ));
        }
        if let Some(p) = self.patience_s {
            positive("--patience-s", p)?;
        }
        check_shrinkage(self.shrinkage)
            .map_err(|e| problem("--shrinkage", format!("= {}: {e}", self.shrinkage)))?;
        if let Some(o) = self.max_occupancy {
            check_max_occupancy(o)
                .map_err(|e| problem("--max-occupancy", format!("= {o}: {e}")))?;
        }
        Ok(())
    }

    /// Arrival rate per second.
    pub fn arrival_rate(&self) -> f64 {
        self.contacts / self.interval_s
    }

    fn target(&self) -> StaffingTarget {
        StaffingTarget {
            service_level: self.sl_target.map(|s| (s, self.threshold_s)),
            max_asa_s: self.max_asa_s,
            max_occupancy: self.max_occupancy,
        }
    }

    /// The queue with `agents` agents (infinite patience = Erlang C).
    fn queue(&self, agents: u32) -> ErlangA {
        ErlangA {
            servers: agents,
            arrival_rate: self.arrival_rate(),
            mean_service_s: self.aht_s,
            mean_patience_s: self.patience_s.unwrap_or(f64::INFINITY),
        }
    }

    /// The metrics at `agents` agents.
    pub fn row(&self, agents: u32) -> ErlangRow {
        let q = self.queue(agents);
        let p_wait = q.p_wait();
        let service_level = q.service_level(self.threshold_s);
        let asa_s = q.asa_s();
        let occupancy = q.occupancy();
        let meets_targets = q.meets(&self.target());
        ErlangRow {
            agents,
            p_wait,
            service_level,
            asa_s,
            abandonment: self.patience_s.map(|_| q.p_abandon()),
            occupancy,
            scheduled: scheduled_agents(agents, self.shrinkage),
            meets_targets,
        }
    }

    /// Validates the inputs and computes the answer.
    pub fn calculate(&self) -> Result<ErlangResult, InputProblem> {
        self.validate()?;
        let needed = required_servers(
            self.arrival_rate(),
            self.aht_s,
            self.patience_s.unwrap_or(f64::INFINITY),
            self.target(),
        );
        if needed == u32::MAX {
            return Err(problem(
                "--max-occupancy",
                "no number of agents meets the targets".to_string(),
            ));
        }
        let lo = needed.saturating_sub(self.around).max(1);
        let hi = needed.saturating_add(self.around);
        Ok(ErlangResult {
            traffic_erlangs: self.arrival_rate() * self.aht_s,
            model: if self.patience_s.is_some() {
                "erlang_a"
            } else {
                "erlang_c"
            },
            agents_needed: needed,
            scheduled_needed: scheduled_agents(needed, self.shrinkage),
            threshold_s: self.threshold_s,
            rows: (lo..=hi).map(|n| self.row(n)).collect(),
        })
    }
}

/// The answer as a plain-text table.
pub fn to_table(input: &ErlangInput, r: &ErlangResult) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let model = if r.model == "erlang_a" {
        "Erlang A (M/M/c+M)"
    } else {
        "Erlang C (M/M/c)"
    };
    let _ = writeln!(
        s,
        "Traffic: {:.3} Erlangs ({} contacts per {} min, AHT {} s); model: {model}",
        r.traffic_erlangs,
        input.contacts,
        input.interval_s / 60.0,
        input.aht_s
    );
    let _ = writeln!(
        s,
        "Agents needed: {} (scheduled after {:.0}% shrinkage: {})",
        r.agents_needed,
        input.shrinkage * 100.0,
        r.scheduled_needed
    );
    let abandon = input.patience_s.is_some();
    let _ = write!(
        s,
        "\n{:>7} {:>8} {:>8} {:>9} ",
        "agents",
        "P(wait)",
        format!("SL@{}s", r.threshold_s),
        "ASA s"
    );
    if abandon {
        let _ = write!(s, "{:>8} ", "abandon");
    }
    let _ = writeln!(s, "{:>9} {:>9}  meets", "occupancy", "scheduled");
    for row in &r.rows {
        let marker = if row.agents == r.agents_needed {
            "<-"
        } else {
            ""
        };
        let asa = if row.asa_s.is_finite() {
            format!("{:.1}", row.asa_s)
        } else {
            "inf".to_string()
        };
        let _ = write!(
            s,
            "{:>7} {:>7.1}% {:>7.1}% {:>9} ",
            row.agents,
            row.p_wait * 100.0,
            row.service_level * 100.0,
            asa
        );
        if let Some(a) = row.abandonment {
            let _ = write!(s, "{:>7.1}% ", a * 100.0);
        }
        let _ = writeln!(
            s,
            "{:>8.1}% {:>9}  {:<3} {marker}",
            row.occupancy * 100.0,
            row.scheduled,
            if row.meets_targets { "yes" } else { "no" }
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classic() -> ErlangInput {
        ErlangInput {
            contacts: 100.0,
            interval_s: 1800.0,
            aht_s: 180.0,
            sl_target: Some(0.8),
            threshold_s: 20.0,
            max_asa_s: None,
            patience_s: None,
            shrinkage: 0.0,
            max_occupancy: None,
            around: 3,
        }
    }

    /// Erlang C by the textbook formula with factorials in log space (independent of the
    /// Erlang B recursion used by `queueing`).
    fn erlang_c_direct(c: u32, a: f64) -> f64 {
        // ln(a^k / k!) for k = 0..=c, then log-sum-exp relative to the largest term.
        let mut ln = Vec::with_capacity(c as usize + 1);
        let mut acc = 0.0;
        for k in 0..=c {
            if k > 0 {
                acc += a.ln() - f64::from(k).ln();
            }
            ln.push(acc);
        }
        let top_ln = ln[c as usize] + (f64::from(c) / (f64::from(c) - a)).ln();
        let max = ln.iter().copied().fold(top_ln, f64::max);
        let top = (top_ln - max).exp();
        let below: f64 = ln[..c as usize].iter().map(|x| (x - max).exp()).sum();
        top / (below + top)
    }

    #[test]
    fn classic_example_14_agents_sl_888() {
        let r = classic().calculate().unwrap();
        assert!((r.traffic_erlangs - 10.0).abs() < 1e-12);
        assert_eq!(r.agents_needed, 14);
        let row = r.rows.iter().find(|x| x.agents == 14).unwrap();
        assert!(
            (row.service_level - 0.8883).abs() < 5e-4,
            "{}",
            row.service_level
        );
        let row13 = r.rows.iter().find(|x| x.agents == 13).unwrap();
        assert!(row13.service_level < 0.8 && !row13.meets_targets);
        assert_eq!(r.rows.first().unwrap().agents, 11);
        assert_eq!(r.rows.last().unwrap().agents, 17);
        // Independent check of P(wait), SL and ASA at 14 agents.
        let c = erlang_c_direct(14, 10.0);
        assert!((row.p_wait - c).abs() < 1e-12);
        let sl = 1.0 - c * (-(14.0 - 10.0) / 180.0 * 20.0f64).exp();
        assert!((row.service_level - sl).abs() < 1e-12);
        assert!((row.asa_s - c * 180.0 / 4.0).abs() < 1e-9);
        assert!((row.occupancy - 10.0 / 14.0).abs() < 1e-12);
    }

    #[test]
    fn shrinkage_and_occupancy_cap() {
        let mut i = classic();
        i.shrinkage = 0.3;
        let r = i.calculate().unwrap();
        assert_eq!(r.scheduled_needed, 20); // 14 / 0.7 = 20 exactly
        assert_eq!(scheduled_agents(15, 0.3), 22);
        i.max_occupancy = Some(0.7);
        let r = i.calculate().unwrap();
        assert_eq!(r.agents_needed, 15); // 10 / 15 = 0.667 <= 0.7 < 10 / 14
    }

    #[test]
    fn asa_target() {
        let mut i = classic();
        i.sl_target = None;
        i.max_asa_s = Some(10.0);
        let r = i.calculate().unwrap();
        let n = r.agents_needed;
        assert!(i.row(n).asa_s <= 10.0 && i.row(n - 1).asa_s > 10.0);
    }

    #[test]
    fn erlang_a_abandonment_lowers_staffing() {
        let mut i = classic();
        i.patience_s = Some(60.0);
        let r = i.calculate().unwrap();
        assert_eq!(r.model, "erlang_a");
        assert!(r.agents_needed <= 14);
        let row = i.row(r.agents_needed);
        assert!(row.service_level >= 0.8 && row.abandonment.unwrap() > 0.0);
        // Very long patience converges to Erlang C.
        i.patience_s = Some(1e9);
        let ra = i.row(14);
        let rc = classic().row(14);
        assert!((ra.service_level - rc.service_level).abs() < 1e-6);
    }

    #[test]
    fn thousands_of_agents() {
        // 2000 Erlangs: 40,000 calls per 30 min at AHT 90 s.
        let mut i = classic();
        i.contacts = 40_000.0;
        i.aht_s = 90.0;
        let r = i.calculate().unwrap();
        assert!((r.traffic_erlangs - 2000.0).abs() < 1e-9);
        let n = r.agents_needed;
        assert!(n > 2000 && n < 2100, "{n}");
        let at = i.row(n);
        let below = i.row(n - 1);
        assert!(at.service_level >= 0.8 && below.service_level < 0.8);
        assert!(at.p_wait.is_finite() && at.asa_s.is_finite());
        // Independent log-space Erlang C agrees.
        assert!((at.p_wait - erlang_c_direct(n, 2000.0)).abs() < 1e-9);
        // Values computed independently (Python, log-space Erlang C and the Erlang A
        // birth-death chain summed directly): 2007 agents, C = 0.818510, SL 82.724%; 2006 agents
        // give 77.784%.
        assert_eq!(n, 2007);
        assert!((at.p_wait - 0.818_510_046_6).abs() < 1e-9, "{}", at.p_wait);
        assert!((at.service_level - 0.827_235_375_6).abs() < 1e-9);
        assert!((below.service_level - 0.777_835_740_5).abs() < 1e-9);
        i.patience_s = Some(120.0);
        let r = i.calculate().unwrap();
        assert!(r.rows.iter().all(|x| x.service_level.is_finite()));
        // Erlang A at 2000 agents, mean patience 120 s: P(wait) 0.538656, P(abandon) 0.0082799.
        let a = i.row(2000);
        assert!((a.p_wait - 0.538_655_852_7).abs() < 1e-8, "{}", a.p_wait);
        assert!((a.abandonment.unwrap() - 0.008_279_850_3).abs() < 1e-9);
    }

    #[test]
    fn bad_inputs_name_the_flag() {
        let mut i = classic();
        i.contacts = -1.0;
        assert_eq!(i.validate().unwrap_err().flag, "--contacts");
        let mut i = classic();
        i.shrinkage = 1.0;
        assert_eq!(i.validate().unwrap_err().flag, "--shrinkage");
        let mut i = classic();
        i.sl_target = None;
        assert!(i.validate().unwrap_err().problem.contains("no target"));
        let mut i = classic();
        i.aht_s = 0.0;
        assert_eq!(i.validate().unwrap_err().flag, "--aht-s");
        let mut i = classic();
        i.max_occupancy = Some(1.5);
        assert_eq!(i.validate().unwrap_err().flag, "--max-occupancy");
    }
}

/// One interval of an Erlang sheet (`acdsim erlang --forecast`): the forecast row, the contacts
/// after the surge, and the answer at the agents needed (`None` for an interval without contacts:
/// no agent is needed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetRow {
    pub channel: String,
    pub interval_start: String,
    pub offered: f64,
    /// `offered` times the surge factor.
    pub contacts: f64,
    /// The handle time the row is staffed with: the forecast's `aht`, else `--aht-s`.
    pub aht_s: f64,
    pub traffic_erlangs: f64,
    pub agents_needed: u32,
    pub scheduled_needed: u64,
    /// The figures at `agents_needed` (absent without contacts).
    pub at_needed: Option<ErlangRow>,
}

/// The Erlang sheet of a whole day: every forecast row (channel, interval, offered) staffed with
/// `template`'s targets, handle time (the row's `aht` where the forecast gives one), patience,
/// shrinkage and occupancy cap, its contacts multiplied by `surge`. Fails on the first row no
/// staffing can serve, naming it.
pub fn sheet(
    rows: &[crate::input::forecast::ForecastRow],
    template: &ErlangInput,
    surge: f64,
) -> Result<Vec<SheetRow>, String> {
    rows.iter()
        .map(|r| {
            let contacts = r.offered * surge;
            let input = ErlangInput {
                contacts,
                aht_s: r.aht_s.unwrap_or(template.aht_s),
                around: 0,
                ..*template
            };
            if contacts == 0.0 {
                input
                    .validate()
                    .map_err(|e| format!("{}: {}", e.flag, e.problem))?;
                return Ok(SheetRow {
                    channel: r.channel.clone(),
                    interval_start: r.interval_start.clone(),
                    offered: r.offered,
                    contacts,
                    aht_s: input.aht_s,
                    traffic_erlangs: 0.0,
                    agents_needed: 0,
                    scheduled_needed: 0,
                    at_needed: None,
                });
            }
            let res = input.calculate().map_err(|e| {
                format!(
                    "{} {}: {} {}",
                    r.channel, r.interval_start, e.flag, e.problem
                )
            })?;
            Ok(SheetRow {
                channel: r.channel.clone(),
                interval_start: r.interval_start.clone(),
                offered: r.offered,
                contacts,
                aht_s: input.aht_s,
                traffic_erlangs: res.traffic_erlangs,
                agents_needed: res.agents_needed,
                scheduled_needed: res.scheduled_needed,
                at_needed: res
                    .rows
                    .iter()
                    .find(|x| x.agents == res.agents_needed)
                    .copied(),
            })
        })
        .collect()
}

/// The sheet as a text table, then the day's totals per channel (agent-intervals).
pub fn sheet_table(rows: &[SheetRow]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<10} {:>14} {:>9} {:>9} {:>7} {:>8} {:>7} {:>10} {:>8} {:>7} {:>10}",
        "channel",
        "interval_start",
        "offered",
        "contacts",
        "AHT s",
        "erlangs",
        "agents",
        "scheduled",
        "SL",
        "ASA s",
        "occupancy"
    );
    for r in rows {
        let (sl, asa, occ) = match &r.at_needed {
            Some(x) => (
                format!("{:.1}%", x.service_level * 100.0),
                if x.asa_s.is_finite() {
                    format!("{:.1}", x.asa_s)
                } else {
                    "-".into()
                },
                format!("{:.1}%", x.occupancy * 100.0),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        let _ = writeln!(
            s,
            "{:<10} {:>14} {:>9} {:>9.1} {:>7} {:>8.2} {:>7} {:>10} {:>8} {:>7} {:>10}",
            r.channel,
            r.interval_start,
            r.offered,
            r.contacts,
            short_num(r.aht_s),
            r.traffic_erlangs,
            r.agents_needed,
            r.scheduled_needed,
            sl,
            asa,
            occ
        );
    }
    let mut channels: Vec<&str> = Vec::new();
    for r in rows {
        if !channels.contains(&r.channel.as_str()) {
            channels.push(&r.channel);
        }
    }
    let _ = writeln!(s);
    for ch in channels {
        let of = rows.iter().filter(|r| r.channel == ch);
        let (need, sched, peak) = of.fold((0u64, 0u64, 0u32), |(a, b, p), r| {
            (
                a + u64::from(r.agents_needed),
                b + r.scheduled_needed,
                p.max(r.agents_needed),
            )
        });
        let _ = writeln!(
            s,
            "{ch}: {need} agent-intervals needed, {sched} scheduled, peak {peak} agents"
        );
    }
    s
}
