//! Paired comparison of seed sets on common RR sets.
//!
//! Two seed sets estimated on *independent* RR sets give a difference whose standard error is
//! `√(s_A² + s_B²)`. Estimated on the *same* sets, each RR set `i` gives a pair of indicators
//! `(x_A,i, x_B,i)` (does the set meet `A`, does it meet `B`), and the difference of the
//! spreads is `scale ×` the mean of `d_i = x_B,i − x_A,i`. Its variance is that of `d`, which
//! only the sets met by exactly one of the two seed sets contribute to: for overlapping or
//! similar seed sets it is far smaller than the sum of the two variances (common random
//! numbers). With `θ` sets, `a` met only by `A` and `b` only by `B`:
//!
//! - difference `= scale · (b − a) / θ`;
//! - paired standard error `= scale · √((m₂ − d̄²) / (θ − 1))` with `m₂ = (a + b)/θ` and
//!   `d̄ = (b − a)/θ` (the sample variance of `d` over `θ`, the same form as the binomial
//!   standard error of one set's estimate);
//! - unpaired standard error `= √(s_A² + s_B²)`, what two independent estimates of the same
//!   size would give (reported for contrast).
//!
//! Identical seed sets give `a = b = 0`: a difference of exactly 0 with standard error 0.
//!
//! ## How many sets
//! A fixed number ([`CompareConfigBuilder::rr_sets`]), or by default an adaptive rule: start
//! with [`ADAPTIVE_START_SETS`] sets and double the total (drawing only the new sets) until the
//! paired standard error of every difference is at most
//! [`CompareConfigBuilder::relative_stderr`] (default [`DEFAULT_RELATIVE_STDERR`], 0.2%) of
//! the larger of its two spreads, or the total reaches [`CompareConfigBuilder::max_rr_sets`]
//! (default [`ADAPTIVE_MAX_SETS`]). The decision depends only on counts over the sets drawn,
//! which do not depend on the thread count, so the rule keeps the determinism contract.
//!
//! Sets are drawn in batches with [`RrSampler::sample_range`] (positions of one collection
//! keyed by the seed, so the sets are those of one call) and dropped once counted: memory is
//! one batch, whatever the total.
//!
//! ## Example
//! ```
//! use reachgraph_core::{GraphBuilder, GraphOptions, NoProgress};
//! use reachgraph_core::cascade::Model;
//! use reachgraph_core::select::{compare, CompareConfig};
//! let mut b = GraphBuilder::new(GraphOptions::default());
//! for (u, v) in [("hub", "a"), ("hub", "b"), ("hub", "c"), ("a", "d"), ("x", "y")] {
//!     b.add_edge(u, v, Some(0.5)).unwrap();
//! }
//! let (g, _) = b.build().unwrap();
//! let (hub, x) = (g.node("hub").unwrap(), g.node("x").unwrap());
//! let config = CompareConfig::builder().rr_sets(100_000).seed(1).build().unwrap();
//! let c = compare(&g, Model::IndependentCascade, &[vec![x], vec![hub]], &config, &NoProgress)
//!     .unwrap();
//! // hub reaches 1 + 3·0.5 + 0.25 = 2.75 accounts, x reaches 1.5: 1.25 more.
//! let d = &c.differences[0];
//! assert!((d.mean - 1.25).abs() < 4.0 * d.stderr);
//! // hub and x reach disjoint audiences, so pairing does not help here; it does for sets
//! // whose audiences overlap (the usual case: two selections, or a selection and a baseline).
//! assert!(d.stderr > 0.0);
//! ```

use crate::cascade::Model;
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::ids::NodeKey;
use crate::progress::Progress;
use crate::rrset::{RootDistribution, RrConfig, RrSampler, RrSets, RR_CHUNK_SETS};
use crate::sampling::{check_seed_set, Sampling};
use crate::stats::Estimate;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Most seed sets one comparison takes (each RR set's hits are one 64-bit mask).
pub const MAX_COMPARED_SETS: usize = 64;

/// The adaptive rule's first number of RR sets (2¹⁷).
pub const ADAPTIVE_START_SETS: u64 = 1 << 17;

/// The adaptive rule's default cap on RR sets (2²³, about 8.4 million).
pub const ADAPTIVE_MAX_SETS: u64 = 1 << 23;

/// The adaptive rule's default target: each difference's paired standard error at most this
/// share of the larger of its two spreads.
pub const DEFAULT_RELATIVE_STDERR: f64 = 0.002;

/// Sets drawn and counted at once (a multiple of [`RR_CHUNK_SETS`], so no chunk is replayed).
const BATCH_SETS: u64 = 1 << 18;

/// Configuration of [`compare`]; build it with [`CompareConfig::builder`].
#[derive(Debug, Clone, PartialEq)]
pub struct CompareConfig {
    rr_sets: Option<u64>,
    max_rr_sets: u64,
    relative_stderr: f64,
    objective: RootDistribution,
    sampling: Sampling,
}

impl CompareConfig {
    /// Defaults: the adaptive number of sets (0.2% relative paired standard error, at most
    /// 2²³ sets), spread in people, seed 0, the current pool, no hop horizon, subset sampling.
    pub fn builder() -> CompareConfigBuilder {
        CompareConfigBuilder {
            config: CompareConfig {
                rr_sets: None,
                max_rr_sets: ADAPTIVE_MAX_SETS,
                relative_stderr: DEFAULT_RELATIVE_STDERR,
                objective: RootDistribution::People,
                sampling: Sampling::default(),
            },
        }
    }
    /// The fixed number of RR sets, or `None` for the adaptive rule.
    pub fn rr_sets(&self) -> Option<u64> {
        self.rr_sets
    }
    /// The adaptive rule's cap on RR sets.
    pub fn max_rr_sets(&self) -> u64 {
        self.max_rr_sets
    }
    /// The adaptive rule's target relative standard error of the differences.
    pub fn relative_stderr(&self) -> f64 {
        self.relative_stderr
    }
    /// What the spread counts.
    pub fn objective(&self) -> RootDistribution {
        self.objective
    }
}

/// Builder of [`CompareConfig`]; [`CompareConfigBuilder::build`] validates.
#[derive(Debug, Clone)]
pub struct CompareConfigBuilder {
    config: CompareConfig,
}

crate::sampling::sampling_settings!(
    CompareConfig,
    CompareConfigBuilder,
    hops,
    subset_sampling,
    memory_limit_bytes
);

impl CompareConfigBuilder {
    /// Estimate on exactly this many RR sets (replaces the adaptive rule).
    pub fn rr_sets(mut self, n: u64) -> Self {
        self.config.rr_sets = Some(n);
        self
    }
    /// Like [`CompareConfigBuilder::rr_sets`], `None` for the adaptive rule.
    pub fn rr_sets_opt(mut self, n: Option<u64>) -> Self {
        self.config.rr_sets = n;
        self
    }
    /// The adaptive rule's cap on RR sets (default 2²³).
    pub fn max_rr_sets(mut self, n: u64) -> Self {
        self.config.max_rr_sets = n;
        self
    }
    /// The adaptive rule's target: stop once every difference's paired standard error is at
    /// most this share of the larger of its two spreads (default 0.002).
    pub fn relative_stderr(mut self, r: f64) -> Self {
        self.config.relative_stderr = r;
        self
    }
    /// What the spread counts (as [`super::SelectConfigBuilder::objective`]).
    pub fn objective(mut self, o: RootDistribution) -> Self {
        self.config.objective = o;
        self
    }
    /// Validates.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a number of sets or cap outside
    /// 2..=[`crate::limits::MAX_RR_SETS`], a relative standard error outside (0, 1), or invalid
    /// sampling settings.
    pub fn build(self) -> Result<CompareConfig> {
        let c = self.config;
        if let Some(n) = c.rr_sets {
            crate::limits::check_range("rr_sets", n, 2, crate::limits::MAX_RR_SETS)?;
        }
        crate::limits::check_range("max_rr_sets", c.max_rr_sets, 2, crate::limits::MAX_RR_SETS)?;
        if !(c.relative_stderr > 0.0 && c.relative_stderr < 1.0) {
            return Err(Error::invalid_parameter(
                "relative_stderr",
                c.relative_stderr,
                "must be in (0, 1), e.g. 0.002 for 0.2% of the spread",
            ));
        }
        c.sampling.validate()?;
        Ok(c)
    }
}

/// One seed set's spread on the common RR sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetSpread {
    /// The seeds' external ids.
    pub seeds: Vec<NodeKey>,
    /// Expected spread (objective unit, seeds included): scale × covered fraction, with its
    /// binomial standard error.
    pub estimate: Estimate,
    /// RR sets the seed set meets.
    pub covered_sets: u64,
}

/// The paired difference of two seed sets' spreads: `second − first`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// Index of the set subtracted (the first set).
    pub first: usize,
    /// Index of the set it is subtracted from.
    pub second: usize,
    /// Expected spread of `second` minus that of `first` (objective unit).
    pub mean: f64,
    /// Paired standard error (common RR sets).
    pub stderr: f64,
    /// `mean − 1.96 · stderr`.
    pub ci95_low: f64,
    /// `mean + 1.96 · stderr`.
    pub ci95_high: f64,
    /// Standard error two independent estimates of the same size would give, `√(s₁² + s₂²)`.
    pub unpaired_stderr: f64,
    /// RR sets met by `first` but not `second`.
    pub only_first: u64,
    /// RR sets met by `second` but not `first`.
    pub only_second: u64,
}

/// How the number of RR sets was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetsRule {
    /// A fixed number was asked for.
    Fixed,
    /// The adaptive rule reached its target relative standard error.
    AdaptiveTarget,
    /// The adaptive rule stopped at its cap before reaching the target.
    AdaptiveCap,
}

/// The answer of [`compare`]. See [`compare`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Each seed set's spread, in the order given.
    pub sets: Vec<SetSpread>,
    /// Every set after the first minus the first, paired.
    pub differences: Vec<Difference>,
    /// The model.
    pub model: Model,
    /// What the spread counts.
    pub objective: RootDistribution,
    /// RR sets every estimate is taken on (common to all seed sets).
    pub rr_sets: u64,
    /// How that number was chosen.
    pub rule: SetsRule,
    /// The adaptive rule's target relative standard error (absent for a fixed number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_relative_stderr: Option<f64>,
    /// Master seed.
    pub seed: u64,
    /// Wall time in seconds.
    // Absent from stored responses, which leave out what measures time.
    #[serde(default)]
    pub time_s: f64,
}

/// Hit counts over the RR sets counted so far.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Counts {
    sets: u64,
    covered: Vec<u64>,
    /// Per set `j ≥ 1`: (met by the first only, met by `j` only).
    only: Vec<(u64, u64)>,
}

impl Counts {
    fn new(k: usize) -> Counts {
        Counts {
            sets: 0,
            covered: vec![0; k],
            only: vec![(0, 0); k.saturating_sub(1)],
        }
    }

    fn add(&mut self, o: &Counts) {
        self.sets += o.sets;
        for (a, b) in self.covered.iter_mut().zip(&o.covered) {
            *a += b;
        }
        for (a, b) in self.only.iter_mut().zip(&o.only) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }

    fn add_mask(&mut self, m: u64) {
        self.sets += 1;
        if m == 0 {
            return;
        }
        for (j, c) in self.covered.iter_mut().enumerate() {
            *c += m >> j & 1;
        }
        let first = m & 1;
        for (j, o) in self.only.iter_mut().enumerate() {
            let other = m >> (j + 1) & 1;
            o.0 += first & (other ^ 1);
            o.1 += other & (first ^ 1);
        }
    }
}

/// Counts the hits of the seed sets marked in `mark` (bit `j` for set `j`) on `sets` (integer
/// sums over blocks: the same on any number of threads).
fn count(sets: &RrSets, mark: &[u64], k: usize) -> Counts {
    use rayon::prelude::*;
    (0..sets.len())
        .into_par_iter()
        .with_min_len(4096)
        .fold(
            || Counts::new(k),
            |mut c, i| {
                let m = sets.set(i).iter().fold(0u64, |m, &v| m | mark[v as usize]);
                c.add_mask(m);
                c
            },
        )
        .reduce(
            || Counts::new(k),
            |mut a, b| {
                a.add(&b);
                a
            },
        )
}

fn difference(scale: f64, c: &Counts, j: usize, first: &Estimate, second: &Estimate) -> Difference {
    let theta = c.sets as f64;
    let (a, b) = c.only[j - 1];
    let d = (b as f64 - a as f64) / theta;
    let m2 = (a + b) as f64 / theta;
    let stderr = if c.sets > 1 {
        scale * ((m2 - d * d).max(0.0) / (theta - 1.0)).sqrt()
    } else {
        0.0
    };
    let mean = scale * d;
    Difference {
        first: 0,
        second: j,
        mean,
        stderr,
        ci95_low: mean - 1.96 * stderr,
        ci95_high: mean + 1.96 * stderr,
        unpaired_stderr: first.stderr.hypot(second.stderr),
        only_first: a,
        only_second: b,
    }
}

fn summarise(scale: f64, c: &Counts) -> (Vec<Estimate>, Vec<Difference>) {
    let est: Vec<Estimate> = c
        .covered
        .iter()
        .map(|&x| super::coverage_estimate(scale, x, c.sets))
        .collect();
    let diffs = (1..est.len())
        .map(|j| difference(scale, c, j, &est[0], &est[j]))
        .collect();
    (est, diffs)
}

/// Estimates the expected spread of each seed set and the paired differences to the first,
/// all on one common collection of RR sets.
///
/// A set's hits are paired RR set by RR set: the difference `B − A` is `scale ×` the mean of
/// `x_B − x_A`, and its variance only counts the RR sets met by exactly one of the two sets
/// (common random numbers). Without [`CompareConfigBuilder::rr_sets`] the number of sets
/// doubles from [`ADAPTIVE_START_SETS`] until every paired standard error is at most
/// [`CompareConfigBuilder::relative_stderr`] of the larger spread, or reaches
/// [`CompareConfigBuilder::max_rr_sets`].
///
/// # Arguments
/// - `graph`, `model`: the graph with its edge probabilities, IC or LT;
/// - `sets`: two to [`MAX_COMPARED_SETS`] seed sets (dense ids);
/// - `config`: number of sets or the adaptive rule, objective, seed, threads, hops;
/// - `progress`: receives `("rr_sets", done, batch)` per batch; returning `false` cancels.
///
/// # Returns
/// A [`Comparison`]: per set the spread with its standard error, per later set its paired
/// difference to the first (with the unpaired standard error for contrast), the number of
/// sets and how it was chosen.
///
/// # Errors
/// [`Error::InvalidParameter`] for fewer than 2 or more than [`MAX_COMPARED_SETS`] seed
/// sets; [`Error::Empty`], [`Error::UnknownNode`], [`Error::DuplicateNode`] for a bad seed set;
/// as [`RrSampler::new`] and [`RrSampler::sample_range`] (bad weights, memory limit,
/// cancellation).
///
/// # Complexity
/// `O(θ · E[RR work])` sampling (parallel) plus `O(total RR set size)` counting; memory one
/// batch of sets and `O(n)` marks.
pub fn compare(
    graph: &Graph,
    model: Model,
    sets: &[Vec<u32>],
    config: &CompareConfig,
    progress: &dyn Progress,
) -> Result<Comparison> {
    let start = Instant::now();
    if sets.len() < 2 || sets.len() > MAX_COMPARED_SETS {
        return Err(Error::invalid_parameter(
            "seed sets",
            sets.len(),
            format!("compare takes 2 to {MAX_COMPARED_SETS} seed sets"),
        ));
    }
    let mut mark = vec![0u64; graph.node_count()];
    for (j, s) in sets.iter().enumerate() {
        check_seed_set(graph, s)?;
        for &v in s {
            mark[v as usize] |= 1 << j;
        }
    }
    let rr = RrConfig::builder()
        .sampling(config.sampling)
        .roots(config.objective)
        .build()?;
    let sampler = RrSampler::new(graph, model, &rr)?;
    let scale = sampler.scale();
    let pool = config.sampling.pool()?;
    let seed = config.sampling.seed;
    let k = sets.len();
    let mut counts = Counts::new(k);
    // Draws positions `counts.sets..target` of the collection and counts them, batch by batch.
    let grow_to = |counts: &mut Counts, target: u64| -> Result<()> {
        while counts.sets < target {
            let n = (target - counts.sets).min(BATCH_SETS);
            let batch = sampler.sample_range(seed, counts.sets, n as usize, progress)?;
            let c = match &pool {
                Some(p) => p.install(|| count(&batch, &mark, k)),
                None => count(&batch, &mark, k),
            };
            counts.add(&c);
        }
        Ok(())
    };
    let (rule, target_rel) = match config.rr_sets {
        Some(n) => {
            grow_to(&mut counts, n)?;
            (SetsRule::Fixed, None)
        }
        None => {
            let cap = config.max_rr_sets;
            // Rounded to whole chunks, so every batch starts on a chunk boundary.
            let mut target = ADAPTIVE_START_SETS.min(cap);
            let rule = loop {
                grow_to(&mut counts, target)?;
                let (est, diffs) = summarise(scale, &counts);
                let met = diffs.iter().all(|d| {
                    let size = est[0].mean.abs().max(est[d.second].mean.abs());
                    d.stderr <= config.relative_stderr * size
                });
                if met {
                    break SetsRule::AdaptiveTarget;
                }
                if counts.sets >= cap {
                    break SetsRule::AdaptiveCap;
                }
                target = (2 * counts.sets).div_ceil(RR_CHUNK_SETS) * RR_CHUNK_SETS;
                target = target.min(cap);
            };
            (rule, Some(config.relative_stderr))
        }
    };
    let (est, differences) = summarise(scale, &counts);
    Ok(Comparison {
        sets: sets
            .iter()
            .zip(est)
            .zip(&counts.covered)
            .map(|((s, estimate), &covered_sets)| SetSpread {
                seeds: s.iter().map(|&v| graph.ids().key(v)).collect(),
                estimate,
                covered_sets,
            })
            .collect(),
        differences,
        model,
        objective: config.objective,
        rr_sets: counts.sets,
        rule,
        target_relative_stderr: target_rel,
        seed,
        time_s: start.elapsed().as_secs_f64(),
    })
}

/// Stream of the common RR sets [`stability`] evaluates the runs on (independent of the sets
/// any run chose its seeds on).
const STREAM_STABILITY: u64 = 0x57AB_1E17;

/// Spread of the runs' seed sets on common RR sets: mean, sample standard deviation, range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunSpread {
    /// Mean over the runs of each seed set's estimated spread (objective unit).
    pub mean: f64,
    /// Sample standard deviation over the runs (`n − 1`; 0 for one run).
    pub sd: f64,
    /// Smallest run's spread.
    pub min: f64,
    /// Largest run's spread.
    pub max: f64,
    /// Largest standard error of one run's estimate: the RR sampling noise inside `sd`.
    pub max_stderr: f64,
}

/// Pairwise Jaccard similarity `|A ∩ B| / |A ∪ B|` of the runs' seed sets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct JaccardSummary {
    /// Mean over all pairs of runs.
    pub mean: f64,
    /// Smallest over all pairs.
    pub min: f64,
}

/// How often an account was chosen across the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountShare {
    /// The account.
    pub account: NodeKey,
    /// Runs that chose it.
    pub runs: usize,
    /// `runs / total runs`.
    pub share: f64,
}

/// How much a selection moves with its random seed: see [`stability`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stability {
    /// Number of runs.
    pub runs: usize,
    /// The master seed of each run.
    pub seeds: Vec<u64>,
    /// Each run's estimated spread on the common RR sets, in run order (objective unit).
    pub run_spreads: Vec<f64>,
    /// Summary of `run_spreads`.
    pub spread: RunSpread,
    /// Overlap of the runs' seed sets.
    pub jaccard: JaccardSummary,
    /// Accounts every run chose, in the first run's pick order.
    pub in_every_run: Vec<NodeKey>,
    /// Every account any run chose, most often first (ties in order of first appearance).
    pub frequency: Vec<AccountShare>,
    /// Common RR sets the runs' spreads were estimated on.
    pub rr_sets: u64,
}

/// Summarises `R ≥ 2` selections of the same problem with seeds `seeds[i]`: each run's seed
/// set is evaluated on one common collection of RR sets (drawn from a stream derived from
/// `config`'s seed, independent of the sets any run chose on, so no run is favoured by its own
/// sets), then the spread's mean, standard deviation and range, the pairwise Jaccard overlap
/// of the seed sets, the accounts in every run and each account's share of runs.
///
/// # Errors
/// As [`compare`] (2 to [`MAX_COMPARED_SETS`] runs, valid seed sets); [`Error::InvalidParameter`]
/// when `seeds` and `runs` differ in length.
pub fn stability(
    graph: &Graph,
    model: Model,
    runs: &[Vec<u32>],
    seeds: &[u64],
    config: &CompareConfig,
    progress: &dyn Progress,
) -> Result<Stability> {
    if seeds.len() != runs.len() {
        return Err(Error::invalid_parameter(
            "seeds",
            seeds.len(),
            format!("one master seed per run ({} runs)", runs.len()),
        ));
    }
    let mut common = config.clone();
    common.sampling.seed = crate::rng::derive(config.sampling.seed, STREAM_STABILITY);
    let c = compare(graph, model, runs, &common, progress)?;
    let run_spreads: Vec<f64> = c.sets.iter().map(|s| s.estimate.mean).collect();
    let r = runs.len();
    let mean = run_spreads.iter().sum::<f64>() / r as f64;
    let var = run_spreads.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (r - 1) as f64;
    let spread = RunSpread {
        mean,
        sd: var.sqrt(),
        min: run_spreads.iter().copied().fold(f64::INFINITY, f64::min),
        max: run_spreads
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max),
        max_stderr: c.sets.iter().map(|s| s.estimate.stderr).fold(0.0, f64::max),
    };
    let sorted: Vec<Vec<u32>> = runs
        .iter()
        .map(|s| {
            let mut v = s.clone();
            v.sort_unstable();
            v
        })
        .collect();
    let (mut sum, mut min, mut pairs) = (0.0, f64::INFINITY, 0usize);
    for i in 0..r {
        for j in i + 1..r {
            let j = jaccard(&sorted[i], &sorted[j]);
            sum += j;
            min = min.min(j);
            pairs += 1;
        }
    }
    // Accounts in order of first appearance, with the runs that chose them.
    let mut order: Vec<u32> = Vec::new();
    let mut times = std::collections::HashMap::new();
    for s in runs {
        for &v in s {
            let t = times.entry(v).or_insert(0usize);
            if *t == 0 {
                order.push(v);
            }
            *t += 1;
        }
    }
    let in_every_run = runs[0]
        .iter()
        .filter(|v| times[*v] == r)
        .map(|&v| graph.ids().key(v))
        .collect();
    let mut frequency: Vec<(u32, usize)> = order.iter().map(|&v| (v, times[&v])).collect();
    frequency.sort_by_key(|&(_, t)| std::cmp::Reverse(t));
    Ok(Stability {
        runs: r,
        seeds: seeds.to_vec(),
        run_spreads,
        spread,
        jaccard: JaccardSummary {
            mean: sum / pairs as f64,
            min,
        },
        in_every_run,
        frequency: frequency
            .into_iter()
            .map(|(v, t)| AccountShare {
                account: graph.ids().key(v),
                runs: t,
                share: t as f64 / r as f64,
            })
            .collect(),
        rr_sets: c.rr_sets,
    })
}

/// Jaccard similarity of two sorted, duplicate-free id lists (1 for two empty lists).
fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        1.0
    } else {
        both as f64 / union as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    #[test]
    fn counts_by_hand() {
        let mut c = Counts::new(3);
        for m in [0b000, 0b001, 0b011, 0b110, 0b100, 0b101] {
            c.add_mask(m);
        }
        assert_eq!(c.sets, 6);
        // Set 0 is in 001, 011, 101; set 1 in 011, 110; set 2 in 110, 100, 101.
        assert_eq!(c.covered, vec![3, 2, 3]);
        // Against set 1: 001, 101 first only, 110 second only; set 2: 001, 011 and 110, 100.
        assert_eq!(c.only, vec![(2, 1), (2, 2)]);
        // d = (1 - 2)/6, m2 = 3/6: var = (0.5 - 1/36) / 5.
        let (est, d) = summarise(6.0, &c);
        assert_eq!(est[0].mean, 3.0);
        assert!((d[0].mean + 1.0).abs() < 1e-12);
        let want = 6.0 * ((0.5f64 - 1.0 / 36.0) / 5.0).sqrt();
        assert!((d[0].stderr - want).abs() < 1e-12);
    }

    #[test]
    fn fewer_than_two_sets_and_bad_config_are_errors() {
        let g = super::super::random_graph(20, 60, 0.2, 1);
        let c = CompareConfig::builder().rr_sets(1000).build().unwrap();
        let e = compare(&g, Model::IndependentCascade, &[vec![0]], &c, &NoProgress);
        assert!(matches!(e, Err(Error::InvalidParameter { .. })), "{e:?}");
        let e = compare(
            &g,
            Model::IndependentCascade,
            &[vec![0], vec![]],
            &c,
            &NoProgress,
        );
        assert!(matches!(e, Err(Error::Empty { .. })), "{e:?}");
        assert!(CompareConfig::builder().rr_sets(1).build().is_err());
        assert!(CompareConfig::builder()
            .relative_stderr(0.0)
            .build()
            .is_err());
        assert!(CompareConfig::builder().max_rr_sets(0).build().is_err());
    }

    #[test]
    fn jaccard_by_hand() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[1], &[2]), 0.0);
        assert_eq!(jaccard(&[1, 5], &[1, 5]), 1.0);
    }

    #[test]
    fn stability_by_hand() {
        let g = super::super::random_graph(30, 90, 0.2, 4);
        let runs = vec![vec![0, 1, 2], vec![2, 1, 3], vec![1, 2, 4]];
        let c = CompareConfig::builder()
            .rr_sets(20_000)
            .seed(9)
            .build()
            .unwrap();
        let s = stability(
            &g,
            Model::IndependentCascade,
            &runs,
            &[9, 10, 11],
            &c,
            &NoProgress,
        )
        .unwrap();
        assert_eq!(s.runs, 3);
        let key = |v: u32| g.ids().key(v);
        // 1 and 2 are in every run, listed in the first run's order.
        assert_eq!(s.in_every_run, vec![key(1), key(2)]);
        assert_eq!(s.frequency[0].account, key(1));
        assert_eq!(s.frequency[1].account, key(2));
        assert_eq!(s.frequency[0].share, 1.0);
        assert_eq!(s.frequency.len(), 5);
        assert!((s.frequency[2].share - 1.0 / 3.0).abs() < 1e-12);
        // Pairs: {0,1,2}-{1,2,3} 2/4, {0,1,2}-{1,2,4} 2/4, {1,2,3}-{1,2,4} 2/4.
        assert!((s.jaccard.mean - 0.5).abs() < 1e-12);
        assert!((s.jaccard.min - 0.5).abs() < 1e-12);
        assert!(s.spread.min <= s.spread.mean && s.spread.mean <= s.spread.max);
        assert_eq!(s.rr_sets, 20_000);
        let e = stability(&g, Model::IndependentCascade, &runs, &[9], &c, &NoProgress);
        assert!(e.is_err());
    }
}
