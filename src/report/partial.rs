//! Partial results: what one shard of a run writes (`acdsim run --shard K/N --partial FILE`,
//! also `compare`) and `acdsim merge` reads back, checks and combines.
//!
//! # File format (version [`FORMAT_VERSION`])
//!
//! One header line, then a JSON body:
//!
//! ```text
//! acdsim-partial 2 sha256=<64 hex digits of the body's SHA-256> bytes=<body length>
//! {"tool_version":"0.1.0","command":"run","args":["run","scenarios/default.json",...],...}
//! ```
//!
//! The header's length and checksum catch a truncated or corrupted file before anything is
//! parsed. The body ([`Partial`]) holds the tool version, the command and its canonical command
//! line (`args`: every option that changes results — scenario files, replications, seed,
//! strategy, service-level formula, confidence, surge factors — and nothing else: no thread
//! count, no output path), the scenario files' content hashes, the seed and replications, the
//! shard `K/N` with its block of replication indices, and the mergeable accumulators: for each
//! paired run of the command, per variant the exact sums and cross-products of every metric
//! slot (ratio numerators and denominators), every row's wait-time histograms per section of
//! the replications (for the pooled quantiles, [`crate::stats::sections`]), goal counters
//! (goal met is a 0/1 metric), and the moments of the paired differences. Sums are exact
//! expansions stored as `f64` bit patterns ([`crate::stats::exact`]), so the size depends on
//! the scenario's rows, not on the replications, and the merge loses nothing.
//!
//! [`merge`] refuses partials of different scenarios, options, commands or versions, a missing
//! shard (naming which), a duplicate one, and a shard whose block or replication count does not
//! add up.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::Model;
use crate::sim::paired::Paired;
use crate::sim::replicate::Accumulator;
use crate::sim::shard::Shard;

/// Version of the partial-result format; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 2;

const MAGIC: &str = "acdsim-partial";

/// A scenario file the shards ran: its path as given and its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioId {
    pub file: String,
    pub hash: String,
}

impl ScenarioId {
    /// The identity of the scenario `model` was loaded from.
    pub fn of(model: &Model) -> ScenarioId {
        ScenarioId {
            file: model.source.clone(),
            hash: model.hash.clone(),
        }
    }
}

/// The body of a partial result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Partial {
    pub tool_version: String,
    /// `run` or `compare`.
    pub command: String,
    /// The canonical command line that produced it (subcommand first), without `--shard`,
    /// `--partial`, `--threads` or output flags: the same for every shard of one run.
    pub args: Vec<String>,
    pub scenarios: Vec<ScenarioId>,
    pub seed: u64,
    /// Replications of the whole run.
    pub replications: u64,
    pub shard: Shard,
    /// The shard's replication indices, `[first, end)`.
    pub first: u64,
    pub end: u64,
    /// One accumulator per paired run of the command (a plain run: one variant, no differences).
    pub state: Vec<Paired>,
}

impl Partial {
    /// The partial result of `shard` of a run of `replications` with `seed`, by this acdsim:
    /// `command` with its canonical command line `args`, the scenarios it read, and the
    /// accumulators of the shard's block.
    pub fn new(
        command: &str,
        args: Vec<String>,
        scenarios: &[&Model],
        (seed, replications): (u64, u64),
        shard: Shard,
        state: Vec<Paired>,
    ) -> Partial {
        let reps = shard.range(replications);
        Partial {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            command: command.to_string(),
            args,
            scenarios: scenarios.iter().map(|m| ScenarioId::of(m)).collect(),
            seed,
            replications,
            shard,
            first: reps.start,
            end: reps.end,
            state,
        }
    }

    /// The file's bytes: header line and JSON body.
    pub fn encode(&self) -> Vec<u8> {
        let body = serde_json::to_vec(self).expect("a partial result serialises");
        let mut out = format!(
            "{MAGIC} {FORMAT_VERSION} sha256={} bytes={}\n",
            sha256_hex(&body),
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(&body);
        out
    }

    /// Reads a partial result file's bytes; `file` names it in errors.
    pub fn decode(file: &str, bytes: &[u8]) -> Result<Partial, String> {
        let nl = bytes.iter().position(|b| *b == b'\n');
        let header = nl.and_then(|i| std::str::from_utf8(&bytes[..i]).ok());
        let Some(header) = header.filter(|h| h.starts_with(MAGIC)) else {
            return Err(format!(
                "{file}: not an acdsim partial result (no `{MAGIC}` header line)"
            ));
        };
        let body = &bytes[nl.unwrap_or(0) + 1..];
        let fields: Vec<&str> = header.split(' ').collect();
        let (version, sha, len) = match fields[..] {
            [_, v, s, l] => (
                v.parse::<u32>().ok(),
                s.strip_prefix("sha256="),
                l.strip_prefix("bytes=")
                    .and_then(|l| l.parse::<usize>().ok()),
            ),
            _ => (None, None, None),
        };
        let (Some(version), Some(sha), Some(len)) = (version, sha, len) else {
            return Err(format!(
                "{file}: corrupted partial result: bad header `{header}`"
            ));
        };
        if version != FORMAT_VERSION {
            return Err(format!(
                "{file}: partial result format {version}, this acdsim reads format {FORMAT_VERSION}: merge with the acdsim version that wrote it"
            ));
        }
        if body.len() < len {
            return Err(format!(
                "{file}: truncated partial result: {} of {len} bytes",
                body.len()
            ));
        }
        if body.len() > len || sha256_hex(body) != sha {
            return Err(format!(
                "{file}: corrupted partial result: the checksum does not match the content"
            ));
        }
        serde_json::from_slice(body).map_err(|e| format!("{file}: corrupted partial result: {e}"))
    }

    /// Checks that the shard's block is the documented one and its accumulators count it.
    fn check_block(&self, file: &str) -> Result<(), String> {
        let r = self.shard.range(self.replications);
        let counted = self.state.iter().all(|p| {
            p.aggregates
                .iter()
                .all(|a| a.replications == r.end - r.start)
        });
        if (self.first, self.end) != (r.start, r.end) || !counted || self.state.is_empty() {
            return Err(format!(
                "{file}: corrupted partial result: shard {} of {} replications must hold replications [{}, {})",
                self.shard, self.replications, r.start, r.end
            ));
        }
        Ok(())
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What two partials of one run must share, with the words for a difference.
fn same_run(a: &Partial, b: &Partial) -> Option<String> {
    let list = |s: &[ScenarioId]| {
        s.iter()
            .map(|x| format!("{} (hash {})", x.file, x.hash))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if a.tool_version != b.tool_version {
        return Some(format!(
            "acdsim versions differ ({} and {})",
            b.tool_version, a.tool_version
        ));
    }
    if a.command != b.command {
        return Some(format!(
            "one is from `acdsim {}`, the other from `acdsim {}`",
            b.command, a.command
        ));
    }
    if a.scenarios != b.scenarios {
        return Some(format!(
            "scenarios differ: {} and {}",
            list(&b.scenarios),
            list(&a.scenarios)
        ));
    }
    if a.args != b.args || a.seed != b.seed || a.replications != b.replications {
        return Some(format!(
            "options differ: `{}` and `{}`",
            b.args.join(" "),
            a.args.join(" ")
        ));
    }
    if a.shard.n != b.shard.n {
        return Some(format!(
            "one is a shard of {}, the other of {}",
            b.shard.n, a.shard.n
        ));
    }
    None
}

/// Merges the partial results of every shard of one run (`(file name, partial)` pairs, in any
/// order) into the partial of the whole run (shard 1/1). The sums are exact, so the result is
/// the single run's, bit for bit. [`Merger`] does the same one file at a time.
pub fn merge(parts: &[(String, Partial)]) -> Result<Partial, String> {
    let mut m = Merger::default();
    for (file, p) in parts {
        m.add(file, p.clone())?;
    }
    m.finish()
}

/// Merges partial results one at a time, so that memory holds one file and the running sums,
/// however many shards there are.
#[derive(Debug, Default)]
pub struct Merger {
    /// The first partial's file and its description (accumulators taken out).
    first: Option<(String, Partial)>,
    /// The file of each shard index seen.
    files: BTreeMap<u64, String>,
    state: Vec<Paired>,
}

impl Merger {
    /// Checks the partial of `file` against those before it and adds its accumulators.
    pub fn add(&mut self, file: &str, mut p: Partial) -> Result<(), String> {
        p.check_block(file)?;
        let state = std::mem::take(&mut p.state);
        let (first_file, first) = self.first.get_or_insert_with(|| {
            let fresh = state.iter().map(|s| s.fresh()).collect();
            (
                file.to_string(),
                Partial {
                    state: fresh,
                    ..p.clone()
                },
            )
        });
        if let Some(why) = same_run(first, &p) {
            return Err(format!(
                "{file} and {first_file} are not shards of the same run: {why}"
            ));
        }
        if let Some(other) = self.files.get(&p.shard.k) {
            return Err(format!(
                "{file} and {other} are both shard {}: give each shard once",
                p.shard
            ));
        }
        if self.state.is_empty() {
            self.state = std::mem::take(&mut first.state);
        }
        if state.len() != self.state.len()
            || state
                .iter()
                .zip(&self.state)
                .any(|(a, b)| !same_shape(a, b))
        {
            return Err(format!(
                "{file}: corrupted partial result: its accumulators do not match {first_file}'s"
            ));
        }
        for (acc, s) in self.state.iter_mut().zip(&state) {
            acc.merge(s);
        }
        self.files.insert(p.shard.k, file.to_string());
        Ok(())
    }

    /// The merged partial of the whole run, once every shard was added.
    pub fn finish(self) -> Result<Partial, String> {
        let (_, first) = self.first.ok_or("no partial result to merge")?;
        let n = first.shard.n;
        if self.files.len() as u64 != n {
            let missing: Vec<String> = (1..=n)
                .filter(|k| !self.files.contains_key(k))
                .take(20)
                .map(|k| k.to_string())
                .collect();
            let more = n - self.files.len() as u64 > missing.len() as u64;
            return Err(format!(
                "missing shard{} {}{} of {n}: every shard K/N from 1/{n} to {n}/{n} must be merged",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", "),
                if more { ", ..." } else { "" }
            ));
        }
        Ok(Partial {
            shard: Shard::WHOLE,
            first: 0,
            end: first.replications,
            state: self.state,
            ..first
        })
    }
}

/// Whether two accumulators have the same variants and slots.
fn same_shape(a: &Paired, b: &Paired) -> bool {
    a.aggregates.len() == b.aggregates.len()
        && a.diffs.len() == b.diffs.len()
        && a.aggregates
            .iter()
            .zip(&b.aggregates)
            .all(|(x, y)| x.moments.len() == y.moments.len() && x.waits.len() == y.waits.len())
        && a.diffs
            .iter()
            .zip(&b.diffs)
            .all(|(x, y)| x.len() == y.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{section_of, Aggregate, Moments, RatioMoments, WaitSections};

    fn part(k: u64, n: u64, reps: u64) -> Partial {
        let r = Shard { k, n }.range(reps);
        let mut agg = Aggregate {
            replications: 0,
            moments: vec![RatioMoments::default(); 3],
            waits: vec![WaitSections::default(); 2],
        };
        for rep in r.clone() {
            agg.replications += 1;
            agg.moments[0].push(rep as f64 * 0.1, 1.0);
            let h = [(rep % 3) as u32, 1, 0, 2];
            agg.waits[1].push(section_of(rep, reps), &h[..1 + rep as usize % 4], 0);
        }
        let mut d = Moments::default();
        d.push(k as f64);
        Partial {
            tool_version: "0.1.0".into(),
            command: "run".into(),
            args: vec!["run".into(), "s.json".into()],
            scenarios: vec![ScenarioId {
                file: "s.json".into(),
                hash: "abc".into(),
            }],
            seed: 1,
            replications: reps,
            shard: Shard { k, n },
            first: r.start,
            end: r.end,
            state: vec![Paired {
                aggregates: vec![agg],
                diffs: vec![vec![d]],
            }],
        }
    }

    fn named(ps: Vec<Partial>) -> Vec<(String, Partial)> {
        ps.into_iter()
            .map(|p| (format!("s{}.partial", p.shard.k), p))
            .collect()
    }

    #[test]
    fn round_trips_and_catches_truncation_and_corruption() {
        let p = part(2, 3, 10);
        let bytes = p.encode();
        let back = Partial::decode("f", &bytes).unwrap();
        assert_eq!(
            serde_json::to_vec(&back).unwrap(),
            serde_json::to_vec(&p).unwrap()
        );
        let e = Partial::decode("f", &bytes[..bytes.len() - 5]).unwrap_err();
        assert!(e.contains("truncated"), "{e}");
        let mut bad = bytes.clone();
        let i = bad.len() - 10;
        bad[i] ^= 1;
        let e = Partial::decode("f", &bad).unwrap_err();
        assert!(e.contains("checksum"), "{e}");
        let e = Partial::decode("f", b"{\"json\": 1}\n").unwrap_err();
        assert!(e.contains("not an acdsim partial"), "{e}");
        let v2 = String::from_utf8(bytes)
            .unwrap()
            .replacen(" 2 sha256", " 3 sha256", 1);
        let e = Partial::decode("f", v2.as_bytes()).unwrap_err();
        assert!(e.contains("format 3"), "{e}");
    }

    #[test]
    fn merges_in_any_order_to_the_whole() {
        let whole = merge(&named(vec![part(1, 1, 10)])).unwrap();
        let m = merge(&named(vec![part(3, 3, 10), part(1, 3, 10), part(2, 3, 10)])).unwrap();
        assert_eq!(m.shard, Shard::WHOLE);
        let a = &m.state[0].aggregates[0];
        assert_eq!(a.replications, 10);
        assert_eq!(a.waits, whole.state[0].aggregates[0].waits);
        let e = a.moments[0].interval(0.95);
        let w = whole.state[0].aggregates[0].moments[0].interval(0.95);
        assert_eq!(
            (e.mean.to_bits(), e.half_width.to_bits()),
            (w.mean.to_bits(), w.half_width.to_bits())
        );
    }

    #[test]
    fn refuses_missing_duplicate_and_foreign_shards() {
        let e = merge(&named(vec![part(1, 4, 10), part(3, 4, 10)])).unwrap_err();
        assert!(e.contains("missing shards 2, 4 of 4"), "{e}");
        let mut dup = named(vec![part(1, 2, 10), part(2, 2, 10)]);
        dup.push(("again.partial".into(), part(2, 2, 10)));
        let e = merge(&dup).unwrap_err();
        assert!(
            e.contains("again.partial and s2.partial are both shard 2/2"),
            "{e}"
        );
        let mut other = part(2, 2, 10);
        other.scenarios[0].hash = "def".into();
        let e = merge(&named(vec![part(1, 2, 10), other])).unwrap_err();
        assert!(e.contains("scenarios differ"), "{e}");
        let mut other = part(2, 2, 10);
        other.args.push("--seed".into());
        let e = merge(&named(vec![part(1, 2, 10), other])).unwrap_err();
        assert!(e.contains("options differ"), "{e}");
        let mut other = part(2, 2, 10);
        other.command = "compare".into();
        let e = merge(&named(vec![part(1, 2, 10), other])).unwrap_err();
        assert!(e.contains("acdsim compare"), "{e}");
        let mut other = part(2, 2, 10);
        other.tool_version = "9.9.9".into();
        let e = merge(&named(vec![part(1, 2, 10), other])).unwrap_err();
        assert!(e.contains("versions differ"), "{e}");
        let e = merge(&named(vec![part(1, 2, 10), part(2, 3, 10)])).unwrap_err();
        assert!(e.contains("shard of"), "{e}");
        let mut short = part(2, 2, 10);
        short.state[0].aggregates[0].replications -= 1;
        let e = merge(&named(vec![part(1, 2, 10), short])).unwrap_err();
        assert!(e.contains("must hold replications [5, 10)"), "{e}");
    }
}
