//! Experiment files (`acdsim sweep`, `acdsim select`): a base scenario and the variants to run
//! of it, as a grid (the cartesian product of parameter values) and/or an explicit list.
//!
//! A parameter is one of
//!
//! - `strategy`: the routing strategy (sets `$.routing.strategy`);
//! - `surge`: a volume factor (times every channel's volume, as `acdsim compare --surge`);
//! - `staff:<group>` (or `staff` for every group): the group's headcount in every interval, a
//!   number `k` (add `k` agents, `-2` removes two) or a string `"x1.1"` (times 1.1, rounded to
//!   the nearest agent) or `"+2"`;
//! - a JSON path into the scenario, `$.agent_groups[0].headcount`, `$.routing.aging_s`: the
//!   value is set there (an object's key is added if missing; `[generalists]` picks the list
//!   element whose `id` is `generalists`).
//!
//! Each variant is applied to the scenario's JSON and then checked by the normal input path
//! ([`crate::input::parse`], [`crate::input::resolve`]), so a variant that makes the scenario
//! invalid fails with the experiment file, the variant and the JSON path of the problem.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::InputError;
use crate::input::{parse, read_capped, resolve};
use crate::model::limits::check_surge;
use crate::model::Model;

/// An experiment file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentFile {
    #[serde(rename = "$schema", default)]
    pub json_schema: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: String,
    /// The base scenario, relative to the experiment file.
    pub scenario: String,
    /// Replications of every variant (default: the scenario's).
    #[serde(default)]
    pub replications: Option<u64>,
    /// Seed of the common random numbers (default: the scenario's).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Confidence level of the intervals (default 0.95).
    #[serde(default)]
    pub confidence: Option<f64>,
    /// Parameter -> values: every combination is a variant (the last parameter varies fastest).
    #[serde(default)]
    pub grid: Map<String, Value>,
    /// Explicit variants, run before the grid's.
    #[serde(default)]
    pub variants: Vec<VariantFile>,
    /// The metrics the table on stdout shows (`<row>.<metric>`, as `acdsim check` names them).
    #[serde(default)]
    pub metrics: Vec<String>,
    /// The plots `--plots` draws.
    #[serde(default)]
    pub plots: Vec<PlotFile>,
    /// The ranking-and-selection problem of `acdsim select`.
    #[serde(default)]
    pub select: Option<SelectFile>,
}

/// One explicit variant.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantFile {
    #[serde(default)]
    pub name: Option<String>,
    /// Parameter -> value.
    #[serde(default)]
    pub set: Map<String, Value>,
}

/// A plot of a metric against a swept numeric parameter, one line per combination of the
/// other parameters, with the confidence band.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlotFile {
    /// `<row>.<metric>`, e.g. `phone.service_level`.
    pub metric: String,
    /// The parameter on the x axis.
    pub x: String,
}

/// `acdsim select`'s problem.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectFile {
    /// `<row>.<metric>` to optimise.
    pub metric: String,
    /// `maximize` (default) or `minimize`.
    #[serde(default)]
    pub goal: Option<String>,
    /// Indifference zone: differences smaller than this do not matter.
    pub delta: f64,
    /// 1 - alpha is the probability of a correct selection (default 0.05).
    #[serde(default)]
    pub alpha: Option<f64>,
    /// First-stage replications (default 20).
    #[serde(default)]
    pub n0: Option<u64>,
    /// Constraints `<row>.<metric> >= <number>` (or `<=`), e.g. `phone.service_level >= 0.85`.
    #[serde(default)]
    pub constraints: Vec<String>,
    /// Tolerance of the constraints (default: `delta`): a variant within it of a limit may be
    /// declared either way.
    #[serde(default)]
    pub tolerance: Option<f64>,
}

/// One variant of an experiment, resolved.
#[derive(Debug, Clone)]
pub struct ExperimentVariant {
    /// 1-based, in run order.
    pub id: usize,
    pub name: String,
    /// `(parameter, value)` as written.
    pub params: Vec<(String, Value)>,
    pub model: Model,
}

/// A loaded experiment: the file, its base model and every variant's model.
#[derive(Debug, Clone)]
pub struct Experiment {
    pub file: String,
    pub raw: ExperimentFile,
    pub base: Model,
    /// Every parameter, in order of first appearance.
    pub parameters: Vec<String>,
    pub variants: Vec<ExperimentVariant>,
}

/// At most this many variants per experiment.
pub const MAX_VARIANTS: usize = 10_000;

/// Reads an experiment file, its scenario, and resolves every variant.
pub fn load_experiment(path: &Path) -> Result<Experiment, InputError> {
    let file = path.display().to_string();
    let bytes = read_capped(path)
        .map_err(|e| InputError::new(&file, "", format!("cannot read experiment file: {e}")))?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    let raw: ExperimentFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let p = e.path().to_string();
        let loc = if p == "." {
            "$".into()
        } else {
            format!("$.{p}")
        };
        InputError::new(&file, loc, e.into_inner().to_string())
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let scenario_path: PathBuf = dir.join(&raw.scenario);
    let sfile = scenario_path.display().to_string();
    let sbytes = read_capped(&scenario_path).map_err(|e| {
        InputError::new(
            &file,
            "$.scenario",
            format!("cannot read scenario file {sfile}: {e}"),
        )
    })?;
    let json: Value = serde_json::from_slice(&sbytes)
        .map_err(|e| InputError::new(&sfile, "$", format!("malformed JSON: {e}")))?;
    let sdir = scenario_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut base = resolve(&sfile, &sbytes, &parse(&sfile, &sbytes)?, &sdir)?;
    apply_run_options(&file, &raw, &mut base)?;
    let specs = variant_specs(&file, &raw)?;
    let mut parameters: Vec<String> = Vec::new();
    for (_, params) in &specs {
        for (p, _) in params {
            if !parameters.contains(p) {
                parameters.push(p.clone());
            }
        }
    }
    let src = Source {
        file: &file,
        sfile: &sfile,
        sdir: &sdir,
        json: &json,
        base: &base,
    };
    let mut variants = Vec::with_capacity(specs.len());
    for (i, (name, params)) in specs.into_iter().enumerate() {
        let model = src.variant_model(i + 1, &name, &params)?;
        variants.push(ExperimentVariant {
            id: i + 1,
            name,
            params,
            model,
        });
    }
    Ok(Experiment {
        file,
        raw,
        base,
        parameters,
        variants,
    })
}

/// The experiment's replications and seed on the base model.
fn apply_run_options(file: &str, raw: &ExperimentFile, base: &mut Model) -> Result<(), InputError> {
    if let Some(n) = raw.replications {
        crate::model::limits::check_replications(n)
            .map_err(|m| InputError::new(file, "$.replications", m))?;
        base.replications = n;
    }
    if let Some(s) = raw.seed {
        base.seed = s;
    }
    if let Some(c) = raw.confidence {
        if !(c > 0.0 && c < 1.0) {
            return Err(InputError::new(
                file,
                "$.confidence",
                format!("= {c}: must be between 0 and 1 (e.g. 0.95)"),
            ));
        }
    }
    Ok(())
}

/// A variant's name and parameters, as written.
type Spec = (String, Vec<(String, Value)>);

/// The explicit variants, then the grid's combinations.
fn variant_specs(file: &str, raw: &ExperimentFile) -> Result<Vec<Spec>, InputError> {
    let mut specs = Vec::new();
    for (i, v) in raw.variants.iter().enumerate() {
        let params: Vec<(String, Value)> =
            v.set.iter().map(|(k, x)| (k.clone(), x.clone())).collect();
        for (k, _) in &params {
            check_parameter(file, &format!("$.variants[{i}].set"), k)?;
        }
        let name = v.name.clone().unwrap_or_else(|| default_name(&params));
        specs.push((name, params));
    }
    let mut axes: Vec<(&String, &Vec<Value>)> = Vec::new();
    for (k, values) in &raw.grid {
        let at = format!("$.grid[\"{k}\"]");
        check_parameter(file, "$.grid", k)?;
        match values {
            Value::Array(a) if !a.is_empty() => axes.push((k, a)),
            _ => {
                return Err(InputError::new(
                    file,
                    at,
                    "must be a non-empty list of the parameter's values",
                ))
            }
        }
    }
    let combos: usize = axes.iter().map(|(_, a)| a.len()).product();
    if specs.len() + if axes.is_empty() { 0 } else { combos } > MAX_VARIANTS {
        return Err(InputError::new(
            file,
            "$.grid",
            format!("more than {MAX_VARIANTS} variants"),
        ));
    }
    if !axes.is_empty() {
        for n in 0..combos {
            let mut rest = n;
            let mut params = vec![(String::new(), Value::Null); axes.len()];
            for (j, (k, a)) in axes.iter().enumerate().rev() {
                params[j] = ((*k).clone(), a[rest % a.len()].clone());
                rest /= a.len();
            }
            specs.push((default_name(&params), params));
        }
    }
    if specs.is_empty() {
        return Err(InputError::new(
            file,
            "$",
            "no variant: give a `grid` of parameter values or a list of `variants`",
        ));
    }
    Ok(specs)
}

/// `strategy=idle-first surge=1.2`, or `base` without parameters.
fn default_name(params: &[(String, Value)]) -> String {
    if params.is_empty() {
        return "base".into();
    }
    let parts: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", value_text(v)))
        .collect();
    parts.join(" ")
}

/// A parameter value as text: strings without quotes, the rest as JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A parameter value as a number, for a plot's x axis: a number, or a string such as `"x1.2"`
/// or `"+2"`.
pub fn value_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s
            .trim()
            .trim_start_matches(['x', '+'])
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite()),
        _ => None,
    }
}

const PARAMETERS: &str = "a parameter is `strategy`, `surge`, `staff:<group id>`, `staff` or a JSON path into the scenario such as `$.agent_groups[0].headcount`";

fn check_parameter(file: &str, at: &str, k: &str) -> Result<(), InputError> {
    let ok = k == "strategy"
        || k == "surge"
        || k == "staff"
        || k.strip_prefix("staff:").is_some_and(|g| !g.is_empty())
        || (k.starts_with('$') && parse_path(k).is_ok());
    if ok {
        return Ok(());
    }
    let why = if k.starts_with('$') {
        parse_path(k).err().unwrap_or_default()
    } else {
        format!("unknown parameter `{k}`")
    };
    Err(InputError::new(file, at, format!("{why}: {PARAMETERS}")))
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    /// The list element whose `id` is this.
    Id(String),
}

/// Parses `$.a.b[0].c[some-id]`.
fn parse_path(p: &str) -> Result<Vec<Step>, String> {
    let bad = |why: &str| Err(format!("JSON path `{p}`: {why}"));
    let Some(mut rest) = p.strip_prefix('$') else {
        return bad("must start with `$`");
    };
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                return bad("empty key after `.`");
            }
            steps.push(Step::Key(r[..end].to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else {
                return bad("`[` without `]`");
            };
            let inner = r[..end].trim().trim_matches('"');
            if inner.is_empty() {
                return bad("empty `[]`");
            }
            steps.push(match inner.parse::<usize>() {
                Ok(i) => Step::Index(i),
                Err(_) => Step::Id(inner.to_string()),
            });
            rest = &r[end + 1..];
        } else {
            return bad("expected `.key` or `[index]`");
        }
    }
    if steps.is_empty() {
        return bad("names the whole scenario: give a field, e.g. `$.routing.strategy`");
    }
    Ok(steps)
}

/// Sets `value` at the JSON path `p` of `doc`. The parent must exist; an object's last key is
/// added if missing. The error says which part of the path is missing.
fn set_path(doc: &mut Value, p: &str, value: Value) -> Result<(), String> {
    let steps = parse_path(p)?;
    let (last, parents) = steps.split_last().expect("a path has a step");
    let mut cur = doc;
    let mut at = String::from("$");
    for s in parents {
        cur = step_into(cur, s, &mut at)?;
    }
    match (last, cur) {
        (Step::Key(k), Value::Object(m)) => {
            m.insert(k.clone(), value);
            Ok(())
        }
        (s, cur) => {
            let slot = step_into(cur, s, &mut at)?;
            *slot = value;
            Ok(())
        }
    }
}

fn step_into<'a>(cur: &'a mut Value, s: &Step, at: &mut String) -> Result<&'a mut Value, String> {
    let here = at.clone();
    match s {
        Step::Key(k) => at.push_str(&format!(".{k}")),
        Step::Index(i) => at.push_str(&format!("[{i}]")),
        Step::Id(id) => at.push_str(&format!("[{id}]")),
    }
    match (s, cur) {
        (Step::Key(k), Value::Object(m)) => m
            .get_mut(k)
            .ok_or_else(|| format!("{at} does not exist in the scenario")),
        (Step::Index(i), Value::Array(a)) => {
            let n = a.len();
            a.get_mut(*i).ok_or_else(|| {
                format!("{at} does not exist in the scenario ({here} has {n} elements)")
            })
        }
        (Step::Id(id), Value::Array(a)) => a
            .iter_mut()
            .find(|x| x.get("id").and_then(Value::as_str) == Some(id))
            .ok_or_else(|| format!("{at}: no element of {here} has the id `{id}`")),
        (Step::Key(_), _) => Err(format!("{here} is not an object")),
        (_, _) => Err(format!("{here} is not a list")),
    }
}

/// The scenario a variant starts from.
struct Source<'a> {
    file: &'a str,
    sfile: &'a str,
    sdir: &'a Path,
    json: &'a Value,
    base: &'a Model,
}

impl Source<'_> {
    /// The model of variant `id`: its parameters applied to the scenario's JSON, checked by the
    /// normal input path; errors name the experiment file, the variant and the path.
    fn variant_model(
        &self,
        id: usize,
        name: &str,
        params: &[(String, Value)],
    ) -> Result<Model, InputError> {
        let fail =
            |msg: String| InputError::new(self.file, "", format!("variant {id} `{name}`: {msg}"));
        let mut doc = self.json.clone();
        let mut surge = 1.0;
        for (k, v) in params {
            if k == "surge" {
                surge = match v.as_f64() {
                    Some(f) if f > 0.0 && f <= 1000.0 => f,
                    _ => {
                        return Err(fail(format!(
                            "surge = {v}: must be a volume factor > 0 and <= 1000"
                        )))
                    }
                };
            } else {
                apply(&mut doc, k, v).map_err(|m| fail(format!("{k} = {}: {m}", value_text(v))))?;
            }
        }
        let bytes = serde_json::to_vec_pretty(&doc).expect("JSON serialises");
        let resolved = parse(self.sfile, &bytes)
            .and_then(|raw| resolve(self.sfile, &bytes, &raw, self.sdir))
            .map_err(|e| {
                let mut lines = e.lines().into_iter().map(&fail);
                let mut first = lines.next().expect("an error has a line");
                first.more = lines.collect();
                first
            })?;
        let mut model = resolved.with_surge(surge);
        check_surge(&model, surge).map_err(|m| fail(format!("surge = {surge}: {m}")))?;
        // The run options are the experiment's, the same for every variant (common random
        // numbers); the identity of the scenario is the base file's.
        model.replications = self.base.replications;
        model.seed = self.base.seed;
        model.source = self.base.source.clone();
        Ok(model)
    }
}

/// Applies one parameter (other than `surge`) to the scenario's JSON.
fn apply(doc: &mut Value, k: &str, v: &Value) -> Result<(), String> {
    if k == "strategy" {
        if !v.is_string() {
            return Err("must be a strategy name such as \"idle-first\"".into());
        }
        return set_path(doc, "$.routing.strategy", v.clone()).or_else(|_| {
            let routing = doc
                .as_object_mut()
                .ok_or("the scenario is not an object")?
                .entry("routing")
                .or_insert_with(|| Value::Object(Map::new()));
            routing
                .as_object_mut()
                .ok_or("$.routing is not an object")?
                .insert("strategy".into(), v.clone());
            Ok(())
        });
    }
    if k == "staff" || k.starts_with("staff:") {
        return staff(doc, k.strip_prefix("staff:"), v);
    }
    set_path(doc, k, v.clone())
}

/// A staffing change: `k` added agents (number or `"+k"`) or a factor (`"x1.1"`), applied to
/// the headcount of group `group` (every group when `None`) in every interval.
fn staff(doc: &mut Value, group: Option<&str>, v: &Value) -> Result<(), String> {
    let change: Box<dyn Fn(f64) -> f64> = match v {
        Value::Number(n) => {
            let k = n.as_f64().unwrap_or(f64::NAN);
            Box::new(move |h| h + k)
        }
        Value::String(s) if s.trim().starts_with('x') => {
            match s.trim()[1..].trim().parse::<f64>() {
                Ok(f) if f.is_finite() && f >= 0.0 => Box::new(move |h| (h * f).round()),
                _ => return Err("a factor is written \"x1.1\" (a number >= 0 after x)".into()),
            }
        }
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(k) if k.is_finite() => Box::new(move |h| h + k),
            _ => {
                return Err(
                    "write a number of agents to add (2, -1, \"+2\") or a factor (\"x1.1\")".into(),
                )
            }
        },
        _ => {
            return Err(
                "write a number of agents to add (2, -1, \"+2\") or a factor (\"x1.1\")".into(),
            )
        }
    };
    let groups = doc
        .get_mut("agent_groups")
        .and_then(Value::as_array_mut)
        .ok_or("the scenario has no list `agent_groups`")?;
    let mut found = false;
    for g in groups.iter_mut() {
        if group.is_some_and(|id| g.get("id").and_then(Value::as_str) != Some(id)) {
            continue;
        }
        found = true;
        let h = g
            .get_mut("headcount")
            .ok_or("the group has no `headcount`")?;
        let bump = |x: &Value| -> Value {
            let y = change(x.as_f64().unwrap_or(f64::NAN));
            // Whole agents stay whole numbers; validation judges the result (a negative
            // headcount fails there, with its JSON path).
            serde_json::Number::from_f64(y)
                .map(|n| {
                    if y.fract() == 0.0 && y.abs() < 1e15 {
                        Value::from(y as i64)
                    } else {
                        Value::Number(n)
                    }
                })
                .unwrap_or(Value::Null)
        };
        let new = match &*h {
            Value::Array(a) => Value::Array(a.iter().map(bump).collect()),
            other => bump(other),
        };
        *h = new;
    }
    if !found {
        let ids: Vec<&str> = groups
            .iter()
            .filter_map(|g| g.get("id").and_then(Value::as_str))
            .collect();
        return Err(format!(
            "no agent group `{}`: the scenario's groups are {}",
            group.unwrap_or(""),
            ids.join(", ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_and_set() {
        let mut doc: Value = serde_json::json!({
            "agent_groups": [{"id": "a", "headcount": 3}, {"id": "b", "headcount": [1, 2]}],
            "routing": {"strategy": "skill-first"}
        });
        set_path(&mut doc, "$.agent_groups[0].headcount", 5.into()).unwrap();
        set_path(&mut doc, "$.agent_groups[b].headcount[1]", 7.into()).unwrap();
        set_path(&mut doc, "$.routing.aging_s", 30.into()).unwrap();
        assert_eq!(doc["agent_groups"][0]["headcount"], 5);
        assert_eq!(doc["agent_groups"][1]["headcount"][1], 7);
        assert_eq!(doc["routing"]["aging_s"], 30);
        let e = set_path(&mut doc, "$.agent_groups[4].headcount", 1.into()).unwrap_err();
        assert!(e.contains("$.agent_groups[4] does not exist"), "{e}");
        let e = set_path(&mut doc, "$.nothing.here", 1.into()).unwrap_err();
        assert!(e.contains("$.nothing does not exist"), "{e}");
        assert!(parse_path("agent_groups").is_err());
        assert!(parse_path("$").is_err());
        assert!(parse_path("$.a[").is_err());
    }

    #[test]
    fn staffing_changes_add_or_scale_every_interval() {
        let mut doc: Value = serde_json::json!({
            "agent_groups": [{"id": "a", "headcount": 10}, {"id": "b", "headcount": [4, 5]}]
        });
        staff(&mut doc, Some("b"), &Value::from(2)).unwrap();
        assert_eq!(
            doc["agent_groups"][1]["headcount"],
            serde_json::json!([6, 7])
        );
        staff(&mut doc, None, &Value::from("x1.5")).unwrap();
        assert_eq!(doc["agent_groups"][0]["headcount"], 15);
        assert_eq!(
            doc["agent_groups"][1]["headcount"],
            serde_json::json!([9, 11])
        );
        assert!(staff(&mut doc, Some("zz"), &Value::from(1)).is_err());
        assert!(staff(&mut doc, None, &Value::from("x-1")).is_err());
        assert_eq!(value_number(&Value::from("x1.2")), Some(1.2));
        assert_eq!(value_number(&Value::from("+2")), Some(2.0));
        assert_eq!(value_number(&Value::from(-1)), Some(-1.0));
    }
}
