//! `acdsim check --junit FILE`: the decision as JUnit XML (the Jenkins format that GitLab, Jenkins,
//! Azure DevOps and the GitHub test-report actions read), written with `quick-junit`. One test
//! suite per kind of judgement: `requirements` (one test case per threshold) and `regressions`
//! (one per goal metric compared with the baseline); a breached threshold or a regression is a
//! failure whose message gives the estimate, its interval and the bound judged.

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::analysis::check::CheckReport;
use crate::report::table::fmt_value;
use crate::stats::{m, Estimate};

/// The JUnit XML of a check.
pub fn to_junit(r: &CheckReport) -> String {
    let mut report = Report::new(format!("acdsim check {}", r.scenario.file));
    let props = [
        ("scenario", r.scenario.file.clone()),
        ("scenario_hash", r.scenario.hash.clone()),
        ("replications", r.replications.to_string()),
        ("seed", r.seed.to_string()),
        ("confidence", r.confidence.to_string()),
        ("tool_version", r.tool_version.to_string()),
    ];
    let ci = |metric: usize, e: &Estimate| {
        let at = |v: f64| fmt_value(metric, &Estimate { mean: v, ..*e });
        format!("{} [{}, {}]", fmt_value(metric, e), at(e.lo), at(e.hi))
    };
    if !r.requirements.is_empty() {
        let mut suite = TestSuite::new("requirements");
        suite.add_properties(props.iter().map(|(k, v)| Property::new(*k, v.as_str())));
        for q in &r.requirements {
            let mi = q.metric_index;
            let what = format!(
                "estimate {} ({}% CI), bound {} judged against {} {}",
                ci(mi, &q.estimate),
                (r.confidence * 100.0).round(),
                fmt_value(
                    mi,
                    &Estimate {
                        mean: q.bound,
                        ..q.estimate
                    }
                ),
                q.op,
                q.threshold
            );
            let status = if q.pass {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("{} breached: {what}", q.expression));
                s.set_type("threshold");
                s
            };
            let mut case = TestCase::new(q.expression.clone(), status);
            case.set_classname(format!(
                "acdsim.requirements.{}",
                q.source.replace(' ', "_")
            ));
            case.set_system_out(what);
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    if !r.regressions.is_empty() {
        let mut suite = TestSuite::new("regressions");
        suite.add_properties(props.iter().map(|(k, v)| Property::new(*k, v.as_str())));
        if let Some(b) = &r.baseline {
            suite.add_property(Property::new("baseline", b.file.as_str()));
        }
        for g in &r.regressions {
            let d = &g.difference;
            let what = format!(
                "baseline {}, candidate {}, paired difference {:+.2} pp [{:+.2}, {:+.2}], tolerance {:.2} pp",
                fmt_value(m::GOAL_SL, &g.baseline),
                fmt_value(m::GOAL_SL, &g.candidate),
                d.mean * 100.0,
                d.lo * 100.0,
                d.hi * 100.0,
                g.tolerance * 100.0
            );
            let status = if g.regression {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("{} regressed: {what}", g.goal));
                s.set_type("regression");
                s
            } else {
                TestCaseStatus::success()
            };
            let mut case = TestCase::new(g.goal.clone(), status);
            case.set_classname("acdsim.regressions");
            case.set_system_out(what);
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot serialise the JUnit report: {e} -->\n"))
}
