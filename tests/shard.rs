//! Shards and their merge: `acdsim run|compare --shard K/N --partial FILE` then `acdsim merge`
//! must give the single run's JSON and CSV byte for byte, for any number of shards, any thread
//! count on each and any order of the partials; and merge must refuse, with exit status 2 and a
//! message saying why, whatever is not the complete set of shards of one run.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn acdsim() -> Command {
    let mut c = Command::cargo_bin("acdsim").unwrap();
    c.env_remove("RAYON_NUM_THREADS");
    c
}

/// Runs `acdsim <args>` and expects exit status 0.
fn ok<A: AsRef<std::ffi::OsStr>>(args: &[A]) {
    acdsim().args(args).assert().success();
}

/// Runs `acdsim <args>`: exit status 2, no panic, stderr holding each of `parts`.
fn refused<A: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[A], parts: &[&str]) {
    let out = acdsim().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for p in parts {
        assert!(err.contains(p), "{args:?}: `{p}` not in: {err}");
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs the `n` shards of `base` (a command line without --shard), with 1 or 2 threads in turn,
/// and returns their partial files, last shard first.
fn shards(dir: &Path, tag: &str, base: &[&str], n: u64) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for k in 1..=n {
        let f = dir.join(format!("{tag}-{k}-of-{n}.partial"));
        let (shard, threads) = (format!("{k}/{n}"), (1 + k % 2).to_string());
        let mut args = base.to_vec();
        args.extend(["--shard", &shard, "--partial", s(&f), "--threads", &threads]);
        ok(&args);
        files.push(f);
    }
    files.reverse();
    files
}

/// `acdsim merge FILES... extra...`.
fn merge(files: &[PathBuf], extra: &[&str]) {
    let mut args = vec!["merge"];
    args.extend(files.iter().map(|f| s(f)));
    args.extend(extra);
    ok(&args);
}

fn same_files(a: &Path, b: &Path) {
    assert_eq!(
        fs::read(a).unwrap(),
        fs::read(b).unwrap(),
        "{a:?} and {b:?} differ"
    );
}

fn same_dirs(a: &Path, b: &Path) {
    let mut names: Vec<_> = fs::read_dir(a)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for n in names {
        same_files(&a.join(&n), &b.join(&n));
    }
}

#[test]
fn merged_shards_give_the_single_runs_json_and_csv() {
    let t = TempDir::new().unwrap();
    let d = t.path();
    let base = ["run", "scenarios/default.json", "-n", "40", "--seed", "11"];
    let mut single = base.to_vec();
    let (json, csv, plots) = (d.join("single.json"), d.join("single-csv"), d.join("plots"));
    single.extend([
        "--json",
        s(&json),
        "--csv",
        s(&csv),
        "--plots",
        s(&plots),
        "-q",
    ]);
    single.extend(["--threads", "2"]);
    ok(&single);
    for n in [1, 2, 3, 7] {
        let files = shards(d, "default", &base, n);
        let (mj, mc) = (d.join(format!("m{n}.json")), d.join(format!("m{n}-csv")));
        let mp = d.join(format!("m{n}-plots"));
        let mut extra = vec!["--json", s(&mj), "--csv", s(&mc), "-q"];
        if n == 3 {
            extra.extend(["--plots", s(&mp)]);
        }
        merge(&files, &extra);
        same_files(&json, &mj);
        same_dirs(&csv, &mc);
        if n == 3 {
            same_dirs(&plots, &mp);
        }
    }
}

#[test]
fn merged_playbook_run_with_every_option_is_the_single_run() {
    // A surge playbook (paired with and without it) and every option that changes results.
    let t = TempDir::new().unwrap();
    let d = t.path();
    let base = [
        "run",
        "scenarios/surge-playbook.json",
        "-n",
        "13",
        "--surge",
        "1.2",
        "--strategy",
        "idle-first",
        "--sl-formula",
        "answered",
        "--confidence",
        "0.9",
    ];
    let mut single = base.to_vec();
    let (json, csv) = (d.join("single.json"), d.join("single-csv"));
    single.extend(["--json", s(&json), "--csv", s(&csv), "-q"]);
    ok(&single);
    let files = shards(d, "surge", &base, 3);
    let (mj, mc) = (d.join("m.json"), d.join("m-csv"));
    merge(&files, &["--json", s(&mj), "--csv", s(&mc), "-q"]);
    same_files(&json, &mj);
    same_dirs(&csv, &mc);
}

#[test]
fn merged_comparison_is_the_single_comparison() {
    let t = TempDir::new().unwrap();
    let d = t.path();
    let base = [
        "compare",
        "scenarios/default.json",
        "--strategies",
        "skill-first,idle-first",
        "--surge",
        "1.0,1.2",
        "-n",
        "12",
    ];
    let mut single = base.to_vec();
    let (json, md) = (d.join("single.json"), d.join("single.md"));
    single.extend(["--json", s(&json), "--markdown", s(&md), "-q"]);
    ok(&single);
    let files = shards(d, "cmp", &base, 3);
    let (mj, mm) = (d.join("m.json"), d.join("m.md"));
    merge(&files, &["--json", s(&mj), "--markdown", s(&mm), "-q"]);
    same_files(&json, &mj);
    same_files(&md, &mm);
    // A comparison's partials have no CSV report, a run's no Markdown.
    let mut args = vec!["merge"];
    args.extend(files.iter().map(|f| s(f)));
    let x = d.join("x");
    args.extend(["--csv", s(&x)]);
    refused(&args, &["--csv is for the partials of `acdsim run`"]);
}

#[test]
fn merge_refuses_what_is_not_one_complete_run() {
    let t = TempDir::new().unwrap();
    let d = t.path();
    let base = ["run", "scenarios/mmc-5.json", "-n", "20"];
    let files = shards(d, "mmc", &base, 4);
    let all: Vec<&str> = files.iter().map(|f| s(f)).collect();
    let out = d.join("out.json");
    let out_s = s(&out).to_string();
    let with = |extra: &[&str]| -> Vec<String> {
        let mut a = vec!["merge".to_string()];
        a.extend(extra.iter().map(|x| x.to_string()));
        a.extend(["--json".to_string(), out_s.clone()]);
        a
    };
    // A missing shard, named.
    refused(&with(&[all[0], all[1], all[3]]), &["missing shard 2 of 4"]);
    // A duplicate.
    refused(
        &with(&[all[0], all[1], all[2], all[3], all[1]]),
        &["both shard 3/4"],
    );
    // Truncated and corrupted files.
    let cut = d.join("cut.partial");
    let bytes = fs::read(&files[0]).unwrap();
    fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    refused(
        &with(&[all[1], all[2], all[3], s(&cut)]),
        &["cut.partial", "truncated"],
    );
    let flip = d.join("flip.partial");
    let mut bad = bytes.clone();
    let i = bad.len() - 100;
    bad[i] = if bad[i] == b'1' { b'2' } else { b'1' };
    fs::write(&flip, &bad).unwrap();
    refused(
        &with(&[all[1], all[2], all[3], s(&flip)]),
        &["flip.partial", "checksum"],
    );
    refused(
        &with(&["scenarios/mmc-5.json"]),
        &["not an acdsim partial result"],
    );
    // Other options, another scenario, another command.
    let seed = shards(
        d,
        "seed",
        &["run", "scenarios/mmc-5.json", "-n", "20", "--seed", "9"],
        4,
    );
    refused(
        &with(&[all[0], all[1], all[2], s(&seed[0])]),
        &["options differ", "--seed 9"],
    );
    let other = shards(d, "erl", &["run", "scenarios/erlang-a.json", "-n", "20"], 4);
    refused(
        &with(&[all[0], all[1], all[2], s(&other[0])]),
        &["scenarios differ"],
    );
    let cmp = shards(
        d,
        "cmp",
        &[
            "compare",
            "scenarios/mmc-5.json",
            "--surge",
            "1,1.1",
            "-n",
            "20",
        ],
        4,
    );
    refused(
        &with(&[all[0], all[1], all[2], s(&cmp[0])]),
        &["`acdsim compare`", "`acdsim run`"],
    );
    refused(
        &with(&[all[0], all[1], all[2], all[3], "--markdown", "x.md"]),
        &["--markdown is for"],
    );
    ok(&with(&all));
    assert!(out.exists());
    // No report without every shard, and a shard writes no report.
    assert!(!d.join("never.json").exists());
    refused(
        &["run", "scenarios/mmc-5.json", "--shard", "1/2"],
        &["--shard needs --partial"],
    );
    let p = d.join("p.partial");
    refused(
        &[
            "run",
            "scenarios/mmc-5.json",
            "--shard",
            "1/2",
            "--partial",
            s(&p),
            "--json",
            s(&out),
        ],
        &["--json with --partial"],
    );
    refused(
        &[
            "run",
            "scenarios/mmc-5.json",
            "--shard",
            "3/2",
            "--partial",
            s(&p),
        ],
        &["3/2"],
    );
    assert!(!p.exists());
}

#[test]
fn merge_refuses_a_scenario_changed_since_the_shards_ran() {
    let t = TempDir::new().unwrap();
    let d = t.path();
    let scen = d.join("s.json");
    fs::copy("scenarios/mmc-5.json", &scen).unwrap();
    let files = shards(d, "s", &["run", s(&scen), "-n", "6"], 2);
    let mut text = fs::read_to_string(&scen).unwrap();
    text.push('\n');
    fs::write(&scen, text).unwrap();
    refused(
        &["merge", s(&files[0]), s(&files[1])],
        &["s.json", "changed since the shards ran"],
    );
}

#[test]
fn partial_size_does_not_grow_with_replications() {
    let t = TempDir::new().unwrap();
    let d = t.path();
    let size = |n: &str| {
        let p = d.join(format!("{n}.partial"));
        ok(&["run", "scenarios/mmc-5.json", "-n", n, "--partial", s(&p)]);
        fs::metadata(&p).unwrap().len()
    };
    let (small, mid, large) = (size("100"), size("1000"), size("10000"));
    // The same slots; the sums' bit patterns and the wait histograms' counts (a few more bins
    // reached in the tail, a digit more per bin every tenfold) grow with the logarithm of the
    // replications, bounded by the bins of each row and section. Anything kept per replication
    // would grow tenfold from the second step to the third.
    assert!(
        large - mid <= 2 * (mid - small) + small / 10,
        "{small} bytes at 100, {mid} at 1,000, {large} at 10,000"
    );
    acdsim()
        .args([
            "run",
            "scenarios/mmc-5.json",
            "-n",
            "5",
            "--partial",
            s(&d.join("q.partial")),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "shard 1/1: replications 0..5 of 5",
        ));
}
