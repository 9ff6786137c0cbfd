//! Seed selection (influence maximization): the accounts that maximize expected spread for a
//! count `k` or a budget, optionally counting only target people, with a certified
//! approximation ratio.
//!
//! Every algorithm here works on reverse-reachable (RR) sets ([`crate::rrset`]): a seed set's
//! expected spread is the scale times the fraction of RR sets it meets, so picking seeds is
//! maximum coverage over sampled sets, and the sampling error is controlled by martingale
//! concentration bounds.
//!
//! ## Algorithms
//! - [`Algorithm::OpimC`] (Tang, Tang, Xiao, Yuan, SIGMOD 2018): two independent collections,
//!   `R1` to select and `R2` to validate, doubled together. After each greedy pass on `R1` it
//!   computes a lower bound of the seeds' spread from `R2` and an upper bound of the optimum
//!   from `R1` (coverage of greedy's answer plus the largest marginal gains, Lemma 4.2 of the
//!   paper), and stops as soon as their ratio reaches `γ − ε` (`γ = 1 − 1/e` for `k` accounts).
//!   The ratio achieved is reported; it holds with probability at least `1 − δ`.
//! - [`Algorithm::Imm`] (Tang, Shi, Xiao, SIGMOD 2015) with Chen's correction (arXiv
//!   1808.09363): the sampling phase estimates a lower bound of the optimum and the number of
//!   sets `θ` it implies; the final greedy runs on `θ` *fresh* sets, independent of that
//!   estimate, as the corrected proof requires. The guarantee is `γ − ε` with probability
//!   `1 − δ`, split evenly between the phases.
//! - [`Mode::Quality`]: the expected spread of greedy keeps growing with the number of sets
//!   long after the guarantee is met (IMM at ε = 0.1 reaches seeds about 3% better than
//!   OPIM-C's at the same ε). Quality mode runs OPIM-C until the guarantee is met and then
//!   grows both collections until greedy's seeds cover at least `0.75 / tolerance²` selection
//!   sets (30,000 at the default [`SelectConfigBuilder::tolerance`] of 0.5%), so the counts
//!   greedy compares carry about the same relative noise on any graph: one step to the size
//!   the out-of-sample coverage rate on `R2` predicts (2% margin), then steps of at least
//!   1.25×, within the time, set and memory limits. Past the guarantee `R2` grows to a
//!   quarter of `R1` only (it carries the estimate, independent of the seeds, and the rate
//!   the next round aims by; its standard error is reported). The answer is greedy on the
//!   last round's sets with a control variate, the first reverse hop, whose chance of
//!   meeting the seeds is exact (the `cv` module source): the gains it compares carry less
//!   noise, so it needs fewer sets than plain greedy for the same spread. Where people hold
//!   several accounts (person roots) a person's first hop is that of all their accounts and
//!   the floor stays `1.125 / tolerance²` (45,000): there the variate buys spread, not fewer
//!   sets. Where its arrays would not fit under the memory limit, or its passes over the
//!   graph (every in-edge and every account, whatever the number of sets) would cost more
//!   than they save, plain greedy answers, at the same floor: on graphs of 10M follows and
//!   more, quality mode's sets are small beside the graph.
//!
//! Greedy is lazy (CELF) maximum coverage on an inverted index of the selection sets (see the
//! `cover` module source): sequential, since parallel max-cover loses on small machines, while
//! sampling is parallel and deterministic. OPIM-C and quality mode fill the cores greedy leaves
//! idle: while a round's greedy and evaluation run, the pool already draws the next round's
//! first selection batch (the very sets the next round would draw; dropped if the round
//! stops the doubling). On a quality-mode round aimed at the floor, expected to be the last,
//! the other core runs the control-variate greedy (the answer's) beside plain greedy instead.
//! On two or more threads each selection batch after a round's first is drawn while one of
//! the pool's threads indexes the batch before it. None of this changes an answer, and the
//! phase times in [`Timings`] may overlap.
//!
//! ## Budgets and targets
//! - A budget ([`SelectConfigBuilder::budget`]) uses the account costs of the graph's
//!   attributes (accounts without a cost are not for hire): the better of cost-effective greedy
//!   and the best single affordable account (Khuller, Moss, Naor 1999; as in BCT, Nguyen et al.
//!   2016), `γ = 1 − 1/√e`. The certificate bounds the optimum by a fractional knapsack over
//!   marginal gains.
//! - A target ([`RootDistribution::TargetWeighted`]) draws RR roots in proportion to the
//!   people's target weight, so the spread is counted in target weight (e.g. voters in swing
//!   states); [`SelectConfigBuilder::candidates`] restricts the seeds (e.g. to hireable
//!   creators).
//!
//! ## What a result reports
//! [`Selection`]: seeds in pick order with their marginal gains (in-sample), the
//! out-of-sample spread [`Estimate`] (on sets not used to choose the seeds — `R2` for OPIM-C,
//! the sampling-phase sets for IMM — since the in-sample coverage of greedy's own sets runs
//! high), the RR sets drawn, the certified approximation ratio, the time per phase and the
//! memory of the RR store.
//!
//! ## Determinism
//! All sets come from [`crate::rng`] streams keyed by the seed and the position of each
//! batch, batches are sized by a fixed schedule, and greedy is sequential with ties to the
//! lower id: the same seed gives the same seeds and numbers on any number of threads. Only a
//! [`SelectConfigBuilder::time_limit_s`] can change the answer (it stops the doubling early).
//!
//! ## Example
//! ```
//! use reachgraph_core::{GraphBuilder, GraphOptions, NoProgress};
//! use reachgraph_core::cascade::Model;
//! use reachgraph_core::select::{select, SelectConfig};
//! let mut b = GraphBuilder::new(GraphOptions::default());
//! for (u, v) in [("hub", "a"), ("hub", "b"), ("hub", "c"), ("a", "d"), ("x", "y")] {
//!     b.add_edge(u, v, Some(0.9)).unwrap();
//! }
//! let (g, _) = b.build().unwrap();
//! let config = SelectConfig::builder().k(2).epsilon(0.2).seed(1).build().unwrap();
//! let s = select(&g, Model::IndependentCascade, &config, &NoProgress).unwrap();
//! assert_eq!(g.label(s.seeds[0]), "hub");
//! assert!(s.approximation >= 1.0 - (-1.0f64).exp() - 0.2);
//! assert!(s.estimate.mean > 4.0); // hub reaches about 4.3 of its 5 accounts, x adds 1.9
//! ```

mod baseline;
mod compare;
mod cover;
mod cv;
mod distributed;
mod imm;
mod mc;
mod opim;
mod store;

pub use baseline::{
    degree_discount, mean_probability, pagerank, random_seeds, BaselineParameters, PageRank,
    BASELINE_SETS, PAGERANK_DAMPING, PAGERANK_MAX_ITERATIONS, PAGERANK_TOLERANCE,
};
pub use compare::{
    compare, stability, AccountShare, CompareConfig, CompareConfigBuilder, Comparison, Difference,
    JaccardSummary, RunSpread, SetSpread, SetsRule, Stability, ADAPTIVE_MAX_SETS,
    ADAPTIVE_START_SETS, DEFAULT_RELATIVE_STDERR, MAX_COMPARED_SETS,
};
pub use distributed::{select_distributed, select_distributed_stats};
pub use mc::{mc_greedy, McGreedy};

use crate::cascade::Model;
use crate::coverage::PickMethod;
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::ids::NodeKey;
use crate::progress::Progress;
use crate::rng;
use crate::rrset::{RootDistribution, RrConfig, RrSampler, RrSets};
use crate::sampling::{check_seed_set, Sampling};
use crate::stats::Estimate;
use cover::{Greedy, Method, RrIndex};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Greedy's guarantee for `k` accounts: `1 − 1/e`.
pub const CARDINALITY_GUARANTEE: f64 = 0.632_120_558_828_557_7;

/// Greedy's guarantee under a budget (cost-effective greedy or the best single): `1 − 1/√e`.
pub const BUDGET_GUARANTEE: f64 = crate::coverage::BUDGET_GUARANTEE;

/// Largest number of sets in one collection (set ids are `u32`).
pub const MAX_SETS_PER_COLLECTION: u64 = u32::MAX as u64;

/// Which algorithm chooses the number of RR sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// OPIM-C (Tang et al. 2018): stop once the certified ratio reaches `γ − ε`.
    #[default]
    #[serde(alias = "opim-c", alias = "opim")]
    OpimC,
    /// IMM (Tang et al. 2015) with Chen's (2018) fresh final sets.
    Imm,
    /// Baseline: the `k` candidates with the most followers (out-degree).
    Degree,
    /// Baseline: degree discount (Chen, Wang, Yang 2009) with the graph's mean edge
    /// probability as its IC `p`.
    #[serde(alias = "degree-discount", alias = "degreediscount")]
    DegreeDiscount,
    /// Baseline: PageRank on the follower graph (damping 0.85, tolerance 1e-12 in L1).
    #[serde(rename = "pagerank", alias = "page_rank")]
    PageRank,
    /// Baseline: `k` candidates drawn uniformly at random from the seed's stream.
    Random,
}

impl Algorithm {
    /// True for the baselines (degree, degree discount, PageRank, random), which rank
    /// accounts instead of sampling RR sets to choose them.
    pub fn is_baseline(self) -> bool {
        !matches!(self, Algorithm::OpimC | Algorithm::Imm)
    }

    /// The wire name (`opim_c`, `imm`, `degree`, `degree_discount`, `pagerank`, `random`).
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::OpimC => "opim_c",
            Algorithm::Imm => "imm",
            Algorithm::Degree => "degree",
            Algorithm::DegreeDiscount => "degree_discount",
            Algorithm::PageRank => "pagerank",
            Algorithm::Random => "random",
        }
    }
}

/// Stop at the guarantee, or keep improving past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Stop as soon as the approximation guarantee is certified (or, for IMM, proven).
    #[default]
    Guarantee,
    /// After the guarantee, keep growing the sets until greedy's seeds cover `0.75 /
    /// tolerance²` selection sets (`1.125 / tolerance²` where a person holds several
    /// accounts), then pick with the first-hop control variate (OPIM-C only).
    Quality,
}

/// The constraint on the seed set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// At most this many accounts.
    Count(usize),
    /// Total cost (from the graph's `cost` attribute) at most this.
    Budget(f64),
}

/// Why the sampling stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The approximation guarantee was certified (OPIM-C) or proven (IMM's `θ`).
    Guarantee,
    /// OPIM-C reached its worst-case number of sets `θ_max`, which proves the guarantee.
    MaxSets,
    /// Quality mode: greedy's seeds cover the floor of selection sets the tolerance sets.
    Converged,
    /// The configured limit on RR sets was reached first.
    SetLimit,
    /// The configured time limit was reached first.
    TimeLimit,
    /// The configured memory limit was reached first.
    MemoryLimit,
    /// A baseline: its seeds were ranked, then evaluated on a fixed number of sets
    /// ([`BASELINE_SETS`] or the set limit).
    FixedSets,
}

/// Configuration of [`select`]; build it with [`SelectConfig::builder`].
#[derive(Debug, Clone, PartialEq)]
pub struct SelectConfig {
    constraint: Option<Constraint>,
    epsilon: f64,
    delta: Option<f64>,
    algorithm: Algorithm,
    mode: Mode,
    objective: RootDistribution,
    candidates: Option<Vec<u32>>,
    sampling: Sampling,
    tolerance: f64,
    max_rr_sets: Option<u64>,
    time_limit_s: Option<f64>,
}

impl Default for SelectConfig {
    fn default() -> Self {
        SelectConfig {
            constraint: None,
            epsilon: 0.1,
            delta: None,
            algorithm: Algorithm::OpimC,
            mode: Mode::Guarantee,
            objective: RootDistribution::People,
            candidates: None,
            sampling: Sampling::default(),
            tolerance: 0.005,
            max_rr_sets: None,
            time_limit_s: None,
        }
    }
}

impl SelectConfig {
    /// A builder with the defaults: ε = 0.1, δ = 1/n, OPIM-C, guarantee mode, spread counted in
    /// people, all accounts as candidates, seed 0, the current rayon pool, no hop horizon,
    /// quality tolerance 0.5%, no set or time limit, the default memory limit. A count
    /// ([`SelectConfigBuilder::k`]) or a budget is required.
    pub fn builder() -> SelectConfigBuilder {
        SelectConfigBuilder {
            config: SelectConfig::default(),
        }
    }
    /// The constraint.
    pub fn constraint(&self) -> Option<Constraint> {
        self.constraint
    }
    /// ε.
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }
    /// δ, if set (else `1/n`).
    pub fn delta(&self) -> Option<f64> {
        self.delta
    }
    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }
    /// What the spread counts (the RR root distribution).
    pub fn objective(&self) -> RootDistribution {
        self.objective
    }
    /// Candidate accounts, if restricted.
    pub fn candidates(&self) -> Option<&[u32]> {
        self.candidates.as_deref()
    }
    /// Quality mode's relative improvement threshold.
    pub fn tolerance(&self) -> f64 {
        self.tolerance
    }
    /// Limit on the RR sets drawn in total, if any.
    pub fn max_rr_sets(&self) -> Option<u64> {
        self.max_rr_sets
    }
    /// Time limit in seconds, if any.
    pub fn time_limit_s(&self) -> Option<f64> {
        self.time_limit_s
    }
    /// Memory limit of the RR store in bytes, if any.
    pub fn memory_limit_bytes(&self) -> Option<u64> {
        self.sampling.memory_limit_bytes
    }
}

/// Builder of [`SelectConfig`]; [`SelectConfigBuilder::build`] validates.
#[derive(Debug, Clone)]
pub struct SelectConfigBuilder {
    config: SelectConfig,
}

crate::sampling::sampling_settings!(SelectConfig, SelectConfigBuilder, hops, subset_sampling);

impl SelectConfigBuilder {
    /// Choose `k` accounts (replaces a budget).
    pub fn k(mut self, k: usize) -> Self {
        self.config.constraint = Some(Constraint::Count(k));
        self
    }
    /// Choose accounts of total cost at most `budget` (replaces `k`); costs come from the
    /// graph's `cost` attribute.
    pub fn budget(mut self, budget: f64) -> Self {
        self.config.constraint = Some(Constraint::Budget(budget));
        self
    }
    /// The constraint itself.
    pub fn constraint(mut self, c: Constraint) -> Self {
        self.config.constraint = Some(c);
        self
    }
    /// ε in (0, 1): the guarantee is `γ − ε` (default 0.1).
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.config.epsilon = epsilon;
        self
    }
    /// Failure probability δ in (0, 1) (default `1/n`, as IMM's ℓ = 1 and OPIM-C).
    pub fn delta(mut self, delta: f64) -> Self {
        self.config.delta = Some(delta);
        self
    }
    /// The algorithm (default OPIM-C).
    pub fn algorithm(mut self, a: Algorithm) -> Self {
        self.config.algorithm = a;
        self
    }
    /// Guarantee or quality mode (default guarantee).
    pub fn mode(mut self, m: Mode) -> Self {
        self.config.mode = m;
        self
    }
    /// What the spread counts: accounts ([`RootDistribution::Uniform`]), people (default) or
    /// target weight ([`RootDistribution::TargetWeighted`], targeted selection).
    pub fn objective(mut self, o: RootDistribution) -> Self {
        self.config.objective = o;
        self
    }
    /// Restrict the seeds to these accounts (dense ids).
    pub fn candidates(mut self, c: Vec<u32>) -> Self {
        self.config.candidates = Some(c);
        self
    }
    /// Like [`SelectConfigBuilder::candidates`], with `None` for all accounts.
    pub fn candidates_opt(mut self, c: Option<Vec<u32>>) -> Self {
        self.config.candidates = c;
        self
    }
    /// Quality mode: stop once greedy's seeds cover at least `0.75 / t²` selection sets
    /// (default 0.005, i.e. 30,000 sets, for "within 0.5% of IMM at ε = 0.1"; `1.125 / t²`,
    /// 45,000, where people hold several accounts and the objective counts people or target
    /// weight, or where the control variate does not answer: its arrays would not fit in
    /// memory, or its passes over the graph would not pay; the constants are calibrated on
    /// three real graphs, see docs/BENCHMARKS.md).
    ///
    /// A larger tolerance is faster and riskier. On soc-Epinions1, NetHEPT and wiki-Vote
    /// (seeds 1–100 each), 0.0061 (20,000 sets) still kept every run above 99.5% of IMM's
    /// spread, in 0.72–0.79× the default's CPU time; 0.0071 (15,000) fell below it in 4 runs
    /// of 300 (the tolerance table in docs/guide.md).
    pub fn tolerance(mut self, t: f64) -> Self {
        self.config.tolerance = t;
        self
    }
    /// Draw at most this many RR sets in total (OPIM-C stops with the ratio reached so far;
    /// IMM fails if its `θ` needs more).
    pub fn max_rr_sets(mut self, n: u64) -> Self {
        self.config.max_rr_sets = Some(n);
        self
    }
    /// Stop doubling when the next round would end after this many seconds (OPIM-C and
    /// quality mode; makes the answer depend on the machine).
    pub fn time_limit_s(mut self, s: f64) -> Self {
        self.config.time_limit_s = Some(s);
        self
    }
    /// Keep the RR store (index, validation sets and the batch being added) under this many
    /// bytes: OPIM-C stops with the ratio reached so far, IMM fails.
    pub fn memory_limit_bytes(mut self, b: u64) -> Self {
        self.config.sampling.memory_limit_bytes = Some(b);
        self
    }

    /// Validates and returns the configuration.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a missing constraint, `k = 0`, a budget that is not a
    /// positive number, ε outside [[`crate::limits::MIN_EPSILON`], 1), δ outside (0, 1), a
    /// tolerance outside [[`crate::limits::MIN_TOLERANCE`], 1), invalid sampling
    /// settings ([`Sampling::validate`]: zero threads, hops or memory limit), a zero set limit, a
    /// non-positive time limit, or quality mode with IMM.
    pub fn build(self) -> Result<SelectConfig> {
        let c = self.config;
        match c.constraint {
            None => {
                return Err(Error::invalid_parameter(
                    "k",
                    "none",
                    "give a number of accounts k or a budget",
                ))
            }
            Some(Constraint::Count(0)) => {
                return Err(Error::invalid_parameter("k", 0, "must be at least 1"))
            }
            Some(Constraint::Budget(b)) if !(b.is_finite() && b > 0.0) => {
                return Err(Error::invalid_parameter(
                    "budget",
                    b,
                    "must be a finite number > 0",
                ))
            }
            _ => {}
        }
        // RR-set counts grow as 1/epsilon²: below the minimum no run would fit in memory.
        crate::limits::check_unit_range("epsilon", c.epsilon, crate::limits::MIN_EPSILON, 1.0)?;
        if let Some(d) = c.delta {
            if !(d > 0.0 && d < 1.0) {
                return Err(Error::invalid_parameter("delta", d, "must be in (0, 1)"));
            }
        }
        // Quality mode grows until greedy covers 0.75 (or 1.125) / tolerance² sets; at 0 it would grow
        // until the memory limit.
        crate::limits::check_unit_range(
            "tolerance",
            c.tolerance,
            crate::limits::MIN_TOLERANCE,
            1.0,
        )?;
        c.sampling.validate()?;
        if c.max_rr_sets == Some(0) {
            return Err(Error::invalid_parameter(
                "max_rr_sets",
                0,
                "must be at least 1 (omit it for no limit)",
            ));
        }
        if let Some(t) = c.time_limit_s {
            if !(t > 0.0 && t.is_finite()) {
                return Err(Error::invalid_parameter(
                    "time_limit_s",
                    t,
                    "must be a finite number of seconds > 0",
                ));
            }
        }
        if c.mode == Mode::Quality && c.algorithm.is_baseline() {
            return Err(Error::invalid_parameter(
                "mode",
                "quality",
                format!(
                    "quality mode builds on OPIM-C's doubling; the baseline {} has no such mode",
                    c.algorithm.as_str()
                ),
            ));
        }
        if c.algorithm.is_baseline() && matches!(c.constraint, Some(Constraint::Budget(_))) {
            return Err(Error::invalid_parameter(
                "budget",
                "set",
                format!(
                    "the baseline {} ranks accounts for a number k; use opim_c or imm for a \
                     budget",
                    c.algorithm.as_str()
                ),
            ));
        }
        if c.mode == Mode::Quality && c.algorithm == Algorithm::Imm {
            return Err(Error::invalid_parameter(
                "mode",
                "quality",
                "quality mode builds on OPIM-C's doubling; use algorithm opim_c (the default)",
            ));
        }
        Ok(c)
    }
}

/// Wall time of each phase, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Timings {
    /// Drawing RR sets (parallel).
    pub sampling_s: f64,
    /// Transposing selection sets into the inverted index.
    pub indexing_s: f64,
    /// Greedy maximum coverage and the optimum's upper bound.
    pub greedy_s: f64,
    /// Coverage of the seeds on the validation / evaluation sets.
    pub evaluation_s: f64,
    /// Everything, from the call to the answer (graph loading excluded).
    pub total_s: f64,
}

/// The answer of [`select`]. See the [module docs](self).
///
/// The per-seed parts, keyed by dense id, are fields here; everything else is in
/// [`Selection::summary`], which the API ships as it is beside external ids. Reading
/// `selection.estimate` works through [`Deref`](std::ops::Deref) to the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    /// Seeds (dense ids) in pick order.
    pub seeds: Vec<u32>,
    /// The seeds' external ids, in the same order.
    pub keys: Vec<NodeKey>,
    /// What each seed adds to the ones before it, on the selection sets (in-sample), in the
    /// objective's unit.
    pub marginal_gains: Vec<f64>,
    /// Each seed's cost (budgeted selection).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub costs: Option<Vec<f64>>,
    /// Estimate, certificate, configuration and work: everything not per seed.
    #[serde(flatten)]
    pub summary: SelectionSummary,
}

impl std::ops::Deref for Selection {
    type Target = SelectionSummary;

    fn deref(&self) -> &SelectionSummary {
        &self.summary
    }
}

/// What a [`Selection`] says beyond its seeds: the estimate, the certificate, the
/// configuration it ran with and the work it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectionSummary {
    /// Certified lower bound on `spread(seeds) / optimum`, holding with probability ≥ `1 − δ`.
    pub approximation: f64,
    /// The target ratio `γ − ε`.
    pub guarantee: f64,
    /// Out-of-sample estimate of the seeds' expected spread (objective unit, seeds included),
    /// on RR sets not used to choose them.
    pub estimate: Estimate,
    /// The seeds' coverage of their own selection sets, scaled (runs high: greedy fits them).
    pub in_sample: f64,
    /// Lower confidence bound of the seeds' spread (OPIM-C's `σˡ`; IMM: from the evaluation
    /// sets at the same δ).
    pub spread_lower_bound: f64,
    /// Upper confidence bound of the optimum's spread (OPIM-C's `σᵘ`).
    pub optimum_upper_bound: f64,
    /// Summed cost of the seeds (budgeted selection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_cost: Option<f64>,
    /// `greedy` for `k` seeds; for a budget `cost_effective_greedy`, or `best_single` when
    /// one affordable account beat it.
    pub method: crate::coverage::PickMethod,
    /// RR sets drawn in total (selection, validation and IMM's sampling phase).
    pub rr_sets: u64,
    /// Sets greedy chose the seeds on.
    pub selection_sets: u64,
    /// Sets the out-of-sample estimate is taken on.
    pub validation_sets: u64,
    /// Greedy passes (doubling rounds).
    pub rounds: u32,
    /// Why sampling stopped.
    pub stopped_by: StopReason,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The mode.
    pub mode: Mode,
    /// The cascade model.
    pub model: Model,
    /// What the spread counts.
    pub objective: RootDistribution,
    /// ε.
    pub epsilon: f64,
    /// δ.
    pub delta: f64,
    /// Master seed.
    pub seed: u64,
    /// Time per phase.
    // Absent from stored responses, which leave out what measures time.
    #[serde(default)]
    pub timings: Timings,
    /// Raw bytes of the RR store at the end (selection index and validation sets), from their
    /// counts: 4 per set id, account id and root, 8 per offset; allocation slack is not
    /// counted, so the figure is the same on any number of threads or ranks.
    pub rr_store_bytes: u64,
    /// Largest raw bytes the RR store held at once (including a batch being indexed), counted
    /// as [`SelectionSummary::rr_store_bytes`]. On two or more threads the selection batch
    /// drawn while the one before is indexed is held too and not counted here, so that the
    /// figure is the same on any number of threads; the memory limit counts it.
    pub peak_rr_bytes: u64,
    /// A baseline's parameters (absent for OPIM-C and IMM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineParameters>,
}

/// Chooses seeds under `model`; see the [module docs](self) for the algorithms.
///
/// # Arguments
/// - `graph`: the graph with its edge probabilities (and, for budgets or targets, the `cost`
///   and `target_weight` attributes);
/// - `model`: Independent Cascade or Linear Threshold;
/// - `config`: constraint, ε, δ, algorithm, mode, objective, candidates, seed, limits;
/// - `progress`: receives `("rr_sets", done, total)` per sampling call; returning `false`
///   cancels.
///
/// # Returns
/// A [`Selection`] with the seeds in pick order, their out-of-sample estimate, the
/// certified ratio and the work done.
///
/// # Errors
/// [`Error::Empty`] for a graph without accounts or an empty candidate list,
/// [`Error::UnknownNode`] / [`Error::DuplicateNode`] for bad candidates, [`Error::KTooLarge`]
/// when `k` exceeds the candidates, [`Error::MissingAttribute`] for a budget without costs,
/// [`Error::BudgetTooSmall`] when no candidate is affordable, [`Error::InvalidParameter`] for
/// all-zero target weights, [`Error::InvalidProbability`] / [`Error::LtWeightsExceedOne`] for
/// bad edge weights, [`Error::MemoryLimit`] when IMM's sets exceed the limit (or OPIM-C's first
/// round does), [`Error::Cancelled`].
///
/// # Complexity
/// Sampling dominates: `O(θ · E[RR work])` with `θ = O((k ln n + ln 1/δ) n / (ε² OPT))` sets
/// (Tang et al. 2015, 2018), parallel. Indexing and greedy are `O(n + total set size)`.
pub fn select(
    graph: &Graph,
    model: Model,
    config: &SelectConfig,
    progress: &dyn Progress,
) -> Result<Selection> {
    let start = Instant::now();
    let e = Engine::new(graph, model, config, progress, start)?;
    let store = store::OneProcess::new(e);
    match config.algorithm {
        Algorithm::OpimC => opim::run(store),
        Algorithm::Imm => imm::run(store),
        _ => baseline::run(store),
    }
}

/// Configuration of [`evaluate`]; build it with [`EvalConfig::builder`].
#[derive(Debug, Clone, PartialEq)]
pub struct EvalConfig {
    rr_sets: usize,
    sampling: Sampling,
    objective: RootDistribution,
}

impl EvalConfig {
    /// Defaults: 200,000 RR sets, seed 0, the current pool, no hops, spread in people, subset
    /// sampling, the default memory limit.
    pub fn builder() -> EvalConfigBuilder {
        EvalConfigBuilder {
            config: EvalConfig {
                rr_sets: 200_000,
                sampling: Sampling::default(),
                objective: RootDistribution::People,
            },
        }
    }
    /// Number of RR sets.
    pub fn rr_sets(&self) -> usize {
        self.rr_sets
    }
}

/// Builder of [`EvalConfig`].
#[derive(Debug, Clone)]
pub struct EvalConfigBuilder {
    config: EvalConfig,
}

crate::sampling::sampling_settings!(
    EvalConfig,
    EvalConfigBuilder,
    hops,
    subset_sampling,
    memory_limit_bytes
);

impl EvalConfigBuilder {
    /// Number of RR sets to estimate on (default 200,000).
    pub fn rr_sets(mut self, n: usize) -> Self {
        self.config.rr_sets = n;
        self
    }
    /// What the spread counts (as [`SelectConfigBuilder::objective`]).
    pub fn objective(mut self, o: RootDistribution) -> Self {
        self.config.objective = o;
        self
    }
    /// Validates.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for sets outside 2..=[`crate::limits::MAX_RR_SETS`] or
    /// invalid sampling settings ([`Sampling::validate`]: zero threads, hops or memory limit).
    /// Whether the sets fit the memory limit is checked by [`evaluate`] before it samples.
    pub fn build(self) -> Result<EvalConfig> {
        let c = self.config;
        if c.rr_sets < 2 {
            return Err(Error::invalid_parameter(
                "rr_sets",
                c.rr_sets,
                "need at least 2 RR sets for an estimate with a standard error",
            ));
        }
        crate::limits::check_range("rr_sets", c.rr_sets as u64, 2, crate::limits::MAX_RR_SETS)?;
        c.sampling.validate()?;
        Ok(c)
    }
}

/// The answer of [`evaluate`].
///
/// The estimate and what it was taken on are in [`Evaluation::summary`] (also readable as
/// `evaluation.estimate` through [`Deref`](std::ops::Deref)).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The seeds' external ids.
    pub keys: Vec<NodeKey>,
    /// Model, objective, estimate and RR sets.
    #[serde(flatten)]
    pub summary: EvaluationSummary,
    /// Wall time in seconds.
    // Not in the summary: the API measures its own, from the graph being loaded.
    // Absent from stored responses, which leave out what measures time.
    #[serde(default)]
    pub time_s: f64,
}

impl std::ops::Deref for Evaluation {
    type Target = EvaluationSummary;

    fn deref(&self) -> &EvaluationSummary {
        &self.summary
    }
}

/// What an [`Evaluation`] says beyond its seeds and time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationSummary {
    /// The model.
    pub model: Model,
    /// What the spread counts.
    pub objective: RootDistribution,
    /// Estimate of the expected spread (objective unit, seeds included).
    pub estimate: Estimate,
    /// RR sets used.
    pub rr_sets: u64,
}

/// Estimates the expected spread of any seed set on fresh RR sets, the same way [`select`]
/// reports its out-of-sample estimate (scale × covered fraction, binomial standard error).
///
/// # Errors
/// [`Error::Empty`] for no seeds; [`Error::UnknownNode`] / [`Error::DuplicateNode`]; as
/// [`RrSampler::new`] and [`RrSampler::sample`].
///
/// # Example
/// ```
/// use reachgraph_core::{GraphBuilder, GraphOptions, NoProgress};
/// use reachgraph_core::cascade::Model;
/// use reachgraph_core::select::{evaluate, EvalConfig};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// b.add_edge("a", "b", Some(0.5)).unwrap();
/// let (g, _) = b.build().unwrap();
/// let e = evaluate(&g, Model::IndependentCascade, &[g.node("a").unwrap()],
///                  &EvalConfig::builder().seed(3).build().unwrap(), &NoProgress).unwrap();
/// assert!((e.estimate.mean - 1.5).abs() < 4.0 * e.estimate.stderr);
/// ```
pub fn evaluate(
    graph: &Graph,
    model: Model,
    seeds: &[u32],
    config: &EvalConfig,
    progress: &dyn Progress,
) -> Result<Evaluation> {
    let start = Instant::now();
    check_seed_set(graph, seeds)?;
    let rr = RrConfig::builder()
        .sampling(config.sampling)
        .roots(config.objective)
        .build()?;
    let sampler = RrSampler::new(graph, model, &rr)?;
    let sets = sampler.sample(config.rr_sets, progress)?;
    let estimate = sets.estimate(seeds)?;
    Ok(Evaluation {
        keys: seeds.iter().map(|&s| graph.ids().key(s)).collect(),
        summary: EvaluationSummary {
            model,
            objective: config.objective,
            estimate,
            rr_sets: sets.len() as u64,
        },
        time_s: start.elapsed().as_secs_f64(),
    })
}

/// The candidate accounts, ascending.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Candidates {
    /// Every account, `0..n`: no list is built (at a billion edges, 532 MB written for 133M
    /// accounts before every run).
    All(u32),
    /// These accounts.
    List(Vec<u32>),
}

impl Candidates {
    /// Number of candidates.
    pub(crate) fn len(&self) -> usize {
        match self {
            Candidates::All(n) => *n as usize,
            Candidates::List(l) => l.len(),
        }
    }

    /// The candidates in increasing order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + Clone + '_ {
        let (all, list) = match self {
            Candidates::All(n) => (0..*n, &[][..]),
            Candidates::List(l) => (0..0, &l[..]),
        };
        all.chain(list.iter().copied())
    }

    /// The candidates as a list (built for every account).
    pub(crate) fn into_list(self) -> Vec<u32> {
        match self {
            Candidates::All(n) => (0..n).collect(),
            Candidates::List(l) => l,
        }
    }
}

/// A lower bound on the optimum for `k` seeds from `cands`: each seed reaches itself, so the
/// largest total self-weight of `k` candidates of distinct people (any `k` accounts under
/// uniform roots). That is the sum, heaviest first (ties by the smaller person), of the `k`
/// heaviest distinct people among the candidates' owners.
///
/// One pass over the candidates ([`baseline::best_k`]), where a full sort of every candidate
/// (a billion-edge graph's 133M accounts) took most of `select`'s setup. The sum is taken in
/// the order of the sort it replaces, so the bound is the same to the bit.
fn top_self_weight(
    cands: &Candidates,
    k: usize,
    objective: RootDistribution,
    people: &crate::attrs::People,
) -> f64 {
    // A sum of `count` ones, as summing them gives it (an empty sum of `f64` is -0.0).
    let ones = |count: usize| if count == 0 { -0.0 } else { count as f64 };
    match objective {
        // Every account weighs 1.
        RootDistribution::Uniform => ones(k.min(cands.len())),
        // Every person weighs 1: as many as there are distinct ones, up to k.
        RootDistribution::People => {
            let mut seen = rustc_hash::FxHashSet::default();
            for a in cands.iter() {
                if seen.len() == k {
                    break;
                }
                seen.insert(people.of_account[a as usize]);
            }
            ones(seen.len())
        }
        // The `k` heaviest distinct people, summed heaviest first (ties by the smaller person).
        RootDistribution::TargetWeighted => {
            let weighted = cands.iter().map(|a| {
                let p = people.of_account[a as usize];
                baseline::Scored(people.weight[p as usize] as f64, p)
            });
            baseline::best_k(weighted, k).iter().map(|x| x.0).sum()
        }
    }
}

/// `ln C(n, k)`, summed term by term (exact enough for the bounds, no gamma function).
pub(crate) fn ln_choose(n: u64, k: u64) -> f64 {
    let k = k.min(n - k.min(n));
    (0..k).map(|i| ((n - i) as f64 / (i + 1) as f64).ln()).sum()
}

/// An RR-store batch schedule: indexes grow by at most a quarter of their target at a time,
/// so a batch's forward sets add at most a quarter to the store's peak.
const MIN_BATCH: usize = 1 << 15;

/// State shared by the algorithms: the sampler, candidates, bounds' ingredients, accounting.
pub(crate) struct Engine<'g> {
    pub(crate) graph: &'g Graph,
    pub(crate) model: Model,
    pub(crate) config: &'g SelectConfig,
    pub(crate) sampler: RrSampler<'g>,
    /// Quality mode: the exact first-hop gains of the control-variate greedy (the `cv` module).
    pub(crate) first_hop: Option<cv::FirstHop<'g>>,
    pub(crate) progress: &'g dyn Progress,
    /// Candidate accounts (affordable ones for a budget), ascending.
    pub(crate) cands: Candidates,
    /// Candidate mask, when not every account is one.
    pub(crate) mask: Option<Vec<bool>>,
    pub(crate) constraint: Constraint,
    /// Greedy's guarantee γ.
    pub(crate) gamma: f64,
    /// ln of the number of feasible seed sets (bounded by `ln C(candidates, k)`).
    pub(crate) ln_sets: f64,
    /// A lower bound of the optimum (the seeds' own weight), in the objective's unit.
    pub(crate) opt_lower: f64,
    pub(crate) delta: f64,
    pub(crate) scale: f64,
    pub(crate) timings: Timings,
    pub(crate) start: Instant,
    pub(crate) sampled: u64,
    pub(crate) peak: u64,
}

impl<'g> Engine<'g> {
    fn new(
        graph: &'g Graph,
        model: Model,
        config: &'g SelectConfig,
        progress: &'g dyn Progress,
        start: Instant,
    ) -> Result<Engine<'g>> {
        let constraint = config.constraint.ok_or_else(|| {
            Error::invalid_parameter("k", "none", "give a number of accounts k or a budget")
        })?;
        let n = graph.node_count();
        if n == 0 {
            return Err(Error::Empty {
                what: "graph".into(),
            });
        }
        let mut cands = match &config.candidates {
            None => Candidates::All(n as u32),
            Some(c) => {
                if c.is_empty() {
                    return Err(Error::Empty {
                        what: "candidate set".into(),
                    });
                }
                graph.check_nodes(c, "candidate set")?;
                let mut c = c.clone();
                c.sort_unstable();
                Candidates::List(c)
            }
        };
        let costs = &graph.attributes().cost;
        let (gamma, k_max) = match constraint {
            Constraint::Count(k) => {
                if k > cands.len() {
                    return Err(Error::KTooLarge {
                        k,
                        candidates: cands.len(),
                    });
                }
                (CARDINALITY_GUARANTEE, k)
            }
            Constraint::Budget(budget) => {
                let mut list = cands.into_list();
                list.retain(|&a| !costs[a as usize].is_nan());
                if list.is_empty() {
                    return Err(Error::MissingAttribute {
                        column: "cost".into(),
                        reason: "no candidate account has a cost; a budgeted selection needs \
                                 costs"
                            .into(),
                    });
                }
                let min_cost = list
                    .iter()
                    .map(|&a| costs[a as usize])
                    .fold(f64::INFINITY, f64::min);
                if min_cost > budget {
                    return Err(Error::BudgetTooSmall { budget, min_cost });
                }
                list.retain(|&a| costs[a as usize] <= budget);
                // The most accounts any affordable set can hold: cheapest first.
                let mut c: Vec<f64> = list.iter().map(|&a| costs[a as usize]).collect();
                cands = Candidates::List(list);
                c.sort_by(f64::total_cmp);
                let mut left = budget;
                let k_max = c
                    .iter()
                    .take_while(|&&x| {
                        left -= x;
                        left >= 0.0
                    })
                    .count()
                    .max(1);
                (BUDGET_GUARANTEE, k_max)
            }
        };
        let mask = (cands.len() < n).then(|| {
            let mut m = vec![false; n];
            for c in cands.iter() {
                m[c as usize] = true;
            }
            m
        });
        let rr = RrConfig::builder()
            .sampling(config.sampling)
            .roots(config.objective)
            .build()?;
        let mut sampler = RrSampler::new(graph, model, &rr)?;
        let scale = sampler.scale();
        let first_hop = (config.mode == Mode::Quality)
            .then(|| cv::FirstHop::new(graph, model, config.objective, scale));
        if first_hop.is_some() {
            sampler.record_first_hop();
        }
        // Each seed reaches itself: the optimum is at least the largest total self-weight of a
        // feasible set (distinct people; for a budget, one affordable account).
        let opt_lower = match constraint {
            Constraint::Count(k) => top_self_weight(&cands, k, config.objective, graph.people()),
            Constraint::Budget(_) => {
                let people = graph.people();
                match config.objective {
                    RootDistribution::Uniform | RootDistribution::People => 1.0,
                    RootDistribution::TargetWeighted => cands
                        .iter()
                        .map(|a| people.weight[people.of_account[a as usize] as usize] as f64)
                        .fold(0.0, f64::max),
                }
            }
        };
        let delta = config.delta.unwrap_or(1.0 / n.max(2) as f64);
        let ln_sets = ln_choose(cands.len() as u64, k_max as u64);
        Ok(Engine {
            graph,
            model,
            config,
            sampler,
            first_hop,
            progress,
            cands,
            mask,
            constraint,
            gamma,
            ln_sets,
            opt_lower,
            delta,
            scale,
            timings: Timings::default(),
            start,
            sampled: 0,
            peak: 0,
        })
    }

    /// Seconds since the call began.
    pub(crate) fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// The sets left under the configured limit (`u64::MAX` without one).
    pub(crate) fn sets_left(&self) -> u64 {
        self.config
            .max_rr_sets
            .map_or(u64::MAX, |m| m.saturating_sub(self.sampled))
    }

    /// Grows `index` to `target` sets drawn from stream `stream`, in batches of at most a
    /// quarter of the target (each from its own sub-stream keyed by its first position).
    /// `other` is the bytes of the rest of the store, for the peak and the memory limit.
    ///
    /// On two or more threads each batch after the first is drawn while one of the sampler's
    /// threads indexes the batch before it, so the others do not wait on the index. The
    /// batches, the order they are indexed in, the index and the memory limit's stops are the
    /// same either way. The reported peak counts one batch being indexed, as on one thread, so
    /// that it is the same on any number of threads; the batch drawn beside it (at most a
    /// quarter of the target's sets) is held only when the two fit under the memory limit
    /// together ([`Engine::fits_beside`]).
    ///
    /// # Errors
    /// [`Error::MemoryLimit`] (before sampling a batch that would exceed it), errors of the
    /// sampler.
    pub(crate) fn grow_index(
        &mut self,
        index: &mut RrIndex,
        target: usize,
        stream: u64,
        other: u64,
        ahead: Option<Prefetched>,
    ) -> Result<()> {
        if let Some(last) = self.grow_index_holding(index, target, stream, other, ahead)? {
            self.index_batch(index, &last, other);
        }
        Ok(())
    }

    /// [`Engine::grow_index`] without indexing the last batch where it was drawn beside the
    /// indexing (two or more threads): that batch is returned, drawn and counted in
    /// `sampled`, for the caller to index ([`Engine::grow_both`] indexes it beside
    /// the validation sets' drawing).
    fn grow_index_holding(
        &mut self,
        index: &mut RrIndex,
        target: usize,
        stream: u64,
        other: u64,
        mut ahead: Option<Prefetched>,
    ) -> Result<Option<RrSets>> {
        let mut batches = Vec::new();
        let mut len = index.len();
        while len < target {
            let (seed, count) = self.next_batch(len, target, stream);
            batches.push((seed, count));
            len += count;
        }
        let pipelined = batches.len() > 1 && self.sampler.threads() > 1;
        // A batch drawn and not yet indexed (pipelined only).
        let mut held: Option<RrSets> = None;
        for (seed, count) in batches {
            // The batch held is indexed beside this one's drawing when the two fit under the
            // memory limit together; else first, and then this batch is checked as it would
            // be on one thread (so a limit stops a run on the same batch whatever the threads).
            let beside = match held.take() {
                Some(prev) if self.fits_beside(index, &prev, count, other) => Some(prev),
                Some(prev) => {
                    self.index_batch(index, &prev, other);
                    None
                }
                None => None,
            };
            if beside.is_none() {
                self.check_batch_memory(index, count, other)?;
            }
            // The batch drawn ahead, if it is this one; else drawn now.
            let prefetched = ahead
                .take()
                .filter(|p| p.seed == seed && p.sets.len() == count);
            let batch = match (prefetched, beside) {
                (Some(p), beside) => {
                    if let Some(prev) = beside {
                        self.index_batch(index, &prev, other);
                    }
                    self.timings.sampling_s += p.seconds;
                    p.sets
                }
                (None, Some(prev)) => {
                    let mask = self.mask.as_deref();
                    let (batch, seconds, indexing) =
                        self.sampler.sample_beside(seed, count, self.progress, || {
                            append_timed(index, &prev, mask)
                        });
                    self.timings.indexing_s += indexing;
                    self.timings.sampling_s += seconds;
                    self.count_peak(index, &prev, other);
                    batch?
                }
                (None, None) => {
                    let t = Instant::now();
                    let batch = self.sampler.sample_with_seed(seed, count, self.progress)?;
                    self.timings.sampling_s += t.elapsed().as_secs_f64();
                    batch
                }
            };
            self.sampled += count as u64;
            if pipelined {
                held = Some(batch);
            } else {
                self.index_batch(index, &batch, other);
            }
        }
        Ok(held)
    }

    /// [`Engine::grow_index`] to `target` (with `ahead` and `other` = the bytes of `sets`), then
    /// [`Engine::grow_forward`] of `sets` to `forward_target` (with `other` = the grown index):
    /// the two one after the other, except that on two or more threads the index's last batch
    /// is indexed by one of the sampler's threads while the others extend `sets`, when the
    /// index, that batch and the grown `sets` fit under the memory limit together
    /// ([`Engine::fits_forward_beside`]). The index, the sets, the sets counted, the peak and
    /// every error are those of the two calls in turn.
    ///
    /// # Errors
    /// As [`Engine::grow_index`] and [`Engine::grow_forward`].
    pub(crate) fn grow_both(
        &mut self,
        index: &mut RrIndex,
        target: usize,
        stream: u64,
        ahead: Option<Prefetched>,
        sets: &mut RrSets,
        forward_target: usize,
    ) -> Result<()> {
        let other = forward_raw_bytes(sets);
        let held = self.grow_index_holding(index, target, stream, other, ahead)?;
        let held = match held {
            Some(last)
                if sets.len() < forward_target
                    && self.fits_forward_beside(index, &last, sets, forward_target) =>
            {
                last
            }
            in_turn => {
                if let Some(last) = in_turn {
                    self.index_batch(index, &last, other);
                }
                return self.grow_forward(sets, forward_target, index.raw_bytes());
            }
        };
        let add = forward_target - sets.len();
        let mask = self.mask.as_deref();
        let (grown, seconds, indexing) =
            self.sampler.extend_beside(sets, add, self.progress, || {
                append_timed(index, &held, mask)
            });
        self.timings.indexing_s += indexing;
        self.count_peak(index, &held, other);
        drop(held);
        grown?;
        self.count_forward(sets, add, seconds, index.raw_bytes());
        Ok(())
    }

    /// True when `sets` can grow to `target` sets while `held` is indexed into `index`: the
    /// index grown by `held`, `held` itself, the grown sets (at the mean size so far) and room
    /// for the index's per-account arrays (`BESIDE_ACCOUNT_BYTES` each) fit under the memory
    /// limit. In turn, `held` is dropped before the sets grow.
    fn fits_forward_beside(
        &self,
        index: &RrIndex,
        held: &RrSets,
        sets: &RrSets,
        target: usize,
    ) -> bool {
        let mean = self.mean_size(index, held.len(), held.members().len());
        let grown =
            forward_raw_bytes(sets) + new_sets_bytes(target.saturating_sub(sets.len()), mean);
        // `held` indexed, nothing more drawn into the index, the grown sets beside.
        self.batch_need(index, Some(held), 0, grown)
            .is_some_and(|need| self.fits_with_room(need))
    }

    /// Appends `batch` to `index`, timed, and counts the peak.
    fn index_batch(&mut self, index: &mut RrIndex, batch: &RrSets, other: u64) {
        self.timings.indexing_s += append_timed(index, batch, self.mask.as_deref());
        self.count_peak(index, batch, other);
    }

    /// Counts the peak once `batch` is indexed into `index`: the index, the batch and `other`.
    /// The batch drawn beside it on two or more threads is left out, as the one-thread order
    /// has none, so that the peak is the same on any number of threads (the variate's go-ahead
    /// reads it).
    fn count_peak(&mut self, index: &RrIndex, batch: &RrSets, other: u64) {
        self.peak = self
            .peak
            .max(index.raw_bytes() + forward_raw_bytes(batch) + other);
    }

    /// Bytes once `count` more sets of the mean size so far are drawn and indexed into `index`,
    /// with `held` (drawn, not yet indexed) in it too and still held, and `other`; `None` before
    /// any set (nothing to estimate from; the sampler checks its own growth).
    fn batch_need(
        &self,
        index: &RrIndex,
        held: Option<&RrSets>,
        count: usize,
        other: u64,
    ) -> Option<u64> {
        let (held_sets, held_ids, held_bytes) = held.map_or((0, 0, 0), |b| {
            (b.len(), b.members().len(), forward_raw_bytes(b))
        });
        if index.len() + held_sets == 0 {
            return None;
        }
        let mean = self.mean_size(index, held_sets, held_ids);
        Some(
            index.bytes_after(held_ids + (count as f64 * mean) as usize)
                + new_sets_bytes(count, mean)
                + held_bytes
                + other,
        )
    }

    /// [`Error::MemoryLimit`] when drawing `count` more sets would pass the memory limit
    /// ([`Engine::batch_need`], nothing held).
    fn check_batch_memory(&self, index: &RrIndex, count: usize, other: u64) -> Result<()> {
        let limit = self.config.sampling().effective_memory_limit();
        match self.batch_need(index, None, count, other) {
            Some(need) if need > limit => Err(Error::MemoryLimit {
                what: format!("{} RR sets", index.len() + count),
                estimate_bytes: need,
                limit_bytes: limit,
            }),
            _ => Ok(()),
        }
    }

    /// True when `count` sets can be drawn while `held` is indexed: both batches, the index
    /// grown by both, and room for the index's per-account arrays to grow to every account
    /// (`BESIDE_ACCOUNT_BYTES` each) fit under the memory limit. That bounds what
    /// [`Engine::check_batch_memory`] would ask once `held` is indexed, so a batch drawn
    /// beside never passes a limit the one-thread order would have stopped at.
    fn fits_beside(&self, index: &RrIndex, held: &RrSets, count: usize, other: u64) -> bool {
        self.batch_need(index, Some(held), count, other)
            .is_some_and(|need| self.fits_with_room(need))
    }

    /// True when `need` bytes and room for the index's per-account arrays to grow to every
    /// account (`BESIDE_ACCOUNT_BYTES` each) fit under the memory limit: the test of work done
    /// beside the indexing.
    fn fits_with_room(&self, need: u64) -> bool {
        let room = BESIDE_ACCOUNT_BYTES * self.graph.node_count() as u64;
        need.saturating_add(room) <= self.config.sampling().effective_memory_limit()
    }

    /// The seed and size of the batch that grows an index of `len` sets towards `target`.
    pub(crate) fn next_batch(&self, len: usize, target: usize, stream: u64) -> (u64, usize) {
        let batch_max = (target / 4).max(MIN_BATCH);
        let count = (target - len).min(batch_max);
        let seed = rng::derive(rng::derive(self.config.seed(), stream), len as u64);
        (seed, count)
    }

    /// Mean ids per set over `index` and a batch of `held_sets` sets and `held_ids` ids not yet
    /// in it.
    pub(crate) fn mean_size(&self, index: &RrIndex, held_sets: usize, held_ids: usize) -> f64 {
        // The ids, not the index's bytes: those also hold 8 to 12 bytes per account, which at
        // 1B follows (133M accounts, 4,096 sets) read as 195,000 ids per set and refused
        // quality mode's second round as 52 GB.
        let sets = (index.len() + held_sets).max(1);
        ((index.ids() + held_ids) as f64 / sets as f64).max(1.0)
    }

    /// Extends the validation sets to `target` sets (same sequence, so a doubling keeps them).
    pub(crate) fn grow_forward(
        &mut self,
        sets: &mut RrSets,
        target: usize,
        other: u64,
    ) -> Result<()> {
        if sets.len() >= target {
            return Ok(());
        }
        let t = Instant::now();
        let add = target - sets.len();
        self.sampler.extend(sets, add, self.progress)?;
        self.count_forward(sets, add, t.elapsed().as_secs_f64(), other);
        Ok(())
    }

    /// Counts `add` validation sets drawn in `seconds`, which grew them to `sets`: the
    /// sampling time, the sets drawn, and the peak beside `other` bytes.
    fn count_forward(&mut self, sets: &RrSets, add: usize, seconds: f64, other: u64) {
        self.timings.sampling_s += seconds;
        self.sampled += add as u64;
        self.peak = self.peak.max(forward_raw_bytes(sets) + other);
    }

    /// Greedy on `index` (untimed: the pool may be drawing sets meanwhile).
    pub(crate) fn greedy(&self, index: &RrIndex, bound: bool) -> Greedy {
        let costs = &self.graph.attributes().cost;
        cover::greedy(index, &self.cands, self.constraint, costs, bound)
    }

    /// True when quality mode answers with the control-variate greedy: the engine keeps
    /// first hops, the greedy's own arrays fit under the memory limit beside the store's peak
    /// (a figure every rank of a distributed run shares), and its passes over the graph pay.
    ///
    /// Those passes (the initial gains read every in-edge; the arrays span every account) cost
    /// about as much per byte as the sets cost to draw, so the variate runs only when the
    /// graph's `4 × (edges + accounts)` bytes are at most twice the store's peak. Measured
    /// (docs/BENCHMARKS.md, issue 18): on soc-Epinions1, at the round that reaches the 30,000
    /// floor, they are 1.3–1.6× the peak and the variate saves a quarter of the time; on a 10M
    /// follow graph with one account per person they are over 2.1× and it took 1.36× the time
    /// of plain greedy at 45,000. Where people hold several accounts the variate buys spread,
    /// not fewer sets, so its passes must be at most a quarter of the peak (on a 1M
    /// population, at 0.44× the peak, it cost 3–15% more time; at 10M and 100M, 2–2.7×).
    pub(crate) fn cv_ready(&self) -> bool {
        let Some(hop) = &self.first_hop else {
            return false;
        };
        let need = hop.greedy_bytes(self.cands.len());
        let fits =
            self.peak.saturating_add(need) <= self.config.sampling().effective_memory_limit();
        let graph = 4 * (self.graph.edge_count() as u64 + self.graph.node_count() as u64);
        let weight = if hop.one_account_roots() { 1 } else { 8 };
        fits && graph.saturating_mul(weight) <= self.peak.saturating_mul(2)
    }

    /// Quality mode's final greedy, with the first-hop control variate (`None` when the
    /// index keeps no first hops); its `upper` is infinite.
    pub(crate) fn greedy_cv(&self, index: &RrIndex) -> Result<Option<Greedy>> {
        let costs = &self.graph.attributes().cost;
        let (Some(hop), true) = (&self.first_hop, index.marks_first_hops()) else {
            return Ok(None);
        };
        if !self.cv_ready() {
            return Ok(None);
        }
        let mut counts = cv::Local::new(index);
        cv::greedy(&mut counts, hop, &self.cands, self.constraint, costs).map(Some)
    }

    /// Runs `work` (greedy and evaluation) on this thread while the selection batch `ahead`
    /// (seed and size, from [`Engine::next_batch`]) of the next round is drawn on the
    /// sampler's threads, so the core greedy leaves idle samples what the next round needs.
    /// `work` also says whether the doubling may go on; if not, the drawing is cancelled and
    /// its sets dropped. The batch is the one [`Engine::grow_index`] would draw, so the answer
    /// does not depend on whether it was drawn here.
    pub(crate) fn overlapped<T>(
        &self,
        ahead: Option<(u64, usize)>,
        work: impl FnOnce(&Self) -> (T, bool),
    ) -> (T, Option<Prefetched>) {
        use std::sync::atomic::{AtomicBool, Ordering};
        let Some((seed, count)) = ahead else {
            return (work(self).0, None);
        };
        let stop = AtomicBool::new(false);
        let cancel = |_: &str, _: u64, _: u64| !stop.load(Ordering::Relaxed);
        std::thread::scope(|scope| {
            let drawer = scope.spawn(|| {
                let t = Instant::now();
                let sets = self.sampler.sample_with_seed(seed, count, &cancel).ok()?;
                Some(Prefetched {
                    sets,
                    seed,
                    seconds: t.elapsed().as_secs_f64(),
                })
            });
            let (out, go_on) = work(self);
            if !go_on {
                stop.store(true, Ordering::Relaxed);
            }
            // If the drawing failed, the next round draws the batch the ordinary way.
            let drawn = drawer.join().ok().flatten();
            (out, drawn.filter(|_| go_on))
        })
    }

    /// An estimate from `covered` of `theta` sets.
    pub(crate) fn estimate(&self, covered: u64, theta: u64) -> Estimate {
        coverage_estimate(self.scale, covered, theta)
    }

    /// Assembles the answer.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn finish(
        mut self,
        g: &Greedy,
        selection_sets: u64,
        estimate: Estimate,
        validation_sets: u64,
        approximation: f64,
        bounds: (f64, f64),
        rounds: u32,
        stopped_by: StopReason,
        store_bytes: u64,
    ) -> Selection {
        let graph = self.graph;
        let per_set = self.scale / selection_sets.max(1) as f64;
        let budgeted = matches!(self.constraint, Constraint::Budget(_));
        let costs: Option<Vec<f64>> = budgeted.then(|| {
            g.seeds
                .iter()
                .map(|&s| graph.attributes().cost[s as usize])
                .collect()
        });
        self.timings.total_s = self.elapsed();
        let summary = SelectionSummary {
            total_cost: costs.as_ref().map(|c| c.iter().sum()),
            method: match (g.method, budgeted) {
                (Method::BestSingle, _) => PickMethod::BestSingle,
                (Method::Greedy, true) => PickMethod::CostEffectiveGreedy,
                (Method::Greedy, false) => PickMethod::Greedy,
            },
            estimate,
            in_sample: g.coverage as f64 * per_set,
            approximation,
            guarantee: self.gamma - self.config.epsilon,
            spread_lower_bound: bounds.0,
            optimum_upper_bound: bounds.1,
            rr_sets: self.sampled,
            selection_sets,
            validation_sets,
            rounds,
            stopped_by,
            algorithm: self.config.algorithm,
            mode: self.config.mode,
            model: self.model,
            objective: self.config.objective,
            epsilon: self.config.epsilon,
            delta: self.delta,
            seed: self.config.seed(),
            timings: self.timings,
            rr_store_bytes: store_bytes,
            peak_rr_bytes: self.peak.max(store_bytes),
            baseline: None,
        };
        Selection {
            keys: g.seeds.iter().map(|&s| graph.ids().key(s)).collect(),
            marginal_gains: g.gains.iter().map(|&x| x as f64 * per_set).collect(),
            costs,
            seeds: g.seeds.clone(),
            summary,
        }
    }
}

/// Bytes per account [`Engine::fits_beside`] keeps free for the index's per-account arrays
/// (at most 16 per slot, doubled for the arrays' spare capacity, and the scratch of an append).
const BESIDE_ACCOUNT_BYTES: u64 = 64;

/// A selection batch drawn ahead of the round that indexes it, and the time it took.
#[derive(Debug)]
pub(crate) struct Prefetched {
    sets: RrSets,
    seed: u64,
    seconds: f64,
}

/// Raw bytes of an inverted index holding `ids` set ids over `accounts` accounts (u32 ids, one
/// usize offset per account and one more).
pub(crate) fn index_raw_bytes(ids: u64, accounts: usize) -> u64 {
    4 * ids + 8 * (accounts as u64 + 1)
}

/// Raw bytes of `sets` sets with `members` members in forward form (u32 members and roots, one
/// usize offset per set and one more).
pub(crate) fn forward_raw(sets: u64, members: u64) -> u64 {
    4 * members + 12 * sets + 8
}

/// Bytes of `count` new sets of `mean` ids each, in forward form (members, a root and an
/// offset per set), as the memory checks estimate them.
fn new_sets_bytes(count: usize, mean: f64) -> u64 {
    (count as f64 * (mean * 4.0 + 12.0)) as u64
}

/// Appends `batch` to `index` (accounts outside `mask` left out); returns the seconds it took.
fn append_timed(index: &mut RrIndex, batch: &RrSets, mask: Option<&[bool]>) -> f64 {
    let t = Instant::now();
    index.append(batch, mask);
    t.elapsed().as_secs_f64()
}

/// [`forward_raw`] of a collection.
pub(crate) fn forward_raw_bytes(sets: &RrSets) -> u64 {
    forward_raw(sets.len() as u64, sets.members().len() as u64)
}

/// Scale × covered fraction with the binomial standard error.
pub(crate) fn coverage_estimate(scale: f64, covered: u64, theta: u64) -> Estimate {
    let f = covered as f64 / theta.max(1) as f64;
    let stderr = if theta > 1 {
        scale * (f * (1.0 - f) / (theta - 1) as f64).sqrt()
    } else {
        0.0
    };
    let min = if covered < theta { 0.0 } else { scale };
    let max = if covered > 0 { scale } else { 0.0 };
    Estimate::new(scale * f, stderr, min, max)
}

/// Number of sets of `sets` that contain one of `seeds` (parallel over blocks of at least
/// `min_len` sets, so the count does not depend on the thread count; `usize::MAX` runs it on
/// the calling thread, for when the pool is busy drawing sets).
pub(crate) fn forward_coverage(sets: &RrSets, seeds: &[u32], min_len: usize) -> u64 {
    use rayon::prelude::*;
    let mut mark = vec![false; sets.node_count()];
    for &s in seeds {
        mark[s as usize] = true;
    }
    (0..sets.len())
        .into_par_iter()
        .with_min_len(min_len)
        .filter(|&i| sets.set(i).iter().any(|&v| mark[v as usize]))
        .count() as u64
}

/// OPIM-C's lower confidence bound of a spread from `covered` of `theta` independent sets
/// (Tang et al. 2018, Eq. 7): `((√(Λ + 2a/9) − √(a/2))² − a/18) · scale/θ`.
pub(crate) fn spread_lower(covered: f64, theta: f64, a: f64, scale: f64) -> f64 {
    let r = ((covered + 2.0 * a / 9.0).sqrt() - (a / 2.0).sqrt()).powi(2) - a / 18.0;
    (r.max(0.0)) * scale / theta
}

/// OPIM-C's upper confidence bound of the optimum from an upper bound `upper` of the best
/// coverage of `theta` sets (Eq. 8): `(√(Λᵘ + a/2) + √(a/2))² · scale/θ`.
pub(crate) fn optimum_upper(upper: f64, theta: f64, a: f64, scale: f64) -> f64 {
    ((upper + a / 2.0).sqrt() + (a / 2.0).sqrt()).powi(2) * scale / theta
}

/// An IC engine on `g` with `config`, started now (for unit tests).
#[cfg(test)]
pub(crate) fn test_engine<'g>(g: &'g Graph, config: &'g SelectConfig) -> Engine<'g> {
    Engine::new(
        g,
        Model::IndependentCascade,
        config,
        &crate::progress::NoProgress,
        Instant::now(),
    )
    .unwrap()
}

/// A random graph of `n` accounts with `m` edges of probability `p` (for unit tests).
#[cfg(test)]
pub(crate) fn random_graph(n: u32, m: usize, p: f32, seed: u64) -> Graph {
    let mut r = rng::stream(seed, 0);
    let (mut src, mut dst) = (Vec::new(), Vec::new());
    for _ in 0..m {
        src.push(rng::below(&mut r, n as u64) as u32);
        dst.push(rng::below(&mut r, n as u64) as u32);
    }
    let probs = vec![p; m];
    let ids = crate::ids::NodeIds::identity(n);
    let options = crate::GraphOptions::default();
    Graph::from_edges(n, &src, &dst, Some(&probs), ids, options)
        .expect("a valid random graph")
        .0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    fn lists(index: &RrIndex, n: u32) -> Vec<Vec<u32>> {
        (0..n).map(|v| index.list(v).to_vec()).collect()
    }

    /// The one-pass bound equals, to the bit, the sort it replaced: every account's
    /// (self-weight, person) sorted heaviest first (ties by person), distinct people where
    /// roots are people, the first `k` summed in that order. Random people (a tenth of them
    /// with several accounts), weights with ties, candidate subsets and `k` up to every
    /// account.
    #[test]
    fn top_self_weight_is_the_bound_of_the_full_sort() {
        use crate::attrs::{Attributes, Categorical};
        let mut checked = 0;
        for seed in 0..12u64 {
            let n = 200 + 37 * seed as u32;
            let mut g = random_graph(n, 3 * n as usize, 0.1, seed);
            let mut r = rng::stream(seed, 9);
            let mut a = Attributes::new(n as usize);
            let labels: Vec<Option<String>> = (0..n)
                .map(|i| match rng::below(&mut r, 10) {
                    0 => Some(format!("p{}", rng::below(&mut r, 20))),
                    1 => None,
                    _ => Some(format!("q{i}")),
                })
                .collect();
            a.person = Categorical::from_labels(labels.iter().map(|l| l.as_deref()));
            a.target_weight = (0..n)
                .map(|_| rng::below(&mut r, 6) as f32 * 0.7)
                .collect::<Vec<f32>>()
                .into();
            // One weight per person: the person's weight is the largest of theirs.
            g.set_attributes(a).unwrap();
            let people = g.people();
            let all: Vec<u32> = (0..n).collect();
            let some: Vec<u32> = (0..n).filter(|&x| x % 3 != 1).collect();
            for cands in [&all, &some] {
                for objective in [
                    RootDistribution::Uniform,
                    RootDistribution::People,
                    RootDistribution::TargetWeighted,
                ] {
                    for k in [0, 1, 2, 5, 17, cands.len() / 2, cands.len()] {
                        let w = |a: u32| -> f64 {
                            match objective {
                                RootDistribution::TargetWeighted => {
                                    people.weight[people.of_account[a as usize] as usize] as f64
                                }
                                _ => 1.0,
                            }
                        };
                        let mut v: Vec<(f64, u32)> = cands
                            .iter()
                            .map(|&a| (w(a), people.of_account[a as usize]))
                            .collect();
                        v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                        let mut seen = rustc_hash::FxHashSet::default();
                        let want: f64 = v
                            .into_iter()
                            .filter(|&(_, p)| {
                                objective == RootDistribution::Uniform || seen.insert(p)
                            })
                            .take(k)
                            .map(|(x, _)| x)
                            .sum();
                        let list = Candidates::List(cands.clone());
                        let got = top_self_weight(&list, k, objective, people);
                        assert_eq!(got.to_bits(), want.to_bits(), "{seed} {objective:?} {k}");
                        if cands.len() == n as usize {
                            // Every account, without the list: the same bound.
                            let all = top_self_weight(&Candidates::All(n), k, objective, people);
                            assert_eq!(all.to_bits(), want.to_bits(), "{seed} {objective:?} {k}");
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 12 * 2 * 3 * 7);
    }

    /// No candidate list (every account, no list built) and a list of every account choose
    /// the same seeds with the same estimates, on 1 and 2 threads, for OPIM-C and IMM.
    #[test]
    fn every_account_unlisted_or_listed_gives_the_same_selection() {
        let g = random_graph(300, 1_500, 0.3, 4);
        for (algorithm, threads) in [
            (Algorithm::OpimC, 1),
            (Algorithm::OpimC, 2),
            (Algorithm::Imm, 2),
        ] {
            let run = |cands: Option<Vec<u32>>| {
                let config = SelectConfig::builder()
                    .k(7)
                    .epsilon(0.3)
                    .algorithm(algorithm)
                    .candidates_opt(cands)
                    .seed(3)
                    .threads(threads)
                    .build()
                    .unwrap();
                select(&g, Model::IndependentCascade, &config, &NoProgress).unwrap()
            };
            let (a, b) = (run(None), run(Some((0..300).rev().collect())));
            assert_eq!(a.seeds, b.seeds);
            assert_eq!(a.marginal_gains, b.marginal_gains);
            assert_eq!(a.summary.estimate, b.summary.estimate);
            assert_eq!(
                a.summary.approximation.to_bits(),
                b.summary.approximation.to_bits()
            );
            assert_eq!(a.summary.rr_sets, b.summary.rr_sets);
        }
    }

    #[test]
    fn batch_drawn_ahead_equals_the_batch_drawn_in_turn() {
        let g = random_graph(300, 1_500, 0.3, 7);
        let config = SelectConfig::builder()
            .k(5)
            .seed(11)
            .threads(2)
            .build()
            .unwrap();
        let stream = 0x5E1E;
        let (target, next) = (40_000, 80_000);
        let engine = || test_engine(&g, &config);
        // In turn: grow to `target`, then to `next`.
        let mut plain = engine();
        let mut a = RrIndex::new(300);
        plain.grow_index(&mut a, target, stream, 0, None).unwrap();
        plain.grow_index(&mut a, next, stream, 0, None).unwrap();
        // Ahead: the first batch of the growth to `next` drawn while other work runs.
        let mut ahead = engine();
        let mut b = RrIndex::new(300);
        ahead.grow_index(&mut b, target, stream, 0, None).unwrap();
        let batch = ahead.next_batch(b.len(), next, stream);
        let (seen, drawn) = ahead.overlapped(Some(batch), |_| (b.len(), true));
        assert_eq!(seen, target);
        let drawn = drawn.expect("the batch was drawn");
        assert_eq!(drawn.sets.len(), batch.1);
        ahead
            .grow_index(&mut b, next, stream, 0, Some(drawn))
            .unwrap();
        assert_eq!(b.len(), next);
        assert_eq!(lists(&a, 300), lists(&b, 300));
        assert_eq!(plain.sampled, ahead.sampled);
        assert_eq!(plain.peak, ahead.peak);
        // Work that stops the doubling drops the batch (cancelled or not), counting nothing.
        let before = ahead.sampled;
        let batch = ahead.next_batch(b.len(), 2 * next, stream);
        let (_, dropped) = ahead.overlapped(Some(batch), |_| ((), false));
        assert!(dropped.is_none());
        assert_eq!(ahead.sampled, before);
        // A batch for another position is not used: the index grows as if there were none.
        let mut c = RrIndex::new(300);
        let wrong = ahead.next_batch(0, 3 * next, stream);
        let (_, other) = ahead.overlapped(Some(wrong), |_| ((), true));
        let mut fresh = engine();
        fresh
            .grow_index(&mut c, target, stream + 1, 0, other)
            .unwrap();
        let mut d = RrIndex::new(300);
        plain
            .grow_index(&mut d, target, stream + 1, 0, None)
            .unwrap();
        assert_eq!(lists(&c, 300), lists(&d, 300));
    }

    /// The index grown on 2 and 3 threads, where each batch after the first is drawn beside
    /// the indexing of the one before, against one thread: the same lists, sets counted and
    /// peak without a limit, and under memory limits from a few batches' worth to plenty, the
    /// same stop (the same error, on the same batch) or the same index. The growth is in four
    /// steps of four batches each, and the tighter limits make some batches go in turn.
    #[test]
    fn batches_drawn_beside_the_indexing_give_the_one_thread_index_and_stops() {
        let g = random_graph(400, 3_000, 0.1, 5);
        let n = g.node_count() as u32;
        let grow = |threads: usize, limit: Option<u64>| {
            let config = limited_config(threads, limit);
            let mut e = test_engine(&g, &config);
            let mut index = RrIndex::new(g.node_count());
            let mut out = Ok(());
            for target in [5_000, 20_000, 60_000, 150_000] {
                out = e.grow_index(&mut index, target, 0xBE51DE, 1_000, None);
                if out.is_err() {
                    break;
                }
            }
            (memory_stop(out), lists(&index, n), e.sampled, e.peak)
        };
        let one = grow(1, None);
        assert!(one.0.is_ok());
        for threads in [2, 3] {
            assert_eq!(grow(threads, None), one, "{threads} threads");
        }
        assert_same_under_limits(
            one.3,
            n,
            |l| grow(1, Some(l)),
            |l| grow(2, Some(l)),
            |r| r.0.is_err(),
        );
    }

    /// The index and the validation sets grown together, where the index's last batch is
    /// indexed beside the validation sets' drawing on 2 and 3 threads, against the two grown
    /// in turn on one thread: the same lists, sets, sets counted and peak, and under memory
    /// limits the same stop (the same error) or the same collections.
    #[test]
    fn the_last_batch_indexed_beside_the_validation_sets_gives_the_answer_in_turn() {
        let g = random_graph(400, 3_000, 0.1, 5);
        let n = g.node_count() as u32;
        let steps = [
            (5_000, 5_000),
            (20_000, 20_000),
            (60_000, 20_000),
            (150_000, 37_500),
        ];
        let grow = |threads: usize, limit: Option<u64>, together: bool| {
            let config = limited_config(threads, limit);
            let mut e = test_engine(&g, &config);
            let mut index = RrIndex::new(g.node_count());
            let mut sets = e.sampler.empty(0xF0);
            let mut out = Ok(());
            for (target, forward) in steps {
                out = if together {
                    e.grow_both(&mut index, target, 0xBE51DE, None, &mut sets, forward)
                } else {
                    let other = forward_raw_bytes(&sets);
                    e.grow_index(&mut index, target, 0xBE51DE, other, None)
                        .and_then(|()| e.grow_forward(&mut sets, forward, index.raw_bytes()))
                };
                if out.is_err() {
                    break;
                }
            }
            let forward = (sets.offsets().to_vec(), sets.members().to_vec());
            (
                memory_stop(out),
                lists(&index, n),
                forward,
                e.sampled,
                e.peak,
            )
        };
        let one = grow(1, None, false);
        assert!(one.0.is_ok());
        assert_eq!(one.2 .0.len(), 37_501);
        for threads in [1, 2, 3] {
            assert_eq!(grow(threads, None, true), one, "{threads} threads");
        }
        assert_same_under_limits(
            one.4,
            n,
            |l| grow(1, Some(l), false),
            |l| grow(2, Some(l), true),
            |r| r.0.is_err(),
        );
    }

    /// The config of the growth tests: k 5, seed 3, `threads`, and the memory limit if any.
    fn limited_config(threads: usize, limit: Option<u64>) -> SelectConfig {
        let mut b = SelectConfig::builder().k(5).seed(3).threads(threads);
        if let Some(l) = limit {
            b = b.memory_limit_bytes(l);
        }
        b.build().unwrap()
    }

    /// A growth's outcome with a memory-limit stop as its figures; any other error panics.
    fn memory_stop(out: Result<()>) -> std::result::Result<(), (String, u64, u64)> {
        out.map_err(|err| match err {
            Error::MemoryLimit {
                what,
                estimate_bytes,
                limit_bytes,
            } => (what, estimate_bytes, limit_bytes),
            other => panic!("{other}"),
        })
    }

    /// Under 47 memory limits, from a sixteenth to one and a half times `full` plus 64 bytes
    /// for each of `n` accounts, `one` and `beside` give the same outcome, and a quarter to
    /// all but one of the limits stop the growth (`stopped`).
    fn assert_same_under_limits<T: PartialEq + std::fmt::Debug>(
        full: u64,
        n: u32,
        one: impl Fn(u64) -> T,
        beside: impl Fn(u64) -> T,
        stopped: impl Fn(&T) -> bool,
    ) {
        let (mut stops, mut tried) = (0, 0);
        for share in (4..=96).step_by(2) {
            let limit = full * share / 64 + 64 * u64::from(n);
            let expected = one(limit);
            stops += usize::from(stopped(&expected));
            tried += 1;
            assert_eq!(beside(limit), expected, "limit {limit}");
        }
        assert!(
            (tried / 4..tried).contains(&stops),
            "{stops} of {tried} limits stopped the growth"
        );
    }

    #[test]
    fn ln_choose_small() {
        assert!((ln_choose(5, 2) - 10f64.ln()).abs() < 1e-12);
        assert_eq!(ln_choose(7, 0), 0.0);
        assert!((ln_choose(7, 7)).abs() < 1e-12);
        assert!((ln_choose(50, 3) - 19600f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn confidence_bounds_bracket_the_estimate() {
        let (cov, theta, a, scale) = (5_000.0, 100_000.0, 10.0, 1_000.0);
        let l = spread_lower(cov, theta, a, scale);
        let u = optimum_upper(cov, theta, a, scale);
        assert!(l < 50.0 && l > 45.0, "{l}");
        assert!(u > 50.0 && u < 55.0, "{u}");
    }

    #[test]
    fn config_validates() {
        assert!(SelectConfig::builder().build().is_err());
        assert!(SelectConfig::builder().k(0).build().is_err());
        assert!(SelectConfig::builder().budget(-1.0).build().is_err());
        assert!(SelectConfig::builder().k(2).epsilon(0.0).build().is_err());
        assert!(SelectConfig::builder().k(2).epsilon(1.0).build().is_err());
        assert!(SelectConfig::builder().k(2).delta(1.5).build().is_err());
        assert!(SelectConfig::builder()
            .k(2)
            .tolerance(f64::NAN)
            .build()
            .is_err());
        assert!(SelectConfig::builder().k(2).max_rr_sets(0).build().is_err());
        assert!(SelectConfig::builder()
            .k(2)
            .time_limit_s(0.0)
            .build()
            .is_err());
        assert!(SelectConfig::builder()
            .k(2)
            .algorithm(Algorithm::Imm)
            .mode(Mode::Quality)
            .build()
            .is_err());
        let c = SelectConfig::builder()
            .budget(5.0)
            .epsilon(0.3)
            .build()
            .unwrap();
        assert_eq!(c.constraint(), Some(Constraint::Budget(5.0)));
        assert_eq!(c.epsilon(), 0.3);
    }
}
