//! The surge playbook (`surge_playbook`, src/sim/playbook.rs): its effect on the bundled surge
//! scenario, the exact timing of the reserve, the diversion probability, the announcement rule,
//! and that a scenario without a playbook (or with one that never triggers) simulates exactly
//! as before. Fixed seeds throughout.

use std::path::Path;

use acdsim::model::{Closing, Model};
use acdsim::report::{json::to_json, RunReport};
use acdsim::sim::engine::Engine;
use acdsim::sim::simulate::{self, RunOptions};
use acdsim::stats::{m, Layout, RepStats, RowKey, PLAYBOOK_METRICS};
use serde_json::Value;

const SMALL: &str = "tests/data/playbook.json";
const SURGE: &str = "scenarios/surge-playbook.json";
/// The default center without its realism (issue 13), which the surge scenario is built on.
const DEFAULT: &str = "tests/fixtures/default-without-realism.json";

fn load(p: &str) -> Model {
    acdsim::input::load(Path::new(p)).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn playbook(model: &mut Model) -> &mut acdsim::model::playbook::Playbook {
    model.playbook.as_mut().expect("scenario has a playbook")
}

/// The bundled surge scenario at 120% volume: the playbook raises the phone service level and
/// the elderly goal service level, significantly on the paired (common random numbers)
/// interval, and does not lower any channel's service level.
#[test]
fn playbook_improves_the_service_level_of_the_surge_scenario() {
    let model = load(SURGE).with_surge(1.2);
    let opts = RunOptions {
        replications: 200,
        seed: 4,
    };
    let pair = simulate::run_playbook_pair(&model, opts, |_| {});
    let rep = RunReport::with_playbook_pair(&model, &pair, 0.95);
    let p = rep.playbook.as_ref().expect("playbook section");
    assert!(p.activated.mean > 0.9, "activated {:?}", p.activated);
    for e in &p.effect {
        eprintln!(
            "{} {}: SL change {:+.4} [{:+.4}, {:+.4}]",
            e.kind, e.id, e.service_level.mean, e.service_level.lo, e.service_level.hi
        );
        if e.kind == "channel" {
            assert!(e.service_level.hi >= 0.0, "{} got worse: {e:?}", e.id);
        }
    }
    let effect = |id: &str| p.effect.iter().find(|e| e.id == id).expect("row");
    let phone = &effect("phone").service_level;
    assert!(phone.lo > 0.05, "phone SL change {phone:?}");
    let elderly = effect("elderly").goal_service_level.expect("goal row");
    assert!(elderly.lo > 0.0, "elderly goal SL change {elderly:?}");
    // The two sides are the same days: identical offered contacts.
    let without = rep.without_playbook.as_ref().expect("without report");
    let offered = |r: &RunReport| r.channel("phone").unwrap().metrics.at(m::OFFERED).mean;
    assert_eq!(offered(&rep), offered(without));
    let with_sl = rep.channel("phone").unwrap().metrics.service_level().mean;
    let without_sl = without
        .channel("phone")
        .unwrap()
        .metrics
        .service_level()
        .mean;
    eprintln!("phone SL at 120%: without {without_sl:.4}, with {with_sl:.4}");
    assert!(with_sl > without_sl);
}

/// Agent-seconds on duty of group `g` in interval `k` of one replication.
fn staffed(stats: &RepStats, layout: &Layout, g: usize, k: usize) -> f64 {
    stats.staffed[g * layout.n_intervals + k]
}

/// The small scenario triggers at the end of its first interval (08:30); the reserve of three
/// joins exactly `activation_delay_minutes` (10) later and stays until closing. Without a
/// trigger, or with a join due after closing, it never comes.
#[test]
fn reserve_agents_join_exactly_after_the_delay() {
    let model = load(SMALL);
    let layout = Layout::new(&model);
    let r = model.regular_groups();
    assert_eq!((r, model.groups.len()), (1, 2));
    let mut engine = Engine::new(&model);
    for rep in 0..20 {
        let s = engine.run(&model, 3, rep);
        assert_eq!(s.activated_at, model.interval_start(1), "replication {rep}");
        assert_eq!(s.reserve_joined_at, s.activated_at + 600.0);
        assert_eq!(staffed(s, &layout, r, 0), 0.0);
        assert!((staffed(s, &layout, r, 1) - 3.0 * 1200.0).abs() < 1e-6);
        for k in 2..4 {
            assert!((staffed(s, &layout, r, k) - 3.0 * 1800.0).abs() < 1e-6);
        }
        assert!(
            s.busy[r * layout.n_intervals + 1] > 0.0,
            "the reserve works"
        );
    }
    let mut summary = Default::default();
    layout.summarize(engine.run(&model, 3, 0), &mut summary);
    assert_eq!(summary.values[layout.playbook_slot(1)], 30.0);
    assert_eq!(summary.values[layout.playbook_slot(2)], 40.0);

    // Never triggered: never activated, no reserve.
    let mut never = model.clone();
    playbook(&mut never).load_ratio = 1e9;
    for rep in 0..5 {
        let s = engine.run(&never, 3, rep);
        assert!(s.activated_at.is_nan() && s.reserve_joined_at.is_nan());
        assert!((0..4).all(|k| staffed(s, &layout, r, k) == 0.0));
    }
    // Due after closing (08:30 + 2 h): activated, but the reserve does not come.
    let mut late = model.clone();
    playbook(&mut late).delay_s = 7200.0;
    let s = engine.run(&late, 3, 0);
    assert_eq!(s.activated_at, model.interval_start(1));
    assert!(s.reserve_joined_at.is_nan());
    assert!((0..4).all(|k| staffed(s, &layout, r, k) == 0.0));
}

/// Counts over replications of the (channel, interval) cells after the activation (intervals
/// 1..): (offered, diverted, callbacks requested, hung up) of channel `c`.
fn after_activation(model: &Model, reps: u64, c: usize) -> [f64; 4] {
    let layout = Layout::new(model);
    let mut engine = Engine::new(model);
    let mut t = [0.0; 4];
    for rep in 0..reps {
        let s = engine.run(model, 5, rep);
        assert_eq!(s.activated_at, model.interval_start(1));
        for k in 1..model.n_intervals {
            let cell = &s.cells[layout.interval_base as usize + c * model.n_intervals + k];
            t[0] += cell.offered as f64;
            t[1] += cell.diverted as f64;
            t[2] += cell.callback_requested as f64;
            t[3] += cell.hung_up as f64;
        }
    }
    t
}

/// The share of chat suggestions diverted while the playbook is active matches its probability
/// (binomial interval, 4.5 standard errors); phone suggestions are not diverted (the divert entry
/// names chat only), and nothing is diverted before the activation.
#[test]
fn diversion_share_matches_its_probability() {
    let model = load(SMALL);
    let chat = 1;
    let [offered, diverted, ..] = after_activation(&model, 300, chat);
    let p = 0.3;
    let share = diverted / offered;
    let se = (p * (1.0 - p) / offered).sqrt();
    eprintln!("diverted {diverted} of {offered}: {share:.4} (p = {p}, se {se:.4})");
    assert!((share - p).abs() < 4.5 * se, "share {share}");
    let r = simulate::run(
        &model,
        RunOptions {
            replications: 50,
            seed: 5,
        },
        |_| {},
    );
    let layout = &r.layout;
    let mean =
        |key, metric| r.aggregate.moments[layout.slot(layout.row(key).unwrap(), metric)].mean_x();
    assert_eq!(mean(RowKey::Channel { channel: 0 }, m::DIVERTED), 0.0);
    assert_eq!(
        mean(
            RowKey::ChannelInterval {
                channel: chat,
                interval: 0
            },
            m::DIVERTED
        ),
        0.0
    );
}

/// Callbacks and hang-ups happen only when the estimated wait exceeds the limit: none with an
/// unreachable limit; with a limit of 0 every phone caller who finds no agent after the
/// activation leaves the queue (callback 40%, hang-up 20% of them, the rest wait), in the
/// ratio of the shares; every callback is made or counted unserved.
#[test]
fn callbacks_and_hang_ups_occur_only_above_the_limit() {
    let base = load(SMALL);
    let phone = 0;
    let mut high = base.clone();
    playbook(&mut high)
        .announcement
        .as_mut()
        .expect("announcement")
        .limit_s = 1e12;
    let [offered, _, callbacks, hung_up] = after_activation(&high, 50, phone);
    assert!(offered > 1000.0);
    assert_eq!((callbacks, hung_up), (0.0, 0.0));

    let mut zero = base.clone();
    let a = playbook(&mut zero).announcement.as_mut().unwrap();
    a.limit_s = 0.0;
    a.callback_share = 0.5;
    a.hangup_share = 0.5;
    let layout = Layout::new(&zero);
    let mut engine = Engine::new(&zero);
    let (mut cb, mut hu) = (0.0, 0.0);
    for rep in 0..50 {
        let s = engine.run(&zero, 5, rep);
        for k in 1..zero.n_intervals {
            // Phone contacts arriving from 08:30 on: nobody waits, so nobody abandons and
            // every answer is immediate.
            let cell = &s.cells[layout.interval_base as usize + phone * zero.n_intervals + k];
            assert_eq!(cell.abandoned, 0, "replication {rep} interval {k}");
            assert_eq!(
                cell.sum_wait_answered, 0.0,
                "replication {rep} interval {k}"
            );
            cb += cell.callback_requested as f64;
            hu += cell.hung_up as f64;
        }
    }
    let share = cb / (cb + hu);
    let se = (0.25 / (cb + hu)).sqrt();
    eprintln!("limit 0: {cb} callbacks, {hu} hang-ups: callback share {share:.4} ± {se:.4}");
    assert!(cb > 100.0 && (share - 0.5).abs() < 4.5 * se);

    // The scenario's shares and limit: every callback is made or counted unserved; at a hard
    // close the callbacks still waiting are dropped (unserved).
    let layout = Layout::new(&base);
    let mut engine = Engine::new(&base);
    let mut totals = |model: &Model| {
        let (mut made, mut unserved) = (0, 0);
        for rep in 0..30 {
            let s = engine.run(model, 5, rep);
            let c = &s.cells[layout.class_cells[0][0] as usize];
            assert_eq!(
                c.callback_requested,
                c.callback_completed + c.callback_unserved
            );
            assert!(c.sum_callback_delay >= 0.0);
            made += c.callback_completed;
            unserved += c.callback_unserved;
        }
        (made, unserved)
    };
    let (made, _) = totals(&base);
    assert!(made > 0);
    let mut cut = base.clone();
    cut.closing = Closing::Cut;
    let (_, unserved) = totals(&cut);
    assert!(unserved > 0, "cut leaves callbacks unserved");
}

/// Removes what only a playbook run has: the playbook metrics of every row, the reserve
/// groups, the playbook sections, and the scenario identity.
fn strip_playbook(v: &mut Value, regular_groups: usize) {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(o) => {
                if o.contains_key("service_level") && o.contains_key("offered") {
                    for k in PLAYBOOK_METRICS {
                        o.shift_remove(k);
                    }
                }
                o.values_mut().for_each(walk);
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let o = v.as_object_mut().unwrap();
    o.shift_remove("playbook");
    o.shift_remove("without_playbook");
    o.shift_remove("scenario");
    o.shift_remove("warnings");
    o["groups"].as_array_mut().unwrap().truncate(regular_groups);
    walk(v);
}

/// Without a playbook nothing changes: the default scenario's JSON report equals, metric for
/// metric, (1) the `without_playbook` side of the surge scenario (the same center) and (2) the
/// surge scenario with a playbook that never triggers, on the same seed, at base load and at
/// 120%. So neither the playbook's random stream nor its reserve groups shift any draw.
#[test]
fn no_playbook_path_is_unchanged() {
    let default = load(DEFAULT);
    let surge = load(SURGE);
    let regular = surge.regular_groups();
    assert_eq!(regular, default.groups.len());
    for factor in [1.0, 1.2] {
        let opts = RunOptions {
            replications: 16,
            seed: 77,
        };
        let plain = default.with_surge(factor);
        let r = simulate::run(&plain, opts, |_| {});
        let mut expected: Value =
            serde_json::from_str(&to_json(&RunReport::new(&plain, &r, 0.95))).unwrap();
        strip_playbook(&mut expected, regular);

        let model = surge.with_surge(factor);
        let pair = simulate::run_playbook_pair(&model, opts, |_| {});
        let rep = RunReport::with_playbook_pair(&model, &pair, 0.95);
        let mut without: Value =
            serde_json::from_str(&to_json(rep.without_playbook.as_ref().unwrap())).unwrap();
        strip_playbook(&mut without, regular);
        assert!(expected == without, "without_playbook differs at x{factor}");

        let mut never = model.clone();
        playbook(&mut never).load_ratio = 1e9;
        let r = simulate::run(&never, opts, |_| {});
        let rep = RunReport::new(&never, &r, 0.95);
        assert_eq!(rep.playbook.as_ref().unwrap().activated.mean, 0.0);
        let mut never_json: Value = serde_json::from_str(&to_json(&rep)).unwrap();
        strip_playbook(&mut never_json, regular);
        assert!(
            expected == never_json,
            "never-triggering playbook differs at x{factor}"
        );
    }
}
