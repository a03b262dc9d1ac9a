//! The HTML reports of `run`, `compare` and `staff` (`--html FILE`), opened in a real browser:
//! headless Chromium with a fresh profile dumps the DOM, which must hold every section in order
//! and the same figures as the JSON report of the same run; a 1280 px screenshot and a PDF print
//! must come out; and the page must log nothing on the console (it has no script, so any message
//! is a refused load or a policy violation) and request nothing from the network (read from
//! Chromium's own network log).
//!
//! Without a browser (`chromium`, `chromium-browser` or `$ACDSIM_CHROMIUM`) the browser tests
//! print why and pass, unless `ACDSIM_REQUIRE_BROWSER=1` (set by `.ci/run`, which installs
//! Debian's `chromium`), which makes them fail. The checks of the page's text run either way.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn acdsim() -> Command {
    let mut c = Command::cargo_bin("acdsim").unwrap();
    c.env("RAYON_NUM_THREADS", "2");
    c
}

/// Chromium's flags for a run that touches nothing outside its own fresh profile.
const FLAGS: [&str; 7] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// The browser, or `None` (with the reason printed) when there is none and none is required.
fn browser() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = std::env::var_os("ACDSIM_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            ["chromium", "chromium-browser"]
                .iter()
                .filter_map(|name| which(name)),
        )
        .collect();
    if let Some(b) = candidates.into_iter().find(|p| p.is_file()) {
        return Some(b);
    }
    if std::env::var("ACDSIM_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("ACDSIM_REQUIRE_BROWSER=1 but no chromium found: apt-get install -y chromium, or set ACDSIM_CHROMIUM");
    }
    eprintln!("skipped: no chromium on PATH (apt-get install -y chromium); set ACDSIM_REQUIRE_BROWSER=1 to fail instead");
    None
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// What one browser run of a page gave.
struct BrowserRun {
    /// Stdout (the DOM, with `--dump-dom`).
    stdout: String,
    /// Console messages the page logged.
    console: Vec<String>,
    /// URLs the page requested (the browser's own background requests left out).
    requests: Vec<String>,
}

/// Opens `page` in headless Chromium with a fresh profile and `extra` flags.
fn open(chromium: &Path, page: &Path, extra: &[String]) -> BrowserRun {
    let work = TempDir::new().unwrap();
    let profile = work.path().join("profile");
    let netlog = work.path().join("net.json");
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let out = Process::new(chromium)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--enable-logging=stderr")
        .arg("--v=0")
        .arg(format!("--log-net-log={}", netlog.display()))
        .args(extra)
        .arg(&url)
        .output()
        .expect("chromium starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "chromium failed ({}) on {url}:\n{stderr}",
        out.status
    );
    // Chromium logs every console message of the page as `INFO:CONSOLE...] "message", source: ...`.
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    BrowserRun {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        console,
        requests: page_requests(&netlog),
    }
}

/// The URLs requested on behalf of a `file://` page, from Chromium's network log: the requests
/// whose network isolation key is the page's site. The browser's own (update checks and the
/// like) have another key.
fn page_requests(netlog: &Path) -> Vec<String> {
    let text = fs::read_to_string(netlog).expect("chromium wrote its network log");
    // A log cut short by the browser's exit lacks its closing brackets.
    let log: Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .expect("the network log is JSON");
    let mut urls: Vec<String> = log["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let p = &e["params"];
            let key = p["network_isolation_key"].as_str()?;
            let url = p["url"].as_str()?;
            (key.starts_with("file://") && !url.starts_with("file:") && !url.starts_with("data:"))
                .then(|| url.to_string())
        })
        .collect();
    urls.sort();
    urls.dedup();
    urls
}

/// Dumps the DOM of `page`, takes a 1280 px screenshot and prints a PDF; checks the page logs
/// nothing and requests nothing. Returns the DOM.
fn check_in_browser(chromium: &Path, page: &Path) -> String {
    let dir = page.parent().unwrap();
    let dom = open(chromium, page, &["--dump-dom".to_string()]);
    assert!(
        dom.console.is_empty(),
        "{}: console: {:#?}",
        page.display(),
        dom.console
    );
    assert!(
        dom.requests.is_empty(),
        "{}: network: {:#?}",
        page.display(),
        dom.requests
    );
    assert!(dom.stdout.contains("</html>"), "no DOM: {}", dom.stdout);

    let shot = dir.join("screenshot.png");
    let run = open(
        chromium,
        page,
        &[
            "--window-size=1280,2000".to_string(),
            "--hide-scrollbars".to_string(),
            format!("--screenshot={}", shot.display()),
        ],
    );
    assert!(run.console.is_empty() && run.requests.is_empty());
    let png = fs::read(&shot).expect("screenshot written");
    assert_eq!(&png[1..4], b"PNG");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 1280, "screenshot width");
    assert!(
        png.len() > 20_000,
        "screenshot of {} bytes: blank?",
        png.len()
    );

    let pdf = dir.join("report.pdf");
    let run = open(
        chromium,
        page,
        &[
            "--no-pdf-header-footer".to_string(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
    );
    assert!(run.console.is_empty() && run.requests.is_empty());
    let bytes = fs::read(&pdf).expect("PDF written");
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let pages = String::from_utf8_lossy(&bytes)
        .matches("/Type /Page\n")
        .count()
        + String::from_utf8_lossy(&bytes)
            .matches("/Type /Page/")
            .count()
        + String::from_utf8_lossy(&bytes)
            .matches("/Type /Page>")
            .count();
    assert!(
        bytes.len() > 20_000 || pages > 0,
        "PDF of {} bytes",
        bytes.len()
    );
    dom.stdout
}

/// The text of the element carrying `data-key="key"` (up to its first child element).
fn keyed(dom: &str, key: &str) -> Option<String> {
    let at = dom.find(&format!("data-key=\"{key}\""))?;
    let rest = &dom[at..];
    let start = rest.find('>')? + 1;
    let end = rest[start..].find('<')? + start;
    Some(
        rest[start..end]
            .replace("&amp;", "&")
            .replace("&gt;", ">")
            .replace("&lt;", "<")
            .trim()
            .to_string(),
    )
}

fn expect_keyed(dom: &str, key: &str, want: &str) {
    assert_eq!(keyed(dom, key).as_deref(), Some(want), "data-key={key}");
}

/// `81.8% ±0.4`, as the report writes a share (the terminal table's format).
fn share(e: &Value) -> String {
    let mean = e["mean"].as_f64().unwrap_or(f64::NAN);
    let hw = e["half_width"].as_f64().unwrap_or(f64::NAN);
    if mean.is_nan() || e["mean"].is_null() {
        "-".into()
    } else if hw.is_nan() || e["half_width"].is_null() {
        format!("{:.1}%", mean * 100.0)
    } else {
        format!("{:.1}% ±{:.1}", mean * 100.0, hw * 100.0)
    }
}

/// `12.3 ±0.4`, as the report writes times and counts.
fn number(e: &Value, digits: usize) -> String {
    match (e["mean"].as_f64(), e["half_width"].as_f64()) {
        (None, _) => "-".into(),
        (Some(m), None) => format!("{m:.digits$}"),
        (Some(m), Some(h)) => format!("{m:.digits$} ±{h:.digits$}"),
    }
}

/// PASS / FAIL / pass? / fail? of a service level against its target, on the interval.
fn verdict(e: &Value, target: f64) -> &'static str {
    let (mean, lo, hi) = (
        e["mean"].as_f64().unwrap(),
        e["lo"].as_f64().unwrap(),
        e["hi"].as_f64().unwrap(),
    );
    if lo >= target {
        "PASS"
    } else if hi < target {
        "FAIL"
    } else if mean >= target {
        "pass?"
    } else {
        "fail?"
    }
}

/// The section ids of the page, in order.
fn sections(dom: &str) -> Vec<String> {
    dom.match_indices("<section id=\"")
        .map(|(i, m)| {
            let rest = &dom[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&fs::read(p).unwrap()).unwrap()
}

/// The realism figures of the page (README "Realism") against the JSON report, per channel
/// and overall; returns the realism charts the page must have (first-contact resolution with
/// transfers, unique customers, end-to-end time; with an outage its service level and
/// contacts).
fn check_realism(dom: &str, json: &Value) -> Vec<String> {
    let shares = [
        "fcr",
        "unique_answered_share",
        "unique_lost_share",
        "outage_service_level",
        "outage_abandon_rate",
    ];
    let numbers = [
        "talk_s",
        "wrap_up_s",
        "handle_s",
        "transfers",
        "transfer_wait_s",
        "end_to_end_s",
        "customers",
        "redials",
        "redials_after_close",
    ];
    let outage_numbers = [
        "outage_offered",
        "outage_redirected",
        "outage_call_later",
        "outage_self_service",
        "outage_dropped",
    ];
    let outage = json["overall"]["outage_offered"]["mean"].as_f64().unwrap() > 0.0;
    let rows = json["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                format!("channel.{}", c["id"].as_str().unwrap()),
                &c["metrics"],
            )
        })
        .chain(std::iter::once(("overall".to_string(), &json["overall"])));
    for (prefix, mx) in rows {
        for k in shares {
            if k.starts_with("outage") && !outage {
                assert!(keyed(dom, &format!("{prefix}.{k}")).is_none());
                continue;
            }
            expect_keyed(dom, &format!("{prefix}.{k}"), &share(&mx[k]));
        }
        for k in numbers {
            expect_keyed(dom, &format!("{prefix}.{k}"), &number(&mx[k], 1));
        }
        for k in outage_numbers.iter().filter(|_| outage) {
            expect_keyed(dom, &format!("{prefix}.{k}"), &number(&mx[*k], 1));
        }
    }
    let mut charts = Vec::new();
    if json["overall"]["transfers"]["mean"].as_f64().unwrap() > 0.0 {
        charts.push("fcr_by_interval".to_string());
    }
    charts.push("customers_by_interval".into());
    charts.push("end_to_end_by_interval".into());
    if outage {
        charts.push("outage_service_level".into());
        charts.push("outage_contacts".into());
    }
    charts
}

/// Checks a run's page against its JSON report.
fn check_run_page(dom: &str, json: &Value) {
    let realism = json["overall"].get("fcr").is_some();
    assert_eq!(
        sections(dom),
        [
            "summary", "channels", "segments", "types", "groups", "realism", "heatmap", "figures",
            "warnings", "settings"
        ]
        .iter()
        .filter(|s| **s != "warnings" || !json["warnings"].as_array().unwrap().is_empty())
        .filter(|s| **s != "realism" || realism)
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
    );
    let realism_charts = if realism {
        check_realism(dom, json)
    } else {
        assert!(keyed(dom, "overall.fcr").is_none());
        Vec::new()
    };
    for name in &realism_charts {
        assert!(
            dom.contains(&format!("<figure data-chart=\"{name}\">")),
            "no chart {name}"
        );
    }
    assert!(dom.contains("http-equiv=\"Content-Security-Policy\""));
    assert!(dom.contains("default-src 'none'"));
    let channels = json["channels"].as_array().unwrap();
    let mut pass = 0;
    let mut goals = 0;
    for c in channels {
        let id = c["id"].as_str().unwrap();
        let mx = &c["metrics"];
        let target = c["goal"]["target"].as_f64().unwrap();
        let st = verdict(&mx["service_level"], target);
        goals += 1;
        pass += usize::from(st == "PASS");
        expect_keyed(dom, &format!("goal.channel.{id}"), st);
        expect_keyed(dom, &format!("channel.{id}.status"), st);
        expect_keyed(
            dom,
            &format!("goal.channel.{id}.value"),
            &share(&mx["service_level"]),
        );
        expect_keyed(
            dom,
            &format!("channel.{id}.service_level"),
            &share(&mx["service_level"]),
        );
        expect_keyed(
            dom,
            &format!("channel.{id}.offered"),
            &number(&mx["offered"], 1),
        );
        expect_keyed(
            dom,
            &format!("channel.{id}.asa_s"),
            &number(&mx["asa_s"], 1),
        );
        expect_keyed(
            dom,
            &format!("channel.{id}.abandon_rate"),
            &share(&mx["abandon_rate"]),
        );
        expect_keyed(
            dom,
            &format!("channel.{id}.p90_wait_s"),
            &number(&mx["p90_wait_s"], 1),
        );
        // The heat map: one cell per interval, the channel's service level there.
        for iv in c["intervals"].as_array().unwrap() {
            let k = iv["id"].as_str().unwrap();
            expect_keyed(
                dom,
                &format!("heat.{id}.{k}"),
                &share(&iv["metrics"]["service_level"]),
            );
        }
        assert_eq!(
            dom.matches(&format!("data-key=\"heat.{id}.")).count(),
            json["day"]["intervals"].as_u64().unwrap() as usize
        );
    }
    for s in json["segments"].as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        expect_keyed(
            dom,
            &format!("segment.{id}.service_level"),
            &share(&s["metrics"]["service_level"]),
        );
        if let Some(t) = s["goal"]["target"].as_f64() {
            let st = verdict(&s["metrics"]["goal_service_level"], t);
            goals += 1;
            pass += usize::from(st == "PASS");
            expect_keyed(dom, &format!("goal.segment.{id}"), st);
        }
    }
    for t in json["types"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        expect_keyed(
            dom,
            &format!("type.{id}.offered"),
            &number(&t["metrics"]["offered"], 1),
        );
    }
    for g in json["groups"].as_array().unwrap() {
        let id = g["id"].as_str().unwrap();
        expect_keyed(
            dom,
            &format!("group.{id}.occupancy"),
            &share(&g["occupancy"]),
        );
        expect_keyed(
            dom,
            &format!("group.{id}.agent_hours"),
            &number(&g["agent_hours"], 1),
        );
    }
    expect_keyed(
        dom,
        "overall.service_level",
        &share(&json["overall"]["service_level"]),
    );
    let verdict_text = keyed(dom, "verdict").unwrap();
    assert!(
        verdict_text.starts_with(&format!("{pass} of {goals} goals met")),
        "{verdict_text}"
    );
    // One chart per channel (wait-time CDF), then service level and occupancy by interval,
    // then the realism charts.
    let n = channels.len() + 2 + realism_charts.len();
    let charts: Vec<&str> = dom.matches("<figure data-chart=").collect();
    assert_eq!(charts.len(), n);
    assert_eq!(dom.matches("<svg").count(), n);
    assert!(dom.contains(&format!("<dd>{}</dd>", json["seed"])));
}

#[test]
fn run_report_in_a_browser_matches_the_json() {
    let dir = TempDir::new().unwrap();
    let (json, html) = (dir.path().join("run.json"), dir.path().join("run.html"));
    acdsim()
        .args([
            "run",
            &format!("{ROOT}/scenarios/default.json"),
            "-n",
            "30",
            "-q",
        ])
        .arg("--json")
        .arg(&json)
        .arg("--html")
        .arg(&html)
        .assert()
        .success()
        .stdout("");
    let json = read_json(&json);
    let text = fs::read_to_string(&html).unwrap();
    // Self-contained: nothing to fetch, no script.
    for banned in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(",
    ] {
        assert!(!text.contains(banned), "the page holds {banned}");
    }
    check_run_page(&text, &json);
    if let Some(chromium) = browser() {
        let dom = check_in_browser(&chromium, &html);
        check_run_page(&dom, &json);
    }
}

/// The bundled outage scenario: the page's realism tables hold the outage window's service
/// level and what became of its contacts, as the JSON has them, and its charts include the
/// outage's two.
/// `acdsim run` of bundled scenario `name` with `n` replications: its JSON and HTML report.
fn run_json_and_html(name: &str, n: u32) -> (Value, String) {
    let dir = TempDir::new().unwrap();
    let (json, html) = (dir.path().join("run.json"), dir.path().join("run.html"));
    acdsim()
        .args(["run", &format!("{ROOT}/scenarios/{name}"), "-q", "-n"])
        .arg(n.to_string())
        .arg("--json")
        .arg(&json)
        .arg("--html")
        .arg(&html)
        .assert()
        .success();
    (read_json(&json), fs::read_to_string(&html).unwrap())
}

#[test]
fn run_report_of_an_outage_has_its_realism_figures() {
    let (json, text) = run_json_and_html("outage.json", 20);
    assert!(json["overall"]["outage_offered"]["mean"].as_f64().unwrap() > 0.0);
    check_run_page(&text, &json);
    for chart in ["outage_service_level", "outage_contacts"] {
        assert!(text.contains(&format!("<figure data-chart=\"{chart}\">")));
    }
    expect_keyed(
        &text,
        "channel.phone.outage_service_level",
        &share(&json["channels"][0]["metrics"]["outage_service_level"]),
    );
}

/// A scenario with prices (the bundled roster): the HTML report gives the day's staffing cost,
/// per group and in all, as the JSON has it.
#[test]
fn run_report_of_a_priced_scenario_gives_the_staffing_cost() {
    let (json, text) = run_json_and_html("shifts-default.json", 10);
    let cost = &json["staffing_cost"];
    assert!(text.contains("<table id=\"staffing-cost\">"));
    expect_keyed(
        &text,
        "cost.all.cost",
        &format!("{:.2}", cost["cost"].as_f64().unwrap()),
    );
    expect_keyed(
        &text,
        "cost.all.paid_hours",
        &format!("{:.1}", cost["paid_hours"].as_f64().unwrap()),
    );
    for g in cost["groups"].as_array().unwrap() {
        let id = g["group"].as_str().unwrap();
        expect_keyed(
            &text,
            &format!("cost.{id}.cost"),
            &format!("{:.2}", g["cost"].as_f64().unwrap()),
        );
    }
}

#[test]
fn compare_report_in_a_browser_matches_the_json() {
    let dir = TempDir::new().unwrap();
    let (json, html) = (dir.path().join("cmp.json"), dir.path().join("cmp.html"));
    acdsim()
        .args(["compare", &format!("{ROOT}/scenarios/default.json")])
        .args(["--strategies", "skill-first,idle-first", "-n", "20", "-q"])
        .arg("--json")
        .arg(&json)
        .arg("--html")
        .arg(&html)
        .assert()
        .success();
    let json = read_json(&json);
    let check = |dom: &str| {
        assert_eq!(
            sections(dom),
            [
                "summary",
                "comparison",
                "groups",
                "heatmap",
                "figures",
                "settings"
            ]
        );
        let c = &json["comparisons"][0];
        for row in c["rows"].as_array().unwrap() {
            let (kind, id) = (row["kind"].as_str().unwrap(), row["id"].as_str().unwrap());
            let sl = &row["metrics"][0];
            assert_eq!(sl["metric"], "service_level");
            let base = format!("{:.1}%", sl["baseline"]["mean"].as_f64().unwrap() * 100.0);
            expect_keyed(
                dom,
                &format!("c0.{kind}.{id}.service_level.baseline"),
                &base,
            );
            let v = &sl["variants"][0];
            let name = v["variant"].as_str().unwrap();
            let d = &v["difference"];
            let mark = match (v["significant"].as_bool(), v["better"].as_bool()) {
                (Some(true), Some(true)) => "▲",
                (Some(true), _) => "▼",
                _ => "=",
            };
            let diff = format!(
                "{mark} {:+.2} ±{:.2} pp",
                d["mean"].as_f64().unwrap() * 100.0,
                d["half_width"].as_f64().unwrap() * 100.0
            );
            expect_keyed(
                dom,
                &format!("c0.{kind}.{id}.service_level.{name}.difference"),
                &diff,
            );
            if kind == "channel" {
                let t = row["goal"]["target"].as_f64().unwrap();
                let cell = keyed(dom, &format!("c0.goal.channel.{id}.{name}")).unwrap();
                assert_eq!(cell, share(&v["value"]));
                let status = verdict(&v["value"], t);
                assert!(dom.contains(&format!(
                    "data-key=\"c0.goal.channel.{id}.{name}\">{} <span class=\"status {status}\">{status}</span>",
                    share(&v["value"])
                )));
            }
        }
        for g in c["groups"].as_array().unwrap() {
            let id = g["id"].as_str().unwrap();
            let occ = &g["occupancy"];
            expect_keyed(
                dom,
                &format!("c0.group.{id}.baseline"),
                &share(&occ["baseline"]),
            );
            let v = &occ["variants"][0];
            let name = v["variant"].as_str().unwrap();
            expect_keyed(dom, &format!("c0.group.{id}.{name}"), &share(&v["value"]));
        }
        let intervals = c["intervals"].as_array().unwrap();
        assert_eq!(intervals.len(), 4 * 24, "4 channels, 24 intervals");
        for iv in intervals {
            let (ch, start) = (
                iv["channel"].as_str().unwrap(),
                iv["interval_start"].as_str().unwrap(),
            );
            let sl = &iv["service_level"];
            let base = format!("{:.1}%", sl["baseline"]["mean"].as_f64().unwrap() * 100.0);
            expect_keyed(dom, &format!("c0.heat.{ch}.{start}.skill-first"), &base);
        }
        // One wait-time chart per channel and per segment.
        let rows = c["rows"].as_array().unwrap().len() - 1;
        assert_eq!(dom.matches("<figure data-chart=").count(), rows);
    };
    check(&fs::read_to_string(&html).unwrap());
    if let Some(chromium) = browser() {
        check(&check_in_browser(&chromium, &html));
    }
}

#[test]
fn staff_report_in_a_browser_matches_the_json() {
    let dir = TempDir::new().unwrap();
    let (json, html) = (dir.path().join("staff.json"), dir.path().join("staff.html"));
    acdsim()
        .args([
            "staff",
            &format!("{ROOT}/scenarios/mmc-5.json"),
            "-n",
            "20",
            "-q",
        ])
        .arg("--json")
        .arg(&json)
        .arg("--html")
        .arg(&html)
        .assert()
        .success();
    let json = read_json(&json);
    let check = |dom: &str| {
        assert_eq!(
            sections(dom),
            ["summary", "staffing", "figures", "settings"]
        );
        for stage in ["base", "surge"] {
            let r = &json[stage];
            let total: u64 = r["headcount"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|g| g.as_array().unwrap())
                .map(|n| n.as_u64().unwrap())
                .sum();
            expect_keyed(
                dom,
                &format!("staff.{stage}.agent_intervals"),
                &total.to_string(),
            );
            expect_keyed(
                dom,
                &format!("staff.{stage}.evaluations"),
                &r["evaluations"].to_string(),
            );
            let st = if r["feasible"].as_bool().unwrap() {
                "PASS"
            } else {
                "FAIL"
            };
            expect_keyed(dom, &format!("staff.{stage}.status"), st);
        }
        let g = &json["groups"][0];
        let gid = g["group"].as_str().unwrap();
        for (k, iv) in json["intervals"].as_array().unwrap().iter().enumerate() {
            let iv = iv.as_str().unwrap();
            expect_keyed(
                dom,
                &format!("staff.{gid}.{iv}.base"),
                &g["base"][k].to_string(),
            );
            expect_keyed(
                dom,
                &format!("staff.{gid}.{iv}.surge"),
                &g["surge"][k].to_string(),
            );
        }
        // The peak curve, the total and one chart per group.
        let groups = json["groups"].as_array().unwrap().len();
        assert_eq!(dom.matches("<figure data-chart=").count(), 2 + groups);
    };
    check(&fs::read_to_string(&html).unwrap());
    if let Some(chromium) = browser() {
        check(&check_in_browser(&chromium, &html));
    }
}

/// The browser checks can fail: a page that loads an image from the network and runs a script
/// is caught on both counts.
#[test]
fn the_browser_check_catches_network_requests_and_console_messages() {
    let Some(chromium) = browser() else { return };
    let dir = TempDir::new().unwrap();
    let page = dir.path().join("bad.html");
    fs::write(
        &page,
        "<!DOCTYPE html><html><head><title>bad</title></head><body><p>x</p>\
         <img src=\"http://192.0.2.1/pixel.png\"><script>console.error('boom')</script></body></html>",
    )
    .unwrap();
    let run = open(&chromium, &page, &["--dump-dom".to_string()]);
    assert!(
        run.console.iter().any(|l| l.contains("boom")),
        "{:?}",
        run.console
    );
    assert_eq!(run.requests, ["http://192.0.2.1/pixel.png"]);
}
