//! The outputs of `acdsim roster`: the roster table and coverage per interval (text), the
//! `roster.csv` a WFM tool imports (one row per shift start and group), and the JSON.

use std::fmt::Write as _;

use crate::analysis::roster::{GroupRoster, RosterResult};
use crate::model::roster::Shift;
use crate::model::Model;

/// `HH:MM` of `off` seconds after opening.
fn clock(model: &Model, off: f64) -> String {
    crate::model::clock_label((model.open_s + off).round() as u64)
}

/// A shift's breaks as `10:00 15m, 12:30 30m unpaid`.
fn breaks(model: &Model, s: &Shift) -> String {
    s.breaks
        .iter()
        .map(|b| {
            format!(
                "{} {}m{}",
                clock(model, b.start_s),
                (b.length_s / 60.0).round(),
                if b.paid { "" } else { " unpaid" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn money(priced: bool, v: f64) -> String {
    if priced {
        format!("{v:.2}")
    } else {
        format!("{v:.2} h")
    }
}

/// The text report: roster per group, coverage per interval, totals, goals.
pub fn to_table(r: &RosterResult, model: &Model) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Roster for {} (shifts {}, absence {:.1}%)",
        r.scenario,
        r.shift_file,
        r.absence * 100.0
    );
    for g in &r.groups {
        roster_table(&mut out, g, model);
        coverage_table(&mut out, g, r);
    }
    let unit = if r.priced {
        ""
    } else {
        " (no prices: cost in paid hours)"
    };
    let _ = writeln!(out, "\nTotals{unit}");
    let _ = writeln!(
        out,
        "  {:<14} {:>10} {:>12} {:>14} {:>16}",
        "group", "paid h", "cost", "headcount h", "headcount cost"
    );
    for g in &r.groups {
        let _ = writeln!(
            out,
            "  {:<14} {:>10.1} {:>12} {:>14.1} {:>16}",
            g.group,
            g.paid_hours,
            money(r.priced, g.cost),
            g.headcount_paid_hours,
            money(r.priced, g.headcount_cost)
        );
    }
    let _ = writeln!(
        out,
        "  {:<14} {:>10.1} {:>12}",
        "all",
        r.total_paid_hours,
        money(r.priced, r.total_cost)
    );
    let _ = writeln!(
        out,
        "\nInteger program: cost {} vs LP bound {}: optimality gap {:.2}% (before repairs)",
        money(r.priced, r.total_mip_cost),
        money(r.priced, r.total_lp_bound),
        r.optimality_gap * 100.0
    );
    let _ = writeln!(
        out,
        "Simulation check: {} check(s), {} repair(s) (shifts added)",
        r.checks,
        r.repairs.len()
    );
    for rp in &r.repairs {
        let _ = writeln!(
            out,
            "  round {}: + {} {} at {} for {}",
            rp.round,
            rp.group,
            rp.shift,
            rp.start,
            rp.for_goals.join("; ")
        );
    }
    goals_table(&mut out, r);
    out
}

fn roster_table(out: &mut String, g: &GroupRoster, model: &Model) {
    let _ = writeln!(
        out,
        "\nGroup {}: {} agents rostered",
        g.group,
        g.shifts.iter().map(|s| s.agents).sum::<u32>()
    );
    let _ = writeln!(
        out,
        "  {:<8} {:>5} {:>5} {:>6}  breaks",
        "shift", "start", "end", "agents"
    );
    let mut shifts: Vec<&Shift> = g.shifts.iter().collect();
    shifts.sort_by(|a, b| a.start_s.total_cmp(&b.start_s).then(a.label.cmp(&b.label)));
    for s in shifts {
        let _ = writeln!(
            out,
            "  {:<8} {:>5} {:>5} {:>6}  {}",
            s.label,
            clock(model, s.start_s),
            clock(model, s.end_s),
            s.agents,
            breaks(model, s)
        );
    }
}

fn coverage_table(out: &mut String, g: &GroupRoster, r: &RosterResult) {
    let _ = writeln!(
        out,
        "  {:<6} {:>8} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "", "required", "scheduled", "planned", "measured", "over", "under"
    );
    for (k, label) in r.intervals.iter().enumerate() {
        let (over, under) = over_under(g, k);
        let _ = writeln!(
            out,
            "  {:<6} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>7.2}",
            label,
            g.required[k],
            g.scheduled[k],
            g.planned_on_phones[k],
            g.on_phones[k],
            over,
            under
        );
    }
}

/// Over- and under-coverage of interval `k`: agents on the phones as planned (after breaks and
/// expected absence) less the required, split by sign.
pub fn over_under(g: &GroupRoster, k: usize) -> (f64, f64) {
    let d = g.planned_on_phones[k] - g.required[k] as f64;
    (d.max(0.0), (-d).max(0.0))
}

fn goals_table(out: &mut String, r: &RosterResult) {
    let met = r.goals.iter().filter(|g| g.met).count();
    let _ = writeln!(
        out,
        "\nGoals: {met} of {} met{}",
        r.goals.len(),
        if r.all_goals_met { "" } else { " (NOT all)" }
    );
    for g in r.goals.iter().filter(|g| !g.met || g.kind != "channel") {
        let _ = writeln!(
            out,
            "  {:<10} {:<12} {:<6} target {:>6.1}%  mean {:>6.1}%  CI [{:.1}%, {:.1}%]  {}",
            g.kind,
            g.id,
            g.interval.clone().unwrap_or_else(|| "day".into()),
            g.target * 100.0,
            g.mean * 100.0,
            g.lo * 100.0,
            g.hi * 100.0,
            if g.met { "met" } else { "NOT met" }
        );
    }
    let worst = r
        .goals
        .iter()
        .filter(|g| g.kind == "channel")
        .min_by(|a, b| (a.lo - a.target).total_cmp(&(b.lo - b.target)));
    if let Some(w) = worst {
        let _ = writeln!(
            out,
            "  closest channel goal: {} {}: {:.1}% [{:.1}%, {:.1}%] vs {:.1}%",
            w.id,
            w.interval.clone().unwrap_or_default(),
            w.mean * 100.0,
            w.lo * 100.0,
            w.hi * 100.0,
            w.target * 100.0
        );
    }
}

/// `roster.csv`: one row per shift block and group (identical shifts with the same breaks
/// together), with the breaks in columns.
pub fn to_csv(r: &RosterResult, model: &Model) -> Vec<u8> {
    let most = r
        .groups
        .iter()
        .flat_map(|g| g.shifts.iter().map(|s| s.breaks.len()))
        .max()
        .unwrap_or(0);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["group", "shift", "start", "end", "agents", "paid_hours"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for i in 1..=most {
        header.push(format!("break{i}_start"));
        header.push(format!("break{i}_minutes"));
        header.push(format!("break{i}_paid"));
    }
    let _ = w.write_record(&header);
    for g in &r.groups {
        let mut shifts: Vec<&Shift> = g.shifts.iter().collect();
        shifts.sort_by(|a, b| a.start_s.total_cmp(&b.start_s).then(a.label.cmp(&b.label)));
        for s in shifts {
            let mut row = vec![
                g.group.clone(),
                s.label.clone(),
                clock(model, s.start_s),
                clock(model, s.end_s),
                s.agents.to_string(),
                format!("{:.2}", s.paid_hours()),
            ];
            for i in 0..most {
                match s.breaks.get(i) {
                    Some(b) => {
                        row.push(clock(model, b.start_s));
                        row.push(format!("{}", (b.length_s / 60.0).round()));
                        row.push(b.paid.to_string());
                    }
                    None => row.extend([String::new(), String::new(), String::new()]),
                }
            }
            let _ = w.write_record(&row);
        }
    }
    w.into_inner().unwrap_or_default()
}

/// Coverage per group and interval as CSV (required, scheduled, planned and measured on the
/// phones, over, under).
pub fn coverage_csv(r: &RosterResult) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "group",
        "interval",
        "required",
        "scheduled",
        "planned_on_phones",
        "measured_on_phones",
        "over",
        "under",
    ]);
    for g in &r.groups {
        for (k, label) in r.intervals.iter().enumerate() {
            let (over, under) = over_under(g, k);
            let _ = w.write_record([
                g.group.clone(),
                label.clone(),
                g.required[k].to_string(),
                format!("{:.3}", g.scheduled[k]),
                format!("{:.3}", g.planned_on_phones[k]),
                format!("{:.3}", g.on_phones[k]),
                format!("{over:.3}"),
                format!("{under:.3}"),
            ]);
        }
    }
    w.into_inner().unwrap_or_default()
}

/// The JSON of the roster (`schema_version` 1).
pub fn to_json(r: &RosterResult) -> String {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("schema_version".into(), 1.into());
    }
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}
