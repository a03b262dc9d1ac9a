//! Text tables. The run's terminal table ([`to_table`]): per channel with a pass/fail mark
//! against its goal, then segments, types, agent groups and intervals, means with the half-width
//! of their confidence interval. The table layouts the other commands share ([`render`], and
//! [`format_table`] in text or Markdown) with their value formats, and `acdsim validate`'s
//! summary line.

use std::fmt::Write;

use super::{Metrics, RowReport, RunReport};
use crate::analysis::compare::{is_share, unit};
use crate::model::dist::short_num;
use crate::model::Model;
use crate::stats::{m, Estimate};

/// `86.2% ±0.4` for shares.
pub fn pct(e: &Estimate) -> String {
    if e.mean.is_nan() {
        return "-".into();
    }
    if e.half_width.is_nan() {
        return format!("{:.1}%", e.mean * 100.0);
    }
    format!("{:.1}% ±{:.1}", e.mean * 100.0, e.half_width * 100.0)
}

/// `12.3 ±0.4` for seconds and counts.
pub fn num(e: &Estimate, digits: usize) -> String {
    if e.mean.is_nan() {
        return "-".into();
    }
    if e.half_width.is_nan() {
        return fixed(e.mean, digits);
    }
    format!("{} ±{}", fixed(e.mean, digits), fixed(e.half_width, digits))
}

/// `x` with `digits` decimals, but from 10^9 on in scientific notation (`1.23e12`, not 13
/// digits or, for 1e300, 301) and `-` for an infinite value.
pub fn fixed(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x.abs() >= 1e9 {
        format!("{x:.2e}")
    } else {
        format!("{x:.digits$}")
    }
}

/// Verdict of a service level against a target, judged on the confidence interval.
pub fn verdict(sl: &Estimate, target: f64) -> &'static str {
    if sl.mean.is_nan() {
        "n/a"
    } else if sl.lo >= target {
        "PASS"
    } else if sl.hi < target {
        "FAIL"
    } else if sl.mean >= target {
        "pass?"
    } else {
        "fail?"
    }
}

/// Verdict of a row against its goal: with a `days_share`, the share of days meeting the goal
/// (`met`, the row's `goal_met`) against it; otherwise its service level `sl` against the target.
pub fn goal_verdict(sl: &Estimate, met: &Estimate, g: &crate::model::Goal) -> &'static str {
    match g.days_share {
        Some(d) => verdict(met, d),
        None => verdict(sl, g.target),
    }
}

/// A goal as the tables show it: `85% in 15 s`, and `on 85% of days` with a `days_share`.
fn goal_text(g: &crate::model::Goal) -> String {
    let base = format!("{:.0}% in {} s", g.target * 100.0, short_num(g.threshold_s));
    match g.days_share {
        Some(d) => format!("{base} on {:.0}% of days", d * 100.0),
        None => base,
    }
}

/// Appends an aligned text table to `out`: the first column left-aligned, the others right-aligned,
/// two spaces apart, widths in characters.
pub fn render(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut w: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            if i == 0 {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str("  ");
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
        }
        s.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(header.to_vec()));
    for r in rows {
        let _ = writeln!(out, "{}", line(r.iter().map(String::as_str).collect()));
    }
}

/// A value in its [`unit()`]: percent for shares, seconds for times, a plain number for counts.
pub fn fmt_value(metric: usize, e: &Estimate) -> String {
    if e.mean.is_nan() {
        "-".into()
    } else if is_share(metric) {
        format!("{:.1}%", e.mean * 100.0)
    } else {
        format!("{}{}", fixed(e.mean, 1), unit(metric))
    }
}

/// Aligned text table, or a Markdown table: the first `left` columns (labels) aligned left, the
/// others (figures) right.
pub fn format_table(header: &[String], lines: &[Vec<String>], md: bool, left: usize) -> String {
    let mut out = String::new();
    if md {
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        out.push_str(&format!(
            "|{}\n",
            header
                .iter()
                .enumerate()
                .map(|(i, _)| if i < left { " --- |" } else { " ---: |" })
                .collect::<String>()
        ));
        for l in lines {
            out.push_str(&format!("| {} |\n", l.join(" | ")));
        }
        return out;
    }
    let n = header.len();
    let mut w = vec![0usize; n];
    for l in std::iter::once(header).chain(lines.iter().map(|l| l.as_slice())) {
        for (i, c) in l.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let fmt_line = |l: &[String]| -> String {
        let cells: Vec<String> = l
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = w[i] - c.chars().count();
                if i < left {
                    format!("{c}{}", " ".repeat(pad))
                } else {
                    format!("{}{c}", " ".repeat(pad))
                }
            })
            .collect();
        format!("{}\n", cells.join("  ").trim_end())
    };
    out.push_str(&fmt_line(header));
    out.push_str(&format!(
        "{}\n",
        "-".repeat(w.iter().sum::<usize>() + 2 * (n - 1))
    ));
    for l in lines {
        out.push_str(&fmt_line(l));
    }
    out
}

fn contact_cells(mx: &Metrics) -> Vec<String> {
    vec![
        num(mx.at(m::OFFERED), 1),
        pct(mx.at(m::SERVICE_LEVEL)),
        num(mx.at(m::ASA), 1),
        pct(mx.at(m::ABANDON_RATE)),
        num(mx.at(m::P90), 1),
        pct(mx.at(m::LONG_WAIT_SHARE)),
    ]
}

const CONTACT_HEAD: [&str; 6] = [
    "offered",
    "service level",
    "ASA s",
    "abandoned",
    "p90 wait s",
    "wait>LONG",
];

fn head_with(first: &str, extra: &[&str], long_wait_s: f64) -> Vec<String> {
    let mut h = vec![first.to_string()];
    h.extend(extra.iter().map(|s| s.to_string()));
    h.extend(
        CONTACT_HEAD
            .iter()
            .map(|s| s.replace("LONG", &format!("{long_wait_s:.0}s"))),
    );
    h
}

fn rows_table(out: &mut String, title: &str, rows: &[RowReport], long_wait_s: f64) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    let head = head_with(
        title.split_whitespace().next().unwrap_or(""),
        &["goal", "goal SL", "status"],
        long_wait_s,
    );
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut v = vec![r.id.clone()];
            match r.goal {
                Some(g) => {
                    let gsl = r.metrics.at(m::GOAL_SL);
                    v.push(goal_text(&g));
                    v.push(pct(gsl));
                    v.push(goal_verdict(gsl, r.metrics.at(m::GOAL_MET), &g).into());
                }
                None => v.extend(["-".to_string(), "-".into(), "".into()]),
            }
            v.extend(contact_cells(&r.metrics));
            v
        })
        .collect();
    render(
        out,
        &head.iter().map(String::as_str).collect::<Vec<_>>(),
        &body,
    );
}

/// The whole table.
pub fn to_table(r: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "acdsim {} | {} [{}] | {} replications | seed {} | {} | volume x{:.2}",
        r.tool_version,
        r.scenario.name,
        r.scenario.hash,
        r.replications,
        r.seed,
        r.strategy,
        r.surge
    );
    let _ = writeln!(
        out,
        "service level = {}; ± = half-width of the {:.0}% confidence interval over replications",
        r.service_level.definition,
        r.confidence * 100.0
    );
    let lw = r.service_level.long_wait_s;
    let _ = writeln!(out, "\nChannels");
    let head = head_with("channel", &["goal", "status", "met in"], lw);
    let mut body: Vec<Vec<String>> = r
        .channels
        .iter()
        .map(|c| {
            let sl = c.metrics.service_level();
            let mut v = vec![
                c.id.clone(),
                goal_text(&c.goal),
                goal_verdict(sl, c.metrics.at(m::GOAL_MET), &c.goal).into(),
                format!("{:.0}% reps", c.metrics.at(m::GOAL_MET).mean * 100.0),
            ];
            v.extend(contact_cells(&c.metrics));
            v
        })
        .collect();
    let mut all = vec!["all".to_string(), "".into(), "".into(), "".into()];
    all.extend(contact_cells(&r.overall));
    body.push(all);
    render(
        &mut out,
        &head.iter().map(String::as_str).collect::<Vec<_>>(),
        &body,
    );

    rows_table(&mut out, "segment (all channels)", &r.segments, lw);
    for c in &r.channels {
        if c.segments.len() > 1 {
            rows_table(&mut out, &format!("segment on {}", c.id), &c.segments, lw);
        }
    }
    rows_table(&mut out, "type (all channels)", &r.types, lw);

    let _ = writeln!(out, "\nAgent groups");
    let body: Vec<Vec<String>> = r
        .groups
        .iter()
        .map(|g| vec![g.id.clone(), pct(&g.occupancy), num(&g.agent_hours, 1)])
        .collect();
    render(&mut out, &["group", "occupancy", "agent-hours"], &body);
    staffing_cost_line(&mut out, r);

    let _ = writeln!(out, "\nService level by interval");
    let mut head = vec!["start".to_string(), "offered".into()];
    head.extend(r.channels.iter().map(|c| c.id.clone()));
    head.push("all".into());
    let body: Vec<Vec<String>> = r
        .intervals
        .iter()
        .enumerate()
        .map(|(k, iv)| {
            let mut v = vec![iv.id.clone(), num(iv.metrics.at(m::OFFERED), 0)];
            for c in &r.channels {
                let sl = c.intervals[k].metrics.service_level();
                let mark = if sl.mean.is_nan() {
                    ""
                } else if sl.mean < c.goal.target {
                    " !"
                } else {
                    ""
                };
                v.push(format!("{}{}", pct(sl), mark));
            }
            v.push(pct(iv.metrics.service_level()));
            v
        })
        .collect();
    render(
        &mut out,
        &head.iter().map(String::as_str).collect::<Vec<_>>(),
        &body,
    );
    let _ = writeln!(
        out,
        "(! = mean below the channel's target in that interval)"
    );
    playbook_table(&mut out, r);
    realism_tables(&mut out, r);
    out
}

/// The realism tables ([`super::realism::realism_sections`]), for scenarios that use them.
fn realism_tables(out: &mut String, r: &RunReport) {
    use super::realism::Value;
    for sec in super::realism::realism_sections(r) {
        let _ = writeln!(out, "\n{}", sec.title);
        let body: Vec<Vec<String>> = sec
            .rows
            .iter()
            .map(|(id, vals)| {
                std::iter::once(id.clone())
                    .chain(vals.iter().map(|v| match v {
                        Value::Pct(e) => pct(e),
                        Value::Num(e, d) => num(e, *d),
                    }))
                    .collect()
            })
            .collect();
        render(out, &sec.header, &body);
    }
}

/// `HH:MM` of `minutes` after the opening time `open` (`HH:MM`).
fn clock_after(open: &str, minutes: f64) -> String {
    let Some(t0) = crate::input::forecast::parse_clock(open) else {
        return format!("+{minutes:.0} min");
    };
    crate::model::clock_label((t0 + minutes * 60.0).round() as u64)
}

/// `+12.3 pp ±0.4` for a difference of shares.
fn pp(e: &Estimate) -> String {
    if e.mean.is_nan() {
        return "-".into();
    }
    if e.half_width.is_nan() {
        return format!("{:+.1} pp", e.mean * 100.0);
    }
    format!("{:+.1} pp ±{:.1}", e.mean * 100.0, e.half_width * 100.0)
}

/// The surge playbook: when it was activated, and the day with and without it side by side.
fn playbook_table(out: &mut String, r: &RunReport) {
    let (Some(p), Some(w)) = (&r.playbook, &r.without_playbook) else {
        return;
    };
    let _ = writeln!(out, "\nSurge playbook");
    let _ = write!(out, "activated on {} of the days", pct(&p.activated));
    if p.activation_minutes.n > 0 {
        let _ = write!(
            out,
            ", at {} on average (±{:.0} min)",
            clock_after(&r.day.open, p.activation_minutes.mean),
            p.activation_minutes.half_width.max(0.0)
        );
    }
    if p.reserve_join_minutes.n > 0 {
        let _ = write!(
            out,
            "; reserve on duty from {} on average",
            clock_after(&r.day.open, p.reserve_join_minutes.mean)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Same days without and with the playbook (common random numbers); change = paired difference"
    );
    let head = [
        "row",
        "goal",
        "SL without",
        "SL with",
        "change",
        "ASA s without",
        "ASA s with",
        "abandoned without",
        "abandoned with",
        "diverted",
        "callbacks",
        "called back",
        "callback delay s",
        "hung up",
    ];
    let mut body: Vec<Vec<String>> = Vec::new();
    let mut push =
        |id: String, goal: String, with: &Metrics, without: &Metrics, sl: usize, d: &Estimate| {
            body.push(vec![
                id,
                goal,
                pct(without.at(sl)),
                pct(with.at(sl)),
                pp(d),
                num(without.at(m::ASA), 1),
                num(with.at(m::ASA), 1),
                pct(without.at(m::ABANDON_RATE)),
                pct(with.at(m::ABANDON_RATE)),
                num(with.at(m::DIVERTED), 1),
                num(with.at(m::CALLBACK_REQUESTED), 1),
                num(with.at(m::CALLBACK_COMPLETED), 1),
                num(with.at(m::CALLBACK_DELAY), 0),
                num(with.at(m::HUNG_UP), 1),
            ]);
        };
    let effect = |kind: &str, id: &str| p.effect.iter().find(|e| e.kind == kind && e.id == id);
    for (c, cw) in r.channels.iter().zip(&w.channels) {
        if let Some(e) = effect("channel", &c.id) {
            let goal = format!(
                "{:.0}% in {} s",
                c.goal.target * 100.0,
                short_num(c.goal.threshold_s)
            );
            push(
                c.id.clone(),
                goal,
                &c.metrics,
                &cw.metrics,
                m::SERVICE_LEVEL,
                &e.service_level,
            );
        }
    }
    for (s, sw) in r.segments.iter().zip(&w.segments) {
        let (Some(g), Some(e)) = (s.goal, effect("segment", &s.id)) else {
            continue;
        };
        let Some(d) = &e.goal_service_level else {
            continue;
        };
        let goal = format!("{:.0}% in {} s", g.target * 100.0, short_num(g.threshold_s));
        push(s.id.clone(), goal, &s.metrics, &sw.metrics, m::GOAL_SL, d);
    }
    if let Some(e) = effect("overall", "overall") {
        push(
            "all".into(),
            "".into(),
            &r.overall,
            &w.overall,
            m::SERVICE_LEVEL,
            &e.service_level,
        );
    }
    render(out, &head, &body);
    let _ = writeln!(
        out,
        "(segment rows: the segment's goal service level; diverted, callbacks and hung up are not in the service level, see README)"
    );
}

/// The line `acdsim validate` prints for a valid scenario: its size (channels, classes, groups,
/// agents, intervals) and its surge playbook's reserve.
pub fn validation_summary(model: &Model) -> String {
    let regular = model.regular_groups();
    let agents: u32 = model.groups[..regular]
        .iter()
        .map(|g| g.headcount.iter().copied().max().unwrap_or(0))
        .sum();
    let reserve = &model.groups[regular..];
    let playbook = if model.playbook.is_some() {
        format!(
            ", surge playbook with {} reserve group(s) of {} agents",
            reserve.len(),
            reserve.iter().map(|g| g.reserve).sum::<u32>()
        )
    } else {
        String::new()
    };
    format!(
        "{}: ok: scenario `{}`, {} channels, {} contact classes, {} agent groups (up to {} agents), {} intervals of {} min{playbook}",
        model.source,
        model.name,
        model.channels.len(),
        model.classes.len(),
        regular,
        agents,
        model.n_intervals,
        model.interval_s / 60.0
    )
}

/// The day's staffing cost, when the scenario gives prices.
fn staffing_cost_line(out: &mut String, r: &RunReport) {
    if let Some(c) = &r.staffing_cost {
        let parts: Vec<String> = c
            .groups
            .iter()
            .map(|g| {
                format!(
                    "{} {:.1} h x {} = {:.2}",
                    g.group, g.paid_hours, g.cost_per_hour, g.cost
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "Staffing cost of the day: {:.2} for {:.1} paid hours ({})",
            c.cost,
            c.paid_hours,
            parts.join("; ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_table_has_separator_row() {
        let t = format_table(
            &["a".into(), "b".into(), "c".into()],
            &[vec!["x".into(), "y".into(), "1".into()]],
            true,
            2,
        );
        assert_eq!(t, "| a | b | c |\n| --- | --- | ---: |\n| x | y | 1 |\n");
    }
}
