//! The text tables of `acdsim staff` ([`StaffReport`]): required and scheduled agents per group
//! and interval, the peak interval, and each search's verdict with its tightest goal.

use std::fmt::Write as _;

use crate::analysis::staffing::plan::{GroupPlan, StaffReport};
use crate::analysis::staffing::search;
use crate::report::table::render;

/// The staffing tables (required, then scheduled agents), the peak interval and the verdicts.
pub fn to_table(r: &StaffReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Staffing for {} (goals judged on the lower end of the {:.0}% CI, {} replications, seed {})",
        r.scenario,
        r.confidence * 100.0,
        r.replications,
        r.seed
    );
    if let Some(cap) = r.max_occupancy {
        let _ = writeln!(
            s,
            "Occupancy cap {:.0}%: every group's occupancy in every interval at most the cap (upper end of the CI)",
            cap * 100.0
        );
    }
    let req = |g: &GroupPlan, k: usize| (u64::from(g.base[k]), u64::from(g.surge[k]), g.reserve[k]);
    let _ = writeln!(
        s,
        "\nRequired agents (on the phones): base / surge x{} / reserve needed (surge - base)\n",
        r.surge_factor
    );
    block(&mut s, r, req);
    if r.shrinkage > 0.0 {
        let _ = writeln!(
            s,
            "\nScheduled agents after {:.0}% shrinkage, ceil(required / {}): base / surge x{} / reserve\n",
            r.shrinkage * 100.0,
            1.0 - r.shrinkage,
            r.surge_factor
        );
        block(&mut s, r, |g, k| {
            (
                g.scheduled_base[k],
                g.scheduled_surge[k],
                g.scheduled_reserve[k],
            )
        });
    } else {
        let _ = writeln!(
            s,
            "\nScheduled agents = required agents (no shrinkage; e.g. --shrinkage 0.3 for 30%)"
        );
    }
    let sum = |f: &dyn Fn(&GroupPlan, usize) -> u64, k: Option<usize>| -> u64 {
        r.groups
            .iter()
            .flat_map(|g| (0..r.intervals.len()).map(move |i| (g, i)))
            .filter(|&(_, i)| k.is_none_or(|k| k == i))
            .map(|(g, i)| f(g, i))
            .sum()
    };
    let base = |g: &GroupPlan, k: usize| u64::from(g.base[k]);
    let surge = |g: &GroupPlan, k: usize| u64::from(g.surge[k]);
    let current = |g: &GroupPlan, k: usize| u64::from(g.current[k]);
    let k = r.peak_index;
    let _ = writeln!(
        s,
        "\nPeak interval {}: required base {}, surge x{} {}, reserve needed +{} (scenario's current headcount {})",
        r.peak_interval,
        sum(&base, Some(k)),
        r.surge_factor,
        sum(&surge, Some(k)),
        sum(&surge, Some(k)) - sum(&base, Some(k)),
        sum(&current, Some(k)),
    );
    let _ = write!(
        s,
        "Agent-intervals: required base {}, surge {}, reserve {}",
        sum(&base, None),
        sum(&surge, None),
        sum(&surge, None) - sum(&base, None)
    );
    if r.shrinkage > 0.0 {
        let sb = sum(&|g: &GroupPlan, k: usize| g.scheduled_base[k], None);
        let ss = sum(&|g: &GroupPlan, k: usize| g.scheduled_surge[k], None);
        let _ = write!(s, "; scheduled base {sb}, surge {ss}, reserve {}", ss - sb);
    }
    let _ = writeln!(s, "; scenario's current {}", sum(&current, None));
    for (name, res) in [("base", &r.base), ("surge", &r.surge)] {
        let worst = search::worst(&res.goals);
        let verdict = match &res.infeasible {
            None => "every goal met".to_string(),
            Some(why) => format!("NOT FEASIBLE ({why})"),
        };
        let _ = write!(
            s,
            "{name}: {verdict} after {} evaluations ({} replication-days)",
            res.evaluations, res.replication_days
        );
        if let Some(w) = worst {
            let at = w
                .interval
                .as_ref()
                .map(|i| format!(" at {i}"))
                .unwrap_or_default();
            let (bound, value, what) = if w.kind == "occupancy" {
                ("upper", w.hi, "cap")
            } else {
                ("lower", w.lo, "target")
            };
            let _ = write!(
                s,
                "; tightest goal {} {}{at}: mean {:.1}%, {bound} bound {:.1}% vs {what} {:.1}%",
                w.kind,
                w.id,
                w.mean * 100.0,
                value * 100.0,
                w.target * 100.0
            );
        }
        let _ = writeln!(s);
    }
    s
}

/// One table of cells `base / surge / +reserve` per group and interval, with the total over
/// groups and the scenario's current headcount.
fn block(s: &mut String, r: &StaffReport, cell: impl Fn(&GroupPlan, usize) -> (u64, u64, i64)) {
    let fmt = |(b, su, res): (u64, u64, i64)| format!("{b} / {su} / {res:+}");
    let header: Vec<&str> = ["interval"]
        .into_iter()
        .chain(r.groups.iter().map(|g| g.group.as_str()))
        .chain(["all groups", "current"])
        .collect();
    // One row per interval: a cell per group, the total over groups, the current headcount.
    let rows: Vec<Vec<String>> = r
        .intervals
        .iter()
        .enumerate()
        .map(|(k, label)| {
            let total = r.groups.iter().fold((0, 0, 0), |acc, g| {
                let (b, su, res) = cell(g, k);
                (acc.0 + b, acc.1 + su, acc.2 + res)
            });
            let current: u32 = r.groups.iter().map(|g| g.current[k]).sum();
            [label.clone()]
                .into_iter()
                .chain(r.groups.iter().map(|g| fmt(cell(g, k))))
                .chain([fmt(total), current.to_string()])
                .collect()
        })
        .collect();
    render(s, &header, &rows);
}
