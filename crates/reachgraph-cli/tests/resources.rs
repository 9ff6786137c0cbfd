//! The resource test: every CLI parameter that sizes work, at its extremes, ends in a typed
//! error within seconds under a 2 GiB address-space limit, never in an abort, an
//! out-of-memory kill or a run that goes on.
//!
//! Each case runs the built `reachgraph` under `ulimit -v` (through `sh`, so the limit holds
//! for the binary alone) and a wall-clock deadline, and must exit with status 2 and an error
//! line naming the parameter as the user spelled it, or the memory limit.
//!
//! Parameters covered, with the values tried:
//! - `spread --trials` (0, 10¹³, u64::MAX), `spread --threads` (0, 10,000, u64::MAX);
//! - `select -k` (0, u64::MAX), `--epsilon` (0, 10⁻⁹), `--tolerance` (0, 10⁻¹²) in quality
//!   mode, `--max-rr-sets` (0), `--threads` (10,000);
//! - `evaluate --rr-sets` (0, 10¹⁰, u64::MAX, and 200,000 under `--memory-limit 1K`),
//!   `--threads` (0, 10,000);
//! - `margin --posts` (0, u32::MAX), `--draws` (0, 10⁸ over the memory limit, u64::MAX),
//!   `--threads` (10,000); `--exposure-trials` is clamped to the draws, so its extreme is
//!   the draws';
//! - `reach --posts-per-seed` (u32::MAX); `ladder -k` (0, u64::MAX);
//! - `sketch stream --chunk-mb` (0, 20,000, 10⁸, u64::MAX, and 1,024 over the memory limit),
//!   `--lg-k` (0, 255); `sketch build --lg-k` (0, 255);
//! - `generate --edges` (10⁸ over the memory limit, u64::MAX);
//! - the global `--memory-limit` (0, nonsense).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const G: &str = "tests/fixtures/graphs/campaign.txt";
const SEEDS: &str = "tests/fixtures/graphs/creators.txt";
/// `ulimit -v` in KiB: 2 GiB.
const ADDRESS_LIMIT_KIB: u64 = 2 << 20;
/// Far above what a refused run takes (milliseconds), far below what the unbounded runs took.
const DEADLINE: Duration = Duration::from_secs(15);

/// Runs the binary with `args` under the limits; returns its exit code (`None`: killed by a
/// signal) and stderr, or fails the test past the deadline.
fn limited(args: &[&str], scratch: &std::path::Path) -> (Option<i32>, String) {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_LIMIT_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_reachgraph"))
        .arg("--quiet")
        .args(
            args.iter()
                .map(|a| a.replace("SCRATCH", &scratch.to_string_lossy())),
        )
        .current_dir(ROOT)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} still ran after {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut err)
        .expect("stderr is UTF-8");
    (status.code(), err)
}

/// The cases: arguments and the text the error line must hold.
fn cases() -> Vec<(Vec<&'static str>, &'static str)> {
    // Each command's fixed arguments, then the case's own.
    fn with(base: &[&'static str], extra: &[&'static str]) -> Vec<&'static str> {
        base.iter().chain(extra).copied().collect()
    }
    let spread = |extra| {
        with(
            &[
                "spread",
                "--graph",
                G,
                "--weights",
                "const:0.5",
                "--seeds",
                SEEDS,
            ],
            extra,
        )
    };
    let select = |extra| with(&["select", "--graph", G, "--weights", "const:0.5"], extra);
    let evaluate = |extra| {
        with(
            &[
                "evaluate",
                "--graph",
                G,
                "--weights",
                "const:0.5",
                "--seeds",
                SEEDS,
            ],
            extra,
        )
    };
    let margin = |extra| with(&["margin"], extra);
    let stream = |extra| {
        with(
            &[
                "sketch",
                "stream",
                "--pairs",
                "SCRATCH/pairs.txt",
                "--out",
                "SCRATCH/out",
            ],
            extra,
        )
    };
    const MAX: &str = "18446744073709551615";
    const MEM: &str = "needs an estimated";
    vec![
        (spread(&["--trials", "0"]), "invalid trials = 0"),
        (spread(&["--trials", "10000000000000"]), "invalid trials"),
        (spread(&["--trials", MAX]), "invalid trials"),
        (spread(&["--threads", "0"]), "invalid threads = 0"),
        (spread(&["--threads", "10000"]), "invalid threads = 10000"),
        (spread(&["--threads", MAX]), "invalid threads"),
        (select(&["-k", "0"]), "invalid k = 0"),
        (select(&["-k", MAX]), "larger than the 13 candidate"),
        (select(&["-k", "2", "--epsilon", "0"]), "invalid epsilon"),
        (select(&["-k", "2", "--epsilon", "1e-9"]), "invalid epsilon"),
        (
            select(&["-k", "2", "--mode", "quality", "--tolerance", "0"]),
            "invalid tolerance",
        ),
        (
            select(&["-k", "2", "--mode", "quality", "--tolerance", "1e-12"]),
            "invalid tolerance",
        ),
        (
            select(&["-k", "2", "--max-rr-sets", "0"]),
            "invalid max_rr_sets",
        ),
        (
            select(&["-k", "2", "--threads", "10000"]),
            "invalid threads",
        ),
        (evaluate(&["--rr-sets", "0"]), "invalid rr_sets = 0"),
        (evaluate(&["--rr-sets", "10000000000"]), MEM),
        (evaluate(&["--rr-sets", MAX]), "invalid rr_sets"),
        (evaluate(&["--memory-limit", "1K"]), MEM),
        (evaluate(&["--threads", "0"]), "invalid threads"),
        (evaluate(&["--threads", "10000"]), "invalid threads"),
        (margin(&["--posts", "0"]), "invalid posts per creator = 0"),
        (
            margin(&["--posts", "4294967295"]),
            "invalid posts per creator",
        ),
        (margin(&["--draws", "0"]), "invalid draws = 0"),
        (margin(&["--draws", "100000000"]), MEM),
        (margin(&["--draws", MAX]), "invalid draws"),
        (margin(&["--threads", "10000"]), "invalid threads"),
        (
            vec![
                "reach",
                "--graph",
                G,
                "--seeds",
                SEEDS,
                "--posts-per-seed",
                "4294967295",
            ],
            "invalid posts_per_seed",
        ),
        (vec!["ladder", "--graph", G, "-k", "0"], "invalid k = 0"),
        (vec!["ladder", "--graph", G, "-k", MAX], "larger than"),
        (stream(&["--chunk-mb", "0"]), "invalid chunk_mb = 0"),
        (stream(&["--chunk-mb", "20000"]), "invalid chunk_mb = 20000"),
        (stream(&["--chunk-mb", "100000000"]), "invalid chunk_mb"),
        (stream(&["--chunk-mb", MAX]), "invalid chunk_mb"),
        (stream(&["--chunk-mb", "1024"]), MEM),
        (stream(&["--lg-k", "0"]), "invalid lg_k"),
        (stream(&["--lg-k", "255"]), "invalid lg_k"),
        (
            vec![
                "sketch",
                "build",
                "--graph",
                G,
                "--out",
                "SCRATCH/b",
                "--lg-k",
                "0",
            ],
            "invalid lg_k",
        ),
        (
            vec![
                "sketch",
                "build",
                "--graph",
                G,
                "--out",
                "SCRATCH/b",
                "--lg-k",
                "255",
            ],
            "invalid lg_k",
        ),
        (
            vec!["generate", "--edges", "100000000", "--out", "SCRATCH/g.txt"],
            MEM,
        ),
        (
            vec!["generate", "--edges", MAX, "--out", "SCRATCH/g.txt"],
            MEM,
        ),
        (evaluate(&["--memory-limit", "0"]), "invalid memory_limit"),
        (
            evaluate(&["--memory-limit", "lots"]),
            "invalid memory_limit",
        ),
    ]
}

#[test]
fn every_sizing_parameter_at_its_extreme_is_refused_quickly_in_bounded_memory() {
    let scratch = std::env::temp_dir().join(format!("reachgraph-resources-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    std::fs::write(scratch.join("pairs.txt"), "a x\nb y\nc z\n").unwrap();
    let mut failures = Vec::new();
    for (args, expect) in cases() {
        let start = Instant::now();
        let (code, err) = limited(&args, &scratch);
        let took = start.elapsed();
        let line = err.lines().last().unwrap_or("");
        if code != Some(2) || !line.starts_with("reachgraph: error: ") || !line.contains(expect) {
            failures.push(format!(
                "{args:?}: exit {code:?} after {took:?}, want 2 and {expect:?}; stderr: {err}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_limits_leave_ordinary_runs_alone() {
    // The same binary under the same address-space limit still answers ordinary requests.
    let scratch =
        std::env::temp_dir().join(format!("reachgraph-resources-ok-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    std::fs::write(scratch.join("pairs.txt"), "a x\nb y\nc z\n").unwrap();
    for args in [
        vec![
            "spread",
            "--graph",
            G,
            "--weights",
            "const:0.5",
            "--seeds",
            SEEDS,
            "--trials",
            "1000",
            "--threads",
            "2",
        ],
        vec![
            "evaluate",
            "--graph",
            G,
            "--weights",
            "const:0.5",
            "--seeds",
            SEEDS,
            "--rr-sets",
            "1000",
            "--memory-limit",
            "64M",
        ],
        vec![
            "sketch",
            "stream",
            "--pairs",
            "SCRATCH/pairs.txt",
            "--out",
            "SCRATCH/out",
            "--chunk-mb",
            "1",
        ],
    ] {
        let (code, err) = limited(&args, &scratch);
        assert_eq!(code, Some(0), "{args:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
