//! Graph factories shared by the benchmarks: the shared real graphs and seeded generated
//! campaign populations of a given size.
#![allow(dead_code)]

use reachgraph_core::io::{read_graph, EdgeFormat};
use reachgraph_core::scenario::{generate, Scenario, ScenarioConfig};
use reachgraph_core::{rng, Graph, GraphOptions, NoProgress, NodeIds, WeightScheme};
use std::path::PathBuf;

/// The shared data folder (`$REACHGRAPH_DATA`, else beside the repository), or `None` with a
/// message.
pub fn shared_data() -> Option<PathBuf> {
    let p = std::env::var_os("REACHGRAPH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping real-graph benchmarks: {} is absent", p.display());
        None
    }
}

/// A shared real graph by file name (`soc-Epinions1.txt`, ...), if the folder is present.
pub fn real(file: &str, undirected: bool) -> Option<Graph> {
    let path = shared_data()?.join(file);
    let f = std::fs::File::open(&path).ok()?;
    let (g, _) = read_graph(
        f,
        file,
        EdgeFormat::EdgeList,
        GraphOptions {
            undirected,
            ..Default::default()
        },
    )
    .ok()?;
    Some(g)
}

/// A generated campaign population with about `edges` follow edges (seed 42).
pub fn scenario(edges: usize) -> Scenario {
    generate(&ScenarioConfig::with_edges(edges, 42), &NoProgress).expect("valid scenario")
}

/// The `k` accounts with the most followers, most first (ties by id).
pub fn top_by_out_degree(g: &Graph, k: usize) -> Vec<u32> {
    let mut ids: Vec<u32> = (0..g.node_count() as u32).collect();
    ids.sort_by_key(|&u| (std::cmp::Reverse(g.out_degree(u)), u));
    ids.truncate(k);
    ids
}

/// `k` accounts spread evenly over the id range (a stand-in for an arbitrary seed list).
pub fn spread_ids(g: &Graph, k: usize) -> Vec<u32> {
    let n = g.node_count() as u64;
    (0..k as u64).map(|i| (i * n / k as u64) as u32).collect()
}

/// A seeded random follower graph with `n` accounts and about `m` edges: sources
/// `⌊n · x³⌋` for uniform `x` (a long tail of accounts with many followers), uniform targets.
pub fn generated(n: u32, m: usize, seed: u64) -> Graph {
    let mut r = rng::stream(seed, 0);
    let (mut src, mut dst) = (Vec::with_capacity(m), Vec::with_capacity(m));
    for _ in 0..m {
        let x = rng::unit_f64(&mut r);
        src.push(((x * x * x) * n as f64) as u32 % n);
        dst.push(rng::below(&mut r, n as u64) as u32);
    }
    let ids = NodeIds::identity(n);
    let (g, _) = Graph::from_edges(n, &src, &dst, None, ids, GraphOptions::default())
        .expect("generated edges are valid");
    g
}

/// Weighted-cascade probabilities, the setting of the reference IM benchmarks.
pub fn wc(mut g: Graph) -> Graph {
    g.set_weights(&WeightScheme::WeightedCascade)
        .expect("weighted cascade applies to any graph");
    g
}
