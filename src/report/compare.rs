//! The text and Markdown tables of `acdsim compare` ([`CompareReport`]).

use crate::analysis::compare::{
    is_share, unit, CompareReport, MetricComparison, RowComparison, VariantValue,
};
use crate::report::table::{fmt_value, format_table, verdict};
use crate::stats::m;

/// Plain-text tables, one per row kind (channels, segments, overall).
pub fn to_table(r: &CompareReport) -> String {
    render(r, false)
}

/// GitHub-flavoured Markdown tables (for a CI job summary).
pub fn to_markdown(r: &CompareReport) -> String {
    render(r, true)
}

fn render(r: &CompareReport, md: bool) -> String {
    let mut out = String::new();
    if md {
        out.push_str(&format!("### {}\n\n", r.title));
    } else {
        out.push_str(&format!("{}\n", r.title));
    }
    out.push_str(&format!(
        "{} replications, seed {}, common random numbers; baseline: {}. Difference = variant - baseline (paired, {:.0}% CI); * = significant (CI excludes 0).\n\n",
        r.replications,
        r.seed,
        r.baseline,
        r.confidence * 100.0
    ));
    for (kind, heading) in [
        ("channel", "Channels"),
        ("segment", "Segments"),
        ("overall", "Overall"),
    ] {
        let rows: Vec<&RowComparison> = r.rows.iter().filter(|row| row.kind == kind).collect();
        if rows.is_empty() {
            continue;
        }
        let mut header = vec![heading.to_string(), "metric".into(), r.baseline.clone()];
        for v in &r.variants {
            header.push(v.clone());
            header.push(format!("Δ {v}"));
        }
        let mut lines = Vec::new();
        for row in rows {
            for mc in &row.metrics {
                let mi = mc.index;
                let mut line = vec![
                    row.id.clone(),
                    mc.metric.clone(),
                    fmt_value(mi, &mc.baseline),
                ];
                for vv in &mc.variants {
                    line.push(fmt_value(mi, &vv.value));
                    line.push(fmt_diff(mi, vv));
                }
                lines.push(line);
            }
        }
        out.push_str(&format_table(&header, &lines, md, 2));
        out.push('\n');
    }
    goals_table(&mut out, r, md);
    groups_table(&mut out, r, md);
    intervals_table(&mut out, r, md);
    out
}

/// `▲` (significantly better than the baseline), `▼` (significantly worse), or nothing.
pub fn marker(v: &VariantValue) -> &'static str {
    match (v.significant, v.better) {
        (true, true) => " ▲",
        (true, false) => " ▼",
        _ => "",
    }
}

/// A small heading: a line of text, or a Markdown heading.
fn heading(out: &mut String, text: &str, md: bool) {
    if md {
        out.push_str(&format!("#### {text}\n\n"));
    } else {
        out.push_str(&format!("{text}\n"));
    }
}

/// The goal service level of a row (a segment's own goal, or the channel's service level).
fn goal_metric(row: &RowComparison) -> Option<&MetricComparison> {
    let name = if row.kind == "segment" {
        "goal_service_level"
    } else {
        "service_level"
    };
    row.metrics.iter().find(|mc| mc.metric == name)
}

/// Pass/fail of every goal in every variant (judged on the interval, as `acdsim run` does),
/// with ▲/▼ where a variant is significantly better or worse than the baseline.
fn goals_table(out: &mut String, r: &CompareReport, md: bool) {
    let goals: Vec<(&RowComparison, &MetricComparison)> = r
        .rows
        .iter()
        .filter(|row| row.goal.is_some())
        .filter_map(|row| goal_metric(row).map(|mc| (row, mc)))
        .collect();
    if goals.is_empty() {
        return;
    }
    heading(out, "Goals per variant (PASS / FAIL / pass? / fail? on the interval; ▲ better, ▼ worse than the baseline, significant)", md);
    let mut header = vec!["goal".to_string(), "target".into(), r.baseline.clone()];
    header.extend(r.variants.iter().cloned());
    let mut passed = vec![0usize; 1 + r.variants.len()];
    let mut lines = Vec::new();
    for (row, mc) in &goals {
        let g = row.goal.expect("filtered");
        let mut line = vec![
            format!("{} {}", row.kind, row.id),
            format!("{:.0}% in {} s", g.target * 100.0, g.threshold_s),
        ];
        let base = verdict(&mc.baseline, g.target);
        passed[0] += usize::from(base == "PASS");
        line.push(format!("{} {base}", fmt_value(mc.index, &mc.baseline)));
        for (k, v) in mc.variants.iter().enumerate() {
            let st = verdict(&v.value, g.target);
            passed[k + 1] += usize::from(st == "PASS");
            line.push(format!(
                "{} {st}{}",
                fmt_value(mc.index, &v.value),
                marker(v)
            ));
        }
        lines.push(line);
    }
    let mut total = vec!["goals met".to_string(), String::new()];
    total.extend(passed.iter().map(|p| format!("{p} of {}", goals.len())));
    lines.push(total);
    out.push_str(&format_table(&header, &lines, md, 2));
    out.push('\n');
}

/// Each agent group's occupancy per variant, with its paired difference.
fn groups_table(out: &mut String, r: &CompareReport, md: bool) {
    if r.groups.is_empty() {
        return;
    }
    heading(out, "Agent group occupancy", md);
    let mut header = vec!["group".to_string(), r.baseline.clone()];
    for v in &r.variants {
        header.push(v.clone());
        header.push(format!("Δ {v}"));
    }
    let lines: Vec<Vec<String>> = r
        .groups
        .iter()
        .map(|g| {
            let mc = &g.occupancy;
            let mut line = vec![g.id.clone(), fmt_value(mc.index, &mc.baseline)];
            for v in &mc.variants {
                line.push(fmt_value(mc.index, &v.value));
                line.push(fmt_diff(mc.index, v));
            }
            line
        })
        .collect();
    out.push_str(&format_table(&header, &lines, md, 1));
    out.push('\n');
}

/// Each channel's service level per interval in every variant; `!` marks a value below the
/// channel's target, ▲/▼ a significant change from the baseline.
fn intervals_table(out: &mut String, r: &CompareReport, md: bool) {
    if r.intervals.is_empty() {
        return;
    }
    heading(out, "Service level by interval (! = below the channel's target; ▲ better, ▼ worse than the baseline, significant)", md);
    let mut channels: Vec<&str> = Vec::new();
    let mut starts: Vec<&str> = Vec::new();
    for iv in &r.intervals {
        if !channels.contains(&iv.channel.as_str()) {
            channels.push(&iv.channel);
        }
        if !starts.contains(&iv.interval_start.as_str()) {
            starts.push(&iv.interval_start);
        }
    }
    let mut header = vec!["interval_start".to_string()];
    for ch in &channels {
        header.push(format!("{ch} {}", r.baseline));
        for v in &r.variants {
            header.push(format!("{ch} {v}"));
        }
    }
    let below = |e: &crate::stats::Estimate, t: f64| if e.mean < t { " !" } else { "" };
    let lines: Vec<Vec<String>> = starts
        .iter()
        .map(|start| {
            let mut line = vec![start.to_string()];
            for ch in &channels {
                let iv = r
                    .intervals
                    .iter()
                    .find(|iv| iv.channel == *ch && iv.interval_start == *start);
                let Some(iv) = iv else {
                    line.extend((0..=r.variants.len()).map(|_| "-".to_string()));
                    continue;
                };
                let mc = &iv.service_level;
                let base = fmt_value(m::SERVICE_LEVEL, &mc.baseline);
                line.push(format!("{base}{}", below(&mc.baseline, iv.target)));
                for v in &mc.variants {
                    line.push(format!(
                        "{}{}{}",
                        fmt_value(m::SERVICE_LEVEL, &v.value),
                        below(&v.value, iv.target),
                        marker(v)
                    ));
                }
            }
            line
        })
        .collect();
    out.push_str(&format_table(&header, &lines, md, 1));
    out.push('\n');
}

fn fmt_diff(metric: usize, v: &VariantValue) -> String {
    let d = &v.difference;
    if d.mean.is_nan() {
        return "-".into();
    }
    let (scale, unit) = if is_share(metric) {
        (100.0, " pp")
    } else {
        (1.0, unit(metric))
    };
    let hw = d.half_width * scale;
    // One decimal, or as many (up to 6) as it takes for the half-width not to round to zero:
    // a significant difference of 0.03 s is not written `-0.0 ±0.0 s *`.
    let dec = if hw > 0.0 {
        (1..=6)
            .find(|&k| hw * 10f64.powi(k as i32) >= 0.5)
            .unwrap_or(6)
    } else {
        1
    };
    let hw = if hw.is_nan() {
        "?".to_string()
    } else {
        format!("{hw:.dec$}")
    };
    format!(
        "{:+.dec$} ±{hw}{unit}{}",
        d.mean * scale,
        if v.significant { " *" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{m, Estimate};

    #[test]
    fn differences_show_as_many_decimals_as_their_half_width_needs() {
        let diff = |mean: f64, half_width: f64| VariantValue {
            variant: "b".into(),
            value: Estimate {
                mean: 0.0,
                lo: 0.0,
                hi: 0.0,
                half_width: 0.0,
                n: 10,
            },
            difference: Estimate {
                mean,
                lo: mean - half_width,
                hi: mean + half_width,
                half_width,
                n: 10,
            },
            significant: (mean - half_width) * (mean + half_width) > 0.0,
            better: false,
        };
        assert_eq!(fmt_diff(m::ASA, &diff(7.04, 0.21)), "+7.0 ±0.2 s *");
        assert_eq!(fmt_diff(m::ASA, &diff(-0.034, 0.02)), "-0.03 ±0.02 s *");
        assert_eq!(fmt_diff(m::P90, &diff(0.0041, 0.002)), "+0.004 ±0.002 s *");
        assert_eq!(fmt_diff(m::ASA, &diff(0.0, 0.0)), "+0.0 ±0.0 s");
        assert_eq!(fmt_diff(m::P90, &diff(0.095, 0.095)), "+0.1 ±0.1 s");
        assert_eq!(
            fmt_diff(m::P90, &diff(-0.0002, 0.0001)),
            "-0.0002 ±0.0001 s *"
        );
        assert_eq!(
            fmt_diff(m::SERVICE_LEVEL, &diff(-0.187, 0.005)),
            "-18.7 ±0.5 pp *"
        );
        assert_eq!(fmt_diff(m::ASA, &diff(1.0, f64::NAN)), "+1.0 ±? s");
    }
}
