//! Criterion groups for the foundation: loading, unique reach, the overlap matrix, the ladder.
//!
//! `cargo bench --bench reach`. Real graphs are read from `../shared/data` (skipped when
//! absent); generated graphs are campaign populations of 1M and 20M edges.

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use reachgraph_core::coverage::reach_ladder;
use reachgraph_core::io::{read_graph, EdgeFormat};
use reachgraph_core::overlap::overlap;
use reachgraph_core::reach::{unique_reach, ReachOptions};
use reachgraph_core::{GraphOptions, NoProgress};
use std::time::Duration;

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    g.sample_size(20);
    let Some(dir) = common::shared_data() else {
        return;
    };
    for file in ["soc-Epinions1.txt", "wiki-Vote.txt", "nethept.txt"] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(file, |b| {
            b.iter(|| {
                read_graph(
                    &bytes[..],
                    file,
                    EdgeFormat::EdgeList,
                    GraphOptions::default(),
                )
                .unwrap()
            })
        });
    }
}

fn reach(c: &mut Criterion) {
    let mut g = c.benchmark_group("unique_reach");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    for edges in [1_000_000usize, 20_000_000] {
        let sc = common::scenario(edges);
        let graph = &sc.graph;
        for (label, seeds) in [
            ("5000_spread", common::spread_ids(graph, 5000)),
            ("5000_largest", common::top_by_out_degree(graph, 5000)),
        ] {
            let touched: usize = seeds.iter().map(|&s| graph.out_degree(s)).sum();
            g.throughput(Throughput::Elements(touched as u64));
            g.bench_with_input(
                BenchmarkId::new(label, format!("{}M_edges", edges / 1_000_000)),
                &seeds,
                |b, s| b.iter(|| unique_reach(graph, s, &ReachOptions::default()).unwrap()),
            );
        }
    }
    if let Some(graph) = common::real("soc-Epinions1.txt", false) {
        let seeds = common::top_by_out_degree(&graph, 5000);
        g.bench_function("soc-Epinions1/5000_largest", |b| {
            b.iter(|| unique_reach(&graph, &seeds, &ReachOptions::default()).unwrap())
        });
    }
}

fn overlap_matrix(c: &mut Criterion) {
    let mut g = c.benchmark_group("overlap_matrix");
    g.sample_size(10);
    for (edges, k) in [(1_000_000usize, 1000usize), (20_000_000, 1000)] {
        let sc = common::scenario(edges);
        let accounts = common::top_by_out_degree(&sc.graph, k);
        g.bench_function(format!("{}M_edges/top{k}", edges / 1_000_000), |b| {
            b.iter(|| overlap(&sc.graph, &accounts, &NoProgress).unwrap())
        });
    }
    if let Some(graph) = common::real("soc-Epinions1.txt", false) {
        let accounts = common::top_by_out_degree(&graph, 1000);
        g.bench_function("soc-Epinions1/top1000", |b| {
            b.iter(|| overlap(&graph, &accounts, &NoProgress).unwrap())
        });
    }
}

fn ladder(c: &mut Criterion) {
    let mut g = c.benchmark_group("reach_ladder");
    g.sample_size(10);
    let sc = common::scenario(1_000_000);
    g.bench_function("1M_edges/creators/k50", |b| {
        b.iter(|| {
            reach_ladder(&sc.graph, Some(&sc.creators), 50, &ReachOptions::default()).unwrap()
        })
    });
    if let Some(graph) = common::real("soc-Epinions1.txt", false) {
        g.bench_function("soc-Epinions1/all/k50", |b| {
            b.iter(|| reach_ladder(&graph, None, 50, &ReachOptions::default()).unwrap())
        });
    }
}

criterion_group!(benches, load, reach, overlap_matrix, ladder);
criterion_main!(benches);
