//! Cascade engine: Monte Carlo and RR estimates against exact live-edge enumeration and closed
//! forms, properties, determinism across thread counts, bad input, and a real-graph check.

use reachgraph_core::cascade::{simulate, Estimate, Model, Simulator, SpreadConfig, SpreadResult};
use reachgraph_core::rrset::{rr_estimate, RootDistribution, RrConfig, RrSampler, RrSets};
use reachgraph_core::{
    io, rng, Attributes, Categorical, EdgeFormat, Error, Graph, GraphOptions, NoProgress, NodeIds,
    WeightScheme,
};
use std::collections::VecDeque;

const IC: Model = Model::IndependentCascade;
const LT: Model = Model::LinearThreshold;

// ---------------------------------------------------------------------------------------------
// Graph helpers

/// A graph on dense ids `0..n` from `(u, v, p)` triples (`v` follows `u`).
pub(crate) fn graph(n: u32, edges: &[(u32, u32, f32)]) -> Graph {
    let src: Vec<u32> = edges.iter().map(|e| e.0).collect();
    let dst: Vec<u32> = edges.iter().map(|e| e.1).collect();
    let p: Vec<f32> = edges.iter().map(|e| e.2).collect();
    Graph::from_edges(
        n,
        &src,
        &dst,
        Some(&p),
        NodeIds::identity(n),
        GraphOptions::default(),
    )
    .unwrap()
    .0
}

/// Eight accounts, cycles, a certain edge (5→6), an impossible one (4→6), 12 uncertain edges;
/// in-weights sum to at most 1 (exactly 1 at accounts 3 and 6), so it serves IC and LT.
pub(crate) fn small_graph() -> Graph {
    graph(
        8,
        &[
            (0, 1, 0.5),
            (0, 2, 0.3),
            (1, 3, 0.6),
            (2, 3, 0.4),
            (3, 4, 0.7),
            (4, 1, 0.2),
            (2, 5, 0.5),
            (5, 6, 1.0),
            (4, 6, 0.0),
            (6, 7, 0.35),
            (3, 7, 0.25),
            (7, 0, 0.15),
            (1, 5, 0.45),
            (5, 2, 0.2),
        ],
    )
}

/// `small_graph` with people (1 and 6 one person, 3 and 7 another), target weights and
/// jurisdictions.
pub(crate) fn small_graph_with_people() -> Graph {
    let mut g = small_graph();
    let mut a = Attributes::new(8);
    a.person = Categorical::from_labels([
        None,
        Some("p16"),
        None,
        Some("p37"),
        None,
        None,
        Some("p16"),
        Some("p37"),
    ]);
    a.target_weight = vec![1.0, 2.0, 0.0, 1.5, 1.0, 0.5, 3.0, 1.0].into();
    a.jurisdiction = Categorical::from_labels([
        Some("PA"),
        Some("PA"),
        Some("MI"),
        Some("MI"),
        None,
        None,
        Some("PA"),
        None,
    ]);
    g.set_attributes(a).unwrap();
    g
}

/// A seeded random directed graph with `n` nodes and about `m` edges, skewed degrees.
pub(crate) fn random_graph(n: u32, m: usize, seed: u64) -> Graph {
    let mut r = rng::stream(seed, 0);
    let mut src = Vec::with_capacity(m);
    let mut dst = Vec::with_capacity(m);
    for _ in 0..m {
        // Squaring a uniform skews sources toward low ids: a few accounts with many followers.
        let x = rng::unit_f64(&mut r);
        src.push(((x * x) * n as f64) as u32 % n);
        dst.push(rng::below(&mut r, n as u64) as u32);
    }
    Graph::from_edges(
        n,
        &src,
        &dst,
        None,
        NodeIds::identity(n),
        GraphOptions::default(),
    )
    .unwrap()
    .0
}

// ---------------------------------------------------------------------------------------------
// Exact expected spread by enumerating live-edge worlds

#[derive(Debug, Clone, Default)]
pub(crate) struct Exact {
    pub(crate) accounts: f64,
    pub(crate) people: f64,
    pub(crate) weight: f64,
    node: Vec<f64>,
    jur_people: Vec<f64>,
}

/// The edges of `g` as `(u, v, p)` in out-edge order.
fn edge_list(g: &Graph) -> Vec<(u32, u32, f64)> {
    let out = g.out_csr();
    let mut edges = Vec::new();
    for u in 0..g.node_count() as u32 {
        for (&v, &p) in out.neighbors(u).iter().zip(out.probs(u)) {
            edges.push((u, v, p as f64));
        }
    }
    edges
}

/// Calls `visit(live, probability)` for every live-edge graph (Kempe et al. 2003): IC keeps
/// each edge independently; LT keeps at most one in-edge per node.
fn for_each_world(g: &Graph, model: Model, mut visit: impl FnMut(&[bool], f64)) {
    let edges = edge_list(g);
    let n = g.node_count();
    match model {
        Model::IndependentCascade => {
            let uncertain: Vec<usize> = (0..edges.len())
                .filter(|&e| edges[e].2 > 0.0 && edges[e].2 < 1.0)
                .collect();
            assert!(
                uncertain.len() <= 20,
                "too many uncertain edges to enumerate"
            );
            for mask in 0u32..(1 << uncertain.len()) {
                let mut live: Vec<bool> = edges.iter().map(|e| e.2 >= 1.0).collect();
                let mut prob = 1.0;
                for (b, &e) in uncertain.iter().enumerate() {
                    let on = mask >> b & 1 == 1;
                    live[e] = on;
                    prob *= if on { edges[e].2 } else { 1.0 - edges[e].2 };
                }
                visit(&live, prob);
            }
        }
        Model::LinearThreshold => {
            // Options per node: no live in-edge, or one of its in-edges.
            let mut options: Vec<Vec<(Option<usize>, f64)>> = vec![Vec::new(); n];
            for (v, opts) in options.iter_mut().enumerate() {
                let ins: Vec<usize> = (0..edges.len())
                    .filter(|&e| edges[e].1 as usize == v && edges[e].2 > 0.0)
                    .collect();
                let sum: f64 = ins.iter().map(|&e| edges[e].2).sum();
                // Weights that sum to 1 in f32 may exceed it in f64 by rounding: renormalise.
                let scale = sum.max(1.0);
                if 1.0 - sum > 1e-12 {
                    opts.push((None, 1.0 - sum));
                }
                opts.extend(ins.iter().map(|&e| (Some(e), edges[e].2 / scale)));
            }
            let total: usize = options.iter().map(|o| o.len()).product();
            assert!(total <= 1 << 20, "too many LT worlds to enumerate");
            for mut k in 0..total {
                let mut live = vec![false; edges.len()];
                let mut prob = 1.0;
                for o in &options {
                    let (e, p) = o[k % o.len()];
                    k /= o.len();
                    prob *= p;
                    if let Some(e) = e {
                        live[e] = true;
                    }
                }
                visit(&live, prob);
            }
        }
    }
}

/// Live-edge distance from `sources` to every node (`u32::MAX`: unreached).
fn distances(n: usize, edges: &[(u32, u32, f64)], live: &[bool], sources: &[u32]) -> Vec<u32> {
    let mut adj = vec![Vec::new(); n];
    for (e, &(u, v, _)) in edges.iter().enumerate() {
        if live[e] {
            adj[u as usize].push(v);
        }
    }
    let mut dist = vec![u32::MAX; n];
    let mut q = VecDeque::new();
    for &s in sources {
        dist[s as usize] = 0;
        q.push_back(s);
    }
    while let Some(u) = q.pop_front() {
        for &v in &adj[u as usize] {
            if dist[v as usize] == u32::MAX {
                dist[v as usize] = dist[u as usize] + 1;
                q.push_back(v);
            }
        }
    }
    dist
}

impl Exact {
    fn new(g: &Graph) -> Exact {
        Exact {
            node: vec![0.0; g.node_count()],
            jur_people: vec![0.0; g.attributes().jurisdiction.names.len()],
            ..Default::default()
        }
    }

    /// Adds a world in which `reached(v)` says whether account `v` is active.
    fn add(&mut self, g: &Graph, prob: f64, reached: impl Fn(usize) -> bool) {
        let people = g.people();
        let mut hit = vec![false; people.count];
        for v in 0..g.node_count() {
            if reached(v) {
                self.accounts += prob;
                self.node[v] += prob;
                hit[people.of_account[v] as usize] = true;
            }
        }
        for (p, &h) in hit.iter().enumerate() {
            if h {
                self.people += prob;
                self.weight += prob * people.weight[p] as f64;
                let j = people.jurisdiction[p];
                if j != reachgraph_core::attrs::NONE {
                    self.jur_people[j as usize] += prob;
                }
            }
        }
    }
}

/// Exact expected spread of `seeds`.
pub(crate) fn exact(g: &Graph, seeds: &[u32], model: Model, hops: Option<u32>) -> Exact {
    let edges = edge_list(g);
    let h = hops.unwrap_or(u32::MAX);
    let mut ex = Exact::new(g);
    for_each_world(g, model, |live, prob| {
        let dist = distances(g.node_count(), &edges, live, seeds);
        ex.add(g, prob, |v| dist[v] != u32::MAX && dist[v] <= h);
    });
    ex
}

/// Exact expected spread of every seed set (indexed by bit mask) of a graph with few nodes.
pub(crate) fn exact_all_subsets(g: &Graph, model: Model, hops: Option<u32>) -> Vec<Exact> {
    let n = g.node_count();
    let edges = edge_list(g);
    let h = hops.unwrap_or(u32::MAX);
    // P(seed set S reaches exactly the accounts R), then the expectations from it.
    let mut joint = vec![0f64; 1 << (2 * n)];
    for_each_world(g, model, |live, prob| {
        // Within h hops of a set = within h hops of one of its members.
        let near: Vec<usize> = (0..n as u32)
            .map(|s| {
                let d = distances(n, &edges, live, &[s]);
                (0..n)
                    .filter(|&v| d[v] != u32::MAX && d[v] <= h)
                    .fold(0, |m, v| m | 1 << v)
            })
            .collect();
        for mask in 1usize..1 << n {
            let reach = (0..n)
                .filter(|&s| mask >> s & 1 == 1)
                .fold(0, |m, s| m | near[s]);
            joint[mask << n | reach] += prob;
        }
    });
    let mut all = vec![Exact::new(g); 1 << n];
    for (mask, ex) in all.iter_mut().enumerate().skip(1) {
        for reach in 0usize..1 << n {
            let prob = joint[mask << n | reach];
            if prob > 0.0 {
                ex.add(g, prob, |v| reach >> v & 1 == 1);
            }
        }
    }
    all
}

// ---------------------------------------------------------------------------------------------
// Estimation helpers

fn config(trials: u64, seed: u64, hops: Option<u32>) -> SpreadConfig {
    SpreadConfig::builder()
        .trials(trials)
        .seed(seed)
        .hops_opt(hops)
        .node_probabilities(true)
        .histogram(true)
        .build()
        .unwrap()
}

fn mc(g: &Graph, seeds: &[u32], model: Model, trials: u64, hops: Option<u32>) -> SpreadResult {
    simulate(g, seeds, model, &config(trials, 11, hops), &NoProgress).unwrap()
}

fn rr(g: &Graph, model: Model, count: usize, hops: Option<u32>, roots: RootDistribution) -> RrSets {
    let c = RrConfig::builder()
        .seed(23)
        .hops_opt(hops)
        .roots(roots)
        .build()
        .unwrap();
    RrSampler::new(g, model, &c)
        .unwrap()
        .sample(count, &NoProgress)
        .unwrap()
}

#[track_caller]
fn within(e: &Estimate, exact: f64, what: &str) {
    assert!(
        (e.mean - exact).abs() <= 4.0 * e.stderr + 1e-6,
        "{what}: estimate {} ± {} vs exact {exact}",
        e.mean,
        e.stderr
    );
}

#[track_caller]
fn nodes_within(probs: &[f64], exact: &[f64], trials: u64, what: &str) {
    for (v, (&p, &q)) in probs.iter().zip(exact).enumerate() {
        let se = (q * (1.0 - q)).max(0.0).sqrt() / (trials as f64).sqrt();
        assert!(
            (p - q).abs() <= 4.0 * se + 1e-6,
            "{what}: node {v} probability {p} vs exact {q}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Monte Carlo and RR estimates against exact values

#[test]
fn monte_carlo_and_rr_match_exact_enumeration() {
    let g = small_graph();
    let trials = 20_000;
    for model in [IC, LT] {
        for hops in [None, Some(1), Some(2)] {
            for seeds in [&[0u32][..], &[2, 4]] {
                let what = format!("{model} hops {hops:?} seeds {seeds:?}");
                let ex = exact(&g, seeds, model, hops);
                let r = mc(&g, seeds, model, trials, hops);
                assert_eq!(r.trials, trials);
                within(&r.accounts, ex.accounts, &what);
                within(&r.people, ex.accounts, &what);
                nodes_within(
                    r.node_probabilities.as_ref().unwrap().as_slice().unwrap(),
                    &ex.node,
                    trials,
                    &what,
                );
                let h = r.histogram.as_ref().unwrap();
                assert_eq!(h.counts.iter().sum::<u64>(), trials);
                assert_eq!(h.start as f64, r.accounts.min);
                let sets = rr(&g, model, 40_000, hops, RootDistribution::Uniform);
                within(&rr_estimate(&sets, seeds).unwrap(), ex.accounts, &what);
            }
        }
    }
}

#[test]
fn people_target_weight_and_jurisdictions_match_exact() {
    let g = small_graph_with_people();
    let names = g.attributes().jurisdiction.names.clone();
    assert_eq!(names, ["PA", "MI"]);
    for model in [IC, LT] {
        for hops in [None, Some(2)] {
            let seeds = [0u32, 5];
            let what = format!("{model} hops {hops:?}");
            let ex = exact(&g, &seeds, model, hops);
            let r = mc(&g, &seeds, model, 20_000, hops);
            within(&r.accounts, ex.accounts, &what);
            within(&r.people, ex.people, &what);
            within(&r.target_weight, ex.weight, &what);
            assert_eq!(r.by_jurisdiction.len(), 2);
            for (j, js) in r.by_jurisdiction.iter().enumerate() {
                assert_eq!(js.jurisdiction, names[j]);
                within(
                    &js.people,
                    ex.jur_people[j],
                    &format!("{what} {}", &names[j]),
                );
            }
            let people = rr(&g, model, 40_000, hops, RootDistribution::People);
            assert_eq!(people.scale(), 6.0);
            within(&rr_estimate(&people, &seeds).unwrap(), ex.people, &what);
            let weighted = rr(&g, model, 40_000, hops, RootDistribution::TargetWeighted);
            // Person weights: 1 (0), 3 (p16), 0 (2), 1.5 (p37), 1 (4), 0.5 (5).
            assert_eq!(weighted.scale(), 7.0);
            within(&rr_estimate(&weighted, &seeds).unwrap(), ex.weight, &what);
            // A zero-weight person is never a root.
            let zero = g.people().of_account[2];
            assert!(weighted.roots().iter().all(|&p| p != zero));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Closed forms

#[test]
fn directed_path_is_sum_of_prefix_products() {
    let p = [0.9f32, 0.5, 0.8, 0.3, 0.6];
    let edges: Vec<(u32, u32, f32)> = (0..5).map(|i| (i, i + 1, p[i as usize])).collect();
    let g = graph(6, &edges);
    let mut expected = 1.0;
    let mut prod = 1.0;
    for &q in &p {
        prod *= q as f64;
        expected += prod;
    }
    for model in [IC, LT] {
        assert!((exact(&g, &[0], model, None).accounts - expected).abs() < 1e-6);
        let r = mc(&g, &[0], model, 20_000, None);
        within(&r.accounts, expected, &format!("{model} path"));
        let sets = rr(&g, model, 40_000, None, RootDistribution::Uniform);
        within(&rr_estimate(&sets, &[0]).unwrap(), expected, "path rr");
        // Two hops: 1 + p0 + p0 p1.
        let two = 1.0 + p[0] as f64 + p[0] as f64 * p[1] as f64;
        within(
            &mc(&g, &[0], model, 20_000, Some(2)).accounts,
            two,
            "path 2 hops",
        );
    }
}

#[test]
fn stars_out_and_in() {
    // Out-star: centre 0 posts to 6 followers with p = 0.3: 1 + 6 · 0.3.
    let out: Vec<(u32, u32, f32)> = (1..7).map(|v| (0, v, 0.3)).collect();
    let g = graph(7, &out);
    for model in [IC, LT] {
        within(&mc(&g, &[0], model, 20_000, None).accounts, 2.8, "out-star");
    }
    // In-star: leaves 1..=4 → centre 0 with weights 0.1..0.4; seeds 1, 3.
    let ins: Vec<(u32, u32, f32)> = (1..5).map(|u| (u, 0, u as f32 / 10.0)).collect();
    let g = graph(5, &ins);
    let ic = 2.0 + 1.0 - (1.0 - 0.1f32 as f64) * (1.0 - 0.3f32 as f64);
    let lt = 2.0 + 0.1f32 as f64 + 0.3f32 as f64;
    assert!((exact(&g, &[1, 3], IC, None).accounts - ic).abs() < 1e-6);
    let got = exact(&g, &[1, 3], LT, None).accounts;
    assert!((got - lt).abs() < 1e-6, "{got} vs {lt}");
    within(
        &mc(&g, &[1, 3], IC, 20_000, None).accounts,
        ic,
        "in-star ic",
    );
    within(
        &mc(&g, &[1, 3], LT, 20_000, None).accounts,
        lt,
        "in-star lt",
    );
    let sets = rr(&g, LT, 40_000, None, RootDistribution::Uniform);
    within(&rr_estimate(&sets, &[1, 3]).unwrap(), lt, "in-star lt rr");
}

#[test]
fn complete_bipartite_layer() {
    // Seeds 0..3 each followed by all of 3..8 with p = 0.2.
    let (a, b, p) = (3u32, 5u32, 0.2f32);
    let mut edges = Vec::new();
    for u in 0..a {
        for v in a..a + b {
            edges.push((u, v, p));
        }
    }
    let g = graph(a + b, &edges);
    let seeds: Vec<u32> = (0..a).collect();
    let p = p as f64;
    let ic = a as f64 + b as f64 * (1.0 - (1.0 - p).powi(a as i32));
    let lt = a as f64 + b as f64 * a as f64 * p;
    within(
        &mc(&g, &seeds, IC, 20_000, None).accounts,
        ic,
        "bipartite ic",
    );
    within(
        &mc(&g, &seeds, LT, 20_000, None).accounts,
        lt,
        "bipartite lt",
    );
    let sets = rr(&g, IC, 40_000, None, RootDistribution::Uniform);
    within(&rr_estimate(&sets, &seeds).unwrap(), ic, "bipartite ic rr");
    let sets = rr(&g, LT, 40_000, None, RootDistribution::Uniform);
    within(&rr_estimate(&sets, &seeds).unwrap(), lt, "bipartite lt rr");
}

#[test]
fn lt_on_a_tree_equals_ic() {
    // An out-tree (each account follows at most one other): LT and IC coincide.
    let mut r = rng::stream(3, 0);
    let n = 15u32;
    let edges: Vec<(u32, u32, f32)> = (1..n)
        .map(|v| {
            let parent = rng::below(&mut r, v as u64) as u32;
            (parent, v, 0.2 + 0.7 * rng::unit_f64(&mut r) as f32)
        })
        .collect();
    let g = graph(n, &edges);
    for hops in [None, Some(2)] {
        let ic = exact(&g, &[0, 5], IC, hops);
        let lt = exact(&g, &[0, 5], LT, hops);
        assert!((ic.accounts - lt.accounts).abs() < 1e-6);
        within(
            &mc(&g, &[0, 5], LT, 20_000, hops).accounts,
            ic.accounts,
            "tree lt",
        );
        within(
            &mc(&g, &[0, 5], IC, 20_000, hops).accounts,
            lt.accounts,
            "tree ic",
        );
    }
}

#[test]
fn one_hop_equals_closed_form_exposure_reach() {
    let g = small_graph();
    let out = g.out_csr();
    let seeds = [0u32, 3, 5];
    let mut miss = [1.0f64; 8];
    let mut lt_hit = [0.0f64; 8];
    for &u in &seeds {
        for (&v, &p) in out.neighbors(u).iter().zip(out.probs(u)) {
            miss[v as usize] *= 1.0 - p as f64;
            lt_hit[v as usize] += p as f64;
        }
    }
    let not_seed = |v: &usize| !seeds.contains(&(*v as u32));
    let ic = seeds.len() as f64 + (0..8).filter(not_seed).map(|v| 1.0 - miss[v]).sum::<f64>();
    let lt = seeds.len() as f64 + (0..8).filter(not_seed).map(|v| lt_hit[v]).sum::<f64>();
    assert!((exact(&g, &seeds, IC, Some(1)).accounts - ic).abs() < 1e-6);
    assert!((exact(&g, &seeds, LT, Some(1)).accounts - lt).abs() < 1e-6);
    within(
        &mc(&g, &seeds, IC, 20_000, Some(1)).accounts,
        ic,
        "one hop ic",
    );
    within(
        &mc(&g, &seeds, LT, 20_000, Some(1)).accounts,
        lt,
        "one hop lt",
    );
}

// ---------------------------------------------------------------------------------------------
// Properties on exact values

#[test]
fn exact_spread_is_monotone_submodular_and_bounded_by_reachable_people() {
    let g = small_graph_with_people();
    let n = g.node_count() as u32;
    let out = g.out_csr();
    for model in [IC, LT] {
        for hops in [None, Some(1)] {
            let subsets = 1u32 << n;
            let f = exact_all_subsets(&g, model, hops);
            // Spot-check the all-subsets enumeration against the single-set one.
            let one = exact(&g, &[0, 5], model, hops);
            assert!((f[1 | 1 << 5].weight - one.weight).abs() < 1e-6);
            for s in 0..subsets {
                // Bounded by the people reachable at all (every edge live).
                let mut seen = vec![false; n as usize];
                let mut stack: Vec<u32> = (0..n).filter(|&v| s >> v & 1 == 1).collect();
                stack.iter().for_each(|&v| seen[v as usize] = true);
                while let Some(u) = stack.pop() {
                    for &v in out.neighbors(u) {
                        if !std::mem::replace(&mut seen[v as usize], true) {
                            stack.push(v);
                        }
                    }
                }
                let mut persons: Vec<u32> = (0..n as usize)
                    .filter(|&v| seen[v])
                    .map(|v| g.people().of_account[v])
                    .collect();
                persons.sort_unstable();
                persons.dedup();
                assert!(f[s as usize].people <= persons.len() as f64 + 1e-6);
                assert!(f[s as usize].people <= f[s as usize].accounts + 1e-6);
                for v in 0..n {
                    if s >> v & 1 == 1 {
                        continue;
                    }
                    let sv = (s | 1 << v) as usize;
                    for field in [
                        |e: &Exact| e.accounts,
                        |e: &Exact| e.people,
                        |e: &Exact| e.weight,
                    ] {
                        let gain = field(&f[sv]) - field(&f[s as usize]);
                        assert!(gain >= -1e-6, "{model} not monotone at {s:b} + {v}");
                        // Submodular: the gain shrinks on every superset T ⊇ S without v.
                        let mut t = s;
                        while t < subsets {
                            if t & s == s && t >> v & 1 == 0 {
                                let gt = field(&f[(t | 1 << v) as usize]) - field(&f[t as usize]);
                                assert!(gt <= gain + 1e-6, "{model} not submodular");
                            }
                            t += 1;
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Determinism

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn same_seed_same_numbers_on_one_two_three_threads() {
    let mut g = random_graph(1_500, 9_000, 5);
    g.set_weights(&WeightScheme::WeightedCascade).unwrap();
    let seeds: Vec<u32> = (0..10).collect();
    for model in [IC, LT] {
        // 11 chunks of trials, the last one partial.
        let c = config(333, 42, None);
        let base = in_pool(1, || simulate(&g, &seeds, model, &c, &NoProgress).unwrap());
        for t in [2, 3] {
            let other = in_pool(t, || simulate(&g, &seeds, model, &c, &NoProgress).unwrap());
            assert_eq!(base, other, "{model} on {t} threads");
            let own = SpreadConfig::builder()
                .trials(333)
                .seed(42)
                .threads(t)
                .node_probabilities(true)
                .histogram(true)
                .build()
                .unwrap();
            assert_eq!(
                base,
                simulate(&g, &seeds, model, &own, &NoProgress).unwrap()
            );
        }
        // A reusable simulator gives the same numbers for each seed set it runs.
        let sim = Simulator::new(&g, model, &c).unwrap();
        assert_eq!(base, sim.run(&seeds, &NoProgress).unwrap());
        let _ = sim.run(&seeds[..3], &NoProgress).unwrap();
        assert_eq!(base, sim.run(&seeds, &NoProgress).unwrap());
        assert_eq!(
            serde_json::to_string(&base).unwrap(),
            serde_json::to_string(&in_pool(2, || {
                simulate(&g, &seeds, model, &c, &NoProgress).unwrap()
            }))
            .unwrap()
        );
        let sample = |t: usize| {
            let c = RrConfig::builder().seed(9).threads(t).build().unwrap();
            RrSampler::new(&g, model, &c)
                .unwrap()
                .sample(5_000, &NoProgress)
                .unwrap()
        };
        let one = sample(1);
        for t in [2, 3] {
            let s = sample(t);
            assert_eq!(one.offsets(), s.offsets());
            assert_eq!(one.members(), s.members());
            assert_eq!(one.roots(), s.roots());
        }
        // Another seed gives other sets.
        let c = RrConfig::builder().seed(10).build().unwrap();
        let other = RrSampler::new(&g, model, &c)
            .unwrap()
            .sample(5_000, &NoProgress)
            .unwrap();
        assert_ne!(one.members(), other.members());
    }
}

#[test]
fn stopping_rule_stops_at_the_same_trial_count_on_any_thread_count() {
    let mut g = random_graph(2_000, 12_000, 8);
    g.set_weights(&WeightScheme::WeightedCascade).unwrap();
    let seeds = [0u32, 1, 2];
    let run = |t: usize| {
        let c = SpreadConfig::builder()
            .trials(100_000)
            .seed(1)
            .threads(t)
            .target_rse(0.02)
            .build()
            .unwrap();
        simulate(&g, &seeds, IC, &c, &NoProgress).unwrap()
    };
    let one = run(1);
    assert!(one.stopped_early);
    assert!(one.people.relative_stderr() <= 0.02);
    assert_eq!(one.trials % reachgraph_core::cascade::STOP_CHECK_TRIALS, 0);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
    // Stopping early at T trials equals running exactly T trials.
    let exactly = SpreadConfig::builder()
        .trials(one.trials)
        .seed(1)
        .build()
        .unwrap();
    let mut plain = simulate(&g, &seeds, IC, &exactly, &NoProgress).unwrap();
    assert!(!plain.stopped_early);
    plain.stopped_early = true;
    assert_eq!(one, plain);
}

#[test]
fn extending_rr_sets_equals_sampling_them_at_once() {
    let mut g = random_graph(1_000, 8_000, 2);
    g.set_weights(&WeightScheme::WeightedCascade).unwrap();
    for model in [IC, LT] {
        let c = RrConfig::builder().seed(77).hops(3).build().unwrap();
        let sampler = RrSampler::new(&g, model, &c).unwrap();
        let once = sampler.sample(1_437, &NoProgress).unwrap();
        let mut grown = sampler.sample(100, &NoProgress).unwrap();
        for more in [300, 0, 1, 255, 256, 525] {
            sampler.extend(&mut grown, more, &NoProgress).unwrap();
        }
        assert_eq!(grown.len(), 1_437);
        assert_eq!(once.offsets(), grown.offsets());
        assert_eq!(once.members(), grown.members());
        assert_eq!(once.roots(), grown.roots());
        // A clone continues the same way.
        let mut a = sampler.sample(10, &NoProgress).unwrap();
        let mut b = a.clone();
        sampler.extend(&mut a, 20, &NoProgress).unwrap();
        sampler.extend(&mut b, 20, &NoProgress).unwrap();
        assert_eq!(a.members(), b.members());
        // An independent seed for fresh sets (IMM's final phase).
        let fresh = sampler.sample_with_seed(78, 1_437, &NoProgress).unwrap();
        assert_ne!(fresh.members(), once.members());
        assert_eq!(fresh.seed(), 78);
    }
}

// ---------------------------------------------------------------------------------------------
// Subset sampling (binomial count + uniform subset, geometric skipping) has the distribution
// of per-edge coins

/// RR sets drawn with subset sampling and with per-edge coins agree in mean size and in how
/// often each account is included.
fn rr_subset_sampling_matches_coins(g: &Graph) {
    let count = 60_000;
    let draw = |skipping: bool| {
        let c = RrConfig::builder()
            .seed(if skipping { 1 } else { 2 })
            .subset_sampling(skipping)
            .build()
            .unwrap();
        RrSampler::new(g, IC, &c)
            .unwrap()
            .sample(count, &NoProgress)
            .unwrap()
    };
    let (skip, coins) = (draw(true), draw(false));
    let sizes = |s: &RrSets| -> (f64, f64) {
        let n = s.len() as f64;
        let m = s.mean_size();
        let var = s.iter().map(|x| (x.len() as f64 - m).powi(2)).sum::<f64>() / (n - 1.0);
        (m, var / n)
    };
    let ((m1, v1), (m2, v2)) = (sizes(&skip), sizes(&coins));
    assert!(
        (m1 - m2).abs() < 4.0 * (v1 + v2).sqrt(),
        "mean RR size {m1} vs {m2}"
    );
    let freq = |s: &RrSets| {
        let mut f = vec![0f64; 400];
        for set in s.iter() {
            for &v in set {
                f[v as usize] += 1.0 / count as f64;
            }
        }
        f
    };
    let (f1, f2) = (freq(&skip), freq(&coins));
    for v in 0..400 {
        let p = (f1[v] + f2[v]) / 2.0;
        let se = (2.0 * p * (1.0 - p) / count as f64).sqrt();
        assert!(
            (f1[v] - f2[v]).abs() <= 4.5 * se + 1e-12,
            "node {v}: {} vs {}",
            f1[v],
            f2[v]
        );
    }
}

#[test]
fn subset_sampling_matches_per_edge_coins() {
    // Weighted cascade, in-degrees around 10: a binomial count and a uniform subset per list.
    let mut g = random_graph(400, 4_000, 12);
    g.set_weights(&WeightScheme::WeightedCascade).unwrap();
    // Constant p = 0.1 on the reversed graph: in-hubs with hundreds of followees (geometric
    // skipping, d·p > 8) next to short lists (binomial count).
    let out = g.out_csr();
    let mut reversed = Vec::new();
    for u in 0..400u32 {
        for &v in out.neighbors(u) {
            reversed.push((v, u, 0.1f32));
        }
    }
    let hubs = graph(400, &reversed);
    assert!((0..400).any(|v| hubs.in_degree(v) > 100));
    for g in [&g, &hubs] {
        rr_subset_sampling_matches_coins(g);
    }
    // Forward: constant p = 0.1 (every out-list shares it).
    g.set_weights(&WeightScheme::Constant { p: 0.1 }).unwrap();
    let seeds = [0u32, 1, 2, 3];
    let fwd = |skipping: bool| {
        let c = SpreadConfig::builder()
            .trials(4_000)
            .seed(if skipping { 3 } else { 4 })
            .subset_sampling(skipping)
            .node_probabilities(true)
            .build()
            .unwrap();
        simulate(&g, &seeds, IC, &c, &NoProgress).unwrap()
    };
    let (a, b) = (fwd(true), fwd(false));
    assert!(
        (a.accounts.mean - b.accounts.mean).abs()
            < 4.0 * (a.accounts.stderr.powi(2) + b.accounts.stderr.powi(2)).sqrt()
    );
    let (pa, pb) = (a.node_probabilities.unwrap(), b.node_probabilities.unwrap());
    for v in 0..400 {
        let p = (pa[v] + pb[v]) / 2.0;
        let se = (2.0 * p * (1.0 - p) / 4_000.0).sqrt();
        assert!((pa[v] - pb[v]).abs() <= 4.5 * se + 1e-12, "node {v}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[test]
fn bad_input_gives_typed_errors() {
    let g = small_graph();
    let c = config(10, 0, None);
    let e = simulate(&g, &[], IC, &c, &NoProgress).unwrap_err();
    assert!(matches!(e, Error::Empty { .. }), "{e}");
    let e = simulate(&g, &[99], IC, &c, &NoProgress).unwrap_err();
    assert!(
        matches!(e, Error::UnknownNode { ref id, .. } if id == "99"),
        "{e}"
    );
    let e = simulate(&g, &[1, 2, 1], LT, &c, &NoProgress).unwrap_err();
    assert!(
        matches!(e, Error::DuplicateNode { ref id, .. } if id == "1"),
        "{e}"
    );
    let e = SpreadConfig::builder().trials(0).build().unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { ref name, .. } if name == "trials"));
    // NaN probabilities never reach the engine: every way in rejects them.
    let mut g2 = small_graph();
    let mut probs = g2.out_csr().probs.to_vec();
    probs[3] = f32::NAN;
    let e = g2.set_probabilities(probs).unwrap_err();
    assert!(matches!(e, Error::InvalidProbability { .. }), "{e}");
    assert!(g2
        .set_weights(&WeightScheme::Constant { p: f32::NAN })
        .is_err());
    let e = Graph::from_edges(
        2,
        &[0],
        &[1],
        Some(&[f32::NAN]),
        NodeIds::identity(2),
        GraphOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidProbability { .. }), "{e}");
    // LT in-weights over 1 name the node.
    let heavy = graph(3, &[(0, 2, 0.7), (1, 2, 0.6)]);
    let e = simulate(&heavy, &[0], LT, &c, &NoProgress).unwrap_err();
    assert!(
        matches!(e, Error::LtWeightsExceedOne { ref node, sum } if node == "2" && (sum - 1.3).abs() < 1e-6),
        "{e}"
    );
    assert!(simulate(&heavy, &[0], IC, &c, &NoProgress).is_ok());
    let e = RrSampler::new(&heavy, LT, &RrConfig::default()).unwrap_err();
    assert!(matches!(e, Error::LtWeightsExceedOne { .. }), "{e}");
    // Weighted cascade sums to 1 up to f32 rounding and is accepted.
    let mut wc = random_graph(500, 5_000, 4);
    wc.set_weights(&WeightScheme::WeightedCascade).unwrap();
    assert!(simulate(&wc, &[0], LT, &c, &NoProgress).is_ok());
    // RR estimates.
    let sets = rr(&g, IC, 100, None, RootDistribution::Uniform);
    assert!(matches!(
        rr_estimate(&sets, &[]).unwrap_err(),
        Error::Empty { .. }
    ));
    assert!(matches!(
        rr_estimate(&sets, &[8]).unwrap_err(),
        Error::UnknownNode { .. }
    ));
    assert!(matches!(
        rr_estimate(&sets, &[3, 3]).unwrap_err(),
        Error::DuplicateNode { .. }
    ));
    let sampler = RrSampler::new(&g, IC, &RrConfig::default()).unwrap();
    let empty = sampler.empty(0);
    assert!(matches!(
        rr_estimate(&empty, &[0]).unwrap_err(),
        Error::InvalidParameter { .. }
    ));
    // Extending with a sampler of another model is refused.
    let mut ic_sets = sampler.sample(10, &NoProgress).unwrap();
    let lt_sampler = RrSampler::new(&g, LT, &RrConfig::default()).unwrap();
    let e = lt_sampler.extend(&mut ic_sets, 5, &NoProgress).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    assert_eq!(ic_sets.len(), 10);
    // Target-weighted roots need some positive weight.
    let mut zero = small_graph();
    let mut a = Attributes::new(8);
    a.target_weight = vec![0.0; 8].into();
    zero.set_attributes(a).unwrap();
    let c = RrConfig::builder()
        .roots(RootDistribution::TargetWeighted)
        .build()
        .unwrap();
    let e = RrSampler::new(&zero, IC, &c).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
}

#[test]
fn memory_limit_is_checked_before_allocating() {
    let mut g = random_graph(2_000, 16_000, 6);
    g.set_weights(&WeightScheme::WeightedCascade).unwrap();
    let c = RrConfig::builder()
        .seed(1)
        .memory_limit_bytes(1 << 20)
        .build()
        .unwrap();
    let sampler = RrSampler::new(&g, IC, &c).unwrap();
    // Fits: a few thousand sets.
    let mut sets = sampler.sample(2_000, &NoProgress).unwrap();
    assert!(sets.memory_bytes() <= 1 << 20);
    // Ten million sets would need far more: refused from the estimate, nothing appended.
    let e = sampler
        .extend(&mut sets, 10_000_000, &NoProgress)
        .unwrap_err();
    match e {
        Error::MemoryLimit {
            estimate_bytes,
            limit_bytes,
            ..
        } => {
            assert_eq!(limit_bytes, 1 << 20);
            assert!(estimate_bytes > 100_000_000);
        }
        other => panic!("expected MemoryLimit, got {other}"),
    }
    assert_eq!(sets.len(), 2_000);
    // From scratch, the pilot chunk's size gives the estimate.
    let e = sampler.sample(10_000_000, &NoProgress).unwrap_err();
    assert!(matches!(e, Error::MemoryLimit { .. }), "{e}");
    // The failed extension left the collection able to continue exactly.
    let once = sampler.sample(2_500, &NoProgress).unwrap();
    sampler.extend(&mut sets, 500, &NoProgress).unwrap();
    assert_eq!(once.members(), sets.members());
}

#[test]
fn progress_is_reported_and_cancellation_is_typed() {
    let mut g = random_graph(1_000, 6_000, 3);
    g.set_weights(&WeightScheme::WeightedCascade).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let record = |stage: &str, done: u64, total: u64| {
        seen.lock().unwrap().push((stage.to_string(), done, total));
        true
    };
    let c = config(500, 1, None);
    simulate(&g, &[0, 1], IC, &c, &record).unwrap();
    let log = seen.lock().unwrap().clone();
    assert_eq!(log.first().unwrap(), &("cascade".to_string(), 0, 500));
    assert_eq!(log.last().unwrap(), &("cascade".to_string(), 500, 500));
    assert!(
        log.windows(2).all(|w| w[0].1 <= w[1].1),
        "progress only grows"
    );
    let cancel_after = |limit: u64| move |_: &str, done: u64, _: u64| done < limit;
    let e = simulate(&g, &[0, 1], IC, &c, &cancel_after(100)).unwrap_err();
    assert!(matches!(e, Error::Cancelled));
    let sampler = RrSampler::new(&g, LT, &RrConfig::default()).unwrap();
    let mut sets = sampler.sample(300, &NoProgress).unwrap();
    let e = sampler
        .extend(&mut sets, 5_000, &cancel_after(1_000))
        .unwrap_err();
    assert!(matches!(e, Error::Cancelled));
    // Unchanged, and still extends exactly.
    assert_eq!(sets.len(), 300);
    sampler.extend(&mut sets, 700, &NoProgress).unwrap();
    assert_eq!(
        sets.members(),
        sampler.sample(1_000, &NoProgress).unwrap().members()
    );
}

// ---------------------------------------------------------------------------------------------
// The shared real graphs

#[test]
fn soc_epinions_weighted_cascade_spread_is_plausible() {
    let Some(dir) = crate::common::shared_data() else {
        return;
    };
    let path = dir.join("soc-Epinions1.txt");
    let file = std::fs::File::open(&path).unwrap();
    let name = path.display().to_string();
    let (mut g, _) =
        io::read_graph(file, &name, EdgeFormat::EdgeList, GraphOptions::default()).unwrap();
    assert_eq!((g.node_count(), g.edge_count()), (75_879, 508_837));
    g.set_weights(&WeightScheme::WeightedCascade).unwrap();
    let mut ids: Vec<u32> = (0..g.node_count() as u32).collect();
    ids.sort_by_key(|&u| (std::cmp::Reverse(g.out_degree(u)), u));
    let seeds = &ids[..50];
    let c = SpreadConfig::builder().trials(64).seed(1).build().unwrap();
    let r = simulate(&g, seeds, IC, &c, &NoProgress).unwrap();
    // About 10,960 accounts (± 13 over 2,000 trials in a release run).
    assert!(
        (9_500.0..12_500.0).contains(&r.accounts.mean),
        "{:?}",
        r.accounts
    );
    let sets = RrSampler::new(&g, IC, &RrConfig::builder().seed(2).build().unwrap())
        .unwrap()
        .sample(50_000, &NoProgress)
        .unwrap();
    let e = rr_estimate(&sets, seeds).unwrap();
    let se = (e.stderr.powi(2) + r.accounts.stderr.powi(2)).sqrt();
    assert!(
        (e.mean - r.accounts.mean).abs() < 4.0 * se,
        "{e:?} vs {:?}",
        r.accounts
    );
}
