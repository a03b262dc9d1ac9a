//! The run table's realism section (README "Realism"), for scenarios with wrap-up, transfers,
//! redials or outages: per channel and overall, handle time split into talk and wrap-up,
//! first-contact resolution and transfers, attempts and unique customers; and the outage
//! windows' own service level and what became of their contacts.

use super::{Metrics, RunReport};
use crate::stats::realism::r;
use crate::stats::{Estimate, REAL_FIRST};

/// A value of a realism table: a share (percent) or a number with its decimals.
pub enum Value {
    Pct(Estimate),
    Num(Estimate, usize),
}

/// One realism table: its title, column heads, the metric name of each value column (as
/// `check` and JSON name it) and rows (id, values), which `report::table` and `report::html`
/// render.
pub struct Section {
    pub title: &'static str,
    pub header: Vec<&'static str>,
    pub keys: Vec<&'static str>,
    pub rows: Vec<(String, Vec<Value>)>,
}

/// The metric names of the first realism table's columns.
const CUSTOMER_KEYS: [&str; 12] = [
    "talk_s",
    "wrap_up_s",
    "handle_s",
    "fcr",
    "transfers",
    "transfer_wait_s",
    "end_to_end_s",
    "customers",
    "redials",
    "unique_answered_share",
    "unique_lost_share",
    "redials_after_close",
];

/// The metric names of the outage table's columns.
const OUTAGE_KEYS: [&str; 7] = [
    "outage_offered",
    "outage_service_level",
    "outage_abandon_rate",
    "outage_redirected",
    "outage_call_later",
    "outage_self_service",
    "outage_dropped",
];

/// Whether the report carries the realism metrics.
pub fn has_realism(rep: &RunReport) -> bool {
    rep.overall.1.contains(&REAL_FIRST)
}

/// The realism tables of the run table (none without realism metrics).
pub fn realism_sections(rep: &RunReport) -> Vec<Section> {
    let mut out = Vec::new();
    if !has_realism(rep) {
        return out;
    }
    use Value::{Num as num, Pct as pct};
    let at = |x: &Metrics, j: usize| x.0[REAL_FIRST + j];
    let rows: Vec<(String, &Metrics)> = rep
        .channels
        .iter()
        .map(|c| (c.id.clone(), &c.metrics))
        .chain(std::iter::once(("all".to_string(), &rep.overall)))
        .collect();
    let body: Vec<(String, Vec<Value>)> = rows
        .iter()
        .map(|(id, x)| {
            (
                id.clone(),
                vec![
                    num(at(x, r::TALK), 1),
                    num(at(x, r::WRAP), 1),
                    num(at(x, r::HANDLE), 1),
                    pct(at(x, r::FCR)),
                    num(at(x, r::TRANSFERS), 1),
                    num(at(x, r::TRANSFER_WAIT), 1),
                    num(at(x, r::END_TO_END), 1),
                    num(at(x, r::CUSTOMERS), 1),
                    num(at(x, r::REDIALS), 1),
                    pct(at(x, r::UNIQUE_ANSWERED)),
                    pct(at(x, r::UNIQUE_LOST)),
                    num(at(x, r::REDIALS_AFTER_CLOSE), 1),
                ],
            )
        })
        .collect();
    out.push(Section {
        title: "Realism: handle time, transfers, customers",
        rows: body,
        keys: CUSTOMER_KEYS.to_vec(),
        header: vec![
            "channel",
            "talk s",
            "wrap-up s",
            "handle s",
            "FCR",
            "transfers",
            "transfer wait s",
            "end-to-end s",
            "customers",
            "redials",
            "answered (cust.)",
            "lost (cust.)",
            "redials after close",
        ],
    });
    let outage = rows
        .iter()
        .any(|(_, x)| at(x, r::OUTAGE_OFFERED).mean > 0.0 || at(x, r::OUTAGE_DROPPED).mean > 0.0);
    if !outage {
        return out;
    }
    let body: Vec<(String, Vec<Value>)> = rows
        .iter()
        .map(|(id, x)| {
            (
                id.clone(),
                vec![
                    num(at(x, r::OUTAGE_OFFERED), 1),
                    pct(at(x, r::OUTAGE_SL)),
                    pct(at(x, r::OUTAGE_ABANDON_RATE)),
                    num(at(x, r::OUTAGE_REDIRECTED), 1),
                    num(at(x, r::OUTAGE_CALL_LATER), 1),
                    num(at(x, r::OUTAGE_SELF_SERVICE), 1),
                    num(at(x, r::OUTAGE_DROPPED), 1),
                ],
            )
        })
        .collect();
    out.push(Section {
        title: "Outage windows: contacts that arrived while their channel was down",
        rows: body,
        keys: OUTAGE_KEYS.to_vec(),
        header: vec![
            "channel",
            "offered",
            "service level",
            "abandoned",
            "redirected",
            "call later",
            "self-service",
            "dropped in service",
        ],
    });
    out
}
