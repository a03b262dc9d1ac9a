//! CSV output: `intervals.csv` (one row per channel and interval, plus `all`), `groups.csv`
//! (occupancy per agent group and interval) and `summary.csv` (every row of the report in long
//! form: kind, id, metric, mean, lo, hi). Each file is written atomically. For `acdsim staff`:
//! `staffing.csv` and `peak_curve.csv`.

use std::path::Path;

use super::{write_atomic, RunReport};
use crate::analysis::staffing::plan::StaffReport;
use crate::stats::{metric_name, Estimate};

fn record(e: &Estimate) -> [String; 3] {
    let f = |x: f64| {
        if x.is_nan() {
            String::new()
        } else {
            format!("{x}")
        }
    };
    [f(e.mean), f(e.lo), f(e.hi)]
}

/// Columns of `n` contact metrics (17, or more with a surge playbook).
fn metric_header(n: usize) -> Vec<String> {
    let mut h = Vec::new();
    for mname in (0..n).map(metric_name) {
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
    let mut head = vec!["channel".to_string(), "interval_start".into()];
    head.extend(metric_header(r.overall.0.len()));
    w.write_record(&head)?;
    let mut write = |ch: &str, id: &str, metrics: &super::Metrics| -> std::io::Result<()> {
        let mut rec = vec![ch.to_string(), id.to_string()];
        for e in &metrics.0 {
            rec.extend(record(e));
        }
        w.write_record(&rec).map_err(std::io::Error::other)
    };
    for c in &r.channels {
        for iv in &c.intervals {
            write(&c.id, &iv.id, &iv.metrics)?;
        }
    }
    for iv in &r.intervals {
        write("all", &iv.id, &iv.metrics)?;
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
        for (i, e) in metrics.0.iter().enumerate() {
            let name = metric_name(i);
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
        "interval",
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
        "interval",
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
                format!("{:.6}", p.service_level),
                format!("{:.6}", p.lo),
                format!("{:.6}", p.hi),
                format!("{:.6}", p.target),
            ])?;
        }
    }
    to_bytes(w)
}
