//! `acdsim erlang`: the analytic staffing calculator, for one interval (`--contacts`) or the
//! whole day of a forecast CSV (`--forecast`, the Erlang sheet).

use std::path::PathBuf;

use clap::Args;

use super::common::{write_output, CmdResult};
use acdsim::analysis::staffing::erlang::{to_table, ErlangInput, DEFAULT_THRESHOLD_S};

#[derive(Debug, Args)]
pub struct ErlangArgs {
    /// Contacts offered per interval.
    #[arg(
        long,
        allow_hyphen_values = true,
        required_unless_present = "forecast",
        conflicts_with = "forecast"
    )]
    pub contacts: Option<f64>,
    /// A forecast CSV (channel,interval_start,offered, as for scenarios): the agents needed in
    /// every interval of every channel (the Erlang sheet), with the same targets.
    #[arg(long, value_name = "CSV")]
    pub forecast: Option<PathBuf>,
    /// Volume factor on the contacts (1.2 = the 120% surge).
    #[arg(long, default_value_t = 1.0, value_parser = super::args::parse_factor)]
    pub surge: f64,
    /// Interval length in minutes.
    #[arg(long, default_value_t = 30.0, allow_hyphen_values = true)]
    pub interval_minutes: f64,
    /// Average handle time in seconds.
    #[arg(long, allow_hyphen_values = true)]
    pub aht_s: f64,
    /// Service-level target: share answered within --threshold-s (e.g. 0.8).
    #[arg(long, allow_hyphen_values = true)]
    pub sl: Option<f64>,
    /// Service-level threshold in seconds (also the SL column when only --asa-s is given).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD_S, allow_hyphen_values = true)]
    pub threshold_s: f64,
    /// Target: maximum average speed of answer in seconds.
    #[arg(long, allow_hyphen_values = true)]
    pub asa_s: Option<f64>,
    /// Mean patience in seconds: use Erlang A (callers abandon) instead of Erlang C.
    #[arg(long, allow_hyphen_values = true)]
    pub patience_s: Option<f64>,
    /// Shrinkage: share of paid time not on contacts (e.g. 0.3).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub shrinkage: f64,
    /// Maximum agent occupancy (e.g. 0.85).
    #[arg(long, allow_hyphen_values = true)]
    pub max_occupancy: Option<f64>,
    /// Table rows either side of the agents needed.
    #[arg(long, default_value_t = 3)]
    pub around: u32,
    /// Write the answer as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// With --forecast: write the sheet as CSV to this file.
    #[arg(long, requires = "forecast")]
    pub csv: Option<PathBuf>,
    /// Print no table on stdout.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl ErlangArgs {
    fn input(&self) -> ErlangInput {
        ErlangInput {
            contacts: self.contacts.unwrap_or(0.0) * self.surge,
            interval_s: self.interval_minutes * 60.0,
            aht_s: self.aht_s,
            sl_target: self.sl,
            threshold_s: self.threshold_s,
            max_asa_s: self.asa_s,
            patience_s: self.patience_s,
            shrinkage: self.shrinkage,
            max_occupancy: self.max_occupancy,
            around: self.around,
        }
    }
}

pub fn erlang(a: ErlangArgs) -> CmdResult {
    if let Some(f) = &a.forecast {
        return forecast(&a, f);
    }
    let input = a.input();
    let result = input.calculate().map_err(anyhow::Error::new)?;
    if let Some(p) = &a.json {
        let doc = acdsim::report::json::ErlangDocument::new(&input, &result);
        write_output(p, acdsim::report::json::to_json(&doc).as_bytes())?;
    }
    // JSON on standard output: no table to mix with it.
    if !a.quiet && a.json.as_deref().is_none_or(|p| p.as_os_str() != "-") {
        print!("{}", to_table(&input, &result));
    }
    Ok(0)
}

/// `--forecast`: the Erlang sheet of the whole day.
fn forecast(a: &ErlangArgs, file: &std::path::Path) -> CmdResult {
    use acdsim::analysis::staffing::erlang::{sheet, sheet_table};
    let name = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{name}: cannot read: {e}"))?;
    let rows = acdsim::input::forecast::read_forecast(&name, &bytes)?;
    let template = ErlangInput {
        contacts: 0.0,
        ..a.input()
    };
    template
        .validate()
        .map_err(|e| anyhow::anyhow!("{} {}", e.flag, e.problem))?;
    let sheet = sheet(&rows, &template, a.surge).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    if let Some(p) = &a.json {
        let doc = acdsim::report::json::ErlangSheetDocument::new(&name, a.surge, &template, &sheet);
        write_output(p, acdsim::report::json::to_json(&doc).as_bytes())?;
    }
    if let Some(p) = &a.csv {
        let bytes = acdsim::report::csv::erlang_sheet_csv(&sheet).map_err(anyhow::Error::from)?;
        write_output(p, &bytes)?;
    }
    // JSON or CSV on standard output: no table to mix with it.
    let to_stdout =
        |p: &Option<std::path::PathBuf>| p.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if !a.quiet && !to_stdout(&a.json) && !to_stdout(&a.csv) {
        print!("{}", sheet_table(&sheet));
    }
    Ok(0)
}
