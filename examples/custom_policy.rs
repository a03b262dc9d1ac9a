//! A routing policy written in Rust ([`RoutingPolicy`], README "Routing research"): fastest
//! server first, shortest expected handle time first, run through the same replication, report
//! and compare code as `acdsim run` and `acdsim compare`, and compared with the built-in
//! `skill-first` on common random numbers:
//!
//! ```text
//! cargo run --release --example custom_policy                      # scenarios/default.json, 200 replications
//! cargo run --release --example custom_policy -- scenarios/mmc-5.json 500
//! ```
//!
//! The policy:
//!
//! - a new contact goes to the candidate agent whose proficiency gives it the shortest expected
//!   handle time (the smallest handle-time factor), ties to the agent idle longest, then to the
//!   least loaded;
//! - a freed agent takes the contact that has waited longest among the queue heads past their
//!   channel's service-level threshold (they are late already); if none is, the one it would
//!   finish soonest (its class's mean handle time times the agent's proficiency factor for it:
//!   shortest expected processing time first, which the score weights cannot express), ties to
//!   the one waiting longest.
//!
//! `tests/custom_policy.rs` runs [`compare_with_skill_first`] and checks the policy's effect.

use std::sync::Arc;

use acdsim::analysis::compare::CompareReport;
use acdsim::model::policy::{AgentView, ContactView, HeadView, RoutingPolicy};
use acdsim::model::{Model, StrategyKind};
use acdsim::report::{self, RunReport};
use acdsim::sim::paired::{self, Variant};
use acdsim::sim::simulate::{self, RunOptions};

/// Fastest server first, shortest expected handle time first (see the module's doc).
#[derive(Debug, Clone, Copy, Default)]
pub struct FastestServer;

/// The mean handle time of a contact of class `k` at an agent whose level for it is `level`
/// (the type's mean, times the segment's factor, times the proficiency factor).
pub fn expected_handle_s(model: &Model, k: usize, level: u8) -> f64 {
    let c = &model.classes[k];
    let ch = &model.channels[c.channel];
    let proficiency = model.proficiency[c.hard as usize][level.clamp(1, 5) as usize - 1];
    ch.types[c.local_type].handle.mean() * ch.segments[c.local_segment].handle_factor * proficiency
}

impl RoutingPolicy for FastestServer {
    fn name(&self) -> &'static str {
        "fastest-server"
    }

    fn choose_agent(
        &self,
        _model: &Model,
        _contact: &ContactView,
        agents: &[AgentView],
        _now: f64,
    ) -> Option<usize> {
        let key = |a: &AgentView| (a.handle_factor, a.idle_since, a.load);
        (0..agents.len()).min_by(|&i, &j| {
            let (a, b) = (key(&agents[i]), key(&agents[j]));
            a.0.total_cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.cmp(&b.2))
        })
    }

    fn choose_contact(
        &self,
        model: &Model,
        _agent: &AgentView,
        heads: &[HeadView],
        now: f64,
    ) -> Option<usize> {
        let late = |h: &HeadView| {
            now - h.arrival
                >= model.channels[model.classes[h.class].channel]
                    .goal
                    .threshold_s
        };
        let longest_wait = |i: &usize, j: &usize| heads[*i].arrival.total_cmp(&heads[*j].arrival);
        if let Some(i) = (0..heads.len())
            .filter(|&i| late(&heads[i]))
            .min_by(longest_wait)
        {
            return Some(i);
        }
        (0..heads.len()).min_by(|&i, &j| {
            let work = |h: &HeadView| expected_handle_s(model, h.class, h.level);
            work(&heads[i])
                .total_cmp(&work(&heads[j]))
                .then(longest_wait(&i, &j))
        })
    }
}

/// The run report of `model` routed by `policy` (what `acdsim run` reports): `replications`
/// replications from `seed`, 95% intervals.
pub fn run_report(
    model: &Model,
    policy: Arc<dyn RoutingPolicy>,
    replications: u64,
    seed: u64,
) -> RunReport {
    let custom = model.with_custom(policy);
    let opts = RunOptions { replications, seed };
    RunReport::new(&custom, &simulate::run(&custom, opts, |_| {}), 0.95)
}

/// The comparison of `policy` with `skill-first` (the baseline) on common random numbers, as
/// `acdsim compare --strategies` makes it: `replications` replications from `seed`, 95%
/// intervals.
pub fn compare_with_skill_first(
    model: &Model,
    policy: Arc<dyn RoutingPolicy>,
    replications: u64,
    seed: u64,
) -> CompareReport {
    let custom = model.with_custom(policy);
    let variants = [
        Variant {
            name: StrategyKind::SkillFirst.name().into(),
            model: model.with_strategy(StrategyKind::SkillFirst),
        },
        Variant {
            name: custom.routing.strategy_name().into(),
            model: custom,
        },
    ];
    let c = paired::run(&variants, replications, seed, |_| {})
        .expect("a scenario and its custom-routed twin have the same structure");
    let title = format!("{}: skill-first vs a custom policy", model.name);
    CompareReport::new(&title, model, &c, 0.95)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).map_or("scenarios/default.json", |s| s.as_str());
    let replications = match args.get(2).map(|n| n.parse::<u64>()) {
        None => 200,
        Some(Ok(n)) if n >= 2 => n,
        Some(_) => {
            eprintln!("usage: custom_policy [SCENARIO] [REPLICATIONS >= 2]");
            std::process::exit(2);
        }
    };
    let model = acdsim::input::load(std::path::Path::new(path)).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });
    let policy: Arc<dyn RoutingPolicy> = Arc::new(FastestServer);
    let run = run_report(&model, policy.clone(), replications, model.seed);
    let phone = &run.channels[0];
    println!(
        "{} routed by {}: {} service level {}, ASA {}\n",
        model.name,
        run.strategy,
        phone.id,
        report::table::pct(phone.metrics.service_level()),
        report::table::num(phone.metrics.get("asa_s").expect("asa_s"), 1),
    );
    let comparison = compare_with_skill_first(&model, policy, replications, model.seed);
    print!("{}", report::compare::to_table(&comparison));
}
