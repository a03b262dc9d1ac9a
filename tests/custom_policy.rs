//! Custom routing policies in Rust ([`RoutingPolicy`], issue 15 item 4): a custom policy that
//! makes exactly skill-first's choices reproduces skill-first's report bit for bit on every
//! bundled scenario (so the general path offers the right candidates and applies the choice as
//! given); a policy that prefers the slower agents and contacts raises the waits; and the
//! example `examples/custom_policy.rs` (compiled into this test) decides as its doc says and
//! runs through the replication, report and compare code.

#[allow(dead_code)]
#[path = "../examples/custom_policy.rs"]
mod custom_policy;

use std::path::Path;
use std::sync::Arc;

use acdsim::model::policy::{AgentView, ContactView, HeadView, RoutingPolicy};
use acdsim::model::{Model, StrategyKind};
use acdsim::report::json::to_json;
use acdsim::stats::m;
use custom_policy::{compare_with_skill_first, expected_handle_s, run_report, FastestServer};

mod common;

const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");

fn load(name: &str) -> Model {
    acdsim::input::load(&Path::new(SCENARIOS).join(name)).unwrap()
}

/// skill-first written as a custom policy: a new contact to the candidate of the best level,
/// then the least loaded, then the one idle longest, then the first offered (the class's group
/// order); a freed agent takes the head of its best level, then the one waiting longest, then
/// the first in its group's list of classes.
#[derive(Debug)]
struct SkillFirstAgain;

impl RoutingPolicy for SkillFirstAgain {
    fn name(&self) -> &'static str {
        "skill-first-again"
    }

    fn choose_agent(
        &self,
        _: &Model,
        _: &ContactView,
        agents: &[AgentView],
        _: f64,
    ) -> Option<usize> {
        let key = |a: &AgentView| (std::cmp::Reverse(a.level), a.load);
        let mut best = 0;
        for (i, a) in agents.iter().enumerate().skip(1) {
            let b = &agents[best];
            if key(a) < key(b) || (key(a) == key(b) && a.idle_since < b.idle_since) {
                best = i;
            }
        }
        Some(best)
    }

    fn choose_contact(
        &self,
        model: &Model,
        agent: &AgentView,
        heads: &[HeadView],
        _: f64,
    ) -> Option<usize> {
        let list = &model.groups[agent.group].classes;
        let pos = |h: &HeadView| list.iter().position(|&(k, _)| k == h.class).unwrap();
        (0..heads.len()).min_by(|&i, &j| {
            let (a, b) = (&heads[i], &heads[j]);
            b.level
                .cmp(&a.level)
                .then(a.arrival.total_cmp(&b.arrival))
                .then(pos(a).cmp(&pos(b)))
        })
    }
}

/// The slowest agents first: a new contact to the candidate with the largest handle-time
/// factor, a freed agent to the head it is least proficient for (ties to the longest waiting).
#[derive(Debug)]
struct SlowestServer;

impl RoutingPolicy for SlowestServer {
    fn name(&self) -> &'static str {
        "slowest-server"
    }

    fn choose_agent(
        &self,
        _: &Model,
        _: &ContactView,
        agents: &[AgentView],
        _: f64,
    ) -> Option<usize> {
        (0..agents.len())
            .max_by(|&i, &j| agents[i].handle_factor.total_cmp(&agents[j].handle_factor))
    }

    fn choose_contact(
        &self,
        _: &Model,
        _: &AgentView,
        heads: &[HeadView],
        _: f64,
    ) -> Option<usize> {
        (0..heads.len()).min_by(|&i, &j| {
            let (a, b) = (&heads[i], &heads[j]);
            a.level.cmp(&b.level).then(a.arrival.total_cmp(&b.arrival))
        })
    }
}

#[test]
fn a_custom_policy_making_skill_firsts_choices_reproduces_its_report_bit_for_bit() {
    let scenarios = common::bundled_scenarios();
    assert!(scenarios.len() >= 8, "bundled scenarios: {scenarios:?}");
    for sc in &scenarios {
        let model = acdsim::input::load(sc)
            .unwrap()
            .with_strategy(StrategyKind::SkillFirst);
        // The benchmark is large: fewer replications (the paths meet every event anyway).
        let n = if sc.ends_with("bench-w.json") { 2 } else { 20 };
        let opts = acdsim::sim::simulate::RunOptions {
            replications: n,
            seed: model.seed,
        };
        let builtin = acdsim::report::RunReport::new(
            &model,
            &acdsim::sim::simulate::run(&model, opts, |_| {}),
            0.95,
        );
        let custom = run_report(&model, Arc::new(SkillFirstAgain), n, model.seed);
        assert_eq!(custom.strategy, "skill-first-again");
        // The reports name the routing: the only difference allowed.
        let custom = to_json(&custom).replace("\"skill-first-again\"", "\"skill-first\"");
        assert!(
            to_json(&builtin) == custom,
            "{}: the custom skill-first differs from skill-first",
            sc.display()
        );
    }
}

/// The paired difference (variant - skill-first) of `metric` in the overall row, and whether
/// it is significant.
fn overall_difference(c: &acdsim::analysis::compare::CompareReport, metric: usize) -> (f64, bool) {
    let row = c.rows.iter().find(|r| r.kind == "overall").unwrap();
    let x = row.metrics.iter().find(|x| x.index == metric).unwrap();
    (x.variants[0].difference.mean, x.variants[0].significant)
}

#[test]
fn a_policy_preferring_the_slower_agents_raises_the_waits() {
    let model = load("default.json");
    let c = compare_with_skill_first(&model, Arc::new(SlowestServer), 40, model.seed);
    assert_eq!(c.variants, ["slowest-server"]);
    // Slower service is more work for the same agents: longer waits, more abandonment.
    let (asa, sig) = overall_difference(&c, m::ASA);
    assert!(asa > 1.0 && sig, "ASA difference {asa} s");
    let (ab, sig) = overall_difference(&c, m::ABANDON_RATE);
    assert!(ab > 0.0 && sig, "abandonment difference {ab}");
    let (sl, sig) = overall_difference(&c, m::SERVICE_LEVEL);
    assert!(sl < 0.0 && sig, "service-level difference {sl}");
}

fn agent(agent: usize, handle_factor: f64, idle_since: f64, load: u32) -> AgentView {
    AgentView {
        agent,
        group: 0,
        level: 3,
        rank: 0,
        load,
        idle_since,
        handle_factor,
        group_idle: 1,
    }
}

#[test]
fn the_examples_policy_takes_the_fastest_agent_and_the_late_or_shortest_contact() {
    let model = load("default.json");
    let p = FastestServer;
    let contact = ContactView {
        class: 0,
        arrival: 0.0,
        transferred: false,
    };
    // The smallest factor, then the agent idle longest, then the least loaded.
    let agents = [
        agent(0, 1.0, 5.0, 0),
        agent(1, 0.9, 9.0, 1),
        agent(2, 0.9, 7.0, 1),
        agent(3, 0.9, 7.0, 0),
    ];
    assert_eq!(p.choose_agent(&model, &contact, &agents, 10.0), Some(3));
    // Two phone classes of different mean handle times (consult and complaint, regular).
    let phone = &model.channels[0];
    let (a, b) = (phone.class_of[0][0], phone.class_of[1][0]);
    let (short, long) = if expected_handle_s(&model, a, 3) < expected_handle_s(&model, b, 3) {
        (a, b)
    } else {
        (b, a)
    };
    assert!(expected_handle_s(&model, short, 3) < expected_handle_s(&model, long, 3));
    let head = |class, arrival| HeadView {
        class,
        arrival,
        level: 3,
        waiting: 1,
        transferred: false,
    };
    let me = agent(9, 1.0, 0.0, 0);
    let threshold = phone.goal.threshold_s;
    // Neither late: the shorter expected handle time, though it waited less.
    let heads = [head(long, 100.0), head(short, 101.0)];
    assert_eq!(
        p.choose_contact(&model, &me, &heads, 100.0 + threshold / 2.0),
        Some(1)
    );
    // The long one is late: it goes first.
    assert_eq!(
        p.choose_contact(&model, &me, &heads, 100.0 + threshold),
        Some(0)
    );
}

#[test]
fn the_example_runs_through_the_replication_report_and_compare_code() {
    let model = load("default.json");
    let run = run_report(&model, Arc::new(FastestServer), 20, model.seed);
    assert_eq!((run.strategy, run.replications), ("fastest-server", 20));
    let c = compare_with_skill_first(&model, Arc::new(FastestServer), 20, model.seed);
    assert_eq!((c.baseline.as_str(), c.replications), ("skill-first", 20));
    assert_eq!(c.variants, ["fastest-server"]);
    // Its choices differ from skill-first's (a shorter contact before a longer one that waited
    // longer): the paired difference of the waits is not 0, and the variant's value is the run's.
    let (asa, sig) = overall_difference(&c, m::ASA);
    assert!(asa != 0.0 && sig, "ASA difference {asa}");
    let row = c.rows.iter().find(|r| r.kind == "overall").unwrap();
    let x = row.metrics.iter().find(|x| x.index == m::ASA).unwrap();
    assert_eq!(x.variants[0].value.mean, run.overall.at(m::ASA).mean);
}
