//! The HTML report of `run`, `compare` and `staff` (`--html FILE`): one self-contained page to
//! send around. The summary and the verdict on every goal come first, then the tables, a
//! per-interval heat map of service level against target (run), the charts (the same as
//! `--plots`, inline as SVG), and the settings of the run. No script, no font, no stylesheet
//! and no image is fetched: the only style is the `<style>` element, allowed by its hash in a
//! strict Content-Security-Policy (`default-src 'none'`), which also keeps a browser from
//! loading anything else. A print stylesheet gives a clean PDF (A4, no colour backgrounds lost).
//!
//! Every figure of a table carries `data-key` (e.g. `channel.phone.service_level`) so that tests
//! and scripts can find it; the text is the same format as the terminal table's.

use std::fmt::Write as _;
use std::io;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::plots::{self, Figure, StaffPlotData};
use super::table::{fmt_value, num, pct, verdict};
use super::{RowReport, RunReport};
use crate::analysis::compare::{is_share, CompareDocument, CompareReport, RowComparison};
use crate::analysis::staffing::plan::StaffReport;
use crate::stats::{m, Estimate};

/// The page's only stylesheet (screen and print).
const STYLE: &str = r#"
:root { --pass: #1a7f37; --fail: #c62828; --unsure: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0 auto; max-width: 1200px; padding: 16px 24px 48px; color: #1f2328; line-height: 1.4; }
h1 { font-size: 1.6em; margin: 0.2em 0; }
h2 { font-size: 1.25em; border-bottom: 1px solid var(--line); padding-bottom: 0.2em; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
p.meta, .muted { color: var(--muted); }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
table { border-collapse: collapse; margin: 0.4em 0 1em; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: right; white-space: nowrap; }
th { background: #f6f8fa; }
th:first-child, td:first-child { text-align: left; }
.wide { overflow-x: auto; }
.status { font-weight: 600; }
.PASS { color: var(--pass); } .FAIL { color: var(--fail); } .pass\? , .fail\? { color: var(--unsure); }
.verdict { font-size: 1.15em; padding: 8px 12px; border-left: 6px solid var(--muted); background: #f6f8fa; }
.verdict.ok { border-color: var(--pass); } .verdict.bad { border-color: var(--fail); }
.better { color: var(--pass); font-weight: 600; } .worse { color: var(--fail); font-weight: 600; }
table.heat td { min-width: 5.5em; }
.h-pass2 { background: #aceebb; } .h-pass1 { background: #dafbe1; } .h-fail1 { background: #fff1c2; }
.h-fail2 { background: #ffcfb3; } .h-fail3 { background: #ffaba8; } .h-na { background: #f6f8fa; color: var(--muted); }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 6px; border: 1px solid var(--line); }
figure { margin: 1em 0; break-inside: avoid; }
figure svg { width: 100%; height: auto; max-width: 1000px; display: block; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 0.9em; }
dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
dl.settings dt { color: var(--muted); } dl.settings dd { margin: 0; }
ul.warnings li { color: var(--unsure); }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  nav { display: none; }
  h2 { break-after: avoid; }
  table, figure, .verdict { break-inside: avoid; }
  th, td { padding: 1px 4px; }
  .wide { overflow: visible; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The Content-Security-Policy of every page: nothing may load; the one `<style>` element is
/// allowed by its SHA-256.
pub fn content_security_policy() -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!("default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'")
}

/// A page being written: its sections, in order, and their table of contents.
struct Page {
    title: String,
    meta: String,
    toc: Vec<(String, String)>,
    body: String,
}

impl Page {
    fn new(title: &str, meta: String) -> Page {
        Page {
            title: title.to_string(),
            meta,
            toc: Vec::new(),
            body: String::new(),
        }
    }

    /// Opens section `id` with heading `heading`; [`Page::end`] closes it.
    fn section(&mut self, id: &str, heading: &str) {
        self.toc.push((id.to_string(), heading.to_string()));
        let _ = write!(
            self.body,
            "<section id=\"{id}\">\n<h2>{}</h2>\n",
            esc(heading)
        );
    }

    fn end(&mut self) {
        self.body.push_str("</section>\n");
    }

    fn push(&mut self, html: &str) {
        self.body.push_str(html);
    }

    /// The charts, each in a `<figure>` with its title as caption.
    fn figures(&mut self, figures: &[Figure]) {
        self.section("figures", "Charts");
        for f in figures {
            let _ = write!(
                self.body,
                "<figure data-chart=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                esc(&f.name),
                svg_body(&f.svg),
                esc(&f.title)
            );
        }
        self.end();
    }

    /// The whole document.
    fn finish(self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"acdsim {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
             <header>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n</header>\n<nav><ul>\n",
            content_security_policy(),
            env!("CARGO_PKG_VERSION"),
            esc(&self.title),
            esc(&self.title),
            self.meta
        );
        for (id, h) in &self.toc {
            let _ = writeln!(out, "<li><a href=\"#{id}\">{}</a></li>", esc(h));
        }
        out.push_str("</ul></nav>\n<main>\n");
        out.push_str(&self.body);
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }
}

/// An SVG document as an element to inline: without its XML declaration, if any.
fn svg_body(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// A table cell with a figure: `<td data-key="KEY">text</td>`.
fn cell(key: &str, text: &str) -> String {
    format!("<td data-key=\"{}\">{}</td>", esc(key), esc(text))
}

/// A status cell (`PASS`, `FAIL`, `pass?`, `fail?`, `n/a`).
fn status_cell(key: &str, status: &str) -> String {
    format!(
        "<td class=\"status {status}\" data-key=\"{}\">{status}</td>",
        esc(key)
    )
}

/// `85% in 20 s`.
fn goal_text(target: f64, threshold_s: f64) -> String {
    format!("{:.0}% in {} s", target * 100.0, threshold_s)
}

/// A `<dl>` of settings.
fn settings_list(items: &[(&str, String)]) -> String {
    let mut s = String::from("<dl class=\"settings\">\n");
    for (k, v) in items {
        let _ = writeln!(s, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    }
    s.push_str("</dl>\n");
    s
}

/// The warnings of a report, if any.
fn warnings(page: &mut Page, warnings: &[String]) {
    if warnings.is_empty() {
        return;
    }
    page.section("warnings", "Warnings");
    page.push("<ul class=\"warnings\">\n");
    for w in warnings {
        page.push(&format!("<li>{}</li>\n", esc(w)));
    }
    page.push("</ul>\n");
    page.end();
}

/// The verdict line of a list of statuses: how many goals pass.
fn verdict_line(statuses: &[&str]) -> String {
    let pass = statuses.iter().filter(|s| **s == "PASS").count();
    let fail = statuses.iter().filter(|s| **s == "FAIL").count();
    let unsure = statuses.len() - pass - fail;
    let class = if pass == statuses.len() {
        "ok"
    } else if fail > 0 {
        "bad"
    } else {
        ""
    };
    format!(
        "<p class=\"verdict {class}\" data-key=\"verdict\">{pass} of {} goals met (PASS), {fail} missed (FAIL), {unsure} not conclusive</p>\n",
        statuses.len()
    )
}

// ---------------------------------------------------------------------------------------------
// acdsim run

/// The HTML report of a run, with its charts.
pub fn run_report(r: &RunReport) -> io::Result<String> {
    let figures = plots::run_figures(r)?;
    Ok(run_html(r, &figures))
}

/// The HTML report of a run with the given charts.
pub fn run_html(r: &RunReport, figures: &[Figure]) -> String {
    let title = format!("acdsim run: {}", r.scenario.name);
    let meta = format!(
        "{} replications · seed {} · strategy {} · volume x{:.2} · service level = {} · ± = half-width of the {:.0}% confidence interval",
        r.replications,
        r.seed,
        esc(r.strategy),
        r.surge,
        esc(&r.service_level.definition),
        r.confidence * 100.0
    );
    let mut page = Page::new(&title, meta);
    run_summary(&mut page, r);
    run_channels(&mut page, r);
    run_rows(
        &mut page,
        "segments",
        "Segments (all channels)",
        "segment",
        &r.segments,
        r,
    );
    for c in r.channels.iter().filter(|c| c.segments.len() > 1) {
        page.push(&format!("<h3>Segments on {}</h3>\n", esc(&c.id)));
        let prefix = format!("channel.{}.segment", c.id);
        page.push(&rows_table(&prefix, &c.segments, r));
    }
    page.end();
    run_rows(
        &mut page,
        "types",
        "Contact types (all channels)",
        "type",
        &r.types,
        r,
    );
    page.end();
    run_groups(&mut page, r);
    run_realism(&mut page, r);
    run_heatmap(&mut page, r);
    page.figures(figures);
    warnings(&mut page, &r.warnings);
    run_settings(&mut page, r);
    page.finish()
}

/// Summary: the verdict on every goal (channels, then segments with a goal of their own).
fn run_summary(page: &mut Page, r: &RunReport) {
    page.section("summary", "Summary");
    let mut rows = String::new();
    let mut statuses = Vec::new();
    for c in &r.channels {
        let sl = c.metrics.service_level();
        let st = verdict(sl, c.goal.target);
        statuses.push(st);
        let _ = writeln!(
            rows,
            "<tr><td>channel {}</td><td>{}</td>{}{}{}</tr>",
            esc(&c.id),
            goal_text(c.goal.target, c.goal.threshold_s),
            cell(&format!("goal.channel.{}.value", c.id), &pct(sl)),
            status_cell(&format!("goal.channel.{}", c.id), st),
            cell(
                &format!("goal.channel.{}.met", c.id),
                &format!("{:.0}%", c.metrics.at(m::GOAL_MET).mean * 100.0)
            ),
        );
    }
    for s in &r.segments {
        let Some(g) = s.goal else { continue };
        let gsl = s.metrics.at(m::GOAL_SL);
        let st = verdict(gsl, g.target);
        statuses.push(st);
        let _ = writeln!(
            rows,
            "<tr><td>segment {}</td><td>{}</td>{}{}{}</tr>",
            esc(&s.id),
            goal_text(g.target, g.threshold_s),
            cell(&format!("goal.segment.{}.value", s.id), &pct(gsl)),
            status_cell(&format!("goal.segment.{}", s.id), st),
            cell(
                &format!("goal.segment.{}.met", s.id),
                &format!("{:.0}%", s.metrics.at(m::GOAL_MET).mean * 100.0)
            ),
        );
    }
    page.push(&verdict_line(&statuses));
    page.push(
        "<table id=\"goals\">\n<thead><tr><th>goal of</th><th>target</th><th>service level</th><th>status</th><th>met in (share of days)</th></tr></thead>\n<tbody>\n",
    );
    page.push(&rows);
    page.push("</tbody></table>\n");
    let o = &r.overall;
    page.push(&format!(
        "<p>All channels: {} contacts offered per day, service level {}, ASA {} s, {} abandoned.</p>\n",
        num(o.at(m::OFFERED), 1),
        pct(o.service_level()),
        num(o.at(m::ASA), 1),
        pct(o.at(m::ABANDON_RATE))
    ));
    page.push(
        "<p class=\"muted\">PASS: the whole confidence interval is at or above the target; FAIL: the whole interval is below; pass? / fail?: the interval straddles the target (run more replications).</p>\n",
    );
    page.end();
}

/// The contact metrics of a row, as cells keyed `<prefix>.<metric>`.
fn contact_cells(prefix: &str, mx: &super::Metrics) -> String {
    [
        ("offered", num(mx.at(m::OFFERED), 1)),
        ("service_level", pct(mx.at(m::SERVICE_LEVEL))),
        ("asa_s", num(mx.at(m::ASA), 1)),
        ("abandon_rate", pct(mx.at(m::ABANDON_RATE))),
        ("p90_wait_s", num(mx.at(m::P90), 1)),
        ("long_wait_share", pct(mx.at(m::LONG_WAIT_SHARE))),
    ]
    .iter()
    .map(|(k, v)| cell(&format!("{prefix}.{k}"), v))
    .collect()
}

/// The header cells of [`contact_cells`].
fn contact_head(long_wait_s: f64) -> String {
    format!(
        "<th>offered</th><th>service level</th><th>ASA s</th><th>abandoned</th><th>p90 wait s</th><th>wait &gt; {long_wait_s:.0} s</th>"
    )
}

fn run_channels(page: &mut Page, r: &RunReport) {
    page.section("channels", "Channels");
    let mut s = format!(
        "<div class=\"wide\"><table id=\"channel-table\">\n<thead><tr><th>channel</th><th>goal</th><th>status</th><th>met in</th>{}</tr></thead>\n<tbody>\n",
        contact_head(r.service_level.long_wait_s)
    );
    for c in &r.channels {
        let st = verdict(c.metrics.service_level(), c.goal.target);
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td>{}<td>{:.0}% of days</td>{}</tr>",
            esc(&c.id),
            goal_text(c.goal.target, c.goal.threshold_s),
            status_cell(&format!("channel.{}.status", c.id), st),
            c.metrics.at(m::GOAL_MET).mean * 100.0,
            contact_cells(&format!("channel.{}", c.id), &c.metrics)
        );
    }
    let _ = writeln!(
        s,
        "<tr><th>all</th><td></td><td></td><td></td>{}</tr>",
        contact_cells("overall", &r.overall)
    );
    s.push_str("</tbody></table></div>\n");
    page.push(&s);
    page.end();
}

/// Opens section `id` with the table of `rows` (keys `<kind>.<id>.<metric>`); the caller closes it.
fn run_rows(
    page: &mut Page,
    id: &str,
    heading: &str,
    kind: &str,
    rows: &[RowReport],
    r: &RunReport,
) {
    page.section(id, heading);
    page.push(&rows_table(kind, rows, r));
}

/// A table of segment or type rows, with their own goals where they have one.
fn rows_table(prefix: &str, rows: &[RowReport], r: &RunReport) -> String {
    let mut s = format!(
        "<div class=\"wide\"><table>\n<thead><tr><th>{}</th><th>goal</th><th>goal SL</th><th>status</th>{}</tr></thead>\n<tbody>\n",
        esc(prefix.rsplit('.').next().unwrap_or(prefix)),
        contact_head(r.service_level.long_wait_s)
    );
    for row in rows {
        let key = format!("{prefix}.{}", row.id);
        let goal = match row.goal {
            Some(g) => {
                let gsl = row.metrics.at(m::GOAL_SL);
                format!(
                    "<td>{}</td>{}{}",
                    goal_text(g.target, g.threshold_s),
                    cell(&format!("{key}.goal_service_level"), &pct(gsl)),
                    status_cell(&format!("{key}.status"), verdict(gsl, g.target))
                )
            }
            None => "<td>-</td><td>-</td><td></td>".to_string(),
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td>{goal}{}</tr>",
            esc(&row.id),
            contact_cells(&key, &row.metrics)
        );
    }
    s.push_str("</tbody></table></div>\n");
    s
}

fn run_groups(page: &mut Page, r: &RunReport) {
    page.section("groups", "Agent groups");
    let mut s = String::from(
        "<table>\n<thead><tr><th>group</th><th>occupancy</th><th>agent-hours</th></tr></thead>\n<tbody>\n",
    );
    for g in &r.groups {
        let _ = writeln!(
            s,
            "<tr><td>{}</td>{}{}</tr>",
            esc(&g.id),
            cell(&format!("group.{}.occupancy", g.id), &pct(&g.occupancy)),
            cell(
                &format!("group.{}.agent_hours", g.id),
                &num(&g.agent_hours, 1)
            )
        );
    }
    s.push_str("</tbody></table>\n");
    if let Some(c) = &r.staffing_cost {
        s.push_str(&staffing_cost_table(c));
    }
    page.push(&s);
    page.end();
}

/// The day's staffing cost (a scenario with prices): paid hours and cost per group and in all,
/// as the run table gives it, each figure keyed `cost.<group>.paid_hours` / `.cost`.
fn staffing_cost_table(c: &super::StaffingCost) -> String {
    let mut s = String::from(
        "<h3>Staffing cost of the day</h3>\n<table id=\"staffing-cost\">\n<thead><tr><th>group</th><th>per paid hour</th><th>paid hours</th><th>cost</th></tr></thead>\n<tbody>\n",
    );
    let row = |s: &mut String, id: &str, price: &str, hours: f64, cost: f64| {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{price}</td>{}{}</tr>",
            esc(id),
            cell(&format!("cost.{id}.paid_hours"), &format!("{hours:.1}")),
            cell(&format!("cost.{id}.cost"), &format!("{cost:.2}"))
        );
    };
    for g in &c.groups {
        let price = format!("{:.2}", g.cost_per_hour);
        row(&mut s, &g.group, &price, g.paid_hours, g.cost);
    }
    row(&mut s, "all", "", c.paid_hours, c.cost);
    s.push_str("</tbody></table>\n");
    s
}

/// The realism tables (README "Realism": talk, wrap-up and handle time, first-contact resolution
/// and transfers, end-to-end time, attempts and unique customers; the outage windows), as the
/// run table has them, each figure keyed `channel.<id>.<metric>` (`overall.<metric>` for all
/// channels). Nothing for a scenario without a realism feature.
fn run_realism(page: &mut Page, r: &RunReport) {
    use super::realism::{realism_sections, Value};
    let sections = realism_sections(r);
    if sections.is_empty() {
        return;
    }
    page.section("realism", "Realism: customers, transfers, outages");
    for (i, sec) in sections.iter().enumerate() {
        let mut s = format!(
            "<h3>{}</h3>\n<div class=\"wide\"><table id=\"realism-{i}\">\n<thead><tr>",
            esc(sec.title)
        );
        for h in &sec.header {
            let _ = write!(s, "<th>{}</th>", esc(h));
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for (id, vals) in &sec.rows {
            let prefix = if id == "all" {
                "overall".to_string()
            } else {
                format!("channel.{id}")
            };
            let _ = write!(s, "<tr><td>{}</td>", esc(id));
            for (v, key) in vals.iter().zip(&sec.keys) {
                let text = match v {
                    Value::Pct(e) => pct(e),
                    Value::Num(e, d) => num(e, *d),
                };
                s.push_str(&cell(&format!("{prefix}.{key}"), &text));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody></table></div>\n");
        page.push(&s);
    }
    page.push(
        "<p class=\"muted\">Attempts: every contact offered, redials included. Customers: first attempts; answered in the end, or lost after all attempts (abandoned without calling again, abandoned in a transfer queue, sent to self-service). FCR: answered contacts not transferred. End-to-end: first arrival to final answer.</p>\n",
    );
    page.end();
}

/// The heat-map class of a service level against its target.
pub fn heat_class(sl: &Estimate, target: f64) -> &'static str {
    if sl.mean.is_nan() {
        "h-na"
    } else if sl.lo >= target {
        "h-pass2"
    } else if sl.mean >= target {
        "h-pass1"
    } else if sl.mean >= target - 0.05 {
        "h-fail1"
    } else if sl.mean >= target - 0.15 {
        "h-fail2"
    } else {
        "h-fail3"
    }
}

/// Service level per interval and channel, each cell coloured by how it stands to the target.
fn run_heatmap(page: &mut Page, r: &RunReport) {
    page.section("heatmap", "Service level by interval");
    page.push(
        "<p class=\"legend\"><span class=\"h-pass2\">whole CI at or above target</span><span class=\"h-pass1\">mean at or above target</span><span class=\"h-fail1\">below, by less than 5 pp</span><span class=\"h-fail2\">5 to 15 pp below</span><span class=\"h-fail3\">more than 15 pp below</span><span class=\"h-na\">no contacts</span></p>\n",
    );
    let mut s = String::from("<div class=\"wide\"><table class=\"heat\">\n<thead><tr><th>interval_start</th><th>offered</th>");
    for c in &r.channels {
        let _ = write!(
            s,
            "<th>{}<br><span class=\"muted\">target {:.0}%</span></th>",
            esc(&c.id),
            c.goal.target * 100.0
        );
    }
    s.push_str("<th>all</th></tr></thead>\n<tbody>\n");
    for (k, iv) in r.intervals.iter().enumerate() {
        let _ = write!(
            s,
            "<tr><td>{}</td>{}",
            esc(&iv.id),
            cell(
                &format!("interval.{}.offered", iv.id),
                &num(iv.metrics.at(m::OFFERED), 0)
            )
        );
        for c in &r.channels {
            let Some(row) = c.intervals.get(k) else {
                s.push_str("<td class=\"h-na\">-</td>");
                continue;
            };
            let sl = row.metrics.service_level();
            let _ = write!(
                s,
                "<td class=\"{}\" title=\"{} {}: {} against {:.0}%\" data-key=\"heat.{}.{}\">{}</td>",
                heat_class(sl, c.goal.target),
                esc(&c.id),
                esc(&iv.id),
                esc(&pct(sl)),
                c.goal.target * 100.0,
                esc(&c.id),
                esc(&iv.id),
                esc(&pct(sl))
            );
        }
        let _ = writeln!(
            s,
            "{}</tr>",
            cell(
                &format!("interval.{}.service_level", iv.id),
                &pct(iv.metrics.service_level())
            )
        );
    }
    s.push_str("</tbody></table></div>\n");
    page.push(&s);
    page.end();
}

fn run_settings(page: &mut Page, r: &RunReport) {
    page.section("settings", "Settings");
    let d = &r.day;
    page.push(&settings_list(&[
        ("scenario", r.scenario.name.clone()),
        ("file", r.scenario.file.clone()),
        ("scenario hash", r.scenario.hash.clone()),
        ("description", r.scenario.description.clone()),
        ("replications", r.replications.to_string()),
        ("seed", r.seed.to_string()),
        ("routing strategy", r.strategy.to_string()),
        ("volume factor", format!("{}", r.surge)),
        ("confidence", format!("{}", r.confidence)),
        ("service-level formula", r.service_level.formula.to_string()),
        ("service level", r.service_level.definition.clone()),
        ("long wait", format!("{} s", r.service_level.long_wait_s)),
        (
            "day",
            format!(
                "opens {}, {} intervals of {} min, warm-up {} min, closing: {:?}",
                d.open, d.intervals, d.interval_minutes, d.warmup_minutes, d.closing
            ),
        ),
        ("tool", format!("acdsim {}", r.tool_version)),
        ("JSON schema", format!("{} v{}", r.schema, r.schema_version)),
    ]));
    page.end();
}

// ---------------------------------------------------------------------------------------------
// acdsim compare

/// The HTML report of a comparison document, with its charts (one set per comparison, file
/// suffixes as `--plots` names them).
pub fn compare_report(doc: &CompareDocument, suffixes: &[String]) -> io::Result<String> {
    let mut figures = Vec::new();
    for (r, suffix) in doc.comparisons.iter().zip(suffixes) {
        figures.extend(plots::compare_figures(r, suffix)?);
    }
    Ok(compare_html(doc, &figures))
}

/// The HTML report of a comparison document with the given charts.
pub fn compare_html(doc: &CompareDocument, figures: &[Figure]) -> String {
    let names: Vec<&str> = doc.scenarios.iter().map(|s| s.name.as_str()).collect();
    let title = format!("acdsim compare: {}", names.join(" vs "));
    let first = doc.comparisons.first();
    let meta = format!(
        "{} replications · seed {} · common random numbers · service level = {}",
        first.map_or(0, |c| c.replications),
        first.map_or(0, |c| c.seed),
        esc(&doc.service_level.definition)
    );
    let mut page = Page::new(&title, meta);
    page.section("summary", "Summary");
    for (i, r) in doc.comparisons.iter().enumerate() {
        compare_goals(&mut page, i, r);
    }
    page.end();
    page.section("comparison", "Paired differences");
    for (i, r) in doc.comparisons.iter().enumerate() {
        compare_tables(&mut page, i, r);
    }
    page.end();
    page.section("groups", "Agent group occupancy");
    for (i, r) in doc.comparisons.iter().enumerate() {
        compare_groups(&mut page, i, r);
    }
    page.end();
    page.section("heatmap", "Service level by interval");
    for (i, r) in doc.comparisons.iter().enumerate() {
        compare_intervals(&mut page, i, r);
    }
    page.end();
    page.figures(figures);
    page.section("settings", "Settings");
    let mut items: Vec<(&str, String)> = Vec::new();
    for s in &doc.scenarios {
        items.push((
            "scenario",
            format!("{} ({}, hash {})", s.name, s.file, s.hash),
        ));
    }
    if let Some(c) = first {
        items.push(("replications", c.replications.to_string()));
        items.push(("seed", c.seed.to_string()));
        items.push(("confidence", format!("{}", c.confidence)));
    }
    items.push((
        "service-level formula",
        doc.service_level.formula.to_string(),
    ));
    items.push(("tool", format!("acdsim {}", doc.tool_version)));
    items.push((
        "JSON schema",
        format!("{} v{}", doc.schema, doc.schema_version),
    ));
    page.push(&settings_list(&items));
    page.end();
    page.finish()
}

/// The goals' verdict per variant: baseline first.
fn compare_goals(page: &mut Page, i: usize, r: &CompareReport) {
    page.push(&format!("<h3>{}</h3>\n", esc(&r.title)));
    let mut s = String::from("<table>\n<thead><tr><th>goal of</th><th>target</th>");
    for v in std::iter::once(&r.baseline).chain(&r.variants) {
        let _ = write!(s, "<th>{}</th>", esc(v));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    let mut passed = vec![0usize; 1 + r.variants.len()];
    let mut goals = 0;
    for row in r.rows.iter().filter(|row| row.goal.is_some()) {
        let g = row.goal.expect("filtered");
        let metric = if row.kind == "segment" {
            "goal_service_level"
        } else {
            "service_level"
        };
        let Some(mc) = row.metrics.iter().find(|mc| mc.metric == metric) else {
            continue;
        };
        goals += 1;
        let _ = write!(
            s,
            "<tr><td>{} {}</td><td>{}</td>",
            esc(&row.kind),
            esc(&row.id),
            goal_text(g.target, g.threshold_s)
        );
        let values = std::iter::once((&r.baseline, &mc.baseline))
            .chain(mc.variants.iter().map(|v| (&v.variant, &v.value)));
        for (k, (name, e)) in values.enumerate() {
            let st = verdict(e, g.target);
            if st == "PASS" {
                passed[k] += 1;
            }
            let _ = write!(
                s,
                "<td data-key=\"{}\">{} <span class=\"status {st}\">{st}</span></td>",
                esc(&format!("c{i}.goal.{}.{}.{}", row.kind, row.id, name)),
                esc(&pct(e))
            );
        }
        s.push_str("</tr>\n");
    }
    s.push_str("<tr><th>goals met</th><td></td>");
    for (k, p) in passed.iter().enumerate() {
        let _ = write!(s, "<td data-key=\"c{i}.passed.{k}\">{p} of {goals}</td>");
    }
    s.push_str("</tr>\n</tbody></table>\n");
    page.push(&s);
}

/// One comparison's rows: baseline, each variant and its paired difference, marked better or worse.
fn compare_tables(page: &mut Page, i: usize, r: &CompareReport) {
    page.push(&format!(
        "<h3>{}</h3>\n<p class=\"muted\">Baseline: {}. Difference = variant − baseline, paired, {:.0}% CI; ▲ better, ▼ worse (CI excludes 0), = no significant difference.</p>\n",
        esc(&r.title),
        esc(&r.baseline),
        r.confidence * 100.0
    ));
    let mut s = String::from("<div class=\"wide\"><table>\n<thead><tr><th>row</th><th>metric</th>");
    let _ = write!(s, "<th>{}</th>", esc(&r.baseline));
    for v in &r.variants {
        let _ = write!(s, "<th>{}</th><th>Δ {}</th>", esc(v), esc(v));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for row in &r.rows {
        compare_row(&mut s, i, row);
    }
    s.push_str("</tbody></table></div>\n");
    page.push(&s);
}

/// Each group's occupancy per variant, with the paired difference.
fn compare_groups(page: &mut Page, i: usize, r: &CompareReport) {
    let mut s = format!(
        "<h3>{}</h3>\n<table>\n<thead><tr><th>group</th><th>{}</th>",
        esc(&r.title),
        esc(&r.baseline)
    );
    for v in &r.variants {
        let _ = write!(s, "<th>{}</th><th>Δ {}</th>", esc(v), esc(v));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for g in &r.groups {
        let mc = &g.occupancy;
        let key = format!("c{i}.group.{}", g.id);
        let _ = write!(
            s,
            "<tr><td>{}</td>{}",
            esc(&g.id),
            cell(&format!("{key}.baseline"), &pct(&mc.baseline))
        );
        for v in &mc.variants {
            let d = &v.difference;
            let _ = write!(
                s,
                "{}{}",
                cell(&format!("{key}.{}", v.variant), &pct(&v.value)),
                cell(
                    &format!("{key}.{}.difference", v.variant),
                    &format!("{:+.2} ±{:.2} pp", d.mean * 100.0, d.half_width * 100.0)
                )
            );
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
    page.push(&s);
}

/// Each channel's service level per interval in every variant, coloured against the target.
fn compare_intervals(page: &mut Page, i: usize, r: &CompareReport) {
    let mut channels: Vec<(&str, f64)> = Vec::new();
    let mut starts: Vec<&str> = Vec::new();
    for iv in &r.intervals {
        if !channels.iter().any(|c| c.0 == iv.channel) {
            channels.push((&iv.channel, iv.target));
        }
        if !starts.contains(&iv.interval_start.as_str()) {
            starts.push(&iv.interval_start);
        }
    }
    let mut s = format!("<h3>{}</h3>\n<div class=\"wide\"><table class=\"heat\">\n<thead><tr><th>interval_start</th>", esc(&r.title));
    for (ch, t) in &channels {
        for v in std::iter::once(&r.baseline).chain(&r.variants) {
            let _ = write!(
                s,
                "<th>{} {}<br><span class=\"muted\">target {:.0}%</span></th>",
                esc(ch),
                esc(v),
                t * 100.0
            );
        }
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for start in &starts {
        let _ = write!(s, "<tr><td>{}</td>", esc(start));
        for (ch, _) in &channels {
            let Some(iv) = r
                .intervals
                .iter()
                .find(|iv| iv.channel == *ch && iv.interval_start == *start)
            else {
                continue;
            };
            let mc = &iv.service_level;
            let values = std::iter::once((&r.baseline, &mc.baseline, "")).chain(
                mc.variants
                    .iter()
                    .map(|v| (&v.variant, &v.value, super::compare::marker(v))),
            );
            for (name, e, mark) in values {
                let _ = write!(
                    s,
                    "<td class=\"{}\" data-key=\"{}\">{}{}</td>",
                    heat_class(e, iv.target),
                    esc(&format!("c{i}.heat.{ch}.{start}.{name}")),
                    esc(&fmt_value(m::SERVICE_LEVEL, e)),
                    mark
                );
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n");
    page.push(&s);
}

fn compare_row(s: &mut String, i: usize, row: &RowComparison) {
    for mc in &row.metrics {
        let key = format!("c{i}.{}.{}.{}", row.kind, row.id, mc.metric);
        let _ = write!(
            s,
            "<tr><td>{} {}</td><td>{}</td>{}",
            esc(&row.kind),
            esc(&row.id),
            esc(&mc.metric),
            cell(
                &format!("{key}.baseline"),
                &fmt_value(mc.index, &mc.baseline)
            )
        );
        for v in &mc.variants {
            let d = &v.difference;
            let (scale, unit) = if is_share(mc.index) {
                (100.0, " pp")
            } else {
                (1.0, if mc.metric.ends_with("_s") { " s" } else { "" })
            };
            let (class, mark) = match (v.significant, v.better) {
                (true, true) => ("better", "▲"),
                (true, false) => ("worse", "▼"),
                _ => ("same", "="),
            };
            let diff = if d.mean.is_nan() {
                "-".to_string()
            } else {
                format!("{:+.2} ±{:.2}{unit}", d.mean * scale, d.half_width * scale)
            };
            let _ = write!(
                s,
                "{}<td class=\"{class}\" data-key=\"{}\">{mark} {}</td>",
                cell(
                    &format!("{key}.{}", v.variant),
                    &fmt_value(mc.index, &v.value)
                ),
                esc(&format!("{key}.{}.difference", v.variant)),
                esc(&diff)
            );
        }
        s.push_str("</tr>\n");
    }
}

// ---------------------------------------------------------------------------------------------
// acdsim staff

/// The HTML report of a staffing plan, with its charts.
pub fn staff_report(r: &StaffReport, plot: &StaffPlotData) -> io::Result<String> {
    let figures = plots::staff_figures(plot)?;
    Ok(staff_html(r, &figures))
}

/// The HTML report of a staffing plan with the given charts.
pub fn staff_html(r: &StaffReport, figures: &[Figure]) -> String {
    let title = format!("acdsim staff: {}", r.scenario);
    let meta = format!(
        "{} replications per candidate · seed {} · goals judged on the lower end of the {:.0}% CI · surge x{} · shrinkage {:.0}%",
        r.replications,
        r.seed,
        r.confidence * 100.0,
        r.surge_factor,
        r.shrinkage * 100.0
    );
    let mut page = Page::new(&title, meta);
    page.section("summary", "Summary");
    let mut s = String::from(
        "<table>\n<thead><tr><th>search</th><th>status</th><th>agent-intervals</th><th>peak agents</th><th>evaluations</th><th>tightest goal</th></tr></thead>\n<tbody>\n",
    );
    for (name, res) in [("base", &r.base), ("surge", &r.surge)] {
        let total: u64 = res.headcount.iter().flatten().map(|&n| u64::from(n)).sum();
        let peak: u64 = res
            .headcount
            .iter()
            .map(|g| u64::from(g.get(r.peak_index).copied().unwrap_or(0)))
            .sum();
        let st = if res.feasible { "PASS" } else { "FAIL" };
        let tight =
            crate::analysis::staffing::search::worst(&res.goals).map_or(String::new(), |g| {
                format!(
                    "{} {}{}: {:.1}% (CI {:.1}–{:.1}) against {:.0}%",
                    g.kind,
                    g.id,
                    g.interval
                        .as_deref()
                        .map_or(String::new(), |i| format!(" at {i}")),
                    g.mean * 100.0,
                    g.lo * 100.0,
                    g.hi * 100.0,
                    g.target * 100.0
                )
            });
        let _ = writeln!(
            s,
            "<tr><td>{name}</td>{}{}{}{}<td>{}</td></tr>",
            status_cell(&format!("staff.{name}.status"), st),
            cell(&format!("staff.{name}.agent_intervals"), &total.to_string()),
            cell(&format!("staff.{name}.peak"), &peak.to_string()),
            cell(
                &format!("staff.{name}.evaluations"),
                &res.evaluations.to_string()
            ),
            esc(&tight)
        );
    }
    s.push_str("</tbody></table>\n");
    for res in [&r.base, &r.surge] {
        if let Some(why) = &res.infeasible {
            let _ = writeln!(s, "<p class=\"verdict bad\">{}</p>", esc(why));
        }
    }
    page.push(&s);
    page.end();
    staff_tables(&mut page, r);
    page.figures(figures);
    page.section("settings", "Settings");
    page.push(&settings_list(&[
        ("scenario", r.scenario.clone()),
        ("replications per candidate", r.replications.to_string()),
        ("seed", r.seed.to_string()),
        ("confidence", format!("{}", r.confidence)),
        ("surge factor", format!("{}", r.surge_factor)),
        ("shrinkage", format!("{}", r.shrinkage)),
        (
            "occupancy cap",
            r.max_occupancy.map_or("none".into(), |c| format!("{c}")),
        ),
        ("peak interval", r.peak_interval.clone()),
        ("tool", format!("acdsim {}", env!("CARGO_PKG_VERSION"))),
    ]));
    page.end();
    page.finish()
}

/// Required and scheduled agents per interval and group.
fn staff_tables(page: &mut Page, r: &StaffReport) {
    page.section("staffing", "Agents per interval");
    page.push("<p class=\"muted\">required base / surge / current headcount; scheduled after shrinkage: ceil(required / (1 − shrinkage)).</p>\n");
    let mut s = String::from("<div class=\"wide\"><table>\n<thead><tr><th>interval_start</th>");
    for g in &r.groups {
        let _ = write!(
            s,
            "<th>{0} base</th><th>{0} surge</th><th>{0} current</th>",
            esc(&g.group)
        );
        if r.shrinkage > 0.0 {
            let _ = write!(
                s,
                "<th>{0} scheduled base</th><th>{0} scheduled surge</th>",
                esc(&g.group)
            );
        }
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for (k, iv) in r.intervals.iter().enumerate() {
        let _ = write!(s, "<tr><td>{}</td>", esc(iv));
        for g in &r.groups {
            let key = |what: &str| format!("staff.{}.{}.{what}", g.group, iv);
            s.push_str(&cell(&key("base"), &g.base[k].to_string()));
            s.push_str(&cell(&key("surge"), &g.surge[k].to_string()));
            s.push_str(&cell(&key("current"), &g.current[k].to_string()));
            if r.shrinkage > 0.0 {
                s.push_str(&cell(
                    &key("scheduled_base"),
                    &g.scheduled_base[k].to_string(),
                ));
                s.push_str(&cell(
                    &key("scheduled_surge"),
                    &g.scheduled_surge[k].to_string(),
                ));
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n");
    page.push(&s);
    page.end();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn the_policy_allows_exactly_the_stylesheet() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
        // SHA-256 in base64: 44 characters.
        let hash = csp
            .split("'sha256-")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        assert_eq!(hash.len(), 44);
    }

    #[test]
    fn heat_classes_follow_the_target() {
        let e = |mean: f64, hw: f64| Estimate {
            mean,
            lo: mean - hw,
            hi: mean + hw,
            half_width: hw,
            n: 10,
        };
        assert_eq!(heat_class(&e(0.9, 0.01), 0.8), "h-pass2");
        assert_eq!(heat_class(&e(0.81, 0.02), 0.8), "h-pass1");
        assert_eq!(heat_class(&e(0.78, 0.01), 0.8), "h-fail1");
        assert_eq!(heat_class(&e(0.70, 0.01), 0.8), "h-fail2");
        assert_eq!(heat_class(&e(0.50, 0.01), 0.8), "h-fail3");
        assert_eq!(heat_class(&e(f64::NAN, f64::NAN), 0.8), "h-na");
    }
}
