//! Interval forecasts in the CSV form workforce-management tools export:
//! `channel,interval_start,offered`, one row per channel and interval, `interval_start` as
//! `HH:MM` (a date before it, `2026-11-23 08:30` or `2026-11-23T08:30:00`, is accepted and ignored).

use std::collections::HashMap;

use crate::error::InputError;

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

/// Parses forecast CSV text into `volumes[channel][interval]` for the given channel ids and day
/// (the scenario loader reads the file once, and hashes the same bytes into the model's
/// identity). Every (channel, interval) pair must appear exactly once; `file` is used in error
/// messages.
pub fn parse_forecast(
    file: &str,
    bytes: &[u8],
    channels: &[String],
    open_s: f64,
    interval_s: f64,
    intervals: usize,
) -> Result<Vec<Vec<f64>>, InputError> {
    let err = |line: u64, msg: String| InputError::new(file, format!("line {line}"), msg);
    let (mut rdr, [ci, ti, oi]) = open(file, bytes)?;
    let index: HashMap<&str, usize> = channels
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let mut out = vec![vec![f64::NAN; intervals]; channels.len()];
    // A missing row has no line of its own: its error names the last line read.
    let mut last = 1;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            err(line, format!("malformed CSV row: {e}"))
        })?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        last = line;
        let ch = &rec[ci];
        let Some(&c) = index.get(ch) else {
            return Err(err(
                line,
                format!(
                    "channel `{ch}` is not defined in the scenario (known: {})",
                    channels.join(", ")
                ),
            ));
        };
        let Some(t) = parse_clock(&rec[ti]) else {
            return Err(err(
                line,
                format!("interval_start `{}` is not a time of day (HH:MM)", &rec[ti]),
            ));
        };
        let k = (t - open_s) / interval_s;
        if k < 0.0 || k.fract() != 0.0 || k as usize >= intervals {
            return Err(err(line, format!(
                "interval_start `{}` is not the start of one of the day's {intervals} intervals of {} min",
                &rec[ti], interval_s / 60.0
            )));
        }
        let offered = parse_offered(&rec[oi]).map_err(|m| err(line, m))?;
        let slot = &mut out[c][k as usize];
        if !slot.is_nan() {
            return Err(err(
                line,
                format!("channel `{ch}` interval `{}` appears twice", &rec[ti]),
            ));
        }
        *slot = offered;
    }
    for (c, row) in out.iter().enumerate() {
        if let Some(k) = row.iter().position(|v| v.is_nan()) {
            let t = (open_s + k as f64 * interval_s) as u64;
            return Err(err(last, format!(
                "no row for channel `{}` interval {:02}:{:02} up to the end of the file: the forecast must give every channel and interval",
                channels[c], t / 3600 % 24, t % 3600 / 60
            )));
        }
    }
    Ok(out)
}

/// A CSV reader over `bytes` past its header, and the columns of `channel`, `interval_start`
/// and `offered` (any order, any case; other columns ignored).
fn open<'b>(
    file: &str,
    bytes: &'b [u8],
) -> Result<(csv::Reader<&'b [u8]>, [usize; 3]), InputError> {
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
        (Some(ci), Some(ti), Some(oi)) => Ok((rdr, [ci, ti, oi])),
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
/// as `HH:MM`, contacts offered.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastRow {
    pub channel: String,
    pub interval_start: String,
    pub offered: f64,
}

/// Reads forecast CSV text (the columns `channel,interval_start,offered`, any order, others
/// ignored) as rows in file order, without a scenario: each `interval_start` a clock time, each
/// `offered` a finite number >= 0, each (channel, interval) once. Errors name the line.
pub fn read_forecast(file: &str, bytes: &[u8]) -> Result<Vec<ForecastRow>, InputError> {
    let err = |line: u64, msg: String| InputError::new(file, format!("line {line}"), msg);
    let (mut rdr, [ci, ti, oi]) = open(file, bytes)?;
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
        assert_eq!(v, vec![vec![10.0, 12.5], vec![2.0, 0.0]]);
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
