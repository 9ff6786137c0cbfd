//! Resumable Monte Carlo: the state of a spread run after a whole number of chunks, kept in a
//! file so that an interrupted run (Ctrl-C, a lost session, a killed job) continues where it
//! stopped.
//!
//! Chunks are merged strictly in chunk order whether or not a run was interrupted, and the
//! file holds the merged moments bit for bit, so a resumed run gives the answer of an
//! uninterrupted one to the last digit, on any number of threads.
//!
//! # File layout
//! Little-endian 64-bit words: the magic `RGCKPT` + version, the graph's checksum
//! ([`crate::comm::forward_checksum`]), the run's key (model, trials, seed, hop horizon, sampling
//! setting, stopping rule, requested outputs, chunk size and seed accounts), the number of
//! chunks in the run and merged so far, the merged moments, the trials per spread value, the
//! per-account activation counts when requested, and last a checksum of every word before it.
//! The file is written to `PATH.tmp`, synced, and renamed over `PATH`, so a crash mid-write
//! leaves the previous checkpoint whole.

use super::{ChunkStats, Model, SpreadConfig, CHUNK_TRIALS};
use crate::comm::{self, Checksum, Words};
use crate::error::{Error, Result};
use crate::graph::Graph;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `RGCKPT`, format version 1.
const MAGIC: u64 = u64::from_le_bytes(*b"RGCKPT\x00\x01");

/// The version of the trials' draws: bump it with every change that changes a seeded result,
/// so no run resumes from chunks another version drew. The test
/// `the_draws_of_this_version_are_pinned` holds a fingerprint of each version's draws and
/// fails when they change without a bump.
///
/// - 1: from the key's start (`27869b2`).
/// - 2: IC hops expanded in account-id order (`4627110`).
const DRAWS_VERSION: u32 = 2;

/// What a checkpoint must match to be resumed: the graph and the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Key {
    graph: u64,
    run: u64,
    chunks: u64,
}

impl Key {
    /// The key of running `config` from `seeds` on `graph`. Threads are not part of it (the
    /// answer does not depend on them), nor is the checkpoint's own path.
    ///
    /// # Complexity
    /// O(n + m): the graph's checksum reads the out-edges in order.
    pub(super) fn new(graph: &Graph, seeds: &[u32], model: Model, config: &SpreadConfig) -> Key {
        let mut h = Checksum::default();
        h.text(&format!(
            "spread; draws {DRAWS_VERSION} of reachgraph {}; model {model:?}; trials {}; seed {}; \
             hops {:?}; subset sampling {}; target rse {:?}; node probabilities {}; histogram {}; \
             chunk {CHUNK_TRIALS}",
            env!("CARGO_PKG_VERSION"),
            config.trials,
            config.sampling.seed,
            config.sampling.hops,
            config.sampling.subset_sampling,
            config.target_rse.map(f64::to_bits),
            config.node_probabilities,
            config.histogram,
        ));
        h.words(seeds.iter().map(|&s| u64::from(s)));
        Key {
            graph: comm::forward_checksum(graph),
            run: h.value(),
            chunks: config.trials.div_ceil(CHUNK_TRIALS),
        }
    }
}

/// The merged state of the first `next` chunks of a run.
pub(super) struct State {
    /// Chunks merged (`0..next`).
    pub(super) next: u64,
    /// Their moments (`spreads` unused).
    pub(super) acc: ChunkStats,
    /// Trials per account-spread value.
    pub(super) spread_counts: BTreeMap<u32, u64>,
    /// Activation counts per account, when the run computes them.
    pub(super) node_counts: Option<Vec<u64>>,
}

fn invalid(path: &Path, reason: impl Into<String>) -> Error {
    Error::invalid_parameter("checkpoint", path.display(), reason)
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        input: path.display().to_string(),
        source,
    }
}

/// The state saved at `path` for the run `key`, or `None` when there is no file yet.
///
/// # Errors
/// [`Error::Io`] when the file exists but cannot be read; [`Error::InvalidParameter`] naming
/// `checkpoint` when it is not a checkpoint, is truncated or corrupt (its checksum does not
/// match), or holds another run (another graph, or other seeds or settings). The file is left
/// as it is in every case.
pub(super) fn read(
    path: &Path,
    key: Key,
    jurisdictions: usize,
    accounts: usize,
    node_probabilities: bool,
) -> Result<Option<State>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, e)),
    };
    if bytes.len() < 16 || bytes.len() % 8 != 0 {
        return Err(invalid(
            path,
            format!(
                "not a spread checkpoint: {} bytes, not whole 8-byte words",
                bytes.len()
            ),
        ));
    }
    let (body, tail) = bytes.split_at(bytes.len() - 8);
    let mut w = Words::new(body);
    if w.next() != Some(MAGIC) {
        return Err(invalid(
            path,
            "not a reachgraph spread checkpoint (bad magic or version)",
        ));
    }
    let mut sum = Checksum::default();
    Words::new(body).for_each(|x| sum.word(x));
    if tail != sum.value().to_le_bytes() {
        return Err(invalid(
            path,
            "corrupt or truncated checkpoint: its checksum does not match; delete it to start \
             the run afresh",
        ));
    }
    let (graph, run, chunks) = (w.next(), w.next(), w.next());
    if graph != Some(key.graph) {
        return Err(invalid(
            path,
            "the checkpoint is of a run on another graph (or other weights or attributes); \
             delete it or give another path",
        ));
    }
    if run != Some(key.run) || chunks != Some(key.chunks) {
        return Err(invalid(
            path,
            "the checkpoint is of another run on this graph (other seeds, model, trials, seed, \
             hop horizon or outputs); delete it or give another path",
        ));
    }
    let corrupt = || invalid(path, "corrupt checkpoint: its contents do not decode");
    let next = w.next().filter(|&c| c <= key.chunks).ok_or_else(corrupt)?;
    let mut acc = ChunkStats::decode(&mut w).ok_or_else(corrupt)?;
    if acc.jur_people.len() != jurisdictions || acc.jur_weight.len() != jurisdictions {
        return Err(corrupt());
    }
    acc.spreads.clear();
    let pairs = w.next().ok_or_else(corrupt)?;
    let mut spread_counts = BTreeMap::new();
    for _ in 0..pairs {
        let (v, c) = (w.next(), w.next());
        let v = v.and_then(|v| u32::try_from(v).ok()).ok_or_else(corrupt)?;
        spread_counts.insert(v, c.ok_or_else(corrupt)?);
    }
    let node_counts = match w.next() {
        Some(0) if !node_probabilities => None,
        Some(1) if node_probabilities => {
            let counts = w.vec(|w| w.next()).ok_or_else(corrupt)?;
            if counts.len() != accounts {
                return Err(corrupt());
            }
            Some(counts)
        }
        _ => return Err(corrupt()),
    };
    if w.next().is_some() {
        return Err(corrupt());
    }
    Ok(Some(State {
        next,
        acc,
        spread_counts,
        node_counts,
    }))
}

/// The merged state of a run to be written: [`State`]'s parts, borrowed from the run.
#[derive(Clone, Copy)]
pub(super) struct Saved<'a> {
    next: u64,
    acc: &'a ChunkStats,
    spread_counts: &'a BTreeMap<u32, u64>,
    node_counts: Option<&'a [u64]>,
}

impl<'a> Saved<'a> {
    /// The first `next` chunks merged into `acc` and `spread_counts` (and `node_counts`, when
    /// the run computes them).
    pub(super) fn new(
        next: u64,
        acc: &'a ChunkStats,
        spread_counts: &'a BTreeMap<u32, u64>,
        node_counts: Option<&'a [u64]>,
    ) -> Self {
        Saved {
            next,
            acc,
            spread_counts,
            node_counts,
        }
    }
}

/// Writes `state` for the run `key` to `path` (through `PATH.tmp`, synced, then renamed).
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written.
pub(super) fn write(path: &Path, key: Key, state: Saved<'_>) -> Result<()> {
    let mut out = Vec::new();
    for x in [MAGIC, key.graph, key.run, key.chunks, state.next] {
        comm::put(&mut out, x);
    }
    state.acc.encode(&mut out);
    comm::put(&mut out, state.spread_counts.len() as u64);
    for (&v, &c) in state.spread_counts {
        comm::put(&mut out, u64::from(v));
        comm::put(&mut out, c);
    }
    match state.node_counts {
        None => comm::put(&mut out, 0),
        Some(c) => {
            comm::put(&mut out, 1);
            comm::put_all(&mut out, c.iter().copied());
        }
    }
    let mut sum = Checksum::default();
    Words::new(&out).for_each(|x| sum.word(x));
    comm::put(&mut out, sum.value());
    let tmp = temporary(path);
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&out)?;
        f.sync_all()
    })();
    written.map_err(|e| io_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_error(path, e))
}

/// Removes the checkpoint of a finished run (a missing file is fine).
///
/// # Errors
/// [`Error::Io`] when the file exists and cannot be removed.
pub(super) fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(path, e)),
    }
}

/// `PATH.tmp`, beside `PATH`.
fn temporary(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::super::{Simulator, SpreadConfig, SpreadConfigBuilder, SpreadResult};
    use super::*;
    use crate::progress::NoProgress;
    use crate::weights::WeightScheme;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    fn graph() -> Graph {
        let mut g = super::super::tests::skewed_graph(900, 5_000, 21);
        g.set_weights(&WeightScheme::WeightedCascade).unwrap();
        g
    }

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rg-ckpt-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// A run with activation probabilities and the histogram on.
    fn builder(trials: u64, seed: u64, threads: usize) -> SpreadConfigBuilder {
        SpreadConfig::builder()
            .trials(trials)
            .seed(seed)
            .threads(threads)
            .node_probabilities(true)
            .histogram(true)
    }

    fn config(trials: u64, seed: u64, threads: usize, path: Option<&Path>) -> SpreadConfig {
        let mut b = builder(trials, seed, threads).checkpoint_every(Duration::ZERO);
        if let Some(p) = path {
            b = b.checkpoint(p);
        }
        b.build().unwrap()
    }

    fn run(
        g: &Graph,
        model: Model,
        c: &SpreadConfig,
        progress: &dyn crate::Progress,
    ) -> Result<SpreadResult> {
        Simulator::new(g, model, c)?.run(&(0..8).collect::<Vec<u32>>(), progress)
    }

    /// Fingerprints of each draws version's answers (IC, LT), 133 trials at seed 5 from seeds
    /// 0–7: on [`graph`] (weighted cascade) as it is, with a hop horizon of 2 and without
    /// subset sampling, and for IC also with every edge at 0.05. Rows are history: a change of
    /// the draws bumps [`DRAWS_VERSION`] and adds a row; no row is ever edited.
    const DRAWS_FINGERPRINTS: &[(u32, u64, u64)] = &[
        (1, 2_028_034_462_261_565_119, 4_882_669_615_624_778_643),
        (2, 12_640_033_490_003_369_181, 4_882_669_615_624_778_643),
    ];

    /// An answer's draws, as one word: the trials, every account's activation count and the
    /// histogram of spreads.
    fn fingerprint(r: &SpreadResult) -> u64 {
        let mut h = Checksum::default();
        h.word(r.trials);
        let p = r.node_probabilities.as_ref().unwrap();
        h.words(p.iter().map(|&x| (x * r.trials as f64).round() as u64));
        let hist = r.histogram.as_ref().unwrap();
        h.word(hist.start);
        h.word(hist.bin_width);
        h.words(hist.counts.iter().copied());
        h.value()
    }

    /// The draws of `model` on `threads` threads in the runs [`DRAWS_FINGERPRINTS`] names.
    fn draws(model: Model, threads: usize) -> u64 {
        let g = graph();
        let constant = g.with_weights(&WeightScheme::Constant { p: 0.05 }).unwrap();
        let base = || builder(64 * 2 + 5, 5, threads);
        let mut runs = vec![
            (&g, base()),
            (&g, base().hops(2)),
            (&g, base().subset_sampling(false)),
        ];
        if model == Model::IndependentCascade {
            runs.push((&constant, base()));
        }
        let mut h = Checksum::default();
        for (graph, c) in runs {
            let r = run(graph, model, &c.build().unwrap(), &NoProgress).unwrap();
            h.word(fingerprint(&r));
        }
        h.value()
    }

    /// The seeded draws of the current [`DRAWS_VERSION`] are the ones its row records, under
    /// IC and LT, on one and on two threads: a change that draws differently without a bump
    /// fails here, so no checkpoint of old draws resumes into new ones.
    #[test]
    fn the_draws_of_this_version_are_pinned() {
        let row = DRAWS_FINGERPRINTS
            .iter()
            .find(|r| r.0 == DRAWS_VERSION)
            .expect("record this DRAWS_VERSION's fingerprints in DRAWS_FINGERPRINTS");
        for threads in [1, 2] {
            let got =
                [Model::IndependentCascade, Model::LinearThreshold].map(|m| draws(m, threads));
            assert_eq!(
                (got[0], got[1]),
                (row.1, row.2),
                "the draws of version {DRAWS_VERSION} changed ({threads} threads): bump \
                 DRAWS_VERSION and add a row for it; never edit an old row"
            );
        }
    }

    /// A run stopped part way (Ctrl-C) and run again with the same checkpoint gives the answer
    /// of a run never stopped, to the last bit: moments, histogram and activation
    /// probabilities, under IC and LT, resumed on another number of threads; the file holds
    /// the chunks merged before the stop and is removed at the end.
    #[test]
    fn an_interrupted_run_resumes_to_the_same_answer() {
        let g = graph();
        let d = dir("resume");
        for model in [Model::IndependentCascade, Model::LinearThreshold] {
            let trials = 64 * 9 + 17; // a partial last chunk
            let whole = run(&g, model, &config(trials, 5, 2, None), &NoProgress).unwrap();
            for (first, second, stop_after) in [(1, 2, 64 * 3), (2, 1, 64 * 5), (2, 2, 1)] {
                let path = d.join(format!("{model}-{first}-{stop_after}.ckpt"));
                let seen = AtomicU64::new(0);
                // Cancels once `stop_after` trials are reported done.
                let stop = |_: &str, done: u64, _: u64| {
                    seen.fetch_max(done, Ordering::Relaxed);
                    done < stop_after
                };
                let c = config(trials, 5, first, Some(&path));
                let err = run(&g, model, &c, &stop).unwrap_err();
                assert!(matches!(err, Error::Cancelled), "{err}");
                let key = Key::new(&g, &(0..8).collect::<Vec<u32>>(), model, &c);
                let saved = read(&path, key, 0, g.node_count(), true).unwrap().unwrap();
                assert!(saved.next < key.chunks, "{model}: the run was not stopped");
                assert_eq!(
                    saved.acc.accounts.count(),
                    (saved.next * CHUNK_TRIALS).min(trials)
                );
                let c = config(trials, 5, second, Some(&path));
                // The progress goes on from the saved trials and ends at all of them.
                let done_before = saved.acc.accounts.count();
                let (below, last) = (AtomicU64::new(0), AtomicU64::new(0));
                let watch = |_: &str, done: u64, _: u64| {
                    if done > 0 && done < done_before {
                        below.fetch_add(1, Ordering::Relaxed);
                    }
                    last.fetch_max(done, Ordering::Relaxed);
                    true
                };
                let resumed = run(&g, model, &c, &watch).unwrap();
                assert_eq!(resumed, whole, "{model} {first} -> {second} threads");
                assert_eq!(
                    below.load(Ordering::Relaxed),
                    0,
                    "progress restarted from 0"
                );
                assert_eq!(last.load(Ordering::Relaxed), trials);
                assert!(
                    !path.exists(),
                    "the checkpoint of a finished run is removed"
                );
            }
        }
        std::fs::remove_dir_all(&d).ok();
    }

    /// A checkpoint of another run (seed, seeds, trials, weights) is refused, naming the
    /// checkpoint, and left as it was; so are a truncated or corrupt one and one that is not a
    /// checkpoint at all. A path that cannot be written fails at the start.
    #[test]
    fn checkpoints_of_other_runs_and_corrupt_files_are_refused() {
        let g = graph();
        let d = dir("refuse");
        let path = d.join("run.ckpt");
        let stop = |_: &str, done: u64, _: u64| done < 64 * 2;
        let c = config(64 * 6, 5, 1, Some(&path));
        assert!(run(&g, Model::IndependentCascade, &c, &stop).is_err());
        let bytes = std::fs::read(&path).unwrap();
        let refused = |c: &SpreadConfig, g: &Graph, why: &str| {
            let err = run(g, Model::IndependentCascade, c, &NoProgress).unwrap_err();
            match &err {
                Error::InvalidParameter { name, reason, .. } => {
                    assert_eq!(name, "checkpoint", "{err}");
                    assert!(reason.contains(why), "{why}: {err}");
                }
                other => panic!("{why}: {other}"),
            }
            assert_eq!(
                std::fs::read(&path).unwrap(),
                bytes,
                "{why}: the file changed"
            );
        };
        refused(&config(64 * 6, 6, 1, Some(&path)), &g, "another run");
        refused(&config(64 * 7, 5, 1, Some(&path)), &g, "another run");
        let lt = Simulator::new(&g, Model::LinearThreshold, &c)
            .unwrap()
            .run(&(0..8).collect::<Vec<u32>>(), &NoProgress)
            .unwrap_err();
        assert!(matches!(lt, Error::InvalidParameter { .. }), "{lt}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        let fewer = Simulator::new(&g, Model::IndependentCascade, &c)
            .unwrap()
            .run(&(0..7).collect::<Vec<u32>>(), &NoProgress)
            .unwrap_err();
        assert!(matches!(fewer, Error::InvalidParameter { .. }), "{fewer}");
        let other = g.with_weights(&WeightScheme::Constant { p: 0.1 }).unwrap();
        refused(&c, &other, "another graph");
        // Damaged copies: every truncation to whole words, one flipped bit, foreign bytes.
        let copy = d.join("copy.ckpt");
        let c2 = config(64 * 6, 5, 1, Some(&copy));
        let broken = |b: &[u8], why: &str| {
            std::fs::write(&copy, b).unwrap();
            let err = run(&g, Model::IndependentCascade, &c2, &NoProgress).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidParameter { name, .. } if name == "checkpoint"),
                "{why}: {err}"
            );
            assert_eq!(std::fs::read(&copy).unwrap(), b, "{why}: the file changed");
        };
        for len in (0..bytes.len()).step_by(8).chain([3, bytes.len() - 1]) {
            broken(&bytes[..len], "truncated");
        }
        for at in [0, 9, 40, bytes.len() / 2, bytes.len() - 1] {
            let mut b = bytes.clone();
            b[at] ^= 0x10;
            broken(&b, "flipped");
        }
        broken(b"source,target\n1,2\n", "foreign");
        // The intact copy resumes.
        std::fs::write(&copy, &bytes).unwrap();
        let whole = run(
            &g,
            Model::IndependentCascade,
            &config(64 * 6, 5, 2, None),
            &NoProgress,
        );
        assert_eq!(
            run(&g, Model::IndependentCascade, &c2, &NoProgress).unwrap(),
            whole.unwrap()
        );
        // Ranks of a distributed run: refused on every rank, naming the path, no file made.
        let ranked = d.join("ranked.ckpt");
        let c3 = config(64 * 6, 5, 1, Some(&ranked));
        let out = crate::comm::Threads::run(2, Duration::from_secs(60), |comm| {
            Simulator::new(&g, Model::IndependentCascade, &c3)
                .unwrap()
                .run_distributed(&(0..8).collect::<Vec<u32>>(), &NoProgress, comm)
        })
        .unwrap();
        for r in out {
            match r.unwrap() {
                Err(Error::InvalidParameter { name, value, .. }) => {
                    assert_eq!(name, "checkpoint");
                    assert!(value.contains("ranked.ckpt"), "{value}");
                }
                other => panic!("a distributed run was checkpointed: {other:?}"),
            }
        }
        assert!(!ranked.exists());
        // A directory that does not exist: an I/O error before any trial runs.
        let nowhere = d.join("missing").join("run.ckpt");
        let ran = AtomicU64::new(0);
        let count = |_: &str, done: u64, _: u64| {
            ran.fetch_max(done, Ordering::Relaxed);
            true
        };
        let err = run(
            &g,
            Model::IndependentCascade,
            &config(64 * 6, 5, 1, Some(&nowhere)),
            &count,
        );
        assert!(matches!(err, Err(Error::Io { .. })), "{err:?}");
        assert_eq!(ran.load(Ordering::Relaxed), 0);
        std::fs::remove_dir_all(&d).ok();
    }
}
