//! Cascade benchmarks: forward Monte Carlo (IC, LT) and RR-set sampling, on soc-Epinions1 with
//! weighted-cascade probabilities (50 top out-degree seeds, as the reference C++ simulator is
//! measured) and on a generated graph with 1M edges (20M with `REACHGRAPH_BENCH_LARGE=1`).
//!
//! Throughput is reported per cascade (`ic`, `lt`) and per RR set (`rr`).
//! Run: `cargo bench --bench cascade` (set `REACHGRAPH_DATA` if the shared data folder is not
//! at `../shared/data`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use reachgraph_core::cascade::{Model, Simulator, SpreadConfig};
use reachgraph_core::rrset::{RrConfig, RrSampler};
use reachgraph_core::{Graph, NoProgress};
use std::time::Duration;

/// Graph factories. `real` and `top_by_out_degree` mirror `benches/common` on main; the
/// generated graph is a stand-in until the benches switch to the scenario generator.
mod common {
    use reachgraph_core::io::{read_graph, EdgeFormat};
    use reachgraph_core::{rng, Graph, GraphOptions, NodeIds, WeightScheme};
    use std::path::PathBuf;

    /// The shared data folder: `$REACHGRAPH_DATA`, else `../shared/data` beside the repository.
    pub fn shared_data() -> Option<PathBuf> {
        let p = std::env::var_os("REACHGRAPH_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"))
            });
        if p.is_dir() {
            Some(p)
        } else {
            eprintln!(
                "skipping real-graph benchmarks: {} is absent (set REACHGRAPH_DATA)",
                p.display()
            );
            None
        }
    }

    /// A shared real graph by file name, if the folder is present.
    pub fn real(file: &str, undirected: bool) -> Option<Graph> {
        let f = std::fs::File::open(shared_data()?.join(file)).ok()?;
        let options = GraphOptions {
            undirected,
            ..Default::default()
        };
        Some(read_graph(f, file, EdgeFormat::EdgeList, options).ok()?.0)
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

    /// The `k` accounts with the most followers, most first (ties by id).
    pub fn top_by_out_degree(g: &Graph, k: usize) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..g.node_count() as u32).collect();
        ids.sort_by_key(|&u| (std::cmp::Reverse(g.out_degree(u)), u));
        ids.truncate(k);
        ids
    }

    /// Weighted-cascade probabilities, the setting of the reference IM benchmarks.
    pub fn wc(mut g: Graph) -> Graph {
        g.set_weights(&WeightScheme::WeightedCascade)
            .expect("weighted cascade applies to any graph");
        g
    }
}

fn graphs() -> Vec<(String, Graph)> {
    let mut out = Vec::new();
    if let Some(g) = common::real("soc-Epinions1.txt", false) {
        out.push(("epinions_wc".to_string(), common::wc(g)));
    }
    // The size cynetdiff's published timing uses (10k accounts, 100k edges).
    out.push((
        "gen_10k_100k_wc".to_string(),
        common::wc(common::generated(10_000, 100_000, 3)),
    ));
    out.push((
        "gen_100k_1m_wc".to_string(),
        common::wc(common::generated(100_000, 1_000_000, 1)),
    ));
    if std::env::var_os("REACHGRAPH_BENCH_LARGE").is_some() {
        out.push((
            "gen_2m_20m_wc".to_string(),
            common::wc(common::generated(2_000_000, 20_000_000, 2)),
        ));
    }
    out
}

fn forward(c: &mut Criterion, model: Model, group_name: &str) {
    let mut group = c.benchmark_group(group_name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    for (name, g) in graphs() {
        let seeds = common::top_by_out_degree(&g, 50);
        // Fewer trials on the big graphs keep the run short; throughput is per cascade.
        // (at least two chunks of 32 trials, so two threads have work).
        let trials = if g.edge_count() < 600_000 { 256 } else { 64 };
        group.throughput(Throughput::Elements(trials));
        for threads in [1usize, 2] {
            let config = SpreadConfig::builder()
                .trials(trials)
                .seed(1)
                .threads(threads)
                .build()
                .expect("valid config");
            let sim = Simulator::new(&g, model, &config).expect("valid graph");
            group.bench_function(BenchmarkId::new(&name, format!("{threads}_threads")), |b| {
                b.iter(|| sim.run(&seeds, &NoProgress).expect("simulation runs"))
            });
        }
    }
    group.finish();
}

fn ic(c: &mut Criterion) {
    forward(c, Model::IndependentCascade, "ic");
}

fn lt(c: &mut Criterion) {
    forward(c, Model::LinearThreshold, "lt");
}

fn rr(c: &mut Criterion) {
    let mut group = c.benchmark_group("rr");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    for (name, g) in graphs() {
        let count: usize = if g.edge_count() < 5_000_000 {
            200_000
        } else {
            20_000
        };
        group.throughput(Throughput::Elements(count as u64));
        for model in [Model::IndependentCascade, Model::LinearThreshold] {
            for threads in [1usize, 2] {
                let config = RrConfig::builder()
                    .seed(1)
                    .threads(threads)
                    .build()
                    .expect("valid config");
                let sampler = RrSampler::new(&g, model, &config).expect("sampler builds");
                group.bench_function(
                    BenchmarkId::new(format!("{name}_{model}"), format!("{threads}_threads")),
                    |b| b.iter(|| sampler.sample(count, &NoProgress).expect("sampling runs")),
                );
            }
        }
    }
    group.finish();
}

criterion_group!(benches, ic, lt, rr);
criterion_main!(benches);
