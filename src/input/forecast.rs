//! Interval forecasts in the CSV form workforce-management tools export:
//! `channel,interval_start,offered`, one row per channel and interval, `interval_start` as
//! `HH:MM` (a date before it, `2026-11-23 08:30` or `2026-11-23T08:30:00`, is accepted and ignored).

use std::collections::HashMap;

use crate::error::InputError;
use crate::model::clock_label;

/// Parses `HH:MM` or `HH:MM:SS` (optionally after a date and a space or `T`) into seconds after midnight.
pub fn parse_clock(s: &str) -> Option<f64> {
    let s = s.trim();
    let time = s.rsplit([' ', 'T']).next()?;
    let mut parts = time.split(':');
    let h: u32 = parts.next()?.trim().parse().ok()?;
    let m: u32 = parts.next()?.trim().parse().ok()?;
    let sec: u32 = match parts.next() {
        Some(x) => x.trim().parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() || h > 24 || m > 59 || sec > 59 || (h == 24 && (m > 0 || sec > 0)) {
        return None;
    }
    Some((h * 3600 + m * 60 + sec) as f64)
}

/// A forecast read against a scenario's day: expected contacts and, when the file has an `aht`
/// column, the mean handle time in seconds, per channel and interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// `volumes[channel][interval]`.
    pub volumes: Vec<Vec<f64>>,
    /// `aht_s[channel][interval]`, `None` without an `aht` column; NaN where the file leaves
    /// the interval's `aht` empty (the scenario's handle times hold there).
    pub aht_s: Option<Vec<Vec<f64>>>,
}

/// One data row of a forecast file, parsed.
struct Row {
    line: u64,
    channel: usize,
    /// Seconds after the day's opening.
    offset: u64,
    offered: f64,
    /// NaN: no `aht` column, or an empty cell.
    aht_s: f64,
}

/// Parses forecast CSV text for the given channel ids and day (the scenario loader reads the
/// file once, and hashes the same bytes into the model's identity); `file` is used in error
/// messages.
///
/// Rows are the day's intervals or, as WFM tools often export, 15- or 30-minute parts of them:
/// the row length is the longest of the interval, 30 and 15 minutes on whose grid every row
/// starts, and the parts of an interval are summed (volume) and volume-weighted (`aht`). Every
/// (channel, row) must appear exactly once. On a day that runs past midnight, a row that starts
/// before the opening time belongs to the hours after midnight.
pub fn parse_forecast(
    file: &str,
    bytes: &[u8],
    channels: &[String],
    open_s: f64,
    interval_s: f64,
    intervals: usize,
) -> Result<Forecast, InputError> {
    let day = DayGrid {
        file,
        channels,
        open_s,
        interval_s,
        intervals,
    };
    let (rows, has_aht, last) = day.read_rows(bytes)?;
    day.sum_rows(&rows, has_aht, last)
}

/// The day a forecast is read against, and the file's name for error messages.
struct DayGrid<'a> {
    file: &'a str,
    channels: &'a [String],
    open_s: f64,
    interval_s: f64,
    intervals: usize,
}

impl DayGrid<'_> {
    fn err(&self, line: u64, msg: String) -> InputError {
        InputError::new(self.file, format!("line {line}"), msg)
    }

    /// Every data row, each checked on its own (a known channel, a time within the day, a
    /// volume and aht); whether the file has an `aht` column, and the last line read.
    fn read_rows(&self, bytes: &[u8]) -> Result<(Vec<Row>, bool, u64), InputError> {
        let (mut rdr, [ci, ti, oi], aht_col) = open(self.file, bytes)?;
        let index: HashMap<&str, usize> = self
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let day_s = self.interval_s * self.intervals as f64;
        let overnight = self.open_s + day_s > 86_400.0;
        let mut rows: Vec<Row> = Vec::new();
        // A missing row has no line of its own: its error names the last line read.
        let mut last = 1;
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                self.err(line, format!("malformed CSV row: {e}"))
            })?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            last = line;
            let ch = &rec[ci];
            let Some(&c) = index.get(ch) else {
                return Err(self.err(
                    line,
                    format!(
                        "channel `{ch}` is not defined in the scenario (known: {})",
                        self.channels.join(", ")
                    ),
                ));
            };
            let Some(mut t) = parse_clock(&rec[ti]) else {
                return Err(self.err(
                    line,
                    format!("interval_start `{}` is not a time of day (HH:MM)", &rec[ti]),
                ));
            };
            if overnight && t < self.open_s {
                t += 86_400.0;
            }
            let offset = t - self.open_s;
            if offset < 0.0 || offset >= day_s || offset.fract() != 0.0 {
                return Err(self.err(
                    line,
                    format!(
                        "interval_start `{}` is not within the day's {} intervals of {} min",
                        &rec[ti],
                        self.intervals,
                        self.interval_s / 60.0
                    ),
                ));
            }
            let offered = parse_offered(&rec[oi]).map_err(|m| self.err(line, m))?;
            let aht_s = match aht_col {
                Some(a) => parse_aht(&rec[a]).map_err(|m| self.err(line, m))?,
                None => f64::NAN,
            };
            rows.push(Row {
                line,
                channel: c,
                offset: offset as u64,
                offered,
                aht_s,
            });
        }
        Ok((rows, aht_col.is_some(), last))
    }

    /// The rows summed into the day's intervals: each (channel, row) once and none missing,
    /// volumes added, aht volume-weighted (a plain mean where the parts have no volume).
    fn sum_rows(&self, rows: &[Row], has_aht: bool, last: u64) -> Result<Forecast, InputError> {
        let (n, intervals) = (self.channels.len(), self.intervals);
        let clock_at = |offset: u64| clock_label(self.open_s as u64 + offset);
        let part = row_length(rows, self.interval_s as u64).map_err(|r| {
            self.err(r.line, format!(
                "interval_start `{}` is not the start of one of the day's {intervals} intervals of {} min, nor of a 15- or 30-minute part of one",
                clock_at(r.offset), self.interval_s / 60.0
            ))
        })?;
        let parts = (self.interval_s as u64 / part) as usize;
        let mut seen = vec![vec![false; intervals * parts]; n];
        let mut volumes = vec![vec![0.0; intervals]; n];
        // Sum of offered x aht, sum of offered, plain sum and count of the given aht.
        let mut weighted = vec![vec![[0.0; 4]; intervals]; n];
        for r in rows {
            let slot = (r.offset / part) as usize;
            if std::mem::replace(&mut seen[r.channel][slot], true) {
                return Err(self.err(
                    r.line,
                    format!(
                        "channel `{}` interval `{}` appears twice",
                        self.channels[r.channel],
                        clock_at(r.offset)
                    ),
                ));
            }
            let k = slot / parts;
            volumes[r.channel][k] += r.offered;
            if !r.aht_s.is_nan() {
                let w = &mut weighted[r.channel][k];
                *w = [
                    w[0] + r.offered * r.aht_s,
                    w[1] + r.offered,
                    w[2] + r.aht_s,
                    w[3] + 1.0,
                ];
            }
        }
        for (c, row) in seen.iter().enumerate() {
            if let Some(slot) = row.iter().position(|v| !v) {
                let rows_are = if parts > 1 {
                    format!(
                        " (the file's rows are {} min long: each of an interval's {parts} parts needs its row)",
                        part / 60
                    )
                } else {
                    String::new()
                };
                return Err(self.err(last, format!(
                    "no row for channel `{}` interval {} up to the end of the file: the forecast must give every channel and interval{rows_are}",
                    self.channels[c], clock_at(slot as u64 * part)
                )));
            }
        }
        let mean = |w: &[f64; 4]| match (w[1] > 0.0, w[3] > 0.0) {
            (true, _) => w[0] / w[1],
            (false, true) => w[2] / w[3],
            (false, false) => f64::NAN,
        };
        let aht_s = has_aht.then(|| {
            weighted
                .iter()
                .map(|row| row.iter().map(mean).collect())
                .collect()
        });
        Ok(Forecast { volumes, aht_s })
    }
}

/// The length in seconds of the forecast's rows: the longest of the interval, 30 and 15 minutes
/// that divides the interval and on whose grid every row starts; else the first row on none.
fn row_length(rows: &[Row], interval_s: u64) -> Result<u64, &Row> {
    let fits = |len: u64| rows.iter().all(|r| r.offset.is_multiple_of(len));
    [interval_s, 1800, 900]
        .into_iter()
        .filter(|&len| len <= interval_s && interval_s.is_multiple_of(len))
        .find(|&len| fits(len))
        .ok_or_else(|| {
            rows.iter()
                .find(|r| !r.offset.is_multiple_of(900))
                .unwrap_or(&rows[0])
        })
}

/// A row's `aht`: empty (NaN: the scenario's handle times), or a finite number of seconds > 0.
fn parse_aht(text: &str) -> Result<f64, String> {
    if text.is_empty() {
        return Ok(f64::NAN);
    }
    let aht: f64 = text
        .parse()
        .map_err(|_| format!("aht `{text}` is not a number of seconds"))?;
    if !aht.is_finite() || aht <= 0.0 || aht > crate::model::limits::MAX_TIME_S {
        return Err(format!(
            "aht = {aht}: must be a number of seconds > 0 and at most {}",
            crate::model::limits::MAX_TIME_S
        ));
    }
    Ok(aht)
}

/// A CSV reader over `bytes` past its header, the columns of `channel`, `interval_start`
/// and `offered` (any order, any case; other columns ignored), and the optional `aht` column.
#[allow(clippy::type_complexity)]
fn open<'b>(
    file: &str,
    bytes: &'b [u8],
) -> Result<(csv::Reader<&'b [u8]>, [usize; 3], Option<usize>), InputError> {
    let err = |msg: String| InputError::new(file, "line 1", msg);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| err(format!("cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    match (col("channel"), col("interval_start"), col("offered")) {
        (Some(ci), Some(ti), Some(oi)) => Ok((rdr, [ci, ti, oi], col("aht"))),
        _ => Err(err(format!(
            "header is `{}`: expected the columns channel,interval_start,offered",
            shorten(&headers.iter().collect::<Vec<_>>().join(","))
        ))),
    }
}

/// A row's `offered`: a finite number >= 0, else the message saying why not.
fn parse_offered(text: &str) -> Result<f64, String> {
    let offered: f64 = text
        .parse()
        .map_err(|_| format!("offered `{text}` is not a number"))?;
    if !offered.is_finite() || offered < 0.0 {
        return Err(format!("offered = {offered}: must be a finite number >= 0"));
    }
    Ok(offered)
}

/// A quoted piece of the file, cut after 80 characters (a header line can be megabytes long).
fn shorten(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// One row of a forecast read on its own (`acdsim erlang --forecast`): channel, interval start
/// as `HH:MM`, contacts offered, and the row's `aht` in seconds if the file gives one.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastRow {
    pub channel: String,
    pub interval_start: String,
    pub offered: f64,
    pub aht_s: Option<f64>,
}

/// Reads forecast CSV text (the columns `channel,interval_start,offered` and optionally `aht`,
/// any order, others ignored) as rows in file order, without a scenario: each `interval_start` a clock time, each
/// `offered` a finite number >= 0, each (channel, interval) once. Errors name the line.
pub fn read_forecast(file: &str, bytes: &[u8]) -> Result<Vec<ForecastRow>, InputError> {
    let err = |line: u64, msg: String| InputError::new(file, format!("line {line}"), msg);
    let (mut rdr, [ci, ti, oi], aht_col) = open(file, bytes)?;
    let mut out: Vec<ForecastRow> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| err(line, format!("malformed row: {e}")))?;
        let t = parse_clock(&rec[ti]).ok_or_else(|| {
            err(
                line,
                format!("interval_start `{}` is not a time (HH:MM)", &rec[ti]),
            )
        })?;
        let offered = parse_offered(&rec[oi]).map_err(|m| err(line, m))?;
        let aht_s = match aht_col {
            Some(a) => Some(parse_aht(&rec[a]).map_err(|m| err(line, m))?).filter(|x| !x.is_nan()),
            None => None,
        };
        let start = format!(
            "{:02}:{:02}",
            (t / 3600.0) as u32,
            ((t % 3600.0) / 60.0) as u32
        );
        if out
            .iter()
            .any(|r| r.channel == rec[ci] && r.interval_start == start)
        {
            return Err(err(
                line,
                format!("channel `{}` interval `{start}` appears twice", &rec[ci]),
            ));
        }
        out.push(ForecastRow {
            channel: rec[ci].to_string(),
            interval_start: start,
            offered,
            aht_s,
        });
    }
    if out.is_empty() {
        return Err(InputError::new(file, "", "no rows: the forecast is empty"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch() -> Vec<String> {
        vec!["phone".into(), "chat".into()]
    }

    #[test]
    fn clock_forms() {
        assert_eq!(parse_clock("08:30"), Some(30600.0));
        assert_eq!(parse_clock("2026-11-23 08:30"), Some(30600.0));
        assert_eq!(parse_clock("2026-11-23T08:30:00"), Some(30600.0));
        assert_eq!(parse_clock("25:00"), None);
        assert_eq!(parse_clock("8h30"), None);
    }

    #[test]
    fn parses_a_complete_forecast() {
        let csv = "channel,interval_start,offered\nphone,08:00,10\nchat,08:00,2\nphone,08:30,12.5\nchat,08:30,0\n";
        let v = parse_forecast("f.csv", csv.as_bytes(), &ch(), 8.0 * 3600.0, 1800.0, 2).unwrap();
        assert_eq!(v.volumes, vec![vec![10.0, 12.5], vec![2.0, 0.0]]);
        assert_eq!(v.aht_s, None);
    }

    #[test]
    fn quarter_hour_rows_are_summed_and_their_aht_weighted() {
        // A 30-minute day from 15-minute rows (in any order), with an aht column.
        let csv = "channel,interval_start,offered,aht\n\
                   phone,08:15,30,200\nphone,08:00,10,400\nchat,08:00,0,100\nchat,08:15,0,300\n\
                   phone,08:30,5,\nphone,08:45,5,\nchat,08:30,4,\nchat,08:45,0,500\n";
        let v = parse_forecast("f.csv", csv.as_bytes(), &ch(), 8.0 * 3600.0, 1800.0, 2).unwrap();
        assert_eq!(v.volumes, vec![vec![40.0, 10.0], vec![0.0, 4.0]]);
        let aht = v.aht_s.unwrap();
        // (10 x 400 + 30 x 200) / 40; no aht given: NaN.
        assert_eq!(aht[0][0], 250.0);
        assert!(aht[0][1].is_nan());
        // No volume: the plain mean of the given aht; 4 contacts at no aht and none at 500.
        assert_eq!(aht[1][0], 200.0);
        assert_eq!(aht[1][1], 500.0);
        // 30-minute rows on a 60-minute day.
        let csv = "channel,interval_start,offered\nphone,08:00,1\nphone,08:30,2\nchat,08:00,3\nchat,08:30,4\n";
        let v = parse_forecast("f.csv", csv.as_bytes(), &ch(), 8.0 * 3600.0, 3600.0, 1).unwrap();
        assert_eq!(v.volumes, vec![vec![3.0], vec![7.0]]);
        // A missing quarter names it and says the rows are 15 minutes long.
        let csv = "channel,interval_start,offered\nphone,08:00,1\nphone,08:15,2\nchat,08:00,3\n";
        let e =
            parse_forecast("f.csv", csv.as_bytes(), &ch(), 8.0 * 3600.0, 1800.0, 1).unwrap_err();
        assert!(
            e.message
                .contains("no row for channel `chat` interval 08:15")
                && e.message.contains("15 min long"),
            "{}",
            e.message
        );
    }

    #[test]
    fn rows_after_midnight_belong_to_an_overnight_day() {
        // 22:00 to 02:00 in hours.
        let mut csv = String::from("channel,interval_start,offered\n");
        for (i, t) in ["22:00", "23:00", "00:00", "01:00"].iter().enumerate() {
            csv += &format!("phone,{t},{i}\nchat,{t},1\n");
        }
        let v = parse_forecast("f.csv", csv.as_bytes(), &ch(), 22.0 * 3600.0, 3600.0, 4).unwrap();
        assert_eq!(v.volumes[0], vec![0.0, 1.0, 2.0, 3.0]);
        // Past the day's end (02:00) even overnight.
        let csv = csv + "phone,02:00,1\n";
        let e =
            parse_forecast("f.csv", csv.as_bytes(), &ch(), 22.0 * 3600.0, 3600.0, 4).unwrap_err();
        assert_eq!(e.location, "line 10");
        assert!(e.message.contains("not within the day"), "{}", e.message);
    }

    #[test]
    fn bad_aht_names_the_line() {
        for bad in ["-5", "0", "x", "inf", "1e9"] {
            let csv = format!("channel,interval_start,offered,aht\nphone,08:00,1,{bad}\n");
            let e = parse_forecast("f.csv", csv.as_bytes(), &ch(), 8.0 * 3600.0, 1800.0, 1)
                .unwrap_err();
            assert_eq!(e.location, "line 2", "{bad}");
            assert!(e.message.contains("aht"), "{}", e.message);
        }
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            (
                "channel,interval_start,offered\nphone,08:00,10\nfax,08:00,1\n",
                "line 3",
                "fax",
            ),
            (
                "channel,interval_start,offered\nphone,08:10,10\n",
                "line 2",
                "not the start",
            ),
            (
                "channel,interval_start,offered\nphone,08:00,-1\n",
                "line 2",
                ">= 0",
            ),
            (
                "channel,interval_start,offered\nphone,08:00,x\n",
                "line 2",
                "not a number",
            ),
            (
                "channel,interval_start,offered\nphone,08:00,1\nphone,08:00,1\n",
                "line 3",
                "twice",
            ),
            (
                "channel,interval_start,offered\nphone,08:00\n",
                "line 2",
                "malformed",
            ),
            ("chan,start,n\n", "line 1", "expected the columns"),
        ];
        for (text, loc, msg) in cases {
            let e = parse_forecast("f.csv", text.as_bytes(), &ch(), 8.0 * 3600.0, 1800.0, 1)
                .unwrap_err();
            assert_eq!(e.location, loc, "{text}");
            assert!(e.message.contains(msg), "{}", e.message);
        }
        let e = parse_forecast(
            "f.csv",
            b"channel,interval_start,offered\nphone,08:00,1\n",
            &ch(),
            28800.0,
            1800.0,
            1,
        )
        .unwrap_err();
        assert!(
            e.message.contains("no row for channel `chat`"),
            "{}",
            e.message
        );
    }
}
