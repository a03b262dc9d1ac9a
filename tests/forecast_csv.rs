//! The forecast CSV as WFM tools export it (README "Forecast CSV"): an `aht` column that sets
//! each interval's mean handle time (against Erlang C, and interval by interval with wrap-up),
//! 15-minute rows on a 30-minute day summed, rows after midnight on an overnight day, and bad
//! values refused with the file and line.

use std::path::{Path, PathBuf};

use acdsim::input;
use acdsim::model::Model;
use acdsim::report::json::to_json;

mod common;
use common::{check, check_sl_and_asa, mm5, run, scenario_path};

/// A scratch directory of its own for each test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("acdsim-forecast-csv-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Bundled scenario `name` with `edit` applied, written to `dir` beside `csv` (as
/// `forecast.csv`, when given) and loaded from there as a user would.
fn scenario_in(
    dir: &Path,
    name: &str,
    csv: Option<&str>,
    edit: impl FnOnce(&mut serde_json::Value),
) -> Result<Model, acdsim::error::InputError> {
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(scenario_path(name)).unwrap()).unwrap();
    if let Some(csv) = csv {
        std::fs::write(dir.join("forecast.csv"), csv).unwrap();
        for ch in v["channels"].as_array_mut().unwrap() {
            ch.as_object_mut().unwrap().remove("volume");
        }
        v["forecast_csv"] = "forecast.csv".into();
    }
    edit(&mut v);
    let path = dir.join("scenario.json");
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    input::load(&path)
}

/// The rows of mmc-5's day (8 hours from 08:00) for `phone` with `volume` and an `aht` cell.
fn mmc5_rows(volume: f64, aht: impl Fn(usize) -> String) -> String {
    let mut csv = String::from("channel,interval_start,offered,aht\n");
    for k in 0..8 {
        csv += &format!("phone,{:02}:00,{volume},{}\n", 8 + k, aht(k));
    }
    csv
}

/// M/M/5 whose scenario says 120 s of handle time while the forecast's `aht` says 240 s in
/// every interval: the queue must be Erlang C with AHT 240 s (4 Erlangs on 5 agents), not
/// 120 s (2 Erlangs, where P(wait) is 0.06 instead of 0.55).
#[test]
fn aht_column_sets_the_handle_time_erlang_c() {
    let dir = scratch("erlang");
    let model = scenario_in(
        &dir,
        "mmc-5.json",
        Some(&mmc5_rows(60.0, |_| "240".into())),
        |v| v["channels"][0]["types"][0]["handle_time"]["mean"] = 120.into(),
    )
    .expect("valid");
    assert_eq!(model.channels[0].handle_factors, vec![2.0; 8]);
    assert_eq!(model.interval_handle_s(0, 3), 240.0);
    check_sl_and_asa(&run(&model, 2000, 11), &mm5(240.0));
    // An aht equal to the scenario's mean handle time changes no bit of the report.
    let plain = scenario_in(&dir, "mmc-5.json", None, |_| {}).unwrap();
    let same = scenario_in(
        &dir,
        "mmc-5.json",
        Some(&mmc5_rows(60.0, |_| "240".into())),
        |_| {},
    )
    .unwrap();
    assert_eq!(same.channels[0].handle_factors, vec![1.0; 8]);
    assert_eq!(
        to_json(&run(&plain, 200, 3).channels),
        to_json(&run(&same, 200, 3).channels)
    );
}

/// Talk 180 s and wrap-up 60 s (240 s of handle time) with a forecast aht of 120, 240 and 480 s
/// in turn, an empty cell in between: each interval's mean handle time is its aht (the
/// scenario's 240 s where the cell is empty), talk and wrap-up scaled alike.
#[test]
fn each_interval_has_the_forecast_aht_talk_and_wrap_up_alike() {
    let dir = scratch("intervals");
    let ahts = ["120", "240", "", "480"];
    let model = scenario_in(
        &dir,
        "mmc-5.json",
        Some(&mmc5_rows(30.0, |k| ahts[k % 4].into())),
        |v| {
            let t = &mut v["channels"][0]["types"][0];
            t["handle_time"]["mean"] = 180.into();
            t["wrap_up"] = serde_json::json!({ "type": "exponential", "mean": 60 });
            // Enough agents that nobody waits long.
            v["agent_groups"][0]["headcount"] = 20.into();
        },
    )
    .expect("valid");
    assert_eq!(model.mean_handle_s(0), 240.0);
    let r = run(&model, 1000, 5);
    let phone = r.channel("phone").unwrap();
    for (k, row) in phone.intervals.iter().enumerate() {
        let aht = ahts[k % 4].parse::<f64>().unwrap_or(240.0);
        let m = |name: &str| row.metrics.get(name).unwrap();
        check(
            &format!("{} handle", row.id),
            m("handle_s"),
            aht,
            0.03 * aht,
        );
        check(
            &format!("{} talk", row.id),
            m("talk_s"),
            0.75 * aht,
            0.03 * aht,
        );
        check(
            &format!("{} wrap-up", row.id),
            m("wrap_up_s"),
            0.25 * aht,
            0.03 * aht,
        );
    }
}

/// 15-minute rows on mmc-5's 60-minute day, and the same volumes as whole hours: the same
/// model, bit for bit (the same rates and no aht).
#[test]
fn quarter_hour_rows_equal_their_sum() {
    let dir = scratch("quarters");
    let mut quarters = String::from("channel,interval_start,offered\n");
    let mut hours = quarters.clone();
    for h in 8..16 {
        for q in 0..4 {
            quarters += &format!("phone,{h:02}:{:02},{}\n", q * 15, 10 + q);
        }
        hours += &format!("phone,{h:02}:00,46\n");
    }
    let a = scenario_in(&dir, "mmc-5.json", Some(&quarters), |_| {}).expect("valid");
    let b = scenario_in(&dir, "mmc-5.json", Some(&hours), |_| {}).expect("valid");
    assert_eq!(a.channels[0].rates, b.channels[0].rates);
    assert_eq!(
        to_json(&run(&a, 100, 1).channels),
        to_json(&run(&b, 100, 1).channels)
    );
}

/// A night shift from 22:00 to 02:00: the forecast's rows after midnight are its last
/// intervals, as the same volumes typed inline.
#[test]
fn rows_after_midnight_on_an_overnight_day() {
    let dir = scratch("overnight");
    let night = |v: &mut serde_json::Value| {
        v["day"] = serde_json::json!({ "open": "22:00", "interval_minutes": 60, "intervals": 4 });
    };
    let csv = "channel,interval_start,offered\nphone,22:00,50\nphone,23:00,40\nphone,00:00,20\nphone,01:00,10\n";
    let a = scenario_in(&dir, "mmc-5.json", Some(csv), night).expect("valid");
    let b = scenario_in(&dir, "mmc-5.json", None, |v| {
        night(v);
        v["channels"][0]["volume"] = serde_json::json!([50, 40, 20, 10]);
    })
    .expect("valid");
    assert_eq!(a.channels[0].rates, b.channels[0].rates);
    let (ra, rb) = (run(&a, 100, 1), run(&b, 100, 1));
    assert_eq!(to_json(&ra.channels), to_json(&rb.channels));
    let ids: Vec<&str> = ra.channels[0]
        .intervals
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, ["22:00", "23:00", "00:00", "01:00"]);
}

/// Bad forecasts exit 2 naming the file and line (or the scenario's `$.forecast_csv` for an
/// aht out of proportion with the scenario's handle time), before anything runs.
#[test]
fn bad_forecast_rows_exit_2_naming_file_and_line() {
    let dir = scratch("bad");
    let cases = [
        // A quarter hour missing.
        (
            "channel,interval_start,offered\nphone,08:00,1\nphone,08:15,1\n",
            "line 3",
            "no row for channel `phone` interval 08:30",
        ),
        // Not on a 15-minute grid.
        (
            "channel,interval_start,offered\nphone,08:00,1\nphone,08:20,1\n",
            "line 3",
            "nor of a 15- or 30-minute part",
        ),
        (
            "channel,interval_start,offered,aht\nphone,08:00,1,-3\n",
            "line 2",
            "aht = -3",
        ),
        // 240 s of handle time: an aht of 1e6 s is a factor 4167.
        (
            &mmc5_rows(60.0, |_| "1000000".into()),
            "$.forecast_csv",
            "factor must be between",
        ),
    ];
    for (csv, loc, msg) in cases {
        std::fs::write(dir.join("forecast.csv"), csv).unwrap();
        let e = scenario_in(&dir, "mmc-5.json", Some(csv), |_| {}).unwrap_err();
        assert!(e.location.contains(loc), "{loc}: {e}");
        assert!(e.message.contains(msg), "{msg}: {e}");
        let out = assert_cmd::Command::cargo_bin("acdsim")
            .unwrap()
            .args(["run", dir.join("scenario.json").to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{e}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(loc) && stderr.contains(msg), "{stderr}");
    }
}

/// `erlang --forecast` staffs each row with its `aht` (the `--aht-s` where the cell is empty):
/// a row of 40 contacts at 360 s needs what `--contacts 40 --aht-s 360` needs.
#[test]
fn erlang_sheet_uses_the_rows_aht() {
    let dir = scratch("erlang-sheet");
    let f = dir.join("f.csv");
    std::fs::write(
        &f,
        "channel,interval_start,offered,aht\nphone,08:00,40,360\nphone,08:30,40,\n",
    )
    .unwrap();
    let agents = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("acdsim")
            .unwrap()
            .args([
                "erlang",
                "--sl",
                "0.8",
                "--threshold-s",
                "20",
                "--json",
                "-",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let sheet = agents(&["--forecast", f.to_str().unwrap(), "--aht-s", "180"]);
    let rows = sheet["intervals"].as_array().unwrap();
    assert_eq!(rows[0]["aht_s"], 360.0);
    assert_eq!(rows[1]["aht_s"], 180.0);
    for (row, aht) in rows.iter().zip(["360", "180"]) {
        let single = agents(&["--contacts", "40", "--aht-s", aht]);
        assert_eq!(row["agents_needed"], single["agents_needed"], "{aht}");
    }
    assert_ne!(rows[0]["agents_needed"], rows[1]["agents_needed"]);
}
