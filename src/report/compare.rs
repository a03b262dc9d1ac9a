//! The text and Markdown tables of `acdsim compare` ([`CompareReport`]).

use crate::analysis::compare::{is_share, unit, CompareReport, RowComparison, VariantValue};
use crate::report::table::{fmt_value, format_table};

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
    out
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
