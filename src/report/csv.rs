//! CSV output: `intervals.csv` (one row per channel and interval, plus `all`), `groups.csv`
//! (occupancy per agent group and interval) and `summary.csv` (every row of the report in long
//! form: kind, id, metric, mean, lo, hi). Each file is written atomically. For `acdsim staff`:
//! `staffing.csv` and `peak_curve.csv`. Every file names the interval `interval_start`.
//!
//! Numbers are rounded to the digits their confidence interval makes meaningful: mean, lower and
//! upper bound to the decimal of the half-width's second significant digit (offered 76.43 with a
//! half-width of 0.96; a service level 0.913 with 0.0125). A figure without an interval (one
//! replication, or a half-width of 0) keeps 6 decimals, trailing zeros dropped.

use std::path::Path;

use super::{write_atomic, RunReport};
use crate::analysis::staffing::plan::StaffReport;
use crate::stats::{metric_name, Estimate};

/// Decimals that show a figure with half-width `hw` to its second significant digit (at most 9).
pub fn meaningful_decimals(hw: f64) -> Option<usize> {
    (hw.is_finite() && hw > 0.0).then(|| (1 - hw.log10().floor() as i64).clamp(0, 9) as usize)
}

/// `x` with `decimals` decimals, or, without, up to 6 with trailing zeros dropped; NaN empty.
fn rounded(x: f64, decimals: Option<usize>) -> String {
    if x.is_nan() {
        return String::new();
    }
    match decimals {
        Some(d) => format!("{x:.d$}"),
        None => {
            let s = format!("{x:.6}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".into()
            } else {
                s.to_string()
            }
        }
    }
}

fn record(e: &Estimate) -> [String; 3] {
    let d = meaningful_decimals(e.half_width);
    [rounded(e.mean, d), rounded(e.lo, d), rounded(e.hi, d)]
}

/// Columns of the contact metrics `ids` (17, or more with a surge playbook or realism).
fn metric_header(ids: &[usize]) -> Vec<String> {
    let mut h = Vec::new();
    for mname in ids.iter().map(|&i| metric_name(i)) {
        h.push(mname.to_string());
        h.push(format!("{mname}_lo"));
        h.push(format!("{mname}_hi"));
    }
    h
}

fn to_bytes(w: csv::Writer<Vec<u8>>) -> std::io::Result<Vec<u8>> {
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// The per-interval CSV text.
pub fn intervals_csv(r: &RunReport) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> = [
        "channel",
        "interval_start",
        "agents_on_duty",
        "target",
        "threshold_s",
        "status",
        "pass",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    head.extend(metric_header(&r.overall.1));
    w.write_record(&head)?;
    let mut write = |ch: &str,
                     k: usize,
                     id: &str,
                     goal: Option<crate::model::Goal>,
                     on: Option<&Vec<u32>>,
                     metrics: &super::Metrics|
     -> std::io::Result<()> {
        let on_duty = on
            .and_then(|v| v.get(k))
            .map_or(String::new(), u32::to_string);
        let mut rec = vec![ch.to_string(), id.to_string(), on_duty];
        match goal {
            Some(g) => {
                let sl = metrics.service_level();
                rec.push(rounded(g.target, None));
                rec.push(rounded(g.threshold_s, None));
                let met = metrics.at(crate::stats::m::GOAL_MET);
                rec.push(super::table::goal_verdict(sl, met, &g).to_string());
                rec.push(if sl.mean.is_nan() {
                    String::new()
                } else {
                    u8::from(sl.mean >= g.target).to_string()
                });
            }
            None => rec.extend([String::new(), String::new(), String::new(), String::new()]),
        }
        for &i in &metrics.1 {
            rec.extend(record(&metrics.0[i]));
        }
        w.write_record(&rec).map_err(std::io::Error::other)
    };
    for (c, ch) in r.channels.iter().enumerate() {
        for (k, iv) in ch.intervals.iter().enumerate() {
            write(
                &ch.id,
                k,
                &iv.id,
                Some(ch.goal),
                r.on_duty.get(c),
                &iv.metrics,
            )?;
        }
    }
    for (k, iv) in r.intervals.iter().enumerate() {
        write("all", k, &iv.id, None, r.on_duty.last(), &iv.metrics)?;
    }

    to_bytes(w)
}

/// The per-group CSV text.
pub fn groups_csv(r: &RunReport) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "group",
        "interval_start",
        "occupancy",
        "occupancy_lo",
        "occupancy_hi",
        "agent_hours",
        "agent_hours_lo",
        "agent_hours_hi",
    ])?;
    for g in &r.groups {
        let mut rec = vec![g.id.clone(), "all".into()];
        rec.extend(record(&g.occupancy));
        rec.extend(record(&g.agent_hours));
        w.write_record(&rec)?;
        for iv in &g.intervals {
            let mut rec = vec![g.id.clone(), iv.id.clone()];
            rec.extend(record(&iv.occupancy));
            rec.extend(record(&iv.agent_hours));
            w.write_record(&rec)?;
        }
    }
    to_bytes(w)
}

/// The long-form summary CSV text.
pub fn summary_csv(r: &RunReport) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["kind", "id", "metric", "mean", "lo", "hi", "n"])?;
    let mut put = |kind: &str, id: &str, metrics: &super::Metrics| -> std::io::Result<()> {
        for &i in &metrics.1 {
            let (name, e) = (metric_name(i), &metrics.0[i]);
            let [a, b, c] = record(e);
            w.write_record([kind, id, name, &a, &b, &c, &e.n.to_string()])
                .map_err(std::io::Error::other)?;
        }
        Ok(())
    };
    put("overall", "all", &r.overall)?;
    for c in &r.channels {
        put("channel", &c.id, &c.metrics)?;
        for s in &c.segments {
            put("channel_segment", &format!("{}/{}", c.id, s.id), &s.metrics)?;
        }
        for t in &c.types {
            put("channel_type", &format!("{}/{}", c.id, t.id), &t.metrics)?;
        }
    }
    for s in &r.segments {
        put("segment", &s.id, &s.metrics)?;
    }
    for t in &r.types {
        put("type", &t.id, &t.metrics)?;
    }

    to_bytes(w)
}

/// Writes the three CSV files into `dir` (created if missing).
pub fn write_csv_dir(r: &RunReport, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_atomic(&dir.join("intervals.csv"), &intervals_csv(r)?)?;
    write_atomic(&dir.join("groups.csv"), &groups_csv(r)?)?;
    write_atomic(&dir.join("summary.csv"), &summary_csv(r)?)?;
    Ok(())
}

/// `staffing.csv` of `acdsim staff`: per group and interval, the required agents at base load
/// and at the surge, the reserve needed, the analytic start, the scheduled agents and the
/// scenario's current headcount.
pub fn staffing_csv(r: &StaffReport) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "group",
        "interval_start",
        "base",
        "surge",
        "reserve",
        "analytic_base",
        "scheduled_base",
        "scheduled_surge",
        "scheduled_reserve",
        "current",
    ])?;
    for (g, plan) in r.groups.iter().enumerate() {
        for (k, label) in r.intervals.iter().enumerate() {
            w.write_record([
                plan.group.clone(),
                label.clone(),
                plan.base[k].to_string(),
                plan.surge[k].to_string(),
                plan.reserve[k].to_string(),
                r.base.analytic[g][k].to_string(),
                plan.scheduled_base[k].to_string(),
                plan.scheduled_surge[k].to_string(),
                plan.scheduled_reserve[k].to_string(),
                plan.current[k].to_string(),
            ])?;
        }
    }
    to_bytes(w)
}

/// `peak_curve.csv` of `acdsim staff`: the peak interval's service level against the agents on
/// duty, at base load and at the surge.
pub fn peak_curve_csv(r: &StaffReport) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "load",
        "interval_start",
        "agents",
        "service_level",
        "service_level_lo",
        "service_level_hi",
        "target",
    ])?;
    for (load, pts) in [("base", &r.peak_curve_base), ("surge", &r.peak_curve_surge)] {
        for p in pts {
            w.write_record([
                load.to_string(),
                r.peak_interval.clone(),
                p.agents.to_string(),
                // Rounded like the run's figures, to the half-width's second digit.
                rounded(p.service_level, meaningful_decimals((p.hi - p.lo) / 2.0)),
                rounded(p.lo, meaningful_decimals((p.hi - p.lo) / 2.0)),
                rounded(p.hi, meaningful_decimals((p.hi - p.lo) / 2.0)),
                rounded(p.target, None),
            ])?;
        }
    }
    to_bytes(w)
}

/// The Erlang sheet of `acdsim erlang --forecast` as CSV: per channel and interval the offered
/// and surged contacts, Erlangs, agents needed and scheduled, and the service level, ASA and
/// occupancy at the agents needed (empty without contacts).
pub fn erlang_sheet_csv(
    rows: &[crate::analysis::staffing::erlang::SheetRow],
) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "channel",
        "interval_start",
        "offered",
        "contacts",
        "aht_s",
        "traffic_erlangs",
        "agents_needed",
        "scheduled_needed",
        "service_level",
        "asa_s",
        "occupancy",
    ])?;
    for r in rows {
        let at = |f: fn(&crate::analysis::staffing::erlang::ErlangRow) -> f64| {
            r.at_needed.as_ref().map_or(String::new(), |x| {
                let v = f(x);
                if v.is_finite() {
                    format!("{v:.4}")
                } else {
                    String::new()
                }
            })
        };
        w.write_record([
            r.channel.clone(),
            r.interval_start.clone(),
            rounded(r.offered, None),
            rounded(r.contacts, None),
            rounded(r.aht_s, None),
            format!("{:.4}", r.traffic_erlangs),
            r.agents_needed.to_string(),
            r.scheduled_needed.to_string(),
            at(|x| x.service_level),
            at(|x| x.asa_s),
            at(|x| x.occupancy),
        ])?;
    }
    to_bytes(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_rounded_to_their_half_width() {
        assert_eq!(meaningful_decimals(0.96), Some(2));
        assert_eq!(meaningful_decimals(1.6), Some(1));
        assert_eq!(meaningful_decimals(19.6), Some(0));
        assert_eq!(meaningful_decimals(0.0125), Some(3));
        assert_eq!(meaningful_decimals(0.0), None);
        assert_eq!(meaningful_decimals(f64::NAN), None);
        let e = Estimate {
            mean: 4431.866999999998,
            lo: 4412.2,
            hi: 4451.5,
            half_width: 19.6,
            n: 300,
        };
        assert_eq!(record(&e), ["4432", "4412", "4452"]);
        let sl = Estimate {
            mean: 0.9128652420409944,
            lo: 0.9003535968869485,
            hi: 0.9253768871950403,
            half_width: 0.0125,
            n: 300,
        };
        assert_eq!(record(&sl), ["0.913", "0.900", "0.925"]);
        // No interval: 6 decimals at most, trailing zeros dropped; NaN is empty.
        assert_eq!(rounded(1.0, None), "1");
        assert_eq!(rounded(0.30000000000000004, None), "0.3");
        assert_eq!(rounded(-0.0000001, None), "0");
        assert_eq!(rounded(f64::NAN, Some(2)), "");
    }
}
