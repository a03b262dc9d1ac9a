//! The realism features (README "Realism") against theory and their own accounting: wrap-up as
//! a longer handle time (Erlang C), redials against an exact retrial-queue CTMC, transfers and
//! redials that are switched off giving today's bits, and conservation of contacts and
//! customers in every replication.

use std::path::PathBuf;

use acdsim::analysis::queueing::ErlangC;
use acdsim::input;
use acdsim::model::Model;
use acdsim::report::{json::to_json, RunReport};
use acdsim::sim::engine::Engine;
use acdsim::stats::realism::r;
use acdsim::stats::{m, Estimate, Layout, RepSummary, RowKey, REAL_FIRST};

mod common;
use common::{check, check_sl_and_asa, metric, mm5, run, scenario_path};

/// A bundled scenario with a JSON edit applied, resolved.
fn variant(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Model {
    let path = scenario_path(name);
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("bundled scenario")).expect("JSON");
    edit(&mut v);
    let bytes = serde_json::to_vec(&v).expect("JSON");
    let raw = input::parse("variant", &bytes).expect("parses");
    input::resolve("variant", &bytes, &raw, &PathBuf::from(".")).expect("valid")
}

/// M/M/5 (mmc-5.json: 60 calls/h, 5 agents) whose 240 s of service are almost all after-call
/// work: a conversation of 0.01 s (exponential) and an exponential wrap-up of 239.99 s. The
/// agent's busy time is then exponential to within 1e-4 s, and the queue must be the Erlang C
/// queue with AHT 240 s (talk + wrap): P(wait), service level, ASA and occupancy; the talk,
/// wrap-up and handle times reported must be the means given; and `staff`'s Erlang start
/// (the model's mean handle time) counts both.
#[test]
fn wrap_up_is_a_longer_handle_time_erlang_c() {
    let model = variant("mmc-5.json", |v| {
        let t = &mut v["channels"][0]["types"][0];
        t["handle_time"] = serde_json::json!({"type": "exponential", "mean": 0.01});
        t["wrap_up"] = serde_json::json!({"type": "exponential", "mean": 239.99});
    });
    assert!((model.mean_handle_s(0) - 240.0).abs() < 1e-9);
    let ec = mm5(240.0);
    let rep = run(&model, 3000, 5);
    check_sl_and_asa(&rep, &ec);
    check(
        "occupancy",
        &rep.groups[0].occupancy,
        60.0 * 240.0 / 3600.0 / 5.0,
        0.005,
    );
    check("wrap_up_s", metric(&rep, "phone", "wrap_up_s"), 239.99, 3.0);
    check("handle_s", metric(&rep, "phone", "handle_s"), 240.0, 3.0);
    let talk = metric(&rep, "phone", "talk_s");
    assert!((talk.mean - 0.01).abs() < 0.001, "talk {}", talk.mean);
    // No transfer, no redial: a customer's end-to-end time is its wait.
    let (e2e, asa) = (
        metric(&rep, "phone", "end_to_end_s"),
        metric(&rep, "phone", "asa_s"),
    );
    assert!(
        (e2e.mean - asa.mean).abs() <= 1e-9 * asa.mean,
        "{e2e:?} vs {asa:?}"
    );
}

/// Transfers "with a priority over fresh contacts", against queueing theory: 30% of the calls
/// of an M/M/9 queue (84 an hour of 300 s, no abandonment) pass to a `senior` type that has 36
/// fresh calls an hour of its own, served by 7 seniors. By Burke's theorem the transferred
/// calls are a Poisson stream (25.2 an hour), so the seniors' queue is M/M/7 with two Poisson
/// classes: FIFO without `priority` (both wait the Erlang C mean W = C(7, 5.1) / (c mu - lambda),
/// 55.0 s), non-preemptive priority with it (transferred W (1 - rho) / (1 - rho1) = 21.3 s,
/// fresh W / (1 - rho1) = 78.6 s, rho = 5.1 / 7, rho1 = 2.1 / 7). A transferred customer's
/// end-to-end time is its first wait, its first conversation and its second wait: the
/// channel's `end_to_end_s` matches ASA + transfers per answer x (talk + transfer wait) within
/// 5%.
#[test]
fn priority_transfers_are_served_before_fresh_contacts() {
    let model = |priority: bool| {
        variant("erlang-a.json", |v| {
            v["channels"][0]["segments"][0]["patience"] = serde_json::json!({ "type": "never" });
            v["channels"][0]["types"] = serde_json::json!([
                { "id": "call", "share": 0.7, "skills": ["phone"],
                  "handle_time": { "type": "exponential", "mean": 300 },
                  "transfer": { "share": 0.3, "to_type": "senior", "priority": priority } },
                { "id": "senior", "share": 0.3, "skills": ["senior"],
                  "handle_time": { "type": "exponential", "mean": 300 } } ]);
            v["agent_groups"] = serde_json::json!([
                { "id": "agents", "skills": { "phone": 3 }, "headcount": 9 },
                { "id": "seniors", "skills": { "senior": 3 }, "headcount": 7 } ]);
        })
    };
    let seniors = ErlangC {
        servers: 7,
        arrival_rate: (25.2 + 36.0) / 3600.0,
        mean_service_s: 300.0,
    };
    let (w, rho, rho1) = (seniors.asa_s(), 5.1 / 7.0, 2.1 / 7.0);
    for priority in [true, false] {
        let rep = run(&model(priority), 400, 21);
        let row = |id: &str, name: &str| -> Estimate {
            *rep.types
                .iter()
                .find(|t| t.id == id)
                .and_then(|t| t.metrics.get(name))
                .unwrap_or_else(|| panic!("{id} {name}"))
        };
        let (second, fresh) = (row("call", "transfer_wait_s"), row("senior", "asa_s"));
        let (w1, w2) = if priority {
            (w * (1.0 - rho) / (1.0 - rho1), w / (1.0 - rho1))
        } else {
            (w, w)
        };
        check(
            &format!("priority {priority}: transfer wait"),
            &second,
            w1,
            0.15 * w1,
        );
        check(
            &format!("priority {priority}: fresh senior ASA"),
            &fresh,
            w2,
            0.15 * w2,
        );
        let per_answer = row("call", "transfers").mean / row("call", "answered").mean;
        let want =
            row("call", "asa_s").mean + per_answer * (row("call", "talk_s").mean + second.mean);
        let e2e = row("call", "end_to_end_s").mean;
        eprintln!("end-to-end {e2e:.2} s, expected {want:.2} s");
        assert!((e2e / want - 1.0).abs() < 0.05, "{e2e} vs {want}");
    }
}

/// Wrap-up is after-call work of the agent: talk exp(120) + wrap-up exp(120) keeps the agent
/// busy for an Erlang-2 time of mean 240 s, so the queue is the same as with a handle time
/// gamma(mean 240, cv 1/sqrt 2) and no wrap-up: every wait figure agrees within the two runs'
/// intervals, and the occupancy is the exact 80% of both.
#[test]
fn wrap_up_equals_the_same_total_handle_time() {
    let wrap = variant("mmc-5.json", |v| {
        let t = &mut v["channels"][0]["types"][0];
        t["handle_time"] = serde_json::json!({"type": "exponential", "mean": 120});
        t["wrap_up"] = serde_json::json!({"type": "exponential", "mean": 120});
    });
    let gamma = variant("mmc-5.json", |v| {
        v["channels"][0]["types"][0]["handle_time"] = serde_json::json!({"type": "gamma", "mean": 240, "cv": std::f64::consts::FRAC_1_SQRT_2});
    });
    let (a, b) = (run(&wrap, 3000, 11), run(&gamma, 3000, 12));
    for name in ["service_level", "asa_s", "p90_wait_s"] {
        let (x, y) = (metric(&a, "phone", name), metric(&b, "phone", name));
        let se = ((x.half_width.powi(2) + y.half_width.powi(2)).sqrt()) * 1.1;
        eprintln!(
            "{name}: wrap-up {} +- {}, gamma {} +- {}",
            x.mean, x.half_width, y.mean, y.half_width
        );
        assert!(
            (x.mean - y.mean).abs() <= se,
            "{name}: {} vs {}",
            x.mean,
            y.mean
        );
    }
    check("occupancy", &a.groups[0].occupancy, 0.8, 0.005);
    check("talk_s", metric(&a, "phone", "talk_s"), 120.0, 2.0);
    check("wrap_up_s", metric(&a, "phone", "wrap_up_s"), 120.0, 2.0);
}

/// A report without realism metrics has none of them, and its metric slots are today's.
#[test]
fn realism_metrics_only_when_used() {
    let plain = variant("mmc-5.json", |_| {});
    let lay = Layout::new(&plain);
    assert!(!lay.real);
    assert!(!lay.has_metric(REAL_FIRST + r::FCR));
    let rep = run(&plain, 10, 1);
    assert!(metric_opt(&rep, "fcr").is_none());
    let json = to_json(&rep);
    assert!(!json.contains("wrap_up_s"));
}

fn metric_opt<'a>(report: &'a RunReport, name: &str) -> Option<&'a Estimate> {
    report.channel("phone").and_then(|c| c.metrics.get(name))
}

/// Per replication, every row: offered = answered + abandoned + unresolved (+ outage outcomes);
/// attempts: offered = customers + redials (whole day); customers = answered + lost +
/// unresolved + redirected; transfers = answered + abandoned + unresolved in the target queue
/// (plus those still pending, none at the end). Returns totals over replications of
/// (redials, transfers, customers lost, outage contacts).
fn conserved(name: &str, model: &Model, replications: u64) -> [f64; 4] {
    let layout = Layout::new(model);
    let mut engine = Engine::new(model);
    let mut s = RepSummary::default();
    let mut tot = [0.0; 4];
    for rep in 0..replications {
        let stats = engine.run(model, model.seed, rep);
        layout.summarize(stats, &mut s);
        let x = stats.real.clone();
        let cells = stats.cells.clone();
        for (row, rw) in layout.rows.iter().enumerate() {
            let mut c = acdsim::stats::RealCell::default();
            let (mut o, mut a, mut b, mut u) = (0, 0, 0, 0);
            for &i in &rw.cells {
                let (y, z) = (&x[i as usize], &cells[i as usize]);
                c.customers += y.customers;
                c.redials += y.redials;
                c.customers_answered += y.customers_answered;
                c.customers_lost += y.customers_lost;
                c.customers_unresolved += y.customers_unresolved;
                c.customers_redirected += y.customers_redirected;
                c.transfers += y.transfers;
                c.transfer_answered += y.transfer_answered;
                c.transfer_abandoned += y.transfer_abandoned;
                c.transfer_unresolved += y.transfer_unresolved;
                c.outage_redirected += y.outage_redirected;
                c.outage_call_later += y.outage_call_later;
                c.outage_self_service += y.outage_self_service;
                c.outage_offered += y.outage_offered;
                (o, a, b, u) = (
                    o + z.offered,
                    a + z.answered,
                    b + z.abandoned,
                    // The surge playbook's outcomes (none without one).
                    u + z.unresolved + z.diverted + z.hung_up + z.callback_requested,
                );
            }
            let away = c.outage_redirected + c.outage_call_later + c.outage_self_service;
            assert_eq!(
                o,
                a + b + u + away,
                "{name} rep {rep} {:?}: offered",
                rw.key
            );
            assert_eq!(
                c.customers,
                c.customers_answered
                    + c.customers_lost
                    + c.customers_unresolved
                    + c.customers_redirected,
                "{name} rep {rep} {:?}: customers",
                rw.key
            );
            assert_eq!(
                c.transfers,
                c.transfer_answered + c.transfer_abandoned + c.transfer_unresolved,
                "{name} rep {rep} {:?}: transfers",
                rw.key
            );
            // Attempts: over a channel's whole day (a redial counts in its own interval).
            if matches!(rw.key, RowKey::Channel { .. } | RowKey::Overall) {
                assert_eq!(
                    o,
                    c.customers + c.redials,
                    "{name} rep {rep} {:?}: attempts",
                    rw.key
                );
                if rw.key == RowKey::Overall {
                    tot[0] += c.redials as f64;
                    tot[1] += c.transfers as f64;
                    tot[2] += c.customers_lost as f64;
                    tot[3] += c.outage_offered as f64;
                }
            }
            let v = |j: usize| s.values[layout.slot(row, j)];
            assert_eq!(v(m::OFFERED), o as f64);
        }
    }
    eprintln!("{name}: conserved; redials, transfers, lost, outage = {tot:?}");
    tot
}

/// conservation-cut.json (overload, abandonment, a hard close) with every realism feature:
/// wrap-up, 30% of calls transferred with priority to a `senior` type only the seniors serve
/// (after a delay), redials (60%, decaying, up to 4 attempts, some due after closing), and a
/// phone outage with dropped contacts, a redirect to chat, call-later and self-service.
fn everything(closing: &str) -> Model {
    variant("conservation-cut.json", |v| everything_edit(v, closing))
}

/// [`everything`]'s edit of conservation-cut.json.
fn everything_edit(v: &mut serde_json::Value, closing: &str) {
    {
        v["day"]["closing"] = closing.into();
        let ch = &mut v["channels"][0];
        ch["types"] = serde_json::json!([
            { "id": "call", "share": 1, "skills": ["phone"],
              "handle_time": { "type": "lognormal", "mean": 300, "cv": 1.2 },
              "wrap_up": { "type": "exponential", "mean": 40 },
              "transfer": { "share": 0.3, "to_type": "senior", "priority": true,
                            "delay": { "type": "uniform", "min": 0, "max": 30 } } },
            { "id": "senior", "share": 0, "skills": ["senior"],
              "handle_time": { "type": "exponential", "mean": 200 },
              "wrap_up": { "type": "deterministic", "value": 20 } }
        ]);
        ch["redial"] = serde_json::json!({
            "probability": 0.6, "decay": 0.8, "max_attempts": 4,
            "delay": { "type": "exponential", "mean": 600 } });
        v["channels"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
            "id": "chat", "goal": { "threshold_s": 60, "target": 0.8 }, "volume": 5,
            "types": [ { "id": "chat", "share": 1, "skills": ["chat"],
                         "handle_time": { "type": "exponential", "mean": 400 } } ],
            "segments": [ { "id": "impatient", "share": 1,
                            "patience": { "type": "exponential", "mean": 300 } } ] }));
        v["agent_groups"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!(
            { "id": "seniors", "skills": { "senior": 4, "chat": 3 }, "headcount": 2 }));
        v["outages"] = serde_json::json!([ {
            "channel": "phone", "start": "09:30", "duration_minutes": 45,
            "handle_time_factor": 1.5, "in_service": "drop",
            "redirect": { "channel": "chat", "share": 0.3 },
            "call_later_share": 0.2, "self_service_share": 0.1 } ]);
    }
}

#[test]
fn every_contact_and_customer_is_conserved() {
    for closing in ["cut", "drain"] {
        let model = everything(closing);
        let [redials, transfers, lost, outage] = conserved(closing, &model, 200);
        assert!(redials > 0.0 && transfers > 0.0 && lost > 0.0 && outage > 0.0);
    }
    let rep = run(&everything("cut"), 200, 7);
    let after = metric(&rep, "phone", "redials_after_close").mean;
    assert!(after > 0.0, "some redials fall after closing: {after}");
    assert!(metric(&rep, "phone", "outage_dropped").mean > 0.0);
    let fcr = metric(&rep, "phone", "fcr");
    assert!(
        (fcr.mean - 0.7).abs() < 3.0 * fcr.half_width.max(0.005),
        "fcr {}",
        fcr.mean
    );
}

/// Every standard figure of a report, as JSON (metrics of every row, occupancy of every group),
/// without the realism metrics.
fn standard_figures(r: &RunReport) -> String {
    let strip = |m: &acdsim::report::Metrics| {
        m.1.iter()
            .filter(|&&i| i < REAL_FIRST)
            .map(|&i| format!("{:?}", m.0[i]))
            .collect::<Vec<_>>()
            .join(";")
    };
    let mut out = strip(&r.overall);
    for c in &r.channels {
        out += &strip(&c.metrics);
        for row in c.segments.iter().chain(&c.types).chain(&c.intervals) {
            out += &strip(&row.metrics);
        }
    }
    for g in &r.groups {
        out += &format!("{:?}{:?}", g.occupancy, g.agent_hours);
        for iv in &g.intervals {
            out += &format!("{:?}", iv.occupancy);
        }
    }
    out
}

/// Redials with probability 0 and transfers with share 0 (first-contact resolution 100%)
/// change no bit of today's figures: the realism streams are apart, and a wrap-up of 0 adds
/// nothing to a busy time.
#[test]
fn redial_probability_zero_and_fcr_100_give_todays_bits() {
    for base in ["erlang-a.json", "conservation-cut.json"] {
        let today = run(&variant(base, |_| {}), 200, 3);
        let off = variant(base, |v| {
            let ch = &mut v["channels"][0];
            ch["redial"] = serde_json::json!({
                "probability": 0, "delay": { "type": "exponential", "mean": 60 } });
            // Passed on to another agent of the same type (a second type would add a draw).
            ch["types"][0]["transfer"] = serde_json::json!({ "share": 0, "to_type": "call" });
        });
        assert!(off.realism.is_used());
        let r = run(&off, 200, 3);
        assert_eq!(metric(&r, "phone", "redials").mean, 0.0);
        assert_eq!(metric(&r, "phone", "transfers").mean, 0.0);
        assert_eq!(metric(&r, "phone", "fcr").mean, 1.0);
        assert_eq!(standard_figures(&today), standard_figures(&r), "{base}");
    }
}

/// The stationary distribution of the M/M/c+M retrial queue with an orbit: `c` agents,
/// arrivals `lambda`, service rate `mu` per agent, FIFO queue with exponential patience
/// `theta`, and a customer who abandons calls again with probability `p` after an exponential
/// delay of rate `gamma` (each customer in the orbit on their own). State (n in the system,
/// m in the orbit), truncated at `n_max` and `m_max` (far beyond where the mass is), solved by
/// Gauss-Seidel iteration of the balance equations. Returns (E[(n-c)+] waiting, E[m] orbit,
/// mass at the truncation bounds).
fn retrial_ctmc(c: usize, lambda: f64, mu: f64, theta: f64, p: f64, gamma: f64) -> (f64, f64, f64) {
    let (n_max, m_max) = (c + 60, 80);
    let idx = |n: usize, m: usize| n * (m_max + 1) + m;
    let mut pi = vec![0.0; (n_max + 1) * (m_max + 1)];
    pi[0] = 1.0;
    // Outflow rates of a state, and the inflows from its neighbours.
    let served = |n: usize| n.min(c) as f64 * mu;
    let waiting = |n: usize| n.saturating_sub(c) as f64 * theta;
    for _ in 0..3000 {
        for n in 0..=n_max {
            for m in 0..=m_max {
                let out = if n < n_max {
                    lambda + m as f64 * gamma
                } else {
                    0.0
                } + served(n)
                    + if m < m_max {
                        waiting(n)
                    } else {
                        waiting(n) * (1.0 - p)
                    };
                let mut inflow = 0.0;
                if n > 0 {
                    inflow += pi[idx(n - 1, m)] * lambda;
                    if m < m_max {
                        inflow += pi[idx(n - 1, m + 1)] * (m + 1) as f64 * gamma;
                    }
                }
                if n < n_max {
                    inflow += pi[idx(n + 1, m)] * served(n + 1);
                    inflow += pi[idx(n + 1, m)] * waiting(n + 1) * (1.0 - p);
                    if m > 0 {
                        inflow += pi[idx(n + 1, m - 1)] * waiting(n + 1) * p;
                    }
                }
                // At m_max an abandoning customer who would join the orbit stays in place (a
                // self-loop, left out of the outflow). State (0, 0) is the iteration's pivot.
                if out > 0.0 && (n, m) != (0, 0) {
                    pi[idx(n, m)] = inflow / out;
                }
            }
        }
        let total: f64 = pi.iter().sum();
        pi.iter_mut().for_each(|x| *x /= total);
    }
    let (mut wq, mut orbit, mut edge) = (0.0, 0.0, 0.0);
    for n in 0..=n_max {
        for m in 0..=m_max {
            let x = pi[idx(n, m)];
            wq += n.saturating_sub(c) as f64 * x;
            orbit += m as f64 * x;
            if n == n_max || m == m_max {
                edge += x;
            }
        }
    }
    (wq, orbit, edge)
}

/// Redials against the exact retrial queue: 3 agents, 40 calls an hour (exponential handle
/// time 240 s, 2.67 Erlangs), exponential patience of 120 s; half of those who abandon call
/// again after an exponential 600 s (decay 1; 100 attempts at most, never reached). In steady
/// state (a 4-hour warm-up; the orbit empties in well under an hour) the attempts an hour
/// must be lambda + gamma E[orbit], the redials an hour gamma E[orbit], and the share of
/// attempts that abandon theta E[waiting] / (attempts rate), from the CTMC.
#[test]
fn redials_match_the_retrial_queue_ctmc() {
    let model = variant("erlang-a.json", |v| {
        v["day"]["warmup_minutes"] = 240.into();
        v["agent_groups"][0]["headcount"] = 3.into();
        let ch = &mut v["channels"][0];
        ch["volume"] = 40.into();
        ch["types"][0]["handle_time"] = serde_json::json!({"type": "exponential", "mean": 240});
        ch["segments"][0]["patience"] = serde_json::json!({"type": "exponential", "mean": 120});
        ch["redial"] = serde_json::json!({
            "probability": 0.5, "max_attempts": 100,
            "delay": { "type": "exponential", "mean": 600 } });
    });
    let (lambda, mu, theta, p, gamma) = (40.0 / 3600.0, 1.0 / 240.0, 1.0 / 120.0, 0.5, 1.0 / 600.0);
    let (wq, orbit, edge) = retrial_ctmc(3, lambda, mu, theta, p, gamma);
    assert!(edge < 1e-9, "truncation mass {edge}");
    let attempts_h = (lambda + gamma * orbit) * 3600.0;
    let abandon_share = theta * wq / (lambda + gamma * orbit);
    eprintln!("CTMC: E[waiting] {wq:.5}, E[orbit] {orbit:.5}, attempts/h {attempts_h:.4}, abandon share {abandon_share:.5}");
    let rep = run(&model, 2000, 21);
    let hours = 8.0;
    let per_hour = |e: &Estimate| Estimate {
        mean: e.mean / hours,
        lo: e.lo / hours,
        hi: e.hi / hours,
        half_width: e.half_width / hours,
        n: e.n,
    };
    check(
        "attempts per hour",
        &per_hour(metric(&rep, "phone", "offered")),
        attempts_h,
        0.5,
    );
    check(
        "redials per hour",
        &per_hour(metric(&rep, "phone", "redials")),
        gamma * orbit * 3600.0,
        0.3,
    );
    check(
        "abandon share of attempts",
        metric(&rep, "phone", "abandon_rate"),
        abandon_share,
        0.01,
    );
    // Without redials the same queue has fewer attempts: the test sees the orbit.
    assert!(
        gamma * orbit * 3600.0 > 2.0,
        "the orbit matters: {}",
        gamma * orbit * 3600.0
    );
}

/// Every figure of a report, realism metrics included, row by row (channels with their
/// segments, types and intervals; groups).
fn all_figures(r: &RunReport) -> String {
    let all = |m: &acdsim::report::Metrics| {
        m.1.iter()
            .map(|&i| format!("{:?}", m.0[i]))
            .collect::<Vec<_>>()
            .join(";")
    };
    let mut out = all(&r.overall);
    for c in &r.channels {
        out += &all(&c.metrics);
        for row in c.segments.iter().chain(&c.types).chain(&c.intervals) {
            out += &format!("{}:{}", row.id, all(&row.metrics));
        }
    }
    for g in &r.groups {
        out += &format!("{:?}{:?}", g.occupancy, g.agent_hours);
    }
    out
}

/// `to_skill` (README "Realism"): a transfer to a skill tag is a transfer to the channel's type
/// requiring exactly that skill when there is one (the same figures as naming it with
/// `to_type`), and else to an implicit share-0 type `<tag>-transfer` with the transferring
/// type's difficulty, handle time and wrap-up (the same figures as writing that type out).
#[test]
fn transfer_to_a_skill_tag() {
    let by_type = run(&everything("drain"), 100, 9);
    let skill = |v: &mut serde_json::Value| {
        let tr = &mut v["channels"][0]["types"][0]["transfer"];
        tr.as_object_mut().unwrap().remove("to_type");
        tr["to_skill"] = "senior".into();
    };
    let by_skill = run(&edit_everything(skill), 100, 9);
    assert!(metric(&by_skill, "phone", "transfers").mean > 0.0);
    assert_eq!(all_figures(&by_type), all_figures(&by_skill));
    // No type requires exactly [senior]: an implicit one.
    let implicit = edit_everything(|v| {
        skill(v);
        v["channels"][0]["types"].as_array_mut().unwrap().pop();
    });
    let k = implicit
        .types
        .iter()
        .position(|t| t == "senior-transfer")
        .expect("the implicit type");
    let written = edit_everything(|v| {
        let types = v["channels"][0]["types"].as_array_mut().unwrap();
        types.pop();
        let call = types[0].clone();
        types[0]["transfer"]["to_type"] = "senior-transfer".into();
        types.push(serde_json::json!({
            "id": "senior-transfer", "share": 0, "skills": ["senior"],
            "handle_time": call["handle_time"], "wrap_up": call["wrap_up"] }));
    });
    assert_eq!(written.types[k], "senior-transfer");
    let (a, b) = (run(&implicit, 100, 9), run(&written, 100, 9));
    assert!(metric(&a, "phone", "transfers").mean > 0.0);
    assert!(a.types.iter().any(|t| t.id == "senior-transfer"));
    assert_eq!(all_figures(&a), all_figures(&b));
}

/// [`everything`]'s scenario (drain) with a further JSON edit, resolved.
fn edit_everything(edit: impl FnOnce(&mut serde_json::Value)) -> Model {
    let path = scenario_path("conservation-cut.json");
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("bundled scenario")).expect("JSON");
    everything_edit(&mut v, "drain");
    edit(&mut v);
    let bytes = serde_json::to_vec(&v).expect("JSON");
    let raw = input::parse("variant", &bytes).expect("parses");
    input::resolve("variant", &bytes, &raw, &PathBuf::from(".")).expect("valid")
}

/// The scenario edited by `edit`, resolved: the error's text if it is refused.
fn refused(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let path = scenario_path("conservation-cut.json");
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("bundled scenario")).expect("JSON");
    edit(&mut v);
    let bytes = serde_json::to_vec(&v).expect("JSON");
    let raw = input::parse("bad.json", &bytes).expect("parses");
    match input::resolve("bad.json", &bytes, &raw, &PathBuf::from(".")) {
        Ok(_) => panic!("accepted: {v}"),
        Err(e) => e.to_string(),
    }
}

/// Bad realism values are refused before anything runs, naming the file and the JSON path.
#[test]
fn bad_realism_values_name_file_and_path() {
    type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(
                |v| v["channels"][0]["redial"] = serde_json::json!({"probability": 1.5, "delay": {"type": "exponential", "mean": 60}}),
            ),
            "$.channels[0].redial.probability",
        ),
        (
            Box::new(
                |v| v["channels"][0]["segments"][1]["redial"] = serde_json::json!({"probability": 0.5, "decay": -0.1, "delay": {"type": "exponential", "mean": 60}}),
            ),
            "$.channels[0].segments[1].redial.decay",
        ),
        (
            Box::new(|v| {
                v["channels"][0]["types"][0]["transfer"] =
                    serde_json::json!({"share": 0.2, "to_type": "nobody"})
            }),
            "$.channels[0].types[0].transfer.to_type",
        ),
        (
            Box::new(|v| {
                v["channels"][0]["types"][0]["transfer"] =
                    serde_json::json!({"share": 0.2, "to_skill": "nobody"})
            }),
            "$.channels[0].types[0].transfer.to_skill",
        ),
        (
            Box::new(|v| {
                v["channels"][0]["types"][0]["transfer"] =
                    serde_json::json!({"share": 0.2, "to_type": "call", "to_skill": "phone"})
            }),
            "$.channels[0].types[0].transfer.to_skill",
        ),
        (
            Box::new(|v| {
                v["channels"][0]["types"][0]["transfer"] = serde_json::json!({"share": 0.2})
            }),
            "$.channels[0].types[0].transfer.to_type",
        ),
        (
            // A target type that exists but that no agent group serves.
            Box::new(|v| {
                let types = v["channels"][0]["types"].as_array_mut().unwrap();
                types[0]["transfer"] = serde_json::json!({"share": 0.2, "to_type": "x"});
                types.push(
                    serde_json::json!({"id": "x", "share": 0, "skills": ["unserved"],
                    "handle_time": {"type": "exponential", "mean": 60}}),
                );
            }),
            "$.channels[0].types[1].skills",
        ),
        (
            Box::new(|v| {
                v["channels"][0]["types"][0]["transfer"] =
                    serde_json::json!({"share": -0.2, "to_type": "call"})
            }),
            "$.channels[0].types[0].transfer.share",
        ),
        (
            Box::new(|v| {
                let types = v["channels"][0]["types"].as_array_mut().unwrap();
                let mut b = types[0].clone();
                b["id"] = "b".into();
                b["share"] = 0.into();
                b["transfer"] = serde_json::json!({"share": 1, "to_type": "call"});
                types[0]["transfer"] = serde_json::json!({"share": 1, "to_type": "b"});
                types.push(b);
            }),
            "circle of transfers",
        ),
        (
            Box::new(
                |v| v["outages"] = serde_json::json!([{"channel": "phone", "start": "11:30", "duration_minutes": 60}]),
            ),
            "$.outages[0].duration_minutes",
        ),
        (
            Box::new(
                |v| v["outages"] = serde_json::json!([{"channel": "phone", "start": "07:00", "duration_minutes": 30}]),
            ),
            "$.outages[0].start",
        ),
        (
            Box::new(|v| {
                v["outages"] = serde_json::json!([{"channel": "phone", "start": "09:00", "duration_minutes": 30,
                    "redirect": {"channel": "app", "share": 0.5}}])
            }),
            "$.outages[0].redirect.channel",
        ),
        (
            Box::new(|v| {
                v["outages"] = serde_json::json!([{"channel": "fax", "start": "09:00", "duration_minutes": 30}])
            }),
            "$.outages[0].channel",
        ),
        (
            Box::new(|v| {
                v["outages"] = serde_json::json!([{"start": "09:00", "duration_minutes": 30,
                    "call_later_share": 0.7, "self_service_share": 0.6}])
            }),
            "at most 1",
        ),
    ];
    for (edit, want) in cases {
        let msg = refused(edit);
        eprintln!("{msg}");
        assert!(
            msg.contains("bad.json") && msg.contains(want),
            "{msg}: wants {want}"
        );
    }
}

/// With every realism feature, the report is the same bytes with 1 and 3 threads, and the
/// same seed gives the same report twice (the engine's records and later events are reset per
/// replication).
#[test]
fn realism_reports_are_identical_across_threads() {
    let model = everything("drain");
    let json = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| to_json(&run(&model, 120, 5)))
    };
    let (one, three) = (json(1), json(3));
    assert!(one.contains("\"fcr\"") && one.contains("\"outage_service_level\""));
    assert!(one == three, "JSON differs between 1 and 3 threads");
    assert!(one == json(3), "JSON differs between two runs");
}

/// tests/data/playbook.json (the announcement plays from 08:30 on) with every phone caller who
/// finds no agent told the wait (limit 0), half of them hanging up, none asking for a callback,
/// no diversion, phone callers who never abandon, and a redial rule (60%, one more attempt
/// at most) that applies after a hang-up when `after_hang_up`.
fn hang_ups(probability: f64, after_hang_up: bool) -> Model {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/playbook.json");
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("test scenario")).expect("JSON");
    let pb = &mut v["surge_playbook"];
    pb["divert"] = serde_json::json!([]);
    pb["announcement"]["limit_s"] = 0.into();
    pb["announcement"]["callback_share"] = 0.into();
    pb["announcement"]["hangup_share"] = 0.5.into();
    let phone = &mut v["channels"][0];
    phone["segments"][0]["patience"] = serde_json::json!({ "type": "never" });
    phone["redial"] = serde_json::json!({
        "probability": probability, "max_attempts": 2, "after_hang_up": after_hang_up,
        "delay": { "type": "exponential", "mean": 300 } });
    let bytes = serde_json::to_vec(&v).expect("JSON");
    let raw = input::parse("hang-ups", &bytes).expect("parses");
    input::resolve("hang-ups", &bytes, &raw, &PathBuf::from(".")).expect("valid")
}

/// Redials after an announcement hang-up (`redial.after_hang_up`): contacts and customers are
/// conserved in every replication (a hang-up is an attempt; its customer calls again or is
/// lost); the share of hang-ups followed by a redial (counted, or due after closing) matches the
/// rule's probability (binomial, 4.5 standard errors; phone callers never abandon, so every
/// redial follows a hang-up); without `after_hang_up` every caller who hangs up is a customer
/// lost and nobody calls again; and with probability 0 the rule changes no figure.
#[test]
fn redials_after_an_announcement_hang_up() {
    let model = hang_ups(0.6, true);
    let [redials, ..] = conserved("after hang-up", &model, 100);
    assert!(redials > 0.0);
    let r = run(&model, 200, 4);
    let phone = |r: &RunReport, name: &str| metric(r, "phone", name).mean * 200.0;
    let (hung, again) = (
        phone(&r, "hung_up"),
        phone(&r, "redials") + phone(&r, "redials_after_close"),
    );
    let se = (hung * 0.6 * 0.4).sqrt();
    eprintln!("{again} redials after {hung} hang-ups (p = 0.6, se {se:.1})");
    assert!(hung > 1000.0, "{hung} hang-ups");
    assert!(
        (again - 0.6 * hung).abs() < 4.5 * se,
        "{again} vs {}",
        0.6 * hung
    );
    let off = hang_ups(0.6, false);
    conserved("no redial after hang-up", &off, 50);
    let layout = Layout::new(&off);
    let row = layout.row(RowKey::Channel { channel: 0 }).unwrap();
    let mut engine = Engine::new(&off);
    let mut total = 0;
    for rep in 0..50 {
        let s = engine.run(&off, off.seed, rep);
        let cells = &layout.rows[row].cells;
        let lost: u32 = cells
            .iter()
            .map(|&i| s.real[i as usize].customers_lost)
            .sum();
        let hung: u32 = cells.iter().map(|&i| s.cells[i as usize].hung_up).sum();
        let again: u32 = cells.iter().map(|&i| s.real[i as usize].redials).sum();
        assert_eq!((lost, again), (hung, 0), "rep {rep}");
        total += hung;
    }
    assert!(total > 0);
    let zero = run(&hang_ups(0.0, true), 200, 4);
    assert_eq!(
        all_figures(&zero),
        all_figures(&run(&hang_ups(0.0, false), 200, 4))
    );
}

/// `check` and `compare` name the realism metrics: every one parses as a requirement on a
/// scenario with a realism feature (and none on one without); `acdsim check` judges
/// `phone.fcr`, `phone.unique_lost_share` and `phone.outage_service_level` on the bundled outage
/// scenario, and `acdsim compare` reports them.
#[test]
fn check_and_compare_name_the_realism_metrics() {
    use acdsim::analysis::check::parse_requirement;
    let model = variant("outage.json", |_| {});
    let layout = Layout::new(&model);
    for (j, name) in acdsim::stats::REAL_METRICS.iter().enumerate() {
        let req = parse_requirement(&format!("phone.{name} >= 0"), &model, &layout)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(req.metric, REAL_FIRST + j, "{name}");
    }
    let plain = variant("mmc-5.json", |_| {});
    let err = parse_requirement("phone.fcr >= 0.8", &plain, &Layout::new(&plain)).unwrap_err();
    assert!(err.contains("realism metric"), "{err}");
    let path = scenario_path("outage.json");
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_acdsim"))
            .args(args)
            .arg(&path)
            .args(["-n", "10", "--threads", "2"])
            .output()
            .expect("acdsim runs");
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let reqs = [
        "phone.fcr >= 0.5",
        "phone.unique_lost_share <= 0.5",
        "phone.outage_service_level >= 0.1",
    ];
    let mut args = vec!["check"];
    for r in &reqs {
        args.extend(["--require", r]);
    }
    let out = cli(&args);
    for r in reqs {
        assert!(
            out.lines()
                .any(|l| l.starts_with(r) && l.trim_end().ends_with("pass")),
            "{r} not judged: {out}"
        );
    }
    let out = cli(&["compare", "--strategies", "skill-first,idle-first"]);
    for name in [
        "fcr",
        "unique_lost_share",
        "outage_service_level",
        "end_to_end_s",
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("phone") && l.split_whitespace().nth(1) == Some(name)),
            "compare reports no phone {name}: {out}"
        );
    }
}

/// From the command line a bad realism value exits 2 before anything runs, naming the file and
/// the JSON path: a transfer to a skill tag no agent group has, and a redial probability
/// above 1.
#[test]
fn bad_realism_values_exit_2_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let base: serde_json::Value = serde_json::from_slice(
        &std::fs::read(scenario_path("conservation-cut.json")).expect("bundled scenario"),
    )
    .expect("JSON");
    let cases = [
        (
            "/channels/0/types/0/transfer",
            serde_json::json!({"share": 0.2, "to_skill": "nobody"}),
            "$.channels[0].types[0].transfer.to_skill",
        ),
        (
            "/channels/0/redial",
            serde_json::json!({"probability": 1.2, "delay": {"type": "exponential", "mean": 60}}),
            "$.channels[0].redial.probability",
        ),
    ];
    for (i, (at, value, path)) in cases.into_iter().enumerate() {
        let mut v = base.clone();
        let (parent, key) = at.rsplit_once('/').unwrap();
        v.pointer_mut(parent).unwrap()[key] = value;
        let file = dir.path().join(format!("bad-{i}.json"));
        std::fs::write(&file, serde_json::to_vec(&v).unwrap()).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_acdsim"))
            .args(["run", "-n", "5", "--quiet"])
            .arg(&file)
            .output()
            .expect("acdsim runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("bad-{i}.json")) && err.contains(path),
            "{err}"
        );
    }
}

/// With the cost objective and seniors priced at twice the generalists, `staff` still keeps
/// the seniors the escalated phone complaints need: only seniors take them and no channel goal
/// counts them, so the search alone would cut the expensive group to 0 and leave every
/// escalation waiting (as it did). The answer, simulated, answers the escalations.
#[test]
fn cost_objective_keeps_the_agents_escalations_need() {
    let dir = tempfile::tempdir().unwrap();
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(scenario_path("default.json")).unwrap()).unwrap();
    for g in v["agent_groups"].as_array_mut().unwrap() {
        let price = match g["id"].as_str().unwrap() {
            "seniors" => 40.0,
            "digital" => 25.0,
            _ => 20.0,
        };
        g["cost_per_hour"] = price.into();
    }
    let path = dir.path().join("priced.json");
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    let out = dir.path().join("staff.json");
    let status = assert_cmd::Command::cargo_bin("acdsim")
        .unwrap()
        .args([
            "staff",
            path.to_str().unwrap(),
            "-n",
            "30",
            "--objective",
            "cost",
        ])
        .args(["--quiet", "--json", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let staff: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let groups = staff["groups"].as_array().unwrap();
    let base = |id: &str| -> Vec<u64> {
        let g = groups.iter().find(|g| g["group"] == id).expect("group");
        g["base"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect()
    };
    let seniors = base("seniors");
    assert!(seniors.iter().all(|&n| n >= 1), "seniors {seniors:?}");
    // The answer simulated: escalations are answered (a mean transferred wait of about a
    // minute; none at all before).
    for g in v["agent_groups"].as_array_mut().unwrap() {
        let id = g["id"].as_str().unwrap().to_string();
        g["headcount"] = serde_json::json!(base(&id));
    }
    let bytes = serde_json::to_vec(&v).unwrap();
    let raw = input::parse("staffed", &bytes).unwrap();
    let model = input::resolve("staffed", &bytes, &raw, &PathBuf::from(".")).unwrap();
    let rep = run(&model, 100, 9);
    let wait = metric(&rep, "phone", "transfer_wait_s");
    assert!(
        wait.mean.is_finite() && wait.mean < 120.0,
        "transfer wait {wait:?}"
    );
    let unresolved = metric(&rep, "phone", "unique_unresolved");
    assert!(unresolved.mean < 1.0, "customers unresolved {unresolved:?}");
}
