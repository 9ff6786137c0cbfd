//! Reverse-reachable (RR) sets: the sampler that seed selection builds on.
//!
//! An RR set for a root `r` is the set of accounts that reach `r` in one random live-edge graph
//! (Borgs, Brautbar, Chayes, Lucier, SODA 2014). For any seed set `S`,
//! `P(S meets a random RR set) = σ(S) / n` when roots are uniform over the `n` accounts, so
//! `n ×` the covered fraction of many RR sets estimates the expected spread `σ(S)`, and greedy
//! max-coverage over them selects seeds (TIM/IMM, Tang, Xiao, Shi, SIGMOD 2014; Tang, Shi,
//! Xiao, SIGMOD 2015).
//!
//! ## Roots
//! [`RootDistribution`] chooses what the estimate counts:
//! - [`RootDistribution::Uniform`]: a uniform account; the scale is `n` and the estimate is the
//!   expected number of activated accounts (the classic RR set of the literature);
//! - [`RootDistribution::People`]: a uniform *person*, whose RR set holds every account that
//!   reaches any of the person's accounts (one live-edge graph, several targets); the scale is
//!   the number of people and the estimate is the expected number of reached people;
//! - [`RootDistribution::TargetWeighted`]: a person drawn with probability proportional to
//!   their target weight ([`crate::People::weight`], the largest weight of their accounts), by
//!   Walker's alias table; the scale is the total person weight and the estimate is the expected
//!   target weight reached — the targeted influence maximization objective.
//!
//! These match [`crate::cascade::SpreadResult`]'s `accounts`, `people` and `target_weight`.
//!
//! ## Sampling
//! - IC: a breadth-first search over in-edges. Where all in-edges of an account share one
//!   probability `p` (weighted cascade `1/indeg`, constant `p`; detected per account), the live
//!   in-edges are drawn by *subset sampling* instead of one coin per edge (SUBSIM, Guo, Zhang,
//!   Li, Wang, SIGMOD 2020), so the cost follows the number of live edges, not the in-degree:
//!   when few are expected (`indeg · p ≤ 8`, always so under weighted cascade) their number is
//!   drawn from Binomial(indeg, p) by inversion and their positions as a uniform subset;
//!   when many are, by geometric skipping, jumping ⌊ln U / ln(1 − p)⌋ edges ahead. On
//!   soc-Epinions1 (weighted cascade) this samples about 3.5 times as many sets per second as
//!   coins (4.5 vs 1.25 million per second on one thread).
//! - LT: each visited account keeps at most one in-edge, edge `(u, v)` with probability
//!   `p(u, v)` and none with `1 − Σ p` (Kempe et al. 2003's live-edge form), so an RR set is a
//!   random walk backwards from the root(s).
//! - A hop horizon `h` keeps accounts within live-edge distance `h` of the root(s).
//!
//! ## Storage, determinism, extension
//! Sets are stored flat: `members[offsets[i]..offsets[i + 1]]` is set `i`, its root(s) first.
//! Sets are generated in chunks of [`RR_CHUNK_SETS`]; set `i` is number `i mod RR_CHUNK_SETS`
//! drawn from [`rng::stream`]`(seed, i / RR_CHUNK_SETS)`. Chunks run in parallel and are
//! appended in chunk order, so the sets do not depend on the thread count, and
//! [`RrSampler::extend`] continues the sequence: sampling `N` sets and then `M` more gives
//! exactly the `N + M` sets of one call (a partly filled last chunk keeps its random stream's
//! state to continue from).
//!
//! Before allocating, the memory the sets will need is estimated from their average size so far
//! (or from a first pilot chunk) and checked against [`RrConfigBuilder::memory_limit_bytes`].

use crate::attrs::People;
use crate::cascade::{validate_model, Model};
use crate::error::{Error, Result};
use crate::exec::{ChunkProgress, ScratchPool};
use crate::graph::{Csr, Graph};
use crate::live_edge::{expand, list_rule, uniform_rule, Draws, ListRule, RrScratch, Same};
use crate::progress::{NoProgress, Progress};
use crate::rng;
use crate::sampling::Sampling;
use crate::stats::Estimate;
use crate::weights::InPerTarget;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// RR sets per chunk: the unit of work with its own random stream.
///
/// Part of the determinism contract: changing it changes every RR set for a given seed.
pub const RR_CHUNK_SETS: u64 = 256;

/// Work (members drawn, plus one per set) between two looks for a cancellation inside a
/// chunk. A look locks the progress counter and calls the sink, about 50 instructions; on
/// graphs whose RR sets hold a handful of members, a look every 16 sets (the earlier rule)
/// was about 5% of a `select` run's instructions (wiki-Vote, docs/BENCHMARKS.md). Counting work
/// instead keeps a chunk of large sets as responsive as before.
const CANCEL_CHECK_WORK: usize = 1024;

/// Bytes of bookkeeping per RR set besides its members: one offset and one root.
const PER_SET_BYTES: u64 = (std::mem::size_of::<usize>() + std::mem::size_of::<u32>()) as u64;

/// How RR-set roots are drawn. See the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RootDistribution {
    /// A uniform account; estimates count accounts (scale `n`).
    #[default]
    Uniform,
    /// A uniform person (all their accounts are roots); estimates count people.
    People,
    /// A person with probability ∝ their target weight; estimates count target weight.
    TargetWeighted,
}

/// Configuration of the RR sampler; build it with [`RrConfig::builder`].
#[derive(Debug, Clone, PartialEq)]
pub struct RrConfig {
    sampling: Sampling,
    roots: RootDistribution,
}

impl Default for RrConfig {
    fn default() -> Self {
        RrConfig {
            sampling: Sampling::default(),
            roots: RootDistribution::Uniform,
        }
    }
}

impl RrConfig {
    /// A builder with the defaults: seed 0, the current rayon pool, no hop horizon, uniform
    /// roots, the default memory limit ([`crate::limits`]), subset sampling on.
    pub fn builder() -> RrConfigBuilder {
        RrConfigBuilder {
            config: RrConfig::default(),
        }
    }
    /// Root distribution.
    pub fn roots(&self) -> RootDistribution {
        self.roots
    }
}

/// Builder of [`RrConfig`]; [`RrConfigBuilder::build`] validates.
#[derive(Debug, Clone)]
pub struct RrConfigBuilder {
    config: RrConfig,
}

crate::sampling::sampling_settings!(
    RrConfig,
    RrConfigBuilder,
    hops,
    subset_sampling,
    memory_limit_bytes
);

impl RrConfigBuilder {
    /// How roots are drawn.
    pub fn roots(mut self, roots: RootDistribution) -> Self {
        self.config.roots = roots;
        self
    }
    /// Validates and returns the configuration.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for invalid sampling settings ([`Sampling::validate`]:
    /// `threads = 0`, `hops = 0` or a zero memory limit).
    pub fn build(self) -> Result<RrConfig> {
        let c = self.config;
        c.sampling.validate()?;
        Ok(c)
    }
}

/// A collection of RR sets stored flat. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct RrSets {
    offsets: Vec<usize>,
    members: Vec<u32>,
    roots: Vec<u32>,
    /// Per set, how many of its leading members are its root accounts and the accounts their
    /// live in-edges reach at the first reverse hop (empty unless the sampler records it; see
    /// [`RrSampler::record_first_hop`]).
    first: Vec<u32>,
    nodes: usize,
    scale: f64,
    model: Model,
    hops: Option<u32>,
    distribution: RootDistribution,
    subset_sampling: bool,
    seed: u64,
    /// The random stream of the partly filled last chunk, to continue it.
    tail: Option<Draws>,
    /// A range of another collection ([`RrSampler::sample_range`]): not extendable.
    sealed: bool,
}

impl RrSets {
    /// Number of sets.
    #[inline]
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }
    /// True when there are no sets.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Members of set `i` (its root accounts first). Panics if `i >= len()`, like slice indexing.
    #[inline]
    pub fn set(&self, i: usize) -> &[u32] {
        &self.members[self.offsets[i]..self.offsets[i + 1]]
    }
    /// Members of set `i`, or `None` if `i >= len()`.
    pub fn get(&self, i: usize) -> Option<&[u32]> {
        let (&a, &b) = (self.offsets.get(i)?, self.offsets.get(i + 1)?);
        self.members.get(a..b)
    }
    /// Iterates over the sets in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u32]> + '_ {
        self.offsets.windows(2).map(|w| &self.members[w[0]..w[1]])
    }
    /// Set boundaries: set `i` is `members()[offsets()[i]..offsets()[i + 1]]`; length `len() + 1`.
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }
    /// All members, set after set.
    pub fn members(&self) -> &[u32] {
        &self.members
    }
    /// The root of each set: an account for [`RootDistribution::Uniform`], a person id
    /// (see [`crate::People`]) otherwise.
    pub fn roots(&self) -> &[u32] {
        &self.roots
    }
    /// Per set, the length of its first hop: the root accounts and the accounts their live
    /// in-edges reach in one reverse step lead the set, in this many members. Empty when the
    /// sampler did not record it.
    pub(crate) fn first_hops(&self) -> &[u32] {
        &self.first
    }
    /// Number of accounts of the graph the sets were drawn on.
    pub fn node_count(&self) -> usize {
        self.nodes
    }
    /// What a covered fraction is multiplied by: `n`, the number of people, or the total
    /// person target weight, by root distribution.
    pub fn scale(&self) -> f64 {
        self.scale
    }
    /// The model the sets were drawn under.
    pub fn model(&self) -> Model {
        self.model
    }
    /// The hop horizon the sets were drawn with.
    pub fn hops(&self) -> Option<u32> {
        self.hops
    }
    /// The root distribution.
    pub fn root_distribution(&self) -> RootDistribution {
        self.distribution
    }
    /// The master seed of the sets' random streams.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Mean number of members per set (0 for no sets).
    pub fn mean_size(&self) -> f64 {
        if self.is_empty() {
            0.0
        } else {
            self.members.len() as f64 / self.len() as f64
        }
    }
    /// Bytes allocated for the sets (capacity of members, offsets and roots).
    pub fn memory_bytes(&self) -> u64 {
        (self.members.capacity() * 4
            + self.offsets.capacity() * std::mem::size_of::<usize>()
            + self.roots.capacity() * 4) as u64
    }
    /// The RR estimate of the spread of `seeds`; see [`rr_estimate`].
    pub fn estimate(&self, seeds: &[u32]) -> Result<Estimate> {
        rr_estimate(self, seeds)
    }

    fn used_bytes(&self) -> u64 {
        self.members.len() as u64 * 4 + self.len() as u64 * PER_SET_BYTES
    }

    fn truncate(&mut self, sets: usize, tail: Option<Draws>) {
        self.offsets.truncate(sets + 1);
        self.members.truncate(self.offsets[sets]);
        self.roots.truncate(sets);
        self.first.truncate(sets.min(self.first.len()));
        self.tail = tail;
    }
}

/// Walker's alias table: O(1) draws from a discrete distribution.
#[derive(Debug, Clone)]
struct Alias {
    prob: Vec<f64>,
    alias: Vec<u32>,
}

impl Alias {
    /// Builds the table of `weights` (finite, ≥ 0, positive total) by Vose's method.
    fn new(weights: &[f32]) -> Alias {
        let k = weights.len();
        let total: f64 = weights.iter().map(|&w| w as f64).sum();
        let mut prob: Vec<f64> = weights
            .iter()
            .map(|&w| w as f64 * k as f64 / total)
            .collect();
        let mut alias: Vec<u32> = (0..k as u32).collect();
        let (mut small, mut large): (Vec<u32>, Vec<u32>) =
            (0..k as u32).partition(|&i| prob[i as usize] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            alias[s as usize] = l;
            prob[l as usize] -= 1.0 - prob[s as usize];
            if prob[l as usize] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers are 1 up to rounding; a zero weight must still never be drawn.
        let heaviest = (0..k)
            .max_by(|&a, &b| weights[a].total_cmp(&weights[b]))
            .unwrap_or(0) as u32;
        for i in small.into_iter().chain(large) {
            if weights[i as usize] > 0.0 {
                prob[i as usize] = 1.0;
            } else {
                prob[i as usize] = 0.0;
                alias[i as usize] = heaviest;
            }
        }
        Alias { prob, alias }
    }

    #[inline]
    fn draw(&self, d: &mut Draws) -> u32 {
        let i = d.below(self.prob.len() as u64) as usize;
        if d.unit_f64() < self.prob[i] {
            i as u32
        } else {
            self.alias[i]
        }
    }
}

/// How a visited account's live in-edge is drawn under LT.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LtRule {
    /// No in-edges or zero total weight.
    Dead,
    /// All in-weights equal `p`: pick index ⌊U / p⌋ when `U < indeg · p`.
    Uniform(f64),
    /// Mixed weights: scan the cumulative sums.
    Scan,
}

/// [`lt_rule`] of `[p; len]`, without the list.
fn lt_rule_uniform(p: f32, len: usize) -> LtRule {
    match uniform_rule(p, len, false) {
        ListRule::Dead => LtRule::Dead,
        ListRule::All => LtRule::Uniform(1.0),
        _ => LtRule::Uniform(p as f64),
    }
}

fn lt_rule(probs: &[f32]) -> LtRule {
    match probs.first() {
        None => LtRule::Dead,
        Some(&p) if probs.iter().all(|&q| q == p) => lt_rule_uniform(p, probs.len()),
        Some(_) => LtRule::Scan,
    }
}

/// Largest in-degree whose rule [`Rules::ByDegree`] holds (a table of at most 2^16 rules,
/// 1.5 MB for [`ListRule`]); larger in-degrees compute theirs when visited, a logarithm and an
/// exponential beside a list of more than 65,535 in-edges.
const RULES_BY_DEGREE_MAX: usize = 1 << 16;

/// How each account's in-edges are drawn (`R` is [`ListRule`] under IC, [`LtRule`] under LT).
///
/// When the probabilities come from the in-order array, each account has its own rule
/// (24 B per account for [`ListRule`]). When they are one value per target
/// ([`InPerTarget`]: weighted cascade, constants) the rule depends on the account through its
/// in-degree alone, so one rule per in-degree is held instead: the same rule values (the same
/// expressions of the same `f32` probability), so the same sets seed for seed, and nothing per
/// account (3.2 GB less at 133M accounts).
#[derive(Debug)]
enum Rules<R> {
    /// No rules (the other model's table).
    None,
    /// The rule of account `v` at `[v]`.
    PerAccount(Vec<R>),
    /// The rule of every account of in-degree `d < by_degree.len()` at `[d]`; larger in-degrees
    /// call `rule(per_target.of_degree(d), d)`.
    ByDegree {
        by_degree: Vec<R>,
        per_target: InPerTarget,
        shortcuts: bool,
    },
}

impl<R: Copy + Send> Rules<R> {
    /// The table of the in-degrees `0..len` (a graph of `n` accounts without duplicate edges
    /// needs at most `n + 1`; see [`RULES_BY_DEGREE_MAX`]).
    fn by_degree(
        len: usize,
        per_target: InPerTarget,
        shortcuts: bool,
        rule: impl Fn(f32, usize, bool) -> R,
    ) -> Rules<R> {
        Rules::ByDegree {
            by_degree: (0..len)
                .map(|d| rule(per_target.of_degree(d), d, shortcuts))
                .collect(),
            per_target,
            shortcuts,
        }
    }

    /// The rule of account `v`, whose in-degree is `degree`; `rule` is the function the table
    /// by degree was built with.
    #[inline(always)]
    fn get(&self, v: usize, degree: usize, rule: impl Fn(f32, usize, bool) -> R) -> R {
        match self {
            Rules::PerAccount(r) => r[v],
            Rules::ByDegree {
                by_degree,
                per_target,
                shortcuts,
            } => match by_degree.get(degree) {
                Some(&r) => r,
                None => rule(per_target.of_degree(degree), degree, *shortcuts),
            },
            Rules::None => unreachable!("the sampler reads the rules of its own model"),
        }
    }
}

/// [`lt_rule_uniform`] in the signature of [`Rules`] (LT has no shortcuts).
fn lt_rule_by_degree(p: f32, len: usize, _shortcuts: bool) -> LtRule {
    lt_rule_uniform(p, len)
}

/// How roots are drawn, resolved against the graph's people.
#[derive(Debug)]
enum RootTable {
    Accounts(u64),
    People {
        count: u64,
        /// The accounts of people who hold more than one; `None` when no one does.
        accounts: Option<OtherAccounts>,
        alias: Option<Alias>,
    },
}

/// The accounts of each person past their first ([`People::first_accounts`]), for the people
/// who hold more than one, in increasing order: with the first account, the person's accounts
/// in increasing order, as a counting sort of every account by person lists them.
///
/// Only the extra accounts are held (at a billion edges, 39M of 133M accounts), with one bit per
/// person and a rank per 64 people to find them: a few hundred MB, where a table of every
/// person's accounts wrote 2 GB on one thread (8-byte offsets per person, twice, and a 4-byte
/// entry per account) before every run.
#[derive(Debug, PartialEq)]
struct OtherAccounts {
    /// Bit `p % 64` of word `p / 64`: person `p` has more than one account.
    several: Vec<u64>,
    /// People with more than one account in the words before each word.
    rank: Vec<u32>,
    /// `accounts[offsets[r]..offsets[r + 1]]`: the other accounts of the `r`-th such person.
    offsets: Vec<u32>,
    accounts: Vec<u32>,
}

impl OtherAccounts {
    /// The table of `people`, or `None` when every person holds one account.
    ///
    /// People are numbered in the order of their first account ([`People::first_accounts`]),
    /// so an account is its person's first exactly when its person's number exceeds every
    /// number before it: one read of the accounts' people in order finds the others, without
    /// looking anything up. A counting sort of those alone then groups them by person.
    ///
    /// # Complexity
    /// O(n) over accounts (in parallel by chunks), then O(extra accounts + people / 64).
    fn new(people: &People) -> Option<OtherAccounts> {
        // Tests: small, so that small tables span several chunks.
        const CHUNK: usize = if cfg!(test) { 5 } else { 1 << 16 };
        let of = &people.of_account;
        // The largest person before each chunk (-1: none).
        let maxima: Vec<i64> = of
            .par_chunks(CHUNK)
            .map(|c| c.iter().copied().max().map_or(-1, i64::from))
            .collect();
        let mut before = Vec::with_capacity(maxima.len());
        let mut max = -1i64;
        for m in maxima {
            before.push(max);
            max = max.max(m);
        }
        let extra: Vec<u32> = of
            .par_chunks(CHUNK)
            .zip(before)
            .enumerate()
            .flat_map_iter(|(i, (c, mut max))| {
                let mut out = Vec::new();
                for (j, &p) in c.iter().enumerate() {
                    if i64::from(p) <= max {
                        out.push((i * CHUNK + j) as u32);
                    } else {
                        max = i64::from(p);
                    }
                }
                out
            })
            .collect();
        if extra.is_empty() {
            return None;
        }
        let mut several = vec![0u64; people.count.div_ceil(64)];
        for &a in &extra {
            let p = of[a as usize];
            several[(p / 64) as usize] |= 1 << (p % 64);
        }
        let mut rank = Vec::with_capacity(several.len());
        let mut count = 0u32;
        for w in &several {
            rank.push(count);
            count += w.count_ones();
        }
        let mut table = OtherAccounts {
            several,
            rank,
            offsets: vec![0; count as usize + 1],
            accounts: vec![0; extra.len()],
        };
        // Counted at the slot of each person, summed so that `offsets[r]` ends person `r`'s
        // accounts, then filled from the last account back, each person's from their end.
        for &a in &extra {
            let r = table.index(of[a as usize]);
            table.offsets[r] += 1;
        }
        let mut sum = 0;
        for o in &mut table.offsets {
            sum += *o;
            *o = sum;
        }
        for &a in extra.iter().rev() {
            let r = table.index(of[a as usize]);
            table.offsets[r] -= 1;
            table.accounts[table.offsets[r] as usize] = a;
        }
        Some(table)
    }

    /// The slot of person `p`, who holds more than one account, among those who do.
    #[inline]
    fn index(&self, p: u32) -> usize {
        let (w, b) = ((p / 64) as usize, p % 64);
        self.rank[w] as usize + (self.several[w] & ((1u64 << b) - 1)).count_ones() as usize
    }

    /// The accounts of person `p` past their first (empty for a person with one account).
    #[inline]
    fn of(&self, p: u32) -> &[u32] {
        let (w, b) = ((p / 64) as usize, p % 64);
        let word = self.several[w];
        if word >> b & 1 == 0 {
            return &[];
        }
        let r = self.index(p);
        &self.accounts[self.offsets[r] as usize..self.offsets[r + 1] as usize]
    }
}

/// One unit of parallel work: `count` consecutive sets from position `within` of `chunk`.
struct Job {
    chunk: u64,
    within: u64,
    count: u64,
    resume: Option<Draws>,
}

struct JobOut {
    members: Vec<u32>,
    sizes: Vec<u32>,
    firsts: Vec<u32>,
    roots: Vec<u32>,
    draws: Draws,
}

/// Samples RR sets from one graph and model; reusable across calls. See the [module docs](self).
pub struct RrSampler<'g> {
    graph: &'g Graph,
    model: Model,
    config: RrConfig,
    /// In-edges; `inc.probs` is empty when `per_target` gives the probabilities.
    inc: Csr<'g>,
    /// The in-edge probabilities as one value per account (weighted cascade, constants), so
    /// that the graph never holds the 4-byte-per-edge in-order array for sampling.
    per_target: Option<InPerTarget>,
    ic_rules: Rules<ListRule>,
    lt_rules: Rules<LtRule>,
    roots: RootTable,
    scale: f64,
    pool: Option<rayon::ThreadPool>,
    /// Record each set's first-hop length ([`RrSets::first_hops`]).
    first_hop: bool,
}

impl std::fmt::Debug for RrSampler<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RrSampler")
            .field("nodes", &self.graph.node_count())
            .field("model", &self.model)
            .field("config", &self.config)
            .field("scale", &self.scale)
            .finish_non_exhaustive()
    }
}

impl<'g> RrSampler<'g> {
    /// Prepares sampling on `graph` under `model`: validates the probabilities, classifies each
    /// account's in-edges (one shared probability or not), builds the root table.
    ///
    /// # Errors
    /// [`Error::InvalidProbability`] for a NaN probability, [`Error::LtWeightsExceedOne`] for
    /// LT in-weights over 1, [`Error::Empty`] for a graph without accounts,
    /// [`Error::InvalidParameter`] for all-zero target weights under
    /// [`RootDistribution::TargetWeighted`] or a thread pool that cannot be built.
    ///
    /// # Complexity
    /// O(n + m), parallel over accounts.
    pub fn new(graph: &'g Graph, model: Model, config: &RrConfig) -> Result<RrSampler<'g>> {
        config.sampling.validate()?;
        if graph.node_count() == 0 {
            return Err(Error::Empty {
                what: "graph".into(),
            });
        }
        validate_model(graph, model)?;
        let per_target = graph.in_per_target();
        let inc = match per_target {
            Some(_) => graph.in_csr_without_probabilities(),
            None => graph.in_csr(),
        };
        let n = graph.node_count();
        let shortcuts = config.sampling.subset_sampling;
        let (ic_rules, lt_rules) = match (model, per_target) {
            (Model::IndependentCascade, None) => (
                Rules::PerAccount(
                    (0..n as u32)
                        .into_par_iter()
                        .map(|v| list_rule(inc.neighbors(v), inc.probs(v), shortcuts))
                        .collect(),
                ),
                Rules::None,
            ),
            (Model::IndependentCascade, Some(r)) => {
                let len = (n + 1).min(RULES_BY_DEGREE_MAX);
                (
                    Rules::by_degree(len, r, shortcuts, uniform_rule),
                    Rules::None,
                )
            }
            (Model::LinearThreshold, None) => (
                Rules::None,
                Rules::PerAccount(
                    (0..n as u32)
                        .into_par_iter()
                        .map(|v| lt_rule(inc.probs(v)))
                        .collect(),
                ),
            ),
            (Model::LinearThreshold, Some(r)) => (
                Rules::None,
                Rules::by_degree(
                    (n + 1).min(RULES_BY_DEGREE_MAX),
                    r,
                    shortcuts,
                    lt_rule_by_degree,
                ),
            ),
        };
        let (roots, scale) = root_table(graph.people(), n, config.roots)?;
        let pool = config.sampling.pool()?;
        Ok(RrSampler {
            graph,
            model,
            config: config.clone(),
            inc,
            per_target,
            ic_rules,
            lt_rules,
            roots,
            scale,
            pool,
            first_hop: false,
        })
    }

    /// Makes the sets drawn from now on record their first-hop length
    /// ([`RrSets::first_hops`]), the control variate of quality mode's greedy. The sets
    /// themselves are unchanged.
    pub(crate) fn record_first_hop(&mut self) {
        self.first_hop = true;
    }

    /// The scale of estimates: `n`, the number of people or the total target weight.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The configuration.
    pub fn config(&self) -> &RrConfig {
        &self.config
    }

    /// An empty collection for the master seed `seed`, to grow with [`RrSampler::extend`].
    pub fn empty(&self, seed: u64) -> RrSets {
        RrSets {
            offsets: vec![0],
            members: Vec::new(),
            roots: Vec::new(),
            first: Vec::new(),
            nodes: self.graph.node_count(),
            scale: self.scale,
            model: self.model,
            hops: self.config.sampling.hops,
            distribution: self.config.roots,
            subset_sampling: self.config.sampling.subset_sampling,
            seed,
            tail: None,
            sealed: false,
        }
    }

    /// Samples `count` RR sets with the configured seed.
    ///
    /// # Errors
    /// [`Error::MemoryLimit`] when the estimated size exceeds the limit; [`Error::Cancelled`].
    ///
    /// # Complexity
    /// O(Σ (live in-edges examined)) time: with subset sampling, the live edges found;
    /// otherwise the in-edges of the accounts visited. Memory: the sets, plus O(n) per thread.
    pub fn sample(&self, count: usize, progress: &dyn Progress) -> Result<RrSets> {
        self.sample_with_seed(self.config.sampling.seed, count, progress)
    }

    /// Samples `count` RR sets with master seed `seed` (an independent collection, as IMM's
    /// corrected final phase (Chen 2018) and OPIM-C's validation sets need).
    ///
    /// # Errors
    /// As [`RrSampler::sample`].
    pub fn sample_with_seed(
        &self,
        seed: u64,
        count: usize,
        progress: &dyn Progress,
    ) -> Result<RrSets> {
        let mut sets = self.empty(seed);
        self.extend(&mut sets, count, progress)?;
        Ok(sets)
    }

    /// Appends `additional` sets to `sets`, continuing its sequence: the result equals sampling
    /// `sets.len() + additional` sets at once with the same seed. On error `sets` is unchanged.
    ///
    /// Progress is reported as `("rr_sets", sets done, additional)` after each chunk.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `sets` was drawn with another model, hop horizon, root
    /// distribution, sampling setting or graph size, or is a range from
    /// [`RrSampler::sample_range`]; [`Error::MemoryLimit`] when the estimated
    /// total size exceeds the limit; [`Error::Cancelled`].
    pub fn extend(
        &self,
        sets: &mut RrSets,
        additional: usize,
        progress: &dyn Progress,
    ) -> Result<()> {
        if sets.model != self.model
            || sets.hops != self.config.sampling.hops
            || sets.distribution != self.config.roots
            || sets.subset_sampling != self.config.sampling.subset_sampling
            || sets.nodes != self.graph.node_count()
        {
            return Err(Error::invalid_parameter(
                "rr_sets",
                format!("{} sets", sets.len()),
                "these RR sets were drawn with another model, hop horizon, root distribution \
                 or graph; extend them with the sampler that made them",
            ));
        }
        if sets.sealed {
            return Err(Error::invalid_parameter(
                "rr_sets",
                format!("{} sets from sample_range", sets.len()),
                "a range of a collection cannot be extended; sample the next range with \
                 sample_range",
            ));
        }
        if additional == 0 {
            return Ok(());
        }
        let (old_len, old_tail) = (sets.len(), sets.tail.clone());
        let start = old_len as u64;
        let r = self.install(|| self.extend_inner(sets, start, additional as u64, progress));
        if r.is_err() {
            sets.truncate(old_len, old_tail);
        }
        r
    }

    /// Samples the `count` sets at positions `start..start + count` of the collection with
    /// master seed `seed`: exactly those sets of [`RrSampler::sample_with_seed`]`(seed, start +
    /// count)`, without drawing the ones before `start` (a chunk entered in the middle replays
    /// its first sets). This is how a distributed run splits a collection by chunk index.
    /// The returned collection holds only the range; it cannot be [`RrSampler::extend`]ed.
    ///
    /// # Errors
    /// As [`RrSampler::sample`].
    pub fn sample_range(
        &self,
        seed: u64,
        start: u64,
        count: usize,
        progress: &dyn Progress,
    ) -> Result<RrSets> {
        let mut sets = self.empty(seed);
        if count > 0 {
            self.install(|| self.extend_inner(&mut sets, start, count as u64, progress))?;
        }
        // Positions are not `0..len`: the stream state cannot continue this collection.
        sets.tail = None;
        sets.sealed = true;
        Ok(sets)
    }

    /// [`RrSampler::sample_with_seed`] with `other` run beside it on the sampler's own threads:
    /// one of them runs `other` while the rest draw, and it draws too once `other` is done. The
    /// sets are the same as without `other`. Returns the sets, the seconds they took, and
    /// `other`'s answer.
    pub(crate) fn sample_beside<R: Send>(
        &self,
        seed: u64,
        count: usize,
        progress: &dyn Progress,
        other: impl FnOnce() -> R + Send,
    ) -> (Result<RrSets>, f64, R) {
        let mut sets = self.empty(seed);
        let (out, seconds, r) = self.extend_beside(&mut sets, count, progress, other);
        (out.map(|()| sets), seconds, r)
    }

    /// [`RrSampler::extend`] with `other` run beside it, as in [`RrSampler::sample_beside`]:
    /// the sets are the same as without `other`. Returns the outcome, the seconds the drawing
    /// took, and `other`'s answer.
    pub(crate) fn extend_beside<R: Send>(
        &self,
        sets: &mut RrSets,
        additional: usize,
        progress: &dyn Progress,
        other: impl FnOnce() -> R + Send,
    ) -> (Result<()>, f64, R) {
        let ((out, seconds), r) = self.install(|| {
            rayon::join(
                || {
                    let t = std::time::Instant::now();
                    let out = self.extend(sets, additional, progress);
                    (out, t.elapsed().as_secs_f64())
                },
                other,
            )
        });
        (out, seconds, r)
    }

    /// The threads that draw the sets (the sampler's pool, or rayon's current one).
    pub(crate) fn threads(&self) -> usize {
        self.install(rayon::current_num_threads)
    }

    fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        match &self.pool {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }

    fn extend_inner(
        &self,
        sets: &mut RrSets,
        start: u64,
        additional: u64,
        progress: &dyn Progress,
    ) -> Result<()> {
        let end = start.saturating_add(additional);
        let limit = self.config.sampling.effective_memory_limit();
        // Before anything is allocated: every set takes at least its offset, root and one member.
        crate::limits::check_memory(
            format!("{} RR sets", sets.len() as u64 + additional),
            sets.used_bytes().saturating_add(crate::limits::bytes_of(
                additional,
                crate::limits::MIN_RR_SET_BYTES,
            )),
            Some(limit),
        )?;
        // Jobs are made as they are taken, so their number never sizes an allocation.
        let mut resume_first = if start % RR_CHUNK_SETS != 0 {
            sets.tail.take()
        } else {
            None
        };
        let mut pos = start;
        let jobs = std::iter::from_fn(|| {
            if pos >= end {
                return None;
            }
            let (chunk, within) = (pos / RR_CHUNK_SETS, pos % RR_CHUNK_SETS);
            let count = (RR_CHUNK_SETS - within).min(end - pos);
            let resume = if within != 0 {
                resume_first.take()
            } else {
                None
            };
            pos += count;
            Some(Job {
                chunk,
                within,
                count,
                resume,
            })
        });
        let report = ChunkProgress::new(progress, "rr_sets", additional);
        if !report.start(0) {
            return Err(Error::Cancelled);
        }
        let pool = ScratchPool::new();
        let n = self.graph.node_count();
        let batch = 8 * rayon::current_num_threads().max(1);
        let mut jobs = jobs.into_iter().peekable();
        let mut done = 0u64;
        let seed = sets.seed;
        let mut last_draws = None;
        let mut reserved = false;
        while jobs.peek().is_some() {
            if !sets.is_empty() {
                // Estimate from the mean size so far (a pilot chunk when sampling from scratch).
                let remaining = additional - done;
                let mean = sets.mean_size();
                let estimate = sets.used_bytes()
                    + (remaining as f64 * (mean * 4.0 + PER_SET_BYTES as f64)).ceil() as u64;
                if estimate > limit {
                    return Err(Error::MemoryLimit {
                        what: format!("{} RR sets", sets.len() as u64 + remaining),
                        estimate_bytes: estimate,
                        limit_bytes: limit,
                    });
                }
                if !reserved {
                    // Reserve once, so growth does not double the allocation past the estimate.
                    sets.members
                        .reserve((remaining as f64 * mean * 1.02) as usize + 1024);
                    sets.offsets.reserve(remaining as usize);
                    sets.roots.reserve(remaining as usize);
                    reserved = true;
                }
            }
            // Without sets to measure, a first chunk on its own is the size pilot.
            let take = if sets.is_empty() { 1 } else { batch };
            let this: Vec<Job> = jobs.by_ref().take(take).collect();
            let outs: Vec<Option<JobOut>> = this
                .into_par_iter()
                .map(|job| {
                    if report.cancelled() {
                        return None;
                    }
                    let mut s = pool.take(|| RrScratch::new(n));
                    let out = self.run_job(seed, job, &mut s, &report);
                    pool.give(s);
                    report.add(out.sizes.len() as u64);
                    Some(out)
                })
                .collect();
            if report.cancelled() {
                return Err(Error::Cancelled);
            }
            for o in outs.into_iter().flatten() {
                let mut at = *sets.offsets.last().unwrap_or(&0);
                for &size in &o.sizes {
                    at += size as usize;
                    sets.offsets.push(at);
                }
                sets.members.extend_from_slice(&o.members);
                sets.roots.extend_from_slice(&o.roots);
                sets.first.extend_from_slice(&o.firsts);
                done += o.sizes.len() as u64;
                last_draws = Some(o.draws);
            }
            if sets.used_bytes() > limit {
                return Err(Error::MemoryLimit {
                    what: format!("{} RR sets", sets.len() as u64 + additional - done),
                    estimate_bytes: sets.used_bytes(),
                    limit_bytes: limit,
                });
            }
        }
        sets.tail = if end % RR_CHUNK_SETS != 0 {
            last_draws
        } else {
            None
        };
        Ok(())
    }

    /// Draws the sets of `job`; on a cancellation seen inside the chunk it returns early with
    /// a partial output, which the caller discards.
    fn run_job(
        &self,
        seed: u64,
        job: Job,
        s: &mut RrScratch,
        report: &ChunkProgress<'_>,
    ) -> JobOut {
        let mut out = JobOut {
            members: Vec::new(),
            sizes: Vec::with_capacity(job.count as usize),
            firsts: Vec::new(),
            roots: Vec::with_capacity(job.count as usize),
            draws: Draws::new(rng::stream(seed, job.chunk)),
        };
        let mut d = match job.resume {
            Some(d) => d,
            None => {
                // A fresh stream: replay (and drop) the sets before `within` so that set
                // positions stay fixed even without a saved stream state.
                let mut d = Draws::new(rng::stream(seed, job.chunk));
                if job.within > 0 && !report.poll() {
                    return out;
                }
                let mut work = 0usize;
                for _ in 0..job.within {
                    if work >= CANCEL_CHECK_WORK {
                        work = 0;
                        if !report.poll() {
                            return out;
                        }
                    }
                    self.one_set(s, &mut d);
                    work += s.queue.len() + 1;
                }
                d
            }
        };
        let mut work = 0usize;
        for _ in 0..job.count {
            // A chunk of large sets can take seconds: look for a cancellation inside it too.
            if work >= CANCEL_CHECK_WORK {
                work = 0;
                if !report.poll() {
                    break;
                }
            }
            let root = self.one_set(s, &mut d);
            work += s.queue.len() + 1;
            out.sizes.push(s.queue.len() as u32);
            if self.first_hop {
                out.firsts.push(s.first_hop);
            }
            out.members.extend_from_slice(&s.queue);
            out.roots.push(root);
        }
        out.draws = d;
        out
    }

    /// Draws one RR set into `s.queue`; returns its root (account or person).
    #[inline]
    fn one_set(&self, s: &mut RrScratch, d: &mut Draws) -> u32 {
        s.start();
        let root = match &self.roots {
            RootTable::Accounts(n) => {
                let r = d.below(*n) as u32;
                s.add_root(r);
                r
            }
            RootTable::People {
                count,
                accounts,
                alias,
            } => {
                let p = match alias {
                    Some(a) => a.draw(d),
                    None => d.below(*count) as u32,
                };
                match accounts {
                    None => {
                        s.add_root(self.graph.people().first_accounts()[p as usize]);
                    }
                    Some(other) => {
                        let first = self.graph.people().first_accounts()[p as usize];
                        for &a in std::iter::once(&first).chain(other.of(p)) {
                            s.add_root(a);
                        }
                    }
                }
                p
            }
        };
        match self.model {
            Model::IndependentCascade => self.ic_bfs(s, d),
            Model::LinearThreshold => self.lt_bfs(s, d),
        }
        if s.first_hop == u32::MAX {
            // The search ended within the first hop: the whole set is it.
            s.first_hop = s.queue.len() as u32;
        }
        root
    }

    /// Reverse BFS over live in-edges from the roots already in the queue.
    fn ic_bfs(&self, s: &mut RrScratch, d: &mut Draws) {
        let max_level = self.config.sampling.hops.unwrap_or(u32::MAX);
        let inc = self.inc;
        let mut picked = std::mem::take(&mut s.picked);
        let mut first_hop = u32::MAX;
        let mut f = s.frontier();
        let mut head = 0;
        let mut level = 0u32;
        let mut level_end = f.queue.len();
        while head < f.queue.len() {
            if head == level_end {
                if level == 0 {
                    first_hop = f.queue.len() as u32;
                }
                level += 1;
                level_end = f.queue.len();
            }
            if level >= max_level {
                break;
            }
            let v = f.queue[head] as usize;
            head += 1;
            let (lo, hi) = (inc.offsets[v], inc.offsets[v + 1]);
            let ends = &inc.neighbors[lo..hi];
            let rule = self.ic_rules.get(v, hi - lo, uniform_rule);
            match self.per_target {
                None => expand(rule, ends, &inc.probs[lo..hi], d, &mut picked, &mut f),
                Some(r) => expand(
                    rule,
                    ends,
                    Same(r.of_degree(hi - lo)),
                    d,
                    &mut picked,
                    &mut f,
                ),
            }
        }
        s.picked = picked;
        s.first_hop = first_hop;
    }

    /// Reverse BFS where each visited account keeps at most one live in-edge (LT).
    fn lt_bfs(&self, s: &mut RrScratch, d: &mut Draws) {
        let max_level = self.config.sampling.hops.unwrap_or(u32::MAX);
        let inc = self.inc;
        let mut first_hop = u32::MAX;
        let mut f = s.frontier();
        let mut head = 0;
        let mut level = 0u32;
        let mut level_end = f.queue.len();
        while head < f.queue.len() {
            if head == level_end {
                if level == 0 {
                    first_hop = f.queue.len() as u32;
                }
                level += 1;
                level_end = f.queue.len();
            }
            if level >= max_level {
                break;
            }
            let v = f.queue[head] as usize;
            head += 1;
            let (lo, hi) = (inc.offsets[v], inc.offsets[v + 1]);
            let pick = match self.lt_rules.get(v, hi - lo, lt_rule_by_degree) {
                LtRule::Dead => None,
                LtRule::Uniform(p) => {
                    let u = d.unit_f64();
                    let k = (u / p) as usize;
                    (k < hi - lo).then_some(k)
                }
                LtRule::Scan => {
                    let u = d.unit_f64();
                    let mut cum = 0.0f64;
                    inc.probs[lo..hi].iter().position(|&p| {
                        cum += p as f64;
                        u < cum
                    })
                }
            };
            if let Some(k) = pick {
                f.offer(inc.neighbors[lo + k]);
            }
        }
        s.first_hop = first_hop;
    }
}

fn root_table(people: &People, n: usize, dist: RootDistribution) -> Result<(RootTable, f64)> {
    if dist == RootDistribution::Uniform {
        return Ok((RootTable::Accounts(n as u64), n as f64));
    }
    // Each account its own person: nothing past the first accounts.
    let accounts = (people.count < n)
        .then(|| OtherAccounts::new(people))
        .flatten();
    let (alias, scale) = if dist == RootDistribution::TargetWeighted {
        let total = people.total_weight();
        if !(total > 0.0 && total.is_finite()) {
            return Err(Error::invalid_parameter(
                "roots",
                "target_weighted",
                "every person's target weight is 0; give target weights or use uniform roots",
            ));
        }
        (Some(Alias::new(&people.weight)), total)
    } else {
        (None, people.count as f64)
    };
    Ok((
        RootTable::People {
            count: people.count as u64,
            accounts,
            alias,
        },
        scale,
    ))
}

/// Samples `count` RR sets of `graph` under `model` in one call (no progress reporting).
///
/// See [`RrSampler`] for the sampler this wraps, the [module docs](self) for the method
/// (Borgs et al. 2014; subset sampling of Guo et al. 2020) and the determinism rule.
///
/// # Errors
/// As [`RrSampler::new`] and [`RrSampler::sample`].
///
/// # Example
/// ```
/// use reachgraph_core::{GraphBuilder, GraphOptions};
/// use reachgraph_core::cascade::Model;
/// use reachgraph_core::rrset::{sample_rr_sets, rr_estimate, RrConfig};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// b.add_edge("a", "b", Some(0.5)).unwrap();
/// b.add_edge("b", "c", Some(0.5)).unwrap();
/// let (g, _) = b.build().unwrap();
/// let config = RrConfig::builder().seed(1).build().unwrap();
/// let sets = sample_rr_sets(&g, Model::IndependentCascade, 30_000, &config).unwrap();
/// let e = rr_estimate(&sets, &[g.node("a").unwrap()]).unwrap();
/// assert!((e.mean - 1.75).abs() < 4.0 * e.stderr); // exact: 1 + 0.5 + 0.25
/// ```
pub fn sample_rr_sets(
    graph: &Graph,
    model: Model,
    count: usize,
    config: &RrConfig,
) -> Result<RrSets> {
    RrSampler::new(graph, model, config)?.sample(count, &NoProgress)
}

/// The RR estimate of the expected spread of `seeds`: `scale ×` the fraction of sets that
/// contain a seed (Borgs et al. 2014), with the binomial standard error
/// `scale · √(f(1 − f)/(θ − 1))` over `θ` sets.
///
/// The spread is counted as the sets' root distribution says (accounts, people or target
/// weight; see [`RrSets::scale`]). `min` and `max` are those of the per-set samples
/// (`0` or `scale`).
///
/// # Errors
/// [`Error::Empty`] for no seeds, [`Error::UnknownNode`] / [`Error::DuplicateNode`] for bad
/// dense ids, [`Error::InvalidParameter`] for an empty collection.
///
/// # Complexity
/// O(total members) time, parallel over sets; O(n) memory.
pub fn rr_estimate(sets: &RrSets, seeds: &[u32]) -> Result<Estimate> {
    if seeds.is_empty() {
        return Err(Error::Empty {
            what: "seed set".into(),
        });
    }
    if sets.is_empty() {
        return Err(Error::invalid_parameter(
            "rr_sets",
            0,
            "need at least one RR set to estimate from",
        ));
    }
    let mut mark = vec![false; sets.nodes];
    for &s in seeds {
        if s as usize >= sets.nodes {
            return Err(Error::UnknownNode {
                id: s.to_string(),
                context: format!(" (seed set; dense ids run 0..{})", sets.nodes),
            });
        }
        if std::mem::replace(&mut mark[s as usize], true) {
            return Err(Error::DuplicateNode {
                id: s.to_string(),
                what: "seed set".into(),
            });
        }
    }
    let theta = sets.len();
    let covered = (0..theta)
        .into_par_iter()
        .with_min_len(4096)
        .filter(|&i| sets.set(i).iter().any(|&v| mark[v as usize]))
        .count();
    let f = covered as f64 / theta as f64;
    let stderr = if theta > 1 {
        sets.scale * (f * (1.0 - f) / (theta - 1) as f64).sqrt()
    } else {
        0.0
    };
    let min = if covered < theta { 0.0 } else { sets.scale };
    let max = if covered > 0 { sets.scale } else { 0.0 };
    Ok(Estimate::new(sets.scale * f, stderr, min, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of other accounts gives every person their accounts in increasing order (the
    /// list a counting sort of all accounts by person gives, which roots were drawn from
    /// before), and nothing when each account is its own person: random people over 1 to 400
    /// accounts, with and without person codes, several chunks of accounts each.
    #[test]
    fn other_accounts_give_each_person_their_accounts_in_order() {
        use crate::attrs::{Attributes, Categorical, NONE};
        use crate::graph::{GraphBuilder, GraphOptions};
        let mut several = 0;
        for seed in 0..300u64 {
            let mut r = rng::stream(seed, 7);
            let mut below = |k: usize| rng::below(&mut r, k as u64) as usize;
            let n = 1 + below(400);
            let mut b = GraphBuilder::new(GraphOptions::default());
            for i in 0..n {
                b.add_node(i.to_string().as_str());
            }
            let mut g = b.build().unwrap().0;
            let k = below(n / 2 + 2);
            let mut a = Attributes::new(n);
            a.person = Categorical {
                codes: (0..n)
                    .map(|_| match k == 0 || below(4) == 0 {
                        true => NONE,
                        false => below(k) as u32,
                    })
                    .collect::<Vec<u32>>()
                    .into(),
                names: (0..k).map(|i| format!("p{i}")).collect(),
            };
            g.set_attributes(a).unwrap();
            let people = g.people();
            let mut want = vec![Vec::new(); people.count];
            for (a, &p) in people.of_account.iter().enumerate() {
                want[p as usize].push(a as u32);
            }
            match OtherAccounts::new(people) {
                None => assert!(want.iter().all(|l| l.len() == 1), "seed {seed}"),
                Some(table) => {
                    several += 1;
                    for (p, want) in want.iter().enumerate() {
                        let first = people.first_accounts()[p];
                        let got: Vec<u32> = std::iter::once(first)
                            .chain(table.of(p as u32).iter().copied())
                            .collect();
                        assert_eq!(&got, want, "seed {seed}, person {p}");
                    }
                    assert_eq!(table.accounts.len(), n - people.count, "seed {seed}");
                }
            }
        }
        assert!(
            (100..300).contains(&several),
            "{several} tables with several accounts"
        );
    }

    /// Looks for a cancellation inside a chunk follow the work drawn, not the set count: a
    /// chunk of one-member sets looks never, a chunk of sets holding every account looks once
    /// per `CANCEL_CHECK_WORK` units, and a sink that says stop ends the chunk at that look.
    #[test]
    fn cancellation_looks_follow_the_work_drawn() {
        use crate::graph::GraphOptions;
        use crate::ids::NodeIds;
        use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
        let n = 400u32;
        // A cycle with probability 1: every RR set holds all 400 accounts.
        let src: Vec<u32> = (0..n).collect();
        let dst: Vec<u32> = (0..n).map(|v| (v + 1) % n).collect();
        let p = vec![1.0f32; n as usize];
        let build = |src: &[u32], dst: &[u32], p: Option<&[f32]>| {
            Graph::from_edges(
                n,
                src,
                dst,
                p,
                NodeIds::identity(n),
                GraphOptions::default(),
            )
            .unwrap()
            .0
        };
        let cycle = build(&src, &dst, Some(&p));
        let empty = build(&[], &[], None);
        // (sink calls, sets drawn) for one fresh chunk; the sink says stop after `go` calls.
        let looks = |g: &Graph, go: usize| {
            let sampler =
                RrSampler::new(g, Model::IndependentCascade, &RrConfig::default()).unwrap();
            let calls = AtomicUsize::new(0);
            let sink = |_: &str, _: u64, _: u64| calls.fetch_add(1, Relaxed) < go;
            let report = ChunkProgress::new(&sink, "rr_sets", RR_CHUNK_SETS);
            let mut s = RrScratch::new(n as usize);
            let job = Job {
                chunk: 0,
                within: 0,
                count: RR_CHUNK_SETS,
                resume: None,
            };
            let out = sampler.run_job(1, job, &mut s, &report);
            assert!(out.sizes.iter().all(|&z| z == out.sizes[0]));
            (calls.load(Relaxed), out.sizes.len(), out.sizes[0])
        };
        // 256 sets of one member: 512 units of work, less than one look's worth.
        assert_eq!(looks(&empty, usize::MAX), (0, 256, 1));
        // 256 sets of 400 members, 401 units each: a look before every third set after the
        // first three (work 1,203 >= 1,024), so at sets 3, 6, ..., 255: 85 looks.
        assert_eq!(looks(&cycle, usize::MAX), (85, 256, 400));
        // A sink that stops at its third look ends the chunk there, after 9 sets.
        assert_eq!(looks(&cycle, 2), (3, 9, 400));
    }

    #[test]
    fn alias_table_matches_weights_and_skips_zeros() {
        let w = [0.0f32, 1.0, 3.0, 0.0, 4.0];
        let a = Alias::new(&w);
        let mut d = Draws::new(rng::stream(5, 0));
        let mut counts = [0u32; 5];
        let k = 80_000;
        for _ in 0..k {
            counts[a.draw(&mut d) as usize] += 1;
        }
        assert_eq!(counts[0] + counts[3], 0);
        for i in [1, 2, 4] {
            let p = w[i] as f64 / 8.0;
            let sd = (k as f64 * p * (1.0 - p)).sqrt();
            assert!(
                (counts[i] as f64 - k as f64 * p).abs() < 4.0 * sd,
                "{counts:?}"
            );
        }
    }

    /// Weighted-cascade and constant probabilities are read per target account, without the
    /// in-order array: the sets (and the errors) are those drawn from the array, seed for seed,
    /// under every rule (dead, all, coins, subset, skip; LT uniform) and on 1 or 2 threads.
    #[test]
    fn per_target_probabilities_give_the_sets_of_the_array() {
        use crate::graph::{GraphBuilder, GraphOptions};
        use crate::weights::WeightScheme;
        use rand::RngCore;
        // Targets skewed towards small ids: in-degrees from 0 to about 200.
        let mut b = GraphBuilder::new(GraphOptions::default());
        let mut r = rng::stream(11, 0);
        for _ in 0..4000 {
            let u = r.next_u64() % 300;
            let x = r.next_u64() % 300;
            b.add_edge_ints(u as i64, (x * x / 300) as i64, None)
                .unwrap();
        }
        let base = b.build().unwrap().0;
        let schemes = [
            WeightScheme::WeightedCascade,
            WeightScheme::Constant { p: 0.3 },
            WeightScheme::Constant { p: 0.03 },
            WeightScheme::Constant { p: 1.0 },
            WeightScheme::Constant { p: 0.0 },
        ];
        let runs = [
            (Model::IndependentCascade, true, 1),
            (Model::IndependentCascade, false, 2),
            (Model::LinearThreshold, true, 2),
        ];
        let mut compared = 0;
        for scheme in &schemes {
            for &(model, shortcuts, threads) in &runs {
                let lazy = base.with_weights(scheme).unwrap();
                let held = base.with_weights(scheme).unwrap();
                let _ = held.in_csr();
                assert!(lazy.in_per_target().is_some() && held.in_per_target().is_none());
                let cfg = RrConfig::builder()
                    .seed(5)
                    .threads(threads)
                    .subset_sampling(shortcuts)
                    .build()
                    .unwrap();
                let run = |g: &Graph| {
                    RrSampler::new(g, model, &cfg)
                        .and_then(|s| s.sample(3000, &NoProgress))
                        .map(|s| {
                            (
                                s.offsets().to_vec(),
                                s.members().to_vec(),
                                s.roots().to_vec(),
                            )
                        })
                };
                match (run(&lazy), run(&held)) {
                    (Ok(a), Ok(b)) => {
                        assert_eq!(a, b, "{scheme:?} {model:?} shortcuts {shortcuts}");
                        compared += usize::from(a.1.len() > 3 * 3000 / 2);
                    }
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("{scheme:?} {model:?}: {:?} vs {:?}", a.err(), b.err()),
                }
                assert!(
                    !lazy.probabilities_held().1,
                    "sampling made the graph hold the in-order probabilities"
                );
            }
        }
        // Most runs drew sets of more than their root (so the comparison saw live edges).
        assert!(compared >= 6, "only {compared} runs drew non-trivial sets");
    }

    /// The rule table by in-degree gives every account the rule the per-account table built
    /// from the in-order array gives it, for in-degrees inside the table and past its end.
    #[test]
    fn rules_by_degree_are_the_rules_of_the_array() {
        use crate::weights::{InPerTarget, WeightScheme};
        for scheme in [
            WeightScheme::WeightedCascade,
            WeightScheme::Constant { p: 0.3 },
            WeightScheme::Constant { p: 0.03 },
            WeightScheme::Constant { p: 1.0 },
            WeightScheme::Constant { p: 0.0 },
        ] {
            let r = InPerTarget::of_scheme(&scheme).unwrap();
            for shortcuts in [true, false] {
                let ic = Rules::by_degree(5, r, shortcuts, uniform_rule);
                let lt = Rules::by_degree(5, r, shortcuts, lt_rule_by_degree);
                let mut kinds = Vec::new();
                for d in 0..400usize {
                    // The array's values: the expression `WeightScheme::probabilities` fills it with.
                    let p = match scheme {
                        WeightScheme::Constant { p } => p,
                        _ => 1.0 / d as f32,
                    };
                    let probs = vec![p; d];
                    let want = list_rule(&vec![0; d], &probs[..], shortcuts);
                    assert_eq!(ic.get(7, d, uniform_rule), want, "{scheme:?} {d}");
                    assert_eq!(lt.get(7, d, lt_rule_by_degree), lt_rule(&probs), "{d}");
                    kinds.push(std::mem::discriminant(&want));
                }
                kinds.dedup();
                if shortcuts && scheme == (WeightScheme::Constant { p: 0.03 }) {
                    // dead, coins, subset, skip: the past-the-table path saw several rules.
                    assert!(kinds.len() >= 4, "{kinds:?}");
                }
            }
        }
    }

    #[test]
    fn lt_rules() {
        assert_eq!(lt_rule(&[]), LtRule::Dead);
        assert_eq!(lt_rule(&[0.0, 0.0]), LtRule::Dead);
        assert_eq!(lt_rule(&[1.0]), LtRule::Uniform(1.0));
        assert_eq!(lt_rule(&[0.25, 0.25]), LtRule::Uniform(0.25));
        assert_eq!(lt_rule(&[0.25, 0.5]), LtRule::Scan);
    }

    #[test]
    fn config_validates() {
        assert!(RrConfig::builder().threads(0).build().is_err());
        assert!(RrConfig::builder().hops(0).build().is_err());
        assert!(RrConfig::builder().memory_limit_bytes(0).build().is_err());
        let c = RrConfig::builder()
            .seed(4)
            .hops(2)
            .roots(RootDistribution::People)
            .memory_limit_bytes(1 << 20)
            .build()
            .unwrap();
        assert_eq!(
            (c.seed(), c.hops(), c.roots(), c.memory_limit_bytes()),
            (4, Some(2), RootDistribution::People, Some(1 << 20))
        );
    }
}
