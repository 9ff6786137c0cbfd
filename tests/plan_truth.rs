//! Truthfulness of the creator-table audience model on a real graph (reduced version of
//! `benches/plan_truth.rs`): wiki-Vote's own follower counts as a one-platform table, the exact
//! overlaps of 20 pairs among the 200 largest accounts, and modelled vs exact distinct reach.

use crate::common::shared_data;
use reachgraph_core::io::{read_graph, EdgeFormat};
use reachgraph_core::plan::{plan, CreatorTable, MeasuredOverlap, PlanOptions, Population};
use reachgraph_core::reach::{unique_reach, ReachOptions};
use reachgraph_core::{rng, Graph, GraphOptions};
use std::collections::HashSet;

/// `count` distinct pairs drawn uniformly (seeded) among the `pool` largest accounts, with their
/// exact shared followers.
pub fn measured_pairs(
    graph: &Graph,
    order: &[u32],
    pool: usize,
    count: usize,
    seed: u64,
) -> Vec<MeasuredOverlap> {
    let counts = |u: u32| graph.followers(u).len();
    let pool = pool.min(order.len());
    let mut r = rng::stream(seed, 0);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    while out.len() < count && seen.len() < pool * (pool - 1) / 2 {
        let a = order[rng::below(&mut r, pool as u64) as usize];
        let b = order[rng::below(&mut r, pool as u64) as usize];
        if a == b || !seen.insert((a.min(b), a.max(b))) {
            continue;
        }
        let fa: HashSet<u32> = graph.followers(a).iter().copied().collect();
        let shared = graph.followers(b).iter().filter(|v| fa.contains(v)).count();
        out.push(MeasuredOverlap {
            a: a as usize,
            b: b as usize,
            shared_fraction: shared as f64 / counts(a) as f64,
            line: out.len() + 2,
        });
    }
    out
}

/// (set label, size, exact, mean, low, high) for top and random sets of each size.
pub fn compare(
    graph: &Graph,
    file: &str,
    sizes: &[usize],
    pairs: usize,
) -> Vec<(String, usize, f64, f64, f64, f64)> {
    let n = graph.node_count();
    let counts: Vec<u64> = (0..n as u32)
        .map(|u| graph.followers(u).len() as u64)
        .collect();
    let population = Population::uniform(n as f64, &format!("the {n} people of {file}"));
    let table = CreatorTable::from_counts(
        (0..n).map(|u| (u.to_string(), counts[u])),
        "graph",
        population.clone(),
    );
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|&a, &b| counts[b as usize].cmp(&counts[a as usize]).then(a.cmp(&b)));
    let overlaps = measured_pairs(graph, &order, 200, pairs, 2026);
    let mut out = Vec::new();
    for &k in sizes {
        let k = k.min(n);
        let mut r = rng::stream(7, k as u64);
        let mut random: Vec<u32> = (0..n as u32).collect();
        for i in 0..k {
            let j = i + rng::below(&mut r, (n - i) as u64) as usize;
            random.swap(i, j);
        }
        for (label, set) in [
            ("top", order[..k].to_vec()),
            ("random", random[..k].to_vec()),
        ] {
            let exact = unique_reach(graph, &set, &ReachOptions::default())
                .unwrap()
                .unique_people as f64;
            let options = PlanOptions {
                base_population: Some(population.clone()),
                adoption: vec![("graph".into(), 1.0)],
                accounts: Some(set.iter().map(|u| u.to_string()).collect()),
                seed: 1,
                ..Default::default()
            };
            let u = plan(&table, &overlaps, &options).unwrap().unique_reach;
            out.push((label.to_string(), k, exact, u.mean, u.low, u.high));
        }
    }
    out
}

fn load(file: &str, undirected: bool) -> Option<Graph> {
    let dir = shared_data()?;
    let f = std::fs::File::open(dir.join(file)).ok()?;
    Some(
        read_graph(
            f,
            file,
            EdgeFormat::EdgeList,
            GraphOptions {
                undirected,
                ..Default::default()
            },
        )
        .unwrap()
        .0,
    )
}

#[test]
#[ignore = "tolerances not yet checked against a run; see the report"]
fn wiki_vote_modelled_reach_is_near_the_exact_reach() {
    let Some(g) = load("wiki-Vote.txt", false) else {
        return;
    };
    for (label, k, exact, mean, low, high) in compare(&g, "wiki-Vote.txt", &[50, 500], 20) {
        eprintln!("{label} {k}: exact {exact} modelled {mean:.0} [{low:.0}, {high:.0}]");
        assert!(
            low <= exact && exact <= high,
            "{label} {k}: {exact} outside [{low}, {high}]"
        );
        assert!(
            ((mean - exact) / exact).abs() <= 0.25,
            "{label} {k}: {mean} vs {exact}"
        );
    }
}

/// The full comparison on every shared graph (prints the table of docs/BENCHMARKS.md).
#[test]
#[ignore = "minutes; run with --ignored --nocapture to print the benchmark table"]
fn all_graphs_table() {
    for (file, undirected) in [
        ("wiki-Vote.txt", false),
        ("nethept.txt", false),
        ("facebook_combined.txt", true),
        ("soc-Epinions1.txt", false),
    ] {
        let Some(g) = load(file, undirected) else {
            continue;
        };
        for (label, k, exact, mean, low, high) in compare(&g, file, &[50, 500, 5000], 20) {
            let inside = low <= exact && exact <= high;
            println!("| {file} | {label} | {k} | {exact:.0} | {mean:.0} | {low:.0} – {high:.0} | {:+.1}% | {} |", 100.0 * (mean - exact) / exact, if inside { "yes" } else { "no" });
        }
    }
}
