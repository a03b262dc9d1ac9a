//! Input errors: every message names the file, where in it (a JSON path such as
//! `$.channels[1].goal.threshold_s`, or a CSV line) and what is wrong.

use std::fmt;

/// A problem with an input file, found before any simulation runs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct InputError {
    /// The file, as the user named it.
    pub file: String,
    /// Where in the file: a JSON path (`$.day.intervals`), `line 7`, or empty for the whole file.
    pub location: String,
    /// What is wrong and, where it helps, what would be valid.
    pub message: String,
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
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.location, self.message)
        }
    }
}
