//! `reachgraph … --distributed`: without the `mpi` feature a clear error; with it, runs under
//! `mpirun -np 2` and `-np 3` that print (on rank 0 only) the JSON of the single-process run
//! apart from time fields, and clear errors on every rank for ranks that disagree
//! on the graph or fail.
//!
//! The MPI tests need Open MPI's `mpirun` on PATH (`.ci/run` installs it); without it they
//! say so and pass without running.

use std::path::PathBuf;
use std::process::{Command, Output};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const BIN: &str = env!("CARGO_BIN_EXE_reachgraph");

/// Held while an `mpirun` job runs: Open MPI 4.1 jobs started at the same moment race to
/// create their shared session directory (`mkdir /tmp/ompi.HOST.UID: File exists`), so the
/// tests, which cargo runs in parallel, start their jobs one at a time.
static MPIRUN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn run(cmd: &mut Command) -> (i32, String, String) {
    let _one_job = (cmd.get_program() == "mpirun").then(|| {
        MPIRUN
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    });
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.current_dir(ROOT).output().expect("the command runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// A generated graph's edge list; its directory is removed when this is dropped.
struct Generated {
    file: PathBuf,
}

impl std::ops::Deref for Generated {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.file
    }
}

impl Drop for Generated {
    fn drop(&mut self) {
        if let Some(dir) = self.file.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A generated campaign graph (edges and attributes) in a fresh directory.
fn generated(name: &str, edges: &str, seed: &str) -> Generated {
    let dir = std::env::temp_dir().join(format!("rg-mpi-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("g.txt");
    let (code, _, err) = run(Command::new(BIN).args([
        "--quiet",
        "generate",
        "--edges",
        edges,
        "--seed",
        seed,
        "--out",
        out.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "generate failed: {err}");
    Generated { file: out }
}

#[cfg(not(feature = "mpi"))]
#[test]
fn distributed_without_mpi_is_a_typed_error() {
    let g = generated("nompi", "3000", "1");
    let (code, out, err) = run(Command::new(BIN).args([
        "select",
        "--graph",
        g.to_str().unwrap(),
        "--weights",
        "wc",
        "-k",
        "3",
        "--distributed",
        "--json",
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("--distributed needs a reachgraph built with MPI"),
        "{err}"
    );
    assert!(err.contains("--features mpi"), "{err}");
}

#[cfg(feature = "mpi")]
mod with_mpi {
    use super::*;
    use serde_json::Value;

    /// `mpirun` with the flags a root CI container and a 2-core machine need, or `None`.
    fn mpirun() -> Option<Command> {
        let found = Command::new("mpirun")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            eprintln!("skipping: mpirun is not on PATH (apt-get install openmpi-bin)");
            return None;
        }
        let mut c = Command::new("mpirun");
        c.args(["--allow-run-as-root", "--oversubscribe"]);
        mpirun_env(&mut c);
        Some(c)
    }

    /// The environment Open MPI needs here (root, loopback only, a test-sized timeout).
    fn mpirun_env(c: &mut Command) -> &mut Command {
        c.env("OMPI_ALLOW_RUN_AS_ROOT", "1")
            .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
            // Ranks here share loopback; keep Open MPI off the network interfaces it probes.
            .env("OMPI_MCA_btl", "self,vader,tcp")
            .env("OMPI_MCA_btl_tcp_if_include", "lo")
            .env("OMPI_MCA_oob_tcp_if_include", "lo")
            .env("REACHGRAPH_COMM_TIMEOUT_S", "120")
    }

    /// One MPMD application of `mpirun`: a single rank running `reachgraph ARGS --distributed`.
    fn one_rank(args: &[&str]) -> Vec<String> {
        ["-np", "1", BIN, "--quiet"]
            .iter()
            .chain(args)
            .chain(&["--distributed"])
            .map(|s| s.to_string())
            .collect()
    }

    /// The response without the fields that measure this run rather than answer it.
    fn answer(mut v: Value) -> Value {
        fn strip(v: &mut Value) {
            match v {
                Value::Object(m) => {
                    for k in ["time_s", "timings"] {
                        m.remove(k);
                    }
                    m.values_mut().for_each(strip);
                }
                Value::Array(a) => a.iter_mut().for_each(strip),
                _ => {}
            }
        }
        strip(&mut v);
        v
    }

    fn parse(out: &str, what: &str) -> Value {
        serde_json::from_str(out)
            .unwrap_or_else(|e| panic!("{what}: not one JSON document ({e}): {out}"))
    }

    /// Single-process and `-np 2`, `-np 3` runs of `args` give the same answer; rank 0 alone
    /// prints.
    fn same_on_ranks(args: &[&str]) -> Option<Value> {
        mpirun()?;
        let (code, out, err) = run(Command::new(BIN).arg("--quiet").args(args).arg("--json"));
        assert_eq!(code, 0, "{args:?}: {err}");
        let one = answer(parse(&out, "single process"));
        // Without a launcher, --distributed is MPI's singleton world: one rank.
        let (code, out, err) = run(mpirun_env(&mut Command::new(BIN))
            .arg("--quiet")
            .args(args)
            .args(["--distributed", "--json"]));
        assert_eq!(code, 0, "launcher-free {args:?}: {err}");
        assert_eq!(
            answer(parse(&out, "launcher-free")),
            one,
            "launcher-free {args:?}"
        );
        for np in ["2", "3"] {
            let (code, out, err) = run(mpirun()?
                .args(["-np", np, BIN, "--quiet"])
                .args(args)
                .args(["--distributed", "--json"]));
            assert_eq!(code, 0, "-np {np} {args:?}: {err}");
            // serde_json rejects trailing documents: only rank 0 printed.
            assert_eq!(answer(parse(&out, np)), one, "-np {np} {args:?}");
        }
        Some(one)
    }

    #[test]
    fn select_spread_and_margin_on_a_generated_graph() {
        let g = generated("gen", "60000", "5");
        let g = g.to_str().unwrap();
        let Some(s) = same_on_ranks(&[
            "select",
            "--graph",
            g,
            "--weights",
            "wc",
            "-k",
            "10",
            "--seed",
            "3",
        ]) else {
            return;
        };
        assert_eq!(s["seeds"].as_array().map(Vec::len), Some(10));
        assert!(
            s["rr_sets"].as_u64().unwrap() > 4000,
            "rr_sets {}",
            s["rr_sets"]
        );
        // IMM and quality mode: other bounds and rounds.
        same_on_ranks(&[
            "select",
            "--graph",
            g,
            "--weights",
            "wc",
            "-k",
            "5",
            "--algorithm",
            "imm",
            "--epsilon",
            "0.3",
            "--seed",
            "1",
        ]);
        same_on_ranks(&[
            "select",
            "--graph",
            g,
            "--weights",
            "wc",
            "-k",
            "5",
            "--mode",
            "quality",
            "--epsilon",
            "0.3",
            "--seed",
            "2",
        ]);
        let seeds_file = std::path::Path::new(g).with_file_name("seeds.txt");
        let seeds: Vec<String> = s["seeds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), String::from))
            .collect();
        std::fs::write(&seeds_file, seeds.join("\n")).unwrap();
        let seeds_file = seeds_file.to_str().unwrap();
        let sp = same_on_ranks(&[
            "spread",
            "--graph",
            g,
            "--weights",
            "wc",
            "--seeds",
            seeds_file,
            "--trials",
            "4000",
            "--seed",
            "9",
            "--histogram",
        ])
        .unwrap();
        assert!(sp["mean"].as_f64().unwrap() > 10.0, "mean {}", sp["mean"]);
        let m = same_on_ranks(&[
            "margin",
            "--graph",
            g,
            "--weights",
            "tier",
            "--seeds",
            seeds_file,
            "--exposure",
            "ic",
            "--draws",
            "600",
            "--seed",
            "4",
        ])
        .unwrap();
        assert!(
            m["national"]["p_majority"]["with"].is_f64(),
            "no national outcome"
        );
    }

    #[test]
    fn select_on_soc_epinions1() {
        let data = std::env::var_os("REACHGRAPH_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(ROOT).join("../shared/data"));
        let path = data.join("soc-Epinions1.txt");
        if !path.is_file() {
            eprintln!("skipping: {} is absent", path.display());
            return;
        }
        let path = path.to_str().unwrap();
        if let Some(s) = same_on_ranks(&[
            "select",
            "--graph",
            path,
            "--weights",
            "wc",
            "-k",
            "50",
            "--seed",
            "7",
        ]) {
            assert_eq!(s["seeds"].as_array().map(Vec::len), Some(50));
        }
    }

    #[test]
    fn ranks_with_different_graphs_fail_on_every_rank() {
        let Some(mut c) = mpirun() else { return };
        let a = generated("mis-a", "5000", "1");
        let b = generated("mis-b", "5000", "2");
        let args = |g: &PathBuf| {
            one_rank(&[
                "select",
                "--graph",
                g.to_str().unwrap(),
                "--weights",
                "wc",
                "-k",
                "3",
            ])
        };
        // MPMD: rank 0 loads one graph, rank 1 another.
        let (code, out, err) = run(c.args(args(&a)).arg(":").args(args(&b)));
        assert_ne!(code, 0, "{out}");
        assert!(out.is_empty(), "{out}");
        for rank in ["rank 0 of 2", "rank 1 of 2"] {
            assert!(
                err.contains(&format!("{rank}: rank 1 has a different graph from rank 0")),
                "{rank}: {err}"
            );
        }
    }

    #[test]
    fn a_rank_that_fails_fails_every_rank() {
        let Some(mut c) = mpirun() else { return };
        let g = generated("fail", "5000", "3");
        let g = g.to_str().unwrap();
        let seeds = std::path::Path::new(g).with_file_name("seeds.txt");
        // A real account: the first id of the edge list.
        let text = std::fs::read_to_string(g).unwrap();
        let first = text
            .lines()
            .find(|l| !l.starts_with('#'))
            .and_then(|l| l.split_whitespace().next())
            .unwrap()
            .to_string();
        std::fs::write(&seeds, first + "\n").unwrap();
        let args = |s: &str| {
            one_rank(&[
                "spread",
                "--graph",
                g,
                "--weights",
                "wc",
                "--seeds",
                s,
                "--trials",
                "100",
            ])
        };
        // Rank 1's seed file is missing: it fails before any collective.
        let (code, out, err) = run(c
            .args(args(seeds.to_str().unwrap()))
            .arg(":")
            .args(args("/nonexistent/seeds.txt")));
        assert_ne!(code, 0, "{out}");
        assert!(err.contains("rank 1 of 2: cannot"), "{err}");
        assert!(
            err.contains("rank 0 of 2: rank 1 of the distributed run failed (io)"),
            "{err}"
        );
    }

    #[test]
    fn a_rank_that_hangs_times_out_and_ends_the_job() {
        let Some(mut c) = mpirun() else { return };
        let g = generated("hang", "5000", "4");
        // Rank 1 reads its graph from a FIFO nobody writes: it never reaches a collective.
        let fifo = g.with_file_name("never.fifo");
        let _ = std::fs::remove_file(&fifo);
        let made = Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipping: mkfifo is not available");
            return;
        }
        let args = |g: &std::path::Path| {
            one_rank(&[
                "select",
                "--graph",
                g.to_str().unwrap(),
                "--weights",
                "wc",
                "-k",
                "3",
            ])
        };
        let mut child = c
            .env("REACHGRAPH_COMM_TIMEOUT_S", "1")
            .args(args(&g))
            .arg(":")
            .args(args(&fifo))
            .current_dir(ROOT)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // A guard, not a measurement: the job must end by itself long before this.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("the job did not end: a hung rank made the others wait");
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            err.contains(
                "rank 0 of 2: distributed all-reduce on rank 0: the other ranks did not \
                          complete it within 1 s"
            ),
            "{err}"
        );
    }
}
