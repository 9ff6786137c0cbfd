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
//! The kernels walk the frozen CSR arrays with a visited-stamp array (an epoch per trial, never
//! cleared), a flat FIFO queue, and 24-bit uniform draws (two per 64-bit output of the
//! generator) compared with the `f32` edge probability (so an edge is live with its probability
//! rounded up to a multiple of 2⁻²⁴; 0 and 1 are exact). A coin is drawn for every out-edge of an
//! active account, even into accounts already active: the "is it live and new" branch is then
//! rarely taken and well predicted, which on soc-Epinions1 is about 30% faster than saving the
//! draws. Adjacency a few places ahead in the queue is prefetched. When all out-edges of an
//! account share one probability (constant `p`), the live ones are drawn by subset sampling
//! (see [`crate::rrset`]). LT keeps one stamped cell per account, its threshold minus the
//! weight of its active followees, so nothing is reset between trials; a threshold is drawn for
//! each edge and used when the edge is the first to touch its account (again trading draws for
//! a predictable branch).

use crate::attrs::NONE;
use crate::error::{Error, Result};
use crate::graph::{Csr, Graph};
use crate::progress::Progress;
use crate::rng::{self, Rng};
use ndarray::Array1;
use rand::RngCore;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Trials per chunk: the unit of work that gets its own random stream.
///
/// Part of the determinism contract: changing it changes every result for a given seed.
pub const CHUNK_TRIALS: u64 = 32;

/// The stopping rule is checked after every this many trials (a multiple of [`CHUNK_TRIALS`]).
pub const STOP_CHECK_TRIALS: u64 = 1024;

/// Chunks per parallel batch when no stopping rule is set (bounds the per-batch bookkeeping).
const BATCH_CHUNKS: u64 = 1024;

/// Cost of one geometric skip (a logarithm and a 64-bit draw) in units of one coin (a 24-bit
/// draw, a compare and a visited check). A list of `d` edges sharing probability `p` takes
/// about `1 + d·p` skips or `d` coins; skipping is used when it is cheaper. Measured on
/// soc-Epinions1 RR sampling under weighted cascade, where 2 to 4 were best.
const SKIP_COST: f64 = 3.0;

/// Largest expected number of live edges `d·p` for which a list is sampled as a binomial count
/// plus a uniform subset (Floyd's method is quadratic in the count).
pub(crate) const SUBSET_MAX_MEAN: f64 = 8.0;

/// Shortest list sampled by a shortcut rather than coins (measured: from 2 on, subset sampling
/// is as fast or faster on soc-Epinions1 weighted cascade).
pub(crate) const SUBSET_MIN_LEN: usize = 2;

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

/// A Monte Carlo (or RR-set) estimate of an expected value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Standard error of the mean (sample standard deviation / √trials; 0 for one trial).
    pub stderr: f64,
    /// Lower end of the normal-approximation 95% interval, `mean − 1.96 · stderr`.
    pub ci95_low: f64,
    /// Upper end of the 95% interval, `mean + 1.96 · stderr`.
    pub ci95_high: f64,
    /// Smallest value seen in one trial.
    pub min: f64,
    /// Largest value seen in one trial.
    pub max: f64,
}

impl Estimate {
    /// `stderr / mean` (0 when the mean is 0).
    pub fn relative_stderr(&self) -> f64 {
        if self.mean == 0.0 {
            0.0
        } else {
            self.stderr / self.mean.abs()
        }
    }

    /// An estimate from its mean, standard error and observed range.
    pub(crate) fn new(mean: f64, stderr: f64, min: f64, max: f64) -> Estimate {
        Estimate {
            mean,
            stderr,
            ci95_low: mean - 1.96 * stderr,
            ci95_high: mean + 1.96 * stderr,
            min,
            max,
        }
    }
}

/// Running moments: Welford within a chunk, Chan et al.'s pairwise merge across chunks.
///
/// Merging is done strictly in chunk order, so results do not depend on thread count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Moments {
            n: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Moments {
    #[inline]
    pub(crate) fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    pub(crate) fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        self.mean += d * (o.n as f64 / n as f64);
        self.m2 += o.m2 + d * d * (self.n as f64 * o.n as f64 / n as f64);
        self.n = n;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }

    pub(crate) fn estimate(&self) -> Estimate {
        if self.n == 0 {
            return Estimate::new(0.0, 0.0, 0.0, 0.0);
        }
        let stderr = if self.n > 1 {
            (self.m2.max(0.0) / (self.n - 1) as f64 / self.n as f64).sqrt()
        } else {
            0.0
        };
        Estimate::new(self.mean, stderr, self.min, self.max)
    }
}

/// Configuration of [`simulate`]; build it with [`SpreadConfig::builder`].
#[derive(Debug, Clone, PartialEq)]
pub struct SpreadConfig {
    trials: u64,
    seed: u64,
    threads: Option<usize>,
    hops: Option<u32>,
    target_rse: Option<f64>,
    node_probabilities: bool,
    histogram: bool,
    subset_sampling: bool,
}

impl Default for SpreadConfig {
    fn default() -> Self {
        SpreadConfig {
            trials: 10_000,
            seed: 0,
            threads: None,
            hops: None,
            target_rse: None,
            node_probabilities: false,
            histogram: false,
            subset_sampling: true,
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
    /// Master seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Threads of a dedicated pool, or `None` for the current rayon pool.
    pub fn threads(&self) -> Option<usize> {
        self.threads
    }
    /// Hop horizon, or `None` for unlimited propagation.
    pub fn hops(&self) -> Option<u32> {
        self.hops
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
    /// Whether subset sampling is used where it applies.
    pub fn subset_sampling(&self) -> bool {
        self.subset_sampling
    }
}

/// Builder of [`SpreadConfig`]; [`SpreadConfigBuilder::build`] validates.
#[derive(Debug, Clone)]
pub struct SpreadConfigBuilder {
    config: SpreadConfig,
}

impl SpreadConfigBuilder {
    /// Maximum number of trials (≥ 1); all of them run unless a stopping rule stops earlier.
    pub fn trials(mut self, trials: u64) -> Self {
        self.config.trials = trials;
        self
    }
    /// Master seed of the random streams.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }
    /// Run in a dedicated pool of `threads` threads (≥ 1) instead of the current rayon pool.
    /// Results do not depend on it.
    pub fn threads(mut self, threads: usize) -> Self {
        self.config.threads = Some(threads);
        self
    }
    /// Hop horizon (≥ 1): a post is reshared at most `hops` times, so `hops = 1` reaches only
    /// direct followers of the seeds.
    pub fn hops(mut self, hops: u32) -> Self {
        self.config.hops = Some(hops);
        self
    }
    /// Like [`SpreadConfigBuilder::hops`], with `None` for no horizon.
    pub fn hops_opt(mut self, hops: Option<u32>) -> Self {
        self.config.hops = hops;
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
    /// Use subset sampling where all out-edges of an account share one probability (the
    /// default): draw how many are live and then which, or skip geometrically from one live
    /// edge to the next, instead of one coin per edge (SUBSIM, Guo et al. 2020). Off draws one
    /// coin per edge: the distribution is the same, the numbers for a seed differ. For tests
    /// and benchmarks.
    pub fn subset_sampling(mut self, on: bool) -> Self {
        self.config.subset_sampling = on;
        self
    }

    /// Validates and returns the configuration.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `trials = 0`, `threads = 0`, `hops = 0`, or a target
    /// relative standard error outside (0, 1).
    pub fn build(self) -> Result<SpreadConfig> {
        let c = self.config;
        if c.trials == 0 {
            return Err(Error::invalid_parameter(
                "trials",
                0,
                "need at least 1 trial",
            ));
        }
        check_threads(c.threads)?;
        check_hops(c.hops)?;
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

pub(crate) fn check_threads(threads: Option<usize>) -> Result<()> {
    if threads == Some(0) {
        return Err(Error::invalid_parameter(
            "threads",
            0,
            "need at least 1 thread (omit it to use the current pool)",
        ));
    }
    Ok(())
}

pub(crate) fn check_hops(hops: Option<u32>) -> Result<()> {
    if hops == Some(0) {
        return Err(Error::invalid_parameter(
            "hops",
            0,
            "the hop horizon must be at least 1 (omit it for no horizon)",
        ));
    }
    Ok(())
}

/// A dedicated pool of `threads` threads, or `None` to run in the current pool.
pub(crate) fn build_pool(threads: Option<usize>) -> Result<Option<rayon::ThreadPool>> {
    threads
        .map(|t| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| Error::invalid_parameter("threads", t, e.to_string()))
        })
        .transpose()
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

/// Histogram of the account spread over trials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Histogram {
    /// Lower end of the first bin (the smallest spread seen).
    pub start: u64,
    /// Width of each bin: bin `i` counts trials with spread in
    /// `start + i·bin_width .. start + (i + 1)·bin_width`. 1 when there are at most
    /// [`Histogram::MAX_BINS`] distinct spread values between min and max.
    pub bin_width: u64,
    /// Number of trials per bin.
    pub counts: Vec<u64>,
}

impl Histogram {
    /// Maximum number of bins.
    pub const MAX_BINS: u64 = 100;

    /// Bins the number of trials per spread value.
    fn from_counts(counts: &BTreeMap<u32, u64>) -> Histogram {
        let (Some((&lo, _)), Some((&hi, _))) = (counts.first_key_value(), counts.last_key_value())
        else {
            return Histogram {
                start: 0,
                bin_width: 1,
                counts: Vec::new(),
            };
        };
        let range = (hi - lo) as u64 + 1;
        let bin_width = range.div_ceil(Histogram::MAX_BINS).max(1);
        let mut bins = vec![0u64; range.div_ceil(bin_width) as usize];
        for (&v, &c) in counts {
            bins[((v - lo) as u64 / bin_width) as usize] += c;
        }
        Histogram {
            start: lo as u64,
            bin_width,
            counts: bins,
        }
    }
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

/// How the live out-edges (or in-edges) of one account are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ListRule {
    /// One coin per edge against its own probability.
    Coins,
    /// All `d` edges share one probability `p` and few are live (`d·p ≤`
    /// [`SUBSET_MAX_MEAN`]): draw the number of live edges `k ~ Binomial(d, p)` by inversion
    /// (`q0 = (1 − p)^d`, `ratio = p / (1 − p)`), then a uniform `k`-subset (Floyd's method).
    /// No logarithms, and `O(1 + k)` work.
    Subset {
        /// `P(k = 0) = (1 − p)^d`.
        q0: f64,
        /// `p / (1 − p)`, for the recurrence `P(k + 1) = P(k) · (d − k)/(k + 1) · ratio`.
        ratio: f64,
    },
    /// All edges share one probability `p` and many are live: geometric skipping, with the
    /// payload `1 / ln(1 − p)`.
    Skip(f64),
    /// Every edge is live (all probabilities 1).
    All,
    /// No edge is live (no edges, or all probabilities 0).
    Dead,
}

/// The rule of one adjacency list's probabilities. `shortcuts = false` forces coins wherever
/// probabilities are fractional (the reference the shortcuts are tested against).
pub(crate) fn list_rule(probs: &[f32], shortcuts: bool) -> ListRule {
    let Some(&p) = probs.first() else {
        return ListRule::Dead;
    };
    if probs.iter().any(|&q| q != p) {
        return ListRule::Coins;
    }
    let (d, pf) = (probs.len() as f64, p as f64);
    if p <= 0.0 {
        ListRule::Dead
    } else if p >= 1.0 {
        ListRule::All
    } else if !shortcuts || probs.len() < SUBSET_MIN_LEN {
        ListRule::Coins
    } else if d * pf <= SUBSET_MAX_MEAN {
        ListRule::Subset {
            q0: (d * (-pf).ln_1p()).exp(),
            ratio: pf / (1.0 - pf),
        }
    } else if (1.0 + d * pf) * SKIP_COST < d {
        ListRule::Skip(1.0 / (-pf).ln_1p())
    } else {
        ListRule::Coins
    }
}

/// The accounts reached so far in one trial: stamps equal to `epoch` and the BFS queue.
pub(crate) struct Frontier<'a> {
    pub(crate) stamp: &'a mut [u32],
    pub(crate) queue: &'a mut Vec<u32>,
    pub(crate) epoch: u32,
}

impl Frontier<'_> {
    #[inline(always)]
    fn is_new(&self, v: u32) -> bool {
        self.stamp[v as usize] != self.epoch
    }
    #[inline(always)]
    fn add(&mut self, v: u32) {
        self.stamp[v as usize] = self.epoch;
        self.queue.push(v);
    }
    #[inline(always)]
    pub(crate) fn offer(&mut self, v: u32) {
        if self.is_new(v) {
            self.add(v);
        }
    }
}

/// Adds to `f` the far ends of the live edges of one adjacency list (`ends`, `probs`), drawn
/// under `rule`; `picked` is scratch.
///
/// Coins are drawn for every edge, even into accounts already reached: the combined "live and
/// new" branch is then rarely taken and well predicted, which on soc-Epinions1 is faster than
/// checking the account first and saving the draw.
#[inline(always)]
pub(crate) fn expand(
    rule: ListRule,
    ends: &[u32],
    probs: &[f32],
    d: &mut Draws,
    picked: &mut Vec<usize>,
    f: &mut Frontier<'_>,
) {
    match rule {
        ListRule::Dead => {}
        ListRule::All => ends.iter().for_each(|&v| f.offer(v)),
        ListRule::Coins => {
            for (&v, &p) in ends.iter().zip(probs) {
                if (d.unit_f32() < p) & f.is_new(v) {
                    f.add(v);
                }
            }
        }
        ListRule::Subset { q0, ratio } => {
            let n = ends.len();
            match d.binomial(n, q0, ratio) {
                0 => {}
                1 => f.offer(ends[d.below(n as u64) as usize]),
                k => {
                    // Floyd: for j in n−k..n take a uniform t ≤ j, or j if t is taken already.
                    picked.clear();
                    for j in n - k..n {
                        let t = d.below(j as u64 + 1) as usize;
                        let x = if picked.contains(&t) { j } else { t };
                        picked.push(x);
                        f.offer(ends[x]);
                    }
                }
            }
        }
        ListRule::Skip(inv_log) => {
            let n = ends.len() as f64;
            let mut i = d.skip(inv_log);
            while i < n {
                f.offer(ends[i as usize]);
                i += 1.0 + d.skip(inv_log);
            }
        }
    }
}

/// Rejects NaN probabilities and, for LT, in-weight sums over 1.
///
/// # Errors
/// [`Error::InvalidProbability`] naming the edge, [`Error::LtWeightsExceedOne`] naming the node.
pub(crate) fn validate_model(graph: &Graph, model: Model) -> Result<()> {
    let inc = graph.in_csr();
    let n = graph.node_count();
    let bad = (0..n as u32).into_par_iter().find_first(|&v| {
        let probs = inc.probs(v);
        if probs.iter().any(|p| !(0.0..=1.0).contains(p)) {
            return true;
        }
        model == Model::LinearThreshold
            && probs.iter().map(|&p| p as f64).sum::<f64>() > 1.0 + LT_SUM_TOLERANCE
    });
    let Some(v) = bad else { return Ok(()) };
    let probs = inc.probs(v);
    if let Some(i) = probs.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(Error::InvalidProbability {
            from: graph.label(inc.neighbors(v)[i]),
            to: graph.label(v),
            value: probs[i] as f64,
        });
    }
    Err(Error::LtWeightsExceedOne {
        node: graph.label(v),
        sum: probs.iter().map(|&p| p as f64).sum(),
    })
}

/// Fast uniform draws from one random stream.
#[derive(Debug, Clone)]
pub(crate) struct Draws {
    rng: Rng,
    buf: u64,
    left: u32,
}

impl Draws {
    pub(crate) fn new(rng: Rng) -> Draws {
        Draws {
            rng,
            buf: 0,
            left: 0,
        }
    }

    /// A uniform in [0, 1) with 24 random bits; two per generator output.
    ///
    /// Compared with `p` as `u < p`, this is exactly `P = ⌈p · 2^24⌉ / 2^24`: `p = 0` never and
    /// `p = 1` always succeeds, and other probabilities are off by less than 6·10⁻⁸.
    #[inline(always)]
    pub(crate) fn unit_f32(&mut self) -> f32 {
        if self.left == 0 {
            self.buf = self.rng.next_u64();
            self.left = 2;
        }
        self.left -= 1;
        let x = (self.buf >> 40) as u32;
        self.buf <<= 32;
        x as f32 * (1.0 / 16_777_216.0)
    }

    /// A uniform in (0, 1] with 53 random bits (for logarithms).
    #[inline(always)]
    pub(crate) fn open_unit_f64(&mut self) -> f64 {
        ((self.rng.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform in [0, 1) with 53 random bits.
    #[inline(always)]
    pub(crate) fn unit_f64(&mut self) -> f64 {
        rng::unit_f64(&mut self.rng)
    }

    /// A uniform integer in `0..n` (`n > 0`).
    #[inline(always)]
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        rng::below(&mut self.rng, n)
    }

    /// `k ~ Binomial(n, p)` by inversion from `q0 = (1 − p)^n` and `ratio = p / (1 − p)`;
    /// expected work `1 + n·p` steps.
    #[inline(always)]
    pub(crate) fn binomial(&mut self, n: usize, q0: f64, ratio: f64) -> usize {
        let u = self.unit_f64();
        let (mut k, mut pk, mut cum) = (0usize, q0, q0);
        while u >= cum && k < n {
            pk *= (n - k) as f64 / (k + 1) as f64 * ratio;
            k += 1;
            cum += pk;
        }
        k
    }

    /// Number of failures before the next success of coins with `inv_log = 1 / ln(1 − p)`,
    /// as `f64` (possibly huge): ⌊ln U / ln(1 − p)⌋ with U uniform in (0, 1] is geometric,
    /// `P(K ≥ k) = (1 − p)^k` (the skipping of Guo et al. 2020).
    #[inline(always)]
    pub(crate) fn skip(&mut self, inv_log: f64) -> f64 {
        (self.open_unit_f64().ln() * inv_log).floor()
    }
}

/// Hints the CPU to fetch the cache line holding `x` (no effect on results).
#[inline(always)]
pub(crate) fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and reads nothing the program sees; `x` is a valid reference.
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
            x as *const T as *const i8,
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// Reusable per-worker buffers: a stamp per account and a queue.
pub(crate) struct Stamps {
    pub(crate) stamp: Vec<u32>,
    pub(crate) epoch: u32,
    pub(crate) queue: Vec<u32>,
    /// Scratch of [`live_edges`].
    pub(crate) picked: Vec<usize>,
}

impl Stamps {
    pub(crate) fn new(n: usize) -> Stamps {
        Stamps {
            stamp: vec![0; n],
            epoch: 0,
            queue: Vec::with_capacity(n.min(1 << 16)),
            picked: Vec::new(),
        }
    }

    /// Starts a new trial; stamps equal to the returned epoch mean "visited in this trial".
    #[inline]
    pub(crate) fn next_epoch(&mut self) -> u32 {
        if self.epoch == u32::MAX {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.epoch = 0;
        }
        self.epoch += 1;
        self.queue.clear();
        self.epoch
    }
}

/// A pool of reusable scratch buffers shared by the chunks of a parallel loop, so each worker
/// allocates its `O(n)` buffers once rather than once per chunk.
pub(crate) struct ScratchPool<T> {
    free: Mutex<Vec<T>>,
}

impl<T> ScratchPool<T> {
    pub(crate) fn new() -> Self {
        ScratchPool {
            free: Mutex::new(Vec::new()),
        }
    }
    pub(crate) fn take(&self, make: impl FnOnce() -> T) -> T {
        let got = self.free.lock().ok().and_then(|mut f| f.pop());
        got.unwrap_or_else(make)
    }
    pub(crate) fn give(&self, t: T) {
        if let Ok(mut f) = self.free.lock() {
            f.push(t);
        }
    }
    pub(crate) fn into_inner(self) -> Vec<T> {
        self.free.into_inner().unwrap_or_default()
    }
}

/// Serialises progress reports of parallel chunks so `done` only grows, and turns a `false`
/// answer into a cancellation flag the chunks check.
pub(crate) struct ChunkProgress<'a> {
    progress: &'a dyn Progress,
    stage: &'static str,
    total: u64,
    done: Mutex<u64>,
    cancelled: AtomicBool,
}

impl<'a> ChunkProgress<'a> {
    pub(crate) fn new(progress: &'a dyn Progress, stage: &'static str, total: u64) -> Self {
        ChunkProgress {
            progress,
            stage,
            total,
            done: Mutex::new(0),
            cancelled: AtomicBool::new(false),
        }
    }
    /// Reports the start; false when cancelled already.
    pub(crate) fn start(&self, done: u64) -> bool {
        if let Ok(mut d) = self.done.lock() {
            *d = done;
        }
        let ok = self.progress.update(self.stage, done, self.total);
        if !ok {
            self.cancelled.store(true, Ordering::Relaxed);
        }
        ok
    }
    pub(crate) fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
    pub(crate) fn add(&self, units: u64) {
        if let Ok(mut d) = self.done.lock() {
            *d += units;
            if !self.progress.update(self.stage, *d, self.total) {
                self.cancelled.store(true, Ordering::Relaxed);
            }
        }
    }
}

/// Per-worker scratch of the forward simulation.
struct SimScratch {
    stamps: Stamps,
    /// LT: per account (touch epoch, threshold, accumulated in-weight of active followees).
    lt: Vec<LtCell>,
    /// Person stamps, when accounts and people differ.
    person_stamp: Vec<u32>,
    /// Activation counts per account, when requested.
    counts: Vec<u64>,
    jur_people: Vec<u32>,
    jur_weight: Vec<f64>,
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

impl Moments {
    fn encode(&self, out: &mut Vec<u8>) {
        crate::comm::put(out, self.n);
        for x in [self.mean, self.m2, self.min, self.max] {
            crate::comm::put(out, x.to_bits());
        }
    }
    fn decode(b: &mut crate::comm::Words<'_>) -> Option<Moments> {
        Some(Moments {
            n: b.next()?,
            mean: b.f64()?,
            m2: b.f64()?,
            min: b.f64()?,
            max: b.f64()?,
        })
    }
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

/// Everything a trial needs that does not change between trials.
struct Sim<'a> {
    out: Csr<'a>,
    rules: &'a [ListRule],
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

impl Sim<'_> {
    fn scratch(&self) -> SimScratch {
        let n = self.out.offsets.len() - 1;
        SimScratch {
            stamps: Stamps::new(n),
            lt: if self.model == Model::LinearThreshold {
                vec![LtCell::default(); n]
            } else {
                Vec::new()
            },
            person_stamp: if self.identity_people {
                Vec::new()
            } else {
                vec![0; self.people_count]
            },
            counts: if self.node_counts {
                vec![0; n]
            } else {
                Vec::new()
            },
            jur_people: vec![0; self.jurisdictions],
            jur_weight: vec![0.0; self.jurisdictions],
        }
    }

    /// One IC cascade; the activated accounts are left in `s.queue`.
    fn ic_trial(&self, s: &mut Stamps, d: &mut Draws) {
        let epoch = s.next_epoch();
        let out = self.out;
        let stamp = &mut s.stamp[..];
        let queue = &mut s.queue;
        let picked = &mut s.picked;
        for &v in self.seeds {
            stamp[v as usize] = epoch;
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
            // Prefetch the adjacency of accounts a few places ahead in the queue: each
            // activation otherwise waits on several cache misses in turn.
            if let Some(&w) = queue.get(head + 16) {
                prefetch(&out.offsets[w as usize]);
                prefetch(&self.rules[w as usize]);
            }
            if let Some(&w) = queue.get(head + 8) {
                let lo = out.offsets[w as usize];
                if let (Some(a), Some(b)) = (out.neighbors.get(lo), out.probs.get(lo)) {
                    prefetch(a);
                    prefetch(b);
                }
            }
            let u = queue[head] as usize;
            head += 1;
            let (lo, hi) = (out.offsets[u], out.offsets[u + 1]);
            let mut f = Frontier {
                stamp: &mut *stamp,
                queue: &mut *queue,
                epoch,
            };
            let (ends, probs) = (&out.neighbors[lo..hi], &out.probs[lo..hi]);
            expand(self.rules[u], ends, probs, d, picked, &mut f);
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
                let lo = out.offsets[w as usize];
                if let (Some(a), Some(b)) = (out.neighbors.get(lo), out.probs.get(lo)) {
                    prefetch(a);
                    prefetch(b);
                }
            }
            let u = queue[head] as usize;
            head += 1;
            let (lo, hi) = (out.offsets[u], out.offsets[u + 1]);
            for (&v, &w) in out.neighbors[lo..hi].iter().zip(&out.probs[lo..hi]) {
                let c = &mut lt[v as usize];
                // The threshold of an account first touched in this trial, in (0, 1] so that
                // zero weight never activates. Drawn for every edge (used only on first touch)
                // so that the code has no unpredictable branch.
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
    }

    /// Runs the first `trials` trials of chunk `chunk` (stream `(seed, chunk)`), calling `each`
    /// after every trial with the activated accounts left in `s.stamps.queue`.
    fn run_trials(
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
            match self.model {
                Model::IndependentCascade => self.ic_trial(&mut s.stamps, &mut d),
                Model::LinearThreshold => self.lt_trial(&mut s.stamps, &mut s.lt, &mut d),
            }
            each(s);
        }
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
        self.run_trials(chunk, trials, seed, s, |s| {
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
    if seeds.is_empty() {
        return Err(Error::Empty {
            what: "seed set".into(),
        });
    }
    graph.check_nodes(seeds, "seed set")?;
    Simulator::new(graph, model, config)?.run(seeds, progress)
}

/// A non-empty seed set of valid, distinct dense ids.
fn check_seeds(graph: &Graph, seeds: &[u32]) -> Result<()> {
    if seeds.is_empty() {
        return Err(Error::Empty {
            what: "seed set".into(),
        });
    }
    graph.check_nodes(seeds, "seed set")
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
    crate::comm::agree(comm, check_seeds(graph, seeds))?;
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
    rules: Vec<ListRule>,
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
        // Guard against configurations assembled without the builder's checks.
        if config.trials == 0 {
            return Err(Error::invalid_parameter(
                "trials",
                0,
                "need at least 1 trial",
            ));
        }
        check_threads(config.threads)?;
        check_hops(config.hops)?;
        validate_model(graph, model)?;
        let out = graph.out_csr();
        let n = graph.node_count();
        let people = graph.people();
        let rules: Vec<ListRule> = if model == Model::IndependentCascade {
            (0..n as u32)
                .into_par_iter()
                .map(|u| list_rule(out.probs(u), config.subset_sampling))
                .collect()
        } else {
            Vec::new()
        };
        let pool = build_pool(config.threads)?;
        Ok(Simulator {
            graph,
            model,
            config: config.clone(),
            rules,
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
        if seeds.is_empty() {
            return Err(Error::Empty {
                what: "seed set".into(),
            });
        }
        self.graph.check_nodes(seeds, "seed set")?;
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
        crate::comm::agree(comm, check_seeds(self.graph, seeds))?;
        crate::comm::check_inputs(
            comm,
            Some(self.graph),
            &format!(
                "spread {:?} {:?} {seeds:?}",
                self.model,
                // Threads do not change the answer: ranks may use different counts.
                SpreadConfig {
                    threads: None,
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
            out: self.graph.out_csr(),
            rules: &self.rules,
            model: self.model,
            max_level: self.config.hops.unwrap_or(u32::MAX),
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
    /// Trial `t` of chunk `c` is the same trial [`Simulator::run`] draws as trial
    /// `c · CHUNK_TRIALS + t`: its stream is [`rng::stream`]`(seed, c)`, whatever thread runs it.
    /// Use one runner per worker thread (it owns `O(n)` scratch); the caller parallelises over
    /// chunks and combines results in chunk order.
    ///
    /// # Errors
    /// [`Error::Empty`], [`Error::UnknownNode`], [`Error::DuplicateNode`] for a bad seed set.
    pub fn trial_runner<'a>(&'a self, seeds: &'a [u32]) -> Result<TrialRunner<'a>> {
        if seeds.is_empty() {
            return Err(Error::Empty {
                what: "seed set".into(),
            });
        }
        self.graph.check_nodes(seeds, "seed set")?;
        let sim = self.sim(seeds);
        let scratch = sim.scratch();
        Ok(TrialRunner {
            sim,
            scratch,
            seed: self.config.seed,
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
        let batch = if config.target_rse.is_some() {
            STOP_CHECK_TRIALS / CHUNK_TRIALS
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
        while next < total_chunks {
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
                        let st = sim.run_chunk(c, t, config.seed, &mut s);
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
        }
        let trials = acc.accounts.n;
        let node_probabilities = if config.node_probabilities {
            let mut counts = vec![0u64; n];
            for s in pool.into_inner() {
                for (c, x) in counts.iter_mut().zip(&s.counts) {
                    *c += x;
                }
            }
            comm.all_reduce_sum_u64(&mut counts)?;
            Some(Array1::from_iter(
                counts.into_iter().map(|c| c as f64 / trials as f64),
            ))
        } else {
            None
        };
        Ok(SpreadResult {
            model,
            hops: config.hops,
            accounts: acc.accounts.estimate(),
            people: acc.people.estimate(),
            target_weight: acc.weight.estimate(),
            trials,
            stopped_early,
            by_jurisdiction: jur_names
                .iter()
                .enumerate()
                .map(|(j, name)| JurisdictionSpread {
                    jurisdiction: name.clone(),
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
    /// Runs the first `trials` trials (at most [`CHUNK_TRIALS`]) of chunk `chunk`, calling
    /// `each(t, active)` after trial `t` (global index `chunk · CHUNK_TRIALS + t`) with the
    /// accounts it activated, seeds first (valid only during the call).
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
        let mut t = chunk * CHUNK_TRIALS;
        self.sim
            .run_trials(chunk, trials, self.seed, &mut self.scratch, |s| {
                each(t, &s.stamps.queue);
                t += 1;
            });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn moments_merge_equals_sequential() {
        let xs: Vec<f64> = (0..100).map(|i| ((i * 37) % 11) as f64).collect();
        let mut all = Moments::default();
        xs.iter().for_each(|&x| all.push(x));
        let mut a = Moments::default();
        let mut b = Moments::default();
        xs[..40].iter().for_each(|&x| a.push(x));
        xs[40..].iter().for_each(|&x| b.push(x));
        a.merge(&b);
        assert_eq!(a.n, all.n);
        assert!((a.mean - all.mean).abs() < 1e-12);
        assert!((a.m2 - all.m2).abs() < 1e-9);
        let mean = xs.iter().sum::<f64>() / 100.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 99.0;
        let e = all.estimate();
        assert!((e.stderr - (var / 100.0).sqrt()).abs() < 1e-12);
        assert_eq!((e.min, e.max), (0.0, 10.0));
    }

    #[test]
    fn histogram_bins() {
        let counts = |v: &[u32]| {
            let mut m = BTreeMap::new();
            v.iter().for_each(|&x| *m.entry(x).or_insert(0) += 1);
            m
        };
        let h = Histogram::from_counts(&counts(&[3, 3, 5]));
        assert_eq!(
            (h.start, h.bin_width, h.counts.clone()),
            (3, 1, vec![2, 0, 1])
        );
        let v: Vec<u32> = (0..1000).collect();
        let h = Histogram::from_counts(&counts(&v));
        assert_eq!(h.bin_width, 10);
        assert_eq!(h.counts.len(), 100);
        assert!(h.counts.iter().all(|&c| c == 10));
    }

    #[test]
    fn list_rules() {
        assert_eq!(list_rule(&[], true), ListRule::Dead);
        assert_eq!(list_rule(&[0.0, 0.0], true), ListRule::Dead);
        assert_eq!(list_rule(&[1.0, 1.0], true), ListRule::All);
        assert_eq!(list_rule(&[0.1, 0.2], true), ListRule::Coins);
        assert_eq!(list_rule(&[0.3], true), ListRule::Coins);
        assert_eq!(list_rule(&[0.1; 10], false), ListRule::Coins);
        // Weighted cascade: one live edge expected, a binomial count and a uniform subset.
        let ListRule::Subset { q0, ratio } = list_rule(&[0.25; 4], true) else {
            panic!("expected subset sampling")
        };
        assert!((q0 - 0.75f64.powi(4)).abs() < 1e-12 && (ratio - 1.0 / 3.0).abs() < 1e-12);
        // Many live edges expected: geometric skipping, or coins when p is large.
        assert!(matches!(list_rule(&[0.1; 100], true), ListRule::Skip(x) if x < 0.0));
        assert_eq!(list_rule(&[0.5; 100], true), ListRule::Coins);
    }

    #[test]
    fn binomial_counts_by_inversion() {
        let (n, p) = (12usize, 0.2f64);
        let q0 = (1.0 - p).powi(n as i32);
        let mut d = Draws::new(rng::stream(4, 4));
        let k = 100_000;
        let mut hist = [0u32; 13];
        for _ in 0..k {
            hist[d.binomial(n, q0, p / (1.0 - p))] += 1;
        }
        let mut pk = q0;
        for (i, &h) in hist.iter().enumerate() {
            let sd = (k as f64 * pk * (1.0 - pk)).sqrt();
            assert!(
                (h as f64 - k as f64 * pk).abs() <= 4.0 * sd + 1.0,
                "{i}: {h}"
            );
            pk *= (n - i) as f64 / (i + 1) as f64 * p / (1.0 - p);
        }
    }

    #[test]
    fn geometric_skip_has_the_right_mean() {
        let p = 0.1f64;
        let inv = 1.0 / (-p).ln_1p();
        let mut d = Draws::new(rng::stream(1, 2));
        let k = 200_000;
        let mean = (0..k).map(|_| d.skip(inv)).sum::<f64>() / k as f64;
        // Geometric failures before success: mean (1 − p) / p = 9, sd ≈ 9.5.
        assert!((mean - 9.0).abs() < 4.0 * 9.5 / (k as f64).sqrt(), "{mean}");
    }
}
