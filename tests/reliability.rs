//! Reliability regressions (issue 18): every scenario that validation accepts runs in bounded
//! time and memory or is refused before it runs, with exit status 2 and a message naming the
//! file and the cause. One test per finding of the fuzzing and fault campaign, named after it.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::{json, Value};
use tempfile::TempDir;

const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");

/// The M/M/5 scenario (one channel, one group), as JSON.
fn mmc5() -> Value {
    let p = Path::new(SCENARIOS).join("mmc-5.json");
    serde_json::from_slice(&fs::read(p).unwrap()).unwrap()
}

fn acdsim() -> Command {
    let mut c = Command::cargo_bin("acdsim").unwrap();
    c.env("RAYON_NUM_THREADS", "2");
    c
}

fn write_json(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p
}

/// Runs `acdsim <args>` (at most `limit`) and checks exit status 2, no panic or abort, and
/// that stderr holds each of `parts`. Returns stderr.
fn fails_within(args: &[&str], parts: &[&str], limit: Duration) -> String {
    let t0 = Instant::now();
    let out = acdsim().args(args).timeout(limit).output().unwrap();
    let took = t0.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(2),
        "args {args:?}: expected exit 2 within {limit:?} (took {took:?})\nstderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "panic for {args:?}: {stderr}");
    for p in parts {
        assert!(
            stderr.contains(p),
            "args {args:?}: stderr lacks {p:?}\nstderr: {stderr}"
        );
    }
    stderr
}

fn fails_with(args: &[&str], parts: &[&str]) -> String {
    fails_within(args, parts, Duration::from_secs(30))
}

/// `validate` and `run` both refuse the scenario `v`, naming the file, `loc` and `problem`.
fn refused(v: &Value, loc: &str, problem: &str) {
    let dir = TempDir::new().unwrap();
    let p = write_json(dir.path(), "s.json", v);
    let file = p.display().to_string();
    for cmd in ["validate", "run"] {
        let e = fails_with(&[cmd, &file], &[&file, loc, problem]);
        assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
    }
}

fn with_handle_time(d: Value) -> Value {
    let mut v = mmc5();
    v["channels"][0]["types"][0]["handle_time"] = d;
    v
}

// ----- 1. Panic on a valid scenario

#[test]
fn gamma_handle_time_whose_draws_overflow_is_refused_at_validation() {
    let loc = "$.channels[0].types[0].handle_time.mean";
    for (mean, cv) in [(1e305, 100.0), (1.7e308, 50.0)] {
        let v = with_handle_time(json!({"type": "gamma", "mean": mean, "cv": cv}));
        refused(&v, loc, "at most 10000000 seconds");
    }
    // Every other time a distribution is given is bounded the same way.
    let cases = [
        (json!({"type": "exponential", "mean": 1e300}), "mean"),
        (json!({"type": "lognormal", "mean": 1e300, "cv": 1}), "mean"),
        (json!({"type": "deterministic", "value": 1e300}), "value"),
        (json!({"type": "uniform", "min": 0, "max": 1e300}), "max"),
        (json!({"type": "empirical", "values": [1, 1e300]}), "values"),
    ];
    for (d, field) in cases {
        let loc = format!("$.channels[0].types[0].handle_time.{field}");
        refused(&with_handle_time(d), &loc, "at most");
    }
    // And the factors a handle time is multiplied by.
    let mut v = mmc5();
    v["channels"][0]["segments"][0]["handle_time_factor"] = json!(1e300);
    refused(
        &v,
        "$.channels[0].segments[0].handle_time_factor",
        "at most 1000",
    );
    let mut v = mmc5();
    v["proficiency"] = json!({"normal": [1, 1, 1e300, 1, 1]});
    refused(&v, "$.proficiency.normal[2]", "at most 1000");
}

#[test]
fn gamma_handle_time_at_the_limits_runs_to_completion() {
    // The largest accepted parameters: heavy-tailed draws of up to about 10^12 s, which the
    // engine must carry without a panic, and the table must show without 301-digit numbers.
    let mut v = with_handle_time(json!({"type": "gamma", "mean": 1e7, "cv": 100}));
    v["channels"][0]["segments"][0]["handle_time_factor"] = json!(1000);
    v["proficiency"] = json!({"normal": [1000, 1000, 1000, 1000, 1000]});
    let dir = TempDir::new().unwrap();
    let p = write_json(dir.path(), "s.json", &v);
    let out = acdsim()
        .args(["run", p.to_str().unwrap(), "-n", "20"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(!table.contains("inf"), "{table}");
    for word in table.split_whitespace() {
        let digits = word.chars().take_while(|c| c.is_ascii_digit()).count();
        assert!(digits <= 9, "`{word}` in the table:\n{table}");
    }
}

// ----- 2. Unbounded time

#[test]
fn warmup_without_upper_bound_is_refused() {
    let mut v = mmc5();
    v["day"]["warmup_minutes"] = json!(1e9);
    refused(&v, "$.day.warmup_minutes", "at most 1440 minutes");
    v["day"]["warmup_minutes"] = json!(1440);
    let dir = TempDir::new().unwrap();
    let p = write_json(dir.path(), "s.json", &v);
    acdsim()
        .args(["validate", p.to_str().unwrap()])
        .assert()
        .success();
}

#[test]
fn replications_without_upper_bound_are_refused() {
    let dir = TempDir::new().unwrap();
    let p = write_json(dir.path(), "s.json", &mmc5());
    let file = p.to_str().unwrap();
    for n in ["1000000000", "18446744073709551615"] {
        fails_with(
            &["run", file, "--replications", n],
            &[file, "--replications", "at most 1000000 replications"],
        );
    }
    let mut v = mmc5();
    v["replications"] = json!(1_000_000_000u64);
    refused(&v, "$.replications", "at most 1000000 replications");
}

#[test]
fn threads_without_upper_bound_are_refused_naming_threads() {
    let dir = TempDir::new().unwrap();
    let p = write_json(dir.path(), "s.json", &mmc5());
    fails_within(
        &[
            "run",
            p.to_str().unwrap(),
            "-n",
            "2",
            "--threads",
            "1000000",
        ],
        &["--threads", "at most 1024"],
        Duration::from_secs(5),
    );
}

// ----- 3. Unbounded memory

#[test]
fn surge_past_the_contacts_per_interval_cap_is_refused() {
    let mut v = mmc5();
    v["channels"][0]["volume"] = json!(2000);
    let dir = TempDir::new().unwrap();
    let p = write_json(dir.path(), "s.json", &v);
    let file = p.to_str().unwrap();
    let parts = [file, "--surge", "channel `phone`", "interval 08:00", "10^6"];
    fails_with(&["run", file, "--surge", "1000", "-n", "2"], &parts);
    fails_with(&["staff", file, "--surge", "1000", "-n", "2"], &parts);
    fails_with(&["compare", file, "--surge", "1,1000", "-n", "2"], &parts);
    // volume_multiplier and --surge together.
    v["volume_multiplier"] = json!(10);
    v["channels"][0]["volume"] = json!(2000);
    let p = write_json(dir.path(), "m.json", &v);
    let file = p.to_str().unwrap();
    fails_with(
        &["run", file, "--surge", "100", "-n", "2"],
        &[file, "--surge"],
    );
}

#[test]
fn ten_thousand_channels_by_96_intervals_is_refused_before_running() {
    let mut v = mmc5();
    v["day"] = json!({"open": "00:00", "interval_minutes": 15, "intervals": 96});
    let ch = v["channels"][0].clone();
    v["channels"] = Value::Array(
        (0..10_000)
            .map(|i| {
                let mut c = ch.clone();
                c["id"] = json!(format!("c{i}"));
                c
            })
            .collect(),
    );
    refused(&v, "$.channels", "at most 10000 channel-intervals");
}

#[test]
fn too_many_classes_cells_or_agents_are_refused() {
    // 101 types x 50 segments = 5,050 classes on one channel.
    let mut v = mmc5();
    let types: Vec<Value> = (0..101)
        .map(|i| json!({"id": format!("t{i}"), "share": if i == 0 { 1.0 } else { 0.0 }, "skills": ["phone"], "handle_time": {"type": "exponential", "mean": 240}}))
        .collect();
    let segs: Vec<Value> = (0..50)
        .map(|i| json!({"id": format!("s{i}"), "share": if i == 0 { 1.0 } else { 0.0 }, "patience": {"type": "never"}}))
        .collect();
    v["channels"][0]["types"] = Value::Array(types);
    v["channels"][0]["segments"] = Value::Array(segs);
    refused(&v, "$.channels", "at most 5000");
    let mut v = mmc5();
    let g = v["agent_groups"][0].clone();
    v["agent_groups"] = Value::Array(
        (0..11)
            .map(|i| {
                let mut x = g.clone();
                x["id"] = json!(format!("g{i}"));
                x["headcount"] = json!(100_000);
                x
            })
            .collect(),
    );
    refused(&v, "$.agent_groups", "at most 1000000");
}

#[test]
fn dev_zero_as_scenario_or_forecast_fails_fast() {
    if !Path::new("/dev/zero").exists() {
        eprintln!("skipped: no /dev/zero");
        return;
    }
    let fast = Duration::from_secs(10);
    for cmd in ["validate", "run"] {
        fails_within(
            &[cmd, "/dev/zero"],
            &["/dev/zero", "larger than 64 MiB"],
            fast,
        );
    }
    let mut v = mmc5();
    v["channels"][0].as_object_mut().unwrap().remove("volume");
    v["forecast_csv"] = json!("/dev/zero");
    let dir = TempDir::new().unwrap();
    let p = write_json(dir.path(), "s.json", &v);
    fails_within(
        &["validate", p.to_str().unwrap()],
        &["$.forecast_csv", "/dev/zero", "larger than 64 MiB"],
        fast,
    );
}

#[test]
fn huge_empirical_distribution_is_refused_and_a_long_one_is_fast() {
    let values = |n: usize| json!({"type": "empirical", "values": (0..n).map(|i| (i % 600) as f64).collect::<Vec<_>>()});
    refused(
        &with_handle_time(values(100_001)),
        "$.channels[0].types[0].handle_time.values",
        "at most 100000 values",
    );
    // The longest accepted list draws by binary search: within a few times a short one.
    let dir = TempDir::new().unwrap();
    let time = |n: usize| {
        let mut v = with_handle_time(values(n));
        v["day"]["warmup_minutes"] = json!(0);
        v["channels"][0]["volume"] = json!(20_000);
        v["agent_groups"][0]["headcount"] = json!(2000);
        let p = write_json(dir.path(), &format!("e{n}.json"), &v);
        let t0 = Instant::now();
        acdsim()
            .args(["run", p.to_str().unwrap(), "-n", "8", "-q"])
            .timeout(Duration::from_secs(120))
            .assert()
            .success();
        t0.elapsed()
    };
    let (short, long) = (time(600), time(100_000));
    assert!(
        long < short * 4 + Duration::from_secs(2),
        "100,000 values took {long:?}, 600 values {short:?}"
    );
}

// ----- 6. Messages

#[test]
fn messages_name_no_rust_internals() {
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut v = mmc5();
                v["agent_groups"][0]["headcount"] = json!("five");
                v
            },
            "$.agent_groups[0].headcount",
        ),
        (
            {
                let mut v = mmc5();
                v["channels"][0]["volume"] = json!({"a": 1});
                v
            },
            "$.channels[0].volume",
        ),
        (
            {
                let mut v = mmc5();
                v["day"] = json!(3);
                v
            },
            "$.day",
        ),
        (
            {
                let mut v = mmc5();
                v["day"]["intervals"] = json!(-1);
                v
            },
            "$.day.intervals",
        ),
        (
            {
                let mut v = mmc5();
                v["agent_groups"][0]["skills"]["phone"] = json!(300);
                v
            },
            "$.agent_groups[0].skills.phone",
        ),
        (
            {
                let mut v = mmc5();
                v["channels"][0]["types"][0]["handle_time"] = json!(5);
                v
            },
            "$.channels[0].types[0].handle_time",
        ),
    ];
    let dir = TempDir::new().unwrap();
    for (v, loc) in cases {
        let p = write_json(dir.path(), "s.json", &v);
        let e = fails_with(&["validate", p.to_str().unwrap()], &[loc]);
        for internal in [
            "untagged", "enum ", "struct ", "File", " u8", " u32", " u64", " f64",
        ] {
            assert!(!e.contains(internal), "`{internal}` in: {e}");
        }
    }
}

#[test]
fn missing_forecast_row_names_the_file_and_line() {
    let dir = TempDir::new().unwrap();
    let csv = dir.path().join("f.csv");
    fs::write(
        &csv,
        "channel,interval_start,offered\nphone,08:00,60\nphone,09:00,60\n",
    )
    .unwrap();
    let mut v = mmc5();
    v["channels"][0].as_object_mut().unwrap().remove("volume");
    v["forecast_csv"] = json!("f.csv");
    let p = write_json(dir.path(), "s.json", &v);
    let csv = csv.display().to_string();
    fails_with(
        &["validate", p.to_str().unwrap()],
        &[
            &format!("{csv}: line 3: no row for channel `phone` interval 10:00"),
            "end of the file",
        ],
    );
}

// ----- 3. Unbounded memory: the engine's queue guard

/// 96 intervals of 10^6 contacts and no agents: the queue grows by 10^6 an interval.
fn no_agents(patience: Value, intervals: u32) -> Value {
    let mut v = mmc5();
    v["day"] = json!({"open": "00:00", "interval_minutes": 15, "intervals": intervals});
    v["channels"][0]["volume"] = json!(1e6);
    v["channels"][0]["segments"][0]["patience"] = patience;
    v["agent_groups"][0]["headcount"] = json!(0);
    v
}

#[test]
fn queue_without_agents_stops_with_exit_2_naming_channel_and_interval() {
    let dir = TempDir::new().unwrap();
    let p = write_json(
        dir.path(),
        "s.json",
        &no_agents(json!({"type": "never"}), 96),
    );
    let file = p.to_str().unwrap();
    let e = fails_within(
        &["run", file, "-n", "4"],
        &[
            file,
            "phone's queue passed 4194304 waiting contacts",
            "in interval 01:00",
            "the offered load exceeds the agents",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
    // Every command that simulates stops the same way.
    fails_within(
        &[
            "check",
            file,
            "-n",
            "4",
            "--require",
            "phone.service_level >= 0.5",
        ],
        &["phone's queue passed"],
        Duration::from_secs(60),
    );
}

#[test]
fn queue_of_contacts_that_abandon_does_not_trip_the_guard() {
    // With finite patience the queue holds mostly contacts that already abandoned: the guard
    // counts and drops them when the queues are full, and the run completes.
    let dir = TempDir::new().unwrap();
    let v = no_agents(json!({"type": "exponential", "mean": 60}), 24);
    let p = write_json(dir.path(), "s.json", &v);
    let out = acdsim()
        .args(["run", p.to_str().unwrap(), "-n", "1", "-q"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

// ----- 4 and 5. Output paths: nothing acdsim did not create is replaced; all or nothing

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A quick run of the M/M/5 scenario (written to `dir`) with extra arguments.
fn quick(dir: &Path, extra: &[&str]) -> std::process::Output {
    let p = write_json(dir, "s.json", &mmc5());
    acdsim()
        .args(["run", p.to_str().unwrap(), "-n", "4"])
        .args(extra)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap()
}

fn file_type(p: &str) -> fs::FileType {
    fs::symlink_metadata(p).unwrap().file_type()
}

/// The names in `dir` that look like acdsim's temporary files.
fn temps_in(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".acdsim-") || n.contains(".tmp"))
        .collect()
}

#[test]
fn json_to_a_character_device_writes_in_place_and_keeps_the_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = TempDir::new().unwrap();
    // /dev/null takes the report: exit 0, still a device.
    let out = quick(dir.path(), &["-q", "--json", "/dev/null"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(file_type("/dev/null").is_char_device());
    // /dev/full refuses it: exit 2 naming the cause, and (as root too) still a device.
    if Path::new("/dev/full").exists() {
        let out = quick(dir.path(), &["-q", "--json", "/dev/full"]);
        let e = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{e}");
        assert!(
            e.contains("/dev/full") && e.contains("No space left"),
            "{e}"
        );
        assert!(
            file_type("/dev/full").is_char_device(),
            "/dev/full replaced"
        );
    }
}

#[test]
fn json_to_a_fifo_writes_in_place_and_keeps_the_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let dir = TempDir::new().unwrap();
    let fifo = dir.path().join("pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid path; mkfifo creates the node or fails.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(fifo).unwrap())
    };
    let out = quick(dir.path(), &["-q", "--json", fifo.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let got: Value = serde_json::from_slice(&reader.join().unwrap()).unwrap();
    assert_eq!(got["replications"], 4);
    assert!(file_type(fifo.to_str().unwrap()).is_fifo(), "FIFO replaced");
}

#[test]
fn json_through_a_symlink_writes_the_target_and_keeps_the_link() {
    let dir = TempDir::new().unwrap();
    let target = dir.path().join("real.json");
    fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("real.json", &link).unwrap();
    let out = quick(dir.path(), &["-q", "--json", link.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        file_type(link.to_str().unwrap()).is_symlink(),
        "link replaced"
    );
    let got: Value = serde_json::from_slice(&fs::read(&target).unwrap()).unwrap();
    assert_eq!(got["replications"], 4);
    assert!(temps_in(dir.path()).is_empty());
}

#[test]
fn json_dash_is_standard_output() {
    let dir = TempDir::new().unwrap();
    let out = quick(dir.path(), &["--json", "-"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // Only the JSON (no table after it).
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["replications"], 4);
    assert!(!dir.path().join("-").exists());
}

#[test]
fn output_naming_an_input_is_refused_before_simulating() {
    let dir = TempDir::new().unwrap();
    let p = write_json(dir.path(), "s.json", &mmc5());
    let before = fs::read(&p).unwrap();
    let file = p.to_str().unwrap();
    let link = dir.path().join("alias.json");
    std::os::unix::fs::symlink(&p, &link).unwrap();
    for out in [file, link.to_str().unwrap()] {
        fails_with(
            &["run", file, "-n", "1000000", "-q", "--json", out],
            &["cannot write", "one of the input files"],
        );
    }
    let base = write_json(dir.path(), "base.json", &mmc5());
    let b = base.to_str().unwrap();
    let req = "phone.service_level >= 0.5";
    fails_with(
        &[
            "check",
            file,
            "--baseline",
            b,
            "--require",
            req,
            "--markdown",
            b,
        ],
        &[b, "one of the input files"],
    );
    fails_with(
        &["compare", b, file, "-n", "1000000", "--json", b],
        &[b, "one of the input files"],
    );
    assert_eq!(fs::read(&p).unwrap(), before);
    assert_eq!(
        fs::read(&base).unwrap(),
        serde_json::to_vec_pretty(&mmc5()).unwrap()
    );
    // The forecast CSV a scenario reads is an input too.
    let csv = dir.path().join("f.csv");
    let rows: String = (8..16).map(|h| format!("phone,{h:02}:00,60\n")).collect();
    fs::write(&csv, format!("channel,interval_start,offered\n{rows}")).unwrap();
    let mut v = mmc5();
    v["channels"][0].as_object_mut().unwrap().remove("volume");
    v["forecast_csv"] = json!("f.csv");
    let p = write_json(dir.path(), "fc.json", &v);
    let c = csv.to_str().unwrap();
    fails_with(
        &["run", p.to_str().unwrap(), "-n", "1000000", "--json", c],
        &[c, "one of the input files"],
    );
}

#[test]
fn unwritable_destination_is_found_before_simulating() {
    // 10^6 replications of the default scenario would run for an hour: this test ends only if
    // the destination is refused first.
    let scen = Path::new(SCENARIOS).join("default.json");
    let s = scen.to_str().unwrap();
    let big = ["run", s, "-n", "1000000", "-q"];
    // No file can be created in /proc, not even by root.
    if Path::new("/proc/self").exists() {
        fails_with(
            &[&big[..], &["--json", "/proc/acdsim-out.json"]].concat(),
            &[
                "/proc/acdsim-out.json",
                "cannot write",
                "cannot create a file in /proc",
            ],
        );
        fails_with(
            &[&big[..], &["--csv", "/proc/acdsim-csv"]].concat(),
            &["/proc/acdsim-csv"],
        );
    }
    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new().unwrap();
        let ro = dir.path().join("ro");
        fs::create_dir(&ro).unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
        let out = ro.join("out.json");
        fails_with(
            &[&big[..], &["--json", out.to_str().unwrap()]].concat(),
            &["cannot create a file in"],
        );
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn a_failed_write_leaves_every_output_as_it_was() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full");
        return;
    }
    // The CSV files are staged, then /dev/full fails: nothing renamed, no temporary file left.
    let dir = TempDir::new().unwrap();
    let csv = dir.path().join("csv");
    fs::create_dir(&csv).unwrap();
    for f in ["intervals.csv", "groups.csv", "summary.csv"] {
        fs::write(csv.join(f), "old").unwrap();
    }
    let out = quick(
        dir.path(),
        &["-q", "--csv", csv.to_str().unwrap(), "--json", "/dev/full"],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    for f in ["intervals.csv", "groups.csv", "summary.csv"] {
        assert_eq!(fs::read_to_string(csv.join(f)).unwrap(), "old", "{f}");
    }
    assert!(temps_in(&csv).is_empty(), "{:?}", temps_in(&csv));
}

#[test]
fn signal_during_the_write_removes_temporary_files_and_keeps_old_outputs() {
    for (sig, code) in [(libc::SIGTERM, 143), (libc::SIGINT, 130)] {
        let dir = TempDir::new().unwrap();
        let p = write_json(dir.path(), "s.json", &mmc5());
        let (json, plots) = (dir.path().join("out.json"), dir.path().join("plots"));
        fs::write(&json, "old").unwrap();
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("acdsim"))
            .args(["run", p.to_str().unwrap(), "-n", "4", "-q", "--json"])
            .arg(&json)
            .arg("--plots")
            .arg(&plots)
            .env("ACDSIM_TEST_PAUSE_BEFORE_RENAME", "30")
            .spawn()
            .unwrap();
        // Wait until the temporary files are written (the hook holds the renames back).
        let t0 = Instant::now();
        while temps_in(dir.path()).is_empty() || temps_in(&plots).len() < 3 {
            assert!(t0.elapsed() < Duration::from_secs(60), "no temporary files");
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as i32, sig) };
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "signal {sig}");
        assert!(
            temps_in(dir.path()).is_empty(),
            "{:?}",
            temps_in(dir.path())
        );
        assert!(temps_in(&plots).is_empty(), "{:?}", temps_in(&plots));
        assert_eq!(fs::read_to_string(&json).unwrap(), "old");
        assert_eq!(
            fs::read_dir(&plots).unwrap().count(),
            0,
            "a plot was renamed"
        );
    }
}

/// An announcement on a channel whose queue is long: `limit_s` 60, and callbacks for all.
fn announced(agents: u32, volume: f64, intervals: u32, callback: f64) -> Value {
    let mut v = mmc5();
    v["day"] = json!({"open": "00:00", "interval_minutes": 15, "intervals": intervals});
    v["channels"][0]["volume"] = json!(volume);
    v["agent_groups"][0]["headcount"] = json!(agents);
    v["surge_playbook"] = json!({
        "trigger": {"load_ratio": 0.5},
        "announcement": {"channels": ["phone"], "limit_s": 60, "callback_share": callback},
    });
    v
}

#[test]
fn announcement_over_a_long_queue_runs_in_linear_time() {
    // 8 x 10^5 contacts for one agent: the queue reaches 8 x 10^5, and every arrival's wait
    // estimate used to count it whole (hours); the count now stops once it passes limit_s.
    let dir = TempDir::new().unwrap();
    let p = write_json(dir.path(), "s.json", &announced(1, 1e5, 8, 0.0));
    acdsim()
        .args(["run", p.to_str().unwrap(), "-n", "1", "-q"])
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
}

#[test]
fn callbacks_without_agents_stop_with_exit_2() {
    // Every caller asks for a callback and no agent ever calls back: the requests pile up.
    let mut v = announced(0, 1e6, 96, 1.0);
    v["channels"][0]["segments"][0]["patience"] = json!({"type": "exponential", "mean": 60});
    let dir = TempDir::new().unwrap();
    let p = write_json(dir.path(), "s.json", &v);
    fails_within(
        &["run", p.to_str().unwrap(), "-n", "1", "--threads", "1"],
        &[
            "phone's callbacks passed 4194304 pending requests",
            "interval 01:15",
        ],
        Duration::from_secs(120),
    );
}
