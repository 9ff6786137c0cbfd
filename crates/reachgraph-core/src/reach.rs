//! Exposure reach (one hop): how many distinct people follow at least one seed account.
//!
//! Reach is counted in **people**: a person is reached when any of their accounts follows a seed
//! (one voter with an X and a TikTok account following two of our creators counts once). Two
//! measures:
//!
//! - [`unique_reach`]: the exact, deterministic count of people (and accounts) who follow at
//!   least one seed, with the target weight reached and breakdowns by jurisdiction and platform;
//! - [`expected_reach`]: the expected number of people who *see* at least one of
//!   `posts_per_seed` posts of each seed, when a post of `u` is seen by follower `v` with the edge
//!   probability `p(u, v)`, independently per post and edge. It is computed in closed form,
//!   `Σ_person 1 − Π (1 − p)^posts`, with the exact distribution of the number of exposures per
//!   person (a Poisson-binomial distribution, computed per person).
//!
//! [`ReachOptions`] choose whether the seeds' own persons count as reached and whether only
//! people with positive target weight are counted.

use crate::attrs::NONE;
use crate::error::{Error, Result};
use crate::graph::{Csr, Graph};
use crate::sampling::check_seed_set;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Seed edges below which [`unique_reach`] and [`expected_reach`] run serially.
///
/// Below this many edges (the summed out-degree of the seeds) a call takes well under a
/// millisecond on one core, less than the cost of waking the rayon pool.
pub const PARALLEL_THRESHOLD: usize = 1 << 17;

/// Edges per parallel work item. Fixed (not derived from the thread count) so that chunking,
/// and therefore every float sum, is the same on any number of threads.
const EDGE_CHUNK: usize = 1 << 15;

/// Bitset words per chunk when reducing over reached people (64 people per word).
const REDUCE_WORDS: usize = 1 << 12;

/// Above this many platforms the per-platform breakdown sorts (platform, person) pairs
/// instead of keeping one bitset over people per platform.
const MAX_PLATFORM_BITSETS: usize = 64;

/// Name of the breakdown row for people without a jurisdiction or accounts without a platform.
pub const NONE_LABEL: &str = "(none)";

/// Largest number of exposures of one person that [`expected_reach`] tracks in its frequency
/// distribution (`posts_per_seed` × the number of seeds the person follows).
pub const MAX_EXPOSURES: u64 = 1 << 20;

/// Probabilities below this are dropped from the tails of per-person exposure distributions:
/// far below anything an `f64` sum of probabilities can resolve, and it keeps the work per
/// person proportional to the width of its distribution rather than its number of trials.
const TINY: f64 = 1e-300;

/// Options shared by the reach measures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachOptions {
    /// The seeds' own persons count as reached (a creator sees their own posts).
    pub include_seeds: bool,
    /// Count only people with a positive target weight. Target-weight sums always use the
    /// person weights (people outside the target weigh 0 anyway).
    pub target_only: bool,
}

/// One row of a reach breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReachBreakdown {
    /// The jurisdiction or platform name, or [`NONE_LABEL`].
    pub name: String,
    /// Distinct people reached in this row.
    pub people: u64,
    /// Summed person target weight of those people.
    pub target_weight: f64,
}

/// The result of [`unique_reach`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReachResult {
    /// Number of seed accounts.
    pub seeds: usize,
    /// Sum of the seeds' follower counts (out-degrees): what adding up follower counts claims.
    pub summed_followers: u64,
    /// Distinct accounts reached (no person deduplication). With `target_only`, only accounts
    /// whose person has positive target weight.
    pub unique_accounts: u64,
    /// Distinct people reached.
    pub unique_people: u64,
    /// Summed person target weight of the people reached.
    pub target_weight: f64,
    /// People reached per jurisdiction, with a [`NONE_LABEL`] row for people without one. Rows
    /// with no people are omitted; sorted by people (descending), then name.
    pub by_jurisdiction: Vec<ReachBreakdown>,
    /// Distinct people reached through an account on each platform (a person reached through
    /// accounts on two platforms counts in both rows), [`NONE_LABEL`] for accounts without a
    /// platform. Rows with no people are omitted; sorted by people (descending), then name.
    pub by_platform: Vec<ReachBreakdown>,
}

/// The result of [`expected_reach`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedReach {
    /// Posts each seed makes.
    pub posts_per_seed: u32,
    /// Number of people counted (all people, or those with positive target weight).
    pub people_counted: u64,
    /// Expected number of people exposed at least once: `Σ_person 1 − Π (1 − p)^posts` over the
    /// edges from the seeds into the person's accounts.
    pub expected_people: f64,
    /// Expected summed target weight of the people exposed at least once.
    pub expected_target_weight: f64,
    /// `frequency[k]`: expected number of people exposed exactly `k` times, for `k = 0` up to the
    /// largest exposure count with a nonzero probability. Sums to `people_counted`.
    pub frequency: Vec<f64>,
    /// Expected exposures per reached person: `Σ k·frequency[k] / Σ_{k≥1} frequency[k]` (0 when
    /// nobody can be reached).
    pub mean_frequency_among_reached: f64,
    /// Variance of the number of people exposed: people are independent given the edge coins,
    /// so it is `Σ q (1 − q)` with `q` each person's exposure probability.
    pub variance_people: f64,
}

/// A zeroed bitset of at least `bits` bits.
pub(crate) fn atomic_bitset(bits: usize) -> Vec<AtomicU64> {
    (0..bits.div_ceil(64)).map(|_| AtomicU64::new(0)).collect()
}

/// Sets bit `i`; true when this call set it. With `PAR` the set is an atomic `fetch_or`, so
/// exactly one of several racing threads sees the bit as new and counts stay exact.
#[inline(always)]
fn test_and_set<const PAR: bool>(bits: &[AtomicU64], i: usize) -> bool {
    let w = &bits[i >> 6];
    let m = 1u64 << (i & 63);
    let cur = w.load(Relaxed);
    if cur & m != 0 {
        return false;
    }
    if PAR {
        w.fetch_or(m, Relaxed) & m == 0
    } else {
        w.store(cur | m, Relaxed);
        true
    }
}

/// The edges of a seed set cut into fixed-size chunks for parallel work.
pub(crate) struct SeedEdges<'a> {
    seeds: &'a [u32],
    out: Csr<'a>,
    /// `starts[i]`: position of seed `i`'s first edge in the concatenation of the seeds' lists.
    starts: Vec<usize>,
}

impl<'a> SeedEdges<'a> {
    /// The seeds' edges without their probabilities (`f` is then given empty slices): the
    /// graph is not made to compute its out-order probability array.
    pub(crate) fn new(graph: &'a Graph, seeds: &'a [u32]) -> Self {
        Self::over(graph.out_csr_without_probabilities(), seeds)
    }

    /// The seeds' edges with their probabilities.
    pub(crate) fn with_probabilities(graph: &'a Graph, seeds: &'a [u32]) -> Self {
        Self::over(graph.out_csr(), seeds)
    }

    fn over(out: Csr<'a>, seeds: &'a [u32]) -> Self {
        let mut starts = Vec::with_capacity(seeds.len() + 1);
        let mut acc = 0usize;
        starts.push(0);
        for &s in seeds {
            acc += out.degree(s);
            starts.push(acc);
        }
        SeedEdges { seeds, out, starts }
    }

    /// Total number of seed edges.
    pub(crate) fn total(&self) -> usize {
        *self.starts.last().unwrap_or(&0)
    }

    /// Number of chunks of [`EDGE_CHUNK`] edges.
    pub(crate) fn chunks(&self) -> usize {
        self.total().div_ceil(EDGE_CHUNK)
    }

    /// Calls `f(seed, followers, probabilities)` for the pieces of seed lists in `edges`.
    fn for_range(&self, edges: Range<usize>, mut f: impl FnMut(u32, &'a [u32], &'a [f32])) {
        if edges.is_empty() {
            return;
        }
        // The last seed whose list starts at or before `edges.start` holds that edge (seeds
        // with no edges share their start with the next seed and are skipped this way).
        let mut i = self.starts.partition_point(|&s| s <= edges.start) - 1;
        let mut e = edges.start;
        while e < edges.end && i < self.seeds.len() {
            let s = self.seeds[i];
            let lo = e - self.starts[i];
            let hi = edges.end.min(self.starts[i + 1]) - self.starts[i];
            let probs = if self.out.probs.is_empty() {
                &[][..]
            } else {
                &self.out.probs(s)[lo..hi]
            };
            f(s, &self.out.neighbors(s)[lo..hi], probs);
            e = self.starts[i] + hi;
            i += 1;
        }
    }

    /// Calls `f` on chunk `c` (edges `c·EDGE_CHUNK ..`).
    pub(crate) fn for_chunk(&self, c: usize, f: impl FnMut(u32, &'a [u32], &'a [f32])) {
        let lo = c * EDGE_CHUNK;
        let hi = (lo + EDGE_CHUNK).min(self.total());
        self.for_range(lo..hi, f);
    }

    /// Calls `f` on every seed edge.
    pub(crate) fn for_all(&self, f: impl FnMut(u32, &'a [u32], &'a [f32])) {
        self.for_range(0..self.total(), f);
    }
}

/// How the per-platform breakdown deduplicates (platform, person) pairs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PlatformMode {
    /// No account has a platform: the breakdown is one [`NONE_LABEL`] row.
    AllNone,
    /// One bitset over people per platform.
    Bitsets,
    /// Collect and sort (platform, person) pairs (many platforms).
    Pairs,
}

/// Counts found by one chunk of the people pass.
#[derive(Default)]
struct MarkCounts {
    accounts: u64,
    people: u64,
    pairs: Vec<u64>,
}

/// The people pass of [`unique_reach`]: from reached accounts to reached people.
struct PeoplePass<'g> {
    of_account: &'g [u32],
    weight: &'g [f32],
    platform: &'g crate::attrs::Column<u32>,
    n_platforms: usize,
    target_only: bool,
    mode: PlatformMode,
    people: Vec<AtomicU64>,
    platform_people: Vec<Vec<AtomicU64>>,
}

impl PeoplePass<'_> {
    /// Marks the people of the reached accounts in `words` (account bitset words starting at
    /// word `first`). Accounts come in increasing id order, so the per-account columns are
    /// read as a stream rather than at random.
    fn run<const PAR: bool>(&self, first: usize, words: &[AtomicU64], c: &mut MarkCounts) {
        for (j, w) in words.iter().enumerate() {
            let mut x = w.load(Relaxed);
            let base = (first + j) * 64;
            while x != 0 {
                let v = base + x.trailing_zeros() as usize;
                x &= x - 1;
                self.visit::<PAR>(v, c);
            }
        }
    }

    #[inline(always)]
    fn visit<const PAR: bool>(&self, v: usize, c: &mut MarkCounts) {
        let p = self.of_account[v] as usize;
        if self.target_only && self.weight[p] <= 0.0 {
            return;
        }
        c.accounts += 1;
        if test_and_set::<PAR>(&self.people, p) {
            c.people += 1;
        }
        if self.mode != PlatformMode::AllNone {
            let k = match self.platform[v] {
                NONE => self.n_platforms - 1,
                code => code as usize,
            };
            if self.mode == PlatformMode::Bitsets {
                test_and_set::<PAR>(&self.platform_people[k], p);
            } else {
                c.pairs.push(((k as u64) << 32) | p as u64);
            }
        }
    }
}

/// People count, weight and per-code tallies over a bitset of people.
struct Tally {
    people: u64,
    weight: f64,
    code_people: Vec<u64>,
    code_weight: Vec<f64>,
}

/// Tallies the people set in `bits`. With `codes`, also per code (code `NONE` goes to the last
/// of `n_codes` slots). Chunks are fixed-size and combined in order, so the float sums do not
/// depend on the thread count.
fn tally(bits: &[AtomicU64], weight: &[f32], codes: Option<&[u32]>, n_codes: usize) -> Tally {
    let n_codes = if codes.is_some() { n_codes } else { 0 };
    let parts: Vec<Tally> = bits
        .par_chunks(REDUCE_WORDS)
        .enumerate()
        .map(|(c, words)| {
            let mut t = Tally {
                people: 0,
                weight: 0.0,
                code_people: vec![0; n_codes],
                code_weight: vec![0.0; n_codes],
            };
            for (j, w) in words.iter().enumerate() {
                let mut x = w.load(Relaxed);
                let base = (c * REDUCE_WORDS + j) * 64;
                t.people += x.count_ones() as u64;
                while x != 0 {
                    let p = base + x.trailing_zeros() as usize;
                    x &= x - 1;
                    let wp = weight[p] as f64;
                    t.weight += wp;
                    if let Some(codes) = codes {
                        let k = match codes[p] {
                            NONE => n_codes - 1,
                            k => k as usize,
                        };
                        t.code_people[k] += 1;
                        t.code_weight[k] += wp;
                    }
                }
            }
            t
        })
        .collect();
    let mut total = Tally {
        people: 0,
        weight: 0.0,
        code_people: vec![0; n_codes],
        code_weight: vec![0.0; n_codes],
    };
    for t in parts {
        total.people += t.people;
        total.weight += t.weight;
        for k in 0..n_codes {
            total.code_people[k] += t.code_people[k];
            total.code_weight[k] += t.code_weight[k];
        }
    }
    total
}

/// Breakdown rows from per-code tallies (the last slot is [`NONE_LABEL`]).
fn breakdown_rows(
    names: &crate::attrs::Names,
    people: &[u64],
    weight: &[f64],
) -> Vec<ReachBreakdown> {
    let mut rows: Vec<ReachBreakdown> = people
        .iter()
        .zip(weight)
        .enumerate()
        .filter(|(_, (&n, _))| n > 0)
        .map(|(k, (&n, &w))| ReachBreakdown {
            name: names.get(k).unwrap_or(NONE_LABEL).to_string(),
            people: n,
            target_weight: w,
        })
        .collect();
    rows.sort_by(|a, b| b.people.cmp(&a.people).then_with(|| a.name.cmp(&b.name)));
    rows
}

/// Unique (deduplicated) reach of a seed set, counted in people.
///
/// A person is reached when at least one of their accounts follows a seed (and, with
/// [`ReachOptions::include_seeds`], when one of their accounts is a seed). A seed that follows
/// another seed is reached like any other follower.
///
/// # Arguments
/// - `graph`: the follower graph (edge `u → v`: `v` follows `u`), with its attributes;
/// - `seeds`: dense ids of the seed accounts (distinct);
/// - `opts`: whether seeds count themselves, and whether only target people count.
///
/// # Returns
/// A [`ReachResult`]: summed follower counts against unique accounts and people reached, the
/// target weight reached, and breakdowns by jurisdiction and platform.
///
/// # Errors
/// [`Error::Empty`] for an empty seed set; [`Error::UnknownNode`] for an id out of range;
/// [`Error::DuplicateNode`] for a repeated seed.
///
/// # Complexity
/// O(s log s + E + R + n/64 + P·(1 + L)/64) time for s seeds, E seed edges, R accounts reached,
/// n accounts, P people and L platforms: a first pass marks reached accounts in a bitset, a
/// second walks that bitset in account order to mark people (one bitset over people, one per
/// platform), a third tallies the people. Runs in parallel (over fixed chunks of edges, then of
/// bitset words) when E ≥ [`PARALLEL_THRESHOLD`]; atomic bit sets keep the counts exact and
/// the result identical on any number of threads.
///
/// # Example
/// ```
/// use reachgraph_core::{GraphBuilder, GraphOptions, reach::{unique_reach, ReachOptions}};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// for (u, v) in [("a", "x"), ("a", "y"), ("b", "y"), ("b", "z")] {
///     b.add_edge(u, v, None).unwrap(); // v follows u
/// }
/// let (g, _) = b.build().unwrap();
/// let seeds = g.resolve(&["a", "b"], "seed set").unwrap();
/// let r = unique_reach(&g, &seeds, &ReachOptions::default()).unwrap();
/// assert_eq!((r.summed_followers, r.unique_people), (4, 3)); // y follows both
/// ```
pub fn unique_reach(graph: &Graph, seeds: &[u32], opts: &ReachOptions) -> Result<ReachResult> {
    check_seed_set(graph, seeds)?;
    let people = graph.people();
    let attrs = graph.attributes();
    let edges = SeedEdges::new(graph, seeds);
    let n_platforms = attrs.platform.names.len() + 1;
    let mode = if attrs.platform.names.is_empty() {
        PlatformMode::AllNone
    } else if n_platforms <= MAX_PLATFORM_BITSETS {
        PlatformMode::Bitsets
    } else {
        PlatformMode::Pairs
    };
    let parallel = edges.total() >= PARALLEL_THRESHOLD;

    // Pass 1: reached accounts. Only the follower lists and one bitset over accounts (n/8
    // bytes, cache-resident for millions of accounts) are touched per edge.
    let accounts = atomic_bitset(graph.node_count());
    if opts.include_seeds {
        for &s in seeds {
            test_and_set::<false>(&accounts, s as usize);
        }
    }
    if parallel {
        (0..edges.chunks()).into_par_iter().for_each(|c| {
            edges.for_chunk(c, |_, followers, _| {
                for &v in followers {
                    test_and_set::<true>(&accounts, v as usize);
                }
            })
        });
    } else {
        edges.for_all(|_, followers, _| {
            for &v in followers {
                test_and_set::<false>(&accounts, v as usize);
            }
        });
    }

    // Pass 2: their people (and people per platform), in account order.
    let pass = PeoplePass {
        of_account: &people.of_account,
        weight: &people.weight,
        platform: &attrs.platform.codes,
        n_platforms,
        target_only: opts.target_only,
        mode,
        people: atomic_bitset(people.count),
        platform_people: if mode == PlatformMode::Bitsets {
            (0..n_platforms)
                .map(|_| atomic_bitset(people.count))
                .collect()
        } else {
            Vec::new()
        },
    };
    let mut counts = MarkCounts::default();
    if parallel {
        let parts: Vec<MarkCounts> = accounts
            .par_chunks(REDUCE_WORDS)
            .enumerate()
            .map(|(c, words)| {
                let mut local = MarkCounts::default();
                pass.run::<true>(c * REDUCE_WORDS, words, &mut local);
                local
            })
            .collect();
        for p in parts {
            counts.accounts += p.accounts;
            counts.people += p.people;
            counts.pairs.extend(p.pairs);
        }
    } else {
        pass.run::<false>(0, &accounts, &mut counts);
    }

    let juris = &attrs.jurisdiction;
    let t = tally(
        &pass.people,
        &people.weight,
        (!juris.names.is_empty()).then_some(&people.jurisdiction[..]),
        juris.names.len() + 1,
    );
    debug_assert_eq!(t.people, counts.people);
    let by_jurisdiction = if juris.names.is_empty() {
        breakdown_rows(&Default::default(), &[t.people], &[t.weight])
    } else {
        breakdown_rows(&juris.names, &t.code_people, &t.code_weight)
    };

    let by_platform = match mode {
        PlatformMode::AllNone => breakdown_rows(&Default::default(), &[t.people], &[t.weight]),
        PlatformMode::Bitsets => {
            let (n, w): (Vec<u64>, Vec<f64>) = pass
                .platform_people
                .iter()
                .map(|bits| {
                    let t = tally(bits, &people.weight, None, 0);
                    (t.people, t.weight)
                })
                .unzip();
            breakdown_rows(&attrs.platform.names, &n, &w)
        }
        PlatformMode::Pairs => {
            let mut pairs = counts.pairs;
            pairs.par_sort_unstable();
            pairs.dedup();
            let mut n = vec![0u64; n_platforms];
            let mut w = vec![0f64; n_platforms];
            for x in pairs {
                let (k, p) = ((x >> 32) as usize, (x & 0xFFFF_FFFF) as usize);
                n[k] += 1;
                w[k] += people.weight[p] as f64;
            }
            breakdown_rows(&attrs.platform.names, &n, &w)
        }
    };

    Ok(ReachResult {
        seeds: seeds.len(),
        summed_followers: edges.total() as u64,
        unique_accounts: counts.accounts,
        unique_people: t.people,
        target_weight: t.weight,
        by_jurisdiction,
        by_platform,
    })
}

/// Per-chunk sums of [`expected_reach`].
#[derive(Default)]
struct ExpectedPart {
    people: f64,
    weight: f64,
    variance: f64,
    touched: u64,
    frequency: Vec<f64>,
}

/// Reusable buffers for per-person exposure distributions.
#[derive(Default)]
struct Exposure {
    /// The distribution so far: `dist[i]` = P(exactly `lo + i` exposures).
    dist: Vec<f64>,
    lo: usize,
    pmf: Vec<f64>,
    tmp: Vec<f64>,
}

impl Exposure {
    fn reset(&mut self) {
        self.dist.clear();
        self.dist.push(1.0);
        self.lo = 0;
    }

    /// Folds in `c` independent trials of probability `p` (`0 < p ≤ 1`): a Binomial(c, p).
    fn add_binomial(&mut self, c: u64, p: f64) {
        let lo_b = binomial_pmf(c, p, &mut self.pmf);
        if self.pmf.len() == 1 {
            // A point mass only shifts the distribution.
            self.lo += lo_b;
            return;
        }
        let (a, b) = (&self.dist, &self.pmf);
        self.tmp.clear();
        self.tmp.resize(a.len() + b.len() - 1, 0.0);
        for (i, &x) in a.iter().enumerate() {
            for (t, &y) in self.tmp[i..].iter_mut().zip(b) {
                *t += x * y;
            }
        }
        std::mem::swap(&mut self.dist, &mut self.tmp);
        self.lo += lo_b;
        // Trim negligible tails so the width, not the number of trials, sets the cost.
        let first = self.dist.iter().position(|&x| x >= TINY).unwrap_or(0);
        let last = self
            .dist
            .iter()
            .rposition(|&x| x >= TINY)
            .unwrap_or(self.dist.len() - 1);
        if first > 0 || last + 1 < self.dist.len() {
            self.dist.truncate(last + 1);
            self.dist.drain(..first);
            self.lo += first;
        }
    }
}

/// Binomial(c, p) probabilities into `out`, from the first to the last value ≥ [`TINY`];
/// returns the index of the first. `c ≥ 1`, `0 < p ≤ 1`.
///
/// Recurs outward from the mode in linear space (ratios of neighbouring terms) and normalises
/// at the end, so no factorials or log-gamma are needed and nothing underflows for large `c`.
fn binomial_pmf(c: u64, p: f64, out: &mut Vec<f64>) -> usize {
    out.clear();
    if p >= 1.0 {
        out.push(1.0);
        return c as usize;
    }
    if c == 1 {
        out.extend([1.0 - p, p]);
        return 0;
    }
    let mode = (((c + 1) as f64 * p).floor() as u64).min(c);
    let odds = p / (1.0 - p);
    // Downward from the mode: pmf(j−1) = pmf(j) · j / (c − j + 1) / odds.
    let mut down = Vec::new();
    let mut v = 1.0f64;
    let mut j = mode;
    while j > 0 {
        v *= j as f64 / (c - j + 1) as f64 / odds;
        if v < TINY {
            break;
        }
        down.push(v);
        j -= 1;
    }
    let lo = mode as usize - down.len();
    out.extend(down.iter().rev());
    out.push(1.0);
    // Upward: pmf(j+1) = pmf(j) · (c − j) / (j + 1) · odds.
    let mut v = 1.0f64;
    let mut j = mode;
    while j < c {
        v *= (c - j) as f64 / (j + 1) as f64 * odds;
        if v < TINY {
            break;
        }
        out.push(v);
        j += 1;
    }
    let sum: f64 = out.iter().sum();
    out.iter_mut().for_each(|x| *x /= sum);
    lo
}

/// Expected reach and the exact exposure-frequency distribution under edge probabilities.
///
/// Each seed makes `posts_per_seed` posts; each post of `u` is seen by each follower `v`
/// independently with probability `p(u, v)` (the graph's current edge probabilities). A person
/// is exposed once per post seen on any of their accounts. With
/// [`ReachOptions::include_seeds`] a seed sees each of its own posts (probability 1).
///
/// The expected number of people exposed is the closed form `Σ_person 1 − Π (1 − p)^posts`
/// over the edges from the seeds into the person's accounts — no simulation. The frequency
/// distribution sums, over people, each person's exact Poisson-binomial distribution of the
/// number of exposures: edges with equal probability into one person are grouped into one
/// binomial, and binomials are convolved. Probabilities below 1e-300 are dropped from the
/// tails, which changes no sum an `f64` can represent.
///
/// # Arguments
/// - `graph`: the follower graph with edge probabilities and attributes;
/// - `seeds`: dense ids of the seed accounts (distinct);
/// - `posts_per_seed`: posts each seed makes (≥ 1);
/// - `opts`: see [`ReachOptions`].
///
/// # Returns
/// An [`ExpectedReach`] with the expected people and target weight reached, the frequency
/// distribution, the mean frequency among people reached and the variance of the number of
/// people reached.
///
/// # Errors
/// [`Error::Empty`], [`Error::UnknownNode`], [`Error::DuplicateNode`] for a bad seed set;
/// [`Error::InvalidParameter`] for `posts_per_seed == 0`, or when a person could be exposed
/// more than [`MAX_EXPOSURES`] times.
///
/// # Complexity
/// O(E log E) to sort the E seed edges by person, plus for each person the convolution of their
/// binomials: O(T) for T trials with one probability, O(T·W) at worst for distinct
/// probabilities, with W the width of the person's distribution. O(E + frequency length) memory.
/// Parallel over fixed chunks of people, combined in order: the result does not depend on the
/// thread count.
///
/// # Example
/// ```
/// use reachgraph_core::{GraphBuilder, GraphOptions, reach::{expected_reach, ReachOptions}};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// b.add_edge("a", "x", Some(0.5)).unwrap();
/// b.add_edge("b", "x", Some(0.5)).unwrap();
/// let (g, _) = b.build().unwrap();
/// let seeds = g.resolve(&["a", "b"], "seed set").unwrap();
/// let r = expected_reach(&g, &seeds, 1, &ReachOptions::default()).unwrap();
/// assert!((r.expected_people - 0.75).abs() < 1e-12);    // x sees a post with 1 − 0.5²
/// assert!((r.frequency[2] - 0.25).abs() < 1e-12);       // x sees both posts
/// assert!((r.frequency.iter().sum::<f64>() - 3.0).abs() < 1e-12); // a, b and x
/// ```
pub fn expected_reach(
    graph: &Graph,
    seeds: &[u32],
    posts_per_seed: u32,
    opts: &ReachOptions,
) -> Result<ExpectedReach> {
    check_seed_set(graph, seeds)?;
    if posts_per_seed == 0 {
        return Err(Error::invalid_parameter(
            "posts_per_seed",
            0,
            "must be at least 1",
        ));
    }
    let people = graph.people();
    let counted = |p: usize| !opts.target_only || people.weight[p] > 0.0;
    let edges = SeedEdges::with_probabilities(graph, seeds);

    // (person, probability) pairs packed so one integer sort groups by person, then by
    // probability (non-negative f32 bits order like the values).
    let pack = |p: u32, prob: f32| ((p as u64) << 32) | prob.to_bits() as u64;
    let collect = |followers: &[u32], probs: &[f32], out: &mut Vec<u64>| {
        for (&v, &q) in followers.iter().zip(probs) {
            let p = people.of_account[v as usize];
            if q > 0.0 && counted(p as usize) {
                out.push(pack(p, q));
            }
        }
    };
    let mut pairs: Vec<u64> = Vec::new();
    if opts.include_seeds {
        for &s in seeds {
            let p = people.of_account[s as usize];
            if counted(p as usize) {
                pairs.push(pack(p, 1.0));
            }
        }
    }
    if edges.total() < PARALLEL_THRESHOLD {
        edges.for_all(|_, f, q| collect(f, q, &mut pairs));
        pairs.sort_unstable();
    } else {
        let parts: Vec<Vec<u64>> = (0..edges.chunks())
            .into_par_iter()
            .map(|c| {
                let mut local = Vec::new();
                edges.for_chunk(c, |_, f, q| collect(f, q, &mut local));
                local
            })
            .collect();
        pairs.reserve(parts.iter().map(Vec::len).sum());
        for p in parts {
            pairs.extend(p);
        }
        pairs.par_sort_unstable();
    }
    let person_of = |x: u64| (x >> 32) as u32;
    let prob_of = |x: u64| f32::from_bits(x as u32) as f64;

    // Person runs cut into chunks of about PAIR_CHUNK pairs, at person boundaries. The cut
    // depends only on the data, so the float sums below do too.
    const PAIR_CHUNK: usize = 1 << 14;
    let mut bounds = vec![0usize];
    let mut max_run = 0usize;
    {
        let mut start = 0;
        while start < pairs.len() {
            let mut end = (start + PAIR_CHUNK).min(pairs.len());
            while end < pairs.len() && person_of(pairs[end]) == person_of(pairs[end - 1]) {
                end += 1;
            }
            bounds.push(end);
            start = end;
        }
        let mut i = 0;
        while i < pairs.len() {
            let mut j = i + 1;
            while j < pairs.len() && person_of(pairs[j]) == person_of(pairs[i]) {
                j += 1;
            }
            max_run = max_run.max(j - i);
            i = j;
        }
    }
    let max_exposures = (max_run as u64).saturating_mul(posts_per_seed as u64);
    if max_exposures > MAX_EXPOSURES {
        return Err(Error::invalid_parameter(
            "posts_per_seed",
            posts_per_seed,
            format!(
                "a person would receive up to {max_exposures} exposures; the frequency \
                 distribution tracks at most {MAX_EXPOSURES}"
            ),
        ));
    }
    let posts = posts_per_seed as u64;
    let process = |range: Range<usize>| {
        let run = &pairs[range];
        let mut part = ExpectedPart::default();
        let mut exp = Exposure::default();
        let mut i = 0;
        while i < run.len() {
            let person = person_of(run[i]);
            exp.reset();
            let mut log_miss = 0.0f64;
            while i < run.len() && person_of(run[i]) == person {
                let q = prob_of(run[i]);
                let mut m = 1u64;
                i += 1;
                while i < run.len() && run[i] == run[i - 1] {
                    m += 1;
                    i += 1;
                }
                log_miss += (m * posts) as f64 * (-q).ln_1p();
                exp.add_binomial(m * posts, q);
            }
            let reached = -log_miss.exp_m1();
            part.people += reached;
            part.variance += reached * (1.0 - reached);
            part.weight += reached * people.weight[person as usize] as f64;
            part.touched += 1;
            let need = exp.lo + exp.dist.len();
            if part.frequency.len() < need {
                part.frequency.resize(need, 0.0);
            }
            for (f, &x) in part.frequency[exp.lo..].iter_mut().zip(&exp.dist) {
                *f += x;
            }
        }
        part
    };
    let people_counted = if opts.target_only {
        people.weight.par_iter().filter(|&&w| w > 0.0).count() as u64
    } else {
        people.count as u64
    };
    let mut total = ExpectedPart {
        frequency: vec![0.0],
        ..Default::default()
    };
    let mut fold = |p: ExpectedPart| {
        total.people += p.people;
        total.weight += p.weight;
        total.variance += p.variance;
        total.touched += p.touched;
        if total.frequency.len() < p.frequency.len() {
            total.frequency.resize(p.frequency.len(), 0.0);
        }
        for (t, x) in total.frequency.iter_mut().zip(&p.frequency) {
            *t += x;
        }
    };
    let ranges: Vec<Range<usize>> = bounds.windows(2).map(|w| w[0]..w[1]).collect();
    if pairs.len() < PARALLEL_THRESHOLD {
        ranges.into_iter().map(process).for_each(fold);
    } else {
        // Batches bound the per-chunk frequency vectors held at once; folding in chunk order
        // keeps the sums independent of the thread count.
        for batch in ranges.chunks(64) {
            let parts: Vec<ExpectedPart> = batch.par_iter().cloned().map(process).collect();
            parts.into_iter().for_each(&mut fold);
        }
    }
    total.frequency[0] += (people_counted - total.touched) as f64;
    while total.frequency.len() > 1 && total.frequency.last() == Some(&0.0) {
        total.frequency.pop();
    }
    let exposures: f64 = total
        .frequency
        .iter()
        .enumerate()
        .map(|(k, &f)| k as f64 * f)
        .sum();
    let reached: f64 = total.frequency[1..].iter().sum();
    Ok(ExpectedReach {
        posts_per_seed,
        people_counted,
        expected_people: total.people,
        expected_target_weight: total.weight,
        frequency: total.frequency,
        mean_frequency_among_reached: if reached > 0.0 {
            exposures / reached
        } else {
            0.0
        },
        variance_people: total.variance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attrs::{Attributes, Categorical};
    use crate::graph::{GraphBuilder, GraphOptions};
    use crate::ids::NodeIds;

    /// Accounts: creators c1 (x), c2 (tiktok); followers a1, a2 (person ann on x and tiktok),
    /// b1 (bob, x), d1 (no person, no platform). Jurisdictions: ann PA, bob MI.
    fn campaign() -> Graph {
        let mut b = GraphBuilder::new(GraphOptions::default());
        for (u, v) in [
            ("c1", "a1"),
            ("c1", "b1"),
            ("c2", "a2"),
            ("c2", "d1"),
            ("c2", "c1"),
        ] {
            b.add_edge(u, v, None).unwrap();
        }
        let (mut g, _) = b.build().unwrap();
        // dense order: c1 a1 b1 c2 a2 d1
        let mut a = Attributes::new(6);
        a.platform = Categorical::from_labels([
            Some("x"),
            Some("x"),
            Some("x"),
            Some("tiktok"),
            Some("tiktok"),
            None,
        ]);
        a.person =
            Categorical::from_labels([None, Some("ann"), Some("bob"), None, Some("ann"), None]);
        a.jurisdiction =
            Categorical::from_labels([None, Some("PA"), Some("MI"), None, Some("PA"), None]);
        a.target_weight = vec![0.0, 2.0, 0.0, 1.0, 1.0, 1.0].into();
        g.set_attributes(a).unwrap();
        g
    }

    fn row(rows: &[ReachBreakdown], name: &str) -> (u64, f64) {
        rows.iter()
            .find(|r| r.name == name)
            .map_or((0, 0.0), |r| (r.people, r.target_weight))
    }

    #[test]
    fn hand_worked_campaign() {
        let g = campaign();
        let seeds = g.resolve(&["c1", "c2"], "seed set").unwrap();
        let r = unique_reach(&g, &seeds, &ReachOptions::default()).unwrap();
        assert_eq!(r.seeds, 2);
        assert_eq!(r.summed_followers, 5);
        assert_eq!(r.unique_accounts, 5); // a1 b1 a2 d1 c1
        assert_eq!(r.unique_people, 4); // ann bob d1 c1
        assert_eq!(r.target_weight, 2.0 + 0.0 + 1.0 + 0.0);
        assert_eq!(row(&r.by_jurisdiction, "PA"), (1, 2.0));
        assert_eq!(row(&r.by_jurisdiction, "MI"), (1, 0.0));
        assert_eq!(row(&r.by_jurisdiction, NONE_LABEL), (2, 1.0));
        assert_eq!(r.by_jurisdiction[0].name, NONE_LABEL);
        // x: ann (a1), bob, c1; tiktok: ann (a2); none: d1.
        assert_eq!(row(&r.by_platform, "x"), (3, 2.0));
        assert_eq!(row(&r.by_platform, "tiktok"), (1, 2.0));
        assert_eq!(row(&r.by_platform, NONE_LABEL), (1, 1.0));

        let t = unique_reach(
            &g,
            &seeds,
            &ReachOptions {
                target_only: true,
                include_seeds: false,
            },
        )
        .unwrap();
        assert_eq!(t.unique_people, 2); // ann, d1
        assert_eq!(t.unique_accounts, 3); // a1 a2 d1
        assert_eq!(t.target_weight, 3.0);
        assert_eq!(row(&t.by_jurisdiction, "MI"), (0, 0.0));
        assert!(t.by_jurisdiction.iter().all(|r| r.people > 0));

        let s = unique_reach(
            &g,
            &seeds[..1],
            &ReachOptions {
                include_seeds: true,
                target_only: false,
            },
        )
        .unwrap();
        assert_eq!(s.unique_people, 3); // ann bob + c1 itself
        assert_eq!(s.unique_accounts, 3);
    }

    #[test]
    fn many_platforms_use_sorted_pairs() {
        // 3 seeds, 120 followers on 80 platforms (more than MAX_PLATFORM_BITSETS), people of
        // two accounts each.
        let n = 123u32;
        let (src, dst): (Vec<u32>, Vec<u32>) = (3..n).flat_map(|v| [(v % 3, v), (0, v)]).unzip();
        let (mut g, _) = Graph::from_edges(
            n,
            &src,
            &dst,
            None,
            NodeIds::identity(n),
            GraphOptions::default(),
        )
        .unwrap();
        let plats: Vec<String> = (0..n).map(|i| format!("pl{}", i % 80)).collect();
        let persons: Vec<String> = (0..n).map(|i| format!("p{}", i / 2)).collect();
        let mut a = Attributes::new(n as usize);
        a.platform = Categorical::from_labels(plats.iter().map(|s| Some(s.as_str())));
        a.person = Categorical::from_labels(persons.iter().map(|s| Some(s.as_str())));
        g.set_attributes(a).unwrap();
        assert!(g.attributes().platform.names.len() + 1 > MAX_PLATFORM_BITSETS);
        let r = unique_reach(&g, &[0, 1, 2], &ReachOptions::default()).unwrap();
        let mut want: std::collections::BTreeMap<String, std::collections::BTreeSet<u32>> =
            Default::default();
        for v in 3..n {
            want.entry(plats[v as usize].clone())
                .or_default()
                .insert(g.people().of_account[v as usize]);
        }
        assert_eq!(r.by_platform.len(), want.len());
        for row in &r.by_platform {
            assert_eq!(row.people, want[&row.name].len() as u64, "{}", row.name);
        }
        assert_eq!(r.unique_people, 61); // accounts 3..123 belong to persons 1..=61
    }

    #[test]
    fn bad_seed_sets_are_typed() {
        let g = campaign();
        let o = ReachOptions::default();
        assert!(matches!(
            unique_reach(&g, &[], &o),
            Err(Error::Empty { .. })
        ));
        assert!(matches!(
            unique_reach(&g, &[99], &o),
            Err(Error::UnknownNode { .. })
        ));
        assert!(matches!(
            unique_reach(&g, &[1, 1], &o),
            Err(Error::DuplicateNode { .. })
        ));
        assert!(matches!(
            expected_reach(&g, &[], 1, &o),
            Err(Error::Empty { .. })
        ));
        assert!(matches!(
            expected_reach(&g, &[0], 0, &o),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            expected_reach(&g, &[0], u32::MAX, &o),
            Err(Error::InvalidParameter { .. })
        ));
    }

    #[test]
    fn parallel_path_matches_serial_path() {
        // A star plus a ring, large enough to cross PARALLEL_THRESHOLD.
        let n = 200_000u32;
        let mut src = Vec::new();
        let mut dst = Vec::new();
        for v in 1..n {
            src.push(0);
            dst.push(v);
            src.push(v);
            dst.push(1 + v % (n - 1));
        }
        let (mut g, _) = Graph::from_edges(
            n,
            &src,
            &dst,
            None,
            NodeIds::identity(n),
            GraphOptions::default(),
        )
        .unwrap();
        let mut a = Attributes::new(n as usize);
        a.platform = Categorical::from_labels((0..n).map(|i| Some(["x", "y"][i as usize % 2])));
        let names: Vec<String> = (0..n).map(|i| format!("p{}", i / 3)).collect();
        a.person = Categorical::from_labels(names.iter().map(|s| Some(s.as_str())));
        g.set_attributes(a).unwrap();
        let seeds: Vec<u32> = (0..50).collect();
        let r = unique_reach(&g, &seeds, &ReachOptions::default()).unwrap();
        assert!(r.summed_followers as usize >= PARALLEL_THRESHOLD);
        // Serial reference.
        let people = g.people();
        let mut acc = std::collections::BTreeSet::new();
        for &s in &seeds {
            acc.extend(g.followers(s).iter().copied());
        }
        let ppl: std::collections::BTreeSet<u32> =
            acc.iter().map(|&v| people.of_account[v as usize]).collect();
        assert_eq!(r.unique_accounts as usize, acc.len());
        assert_eq!(r.unique_people as usize, ppl.len());
        assert_eq!(r.target_weight, ppl.len() as f64);
        let e = expected_reach(&g, &seeds, 1, &ReachOptions::default()).unwrap();
        assert_eq!(e.expected_people, ppl.len() as f64);
        assert_eq!(e.frequency.iter().sum::<f64>(), people.count as f64);
    }

    #[test]
    fn binomial_pmf_matches_direct_formula() {
        let mut out = Vec::new();
        for &(c, p) in &[(1u64, 0.3), (5, 0.5), (12, 0.01), (40, 0.9), (7, 1.0)] {
            let lo = binomial_pmf(c, p, &mut out);
            for j in 0..=c {
                let mut choose = 1.0f64;
                for t in 0..j {
                    choose = choose * (c - t) as f64 / (t + 1) as f64;
                }
                let want = choose * p.powi(j as i32) * (1.0 - p).powi((c - j) as i32);
                let got = (j as usize)
                    .checked_sub(lo)
                    .and_then(|i| out.get(i))
                    .copied()
                    .unwrap_or(0.0);
                assert!(
                    (got - want).abs() < 1e-12,
                    "c={c} p={p} j={j}: {got} vs {want}"
                );
            }
        }
        // Large c: no underflow, mass 1, mean c·p.
        let lo = binomial_pmf(1_000_000, 0.1, &mut out);
        let mass: f64 = out.iter().sum();
        let mean: f64 = out
            .iter()
            .enumerate()
            .map(|(i, x)| (lo + i) as f64 * x)
            .sum();
        assert!((mass - 1.0).abs() < 1e-12);
        assert!((mean - 100_000.0).abs() < 1e-6);
        assert!(out.len() < 30_000, "{}", out.len());
    }

    #[test]
    fn expected_reach_hand_worked() {
        // s1 → x (0.5), s2 → x (0.25), s1 → y (1.0); two posts each (probabilities exact in f32).
        let mut b = GraphBuilder::new(GraphOptions::default());
        b.add_edge("s1", "x", Some(0.5)).unwrap();
        b.add_edge("s2", "x", Some(0.25)).unwrap();
        b.add_edge("s1", "y", Some(1.0)).unwrap();
        let (g, _) = b.build().unwrap();
        let seeds = g.resolve(&["s1", "s2"], "seed set").unwrap();
        let r = expected_reach(&g, &seeds, 2, &ReachOptions::default()).unwrap();
        let qx = 1.0 - 0.25 * 0.5625;
        assert!((r.expected_people - (qx + 1.0)).abs() < 1e-12);
        assert!((r.variance_people - qx * (1.0 - qx)).abs() < 1e-12);
        assert_eq!(r.people_counted, 4);
        // y: exactly 2 exposures; x: Binomial(2, .5) * Binomial(2, .2).
        let bx = [0.25, 0.5, 0.25];
        let by = [0.5625, 0.375, 0.0625];
        let mut fx = [0.0; 5];
        for i in 0..3 {
            for j in 0..3 {
                fx[i + j] += bx[i] * by[j];
            }
        }
        let want = [2.0 + fx[0], fx[1], fx[2] + 1.0, fx[3], fx[4]];
        assert_eq!(r.frequency.len(), 5);
        for (k, (got, want)) in r.frequency.iter().zip(want).enumerate() {
            assert!((got - want).abs() < 1e-12, "k={k}");
        }
        let with_seeds = expected_reach(
            &g,
            &seeds,
            2,
            &ReachOptions {
                include_seeds: true,
                target_only: false,
            },
        )
        .unwrap();
        assert!((with_seeds.expected_people - (qx + 3.0)).abs() < 1e-12);
    }
}
