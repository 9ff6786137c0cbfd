//! Baseline seed choices: out-degree, degree discount, PageRank and random, for comparing
//! like with like against OPIM-C and IMM.
//!
//! A baseline ranks the candidates by a score and takes the first `k`; it draws no RR sets to
//! choose. Its seeds then go through the same evaluation as OPIM-C's: the out-of-sample
//! estimate on `BASELINE_SETS` validation sets (scale × covered fraction, binomial standard
//! error), and a certificate from a second, independent collection: greedy's upper bound of
//! the optimum's coverage there (Tang et al. 2018, Lemma 4.2 and Eq. 8) against the lower
//! bound of the baseline's spread on the validation sets (Eq. 7), each failing with
//! probability at most δ/2. So `approximation` says how far a baseline is from the best `k`
//! seeds, with probability at least `1 − δ`.
//!
//! - Out-degree: the accounts with the most followers in the graph.
//! - Degree discount (Chen, Wang, Yang, KDD 2009, "DegreeDiscountIC"): after each pick `u`,
//!   every follower `v` of `u` gets `t_v += 1` and the score `d_v − 2t_v − (d_v − t_v) t_v p`,
//!   with `d_v` its followers and `p` the mean edge probability of the graph (the single IC
//!   probability the heuristic assumes; exact for `const:P` weights), reported as
//!   [`BaselineParameters::discount_p`].
//! - PageRank on the follower graph (a follower passes rank to the accounts it follows):
//!   `PR(u) = (1 − d)/n + d (Σ_{v follows u} PR(v)/following(v) + D/n)`, `D` the rank of
//!   accounts that follow nobody, from the uniform vector, iterated until the L1 change is at
//!   most the tolerance or the iteration cap; sequential, so the same on any thread count.
//! - Random: `k` distinct candidates drawn uniformly from the seed's own stream.
//!
//! Ties go to the lower dense id (the earlier account in the input).

use super::cover::{Greedy, Method};
use super::store::{Collection, RrStore, PAR_MIN_LEN};
use super::{
    optimum_upper, spread_lower, Algorithm, Engine, Selection, StopReason, MAX_SETS_PER_COLLECTION,
};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::rng;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

/// Sets in each of a baseline's two collections (validation and certificate), unless the set
/// limit is lower.
pub const BASELINE_SETS: u64 = 100_000;

/// PageRank's damping factor `d`.
pub const PAGERANK_DAMPING: f64 = 0.85;
/// PageRank's iteration cap.
pub const PAGERANK_MAX_ITERATIONS: u32 = 1_000;
/// PageRank stops once the L1 change of one iteration is at most this.
pub const PAGERANK_TOLERANCE: f64 = 1e-12;

const STREAM_RANDOM: u64 = 0xBA5E_0A7D;
const STREAM_CERTIFY: u64 = 0xBA5E_CE27;
const STREAM_EVALUATE: u64 = 0xBA5E_E7A1;

/// How a baseline ranked its seeds: the parameters stated with its answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BaselineParameters {
    /// Degree discount's IC probability `p` (the graph's mean edge probability).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_p: Option<f64>,
    /// PageRank's damping factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagerank_damping: Option<f64>,
    /// PageRank's iteration cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagerank_max_iterations: Option<u32>,
    /// PageRank's stopping tolerance on the L1 change of one iteration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagerank_tolerance: Option<f64>,
    /// PageRank: iterations run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagerank_iterations: Option<u32>,
    /// PageRank: L1 change of the last iteration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagerank_residual: Option<f64>,
    /// Sets in each of the two collections the seeds were evaluated and certified on.
    pub evaluation_sets: u64,
}

/// PageRank scores of every account on the follower graph, and the iterations and last L1
/// change it took.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRank {
    /// Score per account (dense id); they sum to 1.
    pub scores: Vec<f64>,
    /// Iterations run.
    pub iterations: u32,
    /// L1 change of the last iteration.
    pub residual: f64,
}

/// PageRank on the follower graph of `graph` (a follower passes rank to the accounts it
/// follows, so an account followed by well-followed accounts ranks high), with damping `d`,
/// stopping once the L1 change is at most `tolerance` or after `max_iterations`.
///
/// # Errors
/// [`Error::InvalidParameter`] for `d` outside [0, 1), a tolerance that is not a positive
/// number, or no iterations; [`Error::Empty`] for a graph without accounts.
pub fn pagerank(graph: &Graph, d: f64, max_iterations: u32, tolerance: f64) -> Result<PageRank> {
    if !(0.0..1.0).contains(&d) {
        return Err(Error::invalid_parameter("damping", d, "must be in [0, 1)"));
    }
    if !(tolerance > 0.0 && tolerance.is_finite()) {
        return Err(Error::invalid_parameter(
            "tolerance",
            tolerance,
            "must be a finite number > 0",
        ));
    }
    if max_iterations == 0 {
        return Err(Error::invalid_parameter(
            "max_iterations",
            0,
            "must be at least 1",
        ));
    }
    let n = graph.node_count();
    if n == 0 {
        return Err(Error::Empty {
            what: "graph".into(),
        });
    }
    let nf = n as f64;
    let mut pr = vec![1.0 / nf; n];
    let mut next = vec![0.0; n];
    // What each account passes to each account it follows.
    let mut share = vec![0.0; n];
    let (mut iterations, mut residual) = (0u32, f64::INFINITY);
    while iterations < max_iterations && residual > tolerance {
        let mut dangling = 0.0;
        for v in 0..n {
            let following = graph.in_degree(v as u32);
            if following == 0 {
                dangling += pr[v];
                share[v] = 0.0;
            } else {
                share[v] = pr[v] / following as f64;
            }
        }
        let base = (1.0 - d) / nf + d * dangling / nf;
        residual = 0.0;
        for (u, x) in next.iter_mut().enumerate() {
            let inflow: f64 = graph
                .followers(u as u32)
                .iter()
                .map(|&v| share[v as usize])
                .sum();
            *x = base + d * inflow;
            residual += (*x - pr[u]).abs();
        }
        std::mem::swap(&mut pr, &mut next);
        iterations += 1;
    }
    Ok(PageRank {
        scores: pr,
        iterations,
        residual,
    })
}

/// Degree discount's `p`: the mean edge probability of `graph` (0 without edges).
pub fn mean_probability(graph: &Graph) -> f64 {
    let probs = graph.out_csr().probs;
    if probs.is_empty() {
        0.0
    } else {
        probs.iter().map(|&p| p as f64).sum::<f64>() / probs.len() as f64
    }
}

/// A score with the account (or person) it belongs to: higher score first, then lower id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scored(pub(crate) f64, pub(crate) u32);

impl Eq for Scored {}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
    }
}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The `k` best of `cands` by `score`, best first (ties to the lower id).
fn top_k(cands: &[u32], k: usize, score: impl Fn(u32) -> f64) -> Vec<u32> {
    best_k(cands.iter().map(|&a| Scored(score(a), a)), k)
        .into_iter()
        .map(|x| x.1)
        .collect()
}

/// The `k` best of `items` with distinct ids, best first: what sorting them all and keeping
/// the first `k` of each id gives, in one pass with a heap of `k` (a billion-edge graph has
/// 133M candidates). An id may come more than once only with the same score (a person's
/// accounts); it is kept once.
pub(crate) fn best_k(items: impl IntoIterator<Item = Scored>, k: usize) -> Vec<Scored> {
    if k == 0 {
        return Vec::new();
    }
    // The worst held on top; ids held, so an id is not held twice.
    let mut heap: BinaryHeap<std::cmp::Reverse<Scored>> = BinaryHeap::with_capacity(k + 1);
    let mut held = rustc_hash::FxHashSet::default();
    for s in items {
        // Not better than the worst held: never kept (the worst only gets better, so an id
        // dropped once does not come back).
        if heap.len() == k && heap.peek().is_some_and(|w| s <= w.0) {
            continue;
        }
        if !held.insert(s.1) {
            continue;
        }
        heap.push(std::cmp::Reverse(s));
        if heap.len() > k {
            if let Some(w) = heap.pop() {
                held.remove(&w.0 .1);
            }
        }
    }
    let mut best: Vec<Scored> = heap.into_iter().map(|w| w.0).collect();
    best.sort_unstable_by(|a, b| b.cmp(a));
    best
}

/// Degree discount (Chen, Wang, Yang 2009) over `cands` with IC probability `p`: `k` seeds in
/// pick order.
pub fn degree_discount(graph: &Graph, cands: &[u32], k: usize, p: f64) -> Vec<u32> {
    let n = graph.node_count();
    let deg: Vec<f64> = (0..n as u32).map(|v| graph.out_degree(v) as f64).collect();
    let mut t = vec![0u32; n];
    let mut score = deg.clone();
    let mut is_cand = vec![false; n];
    for &c in cands {
        is_cand[c as usize] = true;
    }
    let mut chosen = vec![false; n];
    let mut heap: BinaryHeap<Scored> = cands.iter().map(|&a| Scored(deg[a as usize], a)).collect();
    let mut seeds = Vec::with_capacity(k);
    while seeds.len() < k {
        let Some(Scored(s, u)) = heap.pop() else {
            break;
        };
        // A stale entry: the score fell after it was pushed (scores only fall).
        if chosen[u as usize] || s.to_bits() != score[u as usize].to_bits() {
            continue;
        }
        chosen[u as usize] = true;
        seeds.push(u);
        for &v in graph.followers(u) {
            let vi = v as usize;
            if chosen[vi] {
                continue;
            }
            t[vi] += 1;
            let (d, tv) = (deg[vi], t[vi] as f64);
            score[vi] = d - 2.0 * tv - (d - tv) * tv * p;
            if is_cand[vi] {
                heap.push(Scored(score[vi], v));
            }
        }
    }
    seeds
}

/// `k` distinct accounts of `cands` drawn uniformly (a partial Fisher–Yates shuffle on the
/// stream of `seed`), in draw order.
pub fn random_seeds(cands: &[u32], k: usize, seed: u64) -> Vec<u32> {
    let mut pool = cands.to_vec();
    let mut r = rng::stream(rng::derive(seed, STREAM_RANDOM), 0);
    let k = k.min(pool.len());
    for i in 0..k {
        let j = i + rng::below(&mut r, (pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool
}

/// The baseline's seeds over the engine's candidates, and its parameters.
fn rank(e: &Engine<'_>, k: usize) -> (Vec<u32>, BaselineParameters) {
    let g = e.graph;
    let cands = e.cands.clone().into_list();
    let mut params = BaselineParameters {
        discount_p: None,
        pagerank_damping: None,
        pagerank_max_iterations: None,
        pagerank_tolerance: None,
        pagerank_iterations: None,
        pagerank_residual: None,
        evaluation_sets: 0,
    };
    let seeds = match e.config.algorithm {
        Algorithm::Degree => top_k(&cands, k, |a| g.out_degree(a) as f64),
        Algorithm::DegreeDiscount => {
            let p = mean_probability(g);
            params.discount_p = Some(p);
            degree_discount(g, &cands, k, p)
        }
        Algorithm::PageRank => {
            let pr = pagerank(
                g,
                PAGERANK_DAMPING,
                PAGERANK_MAX_ITERATIONS,
                PAGERANK_TOLERANCE,
            )
            .expect("the constants are valid and the engine checked the graph is not empty");
            params.pagerank_damping = Some(PAGERANK_DAMPING);
            params.pagerank_max_iterations = Some(PAGERANK_MAX_ITERATIONS);
            params.pagerank_tolerance = Some(PAGERANK_TOLERANCE);
            params.pagerank_iterations = Some(pr.iterations);
            params.pagerank_residual = Some(pr.residual);
            top_k(&cands, k, |a| pr.scores[a as usize])
        }
        Algorithm::Random => random_seeds(&cands, k, e.config.seed()),
        Algorithm::OpimC | Algorithm::Imm => unreachable!("not a baseline"),
    };
    (seeds, params)
}

/// Sets each of `seeds` newly covers in `index`, in order (from the coverage of each prefix,
/// which is what every store can count).
fn index_gains<'g, S: RrStore<'g>>(s: &S, index: &S::Index, seeds: &[u32]) -> Result<Vec<u64>> {
    let mut before = 0;
    (1..=seeds.len())
        .map(|i| {
            let c = s.index_coverage(index, &seeds[..i])?;
            let gain = c - before;
            before = c;
            Ok(gain)
        })
        .collect()
}

/// A baseline on one process or over ranks (the same answer): rank, then evaluate and
/// certify as OPIM-C does.
pub(super) fn run<'g, S: RrStore<'g>>(mut s: S) -> Result<Selection> {
    use super::Constraint;
    let e = s.engine();
    let k = match e.constraint {
        Constraint::Count(k) => k,
        Constraint::Budget(_) => {
            return Err(Error::invalid_parameter(
                "budget",
                "set",
                "the baselines rank accounts for a number k; use opim_c or imm for a budget",
            ))
        }
    };
    let theta = BASELINE_SETS
        .min(e.sets_left() / 2)
        .min(MAX_SETS_PER_COLLECTION);
    if theta < 2 {
        return Err(Error::invalid_parameter(
            "max_rr_sets",
            e.config.max_rr_sets.unwrap_or(0),
            "a baseline needs at least 4 RR sets (two collections of 2) to evaluate its seeds",
        ));
    }
    let (delta, scale, seed) = (e.delta, e.scale, e.config.seed());
    let t = Instant::now();
    let (seeds, mut params) = rank(e, k);
    params.evaluation_sets = theta;
    s.engine_mut().timings.greedy_s += t.elapsed().as_secs_f64();
    let theta = theta as usize;
    // The certificate's collection: greedy's upper bound of the optimum's coverage.
    let mut r1 = s.new_index();
    s.grow_index(&mut r1, theta, STREAM_CERTIFY, 0)?;
    let opt = s.greedy_timed(&r1, true)?;
    let gains = index_gains(&s, &r1, &seeds)?;
    // The validation collection: the seeds' out-of-sample estimate.
    let mut r2 = s.new_forward(rng::derive(seed, STREAM_EVALUATE));
    s.grow_forward(&mut r2, theta, r1.raw())?;
    let t = Instant::now();
    let covered = s.forward_coverage(&r2, &seeds, PAR_MIN_LEN)?;
    s.engine_mut().timings.evaluation_s += t.elapsed().as_secs_f64();
    let a = (2.0 / delta).ln();
    let lower = spread_lower(covered as f64, theta as f64, a, scale);
    let upper = optimum_upper(opt.upper, theta as f64, a, scale);
    let estimate = s.engine().estimate(covered, theta as u64);
    let store = r1.raw() + r2.raw();
    let greedy = Greedy {
        coverage: gains.iter().sum(),
        seeds,
        gains,
        upper: opt.upper,
        method: Method::Greedy,
    };
    let approximation = if upper > 0.0 {
        (lower / upper).min(1.0)
    } else {
        0.0
    };
    let mut sel = s.into_engine().finish(
        &greedy,
        theta as u64,
        estimate,
        theta as u64,
        approximation,
        (lower, upper),
        1,
        StopReason::FixedSets,
        store,
    );
    sel.summary.guarantee = 0.0;
    sel.summary.method = crate::coverage::PickMethod::Ranking;
    sel.summary.baseline = Some(params);
    Ok(sel)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `best_k` keeps what a full sort keeps: random scores with many ties, every `k`.
    #[test]
    fn best_k_is_the_head_of_the_full_sort() {
        let mut r = rng::stream(5, 0);
        for n in [0usize, 1, 2, 7, 60, 500] {
            let items: Vec<Scored> = (0..n as u32)
                .map(|a| Scored(rng::below(&mut r, 9) as f64 * 0.5, a))
                .collect();
            let mut sorted = items.clone();
            sorted.sort_unstable_by(|a, b| b.cmp(a));
            for k in [0, 1, 2, 3, n / 2, n, n + 3] {
                let want: Vec<(u64, u32)> = sorted
                    .iter()
                    .take(k)
                    .map(|s| (s.0.to_bits(), s.1))
                    .collect();
                let got: Vec<(u64, u32)> = best_k(items.iter().copied(), k)
                    .iter()
                    .map(|s| (s.0.to_bits(), s.1))
                    .collect();
                assert_eq!(got, want, "n {n} k {k}");
            }
        }
    }
    use crate::ids::NodeIds;
    use crate::GraphOptions;

    /// A graph on `n` accounts with edges `u → v` (v follows u) of probability `p`.
    fn graph(n: u32, edges: &[(u32, u32)], p: f32) -> Graph {
        let src: Vec<u32> = edges.iter().map(|e| e.0).collect();
        let dst: Vec<u32> = edges.iter().map(|e| e.1).collect();
        let probs = vec![p; edges.len()];
        Graph::from_edges(
            n,
            &src,
            &dst,
            Some(&probs),
            NodeIds::identity(n),
            GraphOptions::default(),
        )
        .unwrap()
        .0
    }

    #[test]
    fn degree_picks_the_most_followed_accounts() {
        // Followers: 0 → 3, 1 → 1, 2 → 4, 3 → 0, 4 → 1 (ties to the lower id), 5 → 0.
        let g = graph(
            6,
            &[
                (0, 1),
                (0, 2),
                (0, 3),
                (1, 0),
                (2, 0),
                (2, 1),
                (2, 3),
                (2, 5),
                (4, 5),
            ],
            0.1,
        );
        let all: Vec<u32> = (0..6).collect();
        assert_eq!(top_k(&all, 3, |a| g.out_degree(a) as f64), vec![2, 0, 1]);
        // Candidates restrict the pick.
        assert_eq!(
            top_k(&[1, 3, 4, 5], 2, |a| g.out_degree(a) as f64),
            vec![1, 4]
        );
    }

    #[test]
    fn degree_discount_matches_a_hand_worked_example() {
        // 0 has followers 1, 2, 3, 4; 1 has 2, 3, 5; 6 has 7, 8. p = 0.5.
        // Pick 1: 0 (d = 4). Its followers get t = 1: dd(1) = 3 − 2 − (3 − 1)·1·0.5 = 0,
        // dd(2) = dd(3) = dd(4) = 0 − 2 − (0 − 1)·1·0.5 = −1.5.
        // Pick 2: 6 (d = 2). Its followers 7, 8 get t = 1: −1.5.
        // Pick 3: 1 and 5 tie at 0; the lower id, 1. Its followers: 2 and 3 get t = 2:
        // 0 − 4 − (0 − 2)·2·0.5 = −2; 5 gets t = 1: −1.5.
        // Pick 4: 4, 5, 7, 8 tie at −1.5 (2 and 3 are at −2); the lower id, 4.
        let g = graph(
            9,
            &[
                (0, 1),
                (0, 2),
                (0, 3),
                (0, 4),
                (1, 2),
                (1, 3),
                (1, 5),
                (6, 7),
                (6, 8),
            ],
            0.5,
        );
        let all: Vec<u32> = (0..9).collect();
        assert_eq!(degree_discount(&g, &all, 4, 0.5), vec![0, 6, 1, 4]);
        // Plain degrees rank 1 before 6 and take 2 (ties at 0 followers) fourth.
        assert_eq!(top_k(&all, 4, |a| g.out_degree(a) as f64), vec![0, 1, 6, 2]);
        // Candidates: the discount still comes from every pick, only candidates are picked.
        assert_eq!(degree_discount(&g, &[1, 4, 5], 2, 0.5), vec![1, 4]);
        assert!((mean_probability(&g) - 0.5).abs() < 1e-12);
    }

    /// PageRank by dense power iteration on the follower matrix, for comparison.
    fn dense_pagerank(n: usize, edges: &[(u32, u32)], d: f64, iters: usize) -> Vec<f64> {
        // Follower graph: v follows u for every influence edge u → v, so v links to u.
        let mut out = vec![Vec::new(); n];
        for &(u, v) in edges {
            out[v as usize].push(u as usize);
        }
        let mut m = vec![vec![0.0; n]; n];
        for (v, links) in out.iter().enumerate() {
            if links.is_empty() {
                for row in m.iter_mut() {
                    row[v] = 1.0 / n as f64;
                }
            } else {
                for &u in links {
                    m[u][v] += 1.0 / links.len() as f64;
                }
            }
        }
        let mut x = vec![1.0 / n as f64; n];
        for _ in 0..iters {
            x = (0..n)
                .map(|i| (1.0 - d) / n as f64 + d * (0..n).map(|j| m[i][j] * x[j]).sum::<f64>())
                .collect();
        }
        x
    }

    #[test]
    fn pagerank_matches_power_iteration() {
        let edges = [(0, 1), (0, 2), (1, 2), (2, 0), (3, 2), (1, 4), (4, 3)];
        let g = graph(5, &edges, 0.1);
        let pr = pagerank(&g, 0.85, 1_000, 1e-14).unwrap();
        let want = dense_pagerank(5, &edges, 0.85, 2_000);
        for (a, b) in pr.scores.iter().zip(&want) {
            assert!((a - b).abs() < 1e-9, "{:?} vs {want:?}", pr.scores);
        }
        assert!((pr.scores.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(pr.residual <= 1e-14 && pr.iterations < 1_000);
        // Rank flows from a follower to whom it follows: 1 follows only 0 and 2 follows 0, 1
        // and 3, so 0 ranks first; 0 follows only 2, which ranks second.
        assert_eq!(
            top_k(&[0, 1, 2, 3, 4], 2, |a| pr.scores[a as usize]),
            vec![0, 2]
        );
        assert!(pagerank(&g, 1.0, 10, 1e-9).is_err());
        assert!(pagerank(&g, 0.85, 0, 1e-9).is_err());
        assert!(pagerank(&g, 0.85, 10, 0.0).is_err());
    }

    #[test]
    fn random_seeds_are_distinct_seeded_candidates() {
        let cands: Vec<u32> = (10..60).collect();
        let a = random_seeds(&cands, 20, 7);
        assert_eq!(a, random_seeds(&cands, 20, 7));
        assert_ne!(a, random_seeds(&cands, 20, 8));
        let mut s = a.clone();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), 20);
        assert!(a.iter().all(|x| cands.contains(x)));
        // Every candidate is drawn about equally often over many seeds (20/50 each).
        let mut hits = [0u32; 50];
        for seed in 0..2_000 {
            for x in random_seeds(&cands, 20, seed) {
                hits[(x - 10) as usize] += 1;
            }
        }
        // Expected 800 each, binomial sd ≈ 21.9; 6 sd either side.
        assert!(hits.iter().all(|&h| (668..=932).contains(&h)), "{hits:?}");
    }

    #[test]
    fn select_runs_each_baseline_through_the_same_evaluation() {
        use super::super::{evaluate, select, EvalConfig, SelectConfig};
        use crate::cascade::Model;
        use crate::progress::NoProgress;
        let g = super::super::random_graph(400, 2_400, 0.1, 5);
        let cands: Vec<u32> = (0..200).collect();
        for alg in [
            Algorithm::Degree,
            Algorithm::DegreeDiscount,
            Algorithm::PageRank,
            Algorithm::Random,
        ] {
            let run = |threads| {
                let c = SelectConfig::builder()
                    .k(5)
                    .algorithm(alg)
                    .candidates(cands.clone())
                    .max_rr_sets(40_000)
                    .seed(3)
                    .threads(threads)
                    .build()
                    .unwrap();
                select(&g, Model::IndependentCascade, &c, &NoProgress).unwrap()
            };
            let s = run(1);
            let again = run(2);
            assert_eq!(
                (&s.seeds, s.estimate),
                (&again.seeds, again.estimate),
                "{alg:?}"
            );
            assert_eq!(s.seeds.len(), 5);
            assert!(
                s.seeds.iter().all(|&x| x < 200),
                "{alg:?} honours candidates"
            );
            assert_eq!((s.validation_sets, s.selection_sets), (20_000, 20_000));
            assert_eq!(s.stopped_by, StopReason::FixedSets);
            assert_eq!(s.method, crate::coverage::PickMethod::Ranking);
            assert!(s.approximation > 0.0 && s.approximation <= 1.0, "{alg:?}");
            assert!(s.spread_lower_bound <= s.estimate.mean);
            assert!(s.optimum_upper_bound >= s.estimate.mean);
            // The marginal gains add up to the in-sample coverage.
            let sum: f64 = s.marginal_gains.iter().sum();
            assert!((sum - s.in_sample).abs() < 1e-9 * s.in_sample.max(1.0));
            // The same estimate as `evaluate` on fresh sets, within 5 combined standard errors.
            let e = evaluate(
                &g,
                Model::IndependentCascade,
                &s.seeds,
                &EvalConfig::builder()
                    .rr_sets(40_000)
                    .seed(9)
                    .build()
                    .unwrap(),
                &NoProgress,
            )
            .unwrap();
            let se = (s.estimate.stderr.powi(2) + e.estimate.stderr.powi(2)).sqrt();
            assert!(
                (s.estimate.mean - e.estimate.mean).abs() < 5.0 * se,
                "{alg:?}"
            );
        }
        // The ranking baselines pick what they rank.
        let c = SelectConfig::builder()
            .k(4)
            .algorithm(Algorithm::Degree)
            .max_rr_sets(1_000)
            .build()
            .unwrap();
        let s = select(&g, Model::IndependentCascade, &c, &NoProgress).unwrap();
        let all: Vec<u32> = (0..400).collect();
        assert_eq!(s.seeds, top_k(&all, 4, |a| g.out_degree(a) as f64));
        // A budget or quality mode is refused, naming the field.
        let err = SelectConfig::builder()
            .budget(3.0)
            .algorithm(Algorithm::PageRank)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("budget"), "{err}");
        let err = SelectConfig::builder()
            .k(2)
            .mode(super::super::Mode::Quality)
            .algorithm(Algorithm::Random)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("quality"), "{err}");
    }
}
