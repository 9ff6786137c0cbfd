//! Monte Carlo simulation of cascades: Independent Cascade and Linear Threshold spread.
//!
//! A post of the seed accounts spreads along follow edges. Under **Independent Cascade** (IC;
//! Kempe, Kleinberg, Tardos, KDD 2003) an account activated at step `t` gets one chance to
//! activate each inactive follower `v` at step `t + 1`, succeeding with probability `p(u, v)`.
//! Under **Linear Threshold** (LT; same paper) each account `v` draws a threshold uniformly
//! from (0, 1] and activates once the probabilities (weights) of its active followees sum to at
//! least the threshold; the in-weights of each account must sum to at most 1.
//!
//! Both models are equivalent to reachability from the seeds in a random *live-edge graph*
//! (IC: each edge is live independently with its probability; LT: each account keeps at most
//! one in-edge, edge `(u, v)` with probability `p(u, v)`), and the equivalence holds step by
//! step, so a *hop horizon* `h` (a post is reshared at most `h` times) means: an account is
//! reached when its live-edge distance from the seeds is at most `h`. The seeds themselves are
//! always active and count in every spread figure.
//!
//! [`simulate`] runs trials and reports the expected spread in accounts, in people
//! (cross-platform dedup: a person is reached when any of their accounts is), in target weight
//! and per jurisdiction, each as an [`Estimate`] with standard error and 95% interval, and
//! optionally per-account activation probabilities and the spread histogram.
//!
//! ## Determinism
//! Trials run in chunks of [`CHUNK_TRIALS`]; chunk `c` draws from
//! [`rng::stream`]`(seed, c)`, chunks run in parallel, and the per-chunk statistics are merged in
//! chunk order (integers are summed, floating-point moments are folded left to right). So the
//! same seed gives bit-for-bit the same [`SpreadResult`] on any number of threads. The
//! stopping rule ([`SpreadConfigBuilder::target_rse`]) is checked only every
//! [`STOP_CHECK_TRIALS`] trials, so it stops at the same trial count on any machine, and a run
//! that stops early at `T` trials equals a run of exactly `T` trials.
//!
//! ## Speed
//! The kernels walk the frozen CSR arrays and draw 24-bit uniforms (two per 64-bit output of
//! the generator) compared with the `f32` edge probability (so an edge is live with its
//! probability rounded up to a multiple of 2⁻²⁴; 0 and 1 are exact).
//!
//! **IC runs the 64 trials of a chunk together** (`lanes`): each account holds a 64-bit mask
//! of the trials it is active in, the cascade advances one hop at a time for all of them, and
//! an account that became active in trials `m` at the last hop draws, per out-edge, one coin
//! for each trial of `m` at once (bit-sliced: about `log₂|m| + 2` generator outputs for the
//! lot). An account reached in most trials at one or two hops thus reads its out-list, and its
//! followers' probabilities and state, once or twice per chunk instead of once per trial;
//! on graphs larger than the cache those reads were most of the time (measured in
//! `docs/BENCHMARKS.md`, "IC trials as bit lanes": 2.4–4× less CPU per trial at 10M–1B
//! follows). Far ends' state is prefetched a few edges ahead and for the next accounts of the
//! hop. When all out-edges of an account share one probability (constant `p`), the live ones
//! are drawn by subset sampling or geometric skipping (see [`crate::rrset`]) once per trial of
//! `m`.
//!
//! LT runs trial by trial with a visited-stamp array (an epoch per trial, never cleared) and a
//! flat FIFO queue, prefetching adjacency a few places ahead in the queue. It keeps one
//! stamped cell per account, its threshold minus the weight of its active followees, so
//! nothing is reset between trials; a threshold is drawn for each edge and used when the edge
//! is the first to touch its account (trading draws for a predictable branch).

use crate::attrs::NONE;
use crate::error::{Error, Result};
use crate::exec::{ChunkProgress, ScratchPool};
use crate::graph::{Csr, Graph};
use crate::live_edge::{
    each_lane, list_rule, prefetch, ByTarget, Draws, EdgeProbs, ListRule, RuleTag, Same, Stamps,
};
use crate::progress::Progress;
use crate::rng;
use crate::sampling::{check_seed_set, Sampling};
use crate::stats::Moments;
use crate::weights::InPerTarget;
use lanes::{LaneCounts, Lanes};
use ndarray::Array1;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

pub use crate::stats::{Estimate, Histogram};

mod checkpoint;
mod lanes;

/// Trials per chunk: the unit of work that gets its own random stream, and under IC the trials
/// run together as the bit lanes of one `u64`.
///
/// Part of the determinism contract: changing it changes every result for a given seed.
pub const CHUNK_TRIALS: u64 = 64;

/// The stopping rule is checked after every this many trials (a multiple of [`CHUNK_TRIALS`]).
pub const STOP_CHECK_TRIALS: u64 = 1024;

/// Chunks per parallel batch when no stopping rule is set (bounds the per-batch bookkeeping).
const BATCH_CHUNKS: u64 = 1024;

/// A checkpointed run writes its file when at least this long has passed since the last
/// write, after a whole batch; its batches grow from one chunk per thread up to about this
/// much work (results do not depend on the batches).
const CHECKPOINT_EVERY: Duration = Duration::from_secs(60);

/// Tolerance on LT in-weight sums, so weights computed in `f32` (such as `1/indeg` summed
/// `indeg` times) are not rejected for rounding.
pub const LT_SUM_TOLERANCE: f64 = 1e-4;

/// The diffusion model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Model {
    /// Independent Cascade (Kempe et al. 2003): each edge gets one independent chance.
    #[serde(rename = "ic", alias = "independent_cascade")]
    IndependentCascade,
    /// Linear Threshold (Kempe et al. 2003): uniform thresholds against summed in-weights.
    #[serde(rename = "lt", alias = "linear_threshold")]
    LinearThreshold,
}

impl Model {
    /// Short name: `"ic"` or `"lt"`.
    pub fn name(self) -> &'static str {
        match self {
            Model::IndependentCascade => "ic",
            Model::LinearThreshold => "lt",
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Model {
    type Err = Error;

    /// Parses `ic` / `independent_cascade` or `lt` / `linear_threshold` (any case, `-` or `_`).
    fn from_str(s: &str) -> Result<Model> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "ic" | "independent_cascade" => Ok(Model::IndependentCascade),
            "lt" | "linear_threshold" => Ok(Model::LinearThreshold),
            _ => Err(Error::invalid_parameter(
                "model",
                s,
                "expected ic (independent cascade) or lt (linear threshold)",
            )),
        }
    }
}

/// Configuration of [`simulate`]; build it with [`SpreadConfig::builder`].
#[derive(Debug, Clone, PartialEq)]
pub struct SpreadConfig {
    trials: u64,
    sampling: Sampling,
    target_rse: Option<f64>,
    node_probabilities: bool,
    histogram: bool,
    checkpoint: Option<PathBuf>,
    /// The least time between two checkpoint writes ([`CHECKPOINT_EVERY`]; shorter in tests).
    checkpoint_every: Duration,
}

impl Default for SpreadConfig {
    fn default() -> Self {
        SpreadConfig {
            trials: 10_000,
            sampling: Sampling::default(),
            target_rse: None,
            node_probabilities: false,
            histogram: false,
            checkpoint: None,
            checkpoint_every: CHECKPOINT_EVERY,
        }
    }
}

impl SpreadConfig {
    /// A builder with the defaults: 10,000 trials, seed 0, the current rayon pool, no hop
    /// horizon, no stopping rule, no per-node probabilities, no histogram.
    pub fn builder() -> SpreadConfigBuilder {
        SpreadConfigBuilder {
            config: SpreadConfig::default(),
        }
    }
    /// Maximum number of trials.
    pub fn trials(&self) -> u64 {
        self.trials
    }
    /// Target relative standard error of the people spread, if a stopping rule is set.
    pub fn target_rse(&self) -> Option<f64> {
        self.target_rse
    }
    /// Whether per-account activation probabilities are computed.
    pub fn node_probabilities(&self) -> bool {
        self.node_probabilities
    }
    /// Whether the spread histogram is computed.
    pub fn histogram(&self) -> bool {
        self.histogram
    }
    /// The checks of the trial count and the sampling settings that the builder and every
    /// simulator make.
    fn check_trials_and_sampling(&self) -> Result<()> {
        if self.trials == 0 {
            return Err(Error::invalid_parameter(
                "trials",
                0,
                "need at least 1 trial",
            ));
        }
        crate::limits::check_range("trials", self.trials, 1, crate::limits::MAX_TRIALS)?;
        self.sampling.validate()
    }
    /// The file the run's progress is kept in, if any (see [`SpreadConfigBuilder::checkpoint`]).
    pub fn checkpoint(&self) -> Option<&Path> {
        self.checkpoint.as_deref()
    }
}

/// Builder of [`SpreadConfig`]; [`SpreadConfigBuilder::build`] validates.
#[derive(Debug, Clone)]
pub struct SpreadConfigBuilder {
    config: SpreadConfig,
}

crate::sampling::sampling_settings!(SpreadConfig, SpreadConfigBuilder, hops, subset_sampling);

impl SpreadConfigBuilder {
    /// Maximum number of trials (≥ 1); all of them run unless a stopping rule stops earlier.
    pub fn trials(mut self, trials: u64) -> Self {
        self.config.trials = trials;
        self
    }
    /// Stop once the relative standard error of the people spread is at most `rse`, in (0, 1),
    /// checked every [`STOP_CHECK_TRIALS`] trials.
    pub fn target_rse(mut self, rse: f64) -> Self {
        self.config.target_rse = Some(rse);
        self
    }
    /// Compute per-account activation probabilities.
    pub fn node_probabilities(mut self, on: bool) -> Self {
        self.config.node_probabilities = on;
        self
    }
    /// Compute the histogram of the account spread.
    pub fn histogram(mut self, on: bool) -> Self {
        self.config.histogram = on;
        self
    }
    /// Keep the run's progress in the file at `path`, so an interrupted run resumes.
    ///
    /// The merged statistics are written there at least once a minute (at whole batches of
    /// chunks), through `PATH.tmp` and a rename. A run given a path that holds a checkpoint of
    /// the same run (same graph, seeds, model and settings; threads may differ) starts after
    /// its last merged chunk, and gives the answer an uninterrupted run gives, to the last
    /// digit. The file is removed when the run completes. A file of another run is an error,
    /// never overwritten. Not available in distributed runs.
    pub fn checkpoint(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.checkpoint = Some(path.into());
        self
    }
    /// The least time between two checkpoint writes (tests write after every batch).
    #[cfg(test)]
    pub(crate) fn checkpoint_every(mut self, every: Duration) -> Self {
        self.config.checkpoint_every = every;
        self
    }

    /// Validates and returns the configuration.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for trials outside 1..=[`crate::limits::MAX_TRIALS`], invalid
    /// sampling settings
    /// ([`Sampling::validate`]) or a memory limit (Monte Carlo keeps no sample store), or a
    /// target relative standard error outside (0, 1).
    pub fn build(self) -> Result<SpreadConfig> {
        let c = self.config;
        c.check_trials_and_sampling()?;
        c.sampling
            .reject_unused("Monte Carlo spread", &["memory_limit_bytes"])?;
        if let Some(r) = c.target_rse {
            if !(r > 0.0 && r < 1.0) {
                return Err(Error::invalid_parameter(
                    "target_rse",
                    r,
                    "the target relative standard error must be in (0, 1), e.g. 0.01",
                ));
            }
        }
        Ok(c)
    }
}

/// Per-jurisdiction spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JurisdictionSpread {
    /// Jurisdiction name.
    pub jurisdiction: String,
    /// Expected number of reached people in it.
    pub people: Estimate,
    /// Expected reached target weight in it.
    pub target_weight: Estimate,
}

/// What [`simulate`] returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpreadResult {
    /// The model simulated.
    pub model: Model,
    /// The hop horizon, if any.
    pub hops: Option<u32>,
    /// Expected number of activated accounts (seeds included).
    pub accounts: Estimate,
    /// Expected number of reached people (a person counts once however many of their
    /// accounts are active).
    pub people: Estimate,
    /// Expected target weight reached (sum of reached people's weights).
    pub target_weight: Estimate,
    /// Trials actually run.
    pub trials: u64,
    /// True when the stopping rule ended the run before the maximum number of trials.
    pub stopped_early: bool,
    /// People and target weight by jurisdiction, in the order of the jurisdiction column's
    /// names; empty when the graph has no jurisdictions.
    pub by_jurisdiction: Vec<JurisdictionSpread>,
    /// Activation probability of each account (dense id order), when requested.
    pub node_probabilities: Option<Array1<f64>>,
    /// Histogram of the account spread, when requested.
    pub histogram: Option<Histogram>,
}

/// Rejects NaN probabilities and, for LT, in-weight sums over 1.
///
/// # Errors
/// [`Error::InvalidProbability`] naming the edge, [`Error::LtWeightsExceedOne`] naming the node.
pub(crate) fn validate_model(graph: &Graph, model: Model) -> Result<()> {
    let n = graph.node_count();
    let too_heavy = |probs: &mut dyn Iterator<Item = f32>| lt_too_heavy(model, probs);
    if let Some(r) = graph.in_per_target() {
        // Weighted cascade passes at every in-degree (`per_target_fails`), and so does an IC
        // constant in [0, 1]: no pass over the accounts (at a billion edges, a read of 133M
        // in-degrees before every run).
        let passes_every_degree = match r {
            InPerTarget::WeightedCascade => true,
            InPerTarget::Constant(p) => {
                model == Model::IndependentCascade && (0.0..=1.0).contains(&p)
            }
        };
        if passes_every_degree {
            return Ok(());
        }
        // One probability per account: checked without the in-order array (same sums).
        let topo = graph.topology();
        let bad = (0..n as u32)
            .into_par_iter()
            .find_first(|&v| per_target_fails(r, model, topo.in_degree(v)));
        let Some(v) = bad else { return Ok(()) };
        let probs = vec![r.of(topo, v); topo.in_degree(v)];
        return invalid_in_edges(
            graph,
            v,
            graph.in_csr_without_probabilities().neighbors(v),
            &probs,
        );
    }
    let inc = graph.in_csr();
    let bad = (0..n as u32).into_par_iter().find_first(|&v| {
        let probs = inc.probs(v);
        probs.iter().any(|p| !(0.0..=1.0).contains(p)) || too_heavy(&mut probs.iter().copied())
    });
    let Some(v) = bad else { return Ok(()) };
    invalid_in_edges(graph, v, inc.neighbors(v), inc.probs(v))
}

/// True when in-weights `probs` sum over `1 + `[`LT_SUM_TOLERANCE`] under LT.
fn lt_too_heavy(model: Model, probs: &mut dyn Iterator<Item = f32>) -> bool {
    model == Model::LinearThreshold && probs.map(|p| p as f64).sum::<f64>() > 1.0 + LT_SUM_TOLERANCE
}

/// True when an account of in-degree `degree` fails [`validate_model`] under the per-target
/// rule `r`: a probability outside [0, 1], or, for LT, in-weights summing over 1.
///
/// Never under weighted cascade: `1 / d` rounded to `f32` lies in (0, 1] for every `d ≥ 1`,
/// and `d` copies of it sum to 1 within `2^-24` (the rounding of `1 / d`) plus `d · 2^-53`
/// (the sum's), below `10^-6` for any `d < 2^32`, far inside the tolerance.
fn per_target_fails(r: InPerTarget, model: Model, degree: usize) -> bool {
    let p = r.of_degree(degree);
    degree > 0
        && (!(0.0..=1.0).contains(&p) || lt_too_heavy(model, &mut std::iter::repeat_n(p, degree)))
}

/// The error for account `v` whose in-edges (`sources`, `probs`) failed [`validate_model`].
fn invalid_in_edges(graph: &Graph, v: u32, sources: &[u32], probs: &[f32]) -> Result<()> {
    if let Some(i) = probs.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(Error::InvalidProbability {
            from: graph.label(sources[i]),
            to: graph.label(v),
            value: probs[i] as f64,
        });
    }
    Err(Error::LtWeightsExceedOne {
        node: graph.label(v),
        sum: probs.iter().map(|&p| p as f64).sum(),
    })
}

/// Per-worker scratch of the forward simulation.
struct SimScratch {
    /// IC: the chunk's trials as bit lanes.
    lanes: Lanes,
    /// LT: the stamps and queue of one trial.
    stamps: Stamps,
    /// LT: per account (touch epoch, threshold, accumulated in-weight of active followees).
    lt: Vec<LtCell>,
    /// LT: person stamps, when accounts and people differ.
    person_stamp: Vec<u32>,
    /// IC: per person, the lanes in which one of their accounts was counted (zero between
    /// chunks), when accounts and people differ.
    person_lanes: Vec<u64>,
    /// IC: the people with bits in `person_lanes`.
    person_touched: Vec<u32>,
    /// Activation counts per account, when requested.
    counts: Vec<u64>,
    jur_people: Vec<u32>,
    jur_weight: Vec<f64>,
    /// IC: people counts per jurisdiction and lane.
    jur_lanes: Vec<LaneCounts>,
}

/// LT state of an account in one trial: its threshold minus the weight of its active
/// followees, valid when `touch` is the trial's epoch.
#[derive(Debug, Clone, Copy, Default)]
struct LtCell {
    touch: u32,
    rem: f32,
}

/// Statistics of one chunk of trials.
struct ChunkStats {
    accounts: Moments,
    people: Moments,
    weight: Moments,
    jur_people: Vec<Moments>,
    jur_weight: Vec<Moments>,
    spreads: Vec<u32>,
}

impl ChunkStats {
    /// The statistics as bytes, for another rank ([`ChunkStats::decode`] reads them).
    fn encode(&self, out: &mut Vec<u8>) {
        for m in [&self.accounts, &self.people, &self.weight] {
            m.encode(out);
        }
        for ms in [&self.jur_people, &self.jur_weight] {
            crate::comm::put(out, ms.len() as u64);
            ms.iter().for_each(|m| m.encode(out));
        }
        crate::comm::put_all(out, self.spreads.iter().map(|&x| u64::from(x)));
    }
    fn decode(b: &mut crate::comm::Words<'_>) -> Option<ChunkStats> {
        Some(ChunkStats {
            accounts: Moments::decode(b)?,
            people: Moments::decode(b)?,
            weight: Moments::decode(b)?,
            jur_people: b.vec(Moments::decode)?,
            jur_weight: b.vec(Moments::decode)?,
            spreads: b.vec(|b| b.next().and_then(|x| u32::try_from(x).ok()))?,
        })
    }
}

/// Above this many edges, forward cascades under weighted cascade read one probability per
/// target account (4 bytes per account, and a 1-byte rule tag per account under IC), and under
/// a constant the one number, instead of making the graph compute and hold the out-order array
/// (4 bytes per edge, 1 GiB at this size). The trials are the same either way; the trade under
/// weighted cascade is memory against time: each edge then reads `p(v)` at a random place, a
/// second cache miss beside the account's stamp. Measured at 100M edges (weighted cascade, 16
/// trials from the 50 largest, 2 threads): the array 40.3 s and 2,296 MiB peak, per target
/// 52.9 s and 1,965 MiB; at a billion edges the array (4 GB) does not fit beside the rest of a
/// 24 GiB machine's run.
pub(crate) const PER_TARGET_MIN_EDGES: usize = 1 << 28;

/// Everything a trial needs that does not change between trials.
struct Sim<'a> {
    /// The out-edges; their `probs` are empty unless `probs` is [`OutProbs::Array`].
    out: Csr<'a>,
    probs: OutProbs<'a>,
    /// The subset/skip shortcuts setting the rules were made with.
    shortcuts: bool,
    model: Model,
    max_level: u32,
    seeds: &'a [u32],
    of_account: &'a [u32],
    person_weight: &'a [f32],
    person_jur: &'a [u32],
    people_count: usize,
    identity_people: bool,
    unit_weights: bool,
    jurisdictions: usize,
    node_counts: bool,
    histogram: bool,
}

/// Where the out-edge probabilities come from, with the IC sampling rule of every out-list
/// (no rules under LT).
enum Probs {
    /// The graph's out-order array; one stored rule per account.
    Array(Vec<ListRule>),
    /// One probability per target account ([`ByTarget`]: weighted cascade without the
    /// out-order array, see [`PER_TARGET_MIN_EDGES`]); one rule tag per account (1 byte, where
    /// a stored rule takes 24: 3.2 GB at 133M accounts).
    ByTarget(Vec<f32>, Vec<RuleTag>),
    /// One probability for every edge (a constant without the out-order array): the rule of a
    /// list is the [`uniform_rule`] of its length, computed on each visit, so nothing is held
    /// per account.
    Same(f32),
}

/// [`Probs`] as a trial reads them.
#[derive(Clone, Copy)]
enum OutProbs<'a> {
    Array(&'a [ListRule]),
    ByTarget(&'a [f32], &'a [RuleTag]),
    Same(f32),
}

impl OutProbs<'_> {
    /// Whether the probabilities are held per target account (read at random, edge by edge).
    #[inline(always)]
    fn per_target(self) -> bool {
        matches!(self, OutProbs::ByTarget(..))
    }

    /// Prefetches the probability of the edges into account `v`, when it is held per target.
    #[inline(always)]
    fn prefetch_target(self, v: u32) {
        if let OutProbs::ByTarget(t, _) = self {
            ByTarget(t).prefetch(v);
        }
    }

    /// Prefetches the rule of account `w`'s out-list, when one is held.
    #[inline(always)]
    fn prefetch_rule(self, w: u32) {
        match self {
            OutProbs::Array(r) => prefetch(&r[w as usize]),
            OutProbs::ByTarget(_, tags) => prefetch(&tags[w as usize]),
            OutProbs::Same(_) => {}
        }
    }
}

/// Prefetches the start of account `w`'s out-list and, when held, of its probabilities.
#[inline(always)]
fn prefetch_list(out: Csr<'_>, w: u32) {
    let lo = out.offsets[w as usize];
    if let Some(a) = out.neighbors.get(lo) {
        prefetch(a);
    }
    if let Some(b) = out.probs.get(lo) {
        prefetch(b);
    }
}

/// The LT edges of one out-list (far end and weight): adds each weight to its account's
/// running total and activates the account when the total reaches its threshold.
#[inline(always)]
fn lt_expand(
    edges: impl Iterator<Item = (u32, f32)>,
    lt: &mut [LtCell],
    epoch: u32,
    d: &mut Draws,
    queue: &mut Vec<u32>,
) {
    for (v, w) in edges {
        let c = &mut lt[v as usize];
        // The threshold of an account first touched in this trial, in (0, 1] so that zero
        // weight never activates. Drawn for every edge (used only on first touch) so that the
        // code has no unpredictable branch.
        let theta = 1.0 - d.unit_f32();
        let rem = if c.touch == epoch { c.rem } else { theta } - w;
        c.touch = epoch;
        c.rem = rem;
        if rem <= 0.0 {
            c.rem = f32::INFINITY;
            queue.push(v);
        }
    }
}

impl Sim<'_> {
    fn scratch(&self) -> SimScratch {
        let n = self.out.offsets.len() - 1;
        let lt = self.model == Model::LinearThreshold;
        SimScratch {
            lanes: Lanes::new(if lt { 0 } else { n }),
            stamps: Stamps::new(if lt { n } else { 0 }),
            lt: if lt {
                vec![LtCell::default(); n]
            } else {
                Vec::new()
            },
            person_stamp: if self.identity_people || !lt {
                Vec::new()
            } else {
                vec![0; self.people_count]
            },
            person_lanes: if self.identity_people || lt {
                Vec::new()
            } else {
                vec![0; self.people_count]
            },
            person_touched: Vec::new(),
            counts: if self.node_counts {
                vec![0; n]
            } else {
                Vec::new()
            },
            jur_people: vec![0; if lt { self.jurisdictions } else { 0 }],
            // IC: a slot per jurisdiction and lane.
            jur_weight: vec![0.0; self.jurisdictions * if lt { 1 } else { CHUNK_TRIALS as usize }],
            jur_lanes: vec![LaneCounts::default(); if lt { 0 } else { self.jurisdictions }],
        }
    }

    /// One LT cascade with lazily drawn thresholds; activated accounts are left in `queue`.
    fn lt_trial(&self, s: &mut Stamps, lt: &mut [LtCell], d: &mut Draws) {
        let epoch = s.next_epoch();
        let out = self.out;
        let queue = &mut s.queue;
        for &v in self.seeds {
            // An infinite remaining weight marks an active account: it never re-activates.
            lt[v as usize] = LtCell {
                touch: epoch,
                rem: f32::INFINITY,
            };
            queue.push(v);
        }
        let mut head = 0;
        let mut level = 0u32;
        let mut level_end = queue.len();
        while head < queue.len() {
            if head == level_end {
                level += 1;
                level_end = queue.len();
            }
            if level >= self.max_level {
                break;
            }
            if let Some(&w) = queue.get(head + 16) {
                prefetch(&out.offsets[w as usize]);
            }
            if let Some(&w) = queue.get(head + 8) {
                prefetch_list(out, w);
            }
            let u = queue[head] as usize;
            head += 1;
            let (lo, hi) = (out.offsets[u], out.offsets[u + 1]);
            let ends = &out.neighbors[lo..hi];
            match self.probs {
                OutProbs::Array(_) => lt_expand(out.probs[lo..hi].edges(ends), lt, epoch, d, queue),
                OutProbs::ByTarget(t, _) => lt_expand(ByTarget(t).edges(ends), lt, epoch, d, queue),
                OutProbs::Same(p) => lt_expand(Same(p).edges(ends), lt, epoch, d, queue),
            }
        }
    }

    /// Runs the first `trials` LT trials of chunk `chunk` (stream `(seed, chunk)`), calling
    /// `each` after every trial with the activated accounts left in `s.stamps.queue`.
    fn run_lt_trials(
        &self,
        chunk: u64,
        trials: u64,
        seed: u64,
        s: &mut SimScratch,
        mut each: impl FnMut(&mut SimScratch),
    ) {
        let mut d = Draws::new(rng::stream(seed, chunk));
        for _ in 0..trials {
            if s.stamps.epoch == u32::MAX {
                // The account stamps are about to wrap; stamps sharing their epoch must too.
                s.lt.iter_mut().for_each(|c| *c = LtCell::default());
                s.person_stamp.iter_mut().for_each(|x| *x = 0);
            }
            self.lt_trial(&mut s.stamps, &mut s.lt, &mut d);
            each(s);
        }
    }

    /// Runs the first `trials` IC trials of chunk `chunk` (stream `(seed, chunk)`) together,
    /// one bit lane each, leaving them in `s.lanes` (reset it after reading).
    fn run_ic_lanes(&self, chunk: u64, trials: u64, seed: u64, s: &mut Lanes) {
        const { assert!(CHUNK_TRIALS <= u64::BITS as u64) };
        debug_assert!((1..=CHUNK_TRIALS).contains(&trials));
        let all = u64::MAX >> (u64::BITS - trials as u32);
        let mut d = Draws::new(rng::stream(seed, chunk));
        self.ic_lanes(all, s, &mut d);
    }

    fn run_chunk(&self, chunk: u64, trials: u64, seed: u64, s: &mut SimScratch) -> ChunkStats {
        let mut st = ChunkStats {
            accounts: Moments::default(),
            people: Moments::default(),
            weight: Moments::default(),
            jur_people: vec![Moments::default(); self.jurisdictions],
            jur_weight: vec![Moments::default(); self.jurisdictions],
            spreads: Vec::with_capacity(if self.histogram { trials as usize } else { 0 }),
        };
        if self.model == Model::IndependentCascade {
            self.run_ic_lanes(chunk, trials, seed, &mut s.lanes);
            self.tally_lanes(trials as usize, s, &mut st);
            s.lanes.reset();
            return st;
        }
        self.run_lt_trials(chunk, trials, seed, s, |s| {
            let active = &s.stamps.queue;
            let accounts = active.len() as u32;
            if self.node_counts {
                for &v in active {
                    s.counts[v as usize] += 1;
                }
            }
            let (people, weight) = self.tally(
                active,
                s.stamps.epoch,
                &mut s.person_stamp,
                &mut s.jur_people,
                &mut s.jur_weight,
            );
            st.accounts.push(accounts as f64);
            st.people.push(people as f64);
            st.weight.push(weight);
            for j in 0..self.jurisdictions {
                st.jur_people[j].push(s.jur_people[j] as f64);
                st.jur_weight[j].push(s.jur_weight[j]);
            }
            if self.histogram {
                st.spreads.push(accounts);
            }
        });
        st
    }

    /// Adds to `st` the statistics of the first `trials` lanes left in `s.lanes`, lane by
    /// lane in order: accounts, people (a person counts in a lane once, at the first of their
    /// accounts active in it), target weight and jurisdictions, as [`Sim::tally`] does for
    /// one trial.
    fn tally_lanes(&self, trials: usize, s: &mut SimScratch, st: &mut ChunkStats) {
        const L: usize = CHUNK_TRIALS as usize;
        let plain = self.identity_people && self.unit_weights && self.jurisdictions == 0;
        let mut accounts = LaneCounts::default();
        let mut people = LaneCounts::default();
        // Per-lane weights, only when they are not the people counts.
        let mut weight = [0f64; L];
        s.jur_lanes
            .iter_mut()
            .for_each(|c| *c = LaneCounts::default());
        // Lane `l` of jurisdiction `j` at `j · L + l`.
        s.jur_weight.iter_mut().for_each(|x| *x = 0.0);
        s.lanes.for_each_active(self.seeds, |v, a| {
            if self.node_counts {
                s.counts[v as usize] += u64::from(a.count_ones());
            }
            accounts.add(a);
            if plain {
                return;
            }
            let p = self.of_account[v as usize] as usize;
            let new = if self.identity_people {
                a
            } else {
                let seen = &mut s.person_lanes[p];
                let new = a & !*seen;
                if *seen == 0 && new != 0 {
                    s.person_touched.push(p as u32);
                }
                *seen |= new;
                new
            };
            if new == 0 {
                return;
            }
            people.add(new);
            let j = self.person_jur[p];
            if j != NONE {
                s.jur_lanes[j as usize].add(new);
            }
            if !self.unit_weights {
                let w = self.person_weight[p] as f64;
                each_lane(new, |bit| {
                    let l = bit.trailing_zeros() as usize;
                    weight[l] += w;
                    if j != NONE {
                        s.jur_weight[j as usize * L + l] += w;
                    }
                });
            }
        });
        for &p in &s.person_touched {
            s.person_lanes[p as usize] = 0;
        }
        s.person_touched.clear();
        for (l, &w) in weight.iter().enumerate().take(trials) {
            let n = accounts.get(l);
            let k = if plain { n } else { people.get(l) };
            st.accounts.push(n as f64);
            st.people.push(k as f64);
            st.weight.push(if self.unit_weights { k as f64 } else { w });
            for j in 0..self.jurisdictions {
                let c = s.jur_lanes[j].get(l) as f64;
                st.jur_people[j].push(c);
                st.jur_weight[j].push(if self.unit_weights {
                    c
                } else {
                    s.jur_weight[j * L + l]
                });
            }
            if self.histogram {
                st.spreads.push(n as u32);
            }
        }
    }

    /// People, target weight and per-jurisdiction tallies of one trial's active accounts.
    fn tally(
        &self,
        active: &[u32],
        epoch: u32,
        person_stamp: &mut [u32],
        jur_people: &mut [u32],
        jur_weight: &mut [f64],
    ) -> (u64, f64) {
        if self.identity_people && self.unit_weights && self.jurisdictions == 0 {
            return (active.len() as u64, active.len() as f64);
        }
        jur_people.iter_mut().for_each(|x| *x = 0);
        jur_weight.iter_mut().for_each(|x| *x = 0.0);
        let mut people = 0u64;
        let mut weight = 0f64;
        for &v in active {
            let p = self.of_account[v as usize] as usize;
            if !self.identity_people {
                // Person stamps share the account epoch: both are fresh each trial.
                if person_stamp[p] == epoch {
                    continue;
                }
                person_stamp[p] = epoch;
            }
            people += 1;
            let w = self.person_weight[p] as f64;
            weight += w;
            let j = self.person_jur[p];
            if j != NONE {
                jur_people[j as usize] += 1;
                jur_weight[j as usize] += w;
            }
        }
        (people, weight)
    }
}

/// Monte Carlo estimate of the spread of `seeds` under `model`.
///
/// Runs up to `config.trials()` cascades from the seed accounts (which are always active) and
/// reports the expected spread in accounts, people and target weight, per jurisdiction, and
/// optionally per-account activation probabilities and the histogram of the account spread.
/// See the [module docs](self) for the models (Kempe, Kleinberg, Tardos, KDD 2003), the hop
/// horizon and the determinism rule.
///
/// # Arguments
/// - `graph`: the follower graph with its probabilities set (see [`Graph::set_weights`]);
/// - `seeds`: dense ids of the seed accounts (distinct, at least one);
/// - `model`: IC or LT;
/// - `config`: trials, seed, threads, hop horizon, stopping rule, optional outputs;
/// - `progress`: told `("cascade", trials done, max trials)` after each chunk of trials;
///   returning `false` cancels.
///
/// # Returns
/// A [`SpreadResult`]; identical for the same seed on any number of threads.
///
/// # Errors
/// [`Error::Empty`] for no seeds; [`Error::UnknownNode`] / [`Error::DuplicateNode`] for bad
/// seeds; [`Error::InvalidProbability`] for a NaN probability; [`Error::LtWeightsExceedOne`]
/// for LT when a node's in-weights sum over `1 + `[`LT_SUM_TOLERANCE`];
/// [`Error::InvalidParameter`] when the thread pool cannot be built; [`Error::Cancelled`].
///
/// # Complexity
/// O(trials · (edges out of the activated accounts)) time; O(n) memory per thread, plus
/// O(n) for node probabilities and O(trials) for the histogram.
///
/// # Example
/// ```
/// use reachgraph_core::{GraphBuilder, GraphOptions, NoProgress};
/// use reachgraph_core::cascade::{simulate, Model, SpreadConfig};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// b.add_edge("a", "b", Some(0.5)).unwrap();
/// b.add_edge("b", "c", Some(0.5)).unwrap();
/// let (g, _) = b.build().unwrap();
/// let config = SpreadConfig::builder().trials(20_000).seed(7).build().unwrap();
/// let r = simulate(&g, &[g.node("a").unwrap()], Model::IndependentCascade, &config,
///                  &NoProgress).unwrap();
/// // exact: 1 + 0.5 + 0.25
/// assert!((r.accounts.mean - 1.75).abs() < 4.0 * r.accounts.stderr);
/// ```
pub fn simulate(
    graph: &Graph,
    seeds: &[u32],
    model: Model,
    config: &SpreadConfig,
    progress: &dyn Progress,
) -> Result<SpreadResult> {
    check_seed_set(graph, seeds)?;
    Simulator::new(graph, model, config)?.run(seeds, progress)
}

/// [`simulate`] over the ranks of `comm`, with the same [`SpreadResult`] on every rank and
/// for any number of ranks; see [`Simulator::run_distributed`].
///
/// # Errors
/// As [`Simulator::run_distributed`].
///
/// # Example
/// ```
/// use reachgraph_core::{comm::{Threads, DEFAULT_TIMEOUT}, GraphBuilder, GraphOptions, NoProgress};
/// use reachgraph_core::cascade::{simulate, simulate_distributed, Model, SpreadConfig};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// b.add_edge("a", "b", Some(0.5)).unwrap();
/// let (g, _) = b.build().unwrap();
/// let config = SpreadConfig::builder().trials(5_000).seed(7).build().unwrap();
/// let a = [g.node("a").unwrap()];
/// let one = simulate(&g, &a, Model::IndependentCascade, &config, &NoProgress).unwrap();
/// let ranks = Threads::run(3, DEFAULT_TIMEOUT, |c| {
///     simulate_distributed(&g, &a, Model::IndependentCascade, &config, &NoProgress, c)
/// }).unwrap();
/// for r in ranks {
///     assert_eq!(r.unwrap().unwrap(), one);
/// }
/// ```
pub fn simulate_distributed(
    graph: &Graph,
    seeds: &[u32],
    model: Model,
    config: &SpreadConfig,
    progress: &dyn Progress,
    comm: &dyn crate::comm::Comm,
) -> Result<SpreadResult> {
    crate::comm::agree(comm, check_seed_set(graph, seeds))?;
    let sim = crate::comm::agree(comm, Simulator::new(graph, model, config))?;
    sim.run_distributed(seeds, progress, comm)
}

/// A reusable Monte Carlo simulator: [`simulate`] with the per-graph preparation (probability
/// checks, per-account sampling rules, the thread pool) done once, for callers that simulate
/// many seed sets on one graph (a Monte Carlo greedy, a what-if loop).
///
/// ```
/// use reachgraph_core::{GraphBuilder, GraphOptions, NoProgress};
/// use reachgraph_core::cascade::{Model, SpreadConfig, Simulator};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// b.add_edge("a", "b", Some(0.5)).unwrap();
/// b.add_edge("c", "b", Some(0.5)).unwrap();
/// let (g, _) = b.build().unwrap();
/// let config = SpreadConfig::builder().trials(1_000).seed(1).build().unwrap();
/// let sim = Simulator::new(&g, Model::LinearThreshold, &config).unwrap();
/// let one = sim.run(&[g.node("a").unwrap()], &NoProgress).unwrap();
/// let two = sim.run(&[g.node("a").unwrap(), g.node("c").unwrap()], &NoProgress).unwrap();
/// assert_eq!(two.accounts.mean, 3.0); // LT: b's weights sum to 1
/// assert!(one.accounts.mean < two.accounts.mean);
/// ```
pub struct Simulator<'g> {
    graph: &'g Graph,
    model: Model,
    config: SpreadConfig,
    probs: Probs,
    identity_people: bool,
    unit_weights: bool,
    pool: Option<rayon::ThreadPool>,
}

impl std::fmt::Debug for Simulator<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("nodes", &self.graph.node_count())
            .field("model", &self.model)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<'g> Simulator<'g> {
    /// Validates the graph's probabilities for `model` and prepares the sampling rules.
    ///
    /// # Errors
    /// [`Error::InvalidProbability`], [`Error::LtWeightsExceedOne`], and
    /// [`Error::InvalidParameter`] for a configuration that bypassed the builder's checks or a
    /// thread pool that cannot be built.
    ///
    /// # Complexity
    /// O(n + m), parallel over accounts.
    pub fn new(graph: &'g Graph, model: Model, config: &SpreadConfig) -> Result<Simulator<'g>> {
        let per_target = graph
            .out_per_target()
            .filter(|_| graph.edge_count() > PER_TARGET_MIN_EDGES);
        Self::with_per_target(graph, model, config, per_target)
    }

    /// [`Simulator::new`] reading the edge probabilities from `per_target` (one value per
    /// target account, which must be the scheme in force) instead of the out-order array.
    fn with_per_target(
        graph: &'g Graph,
        model: Model,
        config: &SpreadConfig,
        per_target: Option<InPerTarget>,
    ) -> Result<Simulator<'g>> {
        // Guard against configurations assembled without the builder's checks.
        config.check_trials_and_sampling()?;
        validate_model(graph, model)?;
        let n = graph.node_count();
        let people = graph.people();
        let shortcuts = config.sampling.subset_sampling;
        let ic = model == Model::IndependentCascade;
        // Large graphs under weighted cascade and constants: one probability per target
        // account (4 bytes per account), or the one constant, instead of the out-order array
        // (4 bytes per edge: 4 GB at a billion edges). The values are the array's bit for bit,
        // so the trials are the same ([`PER_TARGET_MIN_EDGES`]).
        let probs = match per_target {
            None => Probs::Array(if ic {
                let out = graph.out_csr();
                (0..n as u32)
                    .into_par_iter()
                    .map(|u| list_rule(out.neighbors(u), out.probs(u), shortcuts))
                    .collect()
            } else {
                Vec::new()
            }),
            Some(InPerTarget::Constant(p)) => Probs::Same(p),
            Some(r @ InPerTarget::WeightedCascade) => {
                let topo = graph.topology();
                // Read at a random place per edge: on huge pages (`pages`), filled after.
                let mut t = crate::pages::huge(vec![0f32; n]);
                t.par_iter_mut()
                    .enumerate()
                    .for_each(|(v, p)| *p = r.of(topo, v as u32));
                let tags = if ic {
                    let out = graph.out_csr_without_probabilities();
                    (0..n as u32)
                        .into_par_iter()
                        .map(|u| RuleTag::of(list_rule(out.neighbors(u), ByTarget(&t), shortcuts)))
                        .collect()
                } else {
                    Vec::new()
                };
                Probs::ByTarget(t, tags)
            }
        };
        let pool = config.sampling.pool()?;
        Ok(Simulator {
            graph,
            model,
            config: config.clone(),
            probs,
            identity_people: people.count == n
                && people
                    .of_account
                    .iter()
                    .enumerate()
                    .all(|(i, &p)| p as usize == i),
            unit_weights: people.weight.iter().all(|&w| w == 1.0),
            pool,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SpreadConfig {
        &self.config
    }

    /// Simulates the spread of `seeds`; see [`simulate`] for arguments, result and errors.
    pub fn run(&self, seeds: &[u32], progress: &dyn Progress) -> Result<SpreadResult> {
        check_seed_set(self.graph, seeds)?;
        self.run_inner(seeds, progress, &crate::comm::Local)
    }

    /// [`Simulator::run`] over the ranks of `comm`: ranks run contiguous blocks of each
    /// batch's chunks (streams keyed by the global chunk index, never the rank), exchange the
    /// per-chunk statistics and merge them in chunk order, so every rank returns exactly the
    /// [`SpreadResult`] of [`Simulator::run`] on any number of ranks.
    ///
    /// # Errors
    /// As [`Simulator::run`], on every rank when any fails ([`Error::RankFailed`] on the
    /// others); [`Error::RankMismatch`] when the ranks' graphs, seeds or configurations
    /// differ; [`Error::Communication`].
    pub fn run_distributed(
        &self,
        seeds: &[u32],
        progress: &dyn Progress,
        comm: &dyn crate::comm::Comm,
    ) -> Result<SpreadResult> {
        crate::comm::agree(comm, check_seed_set(self.graph, seeds))?;
        crate::comm::check_inputs(
            comm,
            Some(self.graph),
            &format!(
                "spread {:?} {:?} {seeds:?}",
                self.model,
                // Threads do not change the answer: ranks may use different counts.
                SpreadConfig {
                    sampling: self.config.sampling.with_threads(None),
                    ..self.config.clone()
                }
            ),
        )?;
        self.run_inner(seeds, progress, comm)
    }

    fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        match &self.pool {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }

    /// The per-run view of the simulator for `seeds`.
    fn sim<'a>(&'a self, seeds: &'a [u32]) -> Sim<'a> {
        let people = self.graph.people();
        Sim {
            out: match self.probs {
                Probs::Array(_) => self.graph.out_csr(),
                _ => self.graph.out_csr_without_probabilities(),
            },
            probs: match &self.probs {
                Probs::Array(rules) => OutProbs::Array(rules),
                Probs::ByTarget(t, tags) => OutProbs::ByTarget(t, tags),
                Probs::Same(p) => OutProbs::Same(*p),
            },
            shortcuts: self.config.sampling.subset_sampling,
            model: self.model,
            max_level: self.config.sampling.hops.unwrap_or(u32::MAX),
            seeds,
            of_account: &people.of_account,
            person_weight: &people.weight,
            person_jur: &people.jurisdiction,
            people_count: people.count,
            identity_people: self.identity_people,
            unit_weights: self.unit_weights,
            jurisdictions: self.graph.attributes().jurisdiction.names.len(),
            node_counts: self.config.node_probabilities,
            histogram: self.config.histogram,
        }
    }

    /// A runner that hands each trial's activated accounts to the caller, for callers that
    /// need more than the spread statistics (the margin simulation turns them into votes).
    ///
    /// Chunk `c` draws from [`rng::stream`]`(seed, c)`, whatever thread runs it. Asked for as
    /// many trials as [`Simulator::run`] runs in that chunk ([`CHUNK_TRIALS`], fewer in a last
    /// partial chunk), trial `t` of chunk `c` is the trial `run` draws as `c · CHUNK_TRIALS + t`.
    /// Under IC a chunk's trials are drawn together (bit lanes), so asking for fewer gives
    /// other trials, not the first ones of the full chunk.
    /// Use one runner per worker thread (it owns `O(n)` scratch); the caller parallelises over
    /// chunks and combines results in chunk order.
    ///
    /// # Errors
    /// [`Error::Empty`], [`Error::UnknownNode`], [`Error::DuplicateNode`] for a bad seed set.
    pub fn trial_runner<'a>(&'a self, seeds: &'a [u32]) -> Result<TrialRunner<'a>> {
        check_seed_set(self.graph, seeds)?;
        let sim = self.sim(seeds);
        let scratch = sim.scratch();
        Ok(TrialRunner {
            sim,
            scratch,
            seed: self.config.sampling.seed,
        })
    }

    fn run_inner(
        &self,
        seeds: &[u32],
        progress: &dyn Progress,
        comm: &dyn crate::comm::Comm,
    ) -> Result<SpreadResult> {
        let (graph, model, config) = (self.graph, self.model, &self.config);
        let n = graph.node_count();
        let jur_names = &graph.attributes().jurisdiction.names;
        let sim = self.sim(seeds);

        let total_chunks = config.trials.div_ceil(CHUNK_TRIALS);
        let ckpt = match &config.checkpoint {
            Some(path) if comm.size() > 1 => {
                return Err(Error::invalid_parameter(
                    "checkpoint",
                    path.display(),
                    "a distributed run cannot be checkpointed; run it in one process",
                ))
            }
            Some(path) => Some((
                path.as_path(),
                checkpoint::Key::new(graph, seeds, model, config),
            )),
            None => None,
        };
        let mut batch = if config.target_rse.is_some() {
            STOP_CHECK_TRIALS / CHUNK_TRIALS
        } else if ckpt.is_some() {
            // Checkpointed: start small, so the first write comes early (see the loop).
            self.install(rayon::current_num_threads).max(1) as u64
        } else {
            BATCH_CHUNKS
        };
        let chunk_trials = |c: u64| CHUNK_TRIALS.min(config.trials - c * CHUNK_TRIALS);
        let pool = ScratchPool::new();
        let report = ChunkProgress::new(progress, "cascade", config.trials);
        if !report.start(0) {
            return Err(Error::Cancelled);
        }
        let mut acc = ChunkStats {
            accounts: Moments::default(),
            people: Moments::default(),
            weight: Moments::default(),
            jur_people: vec![Moments::default(); sim.jurisdictions],
            jur_weight: vec![Moments::default(); sim.jurisdictions],
            spreads: Vec::new(),
        };
        // Trials per account-spread value (memory by distinct values, not by trials).
        let mut spread_counts = BTreeMap::new();
        let mut stopped_early = false;
        let mut next = 0u64;
        // Activation counts of the chunks a checkpoint holds (the workers' scratch counts the
        // rest).
        let mut saved_counts: Option<Vec<u64>> = None;
        if let Some((path, key)) = ckpt {
            match checkpoint::read(path, key, sim.jurisdictions, n, config.node_probabilities)? {
                Some(state) => {
                    next = state.next;
                    acc = state.acc;
                    spread_counts = state.spread_counts;
                    saved_counts = state.node_counts;
                    // The progress goes on from the trials already done.
                    if !report.start(acc.accounts.count()) {
                        return Err(Error::Cancelled);
                    }
                }
                None => {
                    // Written at once, so a path that cannot be written fails now, not a
                    // minute into the run.
                    let zeros = config.node_probabilities.then(|| vec![0u64; n]);
                    let state =
                        checkpoint::Saved::new(next, &acc, &spread_counts, zeros.as_deref());
                    checkpoint::write(path, key, state)?;
                }
            }
        }
        let mut last_write = Instant::now();
        while next < total_chunks {
            let batch_start = Instant::now();
            let end = (next + batch).min(total_chunks);
            // This rank's block of the batch's chunks (all of them on one rank).
            let mine = crate::comm::block(end - next, comm.rank(), comm.size());
            let local: Vec<Option<ChunkStats>> = self.install(|| {
                (next + mine.start..next + mine.end)
                    .into_par_iter()
                    .map(|c| {
                        if report.cancelled() {
                            return None;
                        }
                        let mut s = pool.take(|| sim.scratch());
                        let t = chunk_trials(c);
                        let st = sim.run_chunk(c, t, config.sampling.seed, &mut s);
                        pool.give(s);
                        report.add(t);
                        Some(st)
                    })
                    .collect()
            });
            let cancelled = if report.cancelled() {
                Err(Error::Cancelled)
            } else {
                Ok(())
            };
            crate::comm::agree(comm, cancelled)?;
            let results: Vec<ChunkStats> = crate::comm::exchange_parts(
                comm,
                local.into_iter().flatten().collect(),
                ChunkStats::encode,
                ChunkStats::decode,
            )?;
            // Merge strictly in chunk order.
            for st in results {
                acc.accounts.merge(&st.accounts);
                acc.people.merge(&st.people);
                acc.weight.merge(&st.weight);
                for j in 0..sim.jurisdictions {
                    acc.jur_people[j].merge(&st.jur_people[j]);
                    acc.jur_weight[j].merge(&st.jur_weight[j]);
                }
                for &v in &st.spreads {
                    *spread_counts.entry(v).or_insert(0) += 1;
                }
            }
            next = end;
            if let Some(target) = config.target_rse {
                if next < total_chunks && acc.people.estimate().relative_stderr() <= target {
                    stopped_early = true;
                    break;
                }
            }
            if let Some((path, key)) = ckpt {
                if next < total_chunks && last_write.elapsed() >= config.checkpoint_every {
                    let counts = config
                        .node_probabilities
                        .then(|| sum_counts(saved_counts.as_deref(), &pool, n));
                    let state =
                        checkpoint::Saved::new(next, &acc, &spread_counts, counts.as_deref());
                    checkpoint::write(path, key, state)?;
                    last_write = Instant::now();
                }
                // Without a stopping rule (whose checks fix the batches), grow the batches
                // while one takes under half the interval.
                if config.target_rse.is_none()
                    && batch_start.elapsed() < config.checkpoint_every / 2
                {
                    batch = (2 * batch).min(BATCH_CHUNKS);
                }
            }
        }
        if let Some((path, _)) = ckpt {
            checkpoint::remove(path)?;
        }
        let trials = acc.accounts.count();
        let node_probabilities = if config.node_probabilities {
            let mut counts = sum_counts(saved_counts.as_deref(), &pool, n);
            comm.all_reduce_sum_u64(&mut counts)?;
            Some(Array1::from_iter(
                counts.into_iter().map(|c| c as f64 / trials as f64),
            ))
        } else {
            None
        };
        Ok(SpreadResult {
            model,
            hops: config.sampling.hops,
            accounts: acc.accounts.estimate(),
            people: acc.people.estimate(),
            target_weight: acc.weight.estimate(),
            trials,
            stopped_early,
            by_jurisdiction: jur_names
                .iter()
                .enumerate()
                .map(|(j, name)| JurisdictionSpread {
                    jurisdiction: name.to_string(),
                    people: acc.jur_people[j].estimate(),
                    target_weight: acc.jur_weight[j].estimate(),
                })
                .collect(),
            node_probabilities,
            histogram: config
                .histogram
                .then(|| Histogram::from_counts(&spread_counts)),
        })
    }
}

/// Activation counts per account: `saved` (a checkpoint's) plus every worker's scratch.
fn sum_counts(saved: Option<&[u64]>, pool: &ScratchPool<SimScratch>, n: usize) -> Vec<u64> {
    let mut counts = saved.map_or_else(|| vec![0u64; n], <[u64]>::to_vec);
    pool.for_each(|s| {
        for (c, x) in counts.iter_mut().zip(&s.counts) {
            *c += x;
        }
    });
    counts
}

/// Runs chosen cascade trials and hands each one's activated accounts to a closure; made by
/// [`Simulator::trial_runner`].
pub struct TrialRunner<'a> {
    sim: Sim<'a>,
    scratch: SimScratch,
    seed: u64,
}

impl std::fmt::Debug for TrialRunner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrialRunner")
            .field("model", &self.sim.model)
            .field("seeds", &self.sim.seeds.len())
            .finish_non_exhaustive()
    }
}

impl TrialRunner<'_> {
    /// Runs `trials` trials (at most [`CHUNK_TRIALS`]) of chunk `chunk`, calling
    /// `each(t, active)` after trial `t` (global index `chunk · CHUNK_TRIALS + t`) with the
    /// accounts it activated, seeds first (valid only during the call). Under IC the trials are
    /// drawn together and handed out one by one.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `trials` exceeds [`CHUNK_TRIALS`].
    pub fn run_chunk(
        &mut self,
        chunk: u64,
        trials: u64,
        mut each: impl FnMut(u64, &[u32]),
    ) -> Result<()> {
        if trials > CHUNK_TRIALS {
            return Err(Error::invalid_parameter(
                "trials",
                trials,
                format!("a chunk holds at most {CHUNK_TRIALS} trials"),
            ));
        }
        let first = chunk * CHUNK_TRIALS;
        if trials == 0 {
            return Ok(());
        }
        if self.sim.model == Model::IndependentCascade {
            let s = &mut self.scratch;
            self.sim
                .run_ic_lanes(chunk, trials, self.seed, &mut s.lanes);
            for l in 0..trials {
                // Lane `l`'s accounts, seeds first.
                let queue = &mut s.stamps.queue;
                queue.clear();
                s.lanes.for_each_active(self.sim.seeds, |v, a| {
                    if a >> l & 1 == 1 {
                        queue.push(v);
                    }
                });
                each(first + l, queue);
            }
            s.lanes.reset();
            return Ok(());
        }
        let mut t = first;
        self.sim
            .run_lt_trials(chunk, trials, self.seed, &mut self.scratch, |s| {
                each(t, &s.stamps.queue);
                t += 1;
            });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `m` random follows among `n` accounts, a few accounts with many followers (stream
    /// `seed`), without probabilities.
    pub(super) fn skewed_graph(n: u32, m: usize, seed: u64) -> Graph {
        let mut r = rng::stream(seed, 0);
        let (mut src, mut dst) = (Vec::with_capacity(m), Vec::with_capacity(m));
        for _ in 0..m {
            let x = rng::unit_f64(&mut r);
            src.push(((x * x) * n as f64) as u32 % n);
            dst.push(rng::below(&mut r, n as u64) as u32);
        }
        Graph::from_edges(
            n,
            &src,
            &dst,
            None,
            crate::ids::NodeIds::identity(n),
            crate::GraphOptions::default(),
        )
        .unwrap()
        .0
    }

    /// Weighted cascade passes the per-target check at every in-degree (so `validate_model`
    /// skips its pass over the accounts), under IC and LT, including in-degrees far above any
    /// graph's here; the check itself does fail where it should.
    #[test]
    fn weighted_cascade_passes_at_every_in_degree() {
        let wc = InPerTarget::WeightedCascade;
        let large = [1 << 16, 65_537, 999_983, 1 << 22, (1 << 24) + 1];
        for d in (1..=20_000).chain(large) {
            for model in [Model::IndependentCascade, Model::LinearThreshold] {
                assert!(
                    !per_target_fails(wc, model, d),
                    "in-degree {d} under {model:?}"
                );
            }
        }
        let lt = Model::LinearThreshold;
        assert!(per_target_fails(InPerTarget::Constant(0.5), lt, 3));
        assert!(!per_target_fails(InPerTarget::Constant(0.5), lt, 2));
        assert!(per_target_fails(
            InPerTarget::Constant(1.5),
            Model::IndependentCascade,
            1
        ));
        assert!(!per_target_fails(
            InPerTarget::Constant(1.5),
            Model::IndependentCascade,
            0
        ));
    }
    use crate::weights::WeightScheme;

    /// Forward cascades reading one probability per target account give the trials of the
    /// out-order array, bit for bit (the same draws in the same order), under weighted cascade
    /// and constants, for IC (with and without the subset/skip shortcuts) and LT, on 1 and 2
    /// threads; and they never make the graph compute the array.
    #[test]
    fn per_target_probabilities_give_the_trials_of_the_array() {
        let seeds: Vec<u32> = (0..12).collect();
        for scheme in [
            WeightScheme::WeightedCascade,
            WeightScheme::Constant { p: 0.05 },
            WeightScheme::Constant { p: 0.3 },
            WeightScheme::Constant { p: 1.0 },
            WeightScheme::Constant { p: 0.0 },
        ] {
            for model in [Model::IndependentCascade, Model::LinearThreshold] {
                if model == Model::LinearThreshold
                    && matches!(scheme, WeightScheme::Constant { p } if p > 0.05)
                {
                    continue; // in-weights over 1: not an LT graph
                }
                for (shortcuts, threads) in [(true, 1), (true, 2), (false, 1), (false, 2)] {
                    let c = SpreadConfig::builder()
                        .trials(700)
                        .seed(3)
                        .threads(threads)
                        .subset_sampling(shortcuts)
                        .node_probabilities(true)
                        .histogram(true)
                        .build()
                        .unwrap();
                    let mut g = skewed_graph(1_200, 7_000, 8);
                    g.set_weights(&scheme).unwrap();
                    let rule = g.out_per_target();
                    assert!(rule.is_some());
                    let per_target = Simulator::with_per_target(&g, model, &c, rule)
                        .unwrap()
                        .run(&seeds, &crate::progress::NoProgress)
                        .unwrap();
                    assert!(
                        !g.probabilities_held().0,
                        "{scheme:?} {model}: the out-order array was built"
                    );
                    // A graph this small reads the array.
                    let array = Simulator::new(&g, model, &c)
                        .unwrap()
                        .run(&seeds, &crate::progress::NoProgress)
                        .unwrap();
                    assert!(g.probabilities_held().0);
                    assert_eq!(
                        per_target, array,
                        "{scheme:?} {model} {shortcuts} {threads}"
                    );
                }
            }
        }
    }

    #[test]
    fn model_parses_and_serializes() {
        assert_eq!("IC".parse::<Model>().unwrap(), Model::IndependentCascade);
        assert_eq!(
            "linear-threshold".parse::<Model>().unwrap(),
            Model::LinearThreshold
        );
        assert!("sir".parse::<Model>().is_err());
        assert_eq!(
            serde_json::to_string(&Model::LinearThreshold).unwrap(),
            "\"lt\""
        );
        let m: Model = serde_json::from_str("\"independent_cascade\"").unwrap();
        assert_eq!(m, Model::IndependentCascade);
        assert_eq!(Model::IndependentCascade.to_string(), "ic");
    }

    /// Runs the trial loops past their prefetch window (queues longer than 16), the code path
    /// of `live_edge::prefetch`'s `unsafe`; at probability 1 both models reach every account.
    /// Under Miri it needs Tree Borrows (it builds a graph and runs on rayon), see `.ci/run`.
    #[test]
    fn cascades_longer_than_the_prefetch_window_reach_everyone_at_p_one() {
        // A star of 24 leaves from 0, and a chain 24 -> 25 -> ... -> 39 behind leaf 24.
        let (mut src, mut dst): (Vec<i64>, Vec<i64>) = (1..=24).map(|v| (0, v)).unzip();
        for v in 24..39 {
            src.push(v);
            dst.push(v + 1);
        }
        let probs = vec![1.0f32; src.len()];
        let (g, _) =
            Graph::from_id_arrays(&src, &dst, Some(&probs), crate::GraphOptions::default())
                .unwrap();
        let cfg = SpreadConfig::builder()
            .trials(3)
            .threads(1)
            .build()
            .unwrap();
        for model in [Model::IndependentCascade, Model::LinearThreshold] {
            let r = simulate(&g, &[0], model, &cfg, &crate::NoProgress).unwrap();
            assert_eq!(r.accounts.mean, 40.0, "{model}");
        }
    }

    #[test]
    fn builder_validates() {
        assert!(SpreadConfig::builder().trials(0).build().is_err());
        assert!(SpreadConfig::builder().threads(0).build().is_err());
        assert!(SpreadConfig::builder().hops(0).build().is_err());
        for r in [0.0, 1.0, -0.1, f64::NAN] {
            assert!(
                SpreadConfig::builder().target_rse(r).build().is_err(),
                "{r}"
            );
        }
        let c = SpreadConfig::builder()
            .trials(5)
            .seed(3)
            .threads(2)
            .hops(4)
            .target_rse(0.05)
            .node_probabilities(true)
            .histogram(true)
            .build()
            .unwrap();
        assert_eq!(
            (c.trials(), c.seed(), c.threads(), c.hops(), c.target_rse()),
            (5, 3, Some(2), Some(4), Some(0.05))
        );
        assert!(c.node_probabilities() && c.histogram() && c.subset_sampling());
    }
}
