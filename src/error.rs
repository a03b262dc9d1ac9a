//! Input errors: every message names the file, where in it (a JSON path such as
//! `$.channels[1].goal.threshold_s`, or a CSV line) and what is wrong.

use std::fmt;

/// At most this many problems of one file are reported; the rest are counted
/// (`... and N more errors`).
pub const MAX_REPORTED_ERRORS: usize = 20;

/// A problem with an input file, found before any simulation runs. Validation checks the
/// independent parts of a scenario separately, so one `InputError` may carry the further
/// problems it found in `more`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct InputError {
    /// The file, as the user named it.
    pub file: String,
    /// Where in the file: a JSON path (`$.day.intervals`), `line 7`, or empty for the whole file.
    pub location: String,
    /// What is wrong and, where it helps, what would be valid.
    pub message: String,
    /// Further problems found in the same file, in the order found (none of them has `more`).
    pub more: Vec<InputError>,
}

impl InputError {
    pub fn new(
        file: impl Into<String>,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        InputError {
            file: file.into(),
            location: location.into(),
            message: message.into(),
            more: Vec::new(),
        }
    }

    /// All the problems in `errors` (each with its own `more`) as one error, the first with the
    /// others in `more`; `None` when there are none.
    pub fn join(errors: Vec<InputError>) -> Option<InputError> {
        let mut all = errors.into_iter().flat_map(|mut e| {
            let more = std::mem::take(&mut e.more);
            std::iter::once(e).chain(more)
        });
        let mut first = all.next()?;
        first.more = all.collect();
        Some(first)
    }

    /// One line per problem, `FILE: PATH: MSG`, at most [`MAX_REPORTED_ERRORS`] of them, then
    /// `... and N more errors` for the rest.
    pub fn lines(&self) -> Vec<String> {
        let all = std::iter::once(self).chain(&self.more);
        let mut lines: Vec<String> = all.take(MAX_REPORTED_ERRORS).map(one_line).collect();
        let rest = (1 + self.more.len()).saturating_sub(MAX_REPORTED_ERRORS);
        if rest > 0 {
            lines.push(format!(
                "... and {rest} more error{}",
                if rest == 1 { "" } else { "s" }
            ));
        }
        lines
    }
}

fn one_line(e: &InputError) -> String {
    if e.location.is_empty() {
        format!("{}: {}", e.file, e.message)
    } else {
        format!("{}: {}: {}", e.file, e.location, e.message)
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.lines().join("\n"))
    }
}
