//! Plots of a run (PNG, drawn with `plotters`).
//!
//! [`line_chart`] draws a generic line chart from a [`ChartSpec`]; [`write_run_plots`] writes the
//! standard plots of a run report (wait-time CDF per channel, service level per interval,
//! occupancy per interval); [`write_staff_plots`] those of `acdsim staff` (service level vs
//! agents at the peak, required / scheduled / current agents per interval). Text is drawn with the bundled DejaVu Sans font
//! (`assets/DejaVuSans.ttf`, Bitstream Vera license, see `assets/DejaVuSans-LICENSE.txt`), so no
//! system font library is needed and output is the same on every machine. Every file is drawn
//! in memory and written by [`super::output`] (a temporary file, then a rename).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Once;

use image::ImageEncoder as _;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor;
use plotters::style::{register_font, FontStyle};

use super::RunReport;
use crate::analysis::compare::CompareReport;
use crate::analysis::staffing::plan::StaffReport;
use crate::analysis::staffing::search::CurvePoint;
use crate::model::Model;
use crate::stats::histogram::{bin_range, quantiles, BINS};

/// Width and height of every chart, in pixels.
pub const SIZE: (u32, u32) = (1000, 600);

/// One line of a chart.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Legend entry (the legend is drawn when a chart has more than one series).
    pub name: String,
    /// `(x, y)` points in drawing order; a point with a NaN coordinate breaks the line.
    pub points: Vec<(f64, f64)>,
}

/// What [`line_chart`] draws.
#[derive(Debug, Clone, Default)]
pub struct ChartSpec {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Horizontal reference lines `(y, label)`, drawn dashed with their label.
    pub hlines: Vec<(f64, String)>,
    /// Vertical reference lines `(x, label)`, drawn dashed with their label.
    pub vlines: Vec<(f64, String)>,
    /// Fixed y range; by default the data and reference lines with a margin.
    pub y_range: Option<(f64, f64)>,
}

/// Drawing options not in [`ChartSpec`], used by the run plots.
#[derive(Default)]
struct Extras {
    /// Fixed x range; by default the data and reference lines.
    x_range: Option<(f64, f64)>,
    /// Tick label formatter of the x axis.
    x_fmt: Option<fn(f64) -> String>,
    /// Error bars `(x, lo, hi)` per series (same index as `ChartSpec::series`).
    error_bars: Vec<Vec<(f64, f64, f64)>>,
    /// Where the legend goes (default: lower right).
    legend: Option<SeriesLabelPosition>,
    /// The colour of each horizontal reference line, as a series index (same index as
    /// `ChartSpec::hlines`; `None` or missing: the reference grey).
    hline_colours: Vec<Option<usize>>,
    /// Horizontal lines labelled in the right margin, outside the plot area, so that no curve
    /// is drawn over a label (labels pushed apart where lines are close).
    hline_labels_outside: bool,
    /// Lower bound of the fitted y range (e.g. 0 for shares); the top is the data's.
    y_floor: Option<f64>,
    /// No point markers (step lines, where a marker at each corner would clutter).
    no_markers: bool,
    /// Confidence bands `(x, lo, hi)` per series (same index as `ChartSpec::series`), shaded
    /// in the series' colour under its line.
    bands: Vec<Vec<(f64, f64, f64)>>,
}

/// Width of the right margin that holds the reference-line labels, in pixels.
const OUTSIDE_LABELS: u32 = 150;

/// Series colours (Tableau 10, distinguishable and print-friendly).
const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
/// Colour of the reference lines and their labels.
const REF_COLOUR: RGBColor = RGBColor(90, 90, 90);
const FONT: &str = "sans-serif";

static FONT_INIT: Once = Once::new();

/// Registers the bundled font as the `sans-serif` family (once per process).
fn register_bundled_font() {
    FONT_INIT.call_once(|| {
        register_font(
            FONT,
            FontStyle::Normal,
            include_bytes!("../../assets/DejaVuSans.ttf"),
        )
        .unwrap_or_else(|_| panic!("the bundled font assets/DejaVuSans.ttf is not a valid font"));
    });
}

/// Renders a line chart to a PNG (1000x600), written atomically ([`super::output`]). Legend when >1 series; horizontal/vertical reference lines dashed or
/// in a distinct colour with their labels; NaN points skipped (line broken there).
pub fn line_chart(path: &Path, spec: &ChartSpec) -> io::Result<()> {
    render(path, spec, &Extras::default())
}

/// [`line_chart`] with a shaded confidence band `(x, lo, hi)` under each series (same index as
/// `spec.series`), for a metric against a swept parameter (`acdsim sweep --plots`).
pub fn band_chart(
    path: &Path,
    spec: &ChartSpec,
    bands: Vec<Vec<(f64, f64, f64)>>,
) -> io::Result<()> {
    let extras = Extras {
        bands,
        legend: Some(SeriesLabelPosition::UpperLeft),
        ..Extras::default()
    };
    render(path, spec, &extras)
}

fn render(path: &Path, spec: &ChartSpec, extras: &Extras) -> io::Result<()> {
    register_bundled_font();
    if path.file_stem().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: not a file name", path.display()),
        ));
    }
    // Drawn in memory and encoded as plotters would save it (the same PNG encoder and
    // settings, so the same bytes), then written by the output module.
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        draw(&root, spec, extras).map_err(|e| plot_error(path, e))?;
        root.present().map_err(|e| plot_error(path, e))?;
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&rgb, w, h, image::ColorType::Rgb8)
        .map_err(|e| plot_error(path, e))?;
    super::output::write(path, &png)
}

/// One chart drawn as SVG, for a report that embeds its charts (the HTML report).
#[derive(Debug, Clone)]
pub struct Figure {
    /// The stem of the PNG file the same chart has with `--plots` (e.g. `wait_cdf_phone`).
    pub name: String,
    /// The chart's title.
    pub title: String,
    /// The SVG document (1000x600 with a `viewBox`, so it scales).
    pub svg: String,
}

/// Where the plot functions draw: PNG files in a folder, or SVG figures kept in memory.
pub enum Canvas {
    /// `<dir>/<name>.png`, each written atomically.
    Files(PathBuf),
    /// SVG documents, in drawing order.
    Svg(Vec<Figure>),
}

impl Canvas {
    /// The figures drawn (none on a folder).
    pub fn into_figures(self) -> Vec<Figure> {
        match self {
            Canvas::Files(_) => Vec::new(),
            Canvas::Svg(f) => f,
        }
    }

    /// Draws the chart `name` (a file stem) on this canvas; returns the PNG's path, if a file.
    fn draw(&mut self, name: &str, spec: &ChartSpec, extras: &Extras) -> io::Result<PathBuf> {
        match self {
            Canvas::Files(dir) => {
                let path = dir.join(format!("{name}.png"));
                render(&path, spec, extras)?;
                Ok(path)
            }
            Canvas::Svg(figures) => {
                register_bundled_font();
                let mut svg = String::new();
                {
                    let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
                    let err = |e: Box<dyn std::error::Error>| {
                        io::Error::other(format!("{name}: cannot draw the chart: {e}"))
                    };
                    draw(&root, spec, extras).map_err(err)?;
                    root.present().map_err(|e| err(e.into()))?;
                }
                figures.push(Figure {
                    name: name.to_string(),
                    title: spec.title.clone(),
                    svg,
                });
                Ok(PathBuf::from(name))
            }
        }
    }
}

fn plot_error(path: &Path, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("{}: cannot draw the chart: {e}", path.display()))
}

/// Smallest and largest finite value.
fn finite_bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Widens an empty or degenerate range to something drawable.
fn widen(r: Option<(f64, f64)>) -> (f64, f64) {
    match r {
        None => (0.0, 1.0),
        Some((lo, hi)) if hi - lo <= f64::EPSILON * lo.abs().max(1.0) => {
            let d = lo.abs().max(1.0) * 0.5;
            (lo - d, hi + d)
        }
        Some(r) => r,
    }
}

/// Tick label: as few decimals as tell the ticks apart.
fn fmt_tick(v: f64) -> String {
    let v = if v.abs() < 1e-12 { 0.0 } else { v };
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Hours since midnight as `HH:MM` (wrapping past midnight).
fn fmt_clock(h: f64) -> String {
    let m = (h * 60.0).round() as i64;
    format!(
        "{:02}:{:02}",
        m.div_euclid(60).rem_euclid(24),
        m.rem_euclid(60)
    )
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// The plotted ranges: the extras' or the data's (with the reference lines) for x, the spec's
/// or the data's padded by 5% for y.
fn ranges(spec: &ChartSpec, extras: &Extras) -> ((f64, f64), (f64, f64)) {
    let xs = spec
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .chain(spec.vlines.iter().map(|v| v.0));
    let (x0, x1) = extras.x_range.unwrap_or_else(|| widen(finite_bounds(xs)));
    let (y0, y1) = match spec.y_range {
        Some(r) => r,
        None => {
            let ys = spec
                .series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.1))
                .chain(extras.error_bars.iter().flatten().flat_map(|b| [b.1, b.2]))
                .chain(extras.bands.iter().flatten().flat_map(|b| [b.1, b.2]))
                .chain(spec.hlines.iter().map(|h| h.0));
            let (lo, hi) = widen(finite_bounds(ys));
            let pad = (hi - lo) * 0.05;
            let lo = match extras.y_floor {
                Some(f) => (lo - pad).max(f),
                None => lo - pad,
            };
            (lo, hi + pad)
        }
    };
    ((x0, x1), (y0, y1))
}

/// The chart area of a plot, in data coordinates.
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    extras: &Extras,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let ((x0, x1), (y0, y1)) = ranges(spec, extras);
    let mut chart = ChartBuilder::on(root)
        .caption(&spec.title, (FONT, 26))
        .margin(16)
        .margin_right(if extras.hline_labels_outside {
            OUTSIDE_LABELS
        } else {
            32
        })
        .x_label_area_size(56)
        .y_label_area_size(76)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let x_fmt = extras.x_fmt.unwrap_or(fmt_tick);
    chart
        .configure_mesh()
        .x_desc(&spec.x_label)
        .y_desc(&spec.y_label)
        .axis_desc_style((FONT, 19))
        .label_style((FONT, 15))
        .x_label_formatter(&|v| x_fmt(*v))
        .y_label_formatter(&|v| fmt_tick(*v))
        .x_labels(12)
        .y_labels(11)
        .max_light_lines(4)
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;

    // Reference lines first, so the data is drawn over them.
    draw_reference_lines(root, &mut chart, spec, extras, (x0, x1), (y0, y1))?;
    for (i, s) in spec.series.iter().enumerate() {
        draw_series(&mut chart, spec, extras, i, s)?;
    }
    if spec.series.len() > 1 {
        chart
            .configure_series_labels()
            .position(
                extras
                    .legend
                    .clone()
                    .unwrap_or(SeriesLabelPosition::LowerRight),
            )
            .label_font((FONT, 15))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .draw()?;
    }
    Ok(())
}

/// The dashed horizontal and vertical reference lines of `spec`, each with its label.
fn draw_reference_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Chart<DB>,
    spec: &ChartSpec,
    extras: &Extras,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let ref_style = ShapeStyle::from(&REF_COLOUR).stroke_width(2);
    let label_style = TextStyle::from((FONT, 15).into_font()).color(&REF_COLOUR);
    let mut outside: Vec<(i32, String, RGBColor)> = Vec::new();
    for (i, (y, label)) in spec.hlines.iter().enumerate() {
        if !y.is_finite() {
            continue;
        }
        let colour = match extras.hline_colours.get(i).copied().flatten() {
            Some(c) => COLOURS[c % COLOURS.len()],
            None => REF_COLOUR,
        };
        chart.draw_series(DashedLineSeries::new(
            [(x0, *y), (x1, *y)],
            10,
            6,
            ShapeStyle::from(&colour).stroke_width(2),
        ))?;
        let pos = chart.backend_coord(&(x1, *y));
        if extras.hline_labels_outside {
            outside.push((pos.1, label.clone(), colour));
            continue;
        }
        root.draw(&Text::new(
            label.clone(),
            (pos.0, pos.1 - 18),
            label_style.pos(text_anchor::Pos::new(
                text_anchor::HPos::Right,
                text_anchor::VPos::Top,
            )),
        ))?;
    }
    // Right of the plot area, top to bottom, at least a line apart.
    outside.sort_by_key(|o| o.0);
    let x = chart.backend_coord(&(x1, y0)).0 + 8;
    let mut last = i32::MIN;
    for (py, label, colour) in outside {
        let py = py.max(last.saturating_add(17));
        last = py;
        let style =
            TextStyle::from((FONT, 14).into_font())
                .color(&colour)
                .pos(text_anchor::Pos::new(
                    text_anchor::HPos::Left,
                    text_anchor::VPos::Center,
                ));
        root.draw(&Text::new(label, (x, py), style))?;
    }

    for (x, label) in spec.vlines.iter().filter(|v| v.0.is_finite()) {
        chart.draw_series(DashedLineSeries::new(
            [(*x, y0), (*x, y1)],
            10,
            6,
            ref_style,
        ))?;
        let pos = chart.backend_coord(&(*x, y0));
        root.draw(&Text::new(
            label.clone(),
            (pos.0 + 6, pos.1 - 24),
            label_style.pos(text_anchor::Pos::new(
                text_anchor::HPos::Left,
                text_anchor::VPos::Top,
            )),
        ))?;
    }
    Ok(())
}

/// Series `i` of `spec`: its error bars (if any), its line (broken at NaN points), a legend
/// entry when there are several series, and its points when there are at most 60.
fn draw_series<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    spec: &ChartSpec,
    extras: &Extras,
    i: usize,
    s: &Series,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let colour = COLOURS[i % COLOURS.len()];
    let style = ShapeStyle::from(&colour).stroke_width(2);
    if let Some(band) = extras.bands.get(i) {
        let finite = |b: &&(f64, f64, f64)| b.0.is_finite() && b.1.is_finite() && b.2.is_finite();
        let edge: Vec<(f64, f64)> = band
            .iter()
            .filter(finite)
            .map(|b| (b.0, b.2))
            .chain(band.iter().rev().filter(finite).map(|b| (b.0, b.1)))
            .collect();
        if edge.len() >= 4 {
            chart.draw_series(std::iter::once(Polygon::new(
                edge,
                colour.mix(0.18).filled(),
            )))?;
        }
    }
    if let Some(bars) = extras.error_bars.get(i) {
        let thin = ShapeStyle::from(&colour).stroke_width(1);
        for &(x, lo, hi) in bars {
            if !(x.is_finite() && lo.is_finite() && hi.is_finite()) {
                continue;
            }
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, lo), (x, hi)],
                thin,
            )))?;
            for y in [lo, hi] {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((x, y)) + PathElement::new(vec![(-5, 0), (5, 0)], thin),
                ))?;
            }
        }
    }
    // Each run of finite points is one line: a NaN breaks it.
    let mut first = true;
    for run in s
        .points
        .split(|p| !(p.0.is_finite() && p.1.is_finite()))
        .filter(|r| !r.is_empty())
    {
        let drawn = chart.draw_series(LineSeries::new(run.iter().copied(), style))?;
        if first && spec.series.len() > 1 {
            drawn
                .label(&s.name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
        }
        first = false;
    }
    let finite = s
        .points
        .iter()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .count();
    if finite <= 60 && !extras.no_markers {
        chart.draw_series(
            s.points
                .iter()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .map(|&p| Circle::new(p, 3, colour.filled())),
        )?;
    }
    Ok(())
}

/// Cumulative share of the counts at each bin's upper edge (bins per
/// [`crate::stats::histogram::bin_range`]), from `(0, 0)` up to `max_s` seconds; the last point is
/// at `max_s` itself (read proportionally within its bin) when `max_s` falls inside a bin. Empty
/// when there are no counts.
pub fn cdf_points(counts: &[u64], max_s: f64) -> Vec<(f64, f64)> {
    let total: u64 = counts.iter().sum();
    if total == 0 || max_s.is_nan() {
        return Vec::new();
    }
    let mut out = vec![(0.0, 0.0)];
    let mut cum = 0u64;
    for (b, &c) in counts.iter().enumerate() {
        let (lo, w) = bin_range(b);
        if lo >= max_s {
            break;
        }
        let hi = lo + w;
        if hi > max_s {
            let part = (max_s - lo) / w * c as f64;
            out.push((max_s, (cum as f64 + part) / total as f64));
            break;
        }
        cum += c;
        out.push((hi, cum as f64 / total as f64));
    }
    out
}

/// The x limit of a wait-time CDF: the largest 99.5th percentile of `hists`, at least twice
/// `threshold_s` (so the threshold sits well inside the chart), and positive.
fn cdf_limit<'a>(hists: impl Iterator<Item = &'a [u64]>, threshold_s: f64) -> f64 {
    let mut max_s = 2.0 * threshold_s;
    for h in hists {
        let mut q = [f64::NAN];
        quantiles(h, &[0.995], &mut q);
        if q[0].is_finite() {
            max_s = max_s.max(q[0]);
        }
    }
    if max_s > 0.0 {
        max_s
    } else {
        1.0
    }
}

/// [`cdf_points`] with the share in percent.
fn cdf_percent(counts: &[u64], max_s: f64) -> Vec<(f64, f64)> {
    cdf_points(counts, max_s)
        .into_iter()
        .map(|(x, y)| (x, y * 100.0))
        .collect()
}

/// `id` made safe for a file name.
pub fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A clock time `HH:MM` in hours after midnight ([`crate::input::forecast::parse_clock`] gives seconds).
fn parse_clock(s: &str) -> Option<f64> {
    crate::input::forecast::parse_clock(s).map(|secs| secs / 3600.0)
}

fn pct(v: f64) -> String {
    let s = fmt_tick(v * 100.0);
    format!("{s}%")
}

/// The run's plots into `dir` (created if missing): `wait_cdf_<channel>.png` — the wait-time CDF
/// of each channel from the pooled histogram `report.pooled` (entries (id, counts) for overall,
/// each channel, each segment, each type; bins per `crate::stats::histogram::{BINS, bin_range}`),
/// x up to the 99.5th percentile or at least 2x the threshold, with a vertical line at the
/// channel's goal threshold and a horizontal line at its target; `service_level_by_interval.png`
/// — each channel's service level per interval (mean, with lo/hi as thin lines or error bars)
/// against each channel's target; `occupancy_by_group.png` — occupancy of each agent group per
/// interval.
pub fn write_run_plots(report: &RunReport, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    run_plots(report, &mut Canvas::Files(dir.to_path_buf()))
}

/// The charts of [`write_run_plots`] as SVG figures, in the same order.
pub fn run_figures(report: &RunReport) -> io::Result<Vec<Figure>> {
    let mut canvas = Canvas::Svg(Vec::new());
    run_plots(report, &mut canvas)?;
    Ok(canvas.into_figures())
}

fn run_plots(report: &RunReport, dir: &mut Canvas) -> io::Result<()> {
    let subtitle = format!(
        "{} · {} replications",
        report.scenario.name, report.replications
    );
    wait_cdf_plots(report, dir, &subtitle)?;
    // Per-interval plots: x in hours of the day, points at interval midpoints.
    let axis = IntervalAxis {
        open: parse_clock(&report.day.open).unwrap_or(0.0),
        len_h: report.day.interval_minutes / 60.0,
        n: report.day.intervals,
        label: format!(
            "Interval (mean and {}% confidence interval at its midpoint)",
            fmt_tick(report.confidence * 100.0)
        ),
    };
    service_level_plot(report, dir, &subtitle, &axis)?;
    occupancy_plot(report, dir, &subtitle, &axis)?;
    if super::realism::has_realism(report) {
        realism_plots(report, dir, &subtitle, &axis)?;
    }
    Ok(())
}

/// The day's intervals as an x axis in hours of the day.
struct IntervalAxis {
    /// Opening, in hours after midnight.
    open: f64,
    /// Interval length in hours.
    len_h: f64,
    /// Number of intervals.
    n: usize,
    /// The axis label.
    label: String,
}

impl IntervalAxis {
    /// The midpoint of interval `k`.
    fn mid(&self, k: usize) -> f64 {
        self.open + (k as f64 + 0.5) * self.len_h
    }

    /// The whole day, labelled with clock times.
    fn extras(&self) -> Extras {
        Extras {
            x_range: Some((self.open, self.open + self.n as f64 * self.len_h)),
            x_fmt: Some(fmt_clock),
            ..Extras::default()
        }
    }
}

/// `wait_cdf_<channel>.png`: the wait-time CDF of each channel, with its goal.
fn wait_cdf_plots(report: &RunReport, dir: &mut Canvas, subtitle: &str) -> io::Result<()> {
    // The pooled entries are overall, channels, segments, types:
    // the channel entries follow the overall one, in channel order.
    for (c, ch) in report.channels.iter().enumerate() {
        let Some((_, counts)) = report.pooled.get(1 + c) else {
            continue;
        };
        let counts = &counts[..BINS.min(counts.len())];
        let thr = ch.goal.threshold_s;
        let max_s = cdf_limit(std::iter::once(counts), thr);
        let points = cdf_percent(counts, max_s);
        let spec = ChartSpec {
            title: format!("Wait time, channel {} ({subtitle})", ch.id),
            x_label: "Wait in queue (s)".into(),
            y_label: "Contacts waiting at most x (%)".into(),
            series: vec![Series {
                name: ch.id.clone(),
                points,
            }],
            hlines: vec![(
                ch.goal.target * 100.0,
                format!("target {}", pct(ch.goal.target)),
            )],
            vlines: vec![(thr, format!("threshold {} s", fmt_tick(thr)))],
            y_range: Some((0.0, 100.0)),
        };
        let extras = Extras {
            x_range: Some((0.0, max_s)),
            ..Extras::default()
        };
        dir.draw(&format!("wait_cdf_{}", file_safe(&ch.id)), &spec, &extras)?;
    }
    Ok(())
}

/// `service_level_by_interval.png`: each channel's service level by interval, with its target.
fn service_level_plot(
    report: &RunReport,
    dir: &mut Canvas,
    subtitle: &str,
    axis: &IntervalAxis,
) -> io::Result<()> {
    let mut series = Vec::new();
    let mut bars = Vec::new();
    let mut hlines: Vec<(f64, String)> = Vec::new();
    let mut hline_colours = Vec::new();
    for (c, ch) in report.channels.iter().enumerate() {
        let est: Vec<_> = ch
            .intervals
            .iter()
            .take(axis.n)
            .enumerate()
            .map(|(k, r)| (axis.mid(k), r.metrics.service_level()))
            .collect();
        series.push(Series {
            name: ch.id.clone(),
            points: est.iter().map(|(x, e)| (*x, e.mean * 100.0)).collect(),
        });
        bars.push(
            est.iter()
                .map(|(x, e)| (*x, e.lo * 100.0, e.hi * 100.0))
                .collect(),
        );
        // The channel's target, in its colour, labelled in the margin.
        hlines.push((
            ch.goal.target * 100.0,
            format!("{} target {}", ch.id, pct(ch.goal.target)),
        ));
        hline_colours.push(Some(c));
    }
    let spec = ChartSpec {
        title: format!("Service level by interval ({subtitle})"),
        x_label: axis.label.clone(),
        y_label: "Service level (%)".into(),
        series,
        hlines,
        vlines: Vec::new(),
        // Fitted to the data and the targets, not a fixed 0-100%.
        y_range: None,
    };
    dir.draw(
        "service_level_by_interval",
        &spec,
        &Extras {
            error_bars: bars,
            hline_colours,
            hline_labels_outside: true,
            y_floor: Some(0.0),
            ..axis.extras()
        },
    )?;
    Ok(())
}

/// `occupancy_by_group.png`: each agent group's occupancy by interval.
fn occupancy_plot(
    report: &RunReport,
    dir: &mut Canvas,
    subtitle: &str,
    axis: &IntervalAxis,
) -> io::Result<()> {
    let mut series = Vec::new();
    let mut bars = Vec::new();
    for g in &report.groups {
        series.push(Series {
            name: g.id.clone(),
            points: g
                .intervals
                .iter()
                .take(axis.n)
                .enumerate()
                .map(|(k, r)| (axis.mid(k), r.occupancy.mean * 100.0))
                .collect(),
        });
        bars.push(
            g.intervals
                .iter()
                .take(axis.n)
                .enumerate()
                .map(|(k, r)| (axis.mid(k), r.occupancy.lo * 100.0, r.occupancy.hi * 100.0))
                .collect(),
        );
    }
    let spec = ChartSpec {
        title: format!("Agent occupancy by interval ({subtitle})"),
        x_label: axis.label.clone(),
        y_label: "Occupancy (% of staffed time busy)".into(),
        series,
        hlines: Vec::new(),
        vlines: Vec::new(),
        y_range: None,
    };
    dir.draw(
        "occupancy_by_group",
        &spec,
        &Extras {
            error_bars: bars,
            y_floor: Some(0.0),
            ..axis.extras()
        },
    )?;
    Ok(())
}

/// Error bars `(x, lo, hi)` per series, as [`Extras::error_bars`].
type ErrorBars = Vec<Vec<(f64, f64, f64)>>;

/// Realism metric `j` ([`crate::stats::realism::REAL_METRICS`]) of a report row.
fn real(x: &super::Metrics, j: usize) -> &crate::stats::Estimate {
    x.at(crate::stats::REAL_FIRST + j)
}

/// One series per channel of realism metric `j` per interval (times `scale`), with its
/// error bars, for the channels `keep` picks; `name` makes the legend entry of a channel id.
fn per_channel_series(
    report: &RunReport,
    axis: &IntervalAxis,
    j: usize,
    scale: f64,
    keep: &dyn Fn(&super::ChannelReport) -> bool,
    name: &dyn Fn(&str) -> String,
) -> (Vec<Series>, ErrorBars) {
    let mut series = Vec::new();
    let mut bars = Vec::new();
    for ch in report.channels.iter().filter(|c| keep(c)) {
        let est: Vec<_> = ch
            .intervals
            .iter()
            .take(axis.n)
            .enumerate()
            .map(|(k, r)| (axis.mid(k), real(&r.metrics, j)))
            .collect();
        series.push(Series {
            name: name(&ch.id),
            points: est.iter().map(|(x, e)| (*x, e.mean * scale)).collect(),
        });
        bars.push(
            est.iter()
                .map(|(x, e)| (*x, e.lo * scale, e.hi * scale))
                .collect(),
        );
    }
    (series, bars)
}

/// The charts of a run whose scenario uses wrap-up, transfers, redials or outages (README
/// "Realism"): `fcr_by_interval` (first-contact resolution of the channels with transfers,
/// against the 80% resolution KPI), `customers_by_interval` (unique customers by their first
/// attempt's interval: the share eventually answered and the share lost after all attempts),
/// `end_to_end_by_interval` (first arrival to final answer of the customers answered) and, with
/// an outage, `outage_service_level` and `outage_contacts` ([`outage_plots`]).
fn realism_plots(
    report: &RunReport,
    dir: &mut Canvas,
    subtitle: &str,
    axis: &IntervalAxis,
) -> io::Result<()> {
    use crate::stats::realism::r;
    let transfers = |c: &super::ChannelReport| real(&c.metrics, r::TRANSFERS).mean > 0.0;
    let (series, bars) = per_channel_series(report, axis, r::FCR, 100.0, &transfers, &|id| {
        id.to_string()
    });
    if !series.is_empty() {
        let spec = ChartSpec {
            title: format!("First-contact resolution by interval ({subtitle})"),
            x_label: axis.label.clone(),
            y_label: "Answered and resolved by the first agent (%)".into(),
            series,
            hlines: vec![(80.0, "resolution KPI 80%".into())],
            vlines: Vec::new(),
            y_range: None,
        };
        let extras = Extras {
            error_bars: bars,
            ..axis.extras()
        };
        dir.draw("fcr_by_interval", &spec, &extras)?;
    }
    let all = |_: &super::ChannelReport| true;
    let (mut series, mut bars) =
        per_channel_series(report, axis, r::UNIQUE_ANSWERED, 100.0, &all, &|id| {
            format!("{id}: answered in the end")
        });
    let (lost, lost_bars) = per_channel_series(report, axis, r::UNIQUE_LOST, 100.0, &all, &|id| {
        format!("{id}: lost after all attempts")
    });
    series.extend(lost);
    bars.extend(lost_bars);
    let spec = ChartSpec {
        title: format!("Unique customers by interval of their first attempt ({subtitle})"),
        x_label: axis.label.clone(),
        y_label: "Customers (% of first attempts)".into(),
        series,
        hlines: Vec::new(),
        vlines: Vec::new(),
        y_range: Some((0.0, 100.0)),
    };
    let extras = Extras {
        error_bars: bars,
        legend: Some(SeriesLabelPosition::MiddleRight),
        ..axis.extras()
    };
    dir.draw("customers_by_interval", &spec, &extras)?;
    let (series, bars) =
        per_channel_series(report, axis, r::END_TO_END, 1.0, &all, &|id| id.to_string());
    let spec = ChartSpec {
        title: format!("End-to-end time of the customers answered ({subtitle})"),
        x_label: axis.label.clone(),
        y_label: "First arrival to final answer (s)".into(),
        series,
        hlines: Vec::new(),
        vlines: Vec::new(),
        y_range: None,
    };
    let extras = Extras {
        error_bars: bars,
        y_floor: Some(0.0),
        ..axis.extras()
    };
    dir.draw("end_to_end_by_interval", &spec, &extras)?;
    outage_plots(report, dir, subtitle, axis)
}

/// With an outage, for the channels that went down: `outage_service_level` (each one's service
/// level per interval, all contacts and those that arrived while it was down, against its
/// target) and `outage_contacts` (per interval, the contacts that arrived while it was down and
/// where they went: redirected, told to call later, self-service, waited; and those cut off in
/// service). Nothing without an outage contact.
fn outage_plots(
    report: &RunReport,
    dir: &mut Canvas,
    subtitle: &str,
    axis: &IntervalAxis,
) -> io::Result<()> {
    use crate::stats::realism::r;
    let down = |c: &super::ChannelReport| {
        real(&c.metrics, r::OUTAGE_OFFERED).mean > 0.0
            || real(&c.metrics, r::OUTAGE_DROPPED).mean > 0.0
    };
    if !report.channels.iter().any(down) {
        return Ok(());
    }
    let (mut series, mut bars) = (Vec::new(), Vec::new());
    let mut hlines = Vec::new();
    for ch in report.channels.iter().filter(|c| down(c)) {
        let rows = || ch.intervals.iter().take(axis.n).enumerate();
        let all: Vec<_> = rows()
            .map(|(k, x)| (axis.mid(k), x.metrics.service_level()))
            .collect();
        let window: Vec<_> = rows()
            .map(|(k, x)| (axis.mid(k), real(&x.metrics, r::OUTAGE_SL)))
            .collect();
        for (name, est) in [
            (format!("{}: all contacts", ch.id), all),
            (format!("{}: arrived during the outage", ch.id), window),
        ] {
            series.push(Series {
                name,
                points: est.iter().map(|(x, e)| (*x, e.mean * 100.0)).collect(),
            });
            bars.push(
                est.iter()
                    .map(|(x, e)| (*x, e.lo * 100.0, e.hi * 100.0))
                    .collect(),
            );
        }
        hlines.push((
            ch.goal.target * 100.0,
            format!("{} target {}", ch.id, pct(ch.goal.target)),
        ));
    }
    let spec = ChartSpec {
        title: format!("Service level during the outage ({subtitle})"),
        x_label: axis.label.clone(),
        y_label: "Service level (%)".into(),
        series,
        hlines,
        vlines: Vec::new(),
        y_range: Some((0.0, 100.0)),
    };
    let extras = Extras {
        error_bars: bars,
        hline_labels_outside: true,
        ..axis.extras()
    };
    dir.draw("outage_service_level", &spec, &extras)?;
    outage_contacts_plot(report, dir, subtitle, axis, &down)
}

/// `outage_contacts`: see [`outage_plots`].
fn outage_contacts_plot(
    report: &RunReport,
    dir: &mut Canvas,
    subtitle: &str,
    axis: &IntervalAxis,
    down: &dyn Fn(&super::ChannelReport) -> bool,
) -> io::Result<()> {
    use crate::stats::realism::r;
    let mut series = Vec::new();
    for ch in report.channels.iter().filter(|c| down(c)) {
        let line = |what: &str, f: &dyn Fn(&super::Metrics) -> f64| Series {
            name: format!("{}: {what}", ch.id),
            points: ch
                .intervals
                .iter()
                .take(axis.n)
                .enumerate()
                .map(|(k, x)| (axis.mid(k), f(&x.metrics)))
                .collect(),
        };
        let m = |j: usize| move |x: &super::Metrics| real(x, j).mean;
        series.push(line("arrived while down", &m(r::OUTAGE_OFFERED)));
        series.push(line("redirected", &m(r::OUTAGE_REDIRECTED)));
        series.push(line("told to call later", &m(r::OUTAGE_CALL_LATER)));
        series.push(line("sent to self-service", &m(r::OUTAGE_SELF_SERVICE)));
        series.push(line("waited", &|x| {
            real(x, r::OUTAGE_OFFERED).mean
                - real(x, r::OUTAGE_REDIRECTED).mean
                - real(x, r::OUTAGE_CALL_LATER).mean
                - real(x, r::OUTAGE_SELF_SERVICE).mean
        }));
        series.push(line("cut off in service", &m(r::OUTAGE_DROPPED)));
    }
    let spec = ChartSpec {
        title: format!("Contacts of the outage and where they went ({subtitle})"),
        x_label: "Interval (mean per day at its midpoint)".into(),
        y_label: "Contacts per day".into(),
        series,
        hlines: Vec::new(),
        vlines: Vec::new(),
        y_range: None,
    };
    let extras = Extras {
        y_floor: Some(0.0),
        legend: Some(SeriesLabelPosition::UpperLeft),
        ..axis.extras()
    };
    dir.draw("outage_contacts", &spec, &extras)?;
    Ok(())
}

/// The wait-time plots of a comparison into `dir` (created if missing): for each channel
/// (`compare_wait_cdf_<channel><suffix>.png`) and each segment
/// (`compare_wait_cdf_segment_<segment><suffix>.png`), the wait-time CDF of every variant on one
/// chart (from the histograms pooled over all replications: answered and abandoned contacts),
/// x up to the largest 99.5th percentile or at least twice the threshold. A channel chart marks
/// the channel's threshold and target; a segment with a goal, the goal's; a segment without
/// one, the threshold of each of its channels that falls inside the chart. Returns the files
/// written, in that order.
pub fn write_compare_plots(
    report: &CompareReport,
    dir: &Path,
    suffix: &str,
) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    compare_plots(report, &mut Canvas::Files(dir.to_path_buf()), suffix)
}

/// The charts of [`write_compare_plots`] as SVG figures, in the same order.
pub fn compare_figures(report: &CompareReport, suffix: &str) -> io::Result<Vec<Figure>> {
    let mut canvas = Canvas::Svg(Vec::new());
    compare_plots(report, &mut canvas, suffix)?;
    Ok(canvas.into_figures())
}

fn compare_plots(
    report: &CompareReport,
    dir: &mut Canvas,
    suffix: &str,
) -> io::Result<Vec<PathBuf>> {
    let names: Vec<String> = std::iter::once(format!("{} (baseline)", report.baseline))
        .chain(report.variants.iter().cloned())
        .collect();
    let subtitle = format!("{} · {} replications", report.title, report.replications);
    let channel_goal = |id: &str| {
        report
            .rows
            .iter()
            .find(|r| r.kind == "channel" && r.id == id)
            .and_then(|r| r.goal)
    };
    let mut written = Vec::new();
    for row in report.rows.iter().filter(|r| r.kind != "overall") {
        let hists = || row.waits.iter().map(|h| &h[..BINS.min(h.len())]);
        // Reference lines: (threshold, label) and the target, if any.
        let (marks, target): (Vec<(f64, String)>, Option<f64>) = match (row.kind.as_str(), row.goal)
        {
            ("channel", Some(g)) => (
                vec![(
                    g.threshold_s,
                    format!("threshold {} s", fmt_tick(g.threshold_s)),
                )],
                Some(g.target),
            ),
            (_, Some(g)) => (
                vec![(
                    g.threshold_s,
                    format!("{} goal {} s", row.id, fmt_tick(g.threshold_s)),
                )],
                Some(g.target),
            ),
            (_, None) => {
                // Channels sharing a threshold share its line.
                let mut by_threshold: Vec<(f64, Vec<&str>)> = Vec::new();
                for ch in &row.channels {
                    let Some(g) = channel_goal(ch) else { continue };
                    match by_threshold.iter_mut().find(|m| m.0 == g.threshold_s) {
                        Some(m) => m.1.push(ch),
                        None => by_threshold.push((g.threshold_s, vec![ch])),
                    }
                }
                let marks = by_threshold
                    .into_iter()
                    .map(|(t, chs)| (t, format!("{} {} s", chs.join(", "), fmt_tick(t))))
                    .collect();
                (marks, None)
            }
        };
        let first_mark = marks.iter().map(|m| m.0).fold(f64::INFINITY, f64::min);
        let max_s = cdf_limit(
            hists(),
            if first_mark.is_finite() {
                first_mark
            } else {
                0.0
            },
        );
        let (what, file) = if row.kind == "channel" {
            (
                format!("channel {}", row.id),
                format!("compare_wait_cdf_{}", row.id),
            )
        } else {
            (
                format!("segment {}", row.id),
                format!("compare_wait_cdf_segment_{}", row.id),
            )
        };
        let spec = ChartSpec {
            title: format!("Wait time, {what} ({subtitle})"),
            x_label: "Wait in queue (s)".into(),
            y_label: "Contacts waiting at most x (%)".into(),
            series: names
                .iter()
                .zip(hists())
                .map(|(name, h)| Series {
                    name: name.clone(),
                    points: cdf_percent(h, max_s),
                })
                .collect(),
            hlines: target
                .map(|t| (t * 100.0, format!("target {}", pct(t))))
                .into_iter()
                .collect(),
            vlines: marks.into_iter().filter(|m| m.0 <= max_s).collect(),
            y_range: Some((0.0, 100.0)),
        };
        let path = dir.draw(
            &file_safe(&format!("{file}{suffix}")),
            &spec,
            &Extras {
                x_range: Some((0.0, max_s)),
                // Right of the rising curves, clear of the threshold labels at the bottom.
                legend: Some(SeriesLabelPosition::MiddleRight),
                ..Extras::default()
            },
        )?;
        written.push(path);
    }
    Ok(written)
}

/// One agent group's staffing per interval, for [`write_staff_plots`].
#[derive(Debug, Clone, Default)]
pub struct GroupStaffing {
    pub id: String,
    /// The scenario's own headcount.
    pub current: Vec<u32>,
    /// Required agents at base load and at the surge.
    pub base: Vec<u32>,
    pub surge: Vec<u32>,
    /// Agents to schedule after shrinkage, base and surge.
    pub scheduled_base: Vec<u64>,
    pub scheduled_surge: Vec<u64>,
}

/// What [`write_staff_plots`] draws: the result of `acdsim staff`.
#[derive(Debug, Clone, Default)]
pub struct StaffPlotData {
    pub scenario: String,
    pub replications: u64,
    pub confidence: f64,
    /// Opening time and interval length, in hours.
    pub open_h: f64,
    pub interval_h: f64,
    pub surge_factor: f64,
    pub shrinkage: f64,
    /// The peak interval (index and label) and its service level vs agents curves.
    pub peak: usize,
    pub peak_label: String,
    pub peak_curve_base: Vec<CurvePoint>,
    pub peak_curve_surge: Vec<CurvePoint>,
    pub groups: Vec<GroupStaffing>,
}

impl StaffPlotData {
    /// The plots' view of a staffing plan of `model`.
    pub fn of(model: &Model, r: &StaffReport) -> StaffPlotData {
        StaffPlotData {
            scenario: r.scenario.clone(),
            replications: r.replications,
            confidence: r.confidence,
            open_h: model.open_s / 3600.0,
            interval_h: model.interval_s / 3600.0,
            surge_factor: r.surge_factor,
            shrinkage: r.shrinkage,
            peak: r.peak_index,
            peak_label: r.peak_interval.clone(),
            peak_curve_base: r.peak_curve_base.clone(),
            peak_curve_surge: r.peak_curve_surge.clone(),
            groups: r
                .groups
                .iter()
                .map(|g| GroupStaffing {
                    id: g.group.clone(),
                    current: g.current.clone(),
                    base: g.base.clone(),
                    surge: g.surge.clone(),
                    scheduled_base: g.scheduled_base.clone(),
                    scheduled_surge: g.scheduled_surge.clone(),
                })
                .collect(),
        }
    }
}

/// The staffing plots into `dir` (created if missing):
///
/// * `peak_sl_vs_agents.png`: the peak interval's service level (mean and confidence interval of
///   the channel furthest from its goal) against the agents on duty there, at base load and at
///   the surge, with the target line and a vertical line at each answer;
/// * `staffing_total.png`: agents per interval, all groups together: required at base and at
///   the surge, scheduled after shrinkage (when there is shrinkage), and the scenario's current
///   headcount;
/// * `staffing_group_<group>.png`: the same for each agent group.
pub fn write_staff_plots(d: &StaffPlotData, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    staff_plots(d, &mut Canvas::Files(dir.to_path_buf()))
}

/// The charts of [`write_staff_plots`] as SVG figures, in the same order.
pub fn staff_figures(d: &StaffPlotData) -> io::Result<Vec<Figure>> {
    let mut canvas = Canvas::Svg(Vec::new());
    staff_plots(d, &mut canvas)?;
    Ok(canvas.into_figures())
}

fn staff_plots(d: &StaffPlotData, dir: &mut Canvas) -> io::Result<()> {
    let subtitle = format!("{} · {} replications", d.scenario, d.replications);
    let surge = format!("surge x{}", fmt_tick(d.surge_factor));
    let at_peak = |f: fn(&GroupStaffing) -> &Vec<u32>| -> f64 {
        d.groups
            .iter()
            .map(|g| f64::from(f(g).get(d.peak).copied().unwrap_or(0)))
            .sum()
    };

    // Service level vs agents at the peak.
    let mut series = Vec::new();
    let mut bars = Vec::new();
    let mut hlines: Vec<(f64, String)> = Vec::new();
    for (name, curve) in [
        ("base".to_string(), &d.peak_curve_base),
        (surge.clone(), &d.peak_curve_surge),
    ] {
        series.push(Series {
            name: name.clone(),
            points: curve
                .iter()
                .map(|p| (f64::from(p.agents), p.service_level * 100.0))
                .collect(),
        });
        bars.push(
            curve
                .iter()
                .map(|p| (f64::from(p.agents), p.lo * 100.0, p.hi * 100.0))
                .collect(),
        );
        for p in curve.iter().filter(|p| p.target.is_finite()) {
            let t = p.target * 100.0;
            if !hlines.iter().any(|h| (h.0 - t).abs() < 1e-9) {
                hlines.push((t, format!("target {}", pct(p.target))));
            }
        }
    }
    let (base_n, surge_n) = (at_peak(|g| &g.base), at_peak(|g| &g.surge));
    let xs = finite_bounds(
        series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .chain([base_n, surge_n]),
    );
    let spec = ChartSpec {
        title: format!(
            "Service level vs agents at the peak, {} ({subtitle})",
            d.peak_label
        ),
        x_label: format!(
            "Agents on duty at {} (the largest group varied; mean and {}% confidence interval)",
            d.peak_label,
            fmt_tick(d.confidence * 100.0)
        ),
        y_label: "Service level, channel furthest from its goal (%)".into(),
        series,
        hlines,
        vlines: vec![
            (base_n, format!("base answer {base_n}")),
            (surge_n, format!("{surge} answer {surge_n}")),
        ],
        y_range: None,
    };
    dir.draw(
        "peak_sl_vs_agents",
        &spec,
        &Extras {
            x_range: xs.map(|(lo, hi)| (lo - 0.5, hi + 0.5)),
            error_bars: bars,
            // The curves rise to the right: the upper left corner is free.
            legend: Some(SeriesLabelPosition::UpperLeft),
            ..Extras::default()
        },
    )?;

    // Agents per interval: all groups, then each group.
    let n = d.groups.first().map_or(0, |g| g.base.len());
    let mut total = GroupStaffing {
        id: "all groups".into(),
        current: vec![0; n],
        base: vec![0; n],
        surge: vec![0; n],
        scheduled_base: vec![0; n],
        scheduled_surge: vec![0; n],
    };
    for g in &d.groups {
        for k in 0..n {
            total.current[k] += g.current.get(k).copied().unwrap_or(0);
            total.base[k] += g.base[k];
            total.surge[k] += g.surge[k];
            total.scheduled_base[k] += g.scheduled_base[k];
            total.scheduled_surge[k] += g.scheduled_surge[k];
        }
    }
    staffing_chart(d, &total, &subtitle, dir, "staffing_total")?;
    for g in &d.groups {
        let name = format!("staffing_group_{}", file_safe(&g.id));
        staffing_chart(d, g, &subtitle, dir, &name)?;
    }
    Ok(())
}

/// Required, scheduled and current agents per interval of one group (or all groups).
fn staffing_chart(
    d: &StaffPlotData,
    g: &GroupStaffing,
    subtitle: &str,
    canvas: &mut Canvas,
    name: &str,
) -> io::Result<()> {
    // Agents on duty are constant through an interval: a step from its start to its end.
    let start = |k: usize| d.open_h + k as f64 * d.interval_h;
    let line = |name: String, v: Vec<f64>| Series {
        name,
        points: v
            .into_iter()
            .enumerate()
            .flat_map(|(k, y)| [(start(k), y), (start(k + 1), y)])
            .collect(),
    };
    let to_f = |v: &[u32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>();
    let to_f64 = |v: &[u64]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
    let surge = format!("surge x{}", fmt_tick(d.surge_factor));
    let mut series = vec![
        line("required, base".into(), to_f(&g.base)),
        line(format!("required, {surge}"), to_f(&g.surge)),
    ];
    if d.shrinkage > 0.0 {
        let shr = pct(d.shrinkage);
        series.push(line(
            format!("scheduled, base ({shr} shrinkage)"),
            to_f64(&g.scheduled_base),
        ));
        series.push(line(
            format!("scheduled, {surge} ({shr} shrinkage)"),
            to_f64(&g.scheduled_surge),
        ));
    }
    series.push(line("current (scenario)".into(), to_f(&g.current)));
    let n = g.base.len();
    agents_step_chart(
        canvas,
        name,
        format!("Agents per interval, {} ({subtitle})", g.id),
        "Interval (agents on duty through each interval)",
        series,
        (d.open_h, d.open_h + n as f64 * d.interval_h),
    )
}

/// A chart of agents per interval drawn as steps from `x0` to `x1` (hours of the day): y from 0
/// to 10% above the highest value, no markers, the legend in the corner [`free_corner`] finds.
fn agents_step_chart(
    canvas: &mut Canvas,
    name: &str,
    title: String,
    x_label: &str,
    series: Vec<Series>,
    (x0, x1): (f64, f64),
) -> io::Result<()> {
    let top = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(1.0, f64::max);
    let legend = free_corner(&series, (x0, x1), (0.0, top * 1.1));
    let spec = ChartSpec {
        title,
        x_label: x_label.into(),
        y_label: "Agents".into(),
        series,
        hlines: Vec::new(),
        vlines: Vec::new(),
        y_range: Some((0.0, top * 1.1)),
    };
    canvas.draw(
        name,
        &spec,
        &Extras {
            x_range: Some((x0, x1)),
            x_fmt: Some(fmt_clock),
            legend: Some(legend),
            no_markers: true,
            ..Extras::default()
        },
    )?;
    Ok(())
}

/// The corner of the plot area (a box of 40% of its width and 30% of its height, where a legend
/// of a few lines fits) with the fewest data points: upper right, upper left, lower right, lower
/// left, in that order of preference.
fn free_corner(
    series: &[Series],
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> SeriesLabelPosition {
    let (w, h) = ((x1 - x0) * 0.4, (y1 - y0) * 0.3);
    let corners = [
        (SeriesLabelPosition::UpperRight, x1 - w, x1, y1 - h, y1),
        (SeriesLabelPosition::UpperLeft, x0, x0 + w, y1 - h, y1),
        (SeriesLabelPosition::LowerRight, x1 - w, x1, y0, y0 + h),
        (SeriesLabelPosition::LowerLeft, x0, x0 + w, y0, y0 + h),
    ];
    let inside = |&(_, xa, xb, ya, yb): &(SeriesLabelPosition, f64, f64, f64, f64)| {
        series
            .iter()
            .flat_map(|s| &s.points)
            .filter(|p| p.0 >= xa && p.0 <= xb && p.1 >= ya && p.1 <= yb)
            .count()
    };
    corners
        .iter()
        .min_by_key(|c| inside(c))
        .map_or(SeriesLabelPosition::LowerRight, |c| c.0.clone())
}

/// The charts of `acdsim roster`, one per rostered group (`roster_<group>.png`): required,
/// scheduled (present) and on-the-phones agents (as planned, and as measured in the simulation
/// check, after breaks and absence) per interval, drawn as steps.
pub fn write_roster_plots(
    r: &crate::analysis::roster::RosterResult,
    model: &Model,
    dir: &Path,
) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut canvas = Canvas::Files(dir.to_path_buf());
    let open_h = model.open_s / 3600.0;
    let interval_h = model.interval_s / 3600.0;
    let start = |k: usize| open_h + k as f64 * interval_h;
    let line = |name: &str, v: &[f64]| Series {
        name: name.to_string(),
        points: v
            .iter()
            .enumerate()
            .flat_map(|(k, &y)| [(start(k), y), (start(k + 1), y)])
            .collect(),
    };
    for g in &r.groups {
        let required: Vec<f64> = g.required.iter().map(|&x| f64::from(x)).collect();
        let series = vec![
            line("required on the phones", &required),
            line("scheduled (present)", &g.scheduled),
            line(
                "on the phones, planned (breaks, expected absence)",
                &g.planned_on_phones,
            ),
            line("on duty, simulated (breaks, absence)", &g.on_phones),
        ];
        agents_step_chart(
            &mut canvas,
            &format!("roster_{}", file_safe(&g.group)),
            format!("Roster coverage, {} ({})", g.group, r.scenario),
            "Interval",
            series,
            (open_h, start(model.n_intervals)),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

    #[test]
    fn cdf_of_a_hand_made_histogram() {
        let mut h = vec![0u64; BINS];
        h[0] = 2; // [0, 0.25)
        h[1] = 1; // [0.25, 0.5)
        h[3] = 1; // [0.75, 1)
        let p = cdf_points(&h, 1.0);
        assert_eq!(
            p,
            vec![
                (0.0, 0.0),
                (0.25, 0.5),
                (0.5, 0.75),
                (0.75, 0.75),
                (1.0, 1.0)
            ]
        );
        // A limit inside a bin reads that bin proportionally.
        let p = cdf_points(&h, 0.875);
        assert_eq!(p.last(), Some(&(0.875, 0.875)));
        assert_eq!(p.len(), 5);
        assert!(cdf_points(&vec![0u64; BINS], 10.0).is_empty());
    }

    #[test]
    fn cdf_is_monotone_and_ends_at_one() {
        let mut h = vec![0u64; BINS];
        for i in 0..10_000u64 {
            let v = (i % 997) as f64 * 0.37 + (i % 13) as f64 * 11.0;
            h[crate::stats::histogram::bin(v)] += 1 + i % 3;
        }
        let p = cdf_points(&h, 1000.0);
        assert!(p.windows(2).all(|w| w[1].0 > w[0].0 && w[1].1 >= w[0].1));
        assert!((p.last().unwrap().1 - 1.0).abs() < 1e-12);
        assert!(p.last().unwrap().0 <= 1000.0);
        // Cut short, it stays below one and stops at the limit.
        let p = cdf_points(&h, 100.0);
        assert!(p.last().unwrap().1 < 1.0);
        assert_eq!(p.last().unwrap().0, 100.0);
        // Agrees with the histogram's own CDF at the bin edges.
        for &(x, y) in &p[1..] {
            assert!((crate::stats::histogram::cdf_at(&h, x) - y).abs() < 1e-9 || x == 100.0);
        }
    }

    fn assert_png(path: &Path) {
        let bytes = std::fs::read(path).unwrap();
        assert!(
            bytes.len() > 1000,
            "{}: {} bytes",
            path.display(),
            bytes.len()
        );
        assert_eq!(bytes[..8], PNG_SIGNATURE, "{}", path.display());
    }

    fn no_temp_files(dir: &Path) {
        for e in std::fs::read_dir(dir).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.ends_with(".tmp.png"), "left behind: {name}");
        }
    }

    #[test]
    fn line_chart_writes_a_png_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chart.png");
        let spec = ChartSpec {
            title: "Test chart".into(),
            x_label: "x (s)".into(),
            y_label: "y (%)".into(),
            series: vec![
                Series {
                    name: "a".into(),
                    points: vec![(0.0, 1.0), (1.0, f64::NAN), (2.0, 3.0), (3.0, 2.0)],
                },
                Series {
                    name: "b".into(),
                    points: (0..50)
                        .map(|i| (i as f64 / 10.0, (i as f64).sqrt()))
                        .collect(),
                },
            ],
            hlines: vec![(2.5, "target".into())],
            vlines: vec![(1.5, "threshold".into())],
            y_range: None,
        };
        line_chart(&path, &spec).unwrap();
        assert_png(&path);
        no_temp_files(dir.path());
        // Same input, same bytes.
        let first = std::fs::read(&path).unwrap();
        line_chart(&path, &spec).unwrap();
        assert_eq!(first, std::fs::read(&path).unwrap());
        // Degenerate inputs still draw.
        let empty = dir.path().join("empty.png");
        line_chart(&empty, &ChartSpec::default()).unwrap();
        assert_png(&empty);
        no_temp_files(dir.path());
    }

    #[test]
    fn line_chart_reports_a_missing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/chart.png");
        assert!(line_chart(&path, &ChartSpec::default()).is_err());
    }

    #[test]
    fn run_plots_are_written() {
        let model = crate::input::load(Path::new("scenarios/mmc-5.json")).unwrap();
        let outcome = crate::sim::simulate::run(
            &model,
            crate::sim::simulate::RunOptions {
                replications: 4,
                seed: 1,
            },
            |_| {},
        );
        let report = RunReport::new(&model, &outcome, 0.95);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("plots");
        write_run_plots(&report, &out).unwrap();
        for f in [
            "wait_cdf_phone.png",
            "service_level_by_interval.png",
            "occupancy_by_group.png",
        ] {
            assert_png(&out.join(f));
        }
        no_temp_files(&out);
    }

    #[test]
    fn staff_plots_are_written() {
        let point = |agents: u32, sl: f64| CurvePoint {
            agents,
            service_level: sl,
            lo: sl - 0.02,
            hi: sl + 0.02,
            target: 0.85,
        };
        let group = |id: &str, base: Vec<u32>| GroupStaffing {
            id: id.into(),
            current: vec![5; base.len()],
            surge: base.iter().map(|n| n + 1).collect(),
            scheduled_base: base.iter().map(|&n| u64::from(n) * 2).collect(),
            scheduled_surge: base.iter().map(|&n| u64::from(n) * 2 + 2).collect(),
            base,
        };
        let data = StaffPlotData {
            scenario: "hand-made".into(),
            replications: 100,
            confidence: 0.95,
            open_h: 8.0,
            interval_h: 0.5,
            surge_factor: 1.2,
            shrinkage: 0.5,
            peak: 1,
            peak_label: "08:30".into(),
            peak_curve_base: vec![point(9, 0.7), point(10, 0.86), point(11, 0.93)],
            peak_curve_surge: vec![point(11, 0.8), point(12, 0.88), point(13, 0.95)],
            groups: vec![group("a b", vec![3, 6, 4]), group("c", vec![4, 4, 2])],
        };
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("staff");
        write_staff_plots(&data, &out).unwrap();
        for f in [
            "peak_sl_vs_agents.png",
            "staffing_total.png",
            "staffing_group_a_b.png",
            "staffing_group_c.png",
        ] {
            assert_png(&out.join(f));
        }
        no_temp_files(&out);
    }

    #[test]
    fn legend_goes_to_the_emptiest_corner() {
        for (points, want) in [
            // A hump in the middle, low at the ends: an upper corner is free.
            (
                vec![(0.5, 1.0), (5.0, 9.0), (9.5, 1.0)],
                SeriesLabelPosition::UpperRight,
            ),
            // Flat near the top, points in both upper corners: a lower corner.
            (
                vec![(0.5, 9.0), (5.0, 9.0), (9.5, 9.0)],
                SeriesLabelPosition::LowerRight,
            ),
            // Rising to the right: upper left.
            (
                vec![(0.5, 1.0), (5.0, 5.0), (9.5, 9.5)],
                SeriesLabelPosition::UpperLeft,
            ),
        ] {
            let series = vec![Series {
                name: "s".into(),
                points: points.clone(),
            }];
            let got = free_corner(&series, (0.0, 10.0), (0.0, 10.0));
            assert_eq!(got, want, "{points:?}");
        }
    }

    #[test]
    fn service_level_axis_fits_the_data_and_the_targets() {
        let spec = ChartSpec {
            series: vec![Series {
                name: "chat".into(),
                points: vec![(8.25, 99.0), (8.75, 100.0)],
            }],
            hlines: vec![(80.0, "chat target 80%".into())],
            ..ChartSpec::default()
        };
        let extras = Extras {
            y_floor: Some(0.0),
            ..Extras::default()
        };
        let (_, (y0, y1)) = ranges(&spec, &extras);
        // From just below the target to just above the curve: not a fixed 0-100%.
        assert!(
            (y0 - 79.0).abs() < 1e-9 && (y1 - 101.0).abs() < 1e-9,
            "{y0} {y1}"
        );
        // The floor holds for data near 0.
        let low = ChartSpec {
            series: vec![Series {
                name: "a".into(),
                points: vec![(0.0, 0.5), (1.0, 40.0)],
            }],
            ..ChartSpec::default()
        };
        assert_eq!(ranges(&low, &extras).1 .0, 0.0);
    }

    #[test]
    fn clock_labels() {
        assert_eq!(fmt_clock(8.5), "08:30");
        assert_eq!(fmt_clock(25.0), "01:00");
        assert_eq!(parse_clock("07:45"), Some(7.75));
        assert_eq!(fmt_tick(0.30000000000000004), "0.3");
        assert_eq!(fmt_tick(100.0), "100");
    }
}
