//! acdsim on real batch schedulers.
//!
//! Slurm: a single-node cluster started on this machine (munged, slurmctld, slurmd, as root,
//! with their own configuration, key, sockets and ports in a temporary folder) runs
//! `deploy/slurm/submit.sh`: a job array of 4 shards and the merge, submitted with
//! `--dependency=afterok`. The merged JSON must be the single run's, byte for byte; a run whose
//! shards fail must never be merged. The daemons are stopped by pid and their folder removed,
//! on failure too. Without Slurm, munge or root the test is skipped with the reason, unless
//! `ACDSIM_REQUIRE_SLURM=1` (as `.ci/run` sets), which makes it fail instead.
//!
//! Kubernetes: no cluster here, so the manifests of `deploy/k8s/` are parsed and the exact
//! command line of every completion index, and of the merge, is run through acdsim's argument
//! parser (the line with `--help` appended: a bad flag or value fails, exit 2).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;
use yaml_rust2::{Yaml, YamlLoader};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const ACDSIM: &str = env!("CARGO_BIN_EXE_acdsim");

/// The full path of `name` on the PATH or in the system folders daemons live in.
fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    let found = path
        .split(':')
        .chain(["/usr/sbin", "/usr/bin", "/sbin", "/bin"])
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file());
    found
}

/// Runs `cmd`, its output into `log`, killing it after `limit`.
fn run_for(mut cmd: Command, log: &Path, limit: Duration) -> Output {
    let out = fs::File::create(log).unwrap();
    let mut child = cmd
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!(
                "{cmd:?} still running after {limit:?}; output: {}",
                read(log)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    Output {
        status,
        stdout: fs::read(log).unwrap(),
        stderr: Vec::new(),
    }
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_default()
}

/// A single-node Slurm cluster: its folder and the daemons started, stopped by pid on drop.
struct Cluster {
    dir: TempDir,
    daemons: Vec<(&'static str, Child)>,
}

impl Cluster {
    fn conf(&self) -> PathBuf {
        self.dir.path().join("slurm.conf")
    }

    /// Starts munged, slurmctld and slurmd and waits for the node to be idle.
    fn start(bins: &Bins) -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("acdsim-slurm")
            .tempdir()
            .unwrap();
        let d = dir.path().to_path_buf();
        let mut c = Cluster {
            dir,
            daemons: Vec::new(),
        };
        for sub in ["state", "spool"] {
            fs::create_dir(d.join(sub)).unwrap();
        }
        let key = d.join("munge.key");
        let ok = Command::new(&bins.mungekey)
            .args(["--create", "--keyfile"])
            .arg(&key)
            .status()
            .unwrap();
        assert!(ok.success(), "mungekey failed");
        fs::write(d.join("slurm.conf"), slurm_conf(&d)).unwrap();
        let socket = d.join("munge.socket");
        let mut munged = Command::new(&bins.munged);
        munged
            .args(["--foreground", "--force"])
            .arg(format!("--socket={}", socket.display()))
            .arg(format!("--key-file={}", key.display()))
            .arg(format!("--pid-file={}", d.join("munged.pid").display()))
            .arg(format!("--log-file={}", d.join("munged.log").display()))
            .arg(format!("--seed-file={}", d.join("munge.seed").display()));
        c.spawn("munged", munged);
        wait_for(|| socket.exists(), "the munge socket", &d);
        let conf = c.conf();
        let mut ctld = Command::new(&bins.slurmctld);
        ctld.args(["-D", "-c", "-f"]).arg(&conf);
        c.spawn("slurmctld", ctld);
        let mut slurmd = Command::new(&bins.slurmd);
        slurmd.args(["-D", "-f"]).arg(&conf);
        c.spawn("slurmd", slurmd);
        wait_for(
            || {
                let out = Command::new(&bins.sinfo)
                    .args(["-h", "-o", "%T"])
                    .env("SLURM_CONF", &conf)
                    .output()
                    .unwrap();
                String::from_utf8_lossy(&out.stdout).trim() == "idle"
            },
            "the node to be idle",
            &d,
        );
        c
    }

    fn spawn(&mut self, name: &'static str, mut cmd: Command) {
        let log = fs::File::create(self.dir.path().join(format!("{name}.out"))).unwrap();
        let child = cmd
            .env("SLURM_CONF", self.conf())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        self.daemons.push((name, child));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Newest first, each by its pid: TERM, then KILL if it has not stopped in 20 s.
        while let Some((name, mut child)) = self.daemons.pop() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let start = Instant::now();
            while child.try_wait().ok().flatten().is_none() {
                if start.elapsed() > Duration::from_secs(20) {
                    eprintln!("{name} did not stop on TERM: killed");
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// Polls `ok` every 200 ms for 30 s.
fn wait_for(mut ok: impl FnMut() -> bool, what: &str, dir: &Path) {
    let start = Instant::now();
    while !ok() {
        if start.elapsed() > Duration::from_secs(30) {
            let logs: Vec<String> = ["munged", "slurmctld", "slurmd"]
                .iter()
                .map(|n| format!("{n}: {}", read(&dir.join(format!("{n}.out")))))
                .collect();
            panic!("timed out waiting for {what}; {}", logs.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The configuration of a one-node cluster in `d`: this host (`hostname -s`) as controller and
/// node with all its CPUs, root as the Slurm user, no cgroups, ports away from the defaults.
fn slurm_conf(d: &Path) -> String {
    let host = Command::new("hostname").arg("-s").output().unwrap();
    let host = String::from_utf8(host.stdout).unwrap().trim().to_string();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let d = d.display();
    format!(
        "ClusterName=acdsimtest
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={d}/munge.socket
CredType=cred/munge
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName={host} CPUs={cpus} State=UNKNOWN
PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP
"
    )
}

/// The programs the cluster needs.
struct Bins {
    munged: PathBuf,
    mungekey: PathBuf,
    slurmctld: PathBuf,
    slurmd: PathBuf,
    sinfo: PathBuf,
}

/// The programs, or why the test cannot run here.
fn slurm_bins() -> Result<Bins, String> {
    let get = |n: &str| find(n).ok_or_else(|| format!("`{n}` not found"));
    for n in ["sbatch", "sinfo"] {
        get(n)?;
    }
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| e.to_string())?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Err("not root: the test starts the Slurm daemons as root".into());
    }
    Ok(Bins {
        munged: get("munged")?,
        mungekey: get("mungekey")?,
        slurmctld: get("slurmctld")?,
        slurmd: get("slurmd")?,
        sinfo: get("sinfo")?,
    })
}

/// `deploy/slurm/submit.sh` with `args`, waiting for the merge (ACDSIM_WAIT=1).
fn submit(c: &Cluster, log: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(Path::new(ROOT).join("deploy/slurm/submit.sh"));
    cmd.current_dir(ROOT)
        .args(args)
        .env("SLURM_CONF", c.conf())
        .env("ACDSIM", ACDSIM)
        .env("ACDSIM_WAIT", "1");
    run_for(cmd, &c.dir.path().join(log), Duration::from_secs(120))
}

#[test]
fn slurm_job_array_and_merge_give_the_single_run() {
    let bins = match slurm_bins() {
        Ok(b) => b,
        Err(why) if std::env::var("ACDSIM_REQUIRE_SLURM").as_deref() == Ok("1") => {
            panic!("ACDSIM_REQUIRE_SLURM=1 but Slurm cannot run here: {why}")
        }
        Err(why) => {
            eprintln!("skipped: {why} (apt-get install -y slurm-wlm munge, as root)");
            return;
        }
    };
    let t0 = Instant::now();
    let c = Cluster::start(&bins);
    let d = c.dir.path();
    let out = d.join("study");
    let scen = ["run", "scenarios/default.json", "-n", "200", "--seed", "7"];
    let mut args = vec!["4", out.to_str().unwrap()];
    args.extend(scen);
    let r = submit(&c, "submit.log", &args);
    let log = String::from_utf8_lossy(&r.stdout).to_string();
    assert!(r.status.success(), "submit failed: {log}\n{}", logs(&out));
    assert!(log.contains("(4 tasks)"), "{log}");
    for k in 1..=4 {
        let p = out.join(format!("partials/shard-{k}-of-4.partial"));
        assert!(p.is_file(), "{p:?} missing\n{}", logs(&out));
    }
    let merge_logs = fs::read_dir(out.join("logs"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("acdsim-merge-")
        })
        .count();
    assert_eq!(merge_logs, 1, "the merge ran as a Slurm job");
    let single = d.join("single.json");
    let mut one = Command::new(ACDSIM);
    one.current_dir(ROOT)
        .args(scen)
        .args(["-q", "--json"])
        .arg(&single);
    assert!(run_for(one, &d.join("single.log"), Duration::from_secs(60))
        .status
        .success());
    assert_eq!(
        fs::read(&single).unwrap(),
        fs::read(out.join("report.json")).unwrap(),
        "the merged report differs from the single run's"
    );
    // Shards that fail (a scenario that does not exist) are never merged: the merge job is
    // cancelled with its dependency, and submit.sh reports the failure.
    let bad = d.join("bad");
    let r = submit(
        &c,
        "bad.log",
        &["2", bad.to_str().unwrap(), "run", "no-such.json"],
    );
    assert!(
        !r.status.success(),
        "{}",
        String::from_utf8_lossy(&r.stdout)
    );
    assert!(!bad.join("report.json").exists());
    eprintln!(
        "Slurm: cluster, 4 shards, merge and a failed run in {:?}",
        t0.elapsed()
    );
}

/// Every job log under `out/logs`, for failure messages.
fn logs(out: &Path) -> String {
    let Ok(entries) = fs::read_dir(out.join("logs")) else {
        return "no logs".into();
    };
    entries
        .map(|e| {
            let p = e.unwrap().path();
            format!("{}: {}", p.display(), read(&p))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The one document of `deploy/k8s/<name>`.
fn manifest(name: &str) -> Yaml {
    let text = fs::read_to_string(Path::new(ROOT).join("deploy/k8s").join(name)).unwrap();
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(docs.len(), 1, "{name}: one document");
    docs.remove(0)
}

/// The pod spec's only container of a Job, checked to be a batch/v1 Job.
fn container(job: &Yaml) -> &Yaml {
    assert_eq!(job["apiVersion"].as_str(), Some("batch/v1"));
    assert_eq!(job["kind"].as_str(), Some("Job"));
    let spec = &job["spec"]["template"]["spec"];
    assert_eq!(spec["restartPolicy"].as_str(), Some("Never"));
    let cs = spec["containers"].as_vec().expect("containers");
    assert_eq!(cs.len(), 1);
    &cs[0]
}

/// The container's shell script (`command: [/bin/sh, -c]`, `args: [script]`).
fn script(c: &Yaml) -> String {
    let cmd: Vec<&str> = c["command"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(cmd, ["/bin/sh", "-c"]);
    let args = c["args"].as_vec().unwrap();
    assert_eq!(args.len(), 1);
    args[0].as_str().unwrap().to_string()
}

/// Runs `script` in `dir` with `env`, `acdsim` being acdsim with `--help` appended (the
/// arguments are parsed, nothing is run): the script's exit status.
fn parse_script(script: &str, dir: &Path, env: &[(&str, String)]) -> Option<i32> {
    let wrapped = format!("acdsim() {{ \"$ACDSIM_REAL\" \"$@\" --help >/dev/null; }}\n{script}");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(wrapped)
        .current_dir(dir)
        .env("ACDSIM_REAL", ACDSIM);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.status().unwrap().code()
}

#[test]
fn kubernetes_manifests_parse_and_their_command_lines_are_accepted() {
    let shards = manifest("shards-job.yaml");
    let merge = manifest("merge-job.yaml");
    let pvc = manifest("pvc.yaml");
    assert_eq!(pvc["kind"].as_str(), Some("PersistentVolumeClaim"));
    assert_eq!(
        pvc["spec"]["accessModes"][0].as_str(),
        Some("ReadWriteMany")
    );
    let spec = &shards["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let n = spec["completions"].as_i64().unwrap();
    assert_eq!(spec["parallelism"].as_i64(), Some(n));
    let c = container(&shards);
    let env = c["env"].as_vec().unwrap();
    let shards_env = env
        .iter()
        .find(|e| e["name"].as_str() == Some("SHARDS"))
        .unwrap();
    assert_eq!(shards_env["value"].as_str(), Some(n.to_string().as_str()));
    // Both Jobs mount the same claim and scenarios at the same place.
    let mounts = |job: &Yaml| {
        let s = &job["spec"]["template"]["spec"];
        let vols: Vec<String> = s["volumes"]
            .as_vec()
            .unwrap()
            .iter()
            .map(|v| format!("{v:?}"))
            .collect();
        let m: Vec<String> = container(job)["volumeMounts"]
            .as_vec()
            .unwrap()
            .iter()
            .map(|v| format!("{v:?}"))
            .collect();
        (
            vols,
            m,
            container(job)["workingDir"].as_str().map(str::to_string),
        )
    };
    assert_eq!(mounts(&shards), mounts(&merge));
    assert!(format!("{:?}", shards["spec"]["template"]["spec"]["volumes"]).contains("acdsim-work"));
    // Every completion index's command line parses; one past the last does not.
    let t = TempDir::new().unwrap();
    fs::create_dir(t.path().join("scenarios")).unwrap();
    let run = script(c);
    for i in 0..n {
        let env = [
            ("JOB_COMPLETION_INDEX", i.to_string()),
            ("SHARDS", n.to_string()),
        ];
        assert_eq!(
            parse_script(&run, t.path(), &env),
            Some(0),
            "index {i}: {run}"
        );
    }
    let env = [
        ("JOB_COMPLETION_INDEX", n.to_string()),
        ("SHARDS", n.to_string()),
    ];
    assert_eq!(
        parse_script(&run, t.path(), &env),
        Some(2),
        "shard {} of {n} accepted",
        n + 1
    );
    let m = script(container(&merge));
    assert_eq!(parse_script(&m, t.path(), &[]), Some(0), "{m}");
    // The merge reads what the shards write.
    assert!(run.contains("partials/shard-") && m.contains("partials/*.partial"));
    let broken = m.replace("--json", "--jsn");
    assert_eq!(parse_script(&broken, t.path(), &[]), Some(2));
}
